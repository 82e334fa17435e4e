//! stdout, stderr, stdin, args, env and exit codes, on wasm32 and wasm64.
use crate::common::*;
use wasit2_abi::Arch;

#[test]
fn stdout_stderr_and_return_code() {
    for arch in Arch::ALL {
        let wasm = module(
            arch,
            &[],
            r#"
          (data (PTR.const 1024) "hello\n")
          (data (PTR.const 1040) "oops\n")
          (func (export "RUN") (result i32)
            (call $puts (PTR.const 1024) (PTR.const 6))
            (call $eputs (PTR.const 1040) (PTR.const 5))
            (i32.const 0))"#,
        );
        let r = run(arch, &wasm, |_| {});
        assert_eq!(r.code(), 0, "{arch:?}");
        assert_eq!(r.stdout(), "hello\n");
        assert_eq!(String::from_utf8_lossy(&r.stderr), "oops\n");
    }
}

#[test]
fn exit_codes() {
    for arch in Arch::ALL {
        let exit_with = |body: &str| {
            let wasm = module(
                arch,
                &[
                    ("wasi:cli/exit@0.2", "exit", "$exit"),
                    ("wasi:cli/exit@0.2", "exit-with-code", "$exit_code"),
                ],
                &format!("(func (export \"RUN\") (result i32) {body})"),
            );
            run(arch, &wasm, |_| {}).code()
        };
        assert_eq!(
            exit_with("(call $exit_code (i32.const 7)) (i32.const 0)"),
            7
        );
        assert_eq!(exit_with("(call $exit (i32.const 1)) (i32.const 0)"), 1);
        assert_eq!(exit_with("(call $exit (i32.const 0)) (i32.const 5)"), 0);
        assert_eq!(exit_with("(i32.const 1)"), 1);
    }
}

const LIST_PRINT: &str = r#"
  ;; Prints each string of a list<string> written at retptr 32, one a line.
  (func $print_strings
    (local $list PTR) (local $cnt PTR) (local $i PTR) (local $e PTR)
    (local.set $list (PTR.load (PTR.const 32)))
    (local.set $cnt (PTR.load offset=PSZ (PTR.const 32)))
    (block $done (loop $l
      (br_if $done (PTR.ge_u (local.get $i) (local.get $cnt)))
      (local.set $e (PTR.add (local.get $list) (PTR.mul (local.get $i) (PTR.const PSZ2))))
      (call $puts (PTR.load (local.get $e)) (PTR.load offset=PSZ (local.get $e)))
      (call $puts (PTR.const 1000) (PTR.const 1))
      (local.set $i (PTR.add (local.get $i) (PTR.const 1)))
      (br $l))))
  (data (PTR.const 1000) "\n")
"#;

#[test]
fn args_and_too_small_buffer() {
    for arch in Arch::ALL {
        let wasm = module(
            arch,
            &[(
                "wasi:cli/environment@0.2",
                "get-arguments",
                "$get_arguments",
            )],
            &format!(
                r#"{LIST_PRINT}
          (func (export "RUN") (result i32)
            ;; sentinel at the retptr: a too-small call must not write it
            (PTR.store (PTR.const 32) (PTR.const 0x5a5a))
            (PTR.store (PTR.const 200) (call $get_arguments (PTR.const 32) (PTR.const 4096) (PTR.const 3)))
            (PTR.store (PTR.const 216) (PTR.load (PTR.const 32)))
            (PTR.store (PTR.const 208) (call $get_arguments (PTR.const 32) (PTR.const 4096) (PTR.const 60000)))
            (call $print_strings)
            (i32.const 0))"#
            ),
        );
        let r = run(arch, &wasm, |b| {
            b.args(&["prog", "one", "zwei drei"]);
        });
        assert_eq!(r.code(), 0);
        assert_eq!(r.stdout(), "prog\none\nzwei drei\n");
        let (too_small, ok) = (r.ptr_at(arch, 200), r.ptr_at(arch, 208));
        let ps = arch.pointer_size() as u64;
        // 3 (ptr,len) pairs then the bytes: the exact ABI size.
        assert_eq!(ok, 3 * 2 * ps + 4 + 3 + 9, "{arch:?}");
        assert_eq!(too_small, ok, "too small reports the required size");
        assert_eq!(
            r.ptr_at(arch, 216),
            0x5a5a,
            "nothing written when too small"
        );
    }
}

#[test]
fn env_vars() {
    for arch in Arch::ALL {
        let wasm = module(
            arch,
            &[(
                "wasi:cli/environment@0.2",
                "get-environment",
                "$get_environment",
            )],
            r#"
          (data (PTR.const 1001) "=")
          (data (PTR.const 1000) "\n")
          (func (export "RUN") (result i32)
            (local $list PTR) (local $cnt PTR) (local $i PTR) (local $e PTR)
            (drop (call $get_environment (PTR.const 32) (PTR.const 4096) (PTR.const 60000)))
            (local.set $list (PTR.load (PTR.const 32)))
            (local.set $cnt (PTR.load offset=PSZ (PTR.const 32)))
            (block $done (loop $l
              (br_if $done (PTR.ge_u (local.get $i) (local.get $cnt)))
              (local.set $e (PTR.add (local.get $list) (PTR.shl (PTR.mul (local.get $i) (PTR.const PSZ2)) (PTR.const 1))))
              (call $puts (PTR.load (local.get $e)) (PTR.load offset=PSZ (local.get $e)))
              (call $puts (PTR.const 1001) (PTR.const 1))
              (call $puts (PTR.load offset=PSZ2 (local.get $e)) (PTR.load offset=PSZ2 (PTR.add (local.get $e) (PTR.const PSZ))))
              (call $puts (PTR.const 1000) (PTR.const 1))
              (local.set $i (PTR.add (local.get $i) (PTR.const 1)))
              (br $l)))
            (i32.const 0))"#,
        );
        let r = run(arch, &wasm, |b| {
            b.env("FOO", "bar").env("EMPTY", "");
        });
        assert_eq!(r.code(), 0);
        assert_eq!(r.stdout(), "FOO=bar\nEMPTY=\n");
    }
}

#[test]
fn stdin_is_read_with_short_reads() {
    for arch in Arch::ALL {
        let wasm = module(
            arch,
            &[
                ("wasi:cli/stdin@0.2", "get-stdin", "$get_stdin"),
                (
                    "wasi:io/streams@0.2",
                    "[method]input-stream.blocking-read",
                    "$read",
                ),
            ],
            r#"
          (func (export "RUN") (result i32)
            (local $in i32) (local $n PTR)
            (local.set $in (call $get_stdin))
            (loop $l
              ;; ask for 100 bytes with a 4-byte arena: ShortRead clamps
              (local.set $n (call $read (local.get $in) (i64.const 100) (PTR.const 32) (PTR.const 4096) (PTR.const 4)))
              (if (i32.eqz (i32.load8_u (PTR.const 32)))
                (then
                  (call $puts (PTR.load offset=PSZ (PTR.const 32)) (PTR.load offset=PSZ2 (PTR.const 32)))
                  (call $puts (PTR.const 1000) (PTR.const 1))
                  (br $l))))
            (i32.const 0))
          (data (PTR.const 1000) "|")"#,
        );
        let r = run_with(arch, &wasm, |_| {}, b"abcdefghij");
        assert_eq!(r.code(), 0);
        assert_eq!(r.stdout(), "abcd|efgh|ij|");
    }
}

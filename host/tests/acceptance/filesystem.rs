//! Files and directories under a preopen: create, write, read, seek (reads
//! at an offset and a stream at an offset), stat, readdir, rename, unlink.
use crate::common::*;
use wasit2_abi::Arch;
use wasmtime_wasi::WasiCtxBuilder;

const FS: &[(&str, &str, &str)] = &[
    (
        "wasi:filesystem/preopens@0.2",
        "get-directories",
        "$get_directories",
    ),
    (
        "wasi:filesystem/types@0.2",
        "[method]descriptor.open-at",
        "$open_at",
    ),
    (
        "wasi:filesystem/types@0.2",
        "[method]descriptor.write",
        "$fwrite",
    ),
    (
        "wasi:filesystem/types@0.2",
        "[method]descriptor.read",
        "$fread",
    ),
    (
        "wasi:filesystem/types@0.2",
        "[method]descriptor.stat",
        "$stat",
    ),
    (
        "wasi:filesystem/types@0.2",
        "[method]descriptor.create-directory-at",
        "$mkdir",
    ),
    (
        "wasi:filesystem/types@0.2",
        "[method]descriptor.rename-at",
        "$rename",
    ),
    (
        "wasi:filesystem/types@0.2",
        "[method]descriptor.read-directory",
        "$readdir",
    ),
    (
        "wasi:filesystem/types@0.2",
        "[method]directory-entry-stream.read-directory-entry",
        "$next_entry",
    ),
    (
        "wasi:filesystem/types@0.2",
        "[method]descriptor.unlink-file-at",
        "$unlink",
    ),
    (
        "wasi:filesystem/types@0.2",
        "[method]descriptor.read-via-stream",
        "$read_via_stream",
    ),
    ("wasi:filesystem/types@0.2", "descriptor_drop", "$fd_drop"),
    (
        "wasi:io/streams@0.2",
        "[method]input-stream.blocking-read",
        "$sread",
    ),
];

const BODY: &str = r#"
  (data (PTR.const 1024) "a.txt")
  (data (PTR.const 1032) "hello, world")
  (data (PTR.const 1048) "sub")
  (data (PTR.const 1056) "sub/b.txt")
  (data (PTR.const 1072) "c.txt")
  (data (PTR.const 1000) "\n")
  (func $save (param $slot PTR) (param $v i64)
    (i64.store (PTR.add (PTR.const 200) (PTR.mul (local.get $slot) (PTR.const 8))) (local.get $v)))
  (func (export "RUN") (result i32)
    (local $dir i32) (local $fd i32) (local $ds i32) (local $n PTR) (local $s i32)
    ;; too-small get-directories: no handle may be created
    (call $save (PTR.const 0) (P2I (call $get_directories (PTR.const 32) (PTR.const 4096) (PTR.const 1))))
    (call $save (PTR.const 0) (P2I (call $get_directories (PTR.const 32) (PTR.const 4096) (PTR.const 1))))
    (call $save (PTR.const 1) (P2I (call $get_directories (PTR.const 32) (PTR.const 4096) (PTR.const 60000))))
    (local.set $dir (i32.load (PTR.load (PTR.const 32))))
    (call $save (PTR.const 2) (i64.extend_i32_u (local.get $dir)))
    ;; create + write a.txt
    (call $open_at (local.get $dir) (i32.const 0) (PTR.const 1024) (PTR.const 5) (i32.const 1) (i32.const 3) (PTR.const 32))
    (call $save (PTR.const 3) (i64.load8_u (PTR.const 32)))
    (local.set $fd (i32.load offset=4 (PTR.const 32)))
    (call $fwrite (local.get $fd) (PTR.const 1032) (PTR.const 12) (i64.const 0) (PTR.const 32))
    (call $save (PTR.const 4) (i64.load offset=8 (PTR.const 32)))
    ;; read 100 bytes at offset 7 with a 5-byte arena: a short read "world"
    (call $save (PTR.const 5) (P2I (call $fread (local.get $fd) (i64.const 100) (i64.const 7) (PTR.const 32) (PTR.const 4096) (PTR.const 5))))
    (call $save (PTR.const 12) (i64.load8_u offset=PSZ3 (PTR.const 32)))
    (call $puts (PTR.load offset=PSZ (PTR.const 32)) (PTR.load offset=PSZ2 (PTR.const 32)))
    (call $puts (PTR.const 1000) (PTR.const 1))
    ;; a stream from offset 2 ("seek")
    (call $read_via_stream (local.get $fd) (i64.const 2) (PTR.const 32))
    (local.set $s (i32.load offset=4 (PTR.const 32)))
    (drop (call $sread (local.get $s) (i64.const 3) (PTR.const 32) (PTR.const 4096) (PTR.const 100)))
    (call $puts (PTR.load offset=PSZ (PTR.const 32)) (PTR.load offset=PSZ2 (PTR.const 32)))
    (call $puts (PTR.const 1000) (PTR.const 1))
    ;; stat: size at payload offset 8 + 16
    (call $stat (local.get $fd) (PTR.const 32))
    (call $save (PTR.const 6) (i64.load offset=24 (PTR.const 32)))
    (call $save (PTR.const 7) (i64.load8_u offset=8 (PTR.const 32)))
    ;; mkdir sub; rename a.txt -> sub/b.txt; create c.txt
    (call $mkdir (local.get $dir) (PTR.const 1048) (PTR.const 3) (PTR.const 32))
    (call $save (PTR.const 8) (i64.load8_u (PTR.const 32)))
    (call $rename (local.get $dir) (PTR.const 1024) (PTR.const 5) (local.get $dir) (PTR.const 1056) (PTR.const 9) (PTR.const 32))
    (call $save (PTR.const 9) (i64.load8_u (PTR.const 32)))
    (call $open_at (local.get $dir) (i32.const 0) (PTR.const 1072) (PTR.const 5) (i32.const 1) (i32.const 3) (PTR.const 32))
    (call $fd_drop (i32.load offset=4 (PTR.const 32)))
    ;; readdir, asking with a zero arena first each time (ReportRequired)
    (call $readdir (local.get $dir) (PTR.const 32))
    (local.set $ds (i32.load offset=4 (PTR.const 32)))
    (loop $l
      (local.set $n (call $next_entry (local.get $ds) (PTR.const 32) (PTR.const 4096) (PTR.const 0)))
      (call $save (PTR.const 10) (i64.add (i64.load (PTR.const 280)) (P2I (local.get $n))))
      (drop (call $next_entry (local.get $ds) (PTR.const 32) (PTR.const 4096) (local.get $n)))
      ;; ok(some(entry)): name at 3*ps
      (if (i32.and (i32.eqz (i32.load8_u (PTR.const 32))) (i32.load8_u offset=PSZ (PTR.const 32)))
        (then
          (call $puts (PTR.load offset=PSZ3 (PTR.const 32)) (PTR.load offset=PSZ4 (PTR.const 32)))
          (call $puts (PTR.const 1000) (PTR.const 1))
          (br $l))))
    ;; unlink c.txt
    (call $unlink (local.get $dir) (PTR.const 1072) (PTR.const 5) (PTR.const 32))
    (call $save (PTR.const 11) (i64.load8_u (PTR.const 32)))
    (i32.const 0))
"#;

#[test]
fn files_and_directories() {
    for arch in Arch::ALL {
        let tmp = tempfile::tempdir().unwrap();
        let wasm = module(arch, FS, BODY);
        let path = tmp.path().to_path_buf();
        let r = run(arch, &wasm, |b| {
            b.preopened_dir(&path, "/sandbox", wasmtime_wasi::FsPerms::ReadWrite)
                .unwrap();
        });
        assert_eq!(r.code(), 0, "{arch:?}");
        let slot = |n: usize| r.u64_at(200 + 8 * n);
        let ps = arch.pointer_size() as u64;
        // one (descriptor, "/sandbox") pair: 3 pointer-sized words + 8 bytes
        assert_eq!(
            slot(0),
            3 * ps + 8,
            "get-directories too small reports the size"
        );
        assert_eq!(slot(1), slot(0));
        assert_eq!(slot(2), 1, "the too-small calls created no handles");
        assert_eq!(slot(3), 0, "open-at ok");
        assert_eq!(slot(4), 12, "12 bytes written");
        assert_eq!(slot(5), 5, "short read clamped to the arena");
        assert_eq!(slot(6), 12, "stat size");
        assert_eq!(slot(7), 6, "regular-file");
        assert_eq!(slot(8), 0, "mkdir ok");
        assert_eq!(slot(9), 0, "rename ok");
        assert_eq!(slot(11), 0, "unlink ok");
        let out = r.stdout();
        let mut lines: Vec<&str> = out.lines().collect();
        assert_eq!(&lines[..2], ["world", "llo"], "{out}");
        let mut names = lines.split_off(2);
        names.sort();
        assert_eq!(
            names,
            ["c.txt", "sub"],
            "every entry exactly once despite too-small calls"
        );
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("sub/b.txt")).unwrap(),
            "hello, world"
        );
        assert!(!tmp.path().join("a.txt").exists());
        assert!(!tmp.path().join("c.txt").exists());
    }
}

/// The typed path of the hot imports (read, blocking-read, write,
/// blocking-write-and-flush, descriptor read/write) leaves guest memory,
/// output and files exactly as the generic path does.
#[test]
fn typed_and_generic_paths_agree() {
    for arch in Arch::ALL {
        let wasm = module(arch, FS, BODY);
        let go = |generic: bool| {
            let tmp = tempfile::tempdir().unwrap();
            let path = tmp.path().to_path_buf();
            let conf = |b: &mut WasiCtxBuilder| {
                b.preopened_dir(&path, "/sandbox", wasmtime_wasi::FsPerms::ReadWrite)
                    .unwrap();
            };
            let r = if generic {
                run_generic(arch, &wasm, conf)
            } else {
                run(arch, &wasm, conf)
            };
            let b = std::fs::read(tmp.path().join("sub/b.txt")).unwrap();
            (r.code(), r.stdout, r.memory, b)
        };
        let typed = go(false);
        let generic = go(true);
        assert_eq!(typed.0, generic.0, "{arch:?}");
        assert_eq!(typed.1, generic.1, "{arch:?}");
        assert_eq!(typed.3, generic.3, "{arch:?}");
        // Except the stat's three timestamps (the two runs' files differ
        // in time), at 32 + payload 8 + 24..96.
        let diff: Vec<usize> = (0..typed.2.len())
            .filter(|&i| !(64..136).contains(&i) && typed.2[i] != generic.2[i])
            .collect();
        assert!(
            diff.is_empty(),
            "{arch:?}: guest memory differs at {diff:?}"
        );
    }
}

/// Reading and writing a directory descriptor: the typed path returns the
/// same `bad-descriptor` errors, lowered the same way, as the generic path.
#[test]
fn typed_path_errors_match_the_generic_path() {
    const ERRS: &str = r#"
  (func $save (param $slot PTR) (param $v i64)
    (i64.store (PTR.add (PTR.const 200) (PTR.mul (local.get $slot) (PTR.const 8))) (local.get $v)))
  (func (export "RUN") (result i32)
    (local $dir i32)
    (drop (call $get_directories (PTR.const 32) (PTR.const 4096) (PTR.const 60000)))
    (local.set $dir (i32.load (PTR.load (PTR.const 32))))
    (call $save (PTR.const 0) (P2I (call $fread (local.get $dir) (i64.const 10) (i64.const 0) (PTR.const 32) (PTR.const 4096) (PTR.const 100))))
    (call $save (PTR.const 1) (i64.load8_u (PTR.const 32)))
    (call $save (PTR.const 2) (i64.load8_u offset=PSZ (PTR.const 32)))
    (call $fwrite (local.get $dir) (PTR.const 1032) (PTR.const 12) (i64.const 0) (PTR.const 32))
    (call $save (PTR.const 3) (i64.load8_u (PTR.const 32)))
    (call $save (PTR.const 4) (i64.load8_u offset=8 (PTR.const 32)))
    (i32.const 0))
"#;
    for arch in Arch::ALL {
        let wasm = module(arch, FS, ERRS);
        let go = |generic: bool| {
            let tmp = tempfile::tempdir().unwrap();
            let path = tmp.path().to_path_buf();
            let conf = |b: &mut WasiCtxBuilder| {
                b.preopened_dir(&path, "/sandbox", wasmtime_wasi::FsPerms::ReadWrite)
                    .unwrap();
            };
            if generic {
                run_generic(arch, &wasm, conf)
            } else {
                run(arch, &wasm, conf)
            }
        };
        let (typed, generic) = (go(false), go(true));
        assert_eq!(typed.code(), 0, "{arch:?}");
        let slot = |r: &Ran, n: usize| r.u64_at(200 + 8 * n);
        assert_eq!(slot(&typed, 1), 1, "{arch:?}: read on a directory is err");
        assert_eq!(slot(&typed, 3), 1, "{arch:?}: write on a directory is err");
        for n in 0..5 {
            assert_eq!(slot(&typed, n), slot(&generic, n), "{arch:?}: slot {n}");
        }
        assert!(
            typed.memory == generic.memory,
            "{arch:?}: guest memory differs"
        );
    }
}

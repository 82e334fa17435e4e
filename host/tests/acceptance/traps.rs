//! Bad guest pointers and forged, stale or wrong-type handles trap; the host
//! never panics.
use crate::common::*;
use wasit2_abi::Arch;

fn trap_of(arch: Arch, imports: &[(&str, &str, &str)], body: &str) -> String {
    let wasm = module(
        arch,
        imports,
        &format!("(func (export \"RUN\") (result i32) {body} (i32.const 0))"),
    );
    run(arch, &wasm, |_| {}).trap()
}

#[test]
fn out_of_bounds_and_misaligned_pointers_trap() {
    for arch in Arch::ALL {
        // write with a buffer past the end of memory (2 pages)
        let t = trap_of(
            arch,
            &[],
            "(call $write (call $get_stdout) (PTR.const 131000) (PTR.const 1000) (PTR.const 16))",
        );
        assert!(t.contains("out of bounds"), "{t}");
        // a length that overflows the address space
        let t = trap_of(
            arch,
            &[],
            "(call $write (call $get_stdout) (PTR.const 16) (PTR.const -1) (PTR.const 16))",
        );
        assert!(
            t.contains("out of bounds") || t.contains("overflow") || t.contains("limit"),
            "{t}"
        );
        // retptr out of bounds
        let t = trap_of(
            arch,
            &[],
            "(call $write (call $get_stdout) (PTR.const 16) (PTR.const 1) (PTR.const 131068))",
        );
        assert!(t.contains("out of bounds"), "{t}");
        // misaligned retptr
        let t = trap_of(
            arch,
            &[],
            "(call $write (call $get_stdout) (PTR.const 16) (PTR.const 1) (PTR.const 17))",
        );
        assert!(t.contains("unaligned"), "{t}");
        // arena out of bounds
        let imp = [("wasi:cli/environment@0.2", "get-arguments", "$args")];
        let t = trap_of(
            arch,
            &imp,
            "(drop (call $args (PTR.const 32) (PTR.const 131000) (PTR.const 4096)))",
        );
        assert!(t.contains("out of bounds"), "{t}");
        // misaligned arena for a list of records (list<tuple<string,string>>)
        let imp = [("wasi:cli/environment@0.2", "get-environment", "$env")];
        let t = trap_of(
            arch,
            &imp,
            "(drop (call $env (PTR.const 32) (PTR.const 4097) (PTR.const 64)))",
        );
        assert!(t.contains("unaligned"), "{t}");
        // a string that is not UTF-8
        let imp = [
            ("wasi:filesystem/preopens@0.2", "get-directories", "$dirs"),
            (
                "wasi:filesystem/types@0.2",
                "[method]descriptor.create-directory-at",
                "$mkdir",
            ),
        ];
        let t = trap_of(arch, &imp, "(i32.store (PTR.const 500) (i32.const 0xfffefdfc)) (call $mkdir (i32.const 1) (PTR.const 500) (PTR.const 4) (PTR.const 32))");
        assert!(
            t.contains("UTF-8") || t.contains("unknown handle") || t.contains("index"),
            "{t}"
        );
    }
}

#[test]
fn forged_stale_and_wrong_type_handles_trap() {
    for arch in Arch::ALL {
        let imp = [
            ("wasi:io/streams@0.2", "output-stream_drop", "$odrop"),
            (
                "wasi:filesystem/types@0.2",
                "[method]descriptor.stat",
                "$stat",
            ),
            ("wasi:io/poll@0.2", "[method]pollable.ready", "$ready"),
        ];
        // never-issued handle
        let t = trap_of(
            arch,
            &imp,
            "(call $write (i32.const 12345) (PTR.const 16) (PTR.const 1) (PTR.const 32))",
        );
        assert!(!t.is_empty());
        // handle 0 is reserved
        let t0 = trap_of(
            arch,
            &imp,
            "(call $write (i32.const 0) (PTR.const 16) (PTR.const 1) (PTR.const 32))",
        );
        assert!(!t0.is_empty());
        // wrong type: an output stream used as a descriptor / pollable
        trap_of(arch, &imp, "(call $stat (call $get_stdout) (PTR.const 32))");
        trap_of(arch, &imp, "(drop (call $ready (call $get_stdout)))");
        // stale: dropped, then used, then dropped again
        trap_of(arch, &imp, "(local i32) (local.set 0 (call $get_stdout)) (call $odrop (local.get 0)) (call $write (local.get 0) (PTR.const 16) (PTR.const 1) (PTR.const 32))");
        trap_of(arch, &imp, "(local i32) (local.set 0 (call $get_stdout)) (call $odrop (local.get 0)) (call $odrop (local.get 0))");
    }
}

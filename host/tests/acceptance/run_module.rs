//! What `wasit2 run` does, through the library (`run_module`): exit codes and
//! the one-line errors.
use crate::common::*;
use wasit2_abi::Arch;
use wasit2_host::{run_module, RunError, RunOptions};

#[test]
fn exit_code_passthrough() {
    for arch in Arch::ALL {
        let wasm = module(
            arch,
            &[("wasi:cli/exit@0.2", "exit-with-code", "$exit_code")],
            r#"
          (func (export "RUN") (result i32) (call $exit_code (i32.const 42)) (i32.const 0))"#,
        );
        assert_eq!(
            run_module(&wasm, &RunOptions::default()).unwrap(),
            42,
            "{arch:?}"
        );
        let wasm = module(
            arch,
            &[],
            r#"(func (export "RUN") (result i32) (i32.const 1))"#,
        );
        assert_eq!(run_module(&wasm, &RunOptions::default()).unwrap(), 1);
        let wasm = module(
            arch,
            &[],
            r#"(func (export "RUN") (result i32) (i32.const 0))"#,
        );
        assert_eq!(run_module(&wasm, &RunOptions::default()).unwrap(), 0);
    }
}

fn err(bytes: &[u8]) -> String {
    let e = run_module(bytes, &RunOptions::default()).unwrap_err();
    let s = e.to_string();
    assert_eq!(s.lines().count(), 1, "one line: {s}");
    s
}

#[test]
fn clear_one_line_errors() {
    assert!(matches!(
        run_module(b"hello", &RunOptions::default()),
        Err(RunError::NotWasm)
    ));
    assert!(err(b"hello").contains("not a WebAssembly module"));
    let s = err(&wat::parse_str("(module (memory (export \"cm32p2_memory\") 1))").unwrap());
    assert!(
        s.contains("not a wasit2 module") && s.contains("cm32p2|wasi:cli/run@0.2|run"),
        "{s}"
    );
    let s = err(&wat::parse_str("(module (memory (export \"cm64p2_memory\") i64 1))").unwrap());
    assert!(
        s.contains("cm64p2|wasi:cli/run@0.2|run"),
        "wasm64 detected from the memory: {s}"
    );
    let missing = wat::parse_str(
        r#"(module (import "cm32p2|wasi:nope/nothing@0.2" "frob" (func))
             (memory (export "cm32p2_memory") 1)
             (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32) (i32.const 0)))"#,
    )
    .unwrap();
    let s = err(&missing);
    assert!(s.contains("`cm32p2|wasi:nope/nothing@0.2` `frob`"), "{s}");
    let trap = wat::parse_str(
        r#"(module (memory (export "cm32p2_memory") 1)
             (func $inner unreachable)
             (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32) (call $inner) (i32.const 0)))"#,
    )
    .unwrap();
    let s = err(&trap);
    assert!(
        s.contains("wasm trap") && s.contains("wasm backtrace") && s.contains("inner"),
        "{s}"
    );
}

#[test]
fn the_host_implements_every_import() {
    assert_eq!(
        wasit2_host::unimplemented().unwrap(),
        Vec::<(String, String)>::new()
    );
}

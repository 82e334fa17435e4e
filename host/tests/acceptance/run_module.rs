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
        s.contains("not a wasit2 command") && s.contains("cm32p2|wasi:cli/run@0.2|run"),
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
    match run_module(&trap, &RunOptions::default()).unwrap_err() {
        RunError::Trap { message, frames } => {
            assert_eq!(
                message,
                "wasm trap: wasm `unreachable` instruction executed"
            );
            assert_eq!(frames.len(), 2, "{frames:?}");
            assert!(frames[0].ends_with(" - inner"), "{frames:?}");
        }
        e => panic!("not a trap: {e}"),
    }
}

#[test]
fn preview1_modules_and_components_are_refused_with_what_runs_them() {
    let p1 = wat::parse_str(
        r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
             (memory (export "memory") 1)
             (func (export "_start")))"#,
    )
    .unwrap();
    let s = err(&p1);
    assert!(matches!(
        run_module(&p1, &RunOptions::default()),
        Err(RunError::Wasip1(_))
    ));
    assert!(s.contains("`wasmtime run` or `iwasm`"), "{s}");
    let c = wat::parse_str("(component)").unwrap();
    assert!(matches!(
        run_module(&c, &RunOptions::default()),
        Err(RunError::Component)
    ));
    assert!(err(&c).contains("run it with `wasmtime run`"));
}

/// `memory.grow` by `pages` under a limit; the run's result is 0 if it
/// failed (returned -1), 1 if it grew.
fn grow_under_limit(arch: Arch, pages: u32, max: Option<usize>) -> i32 {
    let wasm = module(
        arch,
        &[],
        &format!(
            r#"(func (export "RUN") (result i32)
                 (PTR.eq (memory.grow (PTR.const {pages})) (PTR.const -1))
                 (i32.eqz))"#
        ),
    );
    let opts = RunOptions {
        max_memory_size: max,
        ..Default::default()
    };
    run_module(&wasm, &opts).unwrap()
}

#[test]
fn max_memory_size_fails_growth_beyond_it() {
    for arch in Arch::ALL {
        // The module starts with 2 pages (128 KiB).
        assert_eq!(grow_under_limit(arch, 2, Some(4 << 16)), 1, "{arch:?}");
        assert_eq!(grow_under_limit(arch, 3, Some(4 << 16)), 0, "{arch:?}");
        assert_eq!(grow_under_limit(arch, 3, None), 1, "{arch:?}");
    }
}

#[test]
fn fuel_and_timeout_trap_a_spinning_guest() {
    let spin = module(
        Arch::Wasm32,
        &[],
        r#"(func (export "RUN") (result i32) (loop $l (br $l)) (i32.const 0))"#,
    );
    let fuel = RunOptions {
        fuel: Some(100_000),
        ..Default::default()
    };
    let e = run_module(&spin, &fuel).unwrap_err().to_string();
    assert!(e.starts_with("wasm trap: all fuel consumed"), "{e}");
    let timeout = RunOptions {
        timeout: Some(std::time::Duration::from_millis(100)),
        ..Default::default()
    };
    let e = run_module(&spin, &timeout).unwrap_err().to_string();
    assert!(e.starts_with("wasm trap: interrupt"), "{e}");
    // Enough fuel and time: the run ends normally.
    let quick = module(
        Arch::Wasm32,
        &[],
        r#"(func (export "RUN") (result i32) (i32.const 0))"#,
    );
    let both = RunOptions {
        fuel: Some(100_000),
        timeout: Some(std::time::Duration::from_secs(60)),
        ..Default::default()
    };
    assert_eq!(run_module(&quick, &both).unwrap(), 0);
}

#[test]
fn precompiled_modules_need_permission_and_the_same_engine_settings() {
    let wasm = module(
        Arch::Wasm64,
        &[("wasi:cli/exit@0.2", "exit-with-code", "$exit_code")],
        r#"(func (export "RUN") (result i32) (call $exit_code (i32.const 9)) (i32.const 0))"#,
    );
    let plain = wasit2_host::compile_module(&wasm, &Default::default()).unwrap();
    let allowed = RunOptions {
        allow_precompiled: true,
        ..Default::default()
    };
    assert_eq!(run_module(&plain, &allowed).unwrap(), 9);
    assert!(matches!(
        run_module(&plain, &RunOptions::default()),
        Err(RunError::PrecompiledNotAllowed)
    ));
    let with_fuel = RunOptions {
        fuel: Some(1_000_000),
        ..allowed.clone()
    };
    assert!(matches!(
        run_module(&plain, &with_fuel),
        Err(RunError::PrecompiledIncompatible(_))
    ));
    let fueled = wasit2_host::compile_module(&wasm, &with_fuel.engine_options()).unwrap();
    assert_eq!(run_module(&fueled, &with_fuel).unwrap(), 9);
    // Not a wasit2 module: refused before compiling.
    assert!(wasit2_host::compile_module(b"junk", &Default::default()).is_err());
}

#[test]
fn the_host_implements_every_import() {
    assert_eq!(
        wasit2_host::unimplemented().unwrap(),
        Vec::<(String, String)>::new()
    );
}

//! Exceptions (C's longjmp, C++ throws): accepted by the wasit2 host,
//! refused for WASI preview 1 runtimes with the path to the first throw,
//! and the encoding named.

use wasit2_check::{check, CheckOptions, Encoding, ExceptionUse, HostProfile, ProblemKind};
use wasit2_module::Module;

/// A command whose `main` calls `thrower` (which throws the longjmp tag)
/// inside a handler; `body` is that handler in one encoding.
fn module(body: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
          (tag $c_longjmp (param i32))
          (memory (export "cm32p2_memory") 1)
          (func $thrower (param i32) (throw $c_longjmp (local.get 0)))
          (func $__original_main (result i32) {body})
          (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32) (call $__original_main)))"#
    ))
    .unwrap()
}

fn exnref() -> Vec<u8> {
    module(
        r#"(block $caught (result i32)
             (try_table (catch $c_longjmp $caught) (call $thrower (i32.const 7)))
             (i32.const 0)
             (return))"#,
    )
}

fn legacy() -> Vec<u8> {
    module(
        r#"try (result i32)
             i32.const 7
             call $thrower
             i32.const 0
           catch $c_longjmp
           end"#,
    )
}

fn render(bytes: &[u8], host: &str, opts: &CheckOptions) -> String {
    check(bytes, &HostProfile::parse(host).unwrap(), opts)
        .unwrap()
        .render()
}

#[test]
fn the_scan_finds_the_encoding_and_the_throwers() {
    for (bytes, encoding) in [(exnref(), Encoding::Exnref), (legacy(), Encoding::Legacy)] {
        let m = Module::parse(&bytes).unwrap();
        let u = ExceptionUse::scan(&bytes, &m);
        assert_eq!(u.encodings(), [encoding]);
        // thrower is function 0, main 1.
        assert_eq!(u.throwers, [0]);
        let (first, path) = u.first_throw(&m).unwrap();
        assert_eq!(first, 0);
        assert_eq!(path.unwrap().len(), 3);
    }
    // A cleanup that passes the exception on (`throw_ref`) is nearer the
    // entry, but the path leads to where it starts.
    let cleanup = wat::parse_str(
        r#"(module
          (tag $t (param i32))
          (func $deep (throw $t (i32.const 1)))
          (func $thrower (call $deep))
          (func (export "run")
            (block $b (result exnref)
              (try_table (catch_all_ref $b) (call $thrower))
              (return))
            (throw_ref)))"#,
    )
    .unwrap();
    let m = Module::parse(&cleanup).unwrap();
    let u = ExceptionUse::scan(&cleanup, &m);
    assert_eq!(
        (u.throwers.clone(), u.rethrowers.clone()),
        (vec![0], vec![2])
    );
    let (first, path) = u.first_throw(&m).unwrap();
    assert_eq!((first, path.unwrap().len()), (0, 3));

    let plain = wat::parse_str(r#"(module (func (export "f")))"#).unwrap();
    let m = Module::parse(&plain).unwrap();
    assert!(!ExceptionUse::scan(&plain, &m).any());
}

#[test]
fn the_wasit2_host_runs_exnref_exceptions() {
    let report = render(&exnref(), "wasit2", &CheckOptions::default());
    assert_eq!(report, "");
}

#[test]
fn a_p1_runtime_refuses_exceptions_with_the_path_to_the_throw() {
    let bytes = exnref();
    let report = check(
        &bytes,
        &HostProfile::wasip1().unwrap(),
        &CheckOptions::default(),
    )
    .unwrap();
    let exceptions: Vec<_> = report
        .problems
        .iter()
        .filter(|p| p.message.contains("exception"))
        .collect();
    assert_eq!(exceptions.len(), 1, "{report}");
    assert_eq!(exceptions[0].kind, ProblemKind::Feature);
    assert_eq!(
        exceptions[0].to_string(),
        "uses wasm exceptions (exnref encoding, `try_table`; `thrower` throws), which host wasip1 lacks (the 2020 WAMR has none; newer WAMR builds run only the legacy encoding, in the classic interpreter): build without them (C++: -fno-exceptions; C: no setjmp/longjmp), or run it on a host with exceptions (`wasit2 run`, or componentized on wasmtime); call path: cm32p2|wasi:cli/run@0.2|run → main → thrower"
    );
    // Whatever engine features the p1 host is said to have.
    let any = CheckOptions {
        features: Some(wasit2_check::FeatureSet::Any),
        ..Default::default()
    };
    let report = render(&bytes, "wasip1", &any);
    assert!(
        report.contains("uses wasm exceptions (exnref encoding"),
        "{report}"
    );
}

#[test]
fn the_legacy_encoding_is_refused_everywhere_with_the_fix() {
    let report = render(&legacy(), "wasit2", &CheckOptions::default());
    assert_eq!(
        report,
        "error: uses wasm exceptions in the legacy encoding (`try`/`catch`; `thrower` throws), which host wasit2 does not run (wasmtime runs the exnref encoding): compile everything with -mllvm -wasm-use-legacy-eh=false (the wasit2 clang configs pass it); call path: cm32p2|wasi:cli/run@0.2|run → main → thrower\n"
    );
    let report = render(&legacy(), "wasip1", &CheckOptions::default());
    assert!(
        report.contains("uses wasm exceptions (legacy encoding, `try`/`catch`; `thrower` throws), which host wasip1 lacks"),
        "{report}"
    );
}

#[test]
fn an_mvp_engine_feature_report_names_the_encoding() {
    let mvp = CheckOptions {
        features: Some(wasit2_check::FeatureSet::from_cpu("mvp").unwrap()),
        ..Default::default()
    };
    let report = render(&exnref(), "wasit2", &mvp);
    assert!(
        report.contains("uses wasm feature `exception-handling` (at offset 0x20: exnref encoding, `try_table`; exceptions proposal not enabled), which host wasit2 lacks"),
        "{report}"
    );
}

//! Componentized C programs on hosts older than WASI 0.2.12 (the rule in
//! docs/componentize.md, "Exit codes and older hosts"): a program that only
//! exits with 0/1 does not import `wasi:cli/exit` `exit-with-code`, so hello
//! and a cat run on wasmtime 42 as on wasmtime 49 and link with
//! `--wasi-version=0.2.0`; a program that may exit with another status
//! imports it and reports that status on `wasit2 run` and wasmtime 49.
//! Needs `make sysroot clang-install`.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use wasit2_testkit::{clang, repo, wasit2_bin, Tool};

const EXIT_WITH_CODE: &str = "exit-with-code";

fn program(name: &str) -> PathBuf {
    repo().join("sysroot/tests/programs").join(name)
}

fn compile(src: &Path, opt: &str, extra: &[&str], out: &Path) -> Output {
    wasit2_testkit::require_clang_target("wasm32-wasit2");
    Command::new(clang())
        .args(["--target=wasm32-wasit2", opt])
        .arg(src)
        .args(extra)
        .arg("-o")
        .arg(out)
        .output()
        .expect("clang-22 runs")
}

fn build(src: &Path, opt: &str, extra: &[&str], out: &Path) {
    let o = compile(src, opt, extra, out);
    assert!(
        o.status.success(),
        "building {} {opt} {extra:?} failed:\n{}",
        src.display(),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The core module's import field names.
fn imports(wasm: &Path) -> Vec<String> {
    let bytes = std::fs::read(wasm).unwrap();
    let mut names = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let Ok(wasmparser::Payload::ImportSection(r)) = payload {
            for imp in r.into_imports() {
                let imp = imp.unwrap();
                names.push(format!("{} {}", imp.module, imp.name));
            }
        }
    }
    names
}

fn imports_exit_with_code(wasm: &Path) -> bool {
    imports(wasm).iter().any(|i| i.ends_with(EXIT_WITH_CODE))
}

fn componentize(core: &Path) -> PathBuf {
    let out = core.with_extension("component.wasm");
    let o = Command::new(wasit2_bin())
        .arg("componentize")
        .arg(core)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("wasit2 runs");
    assert!(
        o.status.success(),
        "componentize {}: {}",
        core.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

fn wasmtime(tool: Tool, component: &Path, dir: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(tool.path());
    cmd.arg("run");
    if let Some(d) = dir {
        cmd.arg("--dir").arg(format!("{}::/", d.display()));
    }
    cmd.arg(component)
        .args(args)
        .output()
        .expect("wasmtime runs")
}

fn wasit2_run(core: &Path, args: &[&str]) -> Output {
    Command::new(wasit2_bin())
        .arg("run")
        .arg(core)
        .args(args)
        .output()
        .expect("wasit2 runs")
}

fn expect(what: &str, o: &Output, code: i32, stdout: &str) {
    assert_eq!(
        (o.status.code(), String::from_utf8_lossy(&o.stdout).as_ref()),
        (Some(code), stdout),
        "{what}; stderr:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn hello_and_cat_run_on_wasmtime_42_and_49() {
    let work = tempfile::tempdir().unwrap();
    let files = work.path().join("files");
    std::fs::create_dir(&files).unwrap();
    let text = "first line\nsecond line, a bit longer\n".repeat(300);
    std::fs::write(files.join("in.txt"), &text).unwrap();
    for opt in ["-O0", "-O2"] {
        let hello = work.path().join(format!("hello{opt}.wasm"));
        build(&repo().join("tests/c/hello.c"), opt, &[], &hello);
        let cat = work.path().join(format!("cat{opt}.wasm"));
        build(&program("cat.c"), opt, &[], &cat);
        for core in [&hello, &cat] {
            assert!(
                !imports_exit_with_code(core),
                "{} imports {EXIT_WITH_CODE}: {:?}",
                core.display(),
                imports(core)
            );
        }
        let (hello, cat) = (componentize(&hello), componentize(&cat));
        for tool in [Tool::Wasmtime42, Tool::Wasmtime] {
            let o = wasmtime(tool, &hello, None, &[]);
            expect(&format!("{tool:?} hello {opt}"), &o, 0, "Hello, world!\n");
            let o = wasmtime(tool, &cat, Some(&files), &["/in.txt"]);
            expect(&format!("{tool:?} cat {opt}"), &o, 0, &text);
            // A missing file: perror on stderr, EXIT_FAILURE.
            let o = wasmtime(tool, &cat, Some(&files), &["/missing"]);
            expect(&format!("{tool:?} cat missing {opt}"), &o, 1, "");
        }
    }
}

#[test]
fn wasi_version_0_2_0_links_hello_but_not_exit_3() {
    let work = tempfile::tempdir().unwrap();
    let hello = work.path().join("hello.wasm");
    build(
        &repo().join("tests/c/hello.c"),
        "-O2",
        &["-Wl,--wasi-version=0.2.0"],
        &hello,
    );
    expect("hello", &wasit2_run(&hello, &[]), 0, "Hello, world!\n");
    // exit(n) with a run-time n needs exit-with-code: the checker names it.
    let refused = compile(
        &program("exit_status.c"),
        "-O2",
        &["-Wl,--wasi-version=0.2.0"],
        &work.path().join("exit.wasm"),
    );
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success()
            && err.contains("exit-with-code")
            && err.contains("newer than --wasi-version 0.2.0"),
        "exit_status.c with --wasi-version=0.2.0: {:?}\n{err}",
        refused.status
    );
}

#[test]
fn exit_statuses_on_wasit2_run_and_wasmtime_49() {
    let work = tempfile::tempdir().unwrap();
    let core = work.path().join("exit.wasm");
    build(&program("exit_status.c"), "-O2", &[], &core);
    assert!(imports_exit_with_code(&core), "exit(n) must link the hook");
    let component = componentize(&core);
    for code in [0, 1, 3, 255] {
        for how in ["exit", "return"] {
            let arg = code.to_string();
            let args = [arg.as_str(), how];
            let want = format!("status {code}\n");
            expect(
                &format!("wasit2 run {args:?}"),
                &wasit2_run(&core, &args),
                code,
                &want,
            );
            expect(
                &format!("wasmtime {args:?}"),
                &wasmtime(Tool::Wasmtime, &component, None, &args),
                code,
                &want,
            );
        }
    }
}

#[test]
fn status_returned_from_main_follows_the_rule() {
    let work = tempfile::tempdir().unwrap();
    // Without the hook: 0 and 1 as they are, any other status as failure,
    // and the component runs on wasmtime 42.
    let plain = work.path().join("plain.wasm");
    build(&program("return_status.c"), "-O2", &[], &plain);
    assert!(!imports_exit_with_code(&plain));
    let plain_c = componentize(&plain);
    // With -Wl,-u,__wasit2_exit_with_code every status is kept.
    let hooked = work.path().join("hooked.wasm");
    build(
        &program("return_status.c"),
        "-O2",
        &["-Wl,-u,__wasit2_exit_with_code"],
        &hooked,
    );
    assert!(imports_exit_with_code(&hooked));
    let hooked_c = componentize(&hooked);
    for (code, plain_code) in [(0, 0), (1, 1), (3, 1)] {
        let arg = code.to_string();
        let want = format!("status {code}\n");
        expect(
            "wasit2 run, no hook",
            &wasit2_run(&plain, &[&arg]),
            plain_code,
            &want,
        );
        for tool in [Tool::Wasmtime42, Tool::Wasmtime] {
            let o = wasmtime(tool, &plain_c, None, &[&arg]);
            expect(&format!("{tool:?}, no hook"), &o, plain_code, &want);
        }
        expect(
            "wasit2 run, hook",
            &wasit2_run(&hooked, &[&arg]),
            code,
            &want,
        );
        let o = wasmtime(Tool::Wasmtime, &hooked_c, None, &[&arg]);
        expect("wasmtime 49, hook", &o, code, &want);
    }
}

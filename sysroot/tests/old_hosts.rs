//! Componentized C programs on hosts older than WASI 0.2.12 (the rule in
//! docs/componentize.md, "Exit codes and older hosts"): with the defaults,
//! hello and a cat run on wasmtime 42 as on wasmtime 49, and
//! `-Wl,--wasi-version=0.2.0` links them; the core module keeps every exit
//! status on `wasit2 run`, a component made with `--wasi-version 0.2.12`
//! keeps it on wasmtime 49, and a default component reports 0 or 1 on both
//! wasmtimes. Needs `make sysroot clang-install`.
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

fn componentize(core: &Path, extra: &[&str], out: &Path) -> PathBuf {
    let o = Command::new(wasit2_bin())
        .arg("componentize")
        .args(extra)
        .arg(core)
        .arg("-o")
        .arg(out)
        .output()
        .expect("wasit2 runs");
    assert!(
        o.status.success(),
        "componentize {} {extra:?}: {}",
        core.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    out.to_path_buf()
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
        let hello = componentize(&hello, &[], &hello.with_extension("c.wasm"));
        let cat = componentize(&cat, &[], &cat.with_extension("c.wasm"));
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
fn wasi_version_0_2_0_links_hello_and_exit_n() {
    let work = tempfile::tempdir().unwrap();
    let hello = work.path().join("hello.wasm");
    build(
        &repo().join("tests/c/hello.c"),
        "-O2",
        &["-Wl,--wasi-version=0.2.0"],
        &hello,
    );
    expect("hello", &wasit2_run(&hello, &[]), 0, "Hello, world!\n");
    // libc's exit-with-code is served by exit: the link succeeds, the module
    // no longer imports it, and a status of 3 is reported as 1.
    let exit = work.path().join("exit.wasm");
    build(
        &program("exit_status.c"),
        "-O2",
        &["-Wl,--wasi-version=0.2.0"],
        &exit,
    );
    assert!(
        !imports_exit_with_code(&exit),
        "--wasi-version=0.2.0 left {EXIT_WITH_CODE}: {:?}",
        imports(&exit)
    );
    expect("exit 3", &wasit2_run(&exit, &["3"]), 1, "status 3\n");
    expect("exit 0", &wasit2_run(&exit, &["0"]), 0, "status 0\n");
    let component = componentize(&exit, &[], &work.path().join("exit.c.wasm"));
    let o = wasmtime(Tool::Wasmtime42, &component, None, &["3"]);
    expect("wasmtime 42, exit 3", &o, 1, "status 3\n");
}

#[test]
fn exit_statuses_on_wasit2_run_and_wasmtime() {
    let work = tempfile::tempdir().unwrap();
    let core = work.path().join("exit.wasm");
    build(&program("exit_status.c"), "-O2", &[], &core);
    assert!(
        imports_exit_with_code(&core),
        "libc reaches {EXIT_WITH_CODE}"
    );
    let keep = componentize(
        &core,
        &["--wasi-version", "0.2.12"],
        &work.path().join("keep.wasm"),
    );
    let default = componentize(&core, &[], &work.path().join("default.wasm"));
    for code in [0, 1, 3, 255] {
        for how in ["exit", "return"] {
            let arg = code.to_string();
            let args = [arg.as_str(), how];
            let want = format!("status {code}\n");
            let run = wasit2_run(&core, &args);
            expect(&format!("wasit2 run {args:?}"), &run, code, &want);
            let o = wasmtime(Tool::Wasmtime, &keep, None, &args);
            expect(&format!("wasmtime 49, 0.2.12 {args:?}"), &o, code, &want);
            let either = i32::from(code != 0);
            for tool in [Tool::Wasmtime42, Tool::Wasmtime] {
                let o = wasmtime(tool, &default, None, &args);
                expect(&format!("{tool:?}, default {args:?}"), &o, either, &want);
            }
        }
    }
}

//! `clang-target/wasit2.cmake` with the real cmake: configure (including a
//! try_compile check) and build `tests/cmake-project` for each target, then
//! run the program with `wasit2 run`. Needs `make sysroot clang-install`.
use std::process::Command;
use wasit2_testkit::{repo, wasit2_bin};

fn ok(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("spawning {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn build_and_run(triple: &str, prefix: &str) {
    let build = tempfile::tempdir().unwrap();
    ok(Command::new("cmake")
        .arg("-S")
        .arg(repo().join("sysroot/tests/cmake-project"))
        .arg("-B")
        .arg(build.path())
        .arg("-G")
        .arg("Unix Makefiles")
        .arg(format!(
            "-DCMAKE_TOOLCHAIN_FILE={}",
            repo().join("clang-target/wasit2.cmake").display()
        ))
        .arg(format!("-DWASIT2_TARGET={triple}"))
        .arg("-DCMAKE_BUILD_TYPE=Release"));
    ok(Command::new("cmake").arg("--build").arg(build.path()));
    let wasm = build.path().join("tiny.wasm");
    assert!(wasm.is_file(), "{triple}: cmake did not produce tiny.wasm");
    let bytes = std::fs::read(&wasm).unwrap();
    let imports_ok = wasmparser::Parser::new(0)
        .parse_all(&bytes)
        .all(|p| match p.unwrap() {
            wasmparser::Payload::ImportSection(s) => s.into_imports().all(|i| {
                let module = i.unwrap().module;
                module.starts_with(prefix) || module.starts_with(&format!("wasit2-{prefix}"))
            }),
            _ => true,
        });
    assert!(
        imports_ok,
        "{triple}: tiny.wasm imports outside {prefix} and wasit2-{prefix}"
    );
    let out = ok(Command::new(wasit2_bin())
        .arg("run")
        .arg(&wasm)
        .arg("world"));
    assert_eq!(out, "hello, world\n");
}

#[test]
fn cmake_wasm32() {
    build_and_run("wasm32-wasit2", "cm32p2|");
}

#[test]
fn cmake_wasm64() {
    build_and_run("wasm64-wasit2", "cm64p2|");
}

#[test]
fn cmake_wasm32_lime1() {
    build_and_run("wasm32-wasit2-lime1", "cm32p2|");
}

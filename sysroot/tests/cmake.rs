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

/// The toolchain files of a `wasit2 install --prefix` tree: the
/// per-target file alone selects the target and the tree's `<target>-clang`,
/// so a `-Werror` build has no driver warning to fail on.
#[test]
fn cmake_installed_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let prefix = tmp.path().join("prefix");
    let sysroot = std::env::var_os("WASIT2_SYSROOT")
        .filter(|p| !p.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| repo().join("build/sysroot"));
    ok(Command::new(wasit2_bin())
        .arg("install")
        .arg("--prefix")
        .arg(&prefix)
        .arg("--sysroot")
        .arg(&sysroot)
        .arg("--wasit-ld")
        .arg(wasit2_testkit::wasit_ld_bin()));
    let build = tmp.path().join("build");
    ok(Command::new("cmake")
        .arg("-S")
        .arg(repo().join("sysroot/tests/cmake-project"))
        .arg("-B")
        .arg(&build)
        .arg("-G")
        .arg("Unix Makefiles")
        .arg(format!(
            "-DCMAKE_TOOLCHAIN_FILE={}",
            prefix.join("share/cmake/wasm64-wasit2.cmake").display()
        ))
        .arg("-DCMAKE_C_FLAGS=-Werror -Wall")
        .arg("-DCMAKE_BUILD_TYPE=Release"));
    // CMake records the compiler it settled on in CMakeFiles/<version>/.
    let compiler_file = std::fs::read_dir(build.join("CMakeFiles"))
        .unwrap()
        .map(|e| e.unwrap().path().join("CMakeCCompiler.cmake"))
        .find(|p| p.is_file())
        .expect("CMakeFiles/<version>/CMakeCCompiler.cmake");
    let compiler = std::fs::read_to_string(compiler_file).unwrap();
    let cc = prefix.join("bin/wasm64-wasit2-clang");
    assert!(
        compiler.contains(&format!("set(CMAKE_C_COMPILER \"{}\")", cc.display())),
        "the build does not use {}:\n{compiler}",
        cc.display()
    );
    let log = ok(Command::new("cmake").arg("--build").arg(&build));
    assert!(!log.contains("warning"), "{log}");
    let wasm = build.join("tiny.wasm");
    let out = ok(Command::new(wasit2_bin())
        .arg("run")
        .arg(&wasm)
        .arg("world"));
    assert_eq!(out, "hello, world\n");
    // wasm64: the module's memory is 64-bit.
    let bytes = std::fs::read(&wasm).unwrap();
    let mem64 = wasmparser::Parser::new(0)
        .parse_all(&bytes)
        .any(|p| match p.unwrap() {
            wasmparser::Payload::MemorySection(s) => s.into_iter().any(|m| m.unwrap().memory64),
            _ => false,
        });
    assert!(mem64, "not a wasm64 module");
}

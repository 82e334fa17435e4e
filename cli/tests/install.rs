//! `wasit2 install --prefix`: the relocatable tree, its `<target>-clang`
//! programs (no driver warning, the user's deprecation warnings intact),
//! the move test and `wasit2 uninstall`. Needs `make sysroot` (the built
//! sysroot is copied into the prefix).
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use wasit2_testkit::{repo, wasit_ld_bin};

const HELLO: &str = "#include <stdio.h>\nint main(void) { puts(\"hello, moved\"); return 0; }\n";
const OLD_C: &str = "__attribute__((deprecated(\"use new_api\"))) int old_api(void);\n\
                     int old_api(void) { return 1; }\n\
                     int main(void) { return old_api() - 1; }\n";
/// C++ without any standard library header (there is no libc++ yet):
/// classes, templates, a static constructor, `extern "C"` libc.
const PLAIN_CXX: &str = "extern \"C\" int puts(const char *);\n\
                         template <typename T> struct Box { T v; explicit Box(T x) : v(x) {} T get() const { return v; } };\n\
                         static Box<int> g(41);\n\
                         int main() { Box<const char *> b(\"hello from c++\"); puts(b.get()); return g.get() + 1 - 42; }\n";
const OLD_CXX: &str =
    "[[deprecated(\"use g\")]] int f() { return 0; }\nint main() { return f(); }\n";

fn built_sysroot() -> PathBuf {
    std::env::var_os("WASIT2_SYSROOT")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("build/sysroot"))
}

fn wasmtime_path() -> std::ffi::OsString {
    let tools = repo().join(".tools/bin");
    std::env::join_paths([tools.as_path(), Path::new("/usr/bin"), Path::new("/bin")]).unwrap()
}

/// Runs a program of the installed tree with an environment that cannot
/// reach the checkout's sysroot: empty WASIT2_SYSROOT, no WASIT2_ROOT, cwd
/// outside the checkout, PATH without ~/.cargo/bin.
fn run_in(dir: &Path, prog: &Path, args: &[&str]) -> Output {
    Command::new(prog)
        .current_dir(dir)
        .args(args)
        .env("WASIT2_SYSROOT", "")
        .env_remove("WASIT2_ROOT")
        .env_remove("WASIT2_CLANG")
        .env("PATH", wasmtime_path())
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", prog.display()))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn install(prefix: &Path) {
    let sysroot = built_sysroot();
    assert!(
        sysroot.join("lib/wasm32-wasit2/libc.a").is_file(),
        "{} is not built: run `make sysroot` first",
        sysroot.display()
    );
    let out = Command::new(env!("CARGO_BIN_EXE_wasit2"))
        .arg("install")
        .arg("--prefix")
        .arg(prefix)
        .arg("--sysroot")
        .arg(&sysroot)
        .arg("--wasit-ld")
        .arg(wasit_ld_bin())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "wasit2 install --prefix failed:\n{}",
        text(&out.stderr)
    );
}

/// Install, move the tree, compile and run from the moved tree only.
#[test]
fn moved_prefix_compiles_and_runs_hello() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    install(&first);
    let moved = tmp.path().join("moved");
    std::fs::rename(&first, &moved).unwrap();
    let bin = moved.join("bin");
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    std::fs::write(work.join("hello.c"), HELLO).unwrap();

    for target in ["wasm32-wasit2", "wasm64-wasit2"] {
        let out = run_in(
            &work,
            &bin.join(format!("{target}-clang")),
            &["-Werror", "-Wall", "-O2", "hello.c", "-o", "hello.wasm"],
        );
        assert!(out.status.success(), "{target}: {}", text(&out.stderr));
        assert_eq!(text(&out.stderr), "", "{target}-clang printed something");
        assert_eq!(text(&out.stdout), "");

        // Every path clang uses is in the moved tree, none in the checkout.
        let out = run_in(
            &work,
            &bin.join(format!("{target}-clang")),
            &["-###", "hello.c", "-o", "hello.wasm"],
        );
        let plan = text(&out.stderr);
        let sysroot = moved.join("share/wasit2-sysroot");
        assert!(
            plan.contains(&format!(
                "{}/lib/{target}/crt1-command.o",
                bin.join("../share/wasit2-sysroot").display()
            )) || plan.contains(&format!(
                "{}/lib/{target}/crt1-command.o",
                sysroot.display()
            )),
            "{target}: not linking the moved sysroot:\n{plan}"
        );
        assert!(
            plan.contains(&format!("\"{}\"", bin.join("wasit-ld").display())),
            "{target}: not linking with the moved wasit-ld:\n{plan}"
        );
        assert!(
            !plan.contains(&repo().display().to_string()),
            "{target}: a checkout path in\n{plan}"
        );

        let out = run_in(&work, &bin.join("wasit2"), &["run", "hello.wasm"]);
        assert!(out.status.success(), "{target}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "hello, moved\n");
    }

    // The moved wasit2 finds its sysroot, wasit-ld and wasit2-clang next to
    // itself: installing again from it, with no paths given, copies them.
    let second = tmp.path().join("second");
    let out = run_in(
        &work,
        &bin.join("wasit2"),
        &["install", "--prefix", second.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read(second.join("share/wasit2-sysroot/lib/wasm32-wasit2/libc.a")).unwrap(),
        std::fs::read(moved.join("share/wasit2-sysroot/lib/wasm32-wasit2/libc.a")).unwrap()
    );
    assert!(second.join("bin/wasm64-wasit2-clang++").exists());

    let out = run_in(&work, &bin.join("wasit2"), &["install", "--help"]);
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("--prefix"),
        "{}",
        text(&out.stdout)
    );
    let out = run_in(&work, &bin.join("wasit2"), &["--help"]);
    assert!(
        text(&out.stdout).contains("uninstall"),
        "{}",
        text(&out.stdout)
    );

    // The CMake files and rustc specs are there.
    for f in [
        "share/cmake/wasit2.cmake",
        "share/cmake/Platform/WASI.cmake",
        "share/cmake/wasm32-wasit2.cmake",
        "share/cmake/wasm64-wasit2-mvp.cmake",
        "share/rust-targets/wasm32-wasit2.json",
    ] {
        assert!(moved.join(f).is_file(), "{f} missing");
    }

    // uninstall removes exactly what was installed: the tree is gone,
    // a file of the user's stays.
    std::fs::write(moved.join("bin/mine.txt"), "keep").unwrap();
    let out = run_in(
        &work,
        Path::new(env!("CARGO_BIN_EXE_wasit2")),
        &["uninstall", "--prefix", moved.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let left: Vec<_> = walk(&moved);
    assert_eq!(left, vec![moved.join("bin/mine.txt")]);
}

/// What tests/rust-target/nostd-alloc prints for `one two`, GREETING=hi and
/// a preopened working directory (as in sysroot/tests/rust_target.rs).
const NOSTD_OUTPUT: &str = "args: [\"one\", \"two\"]\nGREETING: Some(\"hi\")\npointer bits: 32\nfile: written by no_std Rust\n";

/// The moved prefix's rustc target spec holds no absolute path, and a Rust
/// program builds with it: rustc runs the prefix's `wasit-ld` (on PATH, as
/// the README sets it up), which links against the sysroot next to itself.
#[test]
fn moved_prefix_builds_rust_with_its_target_spec() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    install(&first);
    let moved = tmp.path().join("moved");
    std::fs::rename(&first, &moved).unwrap();
    let spec_text =
        std::fs::read_to_string(moved.join("share/rust-targets/wasm32-wasit2.json")).unwrap();
    assert!(
        !spec_text.contains("\"/") && !spec_text.contains(&tmp.path().display().to_string()),
        "an absolute path in the spec:\n{spec_text}"
    );
    // The spec is the same wherever the prefix is, so it is built from a
    // stable place: cargo then reuses the core/alloc build between runs.
    let target_dir = repo().join("target/rust-target-tests-relocated");
    let spec_dir = target_dir.join("spec");
    std::fs::create_dir_all(&spec_dir).unwrap();
    let spec = spec_dir.join("wasm32-wasit2.json");
    std::fs::write(&spec, &spec_text).unwrap();
    let release = target_dir.join("wasm32-wasit2/release");
    let module = release.join("nostd-alloc.wasm");
    // Linked again on every run (cargo would otherwise reuse the module
    // linked by another prefix's wasit-ld).
    wasit2_testkit::remove_wasm_outputs(&release, "nostd-alloc");

    let cargo = PathBuf::from(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    let mut cmd = Command::new(&cargo);
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("CARGO_") && k != "CARGO_HOME" || k == "RUSTFLAGS" || k == "RUSTC_WRAPPER"
        {
            cmd.env_remove(k);
        }
    }
    let rustc = cargo.with_file_name("rustc");
    if rustc.is_file() {
        cmd.env("RUSTC", rustc);
    }
    // PATH: the moved prefix's bin first (its wasit-ld), no ~/.cargo/bin.
    let path = std::env::join_paths(
        std::iter::once(moved.join("bin")).chain(std::env::split_paths(&wasmtime_path())),
    )
    .unwrap();
    let out = cmd
        .current_dir(repo().join("tests/rust-target/nostd-alloc"))
        .env("PATH", path)
        .env("WASIT2_SYSROOT", "")
        .env_remove("WASIT2_ROOT")
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["rustc", "--release", "-Zjson-target-spec"])
        .arg("-Zbuild-std=core,alloc,panic_abort")
        .arg("--target")
        .arg(&spec)
        .arg("--target-dir")
        .arg(&target_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo build with the moved spec failed:\n{}",
        text(&out.stderr)
    );
    let scratch = tmp.path().join("scratch");
    std::fs::create_dir(&scratch).unwrap();
    let out = run_in(
        &scratch,
        &moved.join("bin/wasit2"),
        &[
            "run",
            "--env",
            "GREETING=hi",
            "--dir",
            &format!("{}::.", scratch.display()),
            module.to_str().unwrap(),
            "one",
            "two",
        ],
    );
    assert_eq!(text(&out.stdout), NOSTD_OUTPUT, "{}", text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit code is the argument count"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() && !p.is_symlink() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// `-Werror -Wall` builds are clean, and the user's deprecation warnings
/// still warn and still fail under `-Werror`, in C and C++, on every target.
#[test]
fn clang_programs_silence_only_the_driver_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let prefix = tmp.path().join("p");
    install(&prefix);
    let bin = prefix.join("bin");
    let work = tmp.path();
    std::fs::write(work.join("plain.c"), "int main(void) { return 0; }\n").unwrap();
    std::fs::write(work.join("old.c"), OLD_C).unwrap();
    std::fs::write(work.join("plain.cpp"), PLAIN_CXX).unwrap();
    std::fs::write(work.join("old.cpp"), OLD_CXX).unwrap();
    let targets = [
        "wasm32-wasit2",
        "wasm64-wasit2",
        "wasm32-wasit2-mvp",
        "wasm64-wasit2-mvp",
        "wasm32-wasit2-lime1",
        "wasm64-wasit2-lime1",
    ];
    for t in targets {
        let cc = bin.join(format!("{t}-clang"));
        let cxx = bin.join(format!("{t}-clang++"));
        let cxx_flags = ["-fno-exceptions", "-nostdlib++"];
        // compile, link, compile+link
        for (prog, extra, src) in [
            (&cc, &[][..], "plain.c"),
            (&cxx, &cxx_flags[..], "plain.cpp"),
        ] {
            let mut a = vec!["-Werror", "-Wall", "-c", src, "-o", "x.o"];
            a.extend(extra);
            let out = run_in(work, prog, &a);
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "{t} {a:?}: {}",
                text(&out.stderr)
            );
            let mut a = vec!["-Werror", "-Wall", "x.o", "-o", "x.wasm"];
            a.extend(extra);
            let out = run_in(work, prog, &a);
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "{t} {a:?}: {}",
                text(&out.stderr)
            );
            let mut a = vec!["-Werror", "-Wall", "-O2", src, "-o", "y.wasm"];
            a.extend(extra);
            let out = run_in(work, prog, &a);
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "{t} {a:?}: {}",
                text(&out.stderr)
            );
        }
        for (prog, extra, src) in [(&cc, &[][..], "old.c"), (&cxx, &cxx_flags[..], "old.cpp")] {
            let mut a = vec!["-c", src, "-o", "old.o"];
            a.extend(extra);
            let out = run_in(work, prog, &a);
            let err = text(&out.stderr);
            assert!(out.status.success(), "{t} {a:?}: {err}");
            assert!(
                err.contains("warning: 'old_api' is deprecated")
                    || err.contains("warning: 'f' is deprecated"),
                "{t} {src}: no deprecation warning:\n{err}"
            );
            assert!(err.contains("[-Wdeprecated-declarations]"), "{err}");
            assert!(!err.contains("--target=wasm32-wasi"), "{err}");
            a.insert(0, "-Werror");
            let out = run_in(work, prog, &a);
            let err = text(&out.stderr);
            assert!(!out.status.success(), "{t} {a:?} succeeded:\n{err}");
            assert!(err.contains("[-Werror,-Wdeprecated-declarations]"), "{err}");
            // and the user can still turn it off
            a.insert(1, "-Wno-deprecated-declarations");
            let out = run_in(work, prog, &a);
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "{t} {a:?}: {}",
                text(&out.stderr)
            );
        }
    }
    // The C++ program runs.
    let out = run_in(
        work,
        &bin.join("wasm32-wasit2-clang++"),
        &[
            "-fno-exceptions",
            "-nostdlib++",
            "plain.cpp",
            "-o",
            "cxx.wasm",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run_in(work, &bin.join("wasit2"), &["run", "cxx.wasm"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "hello from c++\n");
}

/// Run under a name that is no target, it says so in one line.
#[test]
fn clang_program_under_a_wrong_name() {
    let tmp = tempfile::tempdir().unwrap();
    let link = tmp.path().join("wasm99-wasit2-clang");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_wasit2-clang"), &link).unwrap();
    for prog in [
        link.as_path(),
        Path::new(env!("CARGO_BIN_EXE_wasit2-clang")),
    ] {
        let out = Command::new(prog).arg("-v").output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("wasit2-clang: error: "), "{err}");
    }
}

/// `--prefix P --clang-config --llvm-bin T`: configs next to clang (here a
/// stand-in bin dir) that point at the prefix, recorded in the user's
/// manifest; `wasit2 uninstall` removes exactly those files.
#[test]
fn clang_config_is_recorded_and_uninstalled() {
    let tmp = tempfile::tempdir().unwrap();
    let prefix = tmp.path().join("p");
    install(&prefix);
    let llvm_bin = tmp.path().join("llvm-bin");
    std::fs::create_dir(&llvm_bin).unwrap();
    let clang = Path::new(wasit2_sysroot::tools::DEFAULT_LLVM_BIN).join("clang");
    std::os::unix::fs::symlink(&clang, llvm_bin.join("clang")).unwrap();
    // The builtins links must already be there (`make clang-install`), so
    // this run records none and uninstall leaves the real resource dir alone.
    let before = resource_links(&clang);
    assert!(
        before.iter().all(|p| p.exists()),
        "run `make clang-install` first: {before:?}"
    );
    let data = tmp.path().join("data");
    let wasit2 = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_wasit2"))
            .args(args)
            .env("XDG_DATA_HOME", &data)
            .output()
            .unwrap()
    };
    let out = wasit2(&[
        "install",
        "--prefix",
        prefix.to_str().unwrap(),
        "--clang-config",
        "--llvm-bin",
        llvm_bin.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let cfg = llvm_bin.join("wasm32-unknown-wasit2-clang++.cfg");
    let body = std::fs::read_to_string(&cfg).unwrap();
    assert!(
        body.contains(&format!(
            "--sysroot={}",
            prefix.join("share/wasit2-sysroot").display()
        )) && body.contains(&format!(
            "-fuse-ld={}",
            prefix.join("bin/wasit-ld").display()
        )),
        "{body}"
    );
    let manifest = std::fs::read_to_string(data.join("wasit2/installed.txt")).unwrap();
    assert!(manifest.lines().any(|l| Path::new(l) == cfg), "{manifest}");
    assert!(
        !manifest.contains("libclang_rt"),
        "recorded links it did not create:\n{manifest}"
    );

    let out = wasit2(&["uninstall"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(walk(&llvm_bin), vec![llvm_bin.join("clang")]);
    assert!(!data.join("wasit2/installed.txt").exists());
    assert!(before.iter().all(|p| p.exists()), "a builtins link went");
    // The specs it wrote into the prefix's sysroot went too.
    assert!(!prefix
        .join("share/wasit2-sysroot/share/rust-targets/wasm32-wasit2.json")
        .exists());
    // A second uninstall has nothing to do and says so.
    let out = wasit2(&["uninstall"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).lines().count(),
        1,
        "{}",
        text(&out.stderr)
    );
}

/// The compiler-rt links `wasit2 install` makes in clang's resource dir.
fn resource_links(clang: &Path) -> Vec<PathBuf> {
    ["wasm32-unknown-wasit2", "wasm64-unknown-wasit2"]
        .iter()
        .map(|t| {
            let out = Command::new(clang)
                .args([
                    "--no-default-config",
                    "-Wno-deprecated",
                    "-rtlib=compiler-rt",
                    "-print-libgcc-file-name",
                    &format!("--target={t}"),
                ])
                .output()
                .unwrap();
            PathBuf::from(text(&out.stdout).trim())
        })
        .collect()
}

//! What `clang-22 --target=wasm32-wasit2` prints besides the user's own
//! diagnostics. clang-22 parses the `wasit2` OS as plain WASI and its
//! WebAssembly toolchain then warns that `--target=wasm32-wasi` is
//! deprecated. The driver takes its own diagnostic flags from the command
//! line only, so nothing a config file can say (`-Wno-deprecated`, `-w`,
//! `$`-tail options, even a `--target`) silences it; docs/sysroot.md has the
//! experiment. These tests pin that understanding:
//!
//! - that one warning is the only driver output, on compile, link and
//!   compile+link, for every target; no other spurious warning creeps in;
//! - `-Wno-deprecated` on the command line (the documented workaround)
//!   removes it; `-Wno-deprecated -Wdeprecated-declarations` removes it and
//!   keeps the user's deprecation warnings;
//! - the user's deprecation warnings (`-Wdeprecated-declarations`) still
//!   work with the installed config, and can still be switched off;
//! - the moment a clang update stops warning, `known_clang22_warning`
//!   fails so the docs and the cfg's workaround get revisited.
//!
//! The `<target>-clang` programs of `wasit2 install --prefix` put the
//! workaround on the command line (tested in cli/tests/install.rs).
//!
//! Needs `make sysroot clang-install`.
use std::path::Path;
use std::process::Command;
use wasit2_testkit::clang;

const TARGETS: &[&str] = &[
    "wasm32-wasit2",
    "wasm64-wasit2",
    "wasm32-wasit2-mvp",
    "wasm64-wasit2-mvp",
    "wasm32-wasit2-lime1",
    "wasm64-wasit2-lime1",
];
const KNOWN: &str =
    "clang-22: warning: argument '--target=wasm32-wasi' is deprecated, use --target=wasm32-wasip1 instead [-Wdeprecated]";

/// stderr of a successful clang run.
fn stderr_of(args: &[&str], dir: &Path) -> String {
    let out = Command::new(clang())
        .current_dir(dir)
        .args(args)
        .output()
        .expect("clang-22 runs");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "clang {args:?} failed:\n{err}");
    err
}

fn sources(dir: &Path) {
    std::fs::write(dir.join("plain.c"), "int main(void) { return 0; }\n").unwrap();
    std::fs::write(
        dir.join("old.c"),
        "__attribute__((deprecated(\"use new_api\"))) int old_api(void);\nint old_api(void) { return 1; }\nint main(void) { return old_api() - 1; }\n",
    )
    .unwrap();
}

/// The three ways a build calls the driver.
fn invocations(target: &str) -> Vec<Vec<String>> {
    let t = format!("--target={target}");
    vec![
        vec![
            t.clone(),
            "-c".into(),
            "plain.c".into(),
            "-o".into(),
            "plain.o".into(),
        ],
        vec![
            t.clone(),
            "plain.o".into(),
            "-o".into(),
            "plain.wasm".into(),
        ],
        vec![
            t,
            "-O2".into(),
            "plain.c".into(),
            "-o".into(),
            "both.wasm".into(),
        ],
    ]
}

#[test]
fn known_clang22_warning_is_the_only_driver_output() {
    let work = tempfile::tempdir().unwrap();
    sources(work.path());
    for target in TARGETS {
        for args in invocations(target) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let err = stderr_of(&args, work.path());
            assert_eq!(
                err.lines().collect::<Vec<_>>(),
                vec![KNOWN],
                "clang {args:?}: expected exactly the known clang-22 driver warning (see docs/sysroot.md), got:\n{err}"
            );
        }
    }
}

#[test]
fn command_line_no_deprecated_silences_it() {
    let work = tempfile::tempdir().unwrap();
    sources(work.path());
    for target in TARGETS {
        for mut args in invocations(target) {
            args.push("-Wno-deprecated".into());
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let err = stderr_of(&args, work.path());
            assert!(err.is_empty(), "clang {args:?} printed:\n{err}");
        }
    }
}

#[test]
fn user_deprecation_warnings_still_work() {
    let work = tempfile::tempdir().unwrap();
    sources(work.path());
    let err = stderr_of(
        &["--target=wasm32-wasit2", "-c", "old.c", "-o", "old.o"],
        work.path(),
    );
    assert!(
        err.contains("'old_api' is deprecated: use new_api [-Wdeprecated-declarations]"),
        "no user warning:\n{err}"
    );
    let err = stderr_of(
        &[
            "--target=wasm32-wasit2",
            "-Wno-deprecated-declarations",
            "-c",
            "old.c",
            "-o",
            "old.o",
        ],
        work.path(),
    );
    assert!(
        !err.contains("old_api"),
        "-Wno-deprecated-declarations ignored:\n{err}"
    );
    // On the command line -Wno-deprecated comes after the cfg's re-enables,
    // so it takes the user's deprecation warnings with it; naming the
    // subgroup again brings them back without the driver warning.
    let err = stderr_of(
        &[
            "--target=wasm32-wasit2",
            "-Wno-deprecated",
            "-c",
            "old.c",
            "-o",
            "old.o",
        ],
        work.path(),
    );
    assert!(
        err.is_empty(),
        "-Wno-deprecated on the command line:\n{err}"
    );
    let err = stderr_of(
        &[
            "--target=wasm32-wasit2",
            "-Wno-deprecated",
            "-Wdeprecated-declarations",
            "-c",
            "old.c",
            "-o",
            "old.o",
        ],
        work.path(),
    );
    assert!(
        !err.contains(KNOWN),
        "driver warning despite -Wno-deprecated:\n{err}"
    );
    assert!(
        err.contains("[-Wdeprecated-declarations]"),
        "user warning lost:\n{err}"
    );
}

/// The config really carries `-Wno-deprecated`: clang applies it to the
/// compiler (cc1) even though the driver's own diagnostics ignore it.
#[test]
fn config_flags_reach_the_compiler() {
    let work = tempfile::tempdir().unwrap();
    sources(work.path());
    let err = stderr_of(
        &["--target=wasm32-wasit2", "-###", "-c", "plain.c"],
        work.path(),
    );
    let cc1 = err
        .lines()
        .find(|l| l.contains("\"-cc1\""))
        .expect("a cc1 line");
    assert!(
        cc1.contains("\"-Wno-deprecated\""),
        "cc1 lacks -Wno-deprecated:\n{cc1}"
    );
    assert!(
        cc1.contains("\"-Wdeprecated-declarations\""),
        "cc1 lacks -Wdeprecated-declarations:\n{cc1}"
    );
}

/// clang++ reads `<triple>-clang++.cfg`, never the C driver's config:
/// `wasit2 install` writes both, so `clang++-22 --target=wasm32-wasit2`
/// gets the sysroot, wasit-ld and the macros, and a C++ program without
/// the C++ standard library (there is no libc++ yet) links and runs.
#[test]
fn cxx_driver_reads_the_config() {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("x.cpp"),
        "extern \"C\" int puts(const char *);\n\
         template <typename T> struct Box { T v; explicit Box(T x) : v(x) {} };\n\
         static Box<int> g(7);\n\
         int main() { puts(\"c++ on wasit2\"); return g.v - 7; }\n",
    )
    .unwrap();
    // clang++ next to the clang under test (clang-22 -> clang++-22).
    let c = clang();
    let name = c
        .file_name()
        .unwrap()
        .to_string_lossy()
        .replacen("clang", "clang++", 1);
    let cxx = c.with_file_name(name);
    for target in TARGETS {
        let normalized = target.replacen('-', "-unknown-", 1);
        let cfg = Path::new(wasit2_sysroot::tools::DEFAULT_LLVM_BIN)
            .join(format!("{normalized}-clang++.cfg"));
        assert!(
            cfg.is_file(),
            "{} is missing: run `make clang-install`",
            cfg.display()
        );
        let out = Command::new(&cxx)
            .current_dir(work.path())
            .args([
                &format!("--target={target}"),
                "-fno-exceptions",
                "-###",
                "x.cpp",
                "-o",
                "x.wasm",
            ])
            .output()
            .unwrap();
        let plan = String::from_utf8_lossy(&out.stderr);
        assert!(
            plan.contains(&format!("Configuration file: {}", cfg.display())),
            "{target}: clang++ did not read {}:\n{plan}",
            cfg.display()
        );
        let c_cfg =
            std::fs::read_to_string(cfg.with_file_name(format!("{normalized}-clang.cfg"))).unwrap();
        let ld = c_cfg
            .lines()
            .find_map(|l| l.strip_prefix("-fuse-ld="))
            .expect("the C config names wasit-ld");
        assert!(
            plan.contains(&format!("\"{ld}\"")),
            "{target}: clang++ does not link with {ld}:\n{plan}"
        );
        assert!(plan.contains("\"-D\" \"__wasit2__\""), "{plan}");
        assert!(
            plan.contains(&format!("lib/{target}/crt1-command.o")),
            "{plan}"
        );
    }
    let out = Command::new(&cxx)
        .current_dir(work.path())
        .args([
            "--target=wasm32-wasit2",
            "-Wno-deprecated",
            "-fno-exceptions",
            "-nostdlib++",
            "-Werror",
            "-Wall",
            "x.cpp",
            "-o",
            "x.wasm",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.is_empty(), "{err}");
    let out = Command::new(wasit2_testkit::wasit2_bin())
        .current_dir(work.path())
        .args(["run", "x.wasm"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "c++ on wasit2\n");
}

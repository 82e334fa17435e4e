//! setjmp/longjmp on the wasit2 targets (docs/sysroot.md, "setjmp and
//! longjmp"): `sysroot/tests/programs/setjmp.c`, built with the documented
//! flag alone, prints what the host's build prints on wasm32 and wasm64 at
//! -O0 and -O2; programs without setjmp are byte-identical with and without
//! the config's setjmp lines; the -mvp target says why it has no setjmp;
//! `--host wasip1` refuses the exceptions with the path to the throw; and
//! libsetjmp.a's interface is pinned in `expected/<triple>/setjmp/`
//! (`BLESS=1` rewrites it). Needs `make sysroot clang-install`.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use wasit2_testkit::{clang, repo, require_clang_target, wasit2_bin};

/// The documented flag.
const SETJMP_FLAG: [&str; 2] = ["-mllvm", "-wasm-enable-sjlj"];

/// The targets with setjmp, and those without (no exceptions).
const WITH: &[&str] = &["wasm32-wasit2", "wasm64-wasit2"];
const WITHOUT: &[&str] = &[
    "wasm32-wasit2-mvp",
    "wasm64-wasit2-mvp",
    "wasm32-wasit2-lime1",
    "wasm64-wasit2-lime1",
];

fn program() -> PathBuf {
    repo().join("sysroot/tests/programs/setjmp.c")
}

fn sysroot() -> PathBuf {
    wasit2_sysroot::tools::default_sysroot().expect("locating the sysroot")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn compile(target: &str, args: &[&str], out: &Path) -> Output {
    require_clang_target(target);
    Command::new(clang())
        .arg(format!("--target={target}"))
        .args(args)
        .arg("-o")
        .arg(out)
        .output()
        .expect("clang-22 runs")
}

fn ok(what: &str, o: &Output) {
    assert!(
        o.status.success(),
        "{what} failed ({:?}):\n{}{}",
        o.status,
        text(&o.stdout),
        text(&o.stderr)
    );
}

fn native_output() -> String {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("setjmp");
    let built = Command::new("cc")
        .arg("-O2")
        .arg(program())
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("cc runs");
    ok("native build", &built);
    let ran = Command::new(&exe).output().unwrap();
    ok("native run", &ran);
    text(&ran.stdout)
}

#[test]
fn setjmp_program_matches_native_on_every_target_with_exceptions() {
    let want = native_output();
    let dir = tempfile::tempdir().unwrap();
    let src = program();
    for target in WITH {
        for opt in ["-O0", "-O2"] {
            let wasm = dir.path().join(format!("{target}{opt}.wasm"));
            let built = compile(
                target,
                &[opt, SETJMP_FLAG[0], SETJMP_FLAG[1], &src.to_string_lossy()],
                &wasm,
            );
            ok(&format!("{target} {opt} build"), &built);
            let ran = Command::new(wasit2_bin())
                .arg("run")
                .arg(&wasm)
                .output()
                .unwrap();
            assert_eq!(
                (ran.status.code(), text(&ran.stdout)),
                (Some(0), want.clone()),
                "{target} {opt}: {}",
                text(&ran.stderr)
            );
        }
    }
}

/// The installed config for `target` without the lines `setjmp::CONFIG`
/// adds: what every program was built with before setjmp existed.
fn config_without_setjmp(target: &str, dir: &Path) -> PathBuf {
    let triple = wasit2_sysroot::Variant::all()
        .into_iter()
        .find(|v| v.target() == target)
        .expect("a wasit2 target")
        .normalized_triple();
    let installed = Path::new("/usr/lib/llvm-22/bin").join(format!("{triple}-clang.cfg"));
    let cfg = std::fs::read_to_string(&installed)
        .unwrap_or_else(|e| panic!("{}: {e} (run make clang-install)", installed.display()));
    assert!(
        cfg.contains(wasit2_sysroot::setjmp::CONFIG),
        "{} lacks the setjmp lines: run make clang-install",
        installed.display()
    );
    let out = dir.join(format!("{target}-before.cfg"));
    std::fs::write(&out, cfg.replace(wasit2_sysroot::setjmp::CONFIG, "")).unwrap();
    out
}

#[test]
fn programs_without_setjmp_are_unchanged_by_the_setjmp_config() {
    let dir = tempfile::tempdir().unwrap();
    let hello = repo().join("examples/hello.c");
    for target in WITH {
        for extra in [&[][..], &["-Wl,--host=wasip1"][..]] {
            if target.starts_with("wasm64") && !extra.is_empty() {
                continue; // WASI preview 1 is wasm32 only
            }
            // The output's name is in the module (name section): same
            // name, two directories.
            let name = format!("{target}{}.wasm", extra.len());
            let (now_dir, before_dir) = (dir.path().join("now"), dir.path().join("before"));
            std::fs::create_dir_all(&now_dir).unwrap();
            std::fs::create_dir_all(&before_dir).unwrap();
            let now = now_dir.join(&name);
            let mut args = vec!["-O2", hello.to_str().unwrap()];
            args.extend(extra);
            ok("hello", &compile(target, &args, &now));
            let cfg = config_without_setjmp(target, dir.path());
            let before = before_dir.join(&name);
            let config = format!("--config={}", cfg.display());
            let mut args_before = vec!["--no-default-config", config.as_str()];
            args_before.extend(&args);
            ok("hello, old config", &compile(target, &args_before, &before));
            assert!(
                std::fs::read(&now).unwrap() == std::fs::read(&before).unwrap(),
                "{target} {extra:?}: hello changed with the setjmp config lines"
            );
        }
    }
}

#[test]
fn targets_without_exceptions_say_why_there_is_no_setjmp() {
    let dir = tempfile::tempdir().unwrap();
    let src = program();
    for target in WITHOUT {
        assert!(
            !sysroot()
                .join("lib")
                .join(target)
                .join("libsetjmp.a")
                .exists(),
            "{target} has a libsetjmp.a"
        );
        let o = compile(
            target,
            &["-c", &src.to_string_lossy()],
            &dir.path().join("x.o"),
        );
        assert!(!o.status.success(), "{target}: setjmp compiled");
        let err = text(&o.stderr);
        assert!(
            err.contains("error: 'setjmp' is unavailable: setjmp/longjmp need wasm exception handling: compile with -mllvm -wasm-enable-sjlj (docs/sysroot.md); the -mvp and -lime1 targets have no setjmp"),
            "{target}: {err}"
        );
    }
    // Forcing the flag on -mvp gets past the header (clang then turns on
    // exception handling) but not the link: there is no libsetjmp.a.
    let o = compile(
        "wasm32-wasit2-mvp",
        &[SETJMP_FLAG[0], SETJMP_FLAG[1], &src.to_string_lossy()],
        &dir.path().join("mvp.wasm"),
    );
    assert!(!o.status.success(), "-mvp linked setjmp");
    assert!(
        text(&o.stderr).contains("undefined symbol: __wasm_setjmp"),
        "{}",
        text(&o.stderr)
    );
    // Without the flag, the default targets say the same.
    let o = compile(
        "wasm32-wasit2",
        &["-c", &src.to_string_lossy()],
        &dir.path().join("x.o"),
    );
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("compile with -mllvm -wasm-enable-sjlj"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn host_wasip1_refuses_setjmp_with_the_path_to_the_throw() {
    let dir = tempfile::tempdir().unwrap();
    let src = program();
    let o = compile(
        "wasm32-wasit2",
        &[
            "-O2",
            SETJMP_FLAG[0],
            SETJMP_FLAG[1],
            &src.to_string_lossy(),
            "-Wl,--host=wasip1",
        ],
        &dir.path().join("p1.wasm"),
    );
    assert!(!o.status.success(), "linked for --host wasip1");
    let err = text(&o.stderr);
    assert!(
        err.contains("error: uses wasm exceptions (exnref encoding, `try_table`; `__wasm_longjmp` throws), which host wasip1 lacks")
            && err.contains("; call path: __wasit2_run → main → ")
            && err.contains("__wasm_longjmp\n"),
        "{err}"
    );
}

/// `(defined, referenced-but-undefined)` global symbols of an archive.
fn symbols(lib: &Path) -> (String, String) {
    let nm = wasit2_sysroot::Tools::find(None).expect("llvm-nm").nm;
    let out = Command::new(nm)
        .arg("-g")
        .arg(lib)
        .output()
        .expect("llvm-nm runs");
    ok("llvm-nm", &out);
    let (mut defined, mut referenced) = (BTreeSet::new(), BTreeSet::new());
    for line in text(&out.stdout).lines() {
        match line.split_whitespace().collect::<Vec<_>>()[..] {
            [kind, name] if kind == "U" || kind == "w" => {
                referenced.insert(name.to_string());
            }
            [_, kind, name] if kind.len() == 1 => {
                defined.insert(name.to_string());
            }
            _ => {}
        }
    }
    let lines = |s: &mut dyn Iterator<Item = &String>| s.map(|n| format!("{n}\n")).collect();
    let undefined: Vec<&String> = referenced.difference(&defined).collect();
    (
        lines(&mut defined.iter()),
        lines(&mut undefined.into_iter()),
    )
}

#[test]
fn expected_libsetjmp_interface() {
    let mut diffs = Vec::new();
    for target in WITH {
        let lib = sysroot().join("lib").join(target).join("libsetjmp.a");
        assert!(
            lib.is_file(),
            "{} is missing: run make sysroot",
            lib.display()
        );
        let (defined, undefined) = symbols(&lib);
        for (file, actual) in [
            ("defined-symbols.txt", defined),
            ("undefined-symbols.txt", undefined),
        ] {
            let path = repo()
                .join("expected")
                .join(target)
                .join("setjmp")
                .join(file);
            if std::env::var_os("BLESS").is_some() {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &actual).unwrap();
                continue;
            }
            let expected = std::fs::read_to_string(&path).unwrap_or_default();
            if expected != actual {
                diffs.push(format!(
                    "--- {}\n{expected}+++ regenerated\n{actual}",
                    path.display()
                ));
            }
        }
    }
    assert!(
        diffs.is_empty(),
        "libsetjmp.a's interface changed (if intended: BLESS=1 cargo test -p wasit2-sysroot --test setjmp):\n{}",
        diffs.join("\n")
    );
}

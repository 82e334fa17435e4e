//! The C corpus (`tests/c`, directives in `tests/c/README.md`) on unmodified
//! WASI preview 1 runtimes: every program is built with
//! `clang-22 --target=wasm32-wasit2-mvp -O2 -Wl,--host=wasip1` (linked by the
//! wasit-ld under test) and run on the 2020 WAMR `iwasm` and on
//! `wasmtime run`; stdout and the exit code must match the golden files.
//! Each program is linked twice: with the default direct libc (libc calls
//! p1 itself) and with `-Wl,--wasip1-libc=adapter` (every libc call goes
//! through the WASI 0.2 layer and the adapter), so both stay correct.
//!
//! For modern p1 runtimes each program is also built with
//! `--target=wasm32-wasit2-lime1` and with plain `--target=wasm32-wasit2`
//! (clang's default CPU), direct libc, and run on `wasmtime run` only (the
//! 2020 WAMR loads neither). The lime1 build must pass the feature check
//! against the Lime1 profile (`wasit2_check::LIME1`).
//!
//! Programs p1 cannot express are listed in `docs/wasip1.md` between the
//! `wasip1-corpus-exclusions` markers, with the interface their link error
//! names. For those the link must fail with a call path from `main` to that
//! interface. The list is read from the doc, so the doc and the test agree.
//!
//! One trial per program and build (`hello/direct`, `hello/adapter`,
//! `hello/lime1`, `hello/default-cpu`), plus
//! `exclusions-are-corpus-programs`, which checks the doc's list itself.
//!
//! Needs `make sysroot clang-install` (the sysroot then holds the adapter).

mod common;

use std::path::Path;
use std::process::Command;

use common::WASIT_LD;
use libtest_mimic::{Arguments, Failed, Trial};
use wasit2_testkit::corpus::{self, Program};
use wasit2_testkit::{clang, repo, run, Outcome, Tool};

const TARGET: &str = "wasm32-wasit2-mvp";
const LIME1_TARGET: &str = "wasm32-wasit2-lime1";
const DEFAULT_TARGET: &str = "wasm32-wasit2";

/// One excluded program: its name and the interface its link error names.
#[derive(Debug, Clone)]
struct Exclusion {
    program: String,
    interface: String,
}

/// The first two cells of the table rows between the `<!-- {marker}: begin -->`
/// and `end` comments in docs/wasip1.md: `| \`program\` | \`text\` | why |`.
fn doc_table(marker: &str) -> Vec<Exclusion> {
    let doc = std::fs::read_to_string(repo().join("docs/wasip1.md")).unwrap();
    let begin = format!("<!-- {marker}: begin -->");
    let start = doc
        .find(&begin)
        .unwrap_or_else(|| panic!("docs/wasip1.md lacks {begin}"));
    let end = doc[start..]
        .find(&format!("<!-- {marker}: end -->"))
        .unwrap_or_else(|| panic!("docs/wasip1.md lacks the end of {marker}"))
        + start;
    let tick = |cell: &str| cell.trim().trim_matches('`').to_string();
    doc[start..end]
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').collect();
            assert!(cells.len() >= 3, "bad row in {marker}: {l}");
            Exclusion {
                program: tick(cells[0]),
                interface: tick(cells[1]),
            }
        })
        .collect()
}

/// Programs p1 cannot express, with the interface their link error names.
fn exclusions() -> Vec<Exclusion> {
    doc_table("wasip1-corpus-exclusions")
}

/// How a program is built: the 2020-WAMR target with either libc
/// (`--wasip1-libc`), or a modern-runtime target with the direct libc.
#[derive(Clone, Copy, Debug)]
enum Libc {
    Direct,
    Adapter,
    Lime1,
    DefaultCpu,
}

impl Libc {
    const ALL: [Libc; 4] = [Libc::Direct, Libc::Adapter, Libc::Lime1, Libc::DefaultCpu];

    /// The last part of a trial's name.
    fn name(self) -> &'static str {
        match self {
            Libc::Direct => "direct",
            Libc::Adapter => "adapter",
            Libc::Lime1 => "lime1",
            Libc::DefaultCpu => "default-cpu",
        }
    }

    fn target(self) -> &'static str {
        match self {
            Libc::Direct | Libc::Adapter => TARGET,
            Libc::Lime1 => LIME1_TARGET,
            Libc::DefaultCpu => DEFAULT_TARGET,
        }
    }

    /// The runtimes whose engine loads this build.
    fn runtimes(self) -> &'static [Runtime] {
        match self {
            Libc::Direct | Libc::Adapter => &[Runtime::Iwasm, Runtime::Wasmtime],
            Libc::Lime1 | Libc::DefaultCpu => &[Runtime::Wasmtime],
        }
    }
}

fn build(p: &Program, libc: Libc, wasm: &Path) -> Outcome {
    let mut cc = Command::new(clang());
    cc.arg(format!("--target={}", libc.target()))
        .arg("-O2")
        .arg(format!("-fuse-ld={WASIT_LD}"))
        .arg("-Wl,--host=wasip1");
    if let Libc::Adapter = libc {
        cc.arg("-Wl,--wasip1-libc=adapter");
    }
    cc.arg(&p.source).arg("-o").arg(wasm);
    run(cc, "")
}

#[derive(Clone, Copy, Debug)]
enum Runtime {
    Iwasm,
    Wasmtime,
}

fn run_on(rt: Runtime, p: &Program, wasm: &Path, scratch: &Path) -> Outcome {
    let mut cmd;
    match rt {
        Runtime::Iwasm => {
            cmd = Command::new(Tool::Iwasm.path());
            if p.dir {
                cmd.arg("--dir=.");
            }
            for e in &p.env {
                cmd.arg(format!("--env={e}"));
            }
        }
        Runtime::Wasmtime => {
            cmd = Command::new(Tool::Wasmtime.path());
            cmd.arg("run");
            if p.dir {
                cmd.args(["--dir", "."]);
            }
            for e in &p.env {
                cmd.arg("--env").arg(e);
            }
        }
    }
    cmd.current_dir(scratch).arg(wasm).args(&p.args);
    run(cmd, &p.stdin)
}

/// Builds and runs one program on both runtimes; `Err` describes every mismatch.
fn check_program(p: &Program, libc: Libc, work: &Path) -> Result<(), String> {
    let wasm = work.join(format!("{}.wasm", p.name));
    let built = build(p, libc, &wasm);
    if built.code != Some(0) {
        return Err(format!("link for --host wasip1 failed:\n{}", built.stderr));
    }
    let mut problems = Vec::new();
    if let Libc::Lime1 = libc {
        problems.extend(lime1_problems(&wasm));
    }
    for &rt in libc.runtimes() {
        let scratch = work.join(format!("{}.{rt:?}.dir", p.name));
        std::fs::create_dir_all(&scratch).unwrap();
        let ran = run_on(rt, p, &wasm, &scratch);
        // The 2020 iwasm drops exit codes: `proc_exit` only raises the
        // exception "wasi proc exit" and iwasm exits 0 (docs/wasip1.md), so a
        // trap there shows as any other exception on stderr.
        let expected_code = match rt {
            Runtime::Iwasm => 0,
            Runtime::Wasmtime => p.exit,
        };
        if ran.code != Some(expected_code) {
            problems.push(format!(
                "{rt:?}: exit code {:?}, expected {expected_code}",
                ran.code
            ));
        }
        if matches!(rt, Runtime::Iwasm)
            && (ran.stdout.lines().chain(ran.stderr.lines()))
                .any(|l| l.contains("Exception:") && !l.contains("wasi proc exit"))
        {
            problems.push(format!("{rt:?}: trapped"));
        }
        if ran.stdout != p.expected_stdout {
            problems.push(format!(
                "{rt:?}: stdout differs:\n--- expected\n{}--- got\n{}",
                p.expected_stdout, ran.stdout
            ));
        }
        if !problems.is_empty() && !problems.last().unwrap().contains("stderr") {
            problems.push(format!("{rt:?} stderr:\n{}", ran.stderr));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// The lime1 build uses no wasm feature outside Lime1: the checker's
/// feature problems against the Lime1 profile, if any.
fn lime1_problems(wasm: &Path) -> Option<String> {
    let bytes = std::fs::read(wasm).expect("reading the linked module");
    let profile = wasit2_check::HostProfile::wasip1().expect("the wasip1 profile");
    let opts = wasit2_check::CheckOptions {
        features: Some(wasit2_check::LIME1),
        ..Default::default()
    };
    let report = wasit2_check::check(&bytes, &profile, &opts).expect("checking the module");
    (!report.is_ok()).then(|| format!("not Lime1 code:\n{}", report.render()))
}

/// An excluded program must fail to link, naming its interface with a call
/// path through `main`, and leave no output.
fn check_excluded(p: &Program, libc: Libc, ex: &Exclusion, work: &Path) -> Result<(), String> {
    let wasm = work.join(format!("{}.wasm", p.name));
    let built = build(p, libc, &wasm);
    if built.code == Some(0) {
        return Err(
            "linked for --host wasip1 although docs/wasip1.md excludes it; drop it from the list"
                .into(),
        );
    }
    if wasm.exists() {
        return Err("a failed link left an output file".into());
    }
    let line = built
        .stderr
        .lines()
        .find(|l| l.contains(&ex.interface) && l.contains("call path:"));
    match line {
        // The checker's report format: `error: SUBJECT: WHAT; call path: …`.
        Some(l) if l.starts_with("error: ") && l.contains(" → main → ") => Ok(()),
        _ => Err(format!(
            "expected an `error:` line naming `{}` with a call path through main, got:\n{}",
            ex.interface, built.stderr
        )),
    }
}

/// Every excluded program exists, so the list cannot name a stale program.
fn check_exclusions(programs: &[Program], excluded: &[Exclusion]) -> Result<(), String> {
    if excluded.is_empty() {
        return Err("docs/wasip1.md lists no exclusions".into());
    }
    for ex in excluded {
        if !programs.iter().any(|p| p.name == ex.program) {
            return Err(format!(
                "docs/wasip1.md excludes `{}`, which is not in tests/c",
                ex.program
            ));
        }
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let programs = corpus::load();
    let excluded = exclusions();
    let mut trials = Vec::new();
    for p in &programs {
        for libc in Libc::ALL {
            let p = p.clone();
            let ex = excluded.iter().find(|e| e.program == p.name).cloned();
            let name = format!("{}/{}", p.name, libc.name());
            trials.push(Trial::test(name, move || {
                wasit2_testkit::require_clang_target(libc.target());
                let work = tempfile::tempdir().map_err(|e| format!("scratch directory: {e}"))?;
                match &ex {
                    Some(ex) => check_excluded(&p, libc, ex, work.path()),
                    None => check_program(&p, libc, work.path()),
                }
                .map_err(Failed::from)
            }));
        }
    }
    trials.push(Trial::test("exclusions-are-corpus-programs", move || {
        check_exclusions(&programs, &excluded).map_err(Failed::from)
    }));
    libtest_mimic::run(&args, trials).exit();
}

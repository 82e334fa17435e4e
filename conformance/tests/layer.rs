//! Focused tests of the wasit2 libc's system layer where it must behave like
//! wasmtime's p1-over-p2 rather than like native POSIX (so they cannot live
//! in the natively checked C corpus): `conformance/layer/<name>.c` with its
//! expected stdout in `<name>.stdout`.
//!
//! Each program runs as wasm32 and wasm64 on `wasit2 run` and componentized
//! on wasmtime, in a fresh scratch directory preopened as `/`. A program whose
//! first line is `// PEER: yes` also runs built against Debian's wasi-libc
//! on wasmtime and must print the same: the expectation is then not ours
//! alone. One trial per program × configuration (`errnos/wasm64`).
use std::path::{Path, PathBuf};
use std::process::Command;

use libtest_mimic::{Arguments, Failed, Trial};
use wasit2_testkit::{clang, repo, run, wasit2_bin, Tool};

/// Debian's wasi-libc, where the conformance test unpacks it.
fn peer_usr() -> Option<PathBuf> {
    let usr = wasit2_testkit::cache::dir("debian-wasi-libc").join("root/usr");
    usr.join("lib/wasm32-wasi/libc.a").is_file().then_some(usr)
}

fn check(src: &Path, config: &str, expected: &str) -> Result<(), Failed> {
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let wasm = work.path().join("p.wasm");
    let mut cc = Command::new(clang());
    match config {
        "peer" => {
            let usr = peer_usr().ok_or(
                "Debian's wasi-libc is not unpacked yet: run `cargo test -p wasit2-conformance --test conformance` first",
            )?;
            cc.arg("--target=wasm32-wasi")
                .arg("-Wno-deprecated")
                .arg(format!("--sysroot={}", usr.display()));
        }
        "wasm64" => {
            cc.arg("--target=wasm64-wasit2");
        }
        _ => {
            cc.arg("--target=wasm32-wasit2");
        }
    }
    cc.arg("-O2").arg(src).arg("-o").arg(&wasm);
    let built = run(cc, "");
    if built.code != Some(0) {
        return Err(format!("compile failed:\n{}", built.stderr).into());
    }
    let prog = if config == "component" {
        let comp = work.path().join("c.wasm");
        let mut c = Command::new(wasit2_bin());
        c.arg("componentize").arg(&wasm).arg("-o").arg(&comp);
        let out = run(c, "");
        if out.code != Some(0) {
            return Err(format!("componentize failed:\n{}", out.stderr).into());
        }
        comp
    } else {
        wasm
    };
    let fs = work.path().join("fs");
    std::fs::create_dir(&fs).map_err(|e| e.to_string())?;
    let runner = match config {
        "wasm32" | "wasm64" => wasit2_bin(),
        _ => Tool::Wasmtime.path(),
    };
    let mut cmd = Command::new(runner);
    cmd.arg("run")
        .arg("--dir")
        .arg(format!("{}::/", fs.display()))
        .arg(&prog);
    let out = run(cmd, "");
    if out.code == Some(0) && out.stdout == expected {
        Ok(())
    } else {
        Err(format!(
            "exit {:?}\n--- expected\n{expected}--- got\n{}--- stderr\n{}",
            out.code, out.stdout, out.stderr
        )
        .into())
    }
}

fn main() {
    let args = Arguments::from_args();
    if !args.list {
        wasit2_testkit::build_workspace_bins(&[Tool::Wasit2, Tool::WasitLd]);
    }
    let dir = repo().join("conformance/layer");
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("conformance/layer")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .collect();
    sources.sort();
    let mut trials = Vec::new();
    for src in sources {
        let name = src.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&src).unwrap();
        let golden = src.with_extension("stdout");
        let expected = std::fs::read_to_string(&golden)
            .unwrap_or_else(|e| panic!("{}: {e} (every program needs one)", golden.display()));
        let peer = text.lines().next() == Some("// PEER: yes");
        for config in ["wasm32", "wasm64", "component", "peer"] {
            if config == "peer" && !peer {
                continue;
            }
            let (src, expected) = (src.clone(), expected.clone());
            trials.push(Trial::test(format!("{name}/{config}"), move || {
                check(&src, config, &expected)
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

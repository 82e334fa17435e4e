//! The sysroot built from the 2026 wasi-libc tree (`wasit2 sysroot build
//! --wasi-libc ../shared/wasi-libc --target all`, upstream's wasip2
//! selection, docs/sysroot.md "The 2026 tree"): hello on the four targets,
//! the C corpus and minigzip as on the Debian-tree sysroot, only wasit2
//! imports and no realloc export, and no allocation on the read, write,
//! pread, pwrite, stdio and TCP send/recv paths. The sysroot is built once
//! per content hash (tests/support/tree2026_sysroot.rs). Needs
//! `../shared` (CI has it; without it every test says so and checks
//! nothing) and `make clang-install` (the clang configs).
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use wasit2_testkit::corpus;
use wasit2_testkit::{clang, repo, run, wasit2_bin, Tool};
use wasmparser::{Parser, Payload};

#[path = "support/tree2026_sysroot.rs"]
mod tree2026_sysroot;

fn sysroot() -> Option<&'static Path> {
    static S: OnceLock<Option<PathBuf>> = OnceLock::new();
    S.get_or_init(|| tree2026_sysroot::sysroot(&repo(), &wasit2_bin()))
        .as_deref()
}

fn cc(sysroot: &Path, triple: &str) -> Command {
    let mut c = Command::new(clang());
    c.arg(format!("--target={triple}"))
        .arg(format!("--sysroot={}", sysroot.display()))
        .arg("-Wno-deprecated");
    c
}

fn compile(sysroot: &Path, triple: &str, args: &[&str], srcs: &[PathBuf], out: &Path) {
    let built = cc(sysroot, triple)
        .args(args)
        .args(srcs)
        .arg("-o")
        .arg(out)
        .output()
        .expect("clang-22 runs");
    assert!(
        built.status.success(),
        "{triple}: compile failed:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
}

/// Imports (module, name) and export names.
fn interface(wasm: &[u8]) -> (Vec<(String, String)>, Vec<String>) {
    let (mut imports, mut exports) = (Vec::new(), Vec::new());
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.expect("valid wasm") {
            Payload::ImportSection(s) => {
                for imp in s.into_imports() {
                    let imp = imp.unwrap();
                    imports.push((imp.module.to_string(), imp.name.to_string()));
                }
            }
            Payload::ExportSection(s) => {
                for e in s {
                    exports.push(e.unwrap().name.to_string());
                }
            }
            _ => {}
        }
    }
    (imports, exports)
}

fn hello(triple: &str) {
    let Some(sys) = sysroot() else { return };
    let work = tempfile::tempdir().unwrap();
    let wasm = work.path().join("hello.wasm");
    compile(
        sys,
        triple,
        &["-O2", "-s"],
        &[repo().join("examples/hello.c")],
        &wasm,
    );
    let bytes = std::fs::read(&wasm).unwrap();
    let (imports, exports) = interface(&bytes);
    let cm = if triple.starts_with("wasm64") {
        "cm64p2|"
    } else {
        "cm32p2|"
    };
    for (module, name) in &imports {
        assert!(
            module.starts_with(cm) || module.starts_with(&format!("wasit2-{cm}")),
            "{triple}: import {module} {name} is not a wasit2 import"
        );
    }
    assert!(
        !exports.iter().any(|e| e.contains("realloc")),
        "{triple}: exports a realloc: {exports:?}"
    );
    let out = Command::new(wasit2_bin())
        .arg("run")
        .arg(&wasm)
        .output()
        .expect("wasit2 runs");
    assert!(
        out.status.success(),
        "{triple}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // examples/hello.c prints the same line on every target.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Hello from wasm32-wasit2!\n"
    );
    eprintln!("{triple}: hello -O2 -s is {} bytes", bytes.len());
}

#[test]
fn hello_wasm32() {
    hello("wasm32-wasit2");
}
#[test]
fn hello_wasm64() {
    hello("wasm64-wasit2");
}
#[test]
fn hello_wasm32_mvp() {
    hello("wasm32-wasit2-mvp");
}
#[test]
fn hello_wasm64_mvp() {
    hello("wasm64-wasit2-mvp");
}

#[test]
fn hello_componentized_on_wasmtime() {
    let Some(sys) = sysroot() else { return };
    let work = tempfile::tempdir().unwrap();
    let wasm = work.path().join("hello.wasm");
    let comp = work.path().join("hello.component.wasm");
    compile(
        sys,
        "wasm32-wasit2",
        &["-O2"],
        &[repo().join("examples/hello.c")],
        &wasm,
    );
    let made = Command::new(wasit2_bin())
        .arg("componentize")
        .arg(&wasm)
        .arg("-o")
        .arg(&comp)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let out = Command::new(Tool::Wasmtime.path())
        .arg("run")
        .arg(&comp)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Hello from wasm32-wasit2!\n"
    );
}

/// Corpus programs whose output differs on the 2026-tree sysroot because
/// upstream's wasip2 code behaves differently, with why. Each must still
/// fail (so a fixed one has to leave the list).
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

/// Every corpus program at -O2, as `tests/corpus.rs` runs them on the
/// Debian-tree sysroot.
fn corpus_on(triple: &str) {
    let Some(sys) = sysroot() else { return };
    let work = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for p in corpus::load() {
        let wasm = work.path().join(format!("{}.wasm", p.name));
        let mut c = cc(sys, triple);
        c.arg("-O2").arg(&p.source).arg("-o").arg(&wasm);
        let built = run(c, "");
        if built.code != Some(0) {
            failures.push(format!("{}: compile failed:\n{}", p.name, built.stderr));
            continue;
        }
        let scratch = work.path().join(format!("{}.dir", p.name));
        std::fs::create_dir_all(&scratch).unwrap();
        let mut cmd = Command::new(wasit2_bin());
        cmd.current_dir(&scratch).arg("run");
        if p.net {
            cmd.args(["-S", "inherit-network", "-S", "allow-ip-name-lookup"]);
        }
        if p.dir {
            cmd.arg("--dir").arg(format!("{}::.", scratch.display()));
        }
        for e in &p.env {
            cmd.arg("--env").arg(e);
        }
        cmd.arg(&wasm).args(&p.args);
        let ran = run(cmd, &p.stdin);
        let differs = ran.code != Some(p.exit) || ran.stdout != p.expected_stdout;
        if let Some((_, why)) = KNOWN_DIFFERENCES.iter().find(|k| k.0 == p.name) {
            if !differs {
                failures.push(format!(
                    "{}: passes now but KNOWN_DIFFERENCES lists it ({why}): remove it",
                    p.name
                ));
            }
            continue;
        }
        if differs {
            failures.push(format!(
                "{}: exit {:?} (expected {}), stdout:\n{}--- expected\n{}--- stderr\n{}",
                p.name, ran.code, p.exit, ran.stdout, p.expected_stdout, ran.stderr
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{triple}: {} corpus program(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_wasm32() {
    corpus_on("wasm32-wasit2");
}
#[test]
fn corpus_wasm64() {
    corpus_on("wasm64-wasit2");
}

/// zlib's minigzip (Debian's source, `.tools/zlib`): a file round-trips
/// through stdin/stdout and the host's gzip reads what it wrote.
fn minigzip_on(triple: &str) {
    let Some(sys) = sysroot() else { return };
    let zlib = std::env::var_os("WASIT2_ZLIB")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".tools/zlib"));
    assert!(
        zlib.join("test/minigzip.c").is_file(),
        "{} has no zlib source: run scripts/setup.sh",
        zlib.display()
    );
    let work = tempfile::tempdir().unwrap();
    let wasm = work.path().join("minigzip.wasm");
    let mut srcs: Vec<PathBuf> = [
        "adler32.c",
        "compress.c",
        "crc32.c",
        "deflate.c",
        "gzclose.c",
        "gzlib.c",
        "gzread.c",
        "gzwrite.c",
        "infback.c",
        "inffast.c",
        "inflate.c",
        "inftrees.c",
        "trees.c",
        "uncompr.c",
        "zutil.c",
    ]
    .iter()
    .map(|s| zlib.join(s))
    .collect();
    srcs.push(zlib.join("test/minigzip.c"));
    let inc = format!("-I{}", zlib.display());
    compile(
        sys,
        triple,
        &["-O2", "-w", "-DHAVE_UNISTD_H", "-DHAVE_STDARG_H", &inc],
        &srcs,
        &wasm,
    );
    let input: Vec<u8> = (0..300_000u32)
        .flat_map(|i| format!("line {i} of the 2026 tree\n").into_bytes())
        .collect();
    let pipe = |args: &[&str], data: &[u8]| -> Vec<u8> {
        let mut child = Command::new(wasit2_bin())
            .arg("run")
            .arg(&wasm)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let data = data.to_vec();
        let feeder = std::thread::spawn(move || stdin.write_all(&data));
        let out = child.wait_with_output().unwrap();
        feeder.join().unwrap().unwrap();
        assert!(
            out.status.success(),
            "{triple}: minigzip {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let gz = pipe(&[], &input);
    assert!(gz.len() < input.len() / 4, "{triple}: poor compression");
    assert_eq!(pipe(&["-d"], &gz), input, "{triple}: round trip");
    let gzip_path = work.path().join("x.gz");
    std::fs::write(&gzip_path, &gz).unwrap();
    let host = Command::new("gzip")
        .arg("-dc")
        .arg(&gzip_path)
        .output()
        .unwrap();
    assert!(
        host.status.success(),
        "{triple}: host gzip rejects the output"
    );
    assert_eq!(host.stdout, input);
}

#[test]
fn minigzip_wasm32() {
    minigzip_on("wasm32-wasit2");
}
#[test]
fn minigzip_wasm64() {
    minigzip_on("wasm64-wasit2");
}

const MIB: u64 = 64;
const WRAPPED: &str = "-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,--wrap=posix_memalign,--wrap=__libc_malloc,--wrap=__libc_calloc,--wrap=sbrk";

/// `(path, bytes, allocations)` lines of malloc_count.c's report.
fn check_report(triple: &str, report: &str, paths: &[&str]) {
    let rows: Vec<(String, u64, u64)> = report
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            match f.as_slice() {
                [p, b, n] => Some((p.to_string(), b.parse().ok()?, n.parse().ok()?)),
                _ => None,
            }
        })
        .collect();
    if paths.contains(&"write") {
        assert!(
            rows.iter().any(|r| r.0 == "probe-strdup" && r.2 >= 1),
            "{triple}: the --wrap counter does not see libc's allocations:\n{report}"
        );
    }
    for path in paths {
        let row = rows
            .iter()
            .find(|r| r.0 == *path)
            .unwrap_or_else(|| panic!("{triple}: no `{path}` line:\n{report}"));
        assert_eq!(row.1, MIB << 20, "{triple}: {path} bytes:\n{report}");
        assert_eq!(row.2, 0, "{triple}: {path} allocated:\n{report}");
    }
}

fn zero_copy(triple: &str) {
    let Some(sys) = sysroot() else { return };
    let work = tempfile::tempdir().unwrap();
    let wasm = work.path().join("malloc_count.wasm");
    compile(
        sys,
        triple,
        &["-O2", WRAPPED],
        &[repo().join("sysroot/tests/programs/malloc_count.c")],
        &wasm,
    );
    // Files: write, read, pwrite, pread on a preopened directory.
    let dir = work.path().join("files");
    std::fs::create_dir(&dir).unwrap();
    let out = Command::new(wasit2_bin())
        .arg("run")
        .arg("--dir")
        .arg(format!("{}::.", dir.display()))
        .arg(&wasm)
        .arg("big.bin")
        .arg(MIB.to_string())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{triple}: {report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_report(triple, &report, &["write", "read", "pwrite", "pread"]);
    // stdin and stdout.
    let mut child = Command::new(wasit2_bin())
        .arg("run")
        .arg(&wasm)
        .arg("--stdio")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let chunk = vec![7u8; 1 << 20];
        for _ in 0..MIB {
            stdin.write_all(&chunk).unwrap();
        }
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{triple}: {report}");
    assert_eq!(out.stdout.len() as u64, MIB << 20);
    check_report(triple, &report, &["stdin-read", "stdout-write"]);
    // TCP send and recv over loopback.
    let out = Command::new(wasit2_bin())
        .args(["run", "-S", "inherit-network"])
        .arg(&wasm)
        .arg("--tcp")
        .arg(MIB.to_string())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{triple}: {report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_report(triple, &report, &["send", "recv"]);
}

#[test]
fn no_malloc_on_io_paths_wasm32() {
    zero_copy("wasm32-wasit2");
}
#[test]
fn no_malloc_on_io_paths_wasm64() {
    zero_copy("wasm64-wasit2");
}

/// `(defined, undefined)` global symbols of `files`, one a line, sorted.
fn symbol_lists(files: &[PathBuf]) -> (String, String) {
    let nm = wasit2_sysroot::Tools::find(None)
        .expect("finding llvm-nm")
        .nm;
    let out = Command::new(nm)
        .arg("-g")
        .arg("--no-sort")
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (mut defined, mut referenced) = (
        std::collections::BTreeSet::new(),
        std::collections::BTreeSet::new(),
    );
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        match line.split_whitespace().collect::<Vec<_>>().as_slice() {
            [kind, name] if *kind == "U" || *kind == "w" => {
                referenced.insert(name.to_string());
            }
            [_, kind, name] if *kind != "U" && *kind != "w" && kind.len() == 1 => {
                defined.insert(name.to_string());
            }
            _ => {}
        }
    }
    let undefined: Vec<&String> = referenced.difference(&defined).collect();
    let join = |v: Vec<&String>| v.iter().map(|s| format!("{s}\n")).collect::<String>();
    (join(defined.iter().collect()), join(undefined))
}

/// The public interface of the 2026-tree sysroots, pinned like
/// `tests/expected.rs` pins the Debian-tree ones, in
/// `expected/tree2026/<triple>/{defined,undefined}-symbols.txt` (libc.a,
/// crt1.o, crt1-command.o; `wasip1/` for the `--host wasip1` libc).
/// `BLESS=1` rewrites them. No symbol may be a realloc export's.
#[test]
fn expected_interface() {
    let Some(sys) = sysroot() else { return };
    let mut diffs = Vec::new();
    for triple in [
        "wasm32-wasit2",
        "wasm64-wasit2",
        "wasm32-wasit2-mvp",
        "wasm64-wasit2-mvp",
    ] {
        let dir = sys.join("lib").join(triple);
        let mut sets = vec![("", "libc.a".to_string())];
        if triple.starts_with("wasm32") {
            sets.push(("wasip1/", "wasip1/libc.a".to_string()));
        }
        for (sub, libc) in sets {
            let files: Vec<PathBuf> = [libc.as_str(), "crt1.o", "crt1-command.o"]
                .iter()
                .map(|f| dir.join(f))
                .collect();
            let (defined, undefined) = symbol_lists(&files);
            assert!(
                !defined.lines().any(|s| s.contains("cabi_realloc")),
                "{triple}: {libc} defines a cabi_realloc"
            );
            for (name, text) in [
                ("defined-symbols.txt", &defined),
                ("undefined-symbols.txt", &undefined),
            ] {
                let rel = format!("expected/tree2026/{triple}/{sub}{name}");
                if let Some(d) =
                    wasit2_testkit::bless_or_diff(&rel, &dir.display().to_string(), text)
                {
                    diffs.push(d);
                }
            }
        }
    }
    assert!(
        diffs.is_empty(),
        "the 2026-tree sysroot's interface changed (BLESS=1 after an intended change):\n{}",
        diffs.join("\n")
    );
}

/// `--host wasip1` from the 2026 tree: the program links upstream's own
/// wasip1 selection (`lib/<target>/wasip1/libc.a`), imports only preview 1
/// and runs on wasmtime and the 2020 WAMR.
#[test]
fn host_wasip1_hello_on_wasmtime_and_iwasm() {
    let Some(sys) = sysroot() else { return };
    let work = tempfile::tempdir().unwrap();
    let wasm = work.path().join("hello-p1.wasm");
    compile(
        sys,
        "wasm32-wasit2-mvp",
        &["-O2", "-Wl,--host=wasip1"],
        &[repo().join("examples/hello.c")],
        &wasm,
    );
    let (imports, _) = interface(&std::fs::read(&wasm).unwrap());
    for (module, name) in &imports {
        assert_eq!(module, "wasi_snapshot_preview1", "import {module} {name}");
    }
    for runner in [Tool::Wasmtime, Tool::Iwasm] {
        let mut cmd = Command::new(runner.path());
        if runner == Tool::Wasmtime {
            cmd.arg("run");
        }
        let out = cmd.arg(&wasm).output().unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            runner.name(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "Hello from wasm32-wasit2!\n",
            "{}",
            runner.name()
        );
    }
}

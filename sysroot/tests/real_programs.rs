//! Real programs, unmodified, on the sysroot: Debian's sqlite3 3.40.1 shell
//! (from the amalgamation its own build generates) and bzip2 1.0.8, built
//! with the installed clang target and run with `wasit2 run`; a native
//! build of the same sources gives the expected output. scripts/setup.sh
//! fetches the source packages into `$WASIT2_CACHE/src` (default
//! `~/.cache/wasit2/src`). Only documented WASI switches are used: the
//! `_WASI_EMULATED_*` defines with their libraries; `fchown`, `geteuid` and
//! `<pwd.h>`, which no WASI libc has, come from the opt-in
//! `_WASI_EMULATED_OWNERSHIP` (docs/sysroot.md).
//! Needs `make sysroot clang-install`.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use wasit2_testkit::{clang, wasit2_bin};

fn source(rel: &str) -> PathBuf {
    let p = wasit2_testkit::cache::dir("src").join(rel);
    assert!(
        p.exists(),
        "{} is missing: run scripts/setup.sh",
        p.display()
    );
    p
}

fn check(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({:?}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Builds `sources` with `cc` (the host's or clang for `triple`).
fn build(triple: Option<&str>, flags: &[&str], sources: &[PathBuf], libs: &[&str], out: &Path) {
    let mut cmd = match triple {
        Some(t) => {
            let mut c = Command::new(clang());
            c.arg(format!("--target={t}"));
            c
        }
        None => Command::new("cc"),
    };
    cmd.args(["-O1", "-w"])
        .args(flags)
        .args(sources)
        .args(libs)
        .arg("-o")
        .arg(out);
    let built = cmd.output().expect("the compiler runs");
    check(&format!("building {}", out.display()), &built);
}

/// Runs `prog` (a wasm module under `wasit2 run`, or a native binary) in
/// `dir` (preopened as `.` for wasm) with `stdin`.
fn run(prog: &Path, dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut cmd = if prog.extension().is_some_and(|e| e == "wasm") {
        let mut c = Command::new(wasit2_bin());
        c.arg("run")
            .arg("--dir")
            .arg(format!("{}::.", dir.display()))
            .arg(prog);
        c
    } else {
        Command::new(prog)
    };
    cmd.args(args).current_dir(dir);
    wasit2_testkit::run_bytes(cmd, stdin)
}

const SQL: &str = "\
.mode list
.headers on
CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, qty INTEGER, price REAL);
INSERT INTO t(name, qty, price) VALUES ('apple', 3, 0.5), ('pear', 7, 0.75),
  ('plum', 0, 1.25), ('fig', 12, 2.0), ('kiwi', 5, 0.3);
CREATE INDEX t_name ON t(name);
SELECT name, qty * price AS total FROM t ORDER BY total DESC, name;
SELECT count(*), sum(qty), printf('%.3f', avg(price)), group_concat(name, '+') FROM t;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
  SELECT sum(i * i), max(i) FROM n;
SELECT json_object('n', name, 'q', qty) FROM t WHERE qty > 4 ORDER BY id;
SELECT strftime('%Y-%m-%d %H:%M', '2024-02-28 23:30', '+1 day');
SELECT upper(name), length(name), substr(name, 2, 2), hex(name) FROM t ORDER BY name;
UPDATE t SET qty = qty + 1 WHERE price < 1;
DELETE FROM t WHERE qty = 1;
SELECT id, name, qty FROM t ORDER BY id;
SELECT typeof(1), typeof(1.5), typeof('x'), typeof(NULL), 7 / 2, 7 % 3, 1e308 * 10;
PRAGMA integrity_check;
";

#[test]
fn sqlite3_shell_matches_native() {
    let amalg = source("sqlite3-amalg");
    let work = tempfile::tempdir().unwrap();
    let sources = [amalg.join("shell.c"), amalg.join("sqlite3.c")];
    let common = ["-DSQLITE_OMIT_LOAD_EXTENSION", "-DSQLITE_THREADSAFE=0"];
    let wasm = work.path().join("sqlite3.wasm");
    let wasi_flags = [
        "-D_WASI_EMULATED_SIGNAL",
        "-D_WASI_EMULATED_PROCESS_CLOCKS",
        "-D_WASI_EMULATED_MMAN",
        "-D_WASI_EMULATED_GETPID",
        // fchown/geteuid (sqlite3.c) and <pwd.h> (shell.c): no WASI libc has them.
        "-D_WASI_EMULATED_OWNERSHIP",
    ];
    let flags: Vec<&str> = wasi_flags.iter().chain(&common).copied().collect();
    build(
        Some("wasm32-wasit2"),
        &flags,
        &sources,
        &[
            "-lwasi-emulated-signal",
            "-lwasi-emulated-process-clocks",
            "-lwasi-emulated-mman",
            "-lwasi-emulated-getpid",
        ],
        &wasm,
    );
    let native = work.path().join("sqlite3-native");
    build(None, &common, &sources, &["-lm"], &native);

    let want = run(&native, work.path(), &[":memory:"], SQL.as_bytes());
    check("native sqlite3", &want);
    let got = run(&wasm, work.path(), &[":memory:"], SQL.as_bytes());
    check("sqlite3 on wasit2 run", &got);
    let want = String::from_utf8_lossy(&want.stdout);
    assert!(
        want.contains("integrity_check\nok\n"),
        "the native run did not finish the script:\n{want}"
    );
    assert_eq!(String::from_utf8_lossy(&got.stdout), want);
}

/// Deterministic input larger than bzip2's 900 kB block.
fn sample_data() -> Vec<u8> {
    let words = ["wasit2 ", "bzip2 ", "block ", "sort ", "huffman ", "\n"];
    let mut state: u32 = 0x1234_5679;
    let mut data = Vec::new();
    while data.len() < 1_200_000 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        if state.is_multiple_of(7) {
            data.extend_from_slice(&state.to_le_bytes());
        } else {
            data.extend_from_slice(words[(state % words.len() as u32) as usize].as_bytes());
        }
    }
    data
}

#[test]
fn bzip2_round_trips_with_native() {
    let src = source("bzip2");
    let work = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = [
        "blocksort.c",
        "huffman.c",
        "crctable.c",
        "randtable.c",
        "compress.c",
        "decompress.c",
        "bzlib.c",
        "bzip2.c",
    ]
    .iter()
    .map(|f| src.join(f))
    .collect();
    let wasm = work.path().join("bzip2.wasm");
    build(
        Some("wasm32-wasit2"),
        &[
            "-D_FILE_OFFSET_BITS=64",
            "-D_WASI_EMULATED_SIGNAL",
            "-D_WASI_EMULATED_PROCESS_CLOCKS",
            "-D_WASI_EMULATED_OWNERSHIP",
        ],
        &files,
        &["-lwasi-emulated-signal", "-lwasi-emulated-process-clocks"],
        &wasm,
    );
    let native = work.path().join("bzip2-native");
    build(None, &["-D_FILE_OFFSET_BITS=64"], &files, &[], &native);

    let dir = work.path().join("files");
    std::fs::create_dir(&dir).unwrap();
    let data = sample_data();
    std::fs::write(dir.join("sample.bin"), &data).unwrap();

    // wasm compresses a file of the preopened directory to stdout ...
    let packed = run(&wasm, &dir, &["-c", "-9", "sample.bin"], b"");
    check("bzip2 -c on wasit2 run", &packed);
    assert!(
        packed.stdout.len() < data.len() / 2,
        "no real compression happened"
    );
    // ... which the native bzip2 checks and decompresses,
    let ok = run(&native, &dir, &["-t"], &packed.stdout);
    check("native bzip2 -t of the wasm output", &ok);
    let back = run(&native, &dir, &["-dc"], &packed.stdout);
    check("native bzip2 -dc", &back);
    assert!(
        back.stdout == data,
        "native decompression changed the bytes"
    );
    // and the native output is byte for byte the same.
    let native_packed = run(&native, &dir, &["-c", "-9", "sample.bin"], b"");
    check("native bzip2 -c", &native_packed);
    assert!(
        native_packed.stdout == packed.stdout,
        "wasm and native compress differently"
    );

    // The other way: native compresses, wasm decompresses (stdin to stdout).
    let back = run(&wasm, &dir, &["-dc"], &native_packed.stdout);
    check("bzip2 -dc on wasit2 run", &back);
    assert!(back.stdout == data, "wasm decompression changed the bytes");
    // bzip2 -t on wasm rejects damaged input with its error exit (2).
    let mut bad = native_packed.stdout.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x55;
    let t = run(&wasm, &dir, &["-t"], &bad);
    assert_eq!(t.status.code(), Some(2), "damaged input: {:?}", t.status);
}

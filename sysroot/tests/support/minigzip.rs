//! zlib's minigzip built against a sysroot and round-tripped, shared by
//! tests/minigzip.rs (the default sysroot) and tests/tree2026.rs (the 2026
//! tree's). Needs `support/cc.rs` as the including crate's `cc` module.
use std::path::{Path, PathBuf};
use std::process::Command;
use wasit2_testkit::{repo, wasit2_bin};

use crate::cc::{assert_compiles, clang_for};

/// zlib's library sources minigzip needs (all of them but the examples).
const ZLIB_SOURCES: &[&str] = &[
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
];

fn zlib_dir() -> PathBuf {
    let dir = std::env::var_os("WASIT2_ZLIB")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".tools/zlib"));
    assert!(
        dir.join("test/minigzip.c").is_file(),
        "{} has no zlib source: run scripts/setup.sh",
        dir.display()
    );
    dir
}

fn build_minigzip(sysroot: Option<&Path>, triple: &str, out: &Path) -> PathBuf {
    let zlib = zlib_dir();
    let wasm = out.join(format!("minigzip-{triple}.wasm"));
    assert_compiles(
        clang_for(sysroot, triple)
            // zlib's configure would find unistd.h and stdarg.h; K&R definitions warn.
            .args(["-O2", "-w", "-DHAVE_UNISTD_H", "-DHAVE_STDARG_H"])
            .arg("-I")
            .arg(&zlib)
            .args(ZLIB_SOURCES.iter().map(|s| zlib.join(s)))
            .arg(zlib.join("test/minigzip.c"))
            .arg("-o")
            .arg(&wasm),
        &format!("{triple}: building minigzip failed"),
    );
    wasm
}

/// Deterministic input that is neither random nor trivially repetitive,
/// larger than minigzip's buffers so several reads and writes happen.
fn sample_data() -> Vec<u8> {
    let words = [
        "wasit2 ",
        "component ",
        "model ",
        "canonical ",
        "abi ",
        "zlib ",
        "deflate ",
        "\n",
    ];
    let mut state: u32 = 0x2545_f491;
    let mut data = Vec::new();
    while data.len() < 700_000 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        if state.is_multiple_of(5) {
            data.extend_from_slice(&state.to_le_bytes());
        } else {
            data.extend_from_slice(words[(state % words.len() as u32) as usize].as_bytes());
        }
    }
    data
}

fn run_in(dir: &Path, wasm: &Path, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut cmd = Command::new(wasit2_bin());
    cmd.arg("run")
        .arg("--dir")
        .arg(format!("{}::.", dir.display()))
        .arg(wasm)
        .args(args);
    let out = wasit2_testkit::run_bytes(cmd, stdin);
    assert!(
        out.status.success(),
        "minigzip {args:?} failed ({:?}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn gzip_test(file: &Path) {
    let st = Command::new("gzip")
        .arg("-t")
        .arg(file)
        .status()
        .expect("host gzip runs");
    assert!(st.success(), "host gzip -t rejects {}", file.display());
}

/// Files through the preopened directory and stdin/stdout both ways, the
/// host's `gzip` checking what minigzip wrote and feeding it its own.
pub fn round_trip(sysroot: Option<&Path>, triple: &str) {
    let work = tempfile::tempdir().unwrap();
    let wasm = build_minigzip(sysroot, triple, work.path());
    let dir = work.path().join("files");
    std::fs::create_dir(&dir).unwrap();
    let data = sample_data();

    // Files: `minigzip f` writes f.gz and removes f; `-d f.gz` restores f.
    std::fs::write(dir.join("sample.bin"), &data).unwrap();
    run_in(&dir, &wasm, &["sample.bin"], b"");
    assert!(
        !dir.join("sample.bin").exists(),
        "minigzip left the input file"
    );
    let gz = dir.join("sample.bin.gz");
    gzip_test(&gz);
    assert!(
        std::fs::metadata(&gz).unwrap().len() < data.len() as u64 / 2,
        "no real compression happened"
    );
    run_in(&dir, &wasm, &["-d", "sample.bin.gz"], b"");
    assert!(!gz.exists(), "minigzip -d left the .gz file");
    assert!(
        std::fs::read(dir.join("sample.bin")).unwrap() == data,
        "{triple}: file round trip changed the bytes"
    );

    // Pipes: stdin -> stdout both ways, at the strongest level.
    let packed = run_in(&dir, &wasm, &["-9"], &data);
    std::fs::write(work.path().join("piped.gz"), &packed).unwrap();
    gzip_test(&work.path().join("piped.gz"));
    let unpacked = run_in(&dir, &wasm, &["-d"], &packed);
    assert!(
        unpacked == data,
        "{triple}: pipe round trip changed the bytes"
    );

    // The host's gzip output decompresses too.
    let host = Command::new("gzip")
        .arg("-c")
        .arg(dir.join("sample.bin"))
        .output()
        .expect("host gzip runs");
    assert!(host.status.success());
    assert!(
        run_in(&dir, &wasm, &["-d"], &host.stdout) == data,
        "{triple}: host .gz decoded wrongly"
    );
}

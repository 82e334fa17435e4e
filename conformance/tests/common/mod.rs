//! What both suite runners (`conformance.rs` on the default sysroot,
//! `tree2026.rs` on the 2026-tree one) do alike: find a test's source and
//! run a program under a time limit.
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wasit2_conformance::{Case, Origin};

/// How long one build or run may take.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// Where `case`'s C source is under `shared` (`../shared`).
pub fn case_source(shared: &Path, case: &Case) -> PathBuf {
    match case.origin {
        Some(Origin::LibcTest) => shared.join("libc-test/src").join(&case.source),
        Some(Origin::Posix) => shared
            .join("wasi-libc/test/open-posix-test-suite")
            .join(&case.source),
        _ => shared.join("wasi-libc/test/src").join(&case.source),
    }
}

/// Runs `cmd` with stdin closed and [`TIMEOUT`]: (exit code, stdout,
/// stderr), or the output so far when it had to be killed.
pub fn run_limited(mut cmd: Command) -> Result<(Option<i32>, String, String), String> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("spawning {cmd:?}: {e}"))?;
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t1 = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = so.read_to_end(&mut v);
        v
    });
    let t2 = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(st);
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let out = String::from_utf8_lossy(&t1.join().unwrap()).into_owned();
    let err = String::from_utf8_lossy(&t2.join().unwrap()).into_owned();
    match status {
        None => Err(format!(
            "timed out after {}s\n{out}{err}",
            TIMEOUT.as_secs()
        )),
        Some(st) => Ok((st.code(), out, err)),
    }
}

//! The link's temporary directory, `.wasit-ld-XXXXXX` next to the output
//! (so the final rename is atomic). It is removed when the link ends, when
//! SIGINT or SIGTERM stops it, and, should a link be killed harder, by the
//! next link into the same directory.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use anyhow::Context;

const PREFIX: &str = ".wasit-ld-";
/// Holds the pid of the link that owns the directory.
const PID_FILE: &str = ".pid";
/// A directory this old belongs to no running link.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// Temporary directories of links in progress, removed on a signal.
static ACTIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

pub struct TempDir(tempfile::TempDir);

impl TempDir {
    /// A new temporary directory in `output`'s directory, after removing
    /// stale ones there.
    pub fn next_to(output: &Path) -> anyhow::Result<TempDir> {
        let dir = match output.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        sweep(dir);
        on_signal_clean_up();
        let tmp = tempfile::Builder::new()
            .prefix(PREFIX)
            .tempdir_in(dir)
            .with_context(|| format!("creating a temporary directory in {}", dir.display()))?;
        let _ = std::fs::write(tmp.path().join(PID_FILE), std::process::id().to_string());
        lock().push(tmp.path().to_path_buf());
        Ok(TempDir(tmp))
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        lock().retain(|p| p != self.0.path());
    }
}

fn lock() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes `.wasit-ld-*` directories in `dir` whose link is gone: its pid
/// is not running, or it is older than [`STALE_AFTER`].
fn sweep(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let is_ours = e.file_name().to_string_lossy().starts_with(PREFIX)
            && e.file_type().is_ok_and(|t| t.is_dir());
        if is_ours && is_stale(&path) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

fn is_stale(path: &Path) -> bool {
    let old = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age > STALE_AFTER);
    let pid: Option<i32> = std::fs::read_to_string(path.join(PID_FILE))
        .ok()
        .and_then(|s| s.trim().parse().ok());
    old || pid.is_some_and(|pid| !alive(pid))
}

fn alive(pid: i32) -> bool {
    // Signal 0 checks existence; EPERM means it exists but is not ours.
    // SAFETY: kill with signal 0 sends nothing.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// On the first call: SIGINT and SIGTERM are blocked in this thread (child
/// processes get a clean mask from std) and a thread waits for them,
/// removes the active temporary directories and exits as the signal would.
fn on_signal_clean_up() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        // SAFETY: plain sigset operations on a zeroed local set.
        let set = unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGINT);
            libc::sigaddset(&mut set, libc::SIGTERM);
            if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
                return;
            }
            set
        };
        let spawned = std::thread::Builder::new()
            .name("wasit-ld-signals".into())
            .spawn(move || loop {
                let mut sig = 0;
                // SAFETY: waits for a signal of `set`, blocked in every thread.
                if unsafe { libc::sigwait(&set, &mut sig) } != 0 {
                    continue;
                }
                for p in lock().iter() {
                    let _ = std::fs::remove_dir_all(p);
                }
                std::process::exit(128 + sig);
            });
        if spawned.is_err() {
            // SAFETY: undoes the block above; signals then act as before.
            unsafe { libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut()) };
        }
    });
}

//! Parallel, incremental compilation with a progress counter.
//!
//! An object is reused when its recorded command matches and neither the
//! source nor any header clang listed in its depfile is newer than it.
use crate::error::{Error, Result};
use crate::fsutil::{self, Hasher};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

#[derive(Debug, Clone)]
pub struct Job {
    pub src: PathBuf,
    pub obj: PathBuf,
    /// Flags, without `-c`, `-o` and the source.
    pub args: Vec<String>,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub compiled: usize,
    pub reused: usize,
}

impl Job {
    fn command_key(&self) -> String {
        let mut h = Hasher::default();
        h.str(&self.src.to_string_lossy());
        for a in &self.args {
            h.str(a);
        }
        h.finish_hex()
    }
    fn cmd_file(&self) -> PathBuf {
        self.obj.with_extension("cmd")
    }
    fn dep_file(&self) -> PathBuf {
        self.obj.with_extension("d")
    }

    fn up_to_date(&self) -> bool {
        let Some(obj_time) = fsutil::mtime(&self.obj) else {
            return false;
        };
        match std::fs::read_to_string(self.cmd_file()) {
            Ok(k) if k == self.command_key() => {}
            _ => return false,
        }
        let Ok(dep) = std::fs::read_to_string(self.dep_file()) else {
            return false;
        };
        parse_depfile(&dep)
            .iter()
            .all(|d| fsutil::mtime(Path::new(d)).is_some_and(|t| t <= obj_time))
    }

    fn compile(&self, clang: &Path) -> std::result::Result<(), String> {
        if let Some(d) = self.obj.parent() {
            std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
        }
        let tmp = fsutil::tmp_sibling(&self.obj);
        let out = Command::new(clang)
            .args(&self.args)
            .arg("-MD")
            .arg("-MF")
            .arg(self.dep_file())
            .arg("-MT")
            .arg(&self.obj)
            .arg("-c")
            .arg(&self.src)
            .arg("-o")
            .arg(&tmp)
            .output()
            .map_err(|e| format!("running {}: {e}", clang.display()))?;
        if !out.status.success() {
            let _ = std::fs::remove_file(&tmp);
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        std::fs::rename(&tmp, &self.obj).map_err(|e| format!("{}: {e}", self.obj.display()))?;
        std::fs::write(self.cmd_file(), self.command_key())
            .map_err(|e| format!("{}: {e}", self.obj.display()))?;
        Ok(())
    }
}

/// Dependencies listed in a make-style depfile (after the first `:`).
pub fn parse_depfile(text: &str) -> Vec<String> {
    let body = text.split_once(": ").map(|(_, b)| b).unwrap_or("");
    let joined = body.replace("\\\n", " ");
    let mut deps = Vec::new();
    let mut cur = String::new();
    let mut chars = joined.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&' ') => {
                cur.push(' ');
                chars.next();
            }
            c if c.is_whitespace() => {
                if !cur.is_empty() {
                    deps.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        deps.push(cur);
    }
    // A second rule (from -MP) would start with `name:`; stop there.
    deps.into_iter().take_while(|d| !d.ends_with(':')).collect()
}

/// Compiles `jobs` on `threads` threads. All failures are collected; the
/// error reports the first one's log.
pub fn run(clang: &Path, jobs: &[Job], threads: usize, label: &str, quiet: bool) -> Result<Stats> {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let compiled = AtomicUsize::new(0);
    let failures: Mutex<Vec<(PathBuf, String)>> = Mutex::new(Vec::new());
    let total = jobs.len();
    let tty = std::io::stderr().is_terminal();
    let step = (total / 10).max(1);
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                if !job.up_to_date() {
                    compiled.fetch_add(1, Ordering::Relaxed);
                    if let Err(log) = job.compile(clang) {
                        failures.lock().unwrap().push((job.src.clone(), log));
                    }
                }
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if !quiet && (tty || n.is_multiple_of(step) || n == total) {
                    let mut e = std::io::stderr().lock();
                    let _ = write!(
                        e,
                        "{}[sysroot] {label}: compiled {n}/{total}{}",
                        if tty { "\r" } else { "" },
                        if tty { "" } else { "\n" }
                    );
                    let _ = e.flush();
                }
            });
        }
    });
    if !quiet && tty && total > 0 {
        eprintln!();
    }
    let mut failures = failures.into_inner().unwrap();
    if !failures.is_empty() {
        failures.sort_by(|a, b| a.0.cmp(&b.0));
        let (first, log) = failures[0].clone();
        return Err(Error::Compile {
            variant: label.to_string(),
            count: failures.len(),
            first,
            log: log.lines().take(20).collect::<Vec<_>>().join("\n"),
        });
    }
    let compiled = compiled.into_inner();
    Ok(Stats {
        compiled,
        reused: total - compiled,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn depfile_with_continuations_and_escaped_spaces() {
        let d = "a.o: a.c /x/b.h \\\n  /y/c\\ d.h\n/x/b.h:\n";
        assert_eq!(super::parse_depfile(d), vec!["a.c", "/x/b.h", "/y/c d.h"]);
    }
}

//! Locating the real wasm-ld.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use wasit2_sysroot::tools::{DEFAULT_LLVM_BIN, ENV_WASM_LD};

/// The LLVM release whose tools we look for by versioned name.
const LLVM_MAJOR: &str = "22";

/// The older name of [`ENV_WASM_LD`], still honoured after it.
const ENV_WASM_LD_OLD: &str = "WASM_LD";

/// A wasm-ld to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WasmLd {
    pub program: PathBuf,
    /// Arguments that select the wasm flavor (`-flavor wasm` for rust-lld).
    pub leading_args: Vec<OsString>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FindError {
    #[error("wasm-ld not found at {0} (from --wasm-ld-path)")]
    ExplicitMissing(PathBuf),
    #[error("wasm-ld not found at {1} (from ${0})")]
    EnvMissing(&'static str, PathBuf),
    #[error(
        "wasm-ld not found: install lld-{LLVM_MAJOR}, put wasm-ld on PATH, or pass --wasm-ld-path"
    )]
    NotFound,
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// A candidate is usable if it exists and is not wasit-ld itself (someone may
/// have installed wasit-ld under the name `wasm-ld`; running it would recurse).
fn usable(p: &Path) -> bool {
    if !is_executable(p) {
        return false;
    }
    let me = std::env::current_exe().and_then(|e| e.canonicalize()).ok();
    me.is_none() || p.canonicalize().ok() != me
}

fn on_path(name: &str, path: Option<&OsString>) -> Option<PathBuf> {
    std::env::split_paths(path?)
        .filter(|d| !d.as_os_str().is_empty())
        .map(|d| d.join(name))
        .find(|p| usable(p))
}

/// Finds wasm-ld: `--wasm-ld-path`, then `$WASIT2_WASM_LD` (the variable
/// every wasit2 tool reads, `wasit2_sysroot::tools`) or its older name
/// `$WASM_LD`, then `wasm-ld` /
/// `wasm-ld-22` on PATH, then next to clang (LLVM's bin directory, or the
/// real location of a `clang` on PATH), then rustc's bundled `rust-lld`.
/// An explicitly given path that does not exist is an error, never silently
/// replaced by another linker.
pub fn find_wasm_ld(explicit: Option<&Path>) -> Result<WasmLd, FindError> {
    let plain = |program: PathBuf| WasmLd {
        program,
        leading_args: Vec::new(),
    };
    if let Some(p) = explicit {
        return if is_executable(p) {
            Ok(plain(p.to_path_buf()))
        } else {
            Err(FindError::ExplicitMissing(p.into()))
        };
    }
    let from_env = [ENV_WASM_LD, ENV_WASM_LD_OLD]
        .into_iter()
        .find_map(|env| Some((env, std::env::var_os(env).filter(|v| !v.is_empty())?)));
    if let Some((env, p)) = from_env {
        let p = PathBuf::from(p);
        // A bare name in $WASM_LD is looked up on PATH.
        let resolved = if p.components().count() == 1 {
            on_path(&p.to_string_lossy(), std::env::var_os("PATH").as_ref())
        } else {
            Some(p.clone()).filter(|p| is_executable(p))
        };
        return resolved.map(plain).ok_or(FindError::EnvMissing(env, p));
    }
    let path = std::env::var_os("PATH");
    for name in ["wasm-ld".to_string(), format!("wasm-ld-{LLVM_MAJOR}")] {
        if let Some(p) = on_path(&name, path.as_ref()) {
            return Ok(plain(p));
        }
    }
    let mut clang_dirs = vec![PathBuf::from(DEFAULT_LLVM_BIN)];
    for clang in ["clang".to_string(), format!("clang-{LLVM_MAJOR}")] {
        if let Some(c) = on_path(&clang, path.as_ref()) {
            clang_dirs.extend(c.parent().map(Path::to_path_buf));
            // /usr/bin/clang-22 is a symlink into /usr/lib/llvm-22/bin.
            clang_dirs.extend(
                c.canonicalize()
                    .ok()
                    .and_then(|r| r.parent().map(Path::to_path_buf)),
            );
        }
    }
    for dir in clang_dirs {
        for name in ["wasm-ld".to_string(), format!("wasm-ld-{LLVM_MAJOR}")] {
            let p = dir.join(name);
            if usable(&p) {
                return Ok(plain(p));
            }
        }
    }
    rust_lld().ok_or(FindError::NotFound)
}

fn rust_lld() -> Option<WasmLd> {
    let out = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let sysroot = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    let rustlib = sysroot.join("lib/rustlib");
    let mut hosts: Vec<PathBuf> = std::fs::read_dir(&rustlib)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    hosts.sort();
    hosts
        .into_iter()
        .map(|h| h.join("bin/rust-lld"))
        .find(|p| usable(p))
        .map(|program| WasmLd {
            program,
            leading_args: vec!["-flavor".into(), "wasm".into()],
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_path_must_exist() {
        assert_eq!(
            find_wasm_ld(Some(Path::new("/nonexistent/wasm-ld"))),
            Err(FindError::ExplicitMissing("/nonexistent/wasm-ld".into()))
        );
    }

    #[test]
    fn rust_lld_is_invoked_as_wasm_flavor() {
        // Present in every rustup toolchain; if this machine has none the
        // fallback simply does not apply.
        if let Some(l) = rust_lld() {
            assert!(l.program.ends_with("rust-lld"));
            assert_eq!(l.leading_args, ["-flavor", "wasm"]);
        }
    }
}

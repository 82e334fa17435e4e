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

/// The mark of a path relative to wasit-ld's sysroot, as GNU ld's `=`
/// sysroot prefix: `-L=/lib/wasm32-wasit2`, `=/lib/wasm32-wasit2/crt1-command.o`.
/// The rustc target specs of an installed prefix use it, so that the
/// prefix can be moved: rustc has no way to say "relative to this spec".
const SYSROOT_MARK: &str = "=/";

/// Errors resolving `=`-relative paths.
#[derive(Debug, thiserror::Error)]
#[error("`{arg}` is relative to the wasit2 sysroot, which was not found: {reason}")]
pub struct SysrootArgError {
    arg: String,
    reason: String,
}

/// `args` with every sysroot-relative path ([`SYSROOT_MARK`]: an input,
/// `-L=/DIR`, or the value after a separate `-L`) made absolute against the
/// wasit2 sysroot wasit-ld finds for itself (`$WASIT2_SYSROOT`, else
/// `<wasit-ld's dir>/../share/wasit2-sysroot`, else the checkout's; see
/// `wasit2_sysroot::tools::default_sysroot`). Other arguments are unchanged,
/// and the sysroot is only looked for when one needs it.
pub fn resolve_sysroot_args(args: Vec<OsString>) -> Result<Vec<OsString>, SysrootArgError> {
    resolve_sysroot_args_in(args, || {
        wasit2_sysroot::tools::default_sysroot().map_err(|e| e.to_string())
    })
}

fn resolve_sysroot_args_in(
    args: Vec<OsString>,
    find_sysroot: impl FnOnce() -> Result<PathBuf, String>,
) -> Result<Vec<OsString>, SysrootArgError> {
    let mut find_sysroot = Some(find_sysroot);
    let relative = |a: &OsString| {
        a.to_str().and_then(|s| {
            let (flag, rest) = match s.strip_prefix("-L") {
                Some(rest) => ("-L", rest),
                None => ("", s),
            };
            rest.strip_prefix(SYSROOT_MARK)
                .map(|tail| (flag, tail.to_string()))
        })
    };
    if !args.iter().any(|a| relative(a).is_some()) {
        return Ok(args);
    }
    let mut sysroot = None;
    args.into_iter()
        .map(|a| {
            let Some((flag, tail)) = relative(&a) else {
                return Ok(a);
            };
            if let Some(find) = find_sysroot.take() {
                sysroot = Some(find().map_err(|reason| SysrootArgError {
                    arg: a.to_string_lossy().into_owned(),
                    reason,
                })?);
            }
            let path = sysroot.as_ref().expect("found above").join(tail);
            let mut out = OsString::from(flag);
            out.push(path);
            Ok(out)
        })
        .collect()
}

#[cfg(test)]
mod sysroot_arg_tests {
    use super::*;

    #[test]
    fn marked_paths_resolve_against_the_sysroot_and_others_stay() {
        let sysroot = PathBuf::from("/opt/w2/share/wasit2-sysroot");
        let args: Vec<OsString> = [
            "-L=/lib/wasm32-wasit2",
            "=/lib/wasm32-wasit2/crt1-command.o",
            "-L",
            "=/lib/x",
            "main.o",
            "-L/abs/lib",
            "--export=a=b",
            "=notmarked",
        ]
        .into_iter()
        .map(OsString::from)
        .collect();
        let out = resolve_sysroot_args_in(args, || Ok(sysroot.clone())).unwrap();
        let s = sysroot.display();
        let want: Vec<OsString> = [
            format!("-L{s}/lib/wasm32-wasit2"),
            format!("{s}/lib/wasm32-wasit2/crt1-command.o"),
            "-L".into(),
            format!("{s}/lib/x"),
            "main.o".into(),
            "-L/abs/lib".into(),
            "--export=a=b".into(),
            "=notmarked".into(),
        ]
        .into_iter()
        .map(OsString::from)
        .collect();
        assert_eq!(out, want);
    }

    #[test]
    fn the_sysroot_is_looked_for_only_when_needed() {
        let plain: Vec<OsString> = vec!["main.o".into(), "-L/x".into()];
        let out = resolve_sysroot_args_in(plain.clone(), || panic!("not needed"));
        assert_eq!(out.unwrap(), plain);
        let e =
            resolve_sysroot_args_in(vec!["-L=/lib/t".into()], || Err("gone".into())).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`-L=/lib/t` is relative to the wasit2 sysroot, which was not found: gone"
        );
    }
}

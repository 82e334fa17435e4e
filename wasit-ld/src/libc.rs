//! Which libc a Rust program links: for `wasm32-wasip1` and `wasm32-wasip2`
//! (on wasip2 only when the sysroot has the wasit2 libc, unless the program
//! also imports preview 1 functions) rustc
//! passes rustup's self-contained wasi-libc and crt1; a wasit2 module gets
//! the wasit2 sysroot's instead, whose p1 layer also serves the program's
//! own `wasi_snapshot_preview1` imports through the prebuilt provider
//! library ([`PROVIDER_LIB`], built by `wasit2 sysroot build`). Nothing is
//! compiled at link time.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use wasit2_sysroot::layout::{lib_dir, PROVIDER_LIB};

/// The target whose libc the wasit2 sysroot always replaces.
const WASIP1_TARGET: &str = "wasm32-wasip1";
/// The target whose libc the wasit2 sysroot replaces when it has one (and
/// must, when the program also imports preview 1 functions: one libc and
/// one descriptor table for both).
const WASIP2_TARGET: &str = "wasm32-wasip2";
/// The wasit2 sysroot target whose libc a wasip1 program gets.
const WASIT2_TARGET: &str = "wasm32-wasit2";

#[derive(Debug, thiserror::Error)]
pub enum LibcError {
    #[error("serving WASI preview 1 imports needs the wasit2 sysroot: {0}")]
    Sysroot(String),
    #[error("serving WASI preview 1 imports needs the wasit2 libc, not found in {0}; run `wasit2 sysroot build` or set WASIT2_SYSROOT")]
    MissingLibc(PathBuf),
    #[error("serving WASI preview 1 imports needs the wasip1 import provider {PROVIDER_LIB}, not found in {0}; run `wasit2 sysroot build`")]
    MissingProvider(PathBuf),
}

/// How a wasm-ld argument refers to rustup's self-contained directory of a
/// target (its wasi-libc and crt1 objects).
#[derive(Debug, PartialEq, Eq)]
pub enum SelfContainedArg<'a> {
    /// The directory itself: `-LDIR` (`flag` is `-L`) or the `DIR` of
    /// `-L DIR`, which arrives as an argument of its own (`flag` is empty).
    Dir { flag: &'static str },
    /// A file directly in it, by name.
    File(&'a OsStr),
}

/// Whether `arg` names rustup's `<target>/lib/self-contained` directory or
/// a file in it; `None` otherwise.
pub fn rustup_self_contained<'a>(arg: &'a OsString, target: &str) -> Option<SelfContainedArg<'a>> {
    let dir = format!("{target}/lib/self-contained");
    let path = Path::new(arg);
    let text = arg.to_string_lossy();
    if let Some(rest) = text.strip_prefix("-L").filter(|rest| !rest.is_empty()) {
        return Path::new(rest)
            .ends_with(&dir)
            .then_some(SelfContainedArg::Dir { flag: "-L" });
    }
    if path.ends_with(&dir) {
        return Some(SelfContainedArg::Dir { flag: "" });
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if parent.ends_with(&dir) => Some(SelfContainedArg::File(name)),
        _ => None,
    }
}

/// `forward` (wasm-ld arguments) with rustup's self-contained `target`
/// crt1 objects and library directory replaced by `lib_dir`'s. `None` when
/// they link no such thing.
fn swap_args(forward: &[OsString], target: &str, lib_dir: &Path) -> Option<Vec<OsString>> {
    let mut swapped = false;
    let out = forward
        .iter()
        .map(|arg| match rustup_self_contained(arg, target) {
            Some(SelfContainedArg::Dir { flag }) => {
                swapped = true;
                OsString::from(format!("{flag}{}", lib_dir.display()))
            }
            Some(SelfContainedArg::File(name)) if name.to_string_lossy().starts_with("crt1") => {
                swapped = true;
                lib_dir.join(name).into_os_string()
            }
            _ => arg.clone(),
        })
        .collect();
    swapped.then_some(out)
}

/// A link moved onto (or already on) the wasit2 libc.
#[derive(Debug, Clone)]
pub struct Swapped {
    /// The wasm-ld arguments to use instead of the caller's.
    pub forward: Vec<OsString>,
    /// `<sysroot>/lib/wasm32-wasit2`, which holds libc and the provider.
    pub lib_dir: PathBuf,
}

/// If `forward` links rustc's self-contained `wasm32-wasip1` wasi-libc, the
/// same link against the wasit2 sysroot ([`default_sysroot`]); `None` when
/// there is nothing to swap. The sysroot must hold the wasit2 libc.
pub fn swap_wasip1_libc(forward: &[OsString]) -> Result<Option<Swapped>, LibcError> {
    swap_rustup_libc(forward, WASIP1_TARGET)
}

/// If `forward` links rustc's self-contained `wasm32-wasip2` wasi-libc and
/// the wasit2 sysroot holds its libc, the same link on the wasit2 libc.
/// `None` otherwise: rustup's libc is then kept and its imports bridged.
pub fn swap_wasip2_libc(forward: &[OsString]) -> Option<Swapped> {
    swap_rustup_libc(forward, WASIP2_TARGET).ok().flatten()
}

/// The libc under a `wasm32-wasip2` module that also imports preview 1
/// functions, so that the wasit2 libc's p1 layer serves them over the same
/// descriptor table as everything else: rustup's self-contained wasip2
/// libc swapped for the wasit2 sysroot's, or, when the link already uses
/// a wasit2 libc (the wasit2 target specs), that one, found by its `-L`
/// directory (`lib_dirs`). `None` when neither applies.
pub fn wasit2_libc_for_p1(
    forward: &[OsString],
    lib_dirs: &[PathBuf],
) -> Result<Option<Swapped>, LibcError> {
    if let Some(swapped) = swap_rustup_libc(forward, WASIP2_TARGET)? {
        return Ok(Some(swapped));
    }
    Ok(lib_dirs
        .iter()
        .find(|dir| dir.join("libc.a").is_file() && dir.join(PROVIDER_LIB).is_file())
        .map(|dir| Swapped {
            forward: forward.to_vec(),
            lib_dir: dir.clone(),
        }))
}

fn swap_rustup_libc(forward: &[OsString], target: &str) -> Result<Option<Swapped>, LibcError> {
    if !forward
        .iter()
        .any(|a| rustup_self_contained(a, target).is_some())
    {
        return Ok(None);
    }
    let lib_dir = lib_dir(&default_sysroot()?, WASIT2_TARGET);
    let Some(forward) = swap_args(forward, target, &lib_dir) else {
        return Ok(None);
    };
    if !lib_dir.join("libc.a").is_file() {
        return Err(LibcError::MissingLibc(lib_dir));
    }
    Ok(Some(Swapped { forward, lib_dir }))
}

/// The wasit2 sysroot: `$WASIT2_SYSROOT`, else the checkout's
/// `build/sysroot` (where `wasit2 sysroot build` writes it).
pub fn default_sysroot() -> Result<PathBuf, LibcError> {
    wasit2_sysroot::tools::default_sysroot().map_err(|e| LibcError::Sysroot(e.to_string()))
}

/// The prebuilt provider of the program's p1 imports in `lib_dir`.
pub fn provider_lib(lib_dir: &Path) -> Result<PathBuf, LibcError> {
    let lib = lib_dir.join(PROVIDER_LIB);
    match lib.is_file() {
        true => Ok(lib),
        false => Err(LibcError::MissingProvider(lib_dir.to_path_buf())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SC: &str = "/r/lib/rustlib/wasm32-wasip1/lib/self-contained";

    #[test]
    fn rustc_wasip1_link_arguments_get_the_wasit2_libc() {
        let args: Vec<OsString> = [
            "-flavor",
            "wasm",
            &format!("{SC}/crt1-command.o"),
            "main.o",
            "-l",
            "c",
            "-L",
            SC,
            &format!("-L{SC}"),
        ]
        .iter()
        .map(OsString::from)
        .collect();
        let lib = Path::new("/s/lib/wasm32-wasit2");
        let out: Vec<String> = swap_args(&args, WASIP1_TARGET, lib)
            .expect("swapped")
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            out,
            [
                "-flavor",
                "wasm",
                "/s/lib/wasm32-wasit2/crt1-command.o",
                "main.o",
                "-l",
                "c",
                "-L",
                "/s/lib/wasm32-wasit2",
                "-L/s/lib/wasm32-wasit2"
            ]
        );
        // A wasit2 or wasip2 link is left alone.
        let p2: Vec<OsString> = [
            "/r/lib/rustlib/wasm32-wasip2/lib/self-contained/crt1-command.o",
            "main.o",
        ]
        .iter()
        .map(OsString::from)
        .collect();
        assert!(swap_args(&p2, WASIP1_TARGET, lib).is_none());
        assert!(swap_wasip1_libc(&p2).unwrap().is_none());
        // ... unless it also imports p1 functions (then its crt1 is swapped too).
        let out = swap_args(&p2, WASIP2_TARGET, lib).expect("swapped");
        assert_eq!(out[0], *"/s/lib/wasm32-wasit2/crt1-command.o");
    }

    #[test]
    fn leaves_other_links_alone() {
        let forward: Vec<OsString> = ["-L/usr/lib", "main.o"].map(OsString::from).to_vec();
        assert_eq!(swap_args(&forward, WASIP1_TARGET, Path::new("/s")), None);
        assert!(swap_wasip1_libc(&forward).unwrap().is_none());
    }

    #[test]
    fn a_spec_link_keeps_its_wasit2_libc_for_p1_imports() {
        let sysroot = tempfile::tempdir().unwrap();
        let lib = sysroot.path().join("lib/wasm32-wasit2");
        std::fs::create_dir_all(&lib).unwrap();
        std::fs::write(lib.join("libc.a"), "").unwrap();
        let forward: Vec<OsString> = ["main.o", "-lc"].map(OsString::from).to_vec();
        let dirs = [PathBuf::from("/nowhere"), lib.clone()];
        // Without the provider that directory cannot serve p1 imports.
        assert!(wasit2_libc_for_p1(&forward, &dirs).unwrap().is_none());
        std::fs::write(lib.join(PROVIDER_LIB), "").unwrap();
        let kept = wasit2_libc_for_p1(&forward, &dirs).unwrap().expect("found");
        assert_eq!(kept.forward, forward);
        assert_eq!(kept.lib_dir, lib);
    }

    #[test]
    fn a_missing_provider_names_the_sysroot_build() {
        let dir = tempfile::tempdir().unwrap();
        let err = provider_lib(dir.path()).unwrap_err().to_string();
        assert!(!err.contains('\n'), "{err}");
        assert!(err.contains("`wasit2 sysroot build`"), "{err}");
    }
}

//! Locating the LLVM tools, the repository and the default paths.
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The LLVM bin directory Debian's llvm-22 packages install into.
pub const DEFAULT_LLVM_BIN: &str = "/usr/lib/llvm-22/bin";

/// The environment variables that name a tool, for every wasit2 program:
/// the builder reads the LLVM ones, wasit-ld `WASIT2_WASM_LD`.
pub const ENV_CLANG: &str = "WASIT2_CLANG";
pub const ENV_WASM_LD: &str = "WASIT2_WASM_LD";
pub const ENV_LLVM_AR: &str = "WASIT2_LLVM_AR";
pub const ENV_LLVM_NM: &str = "WASIT2_LLVM_NM";

/// The LLVM tools the builder runs.
#[derive(Debug, Clone)]
pub struct Tools {
    pub clang: PathBuf,
    pub ar: PathBuf,
    pub nm: PathBuf,
}

impl Tools {
    /// Finds clang, llvm-ar and llvm-nm with [`find_tool`].
    pub fn find(llvm_bin: Option<&Path>) -> Result<Tools> {
        let bin = llvm_bin
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_LLVM_BIN));
        Ok(Tools {
            clang: find_tool("clang", ENV_CLANG, &bin)?,
            ar: find_tool("llvm-ar", ENV_LLVM_AR, &bin)?,
            nm: find_tool("llvm-nm", ENV_LLVM_NM, &bin)?,
        })
    }
}

/// An LLVM tool: `$env` (e.g. [`ENV_CLANG`]), then `bin/<name>` (`bin` is
/// usually [`DEFAULT_LLVM_BIN`]), then `<name>-22` on PATH.
pub fn find_tool(name: &'static str, env: &'static str, bin: &Path) -> Result<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        return Ok(PathBuf::from(p));
    }
    let in_bin = bin.join(name);
    if in_bin.is_file() {
        return Ok(in_bin);
    }
    if let Some(p) = search_path(&format!("{name}-22")) {
        return Ok(p);
    }
    Err(Error::ToolNotFound(name, env))
}

/// Looks a program up on PATH.
pub fn search_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The repository root: `WASIT2_ROOT`, else the nearest ancestor of the
/// current directory or of the running executable that holds `sysroot/Cargo.toml`
/// next to a `Cargo.toml`. Never the build machine's source path for a
/// binary outside the checkout: an installed copy must not depend on it.
pub fn repo_root() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("WASIT2_ROOT") {
        return Some(PathBuf::from(p));
    }
    let looks_like_root =
        |d: &Path| d.join("Cargo.toml").is_file() && d.join("sysroot").join("Cargo.toml").is_file();
    let mut starts = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        starts.push(cwd);
    }
    if let Ok(exe) = std::env::current_exe() {
        starts.push(exe.canonicalize().unwrap_or(exe));
    }
    for start in starts {
        if let Some(root) = start.ancestors().find(|d| looks_like_root(d)) {
            return Some(root.to_path_buf());
        }
    }
    None
}

/// Default wasi-libc tree: `<repo>/.tools/wasi-libc`.
pub fn default_wasi_libc() -> Result<PathBuf> {
    repo_root()
        .map(|r| r.join(".tools").join("wasi-libc"))
        .ok_or_else(|| {
            Error::Invalid("cannot locate the wasit2 repository; pass --wasi-libc DIR".into())
        })
}

/// Default sysroot: `$WASIT2_SYSROOT` (when set and not empty), else the
/// installed tree's `<exe dir>/../share/wasit2-sysroot` (`wasit2 install
/// --prefix`), else `<repo>/build/sysroot` when running from a checkout.
pub fn default_sysroot() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("WASIT2_SYSROOT").filter(|p| !p.is_empty()) {
        return Ok(absolute(Path::new(&p)));
    }
    if let Some(p) = installed_sysroot() {
        return Ok(p);
    }
    repo_root()
        .map(|r| r.join("build").join("sysroot"))
        .ok_or_else(|| {
            Error::Invalid(
                "cannot locate the wasit2 sysroot (no <exe dir>/../share/wasit2-sysroot and no \
                 checkout); pass --out DIR or set WASIT2_SYSROOT"
                    .into(),
            )
        })
}

/// `<exe dir>/../share/wasit2-sysroot` of the running binary, when it exists.
pub fn installed_sysroot() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let exe = exe.canonicalize().unwrap_or(exe);
    let p = exe.parent()?.parent()?.join("share").join("wasit2-sysroot");
    p.is_dir().then_some(p)
}

/// The layer directory shipped in the repository (`<repo>/sysroot/layer`).
pub fn default_layer_dir() -> Option<PathBuf> {
    repo_root().map(|r| r.join("sysroot").join("layer"))
}

/// Our own overlay files (wasm64 arch bits), next to this crate.
pub fn overlay_dir() -> PathBuf {
    if let Some(root) = repo_root() {
        let p = root.join("sysroot");
        if p.join("arch").is_dir() {
            return p;
        }
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Makes a path absolute without resolving symlinks (the path may not exist yet).
pub fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

/// Number of parallel jobs to use when the caller does not say.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

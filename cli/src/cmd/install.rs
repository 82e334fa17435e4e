//! `wasit2 install`: clang config files so `clang-22 --target=wasm32-wasit2`
//! (and wasm64-wasit2, and the `-mvp`/`-lime1` CPU variants) use the wasit2 sysroot
//! and wasit-ld, plus the rustc target specs for wasm32/wasm64-wasit2; or,
//! with `--prefix`, a relocatable toolchain tree laid out like wasi-sdk.
//!
//! Every file written is recorded in a manifest (`<prefix>/share/wasit2/installed.txt`,
//! or `~/.local/share/wasit2/installed.txt` for the configs next to clang),
//! which `wasit2 uninstall` reads.
use anyhow::Context;
use std::path::{Path, PathBuf};
use wasit2_sysroot::install::{
    install, install_prefix, read_manifest, uninstall, write_manifest, InstallOptions,
    PrefixOptions, PREFIX_MANIFEST,
};
use wasit2_sysroot::{tools, Variant};

#[derive(clap::Args)]
pub struct Args {
    /// Install a relocatable toolchain into DIR: bin/ (wasit2, wasit-ld,
    /// <target>-clang{,++} and their clang configs), share/wasit2-sysroot,
    /// share/cmake, share/rust-targets.
    #[arg(long, value_name = "DIR")]
    prefix: Option<PathBuf>,
    /// Write the clang configs into the LLVM bin dir (so plain
    /// `clang-22 --target=wasm32-wasit2` works). The default without
    /// --prefix; with --prefix the configs point at the prefix.
    #[arg(long)]
    clang_config: bool,
    /// LLVM bin directory clang-22 lives in (config files go there).
    #[arg(long, value_name = "DIR", default_value = tools::DEFAULT_LLVM_BIN)]
    llvm_bin: PathBuf,
    /// Sysroot to use [default: $WASIT2_SYSROOT, <exe dir>/../share/wasit2-sysroot
    /// or <repo>/build/sysroot]
    #[arg(long, value_name = "DIR")]
    sysroot: Option<PathBuf>,
    /// wasit-ld to link with [default: next to this wasit2, else on PATH]
    #[arg(long, value_name = "FILE")]
    wasit_ld: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct UninstallArgs {
    /// Remove what `wasit2 install --prefix DIR` put into DIR
    /// [default: what `wasit2 install` put next to clang].
    #[arg(long, value_name = "DIR")]
    prefix: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let sysroot = match &args.sysroot {
        Some(s) => tools::absolute(s),
        None => tools::default_sysroot().context("locating the sysroot")?,
    };
    let wasit_ld = match &args.wasit_ld {
        Some(p) => tools::absolute(p),
        None => find_next_to_us("wasit-ld").context("locating wasit-ld (pass --wasit-ld)")?,
    };
    let Some(prefix) = &args.prefix else {
        return clang_config(&args, sysroot, wasit_ld);
    };
    let prefix = tools::absolute(prefix);
    let exe = std::env::current_exe().context("locating this wasit2")?;
    let opts = PrefixOptions {
        prefix: prefix.clone(),
        sysroot,
        wasit2: exe.canonicalize().unwrap_or(exe),
        wasit_ld,
        clang_wrapper: find_next_to_us("wasit2-clang")
            .context("locating wasit2-clang (cargo build -p wasit2-cli)")?,
        variants: Variant::all(),
    };
    let installed =
        install_prefix(&opts).with_context(|| format!("installing into {}", prefix.display()))?;
    eprintln!(
        "[install] {} files and directories into {} (listed in {})",
        installed.len(),
        prefix.display(),
        prefix.join(PREFIX_MANIFEST).display()
    );
    if args.clang_config {
        let bin = prefix.join("bin");
        clang_config(
            &args,
            prefix.join("share").join("wasit2-sysroot"),
            bin.join("wasit-ld"),
        )?;
    }
    Ok(0)
}

/// Today's install: configs next to clang, rustc specs in the sysroot.
fn clang_config(args: &Args, sysroot: PathBuf, wasit_ld: PathBuf) -> anyhow::Result<i32> {
    let specs = wasit2_sysroot::rust_target::install_specs(&sysroot, &wasit_ld)
        .context("installing the rustc target specs")?;
    let opts = InstallOptions {
        llvm_bin: args.llvm_bin.clone(),
        sysroot,
        wasit_ld,
        variants: Variant::all(),
    };
    let report = install(&opts).context("installing the clang target")?;
    for s in &specs {
        eprintln!("[install] {} (rustc --target)", s.display());
    }
    for w in &report.warnings {
        eprintln!("wasit2: warning: {w}");
    }
    for c in &report.configs {
        eprintln!("[install] {}", c.display());
    }
    for (link, to) in &report.builtins {
        eprintln!("[install] {} -> {}", link.display(), to.display());
    }
    // Record what we wrote, added to what earlier installs recorded.
    let manifest = user_manifest()?;
    let mut entries = if manifest.is_file() {
        read_manifest(&manifest).context("reading the install manifest")?
    } else {
        Vec::new()
    };
    let new = report
        .configs
        .iter()
        .chain(report.builtins_created.iter())
        .chain(specs.iter());
    for p in new {
        if !entries.contains(p) {
            entries.push(p.clone());
        }
    }
    write_manifest(&manifest, &entries)
        .with_context(|| format!("writing {}", manifest.display()))?;
    Ok(0)
}

pub fn run_uninstall(args: UninstallArgs) -> anyhow::Result<i32> {
    let (manifest, base) = match &args.prefix {
        Some(p) => {
            let p = tools::absolute(p);
            (p.join(PREFIX_MANIFEST), p)
        }
        None => (user_manifest()?, PathBuf::from("/")),
    };
    if !manifest.is_file() {
        anyhow::bail!(
            "nothing to uninstall: {} does not exist",
            manifest.display()
        );
    }
    let removed = uninstall(&manifest, &base)
        .with_context(|| format!("uninstalling what {} lists", manifest.display()))?;
    for r in &removed {
        eprintln!("[uninstall] {}", r.display());
    }
    Ok(0)
}

/// `$XDG_DATA_HOME/wasit2/installed.txt`, else `~/.local/share/wasit2/installed.txt`.
fn user_manifest() -> anyhow::Result<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".local").join("share")))
        .context("neither XDG_DATA_HOME nor HOME is set")?;
    Ok(data.join("wasit2").join("installed.txt"))
}

/// A program installed next to this wasit2, else on PATH.
fn find_next_to_us(name: &str) -> anyhow::Result<PathBuf> {
    if let Ok(exe) = std::env::current_exe() {
        let exe = exe.canonicalize().unwrap_or(exe);
        if let Some(p) = exe.parent().map(|d| d.join(name)).filter(|p| p.is_file()) {
            return Ok(p);
        }
    }
    tools::search_path(name)
        .map(|p| p.canonicalize().unwrap_or(p))
        .filter(|p: &PathBuf| p.is_file() && Path::new(p).is_absolute())
        .ok_or_else(|| anyhow::anyhow!("{name} not found next to wasit2 or on PATH"))
}

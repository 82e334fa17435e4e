//! `wasit2 install`: clang config files so `clang-22 --target=wasm32-wasit2`
//! (and wasm64-wasit2, and the `-mvp`/`-lime1` CPU variants) use the wasit2 sysroot
//! and wasit-ld, plus the rustc target specs for wasm32/wasm64-wasit2.
use anyhow::Context;
use std::path::{Path, PathBuf};
use wasit2_sysroot::install::{install, InstallOptions};
use wasit2_sysroot::{tools, Variant};

#[derive(clap::Args)]
pub struct Args {
    /// LLVM bin directory clang-22 lives in (config files go there).
    #[arg(long, value_name = "DIR", default_value = tools::DEFAULT_LLVM_BIN)]
    llvm_bin: PathBuf,
    /// Sysroot to use [default: $WASIT2_SYSROOT or <repo>/build/sysroot]
    #[arg(long, value_name = "DIR")]
    sysroot: Option<PathBuf>,
    /// wasit-ld to link with [default: next to this wasit2, else on PATH]
    #[arg(long, value_name = "FILE")]
    wasit_ld: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let sysroot = match args.sysroot {
        Some(s) => tools::absolute(&s),
        None => tools::default_sysroot().context("locating the sysroot")?,
    };
    let wasit_ld = match args.wasit_ld {
        Some(p) => tools::absolute(&p),
        None => find_wasit_ld().context("locating wasit-ld (pass --wasit-ld)")?,
    };
    let specs = wasit2_sysroot::rust_target::install_specs(&sysroot, &wasit_ld)
        .context("installing the rustc target specs")?;
    let opts = InstallOptions {
        llvm_bin: args.llvm_bin,
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
    Ok(0)
}

fn find_wasit_ld() -> anyhow::Result<PathBuf> {
    if let Ok(exe) = std::env::current_exe() {
        let exe = exe.canonicalize().unwrap_or(exe);
        if let Some(p) = exe
            .parent()
            .map(|d| d.join("wasit-ld"))
            .filter(|p| p.is_file())
        {
            return Ok(p);
        }
    }
    tools::search_path("wasit-ld")
        .map(|p| p.canonicalize().unwrap_or(p))
        .filter(|p: &PathBuf| p.is_file() && Path::new(p).is_absolute())
        .ok_or_else(|| anyhow::anyhow!("wasit-ld not found next to wasit2 or on PATH"))
}

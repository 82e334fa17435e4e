//! `wasit2 check`: reports what keeps a linked module from running on a host.

use std::path::PathBuf;

use anyhow::Context;
use wasit2_check::{check, CheckOptions, HostProfile, STRICT_MVP};

#[derive(clap::Args)]
pub struct Args {
    /// Host profile: `wasit2`, `wasip1`, or PATH[:WORLD] of a WIT file or
    /// directory describing the host's world.
    #[arg(long, default_value = "wasit2")]
    host: String,
    /// Reject WASI functions introduced after this version (WIT `@since`).
    #[arg(long, value_name = "X.Y.Z")]
    wasi_version: Option<String>,
    /// Accept only WebAssembly 1.0 (MVP) encodings, whatever the profile allows.
    #[arg(long)]
    mvp: bool,
    /// The linked core module to check.
    module: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let wasi_version = args
        .wasi_version
        .as_deref()
        .map(|v| {
            semver::Version::parse(v)
                .with_context(|| format!("--wasi-version `{v}`: expected X.Y.Z"))
        })
        .transpose()?;
    let profile = HostProfile::parse(&args.host)?;
    let bytes = std::fs::read(&args.module)
        .with_context(|| format!("reading {}", args.module.display()))?;
    let opts = CheckOptions {
        wasi_version,
        features: args.mvp.then_some(STRICT_MVP),
        import_memory: false,
    };
    let report =
        check(&bytes, &profile, &opts).with_context(|| args.module.display().to_string())?;
    if report.is_ok() {
        println!("{}: ok for host {}", args.module.display(), report.host);
        return Ok(0);
    }
    // The same text `wasit-ld --host X` prints when this module fails its link.
    eprint!("{}", report.render());
    Ok(1)
}

//! `wasit2 check`: reports what keeps a linked module from running on a host.

use std::path::PathBuf;

use anyhow::Context;
use wasit2_check::{check, CheckOptions, FeatureSet, HostProfile, STRICT_MVP};

#[derive(clap::Args)]
pub struct Args {
    /// Host profile: `wasit2`, `wasip1`, or PATH[:WORLD] of a WIT file or
    /// directory describing the host's world.
    #[arg(long, default_value = "wasit2")]
    host: String,
    /// A WIT world whose imports the host also serves, PATH[:WORLD]: a
    /// vendor interface its runtime registers as natives (repeatable).
    #[arg(long, value_name = "PATH[:WORLD]")]
    host_world: Vec<String>,
    /// A core import the runtime registers itself, MODULE.FIELD; `*` matches
    /// any run of characters, as in `env.*` (repeatable).
    #[arg(long, value_name = "MODULE.FIELD")]
    host_allow: Vec<String>,
    /// Reject WASI functions introduced after this version (WIT `@since`).
    #[arg(long, value_name = "X.Y.Z")]
    wasi_version: Option<String>,
    /// The host engine's wasm features, named like clang's `-mcpu`: `mvp`
    /// (the 2020 WAMR), `lime1`, or `default` (a current engine). Without
    /// it: `mvp` for p1 hosts, `default` for the others.
    #[arg(long, value_name = "CPU")]
    host_cpu: Option<String>,
    /// Accept only WebAssembly 1.0 (MVP) encodings, whatever the profile allows.
    #[arg(long, conflicts_with = "host_cpu")]
    mvp: bool,
    /// The linked core module to check.
    module: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let wasi_version = super::parse_wasi_version(args.wasi_version.as_deref())?;
    let host_cpu = args
        .host_cpu
        .as_deref()
        .map(|c| {
            FeatureSet::from_cpu(c).with_context(|| {
                format!(
                    "invalid value for `--host-cpu`: unknown CPU `{c}` (expected {})",
                    FeatureSet::CPU_NAMES
                )
            })
        })
        .transpose()?;
    let profile = HostProfile::from_flags(&args.host, &args.host_world, &args.host_allow)?;
    let bytes = std::fs::read(&args.module)
        .with_context(|| format!("reading {}", args.module.display()))?;
    let opts = CheckOptions {
        wasi_version,
        features: args.mvp.then_some(STRICT_MVP).or(host_cpu),
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

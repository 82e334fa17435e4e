//! `wasit2 componentize`: wasit2 core module -> WASI 0.2 component.

use std::path::PathBuf;

use anyhow::Context;

#[derive(clap::Args)]
pub struct Args {
    /// The linked wasit2 module (wasm32).
    input: PathBuf,
    /// Where to write the component.
    #[arg(short, long)]
    output: PathBuf,
    /// Target world, overriding the one the module carries (its
    /// `component-type` or `wasit2-abi` section). A world outside WASI, e.g.
    /// a vendor world from `--wit`, is merged with `wasi:cli/command`; a
    /// module without `wasi:cli/run` (a reactor) gets no `run` export.
    #[arg(long)]
    world: Option<String>,
    /// WIT file or directory with the user's packages, added on top of WASI
    /// 0.2; `--world` may then be a bare name in the last one (repeatable).
    #[arg(long, value_name = "PATH")]
    wit: Vec<PathBuf>,
    /// The oldest WASI 0.2 release the component must run on [default:
    /// 0.2.0, every WASI 0.2 host]. Below 0.2.12, `exit-with-code` is
    /// served by `exit`, so exit statuses other than 0 become 1.
    #[arg(long, value_name = "X.Y.Z")]
    wasi_version: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let module =
        std::fs::read(&args.input).with_context(|| format!("reading {}", args.input.display()))?;
    let wasi_version = super::parse_wasi_version(args.wasi_version.as_deref())?;
    let opts = wasit2_componentize::Options {
        world: args.world,
        wit: args.wit,
        wasi_version,
        ..Default::default()
    };
    let component = wasit2_componentize::componentize_with(&module, &opts)
        .with_context(|| format!("componentizing {}", args.input.display()))?;
    super::write_atomically(&args.output, &component)
        .with_context(|| format!("writing {}", args.output.display()))?;
    Ok(0)
}

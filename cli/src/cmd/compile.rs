//! `wasit2 compile`: compile a wasit2 module ahead of time to a `.cwasm`
//! that `wasit2 run` loads without compiling.

use std::path::PathBuf;

use anyhow::Context;

#[derive(clap::Args)]
pub struct Args {
    /// The wasit2 module.
    module: PathBuf,
    /// Output file (default: the module's name with `.cwasm`).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// The `-W` options the module will be run with: `fuel` and `timeout`
    /// change the compiled code, so a `.cwasm` runs only with the same ones
    /// set (their values do not matter).
    #[arg(short = 'W', value_name = "KEY=VAL")]
    wasm: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let engine = super::run::engine_options(&args.wasm)?;
    let bytes = std::fs::read(&args.module)
        .with_context(|| format!("reading {}", args.module.display()))?;
    let compiled = wasit2_host::compile_module(&bytes, &engine)
        .with_context(|| format!("compiling {}", args.module.display()))?;
    let out = args
        .output
        .unwrap_or_else(|| args.module.with_extension("cwasm"));
    super::write_atomically(&out, &compiled)
        .with_context(|| format!("writing {}", out.display()))?;
    Ok(0)
}

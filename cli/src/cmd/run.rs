//! `wasit2 run`: run a wasit2 module on the wasmtime-based core host.

use std::path::PathBuf;

use anyhow::Context;

#[derive(clap::Args)]
pub struct Args {
    /// Grant access to a host directory: `HOST::GUEST`, or `HOST` for the
    /// same path in the guest (as `wasmtime run --dir`).
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    dirs: Vec<String>,
    /// Set an environment variable for the guest (`K=V`, or `K` to pass
    /// the host's value).
    #[arg(long = "env", value_name = "NAME[=VAL]")]
    envs: Vec<String>,
    /// Pass the whole host environment to the guest.
    #[arg(long = "inherit-env")]
    inherit_env: bool,
    /// The wasit2 module.
    module: PathBuf,
    /// Arguments for the module (argv[1..]).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let bytes = std::fs::read(&args.module)
        .with_context(|| format!("reading {}", args.module.display()))?;
    let mut opts = wasit2_host::RunOptions {
        args: std::iter::once(args.module.display().to_string())
            .chain(args.args)
            .collect(),
        inherit_env: args.inherit_env,
        ..Default::default()
    };
    for d in &args.dirs {
        let (host, guest) = d.split_once("::").unwrap_or((d, d));
        opts.dirs.push((host.to_string(), guest.to_string()));
    }
    for e in &args.envs {
        match e.split_once('=') {
            Some((k, v)) => opts.env.push((k.to_string(), v.to_string())),
            None => opts
                .env
                .push((e.clone(), std::env::var(e).unwrap_or_default())),
        }
    }
    wasit2_host::run_module(&bytes, &opts)
        .with_context(|| format!("running {}", args.module.display()))
}

//! `wasit2 run`: run a wasit2 module on the wasmtime-based core host. The
//! command line follows `wasmtime run`: options before the module, and
//! everything after the module is the guest's.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use wasit2_host::{EngineOptions, Invoked, RunError, RunOptions};

#[derive(clap::Args)]
#[command(override_usage = "wasit2 run [OPTIONS] [--] <MODULE> [ARGS]...")]
pub struct Args {
    /// Grant access to a host directory: `HOST::GUEST`, or `HOST` for the
    /// same path in the guest.
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    dirs: Vec<String>,
    /// Set an environment variable for the guest: `K=V`, or `K` to pass the
    /// host's value (not set if the host has none).
    #[arg(long = "env", value_name = "NAME[=VAL]")]
    envs: Vec<String>,
    /// Pass the whole host environment to the guest (also `-S inherit-env`).
    #[arg(long = "inherit-env")]
    inherit_env: bool,
    /// The guest's argv[0] (default: the module's path as given).
    #[arg(long = "argv0", value_name = "NAME")]
    argv0: Option<String>,
    /// Call this exported function (of a reactor, `-mexec-model=reactor`)
    /// instead of running a command: the module's initializer runs first,
    /// the arguments after the module are its parameters (i32, i64, f32,
    /// f64; integers also as 0x hex), and each result is printed on a line.
    /// A function of the module's WIT world is named `INTERFACE#FUNCTION`
    /// (e.g. `acme:plugin/handler@1.0.0#handle`) and takes WIT values:
    /// strings, list<u8> (the argument's bytes), numbers, bool, char, enums.
    #[arg(long = "invoke", value_name = "FUNCTION")]
    invoke: Option<String>,
    /// WASI options: `inherit-network` (network access; off by default),
    /// `allow-ip-name-lookup`, `inherit-env`; each `KEY[=y|n]`,
    /// comma-separated or repeated.
    #[arg(short = 'S', value_name = "KEY[=VAL]")]
    wasi: Vec<String>,
    /// Limits: `fuel=N`, `max-memory-size=BYTES`, `timeout=DURATION`
    /// (e.g. `10s`, `500ms`); comma-separated or repeated.
    #[arg(short = 'W', value_name = "KEY=VAL")]
    wasm: Vec<String>,
    /// Codegen options: `cache=y|n` (the compile cache, on by default: in
    /// $WASIT2_CACHE_DIR, else ~/.cache/wasit2/modules, at most
    /// $WASIT2_CACHE_MAX_SIZE, default 1G, least recently used dropped).
    #[arg(short = 'C', value_name = "KEY=VAL")]
    codegen: Vec<String>,
    /// The module (`.wasm`, or `.cwasm` from `wasit2 compile`), then the
    /// guest's arguments: everything after the module is passed to it.
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "MODULE"
    )]
    module_and_args: Vec<String>,
}

/// `KEY[=VAL]` items of repeated, comma-separated option values.
fn items(values: &[String]) -> impl Iterator<Item = (&str, Option<&str>)> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .filter(|s| !s.is_empty())
        .map(|s| match s.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (s, None),
        })
}

fn flag(opt: char, key: &str, val: Option<&str>) -> anyhow::Result<bool> {
    match val {
        None | Some("y" | "yes" | "true") => Ok(true),
        Some("n" | "no" | "false") => Ok(false),
        Some(v) => bail!("-{opt} {key}={v}: expected y or n"),
    }
}

fn number<T: std::str::FromStr>(key: &str, val: Option<&str>) -> anyhow::Result<T> {
    let v = val.with_context(|| format!("-W {key} needs a value: -W {key}=N"))?;
    v.replace('_', "")
        .parse()
        .ok()
        .with_context(|| format!("-W {key}={v}: not a number"))
}

/// `10s`, `500ms`, `2m`, `1h`, `250us`, `100ns`.
fn duration(val: Option<&str>) -> anyhow::Result<Duration> {
    let v = val.context("-W timeout needs a value, e.g. -W timeout=10s")?;
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (n, unit) = v.split_at(split);
    let n: u64 = n.parse().ok().with_context(|| {
        format!("-W timeout={v}: expected a number and a unit (ns, us, ms, s, m, h), e.g. 10s")
    })?;
    Ok(match unit {
        "ns" => Duration::from_nanos(n),
        "us" => Duration::from_micros(n),
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        "h" => Duration::from_secs(n.saturating_mul(3600)),
        _ => bail!("-W timeout={v}: expected a number and a unit (ns, us, ms, s, m, h), e.g. 10s"),
    })
}

/// Applies `-W` options (also used by `wasit2 compile`, where only whether
/// fuel and a timeout are set matters).
pub fn apply_wasm_options(values: &[String], opts: &mut RunOptions) -> anyhow::Result<()> {
    for (k, v) in items(values) {
        match k {
            "fuel" => opts.fuel = Some(number(k, v)?),
            "max-memory-size" => opts.max_memory_size = Some(number(k, v)?),
            "timeout" => opts.timeout = Some(duration(v)?),
            _ => bail!("-W {k}: unknown option (known: fuel, max-memory-size, timeout)"),
        }
    }
    Ok(())
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let mut rest = args.module_and_args.into_iter();
    let module = PathBuf::from(rest.next().expect("clap requires the module"));
    let rest: Vec<String> = rest.collect();
    let invoke = args.invoke.map(|name| (name, rest.clone()));
    let mut opts = RunOptions {
        args: std::iter::once(args.argv0.unwrap_or_else(|| module.display().to_string()))
            .chain(rest)
            .collect(),
        inherit_env: args.inherit_env,
        // Like a native executable: the user chose to run this file.
        allow_precompiled: true,
        ..Default::default()
    };
    for (k, v) in items(&args.wasi) {
        let on = flag('S', k, v)?;
        match k {
            "inherit-network" => opts.inherit_network = on,
            "allow-ip-name-lookup" => opts.allow_ip_name_lookup = on,
            "inherit-env" => opts.inherit_env = on,
            _ => bail!(
                "-S {k}: unknown option (known: inherit-network, allow-ip-name-lookup, inherit-env)"
            ),
        }
    }
    apply_wasm_options(&args.wasm, &mut opts)?;
    let mut cache_on = true;
    for (k, v) in items(&args.codegen) {
        match k {
            "cache" => cache_on = flag('C', k, v)?,
            _ => bail!("-C {k}: unknown option (known: cache)"),
        }
    }
    if cache_on {
        opts.cache = wasit2_host::CacheConfig::from_env().map_err(anyhow::Error::msg)?;
    }
    for d in &args.dirs {
        let (host, guest) = d.split_once("::").unwrap_or((d, d));
        opts.dirs.push((host.to_string(), guest.to_string()));
    }
    for e in &args.envs {
        match e.split_once('=') {
            Some((k, v)) => opts.env.push((k.to_string(), v.to_string())),
            // As `wasmtime run`: the host's value, and nothing if unset.
            None => {
                if let Some(v) = std::env::var_os(e) {
                    let v = v
                        .into_string()
                        .map_err(|_| anyhow::anyhow!("--env {e}: the host's value is not UTF-8"))?;
                    opts.env.push((e.clone(), v));
                }
            }
        }
    }
    let bytes = std::fs::read(&module).with_context(|| format!("reading {}", module.display()))?;
    run_bytes(&module, &bytes, &opts, invoke)
}

/// Exit code of a trapped guest, as `wasmtime run` (abort's on Unix).
const TRAP_EXIT: i32 = 134;

/// `--invoke`'s function name and arguments.
type Invoke = (String, Vec<String>);

fn run_bytes(
    module: &Path,
    bytes: &[u8],
    opts: &RunOptions,
    invoke: Option<Invoke>,
) -> anyhow::Result<i32> {
    let ctx = || format!("running {}", module.display());
    let (prepared, outcome) = wasit2_host::prepare_module(bytes, opts).with_context(ctx)?;
    // A log line for tests and for finding out what the cache did.
    if std::env::var_os("WASIT2_CACHE_LOG").is_some_and(|v| !v.is_empty()) {
        eprintln!("wasit2: cache: {outcome}");
    }
    let result = match invoke {
        None => wasit2_host::run_prepared(&prepared, opts),
        Some((name, args)) => {
            wasit2_host::invoke_prepared(&prepared, opts, &name, &args).map(|done| match done {
                Invoked::Returned(results) => {
                    for r in results {
                        println!("{r}");
                    }
                    0
                }
                Invoked::Exited(code) => code,
            })
        }
    };
    match result {
        Err(e @ RunError::Trap { .. }) => {
            eprintln!("wasit2: error: {}: {e}", ctx());
            Ok(TRAP_EXIT)
        }
        other => other.with_context(ctx),
    }
}

/// The engine settings `-W` options imply (for `wasit2 compile`).
pub fn engine_options(wasm: &[String]) -> anyhow::Result<EngineOptions> {
    let mut opts = RunOptions::default();
    apply_wasm_options(wasm, &mut opts)?;
    Ok(opts.engine_options())
}

//! `wasit2 componentize`: wasit2 core module -> WASI 0.2 component.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

#[derive(clap::Args)]
pub struct Args {
    /// The linked wasit2 module (wasm32).
    input: PathBuf,
    /// Where to write the component.
    #[arg(short, long)]
    output: PathBuf,
    /// Target world, overriding the module's `wasit2-abi` section.
    #[arg(long)]
    world: Option<String>,
    /// The oldest WASI 0.2 release the component must run on [default:
    /// 0.2.0, every WASI 0.2 host]. Below 0.2.12, `exit-with-code` is
    /// served by `exit`, so exit statuses other than 0 become 1.
    #[arg(long, value_name = "X.Y.Z")]
    wasi_version: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let module =
        std::fs::read(&args.input).with_context(|| format!("reading {}", args.input.display()))?;
    let wasi_version = args
        .wasi_version
        .as_deref()
        .map(|v| {
            semver::Version::parse(v)
                .with_context(|| format!("--wasi-version `{v}`: expected X.Y.Z"))
        })
        .transpose()?;
    let opts = wasit2_componentize::Options {
        world: args.world,
        wasi_version,
        ..Default::default()
    };
    let component = wasit2_componentize::componentize_with(&module, &opts)
        .with_context(|| format!("componentizing {}", args.input.display()))?;
    write_atomically(&args.output, &component)
        .with_context(|| format!("writing {}", args.output.display()))?;
    Ok(0)
}

/// Writes to a temporary file next to `path` and renames it, so a failure
/// never leaves a half-written output.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

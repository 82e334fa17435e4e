//! `wasit2 bindgen`: C bindings for a WIT world in the wasit2 ABI.

use std::path::PathBuf;

use anyhow::Context;
use wasit2_abi::Wit;

#[derive(clap::Args)]
pub struct Args {
    /// WIT file or directory with the user's packages, added on top of WASI 0.2
    /// (repeatable; later ones may use earlier ones).
    #[arg(long = "wit", value_name = "PATH")]
    wit: Vec<PathBuf>,
    /// World to generate for: a bare name in the last `--wit` package, or a
    /// qualified one such as `wasi:cli/command@0.2.12`.
    #[arg(long, value_name = "NAME")]
    world: String,
    /// Directory to write `<base>.h` and `<base>.c` into.
    #[arg(long, value_name = "DIR", default_value = ".")]
    out_dir: PathBuf,
    /// Base name of the generated files (default: `wasit2_<world>`).
    #[arg(long, value_name = "BASE")]
    name: Option<String>,
    /// Write the host side for the 2020 WAMR instead of guest bindings:
    /// `<base>_wamr.h` (the C functions the firmware implements, the
    /// register function) and `<base>_wamr.c` (natives for
    /// `wasm_runtime_register_natives`), for wasm32 modules.
    #[arg(long)]
    host_c: bool,
    /// With --host-c: how the module names its vendor imports, as
    /// `wasit-ld --vendor-imports` linked it. `env` registers the natives
    /// under module `env` with fields `<module>|<field>` (docs/abi.md 1.2),
    /// which the 2020 WAMR's loader resolves; `wasit2` (default) under the
    /// ABI's module names.
    #[arg(long, value_name = "env|wasit2", requires = "host_c")]
    vendor_imports: Option<wasit2_bindgen::host_c::VendorImports>,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let mut wit = Wit::wasi().map_err(one_line).context("loading WASI WIT")?;
    for path in &args.wit {
        wit.push_path(path).map_err(one_line)?;
    }
    let world = wit.world(&args.world).map_err(one_line)?;
    let opts = wasit2_bindgen::Options {
        base_name: args.name.clone(),
    };
    if args.host_c {
        let l32 = wasit2_abi::Lowering::new(&wit, world, wasit2_abi::Arch::Wasm32)
            .map_err(one_line)
            .with_context(|| format!("lowering `{}` for wasm32", args.world))?;
        let naming = args.vendor_imports.unwrap_or_default();
        let natives = wasit2_bindgen::host_c::generate_wamr_c_for(&l32, &opts, naming)
            .map_err(one_line)
            .with_context(|| format!("generating WAMR natives for `{}`", args.world))?;
        let (h, c) = natives
            .write_to(&args.out_dir)
            .with_context(|| format!("writing WAMR natives to {}", args.out_dir.display()))?;
        eprintln!("wrote {} and {}", h.display(), c.display());
        return Ok(0);
    }
    let bindings = wasit2_bindgen::generate_for_world(&wit, world, &opts)
        .map_err(one_line)
        .with_context(|| format!("generating C bindings for `{}`", args.world))?;
    let (h, c) = bindings
        .write_to(&args.out_dir)
        .with_context(|| format!("writing bindings to {}", args.out_dir.display()))?;
    eprintln!("wrote {} and {}", h.display(), c.display());
    Ok(0)
}

/// WIT errors carry multi-line source excerpts; the CLI reports one line.
fn one_line(e: impl std::fmt::Display) -> anyhow::Error {
    let text = format!("{e:#}");
    anyhow::anyhow!("{}", text.split_whitespace().collect::<Vec<_>>().join(" "))
}

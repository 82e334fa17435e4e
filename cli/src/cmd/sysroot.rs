//! `wasit2 sysroot build`: builds the wasit2 sysroots from a wasi-libc tree.
use anyhow::Context;
use std::path::PathBuf;
use wasit2_sysroot::{Arch, BuildOptions, Cpu, Variant};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Build (or bring up to date) the sysroots.
    Build(BuildArgs),
}

#[derive(clap::Args)]
struct BuildArgs {
    /// wasi-libc source tree [default: <repo>/.tools/wasi-libc]
    #[arg(long, value_name = "DIR")]
    wasi_libc: Option<PathBuf>,
    /// Output sysroot [default: $WASIT2_SYSROOT or <repo>/build/sysroot]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Architecture(s) to build.
    #[arg(long, value_enum, default_value = "all")]
    target: TargetSel,
    /// CPU variant(s): clang's default features, `-mcpu=mvp`, `-mcpu=lime1`, or all.
    #[arg(long, value_enum, default_value = "all")]
    cpu: CpuSel,
    /// Parallel compile jobs [default: number of CPUs]
    #[arg(short = 'j', long)]
    jobs: Option<usize>,
    /// System layer directory (with SOURCES.txt) [default: <repo>/sysroot/layer]
    #[arg(long, value_name = "DIR")]
    layer: Option<PathBuf>,
    /// LLVM bin directory holding clang, llvm-ar, llvm-nm.
    #[arg(long, value_name = "DIR")]
    llvm_bin: Option<PathBuf>,
    /// No progress output.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum TargetSel {
    Wasm32,
    Wasm64,
    All,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum CpuSel {
    Default,
    Mvp,
    Lime1,
    All,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    match args.command {
        Command::Build(b) => build(b),
    }
}

fn build(a: BuildArgs) -> anyhow::Result<i32> {
    let mut opts = BuildOptions::defaults().context("locating inputs")?;
    if let Some(d) = a.wasi_libc {
        opts.wasi_libc = d;
    }
    if let Some(d) = a.out {
        opts.out = d;
    }
    if let Some(d) = a.layer {
        opts.layer_dir = Some(d);
    }
    if let Some(j) = a.jobs {
        opts.jobs = j.max(1);
    }
    if a.llvm_bin.is_some() {
        opts.tools = wasit2_sysroot::Tools::find(a.llvm_bin.as_deref())?;
    }
    opts.quiet = a.quiet;
    let arches: Vec<Arch> = match a.target {
        TargetSel::Wasm32 => vec![Arch::Wasm32],
        TargetSel::Wasm64 => vec![Arch::Wasm64],
        TargetSel::All => Arch::ALL.to_vec(),
    };
    let cpus: Vec<Cpu> = match a.cpu {
        CpuSel::Default => vec![Cpu::Default],
        CpuSel::Mvp => vec![Cpu::Mvp],
        CpuSel::Lime1 => vec![Cpu::Lime1],
        CpuSel::All => Cpu::ALL.to_vec(),
    };
    opts.variants = arches
        .iter()
        .flat_map(|&arch| cpus.iter().map(move |&cpu| Variant { arch, cpu }))
        .collect();
    let (reports, cxx) = wasit2_sysroot::build_with_cxx(&opts).context("building the sysroot")?;
    for r in &reports {
        let state = if r.up_to_date {
            "up to date".to_string()
        } else {
            format!("built ({} compiled, {} reused)", r.compiled, r.reused)
        };
        eprintln!(
            "[sysroot] {}: {state} in {:.1}s -> {}",
            r.variant.target(),
            r.seconds,
            r.lib_dir.display()
        );
        if !r.with_layer {
            eprintln!("[sysroot] warning: no system layer (sysroot/layer/SOURCES.txt): libc.a lacks __wasi_* and crt1.o");
        }
    }
    match cxx {
        Some(c) => {
            for r in &c.reports {
                let how = if r.cached { "from the cache" } else { "built" };
                eprintln!(
                    "[sysroot] {}: {how} -> {}",
                    r.build.label(),
                    r.lib_dir.display()
                );
            }
            eprintln!(
                "[sysroot] c++: {} compiled, {} reused in {:.1}s",
                c.compiled, c.reused, c.seconds
            );
        }
        None => eprintln!(
            "[sysroot] warning: no LLVM runtimes tree (run scripts/setup.sh or set {}): no C++ libraries",
            wasit2_sysroot::cxx::ENV_CXX_SOURCES
        ),
    }
    Ok(0)
}

//! Builds the default sysroot without the CLI (handy while the CLI's other
//! crates are compiling): `cargo run -p wasit2-sysroot --example build [wasm32|wasm64] [default|mvp|lime1]`.
use wasit2_sysroot::{Arch, BuildOptions, Cpu, Variant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut opts = BuildOptions::defaults().unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1)
    });
    let arch = match args.first().map(String::as_str) {
        Some("wasm64") => vec![Arch::Wasm64],
        Some("wasm32") => vec![Arch::Wasm32],
        _ => Arch::ALL.to_vec(),
    };
    let cpu = match args.get(1).map(String::as_str) {
        Some("mvp") => vec![Cpu::Mvp],
        Some("lime1") => vec![Cpu::Lime1],
        Some("default") => vec![Cpu::Default],
        _ => Cpu::ALL.to_vec(),
    };
    if std::env::var_os("NO_LAYER").is_some() {
        opts.layer_dir = None;
    }
    opts.variants = arch
        .iter()
        .flat_map(|&a| cpu.iter().map(move |&c| Variant { arch: a, cpu: c }))
        .collect();
    match wasit2_sysroot::build(&opts) {
        Ok(r) => {
            for r in r {
                eprintln!(
                    "{}: compiled {} reused {} up_to_date {} {:.1}s",
                    r.variant.target(),
                    r.compiled,
                    r.reused,
                    r.up_to_date,
                    r.seconds
                );
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1)
        }
    }
}

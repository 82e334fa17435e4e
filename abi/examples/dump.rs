//! Prints the wasit2 lowering of a world: `cargo run -p wasit2-abi --example dump [world] [wasm64]`.
use wasit2_abi::{Arch, Lowering, Wit};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let wit = Wit::wasi()?;
    let world = match args.get(1) {
        Some(w) => wit.world(w)?,
        None => wit.command_world()?,
    };
    let arch = if args.iter().any(|a| a == "wasm64") {
        Arch::Wasm64
    } else {
        Arch::Wasm32
    };
    let l = Lowering::new(&wit, world, arch)?;
    for i in &l.imports {
        println!(
            "import {:?} {:?} {} {}",
            i.module,
            i.field,
            i.sig,
            if i.is_plain() { "" } else { "BUFFER" }
        );
    }
    for e in &l.exports {
        println!(
            "export {:?} {:?}",
            e.name,
            e.sig.as_ref().map(|s| s.to_string())
        );
    }
    Ok(())
}

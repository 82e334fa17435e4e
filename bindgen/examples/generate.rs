//! Writes the bindings of a world: `cargo run -p wasit2-bindgen --example generate [world] [out-dir]`.
use wasit2_abi::Wit;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let mut wit = Wit::wasi()?;
    if let Ok(p) = std::env::var("WIT") {
        wit.push_path(std::path::Path::new(&p))?;
    }
    let world = match args.get(1) {
        Some(w) => wit.world(w)?,
        None => wit.command_world()?,
    };
    let b = wasit2_bindgen::generate_for_world(&wit, world, &Default::default())?;
    let dir = std::path::PathBuf::from(args.get(2).map(String::as_str).unwrap_or("."));
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(&b.header_name), &b.header)?;
    std::fs::write(dir.join(&b.source_name), &b.source)?;
    println!("{} functions", b.functions.len());
    Ok(())
}

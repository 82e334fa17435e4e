//! `cargo run -p wasit2-hostcheck --example build_adapter OUT_DIR`: builds
//! the wasip1 adapter into OUT_DIR and writes `include/wasit2_wasip1_callers.h`
//! and `include/wasit2_command_callers.h` (the import declarations a caller
//! uses, for the wasip1 and the full command world) next to it.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .ok_or("usage: build_adapter OUT_DIR")?;
    let out = std::path::Path::new(&out);
    let lib = wasit2_hostcheck::build_adapter(out)?;
    let l = wasit2_hostcheck::adapter_lowering()?;
    std::fs::write(
        out.join("include/wasit2_wasip1_callers.h"),
        wasit2_hostcheck::symbols::caller_header(&l),
    )?;
    let wit = wasit2_abi::Wit::wasi()?;
    let command = wasit2_abi::Lowering::new(&wit, wit.command_world()?, wasit2_abi::Arch::Wasm32)?;
    std::fs::write(
        out.join("include/wasit2_command_callers.h"),
        wasit2_hostcheck::symbols::caller_header(&command),
    )?;
    println!("{}", lib.display());
    Ok(())
}

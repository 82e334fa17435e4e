//! `cargo run -p wasit2-sysroot --example build_adapter OUT_DIR`: builds
//! the wasip1 adapter into OUT_DIR and writes `include/wasit2_wasip1_callers.h`
//! and `include/wasit2_command_callers.h` (the import declarations a caller
//! uses, for the wasip1 and the full command world) next to it.
use wasit2_abi::wasip1_adapter::{adapter_lowering, command_lowering};
use wasit2_sysroot::adapter::{build_adapter, caller_header};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .ok_or("usage: build_adapter OUT_DIR")?;
    let out = std::path::Path::new(&out);
    let lib = build_adapter(&wasit2_sysroot::Tools::find(None)?, out)?;
    std::fs::write(
        out.join("include/wasit2_wasip1_callers.h"),
        caller_header(&adapter_lowering()?),
    )?;
    std::fs::write(
        out.join("include/wasit2_command_callers.h"),
        caller_header(&command_lowering()?),
    )?;
    println!("{}", lib.display());
    Ok(())
}

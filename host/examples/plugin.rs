//! A host calling a plugin: a reactor module exporting
//! `acme:plugin/handler@1.0.0` (`tests/interfaces/plugin.wit`). The
//! generated `Plugin::handle` takes and returns Rust strings; the host
//! copies the argument into guest memory (`<p>_params_alloc`), lifts the
//! result and lets the guest free both (`_post`).
//!
//! `cargo run -p wasit2-host --example plugin -- plugin.wasm INPUT...`

use wasit2_host::wasmtime::{Linker, Module, Result, Store};
use wasit2_host::WasiHostCtx;

wasit2_host::bindgen!({ path: "../tests/interfaces/plugin.wit", world: "plugin" });

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: plugin MODULE.wasm INPUT...");
    let engine = wasit2_host::engine()?;
    let module = Module::from_file(&engine, path)?;
    let mut linker = Linker::new(&engine);
    wasit2_host::add_to_linker(&mut linker, |s: &mut WasiHostCtx| s)?;
    let wasi = wasit2_host::wasi_ctx_builder().inherit_stdio().build();
    let mut store = Store::new(&engine, WasiHostCtx::new(wasi));
    let plugin = Plugin::instantiate(&mut store, &module, &linker)?;
    for input in args {
        println!("{}", plugin.handle(&mut store, &input)?);
    }
    Ok(())
}

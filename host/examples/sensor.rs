//! A host serving the vendor interface `acme:sensors/temp` to a wasit2
//! command module (C, wasm32 or wasm64), next to WASI: the bindings come
//! from the WIT, the host does the lifting, lowering and buffer rules.
//!
//! `cargo run -p wasit2-host --example sensor -- sensor.wasm`

use wasit2_host::wasmtime::{Linker, Module, Store};
use wasit2_host::WasiHostCtx;

wasit2_host::bindgen!({ path: "../tests/cli/inputs/acme.wit", world: "firmware" });

struct Sensor {
    wasi: WasiHostCtx,
}

impl acme::sensors::temp::Host for Sensor {
    fn read_raw(&mut self) -> Vec<u8> {
        vec![21, 22, 23]
    }
    fn model(&mut self) -> String {
        std::env::var("SENSOR_MODEL").unwrap_or_else(|_| "ACME T-1000".into())
    }
}

fn main() -> wasit2_host::wasmtime::Result<()> {
    let path = std::env::args().nth(1).expect("usage: sensor MODULE.wasm");
    let engine = wasit2_host::engine()?;
    let module = Module::from_file(&engine, path)?;
    let mut linker = Linker::new(&engine);
    wasit2_host::add_to_linker(&mut linker, |s: &mut Sensor| &mut s.wasi)?;
    Firmware::add_to_linker(&mut linker, |s: &mut Sensor| s)?;
    let wasi = wasit2_host::wasi_ctx_builder().inherit_stdio().build();
    let mut store = Store::new(
        &engine,
        Sensor {
            wasi: WasiHostCtx::new(wasi),
        },
    );
    let instance = linker.instantiate(&mut store, &module)?;
    std::process::exit(wasit2_host::run_command(&mut store, &instance)?)
}

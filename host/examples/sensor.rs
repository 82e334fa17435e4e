//! A host serving the vendor interface `acme:sensors/temp`
//! (`tests/interfaces/sensors.wit`) to a wasit2 command module, next to
//! WASI: the bindings come from the WIT, and the host does all lifting,
//! lowering and caller-buffer rules, on wasm32 and wasm64.
//!
//! `cargo run -p wasit2-host --example sensor -- sensor.wasm`
//! (`SENSOR_MODEL` overrides the model name).

use wasit2_host::wasmtime::{Linker, Module, Result, Store};
use wasit2_host::WasiHostCtx;

wasit2_host::bindgen!({ path: "../tests/interfaces/sensors.wit", world: "firmware" });

/// The store data: WASI's state; the sensor needs none of its own.
struct Sensor(WasiHostCtx);

impl acme::sensors::temp::Host for Sensor {
    fn read_raw(&mut self) -> Vec<u8> {
        vec![21, 22, 22, 23, 21]
    }
    fn model(&mut self) -> String {
        let model = "ACME TMP-117 precision thermometer";
        std::env::var("SENSOR_MODEL").unwrap_or_else(|_| model.into())
    }
}

fn main() -> Result<()> {
    let path = std::env::args().nth(1).expect("usage: sensor MODULE.wasm");
    let engine = wasit2_host::engine()?;
    let module = Module::from_file(&engine, path)?;
    let mut linker = Linker::new(&engine);
    wasit2_host::add_to_linker(&mut linker, |s: &mut Sensor| &mut s.0)?;
    Firmware::add_to_linker(&mut linker, |s: &mut Sensor| s)?;
    let wasi = wasit2_host::wasi_ctx_builder().inherit_stdio().build();
    let mut store = Store::new(&engine, Sensor(WasiHostCtx::new(wasi)));
    let instance = linker.instantiate(&mut store, &module)?;
    std::process::exit(wasit2_host::run_command(&mut store, &instance)?)
}

//! A host for componentized wasit2 modules on wasmtime's component API
//! (docs/interfaces.md, "wasmtime components"). It serves the vendor
//! interface `acme:sensors/temp` next to WASI 0.2, and
//!
//! - `component-host run COMPONENT [ARGS…]` runs a command component;
//! - `component-host call COMPONENT INPUT` calls
//!   `acme:plugin/handler.handle(INPUT)` on a reactor and prints the result.

use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::error::Context;
use wasmtime::{bail, Config, Engine, Store};
use wasmtime_wasi::{I32Exit, WasiCtx, WasiCtxView, WasiView};

/// Rust bindings for the WIT the guests were built against.
mod sensors {
    wasmtime::component::bindgen!({ path: "../../tests/interfaces/sensors.wit", world: "firmware" });
}
mod plugin {
    wasmtime::component::bindgen!({ path: "../../tests/interfaces/plugin.wit", world: "plugin" });
}

struct State {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// The sensor, with the readings every example host serves.
impl sensors::acme::sensors::temp::Host for State {
    fn read_raw(&mut self) -> Vec<u8> {
        vec![21, 22, 22, 23, 21]
    }
    fn model(&mut self) -> String {
        "ACME TMP-117 precision thermometer".into()
    }
}

fn main() -> wasmtime::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, path, rest @ ..] = args.as_slice() else {
        bail!("usage: component-host run COMPONENT [ARGS…] | call COMPONENT INPUT");
    };
    // wasm64-wasit2 components have 64-bit memories (the 🐘 cm64 feature).
    let mut config = Config::new();
    config
        .wasm_memory64(true)
        .wasm_component_model_memory64(true);
    let engine = Engine::new(&config)?;
    let component =
        Component::from_file(&engine, path).with_context(|| format!("loading {path}"))?;
    let mut linker = Linker::<State>::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    sensors::Firmware::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;
    let wasi = WasiCtx::builder()
        .inherit_stdio()
        .arg(path)
        .args(rest)
        .build();
    let state = State {
        wasi,
        table: ResourceTable::new(),
    };
    let mut store = Store::new(&engine, state);

    match (mode.as_str(), rest) {
        ("run", _) => {
            let command = wasmtime_wasi::p2::bindings::sync::Command::instantiate(
                &mut store, &component, &linker,
            )?;
            let status = match command.wasi_cli_run().call_run(&mut store) {
                Ok(Ok(())) => 0,
                Ok(Err(())) => 1,
                Err(e) => e.downcast_ref::<I32Exit>().map(|exit| exit.0).ok_or(e)?,
            };
            std::process::exit(status);
        }
        ("call", [input]) => {
            let plugin = plugin::Plugin::instantiate(&mut store, &component, &linker)?;
            let output = plugin
                .acme_plugin_handler()
                .call_handle(&mut store, input)?;
            println!("{output}");
            Ok(())
        }
        _ => bail!("usage: component-host run COMPONENT [ARGS…] | call COMPONENT INPUT"),
    }
}

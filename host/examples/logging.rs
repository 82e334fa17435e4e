//! An embedder that logs every WASI call of a wasit2 module and replaces one
//! interface (`wasi:random/random`, made deterministic as a replay system
//! would), reusing the host for everything else.
//!
//! No `Sync` bound on the state, no `Arc<Mutex<..>>`, no forwarding impls:
//! the hooks get `&mut State` and keep the log in it.
//!
//! `cargo run -p wasit2-host --example logging`

use std::cell::Cell;

use wasit2_abi::{Arch, Lowering, Wit};
use wasit2_host::{Flow, Host, Outcome, Val, WasiHostCtx};
use wasmtime::{Linker, Module, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;

/// The embedder's store data. `Cell` makes it `!Sync` on purpose.
pub struct State {
    pub wasi: WasiHostCtx,
    pub log: Vec<String>,
    pub calls: Cell<u32>,
}

/// Runs `wasm` (a wasm32 wasit2 command) with logging; returns the exit
/// code, what it printed and the log.
pub fn run_logged(wasm: &[u8]) -> wasmtime::Result<(i32, String, Vec<String>)> {
    let engine = wasit2_host::engine()?;
    let module = Module::new(&engine, wasm)?;
    let stdout = MemoryOutputPipe::new(4096);
    let wasi = wasit2_host::wasi_ctx_builder()
        .stdout(stdout.clone())
        .build();
    let state = State {
        wasi: WasiHostCtx::new(wasi),
        log: Vec::new(),
        calls: Cell::new(0),
    };
    let mut store = Store::new(&engine, state);
    let mut linker = Linker::new(&engine);
    Host::new(|s: &mut State| &mut s.wasi)
        .on_call(|s, call, args| {
            s.calls.set(s.calls.get() + 1);
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            s.log.push(format!(
                "call {}.{}({})",
                call.interface(),
                call.function(),
                args.join(", ")
            ));
            Ok(Flow::Continue)
        })
        .intercept("wasi:random/random", |s, call, _| {
            s.log.push(format!("replaced {}", call.function()));
            Ok(match call.function() {
                "get-random-u64" => Flow::Return(Outcome::Value(Val::U64(42))),
                _ => Flow::Continue,
            })
        })
        .after_call(|s, call, _, outcome| {
            let shown = match outcome {
                Outcome::Value(v) => v.to_string(),
                Outcome::TooSmall(n) => format!("too small, needs {n}"),
            };
            s.log.push(format!("  {} -> {shown}", call.function()));
        })
        .add_to_linker(&mut linker)?;
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<(), i32>(&mut store, "cm32p2|wasi:cli/run@0.2|run")?;
    let code = run.call(&mut store, ())?;
    let out = String::from_utf8_lossy(&stdout.contents()).into_owned();
    Ok((code, out, std::mem::take(&mut store.data_mut().log)))
}

/// A small wasm32 guest: prints "hi", gets a random u64 and returns it mod 2.
/// Import names and signatures come from the ABI crate.
pub fn demo_module() -> Vec<u8> {
    let wit = Wit::wasi().unwrap();
    let l = Lowering::new(&wit, wit.command_world().unwrap(), Arch::Wasm32).unwrap();
    let import = |iface: &str, field: &str, name: &str| {
        let i = l
            .imports
            .iter()
            .find(|i| i.interface_name.as_deref() == Some(iface) && i.field == field)
            .unwrap();
        let t = |v: &[wasit2_abi::ValType]| {
            v.iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        format!(
            "(import {:?} {:?} (func {name} (param {}) (result {})))",
            i.module,
            i.field,
            t(&i.sig.params),
            t(&i.sig.results)
        )
    };
    let text = format!(
        r#"(module
          {} {} {}
          (memory (export "cm32p2_memory") 1)
          (data (i32.const 100) "hi\n")
          (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32)
            (call $write (call $get_stdout) (i32.const 100) (i32.const 3) (i32.const 16))
            (i32.wrap_i64 (i64.rem_u (call $random) (i64.const 2)))))"#,
        import("wasi:cli/stdout@0.2", "get-stdout", "$get_stdout"),
        import(
            "wasi:io/streams@0.2",
            "[method]output-stream.blocking-write-and-flush",
            "$write"
        ),
        import("wasi:random/random@0.2", "get-random-u64", "$random"),
    );
    wat::parse_str(text).unwrap()
}

#[allow(dead_code)]
fn main() -> wasmtime::Result<()> {
    let (code, out, log) = run_logged(&demo_module())?;
    print!("{out}");
    for line in log {
        println!("{line}");
    }
    println!("exit code {code}");
    Ok(())
}

//! The host's acceptance tests, one binary (linking wasmtime once). Every
//! guest is hand-written WAT run on both wasm32 and wasm64 memories, with
//! import names and signatures taken from the ABI crate.
mod common;

mod cache;
mod cli;
mod cli_run;
mod clocks_random;
mod filesystem;
mod interfaces;
mod kitchen;
mod logging_example;
mod run_module;
mod sockets;
mod traps;

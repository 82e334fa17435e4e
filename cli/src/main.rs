//! `wasit2`, the user CLI. One file per subcommand under `cmd/`.
use clap::{Parser, Subcommand};

mod cmd;

#[derive(Parser)]
#[command(
    name = "wasit2",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("WASIT2_COMMIT"), ")"),
    about = "The wasit2 WebAssembly toolchain"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a wasit2 module on the wasmtime-based core host.
    Run(cmd::run::Args),
    /// Compile a wasit2 module ahead of time to a `.cwasm` for `wasit2 run`.
    Compile(cmd::compile::Args),
    /// Turn a wasit2 module into a WASI 0.2 component.
    Componentize(cmd::componentize::Args),
    /// Check a module against a host profile without linking.
    Check(cmd::check::Args),
    /// Generate C bindings for a WIT world in the wasit2 ABI.
    Bindgen(cmd::bindgen::Args),
    /// Build the wasm32/wasm64 wasit2 sysroots from a wasi-libc tree.
    Sysroot(cmd::sysroot::Args),
    /// Install clang config files so `clang --target=wasm32-wasit2` works.
    Install(cmd::install::Args),
    /// Remove the files `wasit2 install` recorded writing.
    Uninstall(cmd::install::UninstallArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => cmd::run::run(a),
        Command::Compile(a) => cmd::compile::run(a),
        Command::Componentize(a) => cmd::componentize::run(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Bindgen(a) => cmd::bindgen::run(a),
        Command::Sysroot(a) => cmd::sysroot::run(a),
        Command::Install(a) => cmd::install::run(a),
        Command::Uninstall(a) => cmd::install::run_uninstall(a),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            // One line: the error and its causes.
            eprintln!("wasit2: error: {e:#}");
            std::process::exit(1);
        }
    }
}

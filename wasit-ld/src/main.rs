//! `wasit-ld`: a drop-in wasm-ld that checks its output against the wasit2 ABI.
fn main() {
    std::process::exit(wasit_ld::main_with_args(
        std::env::args_os().skip(1).collect(),
    ));
}

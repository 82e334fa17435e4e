//! `wasit-ld`: a drop-in wasm-ld that checks its output against the wasit2 ABI.
use std::ffi::OsString;

fn main() {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    // `--help` is ours; wasm-ld's own help is one flag away.
    if args.iter().any(|a| a == "--help-wasm-ld") {
        let args = args
            .into_iter()
            .map(|a| {
                if a == "--help-wasm-ld" {
                    OsString::from("--help")
                } else {
                    a
                }
            })
            .collect();
        std::process::exit(wasit_ld::main_with_args(args));
    }
    if args
        .iter()
        .any(|a| a == "--help" || a == "-help" || a == "-h")
    {
        print!("{}", wasit_ld::HELP);
        std::process::exit(0);
    }
    std::process::exit(wasit_ld::main_with_args(args));
}

//! `cargo run -p wasit2-bridge --example bridge -- in.wasm out.wasm`
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output] = args.as_slice() else {
        eprintln!("usage: bridge IN.wasm OUT.wasm");
        std::process::exit(2);
    };
    let bytes = std::fs::read(input).unwrap_or_else(|e| {
        eprintln!("error: reading {input}: {e}");
        std::process::exit(1)
    });
    match wasit2_bridge::bridge_standard_p2(&bytes) {
        Ok(out) => std::fs::write(output, out).unwrap_or_else(|e| {
            eprintln!("error: writing {output}: {e}");
            std::process::exit(1)
        }),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1)
        }
    }
}

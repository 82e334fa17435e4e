// Arguments, environment, stdin and stdout through Rust std on wasm32-wasip2.
use std::io::{Read, Write};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    println!("args={args:?}");
    let mut vars: Vec<(String, String)> = std::env::vars().filter(|(k, _)| k.starts_with("BRIDGE_")).collect();
    vars.sort();
    for (k, v) in &vars {
        println!("env {k}={v}");
    }
    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input).unwrap();
    let sum: u64 = input.iter().map(|b| *b as u64).sum();
    println!("stdin bytes={} sum={sum}", input.len());
    let text = String::from_utf8_lossy(&input);
    println!("first line={:?}", text.lines().next().unwrap_or(""));
    // HashMap seeds itself from WASI randomness.
    let mut m = std::collections::HashMap::new();
    m.insert("k", 1);
    writeln!(std::io::stderr(), "stderr ok {}", m["k"]).unwrap();
    if args.iter().any(|a| a == "fail") {
        std::process::exit(7);
    }
}

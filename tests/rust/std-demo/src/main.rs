//! One program, several checks selected by the first argument, so a single
//! build covers what Rust std asks of WASI: arguments, environment, stdin,
//! files and directories, TCP on loopback, clocks and randomness.

use std::io::{Read, Write};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        eprintln!("usage: std-demo args|env|stdin|files DIR|tcp|misc|exit CODE");
        std::process::exit(2);
    };
    match cmd.as_str() {
        "args" => args_cmd(&args[1..]),
        "env" => env_cmd(),
        "stdin" => stdin_cmd(),
        "files" => files_cmd(args.get(1).map(String::as_str).unwrap_or(".")),
        #[cfg(feature = "net")]
        "tcp" => tcp_cmd(),
        "misc" => misc_cmd(),
        "exit" => std::process::exit(args.get(1).and_then(|c| c.parse().ok()).unwrap_or(1)),
        other => {
            eprintln!("unknown command {other}");
            std::process::exit(2);
        }
    }
}

fn args_cmd(rest: &[String]) {
    println!("argc={}", rest.len());
    for (i, a) in rest.iter().enumerate() {
        println!("arg[{i}]={a:?} len={}", a.len());
    }
}

fn env_cmd() {
    let mut vars: Vec<(String, String)> = std::env::vars().filter(|(k, _)| k.starts_with("DEMO_")).collect();
    vars.sort();
    for (k, v) in &vars {
        println!("{k}={v}");
    }
    println!("missing={:?}", std::env::var("DEMO_NOT_SET").ok());
}

fn stdin_cmd() {
    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input).unwrap();
    // FNV-1a, so the output pins every byte.
    let hash = input.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x100000001b3)
    });
    let text = String::from_utf8_lossy(&input);
    println!("bytes={} lines={} fnv={hash:016x}", input.len(), text.lines().count());
    println!("first={:?}", text.lines().next().unwrap_or(""));
}

fn files_cmd(dir: &str) {
    let base = std::path::Path::new(dir).join("std-demo-files");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(base.join("sub/deeper")).unwrap();
    let payload: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(base.join("big.bin"), &payload).unwrap();
    std::fs::write(base.join("sub/a.txt"), "alpha\n").unwrap();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(base.join("sub/a.txt"))
        .unwrap();
    f.write_all(b"beta\n").unwrap();
    drop(f);
    std::fs::rename(base.join("sub/a.txt"), base.join("sub/deeper/b.txt")).unwrap();
    let back = std::fs::read(base.join("big.bin")).unwrap();
    assert!(back == payload, "big.bin differs");
    println!(
        "big.bin len={} meta={}",
        back.len(),
        std::fs::metadata(base.join("big.bin")).unwrap().len()
    );
    println!(
        "b.txt={:?}",
        std::fs::read_to_string(base.join("sub/deeper/b.txt")).unwrap()
    );
    let mut names: Vec<String> = walk(&base)
        .into_iter()
        .map(|p| p.strip_prefix(&base).unwrap().display().to_string())
        .collect();
    names.sort();
    println!("tree={names:?}");
    println!("missing={}", std::fs::read(base.join("nope")).unwrap_err().kind());
    std::fs::remove_dir_all(&base).unwrap();
    println!("removed={}", !base.exists());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        out.push(e.path());
        if e.file_type().unwrap().is_dir() {
            out.extend(walk(&e.path()));
        }
    }
    out
}

#[cfg(feature = "net")]
fn tcp_cmd() {
    use std::net::{TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    // One thread: the kernel completes the handshake from the backlog.
    let mut client = TcpStream::connect(addr).unwrap();
    let (mut server, peer) = listener.accept().unwrap();
    println!("peer loopback={}", peer.ip().is_loopback());
    let msg: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    client.write_all(&msg).unwrap();
    client.shutdown(std::net::Shutdown::Write).unwrap();
    let mut got = Vec::new();
    server.read_to_end(&mut got).unwrap();
    assert!(got == msg, "payload differs");
    server.write_all(b"echo:").unwrap();
    server.write_all(&got[..16]).unwrap();
    drop(server);
    let mut reply = Vec::new();
    client.read_to_end(&mut reply).unwrap();
    println!("received={} reply={:?}", got.len(), reply);
}

fn misc_cmd() {
    let t0 = std::time::Instant::now();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    println!("after 2020={}", now.as_secs() > 1_577_836_800);
    // HashMap seeds itself from WASI randomness.
    let mut m = std::collections::HashMap::new();
    for i in 0..1000 {
        m.insert(i, i * 2);
    }
    println!("map sum={}", m.values().sum::<i32>());
    println!("monotonic={}", t0.elapsed() < std::time::Duration::from_secs(60));
    let cwd = std::env::current_dir().map(|p| p.display().to_string());
    println!("cwd ok={}", cwd.is_ok());
    writeln!(std::io::stderr(), "to stderr").unwrap();
}

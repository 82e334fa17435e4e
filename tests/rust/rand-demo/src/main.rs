//! rand 0.8 (whose getrandom 0.2 calls WASI preview 1's `random_get`)
//! next to std's file and environment APIs (WASI 0.2 and libc), one check
//! per first argument.

use rand::{Rng, RngCore, SeedableRng};
use std::io::{Read, Seek, Write};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("random") => random_cmd(),
        Some("env") => env_cmd(),
        Some("files") => files_cmd(args.get(1).map_or(".", String::as_str)),
        Some("shared") => shared_cmd(args.get(1).map_or(".", String::as_str)),
        _ => {
            eprintln!("usage: rand-demo random|env|files DIR|shared DIR");
            std::process::exit(2);
        }
    }
}

/// OS randomness through getrandom (p1 `random_get`), and a seeded
/// generator whose values are the same everywhere.
fn random_cmd() {
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut a);
    rand::rngs::OsRng.fill_bytes(&mut b);
    println!("os random differs: {}", a != b && a != [0; 32]);
    let mut seeded = rand::rngs::StdRng::seed_from_u64(2026);
    let draws: Vec<u32> = (0..4).map(|_| seeded.gen_range(0..1000)).collect();
    println!("seeded: {draws:?}");
}

/// The environment, shuffled by a seeded generator (the same order on
/// every host).
fn env_cmd() {
    use rand::seq::SliceRandom;
    let mut vars: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| k.starts_with("RAND_DEMO_"))
        .collect();
    vars.sort();
    vars.shuffle(&mut rand::rngs::StdRng::seed_from_u64(11));
    println!("vars: {vars:?}");
}

/// std's file APIs with rand-made contents: write, append, read back,
/// list, remove.
fn files_cmd(dir: &str) {
    let base = std::path::Path::new(dir).join("rand-demo-files");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let payload: Vec<u8> = (0..100_000).map(|_| rng.gen()).collect();
    std::fs::write(base.join("data.bin"), &payload).unwrap();
    let mut noise = vec![0u8; 4096];
    rand::thread_rng().fill_bytes(&mut noise);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(base.join("data.bin"))
        .unwrap();
    f.write_all(&noise).unwrap();
    drop(f);
    let back = std::fs::read(base.join("data.bin")).unwrap();
    println!(
        "len={} prefix ok={} tail ok={}",
        back.len(),
        back[..payload.len()] == payload[..],
        back[payload.len()..] == noise[..]
    );
    let sum: u64 = payload.iter().map(|&b| b as u64).sum();
    println!("seeded sum={sum}");
    let mut names: Vec<String> = std::fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    println!("names={names:?}");
    std::fs::remove_dir_all(&base).unwrap();
    println!("removed={}", !base.exists());
}

/// A file opened by std, written through the p1 API on the same
/// descriptor, read back by std: one descriptor table under both APIs.
/// (Not run on the peer: wasm-component-ld's p1 adapter keeps a table of
/// its own, where std's descriptor does not exist.)
fn shared_cmd(dir: &str) {
    use std::os::fd::AsRawFd;
    let path = std::path::Path::new(dir).join("rand-demo-shared.txt");
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    f.write_all(b"std:").unwrap();
    let text = b"p1\n";
    let iov = [wasi::Ciovec {
        buf: text.as_ptr(),
        buf_len: text.len(),
    }];
    let fd = f.as_raw_fd() as wasi::Fd;
    let written = unsafe { wasi::fd_write(fd, &iov) };
    println!("p1 fd_write on std's descriptor: {written:?}");
    f.rewind().unwrap();
    let mut back = String::new();
    f.read_to_string(&mut back).unwrap();
    println!("read back {back:?}");
    drop(f);
    std::fs::remove_file(&path).unwrap();
}

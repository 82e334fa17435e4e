//! Componentize benchmark: the same C object (a hello world written against
//! the plain `cm32p2` imports, with the world appended to the object as a
//! `component-type` custom section) is turned into a component by
//!   A. `wasm-ld` + `wasit2_componentize::componentize` (this crate),
//!   B. `wasm-component-ld` (shipped with rustup; wasm-ld + wit-component),
//!   C. `wasm-ld` + `wasm-tools component new` (the componentize step alone).
//! Prints output sizes and the best-of-N wall time of each step.
//!
//! `cargo run --release -p wasit2-componentize --example bench [runs]`

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

fn tools_bin() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/bin")
}

fn run(cmd: &mut Command) -> Result<()> {
    let out = cmd.output().with_context(|| format!("spawning {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

fn best_of(runs: usize, mut f: impl FnMut() -> Result<()>) -> Result<Duration> {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        f()?;
        best = best.min(t.elapsed());
    }
    Ok(best)
}

fn main() -> Result<()> {
    let runs: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(5);
    let dir = tempfile::tempdir()?;
    let d = dir.path();

    // The world goes into the object as a custom section, so every pipeline
    // reads it from the same input.
    let wit = wasit2_abi::Wit::wasi()?;
    let world = wit.command_world()?;
    let ct = wit_component::metadata::encode(
        &wit.resolve,
        world,
        wit_component::StringEncoding::UTF8,
        None,
        false,
    )?;
    // wasm-component-ld 0.5 does not resolve `cm32p2` names against this
    // world, so its object uses the legacy names (full versions, `#run`,
    // `memory`); the code is the same.
    let src = |prefix: &str, ver: &str, run: &str| {
        format!(
            r#"#define IMPORT(m, n) __attribute__((import_module(m), import_name(n)))
IMPORT("{prefix}wasi:cli/stdout@{ver}", "get-stdout") int get_stdout(void);
IMPORT("{prefix}wasi:io/streams@{ver}", "[method]output-stream.blocking-write-and-flush")
void write_and_flush(int stream, const char *p, unsigned long n, void *ret);
static const char msg[] = "Hello, world!\n";
static int ret[4];
__attribute__((export_name("{run}"))) int run(void) {{
  write_and_flush(get_stdout(), msg, sizeof msg - 1, ret);
  return 0;
}}
"#,
        )
    };
    let legacy_run = format!("wasi:cli/run@{}#run", wasit2_abi::WASI_VERSION);
    for (name, text) in [
        (
            "hello",
            src("cm32p2|", "0.2", "cm32p2|wasi:cli/run@0.2|run"),
        ),
        (
            "hello-legacy",
            src("", wasit2_abi::WASI_VERSION, &legacy_run),
        ),
    ] {
        std::fs::write(d.join(format!("{name}.c")), text)?;
        run(Command::new("clang-22")
            .args(["--target=wasm32-unknown-unknown", "-O2", "-c"])
            .arg(format!("{name}.c"))
            .arg("-o")
            .arg(format!("{name}.o"))
            .current_dir(d))?;
        // wasm-ld keeps unknown custom sections of its inputs.
        let obj_path = d.join(format!("{name}.o"));
        let mut obj = std::fs::read(&obj_path)?;
        let section = wasm_encoder::CustomSection {
            name: "component-type:wasit2-bench".into(),
            data: ct.as_slice().into(),
        };
        obj.push(wasm_encoder::Section::id(&section));
        wasm_encoder::Encode::encode(&section, &mut obj);
        std::fs::write(&obj_path, obj)?;
    }
    let ld_args = ["--no-entry", "--export-memory=cm32p2_memory", "hello.o"];

    // A: wasm-ld + this crate.
    let t_ld = best_of(runs, || {
        run(Command::new("wasm-ld-22")
            .args(ld_args)
            .args(["-o", "hello.core.wasm"])
            .current_dir(d))
    })?;
    let core = std::fs::read(d.join("hello.core.wasm"))?;
    let mut ours = Vec::new();
    let t_ours = best_of(runs, || {
        ours = wasit2_componentize::componentize(&core)?;
        Ok(())
    })?;
    std::fs::write(d.join("hello.wasit2.wasm"), &ours)?;

    // B: wasm-component-ld on the same object.
    let sysroot = String::from_utf8(
        Command::new("rustc")
            .args(["--print", "sysroot"])
            .output()?
            .stdout,
    )?;
    let wcl = Path::new(sysroot.trim())
        .join("lib/rustlib/x86_64-unknown-linux-gnu/bin/wasm-component-ld");
    let t_wcl = best_of(runs, || {
        run(Command::new(&wcl)
            .args([
                "--wasi-adapter",
                "none",
                "--wasm-ld-path",
                "/usr/bin/wasm-ld-22",
            ])
            .args(["--no-entry", "--export-memory=memory", "hello-legacy.o"])
            .args(["-o", "hello.wcl.wasm"])
            .current_dir(d))
    })?;
    let wcl_size = std::fs::metadata(d.join("hello.wcl.wasm"))?.len();

    // C: the componentize step alone with wasm-tools.
    let t_wt = best_of(runs, || {
        run(Command::new(tools_bin().join("wasm-tools"))
            .args(["component", "new", "hello.core.wasm", "-o", "hello.wt.wasm"])
            .current_dir(d))
    })?;
    let wt_size = std::fs::metadata(d.join("hello.wt.wasm"))?.len();

    // All three must run.
    for f in ["hello.wasit2.wasm", "hello.wcl.wasm", "hello.wt.wasm"] {
        let out = Command::new(tools_bin().join("wasmtime"))
            .args(["run", f])
            .current_dir(d)
            .output()?;
        if out.stdout != b"Hello, world!\n" {
            bail!(
                "{f} printed {:?}: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    let ms = |t: Duration| t.as_secs_f64() * 1000.0;
    println!(
        "best of {runs} runs; core module {} bytes (with the embedded world)",
        core.len()
    );
    println!("| pipeline | time (ms) | component size (bytes) |");
    println!("|---|---|---|");
    println!(
        "| wasm-ld + wasit2 componentize (in-process) | {:.1} + {:.1} = {:.1} | {} |",
        ms(t_ld),
        ms(t_ours),
        ms(t_ld + t_ours),
        ours.len()
    );
    println!(
        "| wasm-component-ld (wasm-ld + wit-component) | {:.1} | {} |",
        ms(t_wcl),
        wcl_size
    );
    println!(
        "| wasm-ld + wasm-tools component new (process) | {:.1} + {:.1} = {:.1} | {} |",
        ms(t_ld),
        ms(t_wt),
        ms(t_ld + t_wt),
        wt_size
    );
    Ok(())
}

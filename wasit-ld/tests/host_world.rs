//! A vendor interface next to WASI: `--host-world PATH:WORLD` adds the
//! imports of a WIT world to the `--host` profile, in `wasit-ld` and in
//! `wasit2 check` alike. The interface is `tests/cli/inputs/acme.wit`
//! (`acme:sensors/temp`: `read-raw() -> list<u8>`, `model() -> string`), its
//! C bindings come from `wasit2 bindgen`, and the program is linked through
//! clang's installed target with the wasit-ld under test.
//!
//! Needs `make build sysroot clang-install`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{stderr, WASIT_LD};
use wasit2_testkit::{clang, repo, Tool};

/// `PATH:WORLD` of the sensor firmware's world.
fn acme_world() -> String {
    format!(
        "{}:firmware",
        repo().join("tests/cli/inputs/acme.wit").display()
    )
}

/// Reads the model name and the raw samples through the generated bindings;
/// with an argument it also uploads them over TCP.
const SENSOR: &str = r#"#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include "acme.h"

#ifdef UPLOAD
__attribute__((noinline)) static int upload(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(8080);
    return connect(fd, (struct sockaddr *)&addr, sizeof addr);
}
#endif

int main(int argc, char **argv) {
    (void)argv;
    char name[32];
    wasit2_string_t model;
    unsigned char raw[64];
    acme_sensors_temp_list_u8_t samples;
    acme_sensors_temp_model(&model, name, sizeof name);
    acme_sensors_temp_read_raw(&samples, raw, sizeof raw);
    printf("%.*s: %zu samples\n", (int)model.len, (const char *)model.ptr, samples.len);
#ifdef UPLOAD
    if (argc > 1)
        return upload();
#endif
    return 0;
}
"#;

fn wasit2(args: &[&str]) -> Output {
    Command::new(Tool::Wasit2.path())
        .args(args)
        .output()
        .expect("wasit2 runs")
}

/// A scratch directory with `acme.h`/`acme.c` from `wasit2 bindgen` and the
/// program in `sensor.c`.
fn sources() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let wit = repo().join("tests/cli/inputs/acme.wit");
    let gen = wasit2(&[
        "bindgen",
        "--wit",
        wit.to_str().unwrap(),
        "--world",
        "firmware",
        "--out-dir",
        out_dir,
        "--name",
        "acme",
    ]);
    assert!(gen.status.success(), "bindgen: {}", stderr(&gen));
    std::fs::write(dir.path().join("sensor.c"), SENSOR).unwrap();
    dir
}

/// Compiles the program and its bindings for `target` and links them
/// through the wasit-ld under test with `link` flags.
fn cc(dir: &Path, target: &str, out: &str, extra: &[&str]) -> (Output, PathBuf) {
    let wasm = dir.join(format!("{out}.wasm"));
    let o = Command::new(clang())
        .arg(format!("--target={target}"))
        .args(["-O2", "-Wno-deprecated"])
        .arg(format!("-fuse-ld={WASIT_LD}"))
        .arg(format!("-I{}", dir.display()))
        .args(extra)
        .arg(dir.join("sensor.c"))
        .arg(dir.join("acme.c"))
        .arg("-o")
        .arg(&wasm)
        .output()
        .expect("clang-22 runs");
    (o, wasm)
}

/// The error lines of a link (clang adds a summary line of its own).
fn report_of(o: &Output) -> String {
    stderr(o)
        .lines()
        .filter(|l| !l.starts_with("clang"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The module's function imports as `module.field`.
fn imports(wasm: &Path) -> Vec<String> {
    let bytes = std::fs::read(wasm).unwrap();
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let wasmparser::Payload::ImportSection(r) = payload.unwrap() {
            for i in r.into_imports() {
                let i = i.unwrap();
                out.push(format!("{}.{}", i.module, i.name));
            }
        }
    }
    out
}

#[test]
fn wasip1_plus_a_vendor_world_links_the_natives_and_still_refuses_connect() {
    let dir = sources();
    let world = acme_world();
    let host_world = format!("-Wl,--host-world={world}");

    // Without the vendor world, p1 lacks the sensor: refused with the path.
    let (out, wasm) = cc(
        dir.path(),
        "wasm32-wasit2-mvp",
        "p1",
        &["-Wl,--host=wasip1"],
    );
    assert!(!out.status.success(), "linked without the vendor world");
    assert!(!wasm.exists());
    let err = report_of(&out);
    assert!(
        err.contains(
            "error: wasit2-cm32p2|acme:sensors/temp@1.model: not provided by host wasip1 (world wasit2:targets/wasip1@0.1.0); call path: __wasit2_run → __main_void → main → wasit2-cm32p2|acme:sensors/temp@1.model\n"
        ),
        "{err}"
    );

    // With it, the natives stay core imports next to p1's, and the module
    // checks clean against the same flags.
    let (out, wasm) = cc(
        dir.path(),
        "wasm32-wasit2-mvp",
        "p1-acme",
        &["-Wl,--host=wasip1", &host_world],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let names = imports(&wasm);
    for want in [
        "wasit2-cm32p2|acme:sensors/temp@1.read-raw",
        "wasit2-cm32p2|acme:sensors/temp@1.model",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} not in {names:?}");
    }
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("wasi_snapshot_preview1.")
                || n.starts_with("wasit2-cm32p2|acme:sensors/temp@1.")),
        "{names:?}"
    );
    let check = wasit2(&[
        "check",
        "--host",
        "wasip1",
        "--host-world",
        &world,
        wasm.to_str().unwrap(),
    ]);
    assert_eq!(
        String::from_utf8_lossy(&check.stdout),
        format!("{}: ok for host wasip1 + {world}\n", wasm.display()),
        "{}",
        stderr(&check)
    );

    // connect() is still refused, with its call path, and only it: the
    // sensor imports are not in the report.
    let (out, _) = cc(
        dir.path(),
        "wasm32-wasit2-mvp",
        "p1-upload",
        &[
            "-DUPLOAD",
            "-Wl,--host=wasip1",
            "-Wl,--wasip1-libc=adapter",
            &host_world,
        ],
    );
    assert!(!out.status.success(), "linked connect() for p1");
    let from_ld = report_of(&out);
    let host = format!(
        "host wasip1 + {world} (world wasit2:targets/wasip1@0.1.0 + acme:sensors/firmware@1.0.0)"
    );
    assert!(
        from_ld.contains(&format!(
            "error: wasi:sockets/tcp@0.2.[method]tcp-socket.start-connect: not provided by {host}; call path: __wasit2_run → __main_void → main → upload → connect → "
        )),
        "{from_ld}"
    );
    assert!(
        from_ld
            .lines()
            .all(|l| l.starts_with("error: wasi:sockets/") && !l.contains("acme:sensors/temp@1.")),
        "{from_ld}"
    );

    // `wasit2 check` with the same flags prints the same report for the
    // program linked for the wasit2 host (the same libc).
    let (out, wasm) = cc(
        dir.path(),
        "wasm32-wasit2-mvp",
        "w2-upload",
        &["-DUPLOAD", &host_world],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let check = wasit2(&[
        "check",
        "--host",
        "wasip1",
        "--host-world",
        &world,
        wasm.to_str().unwrap(),
    ]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&check.stderr), from_ld);
}

#[test]
fn the_wasit2_host_serves_a_vendor_world_next_to_wasi() {
    let dir = sources();
    let world = acme_world();
    for target in ["wasm32-wasit2", "wasm64-wasit2"] {
        // The bindings carry their world, so the link needs no flag; naming
        // the WASI world alone (`--world`) takes the vendor world away.
        let (out, wasm) = cc(dir.path(), target, target, &[]);
        assert!(out.status.success(), "{target}: {}", stderr(&out));
        assert!(wasm.exists());
        let (out, wasm) = cc(
            dir.path(),
            target,
            target,
            &["-Wl,--world=wasi:cli/command@0.2.12"],
        );
        assert!(
            !out.status.success(),
            "{target}: linked without the vendor world"
        );
        assert!(
            report_of(&out).contains("acme:sensors/temp@1.read-raw: not provided by host wasit2"),
            "{}",
            stderr(&out)
        );
        assert!(!wasm.exists());

        let flag = format!("-Wl,--host-world={world}");
        let (out, wasm) = cc(dir.path(), target, target, &[&flag]);
        assert!(out.status.success(), "{target}: {}", stderr(&out));
        let check = wasit2(&["check", "--host-world", &world, wasm.to_str().unwrap()]);
        assert_eq!(
            String::from_utf8_lossy(&check.stdout),
            format!("{}: ok for host wasit2 + {world}\n", wasm.display()),
            "{}",
            stderr(&check)
        );
        let check = wasit2(&["check", wasm.to_str().unwrap()]);
        assert_eq!(
            check.status.code(),
            Some(1),
            "{target}: checks without the world"
        );
    }
}

/// Vendor imports declared by hand (the header alone, no bindings object to
/// carry the world): `--host-world` records the world in the module, so
/// `--emit-component` gives a component that imports the vendor interface.
#[test]
fn a_host_world_is_recorded_for_hand_declared_imports() {
    let dir = sources();
    let wasm = dir.path().join("sensor.component.wasm");
    let out = Command::new(clang())
        .args(["--target=wasm32-wasit2", "-O2", "-Wno-deprecated"])
        .arg(format!("-fuse-ld={WASIT_LD}"))
        .arg(format!("-I{}", dir.path().display()))
        .arg(format!("-Wl,--host-world={}", acme_world()))
        .arg("-Wl,--emit-component")
        .arg(dir.path().join("sensor.c"))
        .arg("-o")
        .arg(&wasm)
        .output()
        .expect("clang-22 runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let wit = Command::new(Tool::WasmTools.path())
        .args(["component", "wit"])
        .arg(&wasm)
        .output()
        .expect("wasm-tools runs");
    assert!(wit.status.success(), "{}", stderr(&wit));
    let text = String::from_utf8_lossy(&wit.stdout);
    assert!(
        text.contains("import acme:sensors/temp@1.0.0;"),
        "the component does not import the vendor interface:\n{text}"
    );
}

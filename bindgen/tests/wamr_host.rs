//! `wasit2 bindgen --host-c`: WAMR natives for a vendor world, tested on a
//! real C embedder of the stock, unpatched 2020 WAMR (examples/wamr-embedder,
//! built by scripts/build-wamr-embedder.sh from the wamr-sys 0.1.1 sources
//! and cached under ~/.cache/wasit2/wamr-embedder). The guest is
//! tests/interfaces/sensor.c with its `wasit2 bindgen` bindings, linked for
//! wasm32-wasit2-mvp against `--host wasip1` plus the sensor world with
//! `--vendor-imports env`, since that loader resolves natives only under
//! `env` (and wasi_*, spectest); the natives are generated to match.
//!
//! Needs `make build sysroot clang-install` and scripts/setup.sh (cmake, gcc,
//! the WAMR sources).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use wasit2_abi::{Arch, Lowering, Wit};
use wasit2_bindgen::host_c::{generate_wamr_c, generate_wamr_c_for, VendorImports};
use wasit2_bindgen::{BindgenError, Options};
use wasit2_testkit::{bless_or_diff, clang, repo, require_clang_target, Tool};

const TARGET: &str = "wasm32-wasit2-mvp";

/// What every sensor host prints for tests/interfaces/sensor.c with the
/// readings of examples/wamr-embedder/sensor_natives.c.
const SENSOR_OUTPUT: &str =
    "model: ACME TMP-117 precision thermometer\nsamples (5): 21 22 22 23 21\n";

fn sensors_wit() -> PathBuf {
    repo().join("tests/interfaces/sensors.wit")
}

fn host_world_flag() -> String {
    format!("-Wl,--host-world={}:firmware", sensors_wit().display())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn wasit2(args: &[&str]) -> Output {
    Command::new(Tool::Wasit2.path())
        .args(args)
        .output()
        .expect("wasit2 runs")
}

/// The CLI and wasit-ld the installed clang target links with, built once.
fn tools() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        wasit2_testkit::build_workspace_bins(&[Tool::Wasit2, Tool::WasitLd]);
        require_clang_target(TARGET);
    });
}

fn sensors_lowering() -> Lowering {
    let mut wit = Wit::wasi().unwrap();
    wit.push_path(&sensors_wit()).unwrap();
    let world = wit.world("firmware").unwrap();
    Lowering::new(&wit, world, Arch::Wasm32).unwrap()
}

#[test]
fn sensor_natives_match_the_golden_files() {
    // The env form, as the embedder registers them for the 2020 WAMR.
    let b = generate_wamr_c_for(
        &sensors_lowering(),
        &Options {
            base_name: Some("sensors".into()),
        },
        VendorImports::Env,
    )
    .unwrap();
    assert_eq!(b.header_name, "sensors_wamr.h");
    assert_eq!(
        b.functions,
        ["acme_sensors_temp_read_raw", "acme_sensors_temp_model"]
    );
    let mut diffs = String::new();
    for (name, text) in [(&b.header_name, &b.header), (&b.source_name, &b.source)] {
        let rel = format!("bindgen/tests/expected/{name}");
        if let Some(d) = bless_or_diff(&rel, "tests/interfaces/sensors.wit", text) {
            diffs.push_str(&d);
        }
    }
    assert!(diffs.is_empty(), "{diffs}rerun with BLESS=1 if intended");
}

#[test]
fn types_without_host_glue_are_refused_naming_the_function() {
    let dir = tempfile::tempdir().unwrap();
    let wit = dir.path().join("dial.wit");
    std::fs::write(
        &wit,
        "package acme:dial@1.0.0;\n\
         interface knob {\n  record pos { x: u32, y: u32 }\n  where: func() -> pos;\n}\n\
         world panel { import knob; }\n",
    )
    .unwrap();
    let mut w = Wit::wasi().unwrap();
    w.push_path(&wit).unwrap();
    let world = w.world("panel").unwrap();
    let l32 = Lowering::new(&w, world, Arch::Wasm32).unwrap();
    let err = generate_wamr_c(&l32, &Options::default()).unwrap_err();
    assert!(matches!(err, BindgenError::Unsupported(_)), "{err}");
    assert!(
        err.to_string().contains("`acme:dial/knob@1.where`"),
        "{err}"
    );
    let l64 = Lowering::new(&w, world, Arch::Wasm64).unwrap();
    assert!(matches!(
        generate_wamr_c(&l64, &Options::default()),
        Err(BindgenError::MismatchedLowerings(_))
    ));

    // The CLI says it in one line and exits non-zero, writing nothing.
    tools();
    let out_dir = dir.path().join("out");
    let o = wasit2(&[
        "bindgen",
        "--host-c",
        "--wit",
        wit.to_str().unwrap(),
        "--world",
        "panel",
        "--out-dir",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("acme:dial/knob@1.where"), "{err}");
    assert!(!out_dir.exists());
}

/// Every supported shape, two interfaces and a world-level function.
const RICH_WIT: &str = "package acme:rich@1.0.0;
interface a {
  add: func(x: s32, y: f64, on: bool) -> u64;
  log: func(msg: string, data: list<u16>);
}
interface b {
  name: func() -> string;
  samples: func(n: u32) -> list<s32>;
}
world rich {
  import a;
  import b;
  import ping: func(c: char) -> f32;
}
";

#[test]
fn every_supported_shape_compiles_against_the_wamr_headers() {
    let dir = tempfile::tempdir().unwrap();
    let wit = dir.path().join("rich.wit");
    std::fs::write(&wit, RICH_WIT).unwrap();
    let mut w = Wit::wasi().unwrap();
    w.push_path(&wit).unwrap();
    let world = w.world("rich").unwrap();
    let l32 = Lowering::new(&w, world, Arch::Wasm32).unwrap();
    let b = generate_wamr_c(&l32, &Options::default()).unwrap();
    assert_eq!(b.header_name, "wasit2_rich_wamr.h");
    for proto in [
        "int acme_rich_a_add(int32_t x, double y, bool on, uint64_t *ret);",
        "int acme_rich_a_log(const char *msg, size_t msg_len, const uint16_t *data, size_t data_len);",
        "int acme_rich_b_name(char *buf, size_t cap, size_t *len);",
        "int acme_rich_b_samples(uint32_t n, int32_t *buf, size_t cap, size_t *len);",
        "int rich_ping(uint32_t c, float *ret);",
        "bool wasit2_rich_wamr_register(void);",
    ] {
        assert!(b.header.contains(proto), "{proto} not in\n{}", b.header);
    }
    for part in [
        "{ \"add\", (void *)wamr_native_acme_rich_a_add, \"(iFi)I\", NULL },",
        "{ \"log\", (void *)wamr_native_acme_rich_a_log, \"(iiii)\", NULL },",
        "{ \"samples\", (void *)wamr_native_acme_rich_b_samples, \"(iiii)i\", NULL },",
        "{ \"ping\", (void *)wamr_native_rich_ping, \"(i)f\", NULL },",
        // list<u16> is checked as 2-byte elements at 2-byte alignment; the
        // list<s32> arena at the ABI's arena alignment 4.
        "wasit2_rich_wamr_check(inst, a2, (uint64_t)a3 * 2, 2)",
        "wasit2_rich_wamr_check(inst, a2, a3, 4)",
        "wasm_runtime_register_natives(\"cm32p2|acme:rich/a@1\"",
        "wasm_runtime_register_natives(\"wasit2-cm32p2|acme:rich/b@1\"",
        "wasm_runtime_register_natives(\"cm32p2\"",
    ] {
        assert!(b.source.contains(part), "{part} not in\n{}", b.source);
    }

    // The env form: one table under `env`, each field the whole import name.
    let env = generate_wamr_c_for(&l32, &Options::default(), VendorImports::Env).unwrap();
    for part in [
        "{ \"cm32p2|acme:rich/a@1|add\", (void *)wamr_native_acme_rich_a_add, \"(iFi)I\", NULL },",
        "{ \"cm32p2|acme:rich/a@1|log\", (void *)wamr_native_acme_rich_a_log, \"(iiii)\", NULL },",
        "{ \"wasit2-cm32p2|acme:rich/b@1|samples\", (void *)wamr_native_acme_rich_b_samples, \"(iiii)i\", NULL },",
        "{ \"cm32p2|ping\", (void *)wamr_native_rich_ping, \"(i)f\", NULL },",
        "wasm_runtime_register_natives(\"env\", wasit2_rich_wamr_natives_0,",
    ] {
        assert!(env.source.contains(part), "{part} not in\n{}", env.source);
    }
    assert_eq!(
        env.source.matches("wasm_runtime_register_natives(").count(),
        1,
        "{}",
        env.source
    );
    assert_eq!(env.functions, b.functions);

    // The natives and a firmware stub for every prototype compile cleanly
    // against the 2020 WAMR's wasm_export.h, in both namings.
    let env_dir = dir.path().join("env");
    b.write_to(dir.path()).unwrap();
    env.write_to(&env_dir).unwrap();
    let stubs: String = b
        .header
        .lines()
        .filter(|l| l.starts_with("int ") && l.ends_with(");"))
        .map(|l| format!("{} {{ return 0; }}\n", l.trim_end_matches(';')))
        .collect();
    assert_eq!(stubs.lines().count(), 5, "{stubs}");
    for d in [dir.path(), &env_dir] {
        std::fs::write(
            d.join("stubs.c"),
            format!("#include \"{}\"\n{stubs}", b.header_name),
        )
        .unwrap();
    }
    let fetch = Command::new(repo().join("scripts/build-wamr-embedder.sh"))
        .arg("--fetch")
        .output()
        .expect("scripts/build-wamr-embedder.sh runs");
    assert!(fetch.status.success(), "{}", stderr(&fetch));
    let include = PathBuf::from(stdout(&fetch).trim()).join("core/iwasm/include");
    for d in [dir.path(), &env_dir] {
        let o = Command::new("cc")
            .args([
                "-std=c99",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-Wno-unused-parameter",
            ])
            .arg(format!("-I{}", include.display()))
            .arg("-c")
            .arg(&b.source_name)
            .arg("stubs.c")
            .current_dir(d)
            .output()
            .expect("cc runs");
        assert!(o.status.success(), "{}: {}", d.display(), stderr(&o));
    }
}

/// Guest bindings (`acme_sensors.{h,c}`), host natives (`sensors_wamr.{h,c}`)
/// from the CLI, and the embedder built with them.
struct Setup {
    dir: tempfile::TempDir,
    embedder: PathBuf,
}

fn setup() -> Setup {
    tools();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let wit = sensors_wit();
    let wit = wit.to_str().unwrap();
    let base = [
        "bindgen",
        "--wit",
        wit,
        "--world",
        "firmware",
        "--out-dir",
        d,
    ];
    let o = wasit2(&[&base[..], &["--name", "acme_sensors"]].concat());
    assert!(o.status.success(), "bindgen: {}", stderr(&o));
    let o = wasit2(
        &[
            &base[..],
            &["--host-c", "--vendor-imports", "env", "--name", "sensors"],
        ]
        .concat(),
    );
    assert!(o.status.success(), "bindgen --host-c: {}", stderr(&o));
    assert!(stderr(&o).contains("sensors_wamr.h and "), "{}", stderr(&o));

    let build = Command::new(repo().join("scripts/build-wamr-embedder.sh"))
        .arg(dir.path())
        .output()
        .expect("scripts/build-wamr-embedder.sh runs");
    assert!(
        build.status.success(),
        "building the WAMR embedder failed (run scripts/setup.sh):\n{}",
        stderr(&build)
    );
    let embedder = PathBuf::from(stdout(&build).trim());
    assert!(embedder.is_file(), "{}", embedder.display());
    Setup { dir, embedder }
}

/// Links `src` with the guest bindings for the 2020 WAMR: p1 plus the
/// sensor world, vendor imports in the env form.
fn guest(dir: &Path, src: &Path, name: &str) -> PathBuf {
    guest_with(dir, src, name, &["-Wl,--vendor-imports=env"])
}

fn guest_with(dir: &Path, src: &Path, name: &str, flags: &[&str]) -> PathBuf {
    let wasm = dir.join(format!("{name}.wasm"));
    let o = Command::new(clang())
        .arg(format!("--target={TARGET}"))
        .args(["-O2", "-Wall", "-Werror", "-Wno-deprecated"])
        .arg(format!("-I{}", dir.display()))
        .arg(src)
        .arg(dir.join("acme_sensors.c"))
        .args(["-Wl,--host=wasip1", &host_world_flag()])
        .args(flags)
        .arg("-o")
        .arg(&wasm)
        .output()
        .expect("clang-22 runs");
    assert!(o.status.success(), "{name}: {}", stderr(&o));
    wasm
}

fn run(embedder: &Path, wasm: &Path, args: &[&str]) -> Output {
    Command::new(embedder)
        .arg(wasm)
        .args(args)
        .output()
        .expect("the embedder runs")
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
fn the_sensor_example_runs_on_the_wamr_embedder() {
    let s = setup();
    let wasm = guest(
        s.dir.path(),
        &repo().join("tests/interfaces/sensor.c"),
        "sensor",
    );
    // Only p1 and the two sensor functions in the env form.
    let names = imports(&wasm);
    let mut vendor: Vec<&String> = names
        .iter()
        .filter(|n| !n.starts_with("wasi_snapshot_preview1."))
        .collect();
    vendor.sort();
    assert_eq!(
        vendor,
        [
            "env.wasit2-cm32p2|acme:sensors/temp@1|model",
            "env.wasit2-cm32p2|acme:sensors/temp@1|read-raw",
        ],
        "{names:?}"
    );
    let o = run(&s.embedder, &wasm, &[]);
    assert_eq!(stdout(&o), SENSOR_OUTPUT, "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");

    // `wasit2 check` reads the env form as the sensor functions: fine for
    // p1 plus the sensor world, refused with the call path without it.
    let w = wasm.to_str().unwrap();
    let world = format!("{}:firmware", sensors_wit().display());
    let o = wasit2(&["check", "--host", "wasip1", "--host-world", &world, w]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), format!("{w}: ok for host wasip1 + {world}\n"));
    let o = wasit2(&["check", "--host", "wasip1", w]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "error: env.wasit2-cm32p2|acme:sensors/temp@1|model: not provided by host wasip1"
        ) && err.contains(
            "call path: __wasit2_run → main → env.wasit2-cm32p2|acme:sensors/temp@1|model"
        ),
        "{err}"
    );
}

#[test]
fn vendor_imports_env_needs_a_p1_host() {
    tools();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("empty.c");
    std::fs::write(&src, "int main(void) { return 0; }\n").unwrap();
    let o = Command::new(clang())
        .arg("--target=wasm32-wasit2")
        .arg(&src)
        .args(["-Wl,--vendor-imports=env", "-o"])
        .arg(dir.path().join("empty.wasm"))
        .output()
        .expect("clang-22 runs");
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("`--vendor-imports env` needs `--host wasip1`"),
        "{}",
        stderr(&o)
    );
}

/// Without `--vendor-imports env` the module keeps the ABI's module names,
/// which the stock 2020 loader does not resolve natives for: the import
/// stays unlinked and the first call traps.
#[test]
fn abi_module_names_stay_unlinked_on_the_stock_2020_wamr() {
    let s = setup();
    let wasm = guest_with(
        s.dir.path(),
        &repo().join("tests/interfaces/sensor.c"),
        "sensor-abi-names",
        &[],
    );
    let names = imports(&wasm);
    assert!(
        names.contains(&"wasit2-cm32p2|acme:sensors/temp@1.model".to_string()),
        "{names:?}"
    );
    let o = run(&s.embedder, &wasm, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("unlinked import function"),
        "{}",
        stderr(&o)
    );
}

/// Calls the natives the way sensor.c does not: too-small and empty
/// arenas, and pointers the natives must refuse.
const PROBE: &str = r#"#include <stdio.h>
#include <string.h>
#include "acme_sensors.h"

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    _Alignas(4) char arena[64];
    if (!strcmp(mode, "oob"))
        return (int)__wasit2_import_acme_sensors_temp_model((void *)0xfffffff0u, arena, sizeof arena);
    if (!strcmp(mode, "misaligned"))
        return (int)__wasit2_import_acme_sensors_temp_model(arena + 1, arena + 16, 16);
    if (!strcmp(mode, "arena-oob"))
        return (int)__wasit2_import_acme_sensors_temp_read_raw(arena, (void *)0xfffffff0u, 64);

    /* The model name (34 bytes) does not fit 16: nothing is written, not
     * at the return pointer and not in the arena; the size comes back. */
    wasit2_string_t model = {(uint8_t *)0x1234, 77};
    memset(arena, 'x', sizeof arena);
    size_t need = acme_sensors_temp_model(&model, arena, 16);
    int untouched = 1;
    for (size_t i = 0; i < sizeof arena; i++)
        untouched &= arena[i] == 'x';
    printf("too small: need %zu, ret %s, arena %s\n", need,
           model.ptr == (uint8_t *)0x1234 && model.len == 77 ? "untouched" : "written",
           untouched ? "untouched" : "written");
    need = acme_sensors_temp_model(&model, arena, need);
    printf("retry: need %zu: %.*s\n", need, (int)model.len, (const char *)model.ptr);

    /* An empty arena only asks for the size; an exact one fits. */
    acme_sensors_temp_list_u8_t raw = {0, 0};
    need = acme_sensors_temp_read_raw(&raw, NULL, 0);
    printf("empty arena: need %zu, len %zu\n", need, raw.len);
    need = acme_sensors_temp_read_raw(&raw, arena, need);
    printf("exact arena: %zu samples at arena+%d:", raw.len, (int)((char *)raw.ptr - arena));
    for (size_t i = 0; i < raw.len; i++)
        printf(" %u", (unsigned)raw.ptr[i]);
    printf("\n");
    return 0;
}
"#;

#[test]
fn too_small_buffers_and_bad_pointers_follow_the_abi() {
    let s = setup();
    let src = s.dir.path().join("probe.c");
    std::fs::write(&src, PROBE).unwrap();
    let wasm = guest(s.dir.path(), &src, "probe");

    let o = run(&s.embedder, &wasm, &[]);
    assert_eq!(
        stdout(&o),
        "too small: need 34, ret untouched, arena untouched\n\
         retry: need 34: ACME TMP-117 precision thermometer\n\
         empty arena: need 5, len 0\n\
         exact arena: 5 samples at arena+0: 21 22 22 23 21\n",
        "{}",
        stderr(&o)
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // A pointer outside memory or misaligned for the result traps the
    // module; the firmware function is never called.
    for (mode, why) in [
        ("oob", "out of bounds memory access"),
        ("arena-oob", "out of bounds memory access"),
        ("misaligned", "misaligned pointer"),
    ] {
        let o = run(&s.embedder, &wasm, &[mode]);
        assert_eq!(o.status.code(), Some(1), "{mode}: {}", stderr(&o));
        assert_eq!(
            stderr(&o),
            format!("wamr-embedder: trap: Exception: {why}\n"),
            "{mode}"
        );
    }
}

//! The shared interface examples (`tests/interfaces/`) built from C with
//! only the bindgen sources added, through clang's installed wasit2 targets
//! and the wasit-ld under test: the world comes from the bindings, exports
//! get their glue (`_post`, `<p>_params_alloc`), the linked module records
//! the merged world, and the plugin is called for real on wasmtime the way
//! docs/abi.md (section 1.1) says a host calls it.
//!
//! Needs `make build sysroot clang-install`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;

use wasit2_abi::{
    params_alloc_export, AbiSection, Arch, ExportItem, Lowering, Wit, WorldSection,
    WORLD_SECTION_NAME,
};
use wasit2_bindgen::{generate_for_world, Options};
use wasit2_host::wasmtime::{Config, Engine, Instance, Linker, Memory, Module, Store, Val};
use wasit2_testkit::{clang, repo, require_clang_target, Tool};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn interfaces() -> PathBuf {
    repo().join("tests/interfaces")
}

fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| wasit2_testkit::build_workspace_bins(&[Tool::WasitLd]));
}

/// Writes the bindings of `world` in `wit` as `<base>.h`/`<base>.c` into `dir`.
fn bindings(dir: &Path, wit: &str, world: &str, base: &str) -> String {
    let mut w = Wit::wasi().unwrap();
    w.push_path(&interfaces().join(wit)).unwrap();
    let id = w.world(world).unwrap();
    let b = generate_for_world(
        &w,
        id,
        &Options {
            base_name: Some(base.into()),
        },
    )
    .unwrap();
    b.write_to(dir).unwrap();
    b.source
}

fn triple(arch: Arch) -> &'static str {
    match arch {
        Arch::Wasm32 => "wasm32-wasit2",
        Arch::Wasm64 => "wasm64-wasit2",
    }
}

/// clang for `arch` on `sources`, no extra linker flag; the output or the
/// linker's stderr.
fn cc(
    dir: &Path,
    arch: Arch,
    out: &str,
    sources: &[PathBuf],
    extra: &[&str],
) -> Result<Vec<u8>, String> {
    require_clang_target(triple(arch));
    let wasm = dir.join(out);
    let o = Command::new(clang())
        .arg(format!("--target={}", triple(arch)))
        .args(["-O1", "-Wall", "-Wextra", "-Werror", "-Wno-deprecated"])
        .args(extra)
        .arg("-I")
        .arg(dir)
        .args(sources)
        .arg("-o")
        .arg(&wasm)
        .output()
        .expect("running clang");
    match o.status.success() {
        true => Ok(std::fs::read(&wasm).unwrap()),
        false => Err(String::from_utf8_lossy(&o.stderr).into_owned()),
    }
}

/// The world the module records: its `wasit2-abi` world, defined by its one
/// `wasit2-world` record, lowered for `arch`.
fn recorded_world(bytes: &[u8], arch: Arch) -> Lowering {
    let m = wasit2_module::Module::parse(bytes).unwrap();
    let abi = AbiSection::decode(m.abi_section.as_deref().expect("no wasit2-abi")).unwrap();
    assert_eq!(abi.arch, arch);
    let section =
        WorldSection::decode(m.world_section.as_deref().expect("no wasit2-world")).unwrap();
    assert_eq!(
        section.records.len(),
        1,
        "the raw carriers are replaced by one record"
    );
    assert_eq!(section.records[0].world, abi.world);
    let (wit, worlds) = section.load().unwrap();
    Lowering::new(&wit, worlds[0], arch).unwrap()
}

/// Every required export of `l` is in the module with the ABI's signature.
fn assert_exports(bytes: &[u8], l: &Lowering) {
    let m = wasit2_module::Module::parse(bytes).unwrap();
    for want in l.exports.iter().filter(|e| e.required) {
        let Some(sig) = &want.sig else { continue };
        let got = m
            .exports
            .iter()
            .find(|e| e.name == want.name)
            .unwrap_or_else(|| panic!("{}: no export {}", l.arch.name(), want.name));
        assert_eq!(
            m.func_sigs[got.index as usize].core.as_ref(),
            Some(sig),
            "{}",
            want.name
        );
    }
}

#[test]
fn the_sensor_links_with_only_the_bindings() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    bindings(dir.path(), "sensors.wit", "firmware", "acme_sensors");
    for arch in Arch::ALL {
        let bytes = cc(
            dir.path(),
            arch,
            &format!("sensor-{}.wasm", arch.name()),
            &[
                interfaces().join("sensor.c"),
                dir.path().join("acme_sensors.c"),
            ],
            &[],
        )
        .unwrap_or_else(|e| panic!("{}: {e}", arch.name()));
        let l = recorded_world(&bytes, arch);
        assert_eq!(l.world_name, "wasit2:program/firmware");
        let m = wasit2_module::Module::parse(&bytes).unwrap();
        // The sensor imports are there with the ABI's signatures, and every
        // import is one of the merged world's.
        for field in ["model", "read-raw"] {
            let module = format!("{}|acme:sensors/temp@1", arch.buffer_prefix());
            let want = l.import(&module, field).expect("the world has the sensor");
            let got = m
                .imports
                .iter()
                .find(|i| i.module == module && i.field == field)
                .unwrap_or_else(|| panic!("{}: no import {module}.{field}", arch.name()));
            let (_, sig) = got.func().unwrap();
            assert_eq!(sig.core.as_ref(), Some(&want.sig));
        }
        for i in &m.imports {
            assert!(
                l.import(&i.module, &i.field).is_some(),
                "{}.{} is not in the recorded world",
                i.module,
                i.field
            );
        }
        assert_exports(&bytes, &l);
        assert!(m
            .exports
            .iter()
            .any(|e| e.name.ends_with("|wasi:cli/run@0.2|run")));
        assert!(
            m.custom_sections
                .iter()
                .filter(|n| *n == WORLD_SECTION_NAME)
                .count()
                == 1,
            "{:?}",
            m.custom_sections
        );
    }
}

/// The plugin for `arch`: generated glue, plugin.c, a reactor.
fn build_plugin(dir: &Path, arch: Arch) -> Vec<u8> {
    bindings(dir, "plugin.wit", "plugin", "acme_plugin");
    cc(
        dir,
        arch,
        &format!("plugin-{}.wasm", arch.name()),
        &[interfaces().join("plugin.c"), dir.join("acme_plugin.c")],
        &["-mexec-model=reactor"],
    )
    .unwrap_or_else(|e| panic!("{}: {e}", arch.name()))
}

#[test]
fn the_plugin_exports_its_handler_with_post_and_params_alloc() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    for arch in Arch::ALL {
        let bytes = build_plugin(dir.path(), arch);
        let l = recorded_world(&bytes, arch);
        assert_eq!(l.world_name, "wasit2:program/plugin");
        let p = arch.prefix();
        let handle = format!("{p}|acme:plugin/handler@1|handle");
        for name in [
            handle.clone(),
            format!("{handle}_post"),
            params_alloc_export(arch),
        ] {
            assert!(l.export(&name).is_some(), "the world lacks {name}");
        }
        assert!(matches!(
            l.export(&params_alloc_export(arch)).unwrap().item,
            ExportItem::ParamsAlloc
        ));
        assert_exports(&bytes, &l);
        let m = wasit2_module::Module::parse(&bytes).unwrap();
        let post = m
            .exports
            .iter()
            .find(|e| e.name == format!("{handle}_post"))
            .unwrap();
        assert_eq!(
            m.func_sigs[post.index as usize].core.as_ref(),
            l.export(&format!("{handle}_post")).unwrap().sig.as_ref()
        );
        // A reactor: no wasi:cli/run.
        assert!(!m.exports.iter().any(|e| e.name.contains("wasi:cli/run")));
        // `wasit2 check` takes the exports from the recorded world: the plain
        // wasit2 host runs the plugin (it imports nothing of the vendor's).
        let report = wasit2_check::check(
            &bytes,
            &wasit2_check::HostProfile::wasit2().unwrap(),
            &Default::default(),
        )
        .unwrap();
        assert!(report.is_ok(), "{}: {report}", arch.name());
    }
}

/// A host calling exports as docs/abi.md 1.1 says, with raw wasmtime.
struct Guest {
    store: Store<()>,
    instance: Instance,
    memory: Memory,
    arch: Arch,
}

impl Guest {
    fn new(bytes: &[u8], arch: Arch) -> Guest {
        let mut config = Config::new();
        config.wasm_memory64(arch == Arch::Wasm64);
        let engine = Engine::new(&config).unwrap();
        let module = Module::new(&engine, bytes).unwrap();
        let mut linker = Linker::new(&engine);
        linker.define_unknown_imports_as_traps(&module).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let memory = instance
            .get_memory(&mut store, &arch.memory_export())
            .expect("memory export");
        let mut g = Guest {
            store,
            instance,
            memory,
            arch,
        };
        g.call(&arch.initialize_export(), &[]);
        g
    }

    /// A pointer or length value of the arch.
    fn ptr(&self, v: u64) -> Val {
        match self.arch {
            Arch::Wasm32 => Val::I32(v as i32),
            Arch::Wasm64 => Val::I64(v as i64),
        }
    }

    fn w(&self) -> u64 {
        self.arch.pointer_size() as u64
    }

    fn has(&mut self, name: &str) -> bool {
        self.instance.get_func(&mut self.store, name).is_some()
    }

    fn call(&mut self, name: &str, args: &[Val]) -> Vec<Val> {
        let f = self
            .instance
            .get_func(&mut self.store, name)
            .unwrap_or_else(|| panic!("no export {name}"));
        let mut results = vec![Val::I32(0); f.ty(&self.store).results().len()];
        f.call(&mut self.store, args, &mut results).unwrap();
        results
    }

    /// The single integer result of `name` (a pointer, a length, an i64).
    fn call_int(&mut self, name: &str, args: &[Val]) -> u64 {
        match self.call(name, args).as_slice() {
            [Val::I32(v)] => *v as u32 as u64,
            [Val::I64(v)] => *v as u64,
            other => panic!("{name}: unexpected results {other:?}"),
        }
    }

    fn alloc(&mut self, size: u64, align: u64) -> u64 {
        let name = params_alloc_export(self.arch);
        let args = [self.ptr(size), self.ptr(align)];
        let at = self.call_int(&name, &args);
        assert_ne!(at, 0, "params_alloc ran out of memory");
        assert_eq!(at % align, 0, "params_alloc ignored the alignment");
        at
    }

    fn write(&mut self, at: u64, bytes: &[u8]) {
        self.memory
            .write(&mut self.store, at as usize, bytes)
            .unwrap();
    }

    fn write_ptr(&mut self, at: u64, v: u64) {
        match self.arch {
            Arch::Wasm32 => self.write(at, &(v as u32).to_le_bytes()),
            Arch::Wasm64 => self.write(at, &v.to_le_bytes()),
        }
    }

    fn read(&self, at: u64, n: u64) -> Vec<u8> {
        self.memory.data(&self.store)[at as usize..(at + n) as usize].to_vec()
    }

    fn read_ptr(&self, at: u64) -> u64 {
        let b = self.read(at, self.w());
        match self.arch {
            Arch::Wasm32 => u32::from_le_bytes(b.try_into().unwrap()) as u64,
            Arch::Wasm64 => u64::from_le_bytes(b.try_into().unwrap()),
        }
    }

    /// A string parameter: allocated, copied; its (ptr, len).
    fn put_str(&mut self, s: &str) -> (u64, u64) {
        let at = self.alloc(s.len() as u64, 1);
        self.write(at, s.as_bytes());
        (at, s.len() as u64)
    }

    /// The string stored at `at` as (ptr, len).
    fn get_str(&self, at: u64) -> String {
        let (ptr, n) = (self.read_ptr(at), self.read_ptr(at + self.w()));
        String::from_utf8(self.read(ptr, n)).unwrap()
    }
}

/// `handle(input)` of the plugin: params_alloc, copy, call, read, `_post`.
fn handle(g: &mut Guest, input: &str) -> String {
    let handle = format!("{}|acme:plugin/handler@1|handle", g.arch.prefix());
    let (ptr, len) = g.put_str(input);
    let args = [g.ptr(ptr), g.ptr(len)];
    let ret = g.call_int(&handle, &args);
    let out = g.get_str(ret);
    let retv = g.ptr(ret);
    g.call(&format!("{handle}_post"), &[retv]);
    out
}

#[test]
fn the_plugin_answers_a_host_that_follows_the_abi() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    for arch in Arch::ALL {
        let bytes = build_plugin(dir.path(), arch);
        let mut g = Guest::new(&bytes, arch);
        assert_eq!(handle(&mut g, "hello"), "handled: HELLO");
        assert_eq!(handle(&mut g, ""), "handled: ");
        // The glue frees the parameters and the result: a thousand calls
        // with 4 KiB inputs do not grow the memory past the first ones.
        let big = "x".repeat(4096);
        for _ in 0..10 {
            assert_eq!(handle(&mut g, &big).len(), 4096 + 9);
        }
        let pages = g.memory.size(&g.store);
        for _ in 0..1000 {
            handle(&mut g, &big);
        }
        assert_eq!(
            g.memory.size(&g.store),
            pages,
            "{}: memory grew over repeated calls",
            arch.name()
        );
    }
}

/// Canonical ABI record layout of fields with these (size, align): the
/// offsets and the total size.
fn layout(fields: &[(u64, u64)]) -> (Vec<u64>, u64) {
    let (mut at, mut max) = (0u64, 1u64);
    let mut offsets = Vec::new();
    for &(size, align) in fields {
        at = at.div_ceil(align) * align;
        offsets.push(at);
        at += size;
        max = max.max(align);
    }
    (offsets, at.div_ceil(max) * max)
}

#[test]
fn export_glue_lifts_and_lowers_every_shape() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    let fixtures = manifest_dir().join("tests/fixtures/exports");
    let mut wit = Wit::wasi().unwrap();
    wit.push_path(&fixtures.join("echo.wit")).unwrap();
    let world = wit.world("echo-world").unwrap();
    let b = generate_for_world(
        &wit,
        world,
        &Options {
            base_name: Some("echo".into()),
        },
    )
    .unwrap();
    b.write_to(dir.path()).unwrap();
    for arch in Arch::ALL {
        let bytes = cc(
            dir.path(),
            arch,
            &format!("echo-{}.wasm", arch.name()),
            &[fixtures.join("echo_impl.c"), dir.path().join("echo.c")],
            &["-mexec-model=reactor"],
        )
        .unwrap_or_else(|e| panic!("{}: {e}", arch.name()));
        assert_exports(&bytes, &recorded_world(&bytes, arch));
        let mut g = Guest::new(&bytes, arch);
        let f = |name: &str| format!("{}|test:echo/echo@0.1|{name}", arch.prefix());
        let w = g.w();
        // Only results that own memory have a `_post`.
        for (name, post) in [
            ("join", true),
            ("measure", false),
            ("many", false),
            ("flip", true),
            ("pair", false),
            ("words", true),
        ] {
            assert_eq!(g.has(&f(&format!("{name}_post"))), post, "{name}_post");
        }
        let pages = g.memory.size(&g.store);
        for round in 0..200 {
            // join(list<string>, string): the list's array, then each
            // string, then `sep`, in flattening order.
            let parts = ["a", "bc", "", "def"];
            let array = g.alloc(parts.len() as u64 * 2 * w, w);
            for (i, p) in parts.iter().enumerate() {
                let (ptr, len) = g.put_str(p);
                g.write_ptr(array + i as u64 * 2 * w, ptr);
                g.write_ptr(array + i as u64 * 2 * w + w, len);
            }
            let (sep, sep_len) = g.put_str("--");
            let args = [
                g.ptr(array),
                g.ptr(parts.len() as u64),
                g.ptr(sep),
                g.ptr(sep_len),
            ];
            let ret = g.call_int(&f("join"), &args);
            assert_eq!(g.get_str(ret), "a--bc----def");
            let retv = g.ptr(ret);
            g.call(&f("join_post"), &[retv]);

            // measure(point, shape): each case of the variant through the
            // joined payload slots (f32 bits in the pointer slot).
            let measure = |g: &mut Guest, tag: i32, a: u64, b: u64| -> f64 {
                let args = [
                    Val::I32(3),
                    Val::F64(0.5f64.to_bits()),
                    Val::I32(tag),
                    g.ptr(a),
                    g.ptr(b),
                ];
                match g.call(&f("measure"), &args).as_slice() {
                    [Val::F64(v)] => f64::from_bits(*v),
                    other => panic!("measure: {other:?}"),
                }
            };
            assert_eq!(measure(&mut g, 0, 0, 0), 3.5);
            assert_eq!(measure(&mut g, 1, 2.25f32.to_bits() as u64, 0), 5.75);
            let poly = g.alloc(2 * 16, 8);
            for (i, (x, y)) in [(1i32, 0.25f64), (2, 0.5)].into_iter().enumerate() {
                g.write(poly + i as u64 * 16, &x.to_le_bytes());
                g.write(poly + i as u64 * 16 + 8, &y.to_le_bytes());
            }
            assert_eq!(measure(&mut g, 2, poly, 2), 3004.25);
            let (name, len) = g.put_str("abc");
            assert_eq!(measure(&mut g, 3, name, len), 303.5);

            // many(...): 17 flat values, so one pointer to the parameters
            // stored as a record, which the host allocates too.
            let (k, k_len) = g.put_str("hey");
            let l = g.alloc(3, 1);
            g.write(l, &[1, 2, 3]);
            let fields = [
                (1, 1),
                (2, 2),
                (4, 4),
                (8, 8),
                (1, 1),
                (2, 2),
                (4, 4),
                (8, 8),
                (4, 4),
                (8, 8),
                (2 * w, w),
                (2 * w, w),
                (1, 1),
                (4, 4),
                (4, 4),
            ];
            let (at, size) = layout(&fields);
            let rec = g.alloc(size, 8);
            let values: [&[u8]; 10] = [
                &1u8.to_le_bytes(),
                &2u16.to_le_bytes(),
                &3u32.to_le_bytes(),
                &4u64.to_le_bytes(),
                &(-5i8).to_le_bytes(),
                &(-6i16).to_le_bytes(),
                &(-7i32).to_le_bytes(),
                &(-8i64).to_le_bytes(),
                &1.5f32.to_le_bytes(),
                &2.5f64.to_le_bytes(),
            ];
            for (i, v) in values.iter().enumerate() {
                g.write(rec + at[i], v);
            }
            g.write_ptr(rec + at[10], k);
            g.write_ptr(rec + at[10] + w, k_len);
            g.write_ptr(rec + at[11], l);
            g.write_ptr(rec + at[11] + w, 3);
            g.write(rec + at[12], &[1]);
            g.write(rec + at[13], &('Z' as u32).to_le_bytes());
            g.write(rec + at[14], &100u32.to_le_bytes());
            let mut v: i64 = 1 + 2 + 3 + 4 - 5 - 6 - 7 - 8;
            v = v * 10 + 3;
            v = v * 10 + 5;
            v = v * 1000 + 3;
            v = v * 100 + 6;
            v = v * 2 + 1;
            v = v * 1000 + 'Z' as i64;
            let args = [g.ptr(rec)];
            match g.call(&f("many"), &args).as_slice() {
                [Val::I64(got)] => assert_eq!(*got, v + 100),
                other => panic!("many: {other:?}"),
            }

            // flip(option<string>) -> option<string>: tag at 0, payload at
            // the pointer alignment.
            let (s, n) = g.put_str("stressed");
            let args = [Val::I32(1), g.ptr(s), g.ptr(n)];
            let ret = g.call_int(&f("flip"), &args);
            assert_eq!(g.read(ret, 1), [1]);
            assert_eq!(g.get_str(ret + w), "desserts");
            let retv = g.ptr(ret);
            g.call(&f("flip_post"), &[retv]);
            let args = [Val::I32(0), g.ptr(0), g.ptr(0)];
            let ret = g.call_int(&f("flip"), &args);
            assert_eq!(g.read(ret, 1), [0]);
            let retv = g.ptr(ret);
            g.call(&f("flip_post"), &[retv]);

            // pair(u32) -> tuple<u32, u32>: a return area, no `_post`.
            let ret = g.call_int(&f("pair"), &[Val::I32(21 + round)]);
            let got = g.read(ret, 8);
            assert_eq!(
                u32::from_le_bytes(got[..4].try_into().unwrap()),
                21 + round as u32
            );
            assert_eq!(
                u32::from_le_bytes(got[4..].try_into().unwrap()),
                42 + 2 * round as u32
            );

            // words(string) -> list<string>: nested lists freed by `_post`.
            let (t, t_len) = g.put_str(" one two  three ");
            let args = [g.ptr(t), g.ptr(t_len)];
            let ret = g.call_int(&f("words"), &args);
            let (array, count) = (g.read_ptr(ret), g.read_ptr(ret + w));
            let words: Vec<String> = (0..count).map(|i| g.get_str(array + i * 2 * w)).collect();
            assert_eq!(words, ["one", "two", "three"]);
            let retv = g.ptr(ret);
            g.call(&f("words_post"), &[retv]);
            if round == 0 {
                // The first round may grow the heap; later ones reuse it.
                assert!(g.memory.size(&g.store) >= pages);
            }
        }
        let after_one = g.memory.size(&g.store);
        assert!(
            after_one <= pages + 1,
            "{}: memory grew from {pages} to {after_one} pages over 200 rounds",
            arch.name()
        );
    }
}

#[test]
fn exports_are_checked_against_the_world() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    let source = bindings(dir.path(), "plugin.wit", "plugin", "acme_plugin");
    // The world the bindings carry, without their glue.
    let carrier = &source[source.find("/* The world this program uses").unwrap()..];
    let arch = Arch::Wasm32;
    let handle = "cm32p2|acme:plugin/handler@1|handle";
    let world = "wasit2:program/plugin";
    for (name, body, want) in [
        (
            "missing",
            String::new(),
            vec![
                format!("error: export \"{handle}\": missing, but world {world} requires it"),
                format!("error: export \"cm32p2_params_alloc\": missing, but world {world} requires it"),
            ],
        ),
        (
            "mistyped",
            format!(
                "#include <stdint.h>\n__attribute__((export_name(\"{handle}\"))) int32_t handle(int32_t x) {{ return x; }}\n\
                 __attribute__((export_name(\"cm32p2_params_alloc\"))) int32_t params_alloc(int32_t s) {{ return s; }}\n"
            ),
            vec![
                format!("error: export \"{handle}\": has signature (i32) -> (i32) but the wasit2 ABI requires (i32, i32) -> (i32)"),
                "error: export \"cm32p2_params_alloc\": has signature (i32) -> (i32) but the wasit2 ABI requires (i32, i32) -> (i32)".to_string(),
            ],
        ),
    ] {
        let src = dir.path().join(format!("{name}.c"));
        std::fs::write(&src, format!("{body}\n{carrier}")).unwrap();
        let err = cc(dir.path(), arch, &format!("{name}.wasm"), &[src], &["-mexec-model=reactor"])
            .err()
            .unwrap_or_else(|| panic!("{name}: linked"));
        let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
        assert_eq!(errors, want, "{name}: {err}");
        assert!(!dir.path().join(format!("{name}.wasm")).exists());
    }
}

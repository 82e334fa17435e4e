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

/// A host calling the plugin as docs/abi.md 1.1 says, with raw wasmtime.
struct Plugin {
    store: Store<()>,
    instance: Instance,
    memory: Memory,
    arch: Arch,
}

impl Plugin {
    fn new(bytes: &[u8], arch: Arch) -> Plugin {
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
        let mut p = Plugin {
            store,
            instance,
            memory,
            arch,
        };
        p.call(&arch.initialize_export(), &[]);
        p
    }

    fn ptr(&self, v: u64) -> Val {
        match self.arch {
            Arch::Wasm32 => Val::I32(v as i32),
            Arch::Wasm64 => Val::I64(v as i64),
        }
    }

    fn call(&mut self, name: &str, args: &[Val]) -> Option<u64> {
        let f = self
            .instance
            .get_func(&mut self.store, name)
            .unwrap_or_else(|| panic!("no export {name}"));
        let mut results = vec![Val::I32(0); f.ty(&self.store).results().len()];
        f.call(&mut self.store, args, &mut results).unwrap();
        results.first().map(|r| match r {
            Val::I32(v) => *v as u32 as u64,
            Val::I64(v) => *v as u64,
            other => panic!("unexpected result {other:?}"),
        })
    }

    fn read_ptr(&self, at: u64) -> u64 {
        let data = self.memory.data(&self.store);
        let at = at as usize;
        match self.arch {
            Arch::Wasm32 => u32::from_le_bytes(data[at..at + 4].try_into().unwrap()) as u64,
            Arch::Wasm64 => u64::from_le_bytes(data[at..at + 8].try_into().unwrap()),
        }
    }

    /// `handle(input)`: params_alloc, copy, call, read the result, `_post`.
    fn handle(&mut self, input: &str) -> String {
        let p = self.arch.prefix();
        let alloc = params_alloc_export(self.arch);
        let len = input.len() as u64;
        let (size, align) = (self.ptr(len), self.ptr(1));
        let at = self.call(&alloc, &[size, align]).unwrap();
        assert_ne!(at, 0, "params_alloc ran out of memory");
        self.memory
            .write(&mut self.store, at as usize, input.as_bytes())
            .unwrap();
        let handle = format!("{p}|acme:plugin/handler@1|handle");
        let args = [self.ptr(at), self.ptr(len)];
        let ret = self.call(&handle, &args).unwrap();
        let w = self.arch.pointer_size() as u64;
        let (ptr, n) = (self.read_ptr(ret), self.read_ptr(ret + w));
        let out = self.memory.data(&self.store)[ptr as usize..(ptr + n) as usize].to_vec();
        let retv = self.ptr(ret);
        self.call(&format!("{handle}_post"), &[retv]);
        String::from_utf8(out).unwrap()
    }
}

#[test]
fn the_plugin_answers_a_host_that_follows_the_abi() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    for arch in Arch::ALL {
        let bytes = build_plugin(dir.path(), arch);
        let mut plugin = Plugin::new(&bytes, arch);
        assert_eq!(plugin.handle("hello"), "handled: HELLO");
        assert_eq!(plugin.handle(""), "handled: ");
        // The glue frees the parameters and the result: a thousand calls
        // with 4 KiB inputs do not grow the memory past the first ones.
        let big = "x".repeat(4096);
        for _ in 0..10 {
            assert_eq!(plugin.handle(&big).len(), 4096 + 9);
        }
        let pages = plugin.memory.size(&plugin.store);
        for _ in 0..1000 {
            plugin.handle(&big);
        }
        assert_eq!(
            plugin.memory.size(&plugin.store),
            pages,
            "{}: memory grew over repeated calls",
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

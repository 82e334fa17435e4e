//! `--host wasip1`: linking a wasit2 program for a WASI preview 1 runtime.
//!
//! The wasit2→wasip1 adapter (`libwasit2-wasip1.a`, installed by
//! `wasit2 sysroot build` into the wasm32 sysroot lib dirs) is linked after
//! everything else and defines every wasit2 import of the
//! `wasit2:targets/wasip1` world over `wasi_snapshot_preview1`. Its `_start`
//! is the entry. The result is checked with wasit2-check's `wasip1`
//! profile (imports, call paths, `_start`/`memory` exports, the engine's
//! wasm features: `--host-cpu`, else the sysroot variant's, see
//! [`variant_features`]) and keeps wasm-ld's `memory` export name.

use std::ffi::OsString;
use std::path::PathBuf;

use wasit2_abi::Arch;
use wasit2_check::FeatureSet;
use wasit2_sysroot::layout::{ADAPTER_LIB, WASIP1_LIBC_DIR};
use wasit2_sysroot::Cpu;

use crate::args::{LinkArgs, Strip};

#[derive(Debug, thiserror::Error)]
pub enum Wasip1Error {
    #[error("--host wasip1 links wasm32 only (WASI preview 1 has no wasm64); use --target=wasm32-wasit2-mvp")]
    Wasm64,
    #[error("--host wasip1: {ADAPTER_LIB} not found in the library search path ({searched}); run `wasit2 sysroot build` (it installs the adapter into the wasm32 sysroot lib dirs) or pass -L DIR")]
    AdapterNotFound { searched: String },
    #[error("--host wasip1 cannot be combined with {0}: the host's world is fixed (wasit2:targets/wasip1)")]
    Conflicting(&'static str),
    #[error("invalid value for `--wasip1-libc`: `{0}` (expected `direct` or `adapter`)")]
    BadLibc(String),
    #[error("--wasip1-libc only applies with --host wasip1")]
    LibcWithoutHost,
    #[error("--host wasip1 cannot use rustup's prebuilt {0} std: it is not MVP code, which the 2020 WAMR needs; build std for the wasm32-wasit2-mvp.json spec instead (docs/rust.md, \"WASI preview 1 runtimes\")")]
    PrebuiltRustStd(&'static str),
}

/// Which libc a `--host wasip1` link gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Libc {
    /// The sysroot's `wasip1/libc.a`: libc calls p1 itself, the adapter
    /// serves only the program's own WASI 0.2 calls. Smallest and fastest.
    Direct,
    /// The same libc as for the wasit2 host: every libc call goes through
    /// the WASI 0.2 layer and then the adapter.
    Adapter,
}

impl Libc {
    pub fn from_args(args: &LinkArgs) -> Result<Libc, Wasip1Error> {
        match args.wasip1_libc.as_deref() {
            None | Some("direct") => Ok(Libc::Direct),
            Some("adapter") => Ok(Libc::Adapter),
            Some(other) => Err(Wasip1Error::BadLibc(other.to_string())),
        }
    }
}

/// The arguments for wasm-ld: the user's, after a `-L` for each library
/// directory that holds a direct libc, so `-lc` finds that one first.
/// Without such a directory (a sysroot from before the direct libc) the
/// link uses the sysroot's libc.a through the adapter, as `--wasip1-libc
/// adapter` does.
pub fn forward_args(args: &LinkArgs, libc: Libc) -> Vec<OsString> {
    let mut forward = Vec::new();
    if libc == Libc::Direct {
        for dir in &args.lib_dirs {
            let direct = dir.join(WASIP1_LIBC_DIR);
            if direct.join("libc.a").is_file() {
                let mut flag = OsString::from("-L");
                flag.push(direct);
                forward.push(flag);
            }
        }
    }
    forward.extend(args.forward.iter().cloned());
    forward
}

/// Rejects what a p1 link cannot honour, before anything is linked.
pub fn validate_args(args: &LinkArgs) -> Result<(), Wasip1Error> {
    Libc::from_args(args)?;
    if let Some(target) = prebuilt_rust_std(&args.forward) {
        return Err(Wasip1Error::PrebuiltRustStd(target));
    }
    if args.arch == Some(Arch::Wasm64) {
        return Err(Wasip1Error::Wasm64);
    }
    if args.world.is_some() {
        return Err(Wasip1Error::Conflicting("--world"));
    }
    if !args.wit.is_empty() {
        return Err(Wasip1Error::Conflicting("--wit"));
    }
    if args.emit_component {
        return Err(Wasip1Error::Conflicting("--emit-component"));
    }
    Ok(())
}

/// The rustup target whose self-contained directory (its wasi-libc and
/// crt1) rustc put on the link line, if any. rustup's std for those targets
/// is built for clang's default CPU, so it cannot load on the 2020 WAMR.
fn prebuilt_rust_std(forward: &[OsString]) -> Option<&'static str> {
    ["wasm32-wasip1", "wasm32-wasip2"]
        .into_iter()
        .find(|target| {
            forward
                .iter()
                .any(|arg| crate::libc::rustup_self_contained(arg, target).is_some())
        })
}

/// The adapter archive: the first `-L` directory holding it, as wasm-ld's
/// own `-l` lookup would pick.
pub fn find_adapter(lib_dirs: &[PathBuf]) -> Result<PathBuf, Wasip1Error> {
    lib_dirs
        .iter()
        .map(|d| d.join(ADAPTER_LIB))
        .find(|p| p.is_file())
        .ok_or_else(|| Wasip1Error::AdapterNotFound {
            searched: if lib_dirs.is_empty() {
                "no -L directories".into()
            } else {
                lib_dirs
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        })
}

/// The engine features a p1 link is checked against when `--host-cpu` is
/// not given: those of the CPU variant the program's sysroot was built for,
/// read from the name of the lib dir the adapter comes from (clang passes
/// `-L<sysroot>/lib/<target>`): `wasm32-wasit2-mvp` → the 2020 WAMR's
/// ([`WAMR_2020`](wasit2_check::WAMR_2020)), `wasm32-wasit2-lime1` → Lime1,
/// anything else → a current engine (no feature check).
pub fn variant_features(lib_dirs: &[PathBuf]) -> Result<FeatureSet, Wasip1Error> {
    let adapter = find_adapter(lib_dirs)?;
    let dir = adapter
        .parent()
        .and_then(|d| d.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(match Cpu::of_target(&dir) {
        Cpu::Mvp => wasit2_check::WAMR_2020,
        Cpu::Lime1 => wasit2_check::LIME1,
        Cpu::Default => FeatureSet::Any,
    })
}

/// wasm-ld arguments added after the user's: the adapter last (archives are
/// searched lazily, so it resolves imports of libc and of the program), and
/// `_start` as the entry unless the command line names one.
pub fn extra_link_args(args: &LinkArgs, names_entry: bool) -> Result<Vec<OsString>, Wasip1Error> {
    let mut extra = vec![find_adapter(&args.lib_dirs)?.into_os_string()];
    // dlmalloc's sbrk goes through the layer's `__wrap_sbrk`, which keeps it
    // out of pages a p1 runtime added before start (the 2020 WAMR's app
    // heap, sysroot/layer/wasip1/w2p1_heap.c). Programs that never allocate
    // do not reference sbrk and stay as they are.
    extra.push("--wrap=sbrk".into());
    if !names_entry {
        extra.push("--entry=_start".into());
    }
    Ok(extra)
}

/// Rust std for the wasit2 specs calls standard wasip2 imports (the `wasi`
/// crate) besides libc. The bridge turns them into wasit2 imports plus glue;
/// on a p1 host those must be served by the adapter's functions, which
/// wasm-ld only linked in if libc already used them. So: bridge once to
/// learn which wasit2 imports the glue needs, link again with each one's
/// adapter symbol kept and exported (`relink` runs wasm-ld with extra
/// arguments and returns the new module), bridge that, and point every use
/// of those imports at the exported adapter function. A wasit2 import the
/// adapter does not define stays, for the host check to report with its
/// call path. Modules without standard imports are returned unchanged.
pub fn bridge_standard_imports(
    bytes: Vec<u8>,
    verbose: bool,
    relink: impl FnOnce(Vec<OsString>) -> anyhow::Result<Vec<u8>>,
) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context;
    if !wasit2_bridge::needs_bridge(&bytes) {
        return Ok(bytes);
    }
    if verbose {
        eprintln!("wasit-ld: bridging standard wasip2 imports onto the wasip1 adapter");
    }
    let bridge = |bytes: &[u8]| {
        wasit2_bridge::bridge_standard_p2_for_wasip1(bytes)
            .context("bridging standard wasip2 imports")
    };
    let served = wasit2_abi::wasip1_adapter::adapter_lowering()?;
    let wit = wasit2_abi::Wit::wasi().context("loading the WASI WIT")?;
    let full = wasit2_abi::Lowering::new(&wit, wit.command_world()?, Arch::Wasm32)?;
    let symbol_of = |module: &str, field: &str| {
        let wasit2 = module.starts_with(&format!("{}|", Arch::Wasm32.prefix()))
            || module.starts_with(&format!("{}|", Arch::Wasm32.buffer_prefix()));
        wasit2
            .then(|| wasit2_abi::wasip1_adapter::adapter_symbol(&served, &full, module, field))
            .flatten()
    };
    let first = bridge(&bytes)?;
    let mut symbols: Vec<String> = wasit2_module::Module::parse(&first)
        .context("bridging standard wasip2 imports")?
        .imports
        .iter()
        .filter_map(|i| symbol_of(&i.module, &i.field))
        .collect();
    if symbols.is_empty() {
        return Ok(first);
    }
    symbols.sort();
    symbols.dedup();
    let mut more = Vec::new();
    for symbol in &symbols {
        more.extend([
            "-u".into(),
            symbol.into(),
            format!("--export={symbol}").into(),
        ]);
    }
    let relinked = bridge(&relink(more)?)?;
    wasit2_bridge::p1::redirect_imports(&relinked, |module, field| {
        symbol_of(module, field).filter(|s| symbols.contains(s))
    })
    .context("serving the bridged imports with the wasip1 adapter")
}

/// The finished p1 module: stripped as requested, nothing renamed (p1
/// runtimes want `memory` and `_start`). wasit-ld strips only after its
/// check, which needs the name section for call paths.
pub fn finish(bytes: &[u8], args: &LinkArgs) -> Result<Vec<u8>, wasit2_module::ModuleError> {
    strip(bytes, args.strip, &args.keep_sections)
}

/// Drops custom sections as `-s`/`-S` ask.
fn strip(bytes: &[u8], how: Strip, keep: &[String]) -> Result<Vec<u8>, wasit2_module::ModuleError> {
    if how == Strip::None {
        return Ok(bytes.to_vec());
    }
    wasit2_module::encode::strip_custom(bytes, |name| crate::post::survives_strip(name, how, keep))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{CustomSection, Module};
    use wasmparser::{Parser, Payload};

    #[test]
    fn adapter_is_taken_from_the_first_lib_dir_holding_it() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let c = tempfile::tempdir().unwrap();
        std::fs::write(b.path().join(ADAPTER_LIB), b"!<arch>\n").unwrap();
        std::fs::write(c.path().join(ADAPTER_LIB), b"!<arch>\n").unwrap();
        let dirs: Vec<PathBuf> = [&a, &b, &c]
            .iter()
            .map(|d| d.path().to_path_buf())
            .collect();
        assert_eq!(find_adapter(&dirs).unwrap(), b.path().join(ADAPTER_LIB));
        let err = find_adapter(&dirs[..1]).unwrap_err().to_string();
        assert!(err.contains("wasit2 sysroot build"), "{err}");
        assert!(err.contains(&a.path().display().to_string()), "{err}");
        assert!(find_adapter(&[])
            .unwrap_err()
            .to_string()
            .contains("no -L directories"));
    }

    #[test]
    fn engine_features_follow_the_adapter_lib_dir_variant() {
        let root = tempfile::tempdir().unwrap();
        let with_adapter = |name: &str| {
            let d = root.path().join(name);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join(ADAPTER_LIB), b"!<arch>\n").unwrap();
            d
        };
        let mvp = with_adapter("wasm32-wasit2-mvp");
        let lime1 = with_adapter("wasm32-wasit2-lime1");
        let default = with_adapter("wasm32-wasit2");
        let empty = root.path().join("empty");
        assert_eq!(
            variant_features(&[empty, mvp.clone()]).unwrap(),
            wasit2_check::WAMR_2020
        );
        assert_eq!(
            variant_features(&[lime1.clone(), mvp]).unwrap(),
            wasit2_check::LIME1
        );
        assert_eq!(variant_features(&[default]).unwrap(), FeatureSet::Any);
        assert!(variant_features(&[]).is_err());
    }

    #[test]
    fn strip_all_drops_custom_sections_but_kept_ones() {
        let mut m = Module::new();
        m.section(&CustomSection {
            name: "name".into(),
            data: b"x".as_slice().into(),
        });
        m.section(&CustomSection {
            name: ".debug_info".into(),
            data: b"y".as_slice().into(),
        });
        m.section(&CustomSection {
            name: "keep-me".into(),
            data: b"z".as_slice().into(),
        });
        let bytes = m.finish();
        let names = |b: &[u8]| -> Vec<String> {
            Parser::new(0)
                .parse_all(b)
                .filter_map(|p| match p.unwrap() {
                    Payload::CustomSection(c) => Some(c.name().to_string()),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(
            names(&strip(&bytes, Strip::All, &["keep-me".into()]).unwrap()),
            ["keep-me"]
        );
        assert_eq!(
            names(&strip(&bytes, Strip::Debug, &[]).unwrap()),
            ["name", "keep-me"]
        );
        assert_eq!(strip(&bytes, Strip::None, &[]).unwrap(), bytes);
    }
}

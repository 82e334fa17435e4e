//! Building the wasit2→wasip1 adapter (`adapters/wasip1/*.c`) into a static
//! wasm library. The C sources are embedded so the build works from an
//! installed binary; the symbol header is generated from the ABI crate.

use std::path::{Path, PathBuf};
use std::process::Command;

use wasit2_abi::{Arch, Lowering, Wit};

use crate::{symbols, Error, Result};

/// The world the adapter serves.
pub const ADAPTER_WORLD: &str = "wasit2:targets/wasip1";
/// File name of the built library.
pub const ADAPTER_LIB: &str = "libwasit2-wasip1.a";
/// Where a wasm32 sysroot lib dir holds the libc that `--host wasip1` links
/// by default (the direct libc: libc calls p1 itself). The sysroot builder
/// writes `<lib dir>/WASIP1_LIBC_DIR/libc.a`; wasit-ld looks for it there.
pub const WASIP1_LIBC_DIR: &str = "wasip1";

/// (file name, contents) of the adapter's sources.
pub const SOURCES: &[(&str, &str)] = &[
    ("p1.h", include_str!("../../adapters/wasip1/p1.h")),
    ("adapter.h", include_str!("../../adapters/wasip1/adapter.h")),
    ("core.c", include_str!("../../adapters/wasip1/core.c")),
    ("io.c", include_str!("../../adapters/wasip1/io.c")),
    ("cli.c", include_str!("../../adapters/wasip1/cli.c")),
    ("fs.c", include_str!("../../adapters/wasip1/fs.c")),
    ("start.c", include_str!("../../adapters/wasip1/start.c")),
];

/// Flags every adapter object is compiled with. `-mcpu=mvp` keeps the
/// encodings the 2020 WAMR loads; `-fno-builtin` stops clang from turning
/// loops into `memcpy`/`memset` calls the adapter would have to resolve.
pub const CFLAGS: &[&str] = &[
    "--target=wasm32-wasip1",
    "-mcpu=mvp",
    "-O2",
    "-ffreestanding",
    "-fno-builtin",
    "-nostdlib",
    "-Wall",
    "-Werror",
];

/// Generated C file with the trapping drops of [`symbols::unserved_drops`].
const DROPS_C: &str = "unserved_drops.c";

/// [`symbols::unserved_drops_source`] for the adapter's world against the
/// WASI command world.
fn unserved_drops_source() -> Result<String> {
    let wit = Wit::wasi()?;
    let served = Lowering::new(&wit, wit.world(ADAPTER_WORLD)?, Arch::Wasm32)?;
    let full = Lowering::new(&wit, wit.command_world()?, Arch::Wasm32)?;
    Ok(symbols::unserved_drops_source(&served, &full))
}

/// The wasm32 lowering of the adapter's world.
pub fn adapter_lowering() -> Result<Lowering> {
    let wit = Wit::wasi()?;
    let world = wit.world(ADAPTER_WORLD)?;
    Ok(Lowering::new(&wit, world, Arch::Wasm32)?)
}

/// A tool from `$ENV`, else the first of `names` found on PATH or in the
/// LLVM 22 bin dir.
pub fn find_tool(env: &str, names: &[&str]) -> PathBuf {
    if let Some(p) = std::env::var_os(env) {
        return PathBuf::from(p);
    }
    for name in names {
        let llvm = Path::new("/usr/lib/llvm-22/bin").join(name);
        if llvm.exists() {
            return llvm;
        }
        if let Some(path) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&path) {
                if dir.join(name).exists() {
                    return dir.join(name);
                }
            }
        }
    }
    PathBuf::from(names[0])
}

fn run(cmd: &mut Command) -> Result<()> {
    let out = cmd
        .output()
        .map_err(|e| Error::Tool(format!("{:?}: {e}", cmd.get_program())))?;
    if !out.status.success() {
        return Err(Error::Tool(format!(
            "{:?} failed: {}",
            cmd.get_program(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

/// Builds the adapter into `out_dir/libwasit2-wasip1.a` (plus its generated
/// header under `out_dir/include`) and returns the library's path. The
/// archive is written to a temporary name and renamed, so a failed build
/// never leaves a half-written library.
pub fn build_adapter(out_dir: &Path) -> Result<PathBuf> {
    let lowering = adapter_lowering()?;
    std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    let work = tempfile::Builder::new()
        .prefix(".wasit2-adapter-")
        .tempdir_in(out_dir)
        .map_err(|e| Error::io(out_dir, e))?;
    let src = work.path();
    for (name, text) in SOURCES {
        std::fs::write(src.join(name), text).map_err(|e| Error::io(&src.join(name), e))?;
    }
    let header = symbols::adapter_header(&lowering);
    std::fs::write(src.join("wasit2_wasip1_imports.h"), &header)
        .map_err(|e| Error::io(&src.join("wasit2_wasip1_imports.h"), e))?;
    let drops = unserved_drops_source()?;
    std::fs::write(src.join(DROPS_C), &drops).map_err(|e| Error::io(&src.join(DROPS_C), e))?;

    let clang = find_tool("WASIT2_CLANG", &["clang-22", "clang"]);
    let ar = find_tool("WASIT2_AR", &["llvm-ar-22", "llvm-ar"]);
    let mut objects = Vec::new();
    let sources = SOURCES.iter().map(|(n, _)| *n).chain([DROPS_C]);
    for name in sources.filter(|n| n.ends_with(".c")) {
        let obj = src.join(name.replace(".c", ".o"));
        run(Command::new(&clang)
            .args(CFLAGS)
            .arg("-I")
            .arg(src)
            .arg("-c")
            .arg(src.join(name))
            .arg("-o")
            .arg(&obj))?;
        objects.push(obj);
    }
    let tmp_lib = src.join(ADAPTER_LIB);
    run(Command::new(&ar).arg("rcs").arg(&tmp_lib).args(&objects))?;

    let include = out_dir.join("include");
    std::fs::create_dir_all(&include).map_err(|e| Error::io(&include, e))?;
    std::fs::write(include.join("wasit2_wasip1_imports.h"), &header)
        .map_err(|e| Error::io(&include, e))?;
    let lib = out_dir.join(ADAPTER_LIB);
    std::fs::rename(&tmp_lib, &lib).map_err(|e| Error::io(&lib, e))?;
    Ok(lib)
}

/// File in the adapter's work directory recording what it was built from.
const STAMP: &str = ".wasit2-wasip1-stamp";

/// What a build of the adapter depends on: sources, flags, generated header.
fn adapter_fingerprint(header: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    SOURCES.hash(&mut h);
    CFLAGS.hash(&mut h);
    header.hash(&mut h);
    format!("{:016x}", h.finish())
}

/// For the sysroot builder: builds the adapter in `work` (reused while its
/// sources, flags and the ABI are unchanged) and installs
/// [`ADAPTER_LIB`] into each of `lib_dirs`, where `wasit-ld --host wasip1`
/// finds it through the `-L` directories clang passes. Each copy is written
/// to a temporary name and renamed.
pub fn install_adapter(work: &Path, lib_dirs: &[PathBuf]) -> Result<PathBuf> {
    let generated = symbols::adapter_header(&adapter_lowering()?) + &unserved_drops_source()?;
    let stamp = adapter_fingerprint(&generated);
    let built = work.join(ADAPTER_LIB);
    let stamp_path = work.join(STAMP);
    let fresh = built.is_file() && std::fs::read_to_string(&stamp_path).is_ok_and(|s| s == stamp);
    if !fresh {
        build_adapter(work)?;
        std::fs::write(&stamp_path, &stamp).map_err(|e| Error::io(&stamp_path, e))?;
    }
    for dir in lib_dirs {
        let dest = dir.join(ADAPTER_LIB);
        let tmp = dir.join(format!(".{ADAPTER_LIB}.tmp"));
        std::fs::copy(&built, &tmp).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &dest).map_err(|e| Error::io(&dest, e))?;
    }
    Ok(built)
}

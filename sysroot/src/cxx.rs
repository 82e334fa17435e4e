//! The C++ runtimes: libc++, libc++abi and libunwind, compiled from LLVM's
//! sources (the same LLVM release as clang-22) with the builder's own
//! compile machinery, for the wasit2 targets (docs/cxx.md).
//!
//! The source tree is the `lib/` directory of the PyPI package `ziglang`,
//! which ships `libcxx/`, `libcxxabi/` and `libunwind/` but none of LLVM's
//! CMake files and no `__config_site`: the file list comes from the tree
//! (with the exclusions below, each with its reason) and the configuration
//! from `sysroot/cxx/__config_site`.
//!
//! Installed as wasi-sdk lays them out:
//!
//! ```text
//! include/<triple>/c++/v1/          libc++ and libc++abi headers, our __config_site
//! lib/<target>/libc++.a libc++abi.a     built with -fno-exceptions
//! lib/<target>/eh/libc++.a libc++abi.a libunwind.a   built with -fwasm-exceptions
//! ```
//!
//! Built: `wasm32-wasit2` and `wasm64-wasit2` with and without exceptions,
//! `wasm32-wasit2-mvp` without (the 2020 WAMR has no exceptions);
//! `wasm32-wasit2-lime1` gets the MVP archives (MVP code runs on every
//! Lime1 engine). The archives are cached by content hash in
//! `~/.cache/wasit2/cxx/<key>/`, so another checkout or a rebuilt sysroot
//! reuses them.
use crate::compile::{self, Job};
use crate::error::{Error, Result};
use crate::fsutil::{self, Hasher};
use crate::headers::HeaderSet;
use crate::variant::{self, Cpu, Variant};
use crate::Tools;
use std::path::{Path, PathBuf};
use std::time::Instant;
use wasit2_abi::Arch;

/// Our libc++ configuration, installed as `c++/v1/__config_site`.
pub const CONFIG_SITE: &str = include_str!("../cxx/__config_site");

/// The definition of the `__cpp_exception` tag (LLVM's compiler-rt has
/// one, Debian's build of it an empty object), built into libunwind.a.
const CPP_EXCEPTION_TAG: &str = include_str!("../cxx/cpp_exception_tag.S");

/// `__cxa_throw` and friends for the libc++abi without exceptions: clang-22
/// compiles C++ for wasm with exceptions on in the language, so code
/// without -fwasm-exceptions still calls them (they end the program).
const THROW_WITHOUT_EH: &str = include_str!("../cxx/throw_without_eh.cpp");

/// `__cxa_thread_atexit` (thread_local objects with destructors) without
/// threads, instead of libc++abi's [`LIBCXXABI_EXCLUDED`] one.
const THREAD_ATEXIT: &str = include_str!("../cxx/thread_atexit.cpp");

/// Names the LLVM runtimes tree (the directory holding `libcxx/`) instead
/// of the one `scripts/setup.sh` installs.
pub const ENV_CXX_SOURCES: &str = "WASIT2_CXX_SOURCES";

/// The C++ headers' directory inside `include/<triple>`, where clang's
/// WebAssembly driver looks for them.
pub const HEADER_DIR: &str = "c++/v1";

/// The exceptions variant's directory inside `lib/<target>`.
pub const EH_DIR: &str = "eh";

/// The line the `ziglang` copy has where upstream headers include
/// `__config_site` (zig passes the settings as -D flags instead); the
/// header set gets upstream's include back.
const ZIG_CONFIG_SITE_MARKER: &str =
    "/* zig patch: instead of including __config_site, zig adds -D flags when compiling */";
const CONFIG_SITE_INCLUDE: &str = "#include <__config_site>";

/// libc++ sources not built, by reason. Everything else in `src/*.cpp`,
/// `src/ryu/` and `src/filesystem/` is.
const LIBCXX_EXCLUDED: &[(&str, &str)] = &[
    // Single-threaded (_LIBCPP_HAS_THREADS 0).
    ("atomic.cpp", "threads"),
    ("barrier.cpp", "threads"),
    ("condition_variable.cpp", "threads"),
    ("condition_variable_destructor.cpp", "threads"),
    ("future.cpp", "threads"),
    ("mutex.cpp", "threads"),
    ("mutex_destructor.cpp", "threads"),
    ("shared_mutex.cpp", "threads"),
    ("thread.cpp", "threads"),
    // No std::filesystem operations (_LIBCPP_HAS_FILESYSTEM 0): WASI libc
    // has no statvfs. path and filesystem_error stay.
    ("filesystem/directory_entry.cpp", "filesystem"),
    ("filesystem/directory_iterator.cpp", "filesystem"),
    ("filesystem/operations.cpp", "filesystem"),
    // compiler-rt's builtins provide __muloti4.
    ("filesystem/int128_builtins.cpp", "compiler-rt"),
];

/// libc++abi sources not built: `__cxa_thread_atexit` needs thread-local
/// keys, which a single-threaded build lacks (as upstream's CMake decides).
const LIBCXXABI_EXCLUDED: &[&str] = &["cxa_thread_atexit.cpp"];

/// libc++abi sources that only one of the two variants builds.
const LIBCXXABI_EH_ONLY: &[&str] = &["cxa_exception.cpp", "cxa_personality.cpp"];
const LIBCXXABI_NO_EH_ONLY: &[&str] = &["cxa_noexception.cpp"];

/// libunwind's WebAssembly unwinder; its other sources are the DWARF,
/// SJLJ, SEH and ARM EHABI unwinders.
const LIBUNWIND_SOURCES: &[&str] = &["Unwind-wasm.c"];

/// Flags that select the exceptions variant's code: wasm exception
/// handling in its standard (exnref) encoding, the one wasit2 hosts run.
pub const EH_FLAGS: &[&str] = &["-fwasm-exceptions", "-mllvm", "-wasm-use-legacy-eh=false"];

/// An LLVM runtimes tree (`libcxx/`, `libcxxabi/`, `libunwind/`).
#[derive(Debug, Clone)]
pub struct CxxTree {
    pub root: PathBuf,
}

impl CxxTree {
    /// Checks that `root` holds the three runtimes.
    pub fn open(root: &Path) -> Result<CxxTree> {
        for need in [
            "libcxx/include/__config",
            "libcxx/src/string.cpp",
            "libcxxabi/src/cxa_exception.cpp",
            "libcxxabi/include/cxxabi.h",
            "libunwind/src/Unwind-wasm.c",
        ] {
            if !root.join(need).is_file() {
                return Err(Error::Invalid(format!(
                    "{}: not an LLVM runtimes tree (no {need}); scripts/setup.sh installs one",
                    root.display()
                )));
            }
        }
        Ok(CxxTree {
            root: root.to_path_buf(),
        })
    }

    fn libcxx(&self) -> PathBuf {
        self.root.join("libcxx")
    }
    fn libcxxabi(&self) -> PathBuf {
        self.root.join("libcxxabi")
    }
    fn libunwind(&self) -> PathBuf {
        self.root.join("libunwind")
    }
}

/// `$WASIT2_CXX_SOURCES`, else the `ziglang` package `scripts/setup.sh`
/// installs into `<repo>/.tools/py-zig`; `None` when neither exists.
pub fn default_sources() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(ENV_CXX_SOURCES).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let lib = crate::tools::repo_root()?.join(".tools/py-zig/lib");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&lib)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("site-packages/ziglang/lib"))
        .filter(|p| p.join("libcxx").is_dir())
        .collect();
    found.sort();
    found.pop()
}

/// Adds `c++/v1/`: libc++'s headers (including `__config_site` as upstream
/// does), libc++abi's, and our `__config_site`.
pub fn add_headers(set: &mut HeaderSet, tree: &CxxTree) -> Result<()> {
    let v1 = Path::new(HEADER_DIR);
    let include = tree.libcxx().join("include");
    for rel in fsutil::walk_files(&include)? {
        let data = fsutil::read(&include.join(&rel))?;
        set.insert(v1.join(&rel), restore_config_site_include(data));
    }
    let config = &set[&v1.join("__config")];
    if !String::from_utf8_lossy(config).contains(CONFIG_SITE_INCLUDE) {
        return Err(Error::Invalid(format!(
            "{}: __config includes no __config_site (an unknown libc++ layout)",
            include.display()
        )));
    }
    let abi_include = tree.libcxxabi().join("include");
    for rel in fsutil::walk_files(&abi_include)? {
        set.insert(v1.join(&rel), fsutil::read(&abi_include.join(&rel))?);
    }
    set.insert(v1.join("__config_site"), CONFIG_SITE.as_bytes().to_vec());
    Ok(())
}

fn restore_config_site_include(data: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8_lossy(&data);
    if !text.contains(ZIG_CONFIG_SITE_MARKER) {
        return data;
    }
    text.replace(ZIG_CONFIG_SITE_MARKER, CONFIG_SITE_INCLUDE)
        .into_bytes()
}

/// One set of C++ archives: a variant, with or without exceptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CxxBuild {
    pub variant: Variant,
    pub exceptions: bool,
}

impl CxxBuild {
    /// `lib/<target>` or `lib/<target>/eh`.
    pub fn lib_dir(self, sysroot: &Path) -> PathBuf {
        let dir = crate::layout::lib_dir(sysroot, &self.variant.target());
        match self.exceptions {
            true => dir.join(EH_DIR),
            false => dir,
        }
    }

    pub fn label(self) -> String {
        match self.exceptions {
            true => format!("{} c++ (exceptions)", self.variant.target()),
            false => format!("{} c++", self.variant.target()),
        }
    }

    /// The archives this build installs.
    pub fn archives(self) -> &'static [&'static str] {
        match self.exceptions {
            true => &["libc++.a", "libc++abi.a", "libunwind.a"],
            false => &["libc++.a", "libc++abi.a"],
        }
    }
}

/// The builds `variants` get: default CPU with and without exceptions,
/// wasm32 MVP without (old runtimes have no exception handling).
pub fn builds_for(variants: &[Variant]) -> Vec<CxxBuild> {
    let mut out = Vec::new();
    for &variant in variants {
        match (variant.arch, variant.cpu) {
            (_, Cpu::Default) => {
                for exceptions in [false, true] {
                    out.push(CxxBuild {
                        variant,
                        exceptions,
                    });
                }
            }
            (Arch::Wasm32, Cpu::Mvp) => out.push(CxxBuild {
                variant,
                exceptions: false,
            }),
            _ => {}
        }
    }
    out
}

/// The variant whose archives `v` installs when it has no build of its
/// own: a Lime1 engine runs MVP code.
pub fn borrowed_from(v: Variant) -> Option<Variant> {
    (v.cpu == Cpu::Lime1).then_some(Variant {
        arch: v.arch,
        cpu: Cpu::Mvp,
    })
}

/// The compiler inputs of one architecture: the staged include directory
/// (libc headers plus `c++/v1`) and the hash of its contents.
#[derive(Debug, Clone)]
pub struct ArchHeaders {
    pub arch: Arch,
    pub include: PathBuf,
    pub hash: String,
}

/// What happened to one C++ build.
#[derive(Debug, Clone)]
pub struct CxxReport {
    pub build: CxxBuild,
    pub lib_dir: PathBuf,
    /// The archives came from the cache: nothing compiled for them.
    pub cached: bool,
}

/// What [`build`] did.
#[derive(Debug, Clone, Default)]
pub struct CxxOutcome {
    pub reports: Vec<CxxReport>,
    /// Objects compiled and reused over all builds the cache lacked.
    pub compiled: usize,
    pub reused: usize,
    pub seconds: f64,
}

/// Everything [`build`] needs besides the tree.
pub struct CxxOptions<'a> {
    pub tools: &'a Tools,
    pub jobs: usize,
    pub quiet: bool,
    /// The sysroot being built.
    pub out: &'a Path,
    /// Its work directory (objects).
    pub work: &'a Path,
    /// The archive cache; `None` for `~/.cache/wasit2/cxx`.
    pub cache: Option<PathBuf>,
    pub opt_flags: &'a [String],
}

struct Planned {
    build: CxxBuild,
    libs: Vec<(&'static str, Vec<Job>)>,
    key: String,
}

/// Builds (or takes from the cache) the C++ archives of `variants` and
/// installs them into their lib dirs, which must exist (libc first).
pub fn build(
    opts: &CxxOptions,
    tree: &CxxTree,
    headers: &[ArchHeaders],
    variants: &[Variant],
) -> Result<CxxOutcome> {
    let start = Instant::now();
    let cache = opts
        .cache
        .clone()
        .or_else(default_cache_dir)
        .unwrap_or_else(|| opts.work.join("cxx-cache"));
    let tree_hash = tree_hash(tree)?;
    let clang_version = clang_version(&opts.tools.clang)?;
    let mut planned = Vec::new();
    for build in builds_for(variants) {
        let Some(h) = headers.iter().find(|h| h.arch == build.variant.arch) else {
            continue;
        };
        let libs = plan(opts, tree, build, &h.include)?;
        let mut key = Hasher::default();
        key.str(&clang_version);
        key.str(&tree_hash);
        key.str(&h.hash);
        key.str(&build.label());
        for (file, jobs) in &libs {
            key.str(file);
            // Paths vary between checkouts; the content (hashed above) does not.
            let include = h.include.to_string_lossy();
            let root = tree.root.to_string_lossy();
            for j in jobs {
                let src = j
                    .src
                    .strip_prefix(&tree.root)
                    .ok()
                    .or(j.src.file_name().map(Path::new));
                key.str(&src.unwrap_or(&j.src).to_string_lossy());
                for a in &j.args {
                    key.str(&a.replace(&*include, "<include>").replace(&*root, "<tree>"));
                }
            }
        }
        planned.push(Planned {
            build,
            libs,
            key: key.finish_hex(),
        });
    }

    // Compile what the cache lacks, all builds in one parallel run.
    let missing: Vec<&Planned> = planned
        .iter()
        .filter(|p| !cache.join(&p.key).join(STAMP).is_file())
        .collect();
    let all: Vec<Job> = missing
        .iter()
        .flat_map(|p| p.libs.iter().flat_map(|(_, j)| j.iter().cloned()))
        .collect();
    let stats = compile::run(&opts.tools.clang, &all, opts.jobs, "c++", opts.quiet)?;
    for p in &missing {
        store(&opts.tools.ar, &cache, p)?;
    }

    let mut reports = Vec::new();
    for p in &planned {
        let dir = p.build.lib_dir(opts.out);
        install_archives(&cache.join(&p.key), &dir, p.build.archives())?;
        // Marks the entry as used, for `prune`.
        fsutil::write_atomic(&cache.join(&p.key).join(STAMP), p.build.label().as_bytes())?;
        reports.push(CxxReport {
            build: p.build,
            lib_dir: dir,
            cached: !missing.iter().any(|m| m.key == p.key),
        });
    }
    // Lime1 variants get the MVP archives.
    for &v in variants {
        let Some(from) = borrowed_from(v) else {
            continue;
        };
        let Some(p) = planned
            .iter()
            .find(|p| p.build.variant == from && !p.build.exceptions)
        else {
            continue;
        };
        let build = CxxBuild {
            variant: v,
            exceptions: false,
        };
        let dir = build.lib_dir(opts.out);
        install_archives(&cache.join(&p.key), &dir, build.archives())?;
        reports.push(CxxReport {
            build,
            lib_dir: dir,
            cached: true,
        });
    }
    prune(&cache, CACHE_ENTRIES);
    Ok(CxxOutcome {
        reports,
        compiled: stats.compiled,
        reused: stats.reused,
        seconds: start.elapsed().as_secs_f64(),
    })
}

const STAMP: &str = ".complete";

/// Cache entries kept: every build of a few header states (an entry is
/// about 1.5 MB).
const CACHE_ENTRIES: usize = 20;

/// Removes all but the `keep` most recently used cache entries.
fn prune(cache: &Path, keep: usize) {
    let Ok(dir) = std::fs::read_dir(cache) else {
        return;
    };
    let mut entries: Vec<(std::time::SystemTime, PathBuf)> = dir
        .filter_map(|e| e.ok())
        .filter_map(|e| fsutil::mtime(&e.path().join(STAMP)).map(|t| (t, e.path())))
        .collect();
    entries.sort_by_key(|e| std::cmp::Reverse(e.0));
    for (_, path) in entries.into_iter().skip(keep) {
        fsutil::remove_any(&path);
    }
}

/// `$WASIT2_CACHE/cxx`, else `~/.cache/wasit2/cxx`.
fn default_cache_dir() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    var("WASIT2_CACHE")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache/wasit2")))
        .map(|d| d.join("cxx"))
}

/// The jobs of each archive of `build`.
fn plan(
    opts: &CxxOptions,
    tree: &CxxTree,
    build: CxxBuild,
    include: &Path,
) -> Result<Vec<(&'static str, Vec<Job>)>> {
    let v = build.variant;
    let obj_dir = opts.work.join(v.target()).join(match build.exceptions {
        true => "cxx-eh",
        false => "cxx",
    });
    let inc = |p: PathBuf| format!("-I{}", p.display());
    let mut common: Vec<String> = v.codegen_flags();
    common.extend(
        [
            "--no-default-config",
            "-Wno-deprecated",
            "-nostdlibinc",
            "-mthread-model",
            "single",
        ]
        .map(String::from),
    );
    common.extend(variant::TARGET_MACRO_FLAGS.map(String::from));
    common.extend(opts.opt_flags.iter().cloned());
    match build.exceptions {
        true => common.extend(EH_FLAGS.iter().map(|s| s.to_string())),
        false => common.push("-fno-exceptions".into()),
    }
    let isystem = |c: &mut Vec<String>| {
        c.extend([
            "-isystem".to_string(),
            include.join(HEADER_DIR).to_string_lossy().into_owned(),
            "-isystem".to_string(),
            include.to_string_lossy().into_owned(),
        ])
    };
    let cxx_common = {
        let mut c = common.clone();
        c.extend(
            [
                "-std=c++23",
                "-nostdinc++",
                "-fvisibility-inlines-hidden",
                "-D_LIBCPP_BUILDING_LIBRARY",
                "-Wno-user-defined-literals",
            ]
            .map(String::from),
        );
        isystem(&mut c);
        c
    };
    let job = |src: PathBuf, lib: &str, args: &[String]| -> Job {
        let rel = src
            .strip_prefix(&tree.root)
            .ok()
            .or(src.file_name().map(Path::new));
        let name = rel.unwrap_or(&src).to_string_lossy().replace('/', ".");
        Job {
            obj: obj_dir.join(lib).join(format!("{name}.o")),
            src,
            args: args.to_vec(),
        }
    };

    // libc++
    let mut args = cxx_common.clone();
    args.extend([
        "-DLIBCXX_BUILDING_LIBCXXABI".to_string(),
        inc(tree.libcxx().join("src")),
        inc(tree.libcxx().join("libc")),
    ]);
    let libcxx: Vec<Job> = libcxx_sources(tree)?
        .into_iter()
        .map(|s| job(s, "c++", &args))
        .collect();

    // libc++abi
    let mut args = cxx_common.clone();
    args.extend([
        "-D_LIBCXXABI_BUILDING_LIBRARY".to_string(),
        "-D_LIBCXXABI_HAS_NO_THREADS".to_string(),
        // No demangled type name on std::terminate: it would link the
        // demangler into every program that can terminate.
        "-DLIBCXXABI_SILENT_TERMINATE".to_string(),
        inc(tree.libcxxabi().join("include")),
        // libc++'s private headers (`include/atomic_support.h`).
        inc(tree.libcxx().join("src")),
    ]);
    // Without exceptions, __cxxabi_config.h sees no __cpp_exceptions.
    if build.exceptions {
        args.extend([
            "-DLIBCXXABI_USE_LLVM_UNWINDER".to_string(),
            inc(tree.libunwind().join("include")),
        ]);
    }
    let skip: &[&str] = match build.exceptions {
        true => LIBCXXABI_NO_EH_ONLY,
        false => LIBCXXABI_EH_ONLY,
    };
    let mut libcxxabi: Vec<Job> = fsutil::list_ext(&tree.libcxxabi().join("src"), "cpp")?
        .into_iter()
        .filter(|p| {
            !skip
                .iter()
                .chain(LIBCXXABI_EXCLUDED)
                .any(|s| p.ends_with(s))
        })
        .map(|s| job(s, "c++abi", &args))
        .collect();
    let src = own_source(opts.work, "thread_atexit.cpp", THREAD_ATEXIT)?;
    libcxxabi.push(job(src, "c++abi", &args));
    if !build.exceptions {
        let src = own_source(opts.work, "throw_without_eh.cpp", THROW_WITHOUT_EH)?;
        libcxxabi.push(job(src, "c++abi", &args));
    }

    let mut libs = vec![("libc++.a", libcxx), ("libc++abi.a", libcxxabi)];
    if build.exceptions {
        let mut args = common.clone();
        args.extend([
            "-std=c99".to_string(),
            "-D_LIBUNWIND_IS_NATIVE_ONLY".to_string(),
            "-D_LIBUNWIND_HAS_NO_THREADS".to_string(),
            // A static library: plain symbols (wasm is neither ELF nor
            // Mach-O, so config.h would reach for __declspec).
            "-D_LIBUNWIND_HIDE_SYMBOLS".to_string(),
            inc(tree.libunwind().join("include")),
        ]);
        isystem(&mut args);
        let mut unwind: Vec<Job> = LIBUNWIND_SOURCES
            .iter()
            .map(|s| job(tree.libunwind().join("src").join(s), "unwind", &args))
            .collect();
        let tag = own_source(opts.work, "cpp_exception_tag.S", CPP_EXCEPTION_TAG)?;
        unwind.push(job(tag, "unwind", &common));
        libs.push(("libunwind.a", unwind));
    }
    Ok(libs)
}

/// One of our own sources (embedded in the builder), written to the work
/// directory for the compiler.
fn own_source(work: &Path, name: &str, text: &str) -> Result<PathBuf> {
    let path = work.join("cxx-src").join(name);
    fsutil::write_if_changed(&path, text.as_bytes())?;
    Ok(path)
}

/// libc++'s sources: `src/*.cpp`, `src/ryu/*.cpp` and
/// `src/filesystem/*.cpp` minus [`LIBCXX_EXCLUDED`].
fn libcxx_sources(tree: &CxxTree) -> Result<Vec<PathBuf>> {
    let src = tree.libcxx().join("src");
    let mut out = Vec::new();
    for dir in [src.clone(), src.join("ryu"), src.join("filesystem")] {
        for p in fsutil::list_ext(&dir, "cpp")? {
            let rel = p
                .strip_prefix(&src)
                .unwrap_or(&p)
                .to_string_lossy()
                .into_owned();
            if !LIBCXX_EXCLUDED.iter().any(|(name, _)| *name == rel) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Hash of every source and private header the archives are built from
/// (the public headers are in the arch's header hash).
fn tree_hash(tree: &CxxTree) -> Result<String> {
    let mut h = Hasher::default();
    h.str(CONFIG_SITE);
    h.str(CPP_EXCEPTION_TAG);
    h.str(THROW_WITHOUT_EH);
    h.str(THREAD_ATEXIT);
    for dir in [
        tree.libcxx().join("src"),
        tree.libcxx().join("libc"),
        tree.libcxxabi().join("src"),
        tree.libcxxabi().join("include"),
        tree.libunwind().join("src"),
        tree.libunwind().join("include"),
    ] {
        if !dir.is_dir() {
            continue;
        }
        for rel in fsutil::walk_files(&dir)? {
            h.str(&rel.to_string_lossy());
            h.update(&fsutil::read(&dir.join(&rel))?);
        }
    }
    Ok(h.finish_hex())
}

fn clang_version(clang: &Path) -> Result<String> {
    let out = std::process::Command::new(clang)
        .arg("--version")
        .output()
        .map_err(|e| Error::Spawn {
            tool: clang.display().to_string(),
            source: e,
        })?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Archives one build's objects into `<cache>/<key>/`, staged and renamed.
fn store(ar: &Path, cache: &Path, p: &Planned) -> Result<()> {
    let dst = cache.join(&p.key);
    let stage = cache.join(format!(".stage-{}-{}", p.key, std::process::id()));
    fsutil::remove_any(&stage);
    fsutil::create_dir_all(&stage)?;
    let result = (|| {
        for (file, jobs) in &p.libs {
            crate::archive(ar, &stage.join(file), jobs.iter().map(|j| j.obj.as_path()))?;
        }
        fsutil::write_atomic(&stage.join(STAMP), p.build.label().as_bytes())?;
        fsutil::replace_dir(&stage, &dst)
    })();
    if result.is_err() {
        fsutil::remove_any(&stage);
    }
    result
}

/// Copies the archives into `dir`, rewriting only those that differ.
fn install_archives(from: &Path, dir: &Path, files: &[&str]) -> Result<()> {
    fsutil::create_dir_all(dir)?;
    for f in files {
        let data = fsutil::read(&from.join(f))?;
        fsutil::write_if_changed(&dir.join(f), &data)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_cpu_gets_both_variants_mvp_only_without_exceptions() {
        let builds = builds_for(&Variant::all());
        let names: Vec<String> = builds.iter().map(|b| b.label()).collect();
        assert_eq!(
            names,
            [
                "wasm32-wasit2 c++",
                "wasm32-wasit2 c++ (exceptions)",
                "wasm32-wasit2-mvp c++",
                "wasm64-wasit2 c++",
                "wasm64-wasit2 c++ (exceptions)",
            ]
        );
        let lime1 = Variant {
            arch: Arch::Wasm32,
            cpu: Cpu::Lime1,
        };
        assert_eq!(
            borrowed_from(lime1).map(|v| v.target()).as_deref(),
            Some("wasm32-wasit2-mvp")
        );
    }

    #[test]
    fn prune_keeps_the_most_recently_used_entries() {
        let cache = tempfile::tempdir().unwrap();
        let now = std::time::SystemTime::now();
        for (i, name) in ["old", "mid", "new"].iter().enumerate() {
            let stamp = cache.path().join(name).join(STAMP);
            fsutil::write_atomic(&stamp, b"x").unwrap();
            let age = std::time::Duration::from_secs(100 * (3 - i as u64));
            std::fs::File::options()
                .write(true)
                .open(&stamp)
                .unwrap()
                .set_modified(now - age)
                .unwrap();
        }
        // Not an entry (no stamp): left alone.
        fsutil::create_dir_all(&cache.path().join(".stage-x")).unwrap();
        prune(cache.path(), 2);
        let mut left: Vec<String> = std::fs::read_dir(cache.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".stage-x", "mid", "new"]);
    }

    #[test]
    fn zig_marker_becomes_the_upstream_include() {
        let text = format!("a\n{ZIG_CONFIG_SITE_MARKER}\nb\n").into_bytes();
        assert_eq!(
            String::from_utf8(restore_config_site_include(text)).unwrap(),
            "a\n#include <__config_site>\nb\n"
        );
    }
}

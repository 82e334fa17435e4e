//! wasit2 sysroot builder and clang target installer.
//!
//! [`build`] turns a wasi-libc source tree plus the wasit2 system layer
//! (`sysroot/layer`) into sysroots for `wasm32-wasit2` and `wasm64-wasit2`
//! (each also as `-mvp` and `-lime1` CPU variants), laid out the way clang's
//! WebAssembly driver looks for them:
//!
//! ```text
//! <out>/include/<target>/...        headers (CPU variants link to the default ones)
//! <out>/lib/<target>/libc.a         + crt1.o, crt1-command.o, empty libm.a etc.
//! ```
//!
//! [`install`] writes the clang config files that make
//! `clang-22 --target=wasm32-wasit2` use that sysroot and wasit-ld.
pub mod adapter;
pub mod bindings;
pub mod cmake_tree;
pub mod compile;
pub mod cxx;
mod error;
pub mod fsutil;
pub mod headers;
pub mod install;
pub mod layer;
pub mod layout;
pub mod rust_target;
pub mod setjmp;
pub mod tools;
pub mod tree;
pub mod variant;

pub use error::{Error, Result};
pub use tools::Tools;
pub use variant::{Cpu, Variant};
pub use wasit2_abi::Arch;

use compile::Job;
use fsutil::Hasher;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tree::{Group, Library, Source, Tree};

/// Libraries clang's driver or common build systems link by name; on WASI
/// their contents live in libc.a, so they are installed empty.
pub const EMPTY_LIBS: &[&str] = &[
    "m", "rt", "pthread", "crypt", "util", "xnet", "resolv", "dl",
];

/// How to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub wasi_libc: PathBuf,
    pub out: PathBuf,
    pub variants: Vec<Variant>,
    pub jobs: usize,
    /// The system layer directory (with SOURCES.txt); `None` or a directory
    /// without the manifest builds libc without it.
    pub layer_dir: Option<PathBuf>,
    pub tools: Tools,
    /// Optimization flags for libc.
    pub opt_flags: Vec<String>,
    pub quiet: bool,
    /// The LLVM runtimes tree the C++ libraries are built from
    /// (`cxx::default_sources`); `None` builds no C++ libraries.
    pub cxx_sources: Option<PathBuf>,
}

impl BuildOptions {
    /// Defaults: the repository's wasi-libc tree, `build/sysroot` (or
    /// `$WASIT2_SYSROOT`), every variant, one job per CPU.
    pub fn defaults() -> Result<BuildOptions> {
        Ok(BuildOptions {
            wasi_libc: tools::default_wasi_libc()?,
            out: tools::default_sysroot()?,
            variants: Variant::all(),
            jobs: tools::default_jobs(),
            layer_dir: tools::default_layer_dir(),
            tools: Tools::find(None)?,
            opt_flags: vec!["-O2".into(), "-DNDEBUG".into()],
            quiet: false,
            cxx_sources: cxx::default_sources(),
        })
    }
}

/// What happened to one variant.
#[derive(Debug, Clone)]
pub struct VariantReport {
    pub variant: Variant,
    pub lib_dir: PathBuf,
    pub compiled: usize,
    pub reused: usize,
    /// Nothing changed; the installed files were left alone.
    pub up_to_date: bool,
    pub seconds: f64,
    /// False when no system layer was found (libc lacks `__wasi_*` and crt).
    pub with_layer: bool,
    pub with_bindings: bool,
}

/// Builds every requested variant. Each variant's `lib/<target>` and the
/// arch's `include/<target>` are staged next to their final place and
/// swapped in by rename, so a failed build leaves the old sysroot intact.
pub fn build(opts: &BuildOptions) -> Result<Vec<VariantReport>> {
    build_with_cxx(opts).map(|(reports, _)| reports)
}

/// [`build`], plus the C++ libraries when `opts.cxx_sources` names a tree.
pub fn build_with_cxx(
    opts: &BuildOptions,
) -> Result<(Vec<VariantReport>, Option<cxx::CxxOutcome>)> {
    let tree = Tree::open(&opts.wasi_libc)?;
    let cxx_tree = opts
        .cxx_sources
        .as_deref()
        .map(cxx::CxxTree::open)
        .transpose()?;
    let mut cxx_headers = Vec::new();
    let out = tools::absolute(&opts.out);
    let work = work_dir(&out);
    // A CMake-era tree gets the layer written for its wasip2 sources.
    let layer_dir = opts.layer_dir.as_ref().map(|d| match tree.kind {
        tree::TreeKind::Cmake => d.join(tree::WASIP2_TREE_LAYER),
        tree::TreeKind::Makefile => d.clone(),
    });
    let layer = match &layer_dir {
        Some(d) => layer::Layer::load(d, &tree.root)?,
        None => None,
    };
    let mut replaced = Vec::new();
    if let Some(l) = &layer {
        replaced.extend(l.excludes.iter().cloned());
    }
    let cmake = match tree.kind {
        tree::TreeKind::Cmake => Some(cmake_tree::select(&tree.root, cmake_tree::Wasi::P2)?),
        tree::TreeKind::Makefile => None,
    };
    let libs = match tree.kind {
        tree::TreeKind::Cmake => {
            let file_flags = match &layer {
                Some(l) => tree::read_file_flags(&l.dir)?,
                None => vec![],
            };
            let mut libs = tree.select_cmake(&replaced, &file_flags)?;
            let compat = tree::wasip2_compat_source(&tree, &work.join("wasip2-compat"))?;
            if let Some(libc) = libs.iter_mut().find(|l| l.file == "libc.a") {
                libc.sources.push(compat);
            }
            libs
        }
        tree::TreeKind::Makefile => tree.select(&replaced)?,
    };
    let wasip1_libc = match (&layer, tree.kind) {
        (Some(l), tree::TreeKind::Cmake) if !l.wasip1_sources.is_empty() => {
            Some(tree.select_cmake_wasip1_libc()?)
        }
        (Some(l), _) if !l.wasip1_sources.is_empty() => Some(tree.select_wasip1_libc()?),
        _ => None,
    };
    let overlay = tools::overlay_dir();

    let mut reports = Vec::new();
    for arch in Arch::ALL {
        let variants: Vec<Variant> = opts
            .variants
            .iter()
            .copied()
            .filter(|v| v.arch == arch)
            .collect();
        if variants.is_empty() {
            continue;
        }
        // Headers and bindings are per architecture, shared by CPU variants.
        let arch_work = work.join(arch.triple());
        let gen = bindings::generate(arch, &arch_work.join("bindings"))?;
        let mut extra = Vec::new();
        if let Some(l) = &layer {
            extra.extend(l.public_include_dirs.iter().cloned());
        }
        let mut header_set = match &cmake {
            Some(sel) => cmake_tree::assemble_headers(&tree.root, sel, arch, &overlay, &extra)?,
            None => headers::assemble(&tree, arch, &overlay, &extra)?,
        };
        if let Some(t) = &cxx_tree {
            cxx::add_headers(&mut header_set, t)?;
        }
        let include = arch_work.join("include");
        headers::sync_dir(&header_set, &include)?;
        let mut header_hash = Hasher::default();
        for (k, v) in &header_set {
            header_hash.str(&k.to_string_lossy());
            header_hash.update(v);
        }
        cxx_headers.push(cxx::ArchHeaders {
            arch,
            include: include.clone(),
            hash: header_hash.finish_hex(),
        });

        for v in variants {
            let start = Instant::now();
            // WASI preview 1 is wasm32 only.
            let wasip1 = wasip1_libc.as_deref().filter(|_| arch == Arch::Wasm32);
            let r = build_variant(
                opts,
                &tree,
                &libs,
                wasip1,
                layer.as_ref(),
                gen.as_ref(),
                &include,
                &overlay,
                v,
                &work,
                &out,
                &header_hash,
            )?;
            reports.push(VariantReport {
                seconds: start.elapsed().as_secs_f64(),
                ..r
            });
        }
        install_headers(
            &out,
            arch,
            &include,
            &header_hash.finish_hex(),
            &opts.variants,
        )?;
    }
    // The wasip1 adapter (docs/wasip1.md) into every wasm32 lib dir, for
    // `wasit-ld --host wasip1`.
    let wasm32_lib_dirs: Vec<PathBuf> = reports
        .iter()
        .filter(|r| r.variant.arch == Arch::Wasm32)
        .map(|r| r.lib_dir.clone())
        .collect();
    if !wasm32_lib_dirs.is_empty() {
        adapter::install_adapter(&opts.tools, &work.join("wasip1-adapter"), &wasm32_lib_dirs)
            .map_err(|e| Error::ToolFailed {
                tool: "wasip1 adapter build".into(),
                log: e.to_string(),
            })?;
    }
    let cxx = match &cxx_tree {
        Some(t) => {
            let cxx_opts = cxx::CxxOptions {
                tools: &opts.tools,
                jobs: opts.jobs,
                quiet: opts.quiet,
                out: &out,
                work: &work,
                cache: None,
                opt_flags: &opts.opt_flags,
            };
            Some(cxx::build(&cxx_opts, t, &cxx_headers, &opts.variants)?)
        }
        None => None,
    };
    Ok((reports, cxx))
}

/// Intermediate files live next to the sysroot: `<out>.work/`.
pub fn work_dir(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sysroot".into());
    out.with_file_name(format!("{name}.work"))
}

/// wasi-libc sources built for size rather than speed. dlmalloc's hot
/// paths are macros at any level, so -Oz costs it no speed `make bench`'s
/// malloc loop can see. musl's word-at-a-time scans are what clang 22
/// unrolls at -O2 into 0.2 KiB more each on wasm64 (its constants are
/// 64-bit), and the unrolled loops are no faster on wasmtime
/// (scripts/bench/libcloop.c, docs/sysroot.md). Together 0.8 KiB less in
/// every program that allocates and scans strings, 1.3 KiB on wasm64.
const SIZED_SOURCES: &[(&str, &str)] = &[
    ("dlmalloc/src/dlmalloc.c", "-Oz"),
    ("src/string/memchr.c", "-fno-unroll-loops"),
    ("src/string/strchrnul.c", "-fno-unroll-loops"),
    ("src/string/strlen.c", "-fno-unroll-loops"),
];

/// The flag that trades speed for size in `path`, if any.
fn size_flag(path: &Path) -> Option<&'static str> {
    SIZED_SOURCES
        .iter()
        .find(|(suffix, _)| path.ends_with(suffix))
        .map(|(_, flag)| *flag)
}

#[allow(clippy::too_many_arguments)]
fn build_variant(
    opts: &BuildOptions,
    tree: &Tree,
    libs: &[Library],
    wasip1_libc: Option<&[Source]>,
    layer: Option<&layer::Layer>,
    gen: Option<&bindings::Generated>,
    include: &Path,
    overlay: &Path,
    v: Variant,
    work: &Path,
    out: &Path,
    header_hash: &Hasher,
) -> Result<VariantReport> {
    let target = v.target();
    let obj_dir = work.join(&target).join("obj");
    let mut common: Vec<String> = v.codegen_flags();
    common.extend(
        [
            "--no-default-config",
            "-Wno-deprecated",
            "-nostdlibinc",
            "-fno-trapping-math",
            "-mthread-model",
            "single",
        ]
        .map(String::from),
    );
    common.extend(variant::TARGET_MACRO_FLAGS.map(String::from));
    common.extend(opts.opt_flags.iter().cloned());
    common.extend(
        [
            "-Wall",
            "-Wextra",
            "-Wno-null-pointer-arithmetic",
            "-Wno-unused-parameter",
            "-Wno-sign-compare",
            "-Wno-unused-variable",
            "-Wno-unused-function",
            "-Wno-ignored-attributes",
            "-Wno-missing-braces",
            "-Wno-ignored-pragmas",
            "-Wno-unused-but-set-variable",
            "-Wno-unknown-warning-option",
        ]
        .map(String::from),
    );
    let isystem = [
        "-isystem".to_string(),
        include.to_string_lossy().into_owned(),
    ];
    let inc = |p: PathBuf| format!("-I{}", p.display());

    let group_flags = |g: Group| -> Vec<String> {
        let mut f = Vec::new();
        match g {
            Group::Musl => {
                let musl = tree.musl();
                f.push(inc(musl.join("src/include")));
                f.push(inc(musl.join("src/internal")));
                if v.arch == Arch::Wasm64 {
                    f.push(inc(headers::wasm64_overlay_dir(overlay)));
                }
                f.push(inc(musl.join("arch/wasm32")));
                f.push(inc(musl.join("arch/generic")));
                f.push(inc(tree.root.join("libc-top-half/headers/private")));
                f.extend(
                    [
                        "-Wno-parentheses",
                        "-Wno-shift-op-parentheses",
                        "-Wno-bitwise-op-parentheses",
                        "-Wno-logical-op-parentheses",
                        "-Wno-string-plus-int",
                        "-Wno-dangling-else",
                        "-Wno-unknown-pragmas",
                    ]
                    .map(String::from),
                );
            }
            Group::Bottom => {
                let b = tree.bottom();
                f.push(inc(b.join("headers/private")));
                f.push(inc(b.join("cloudlibc/src/include")));
                f.push(inc(b.join("cloudlibc/src")));
            }
            Group::Emulated => {}
            Group::Upstream => {
                // Our wasm64 bits go before musl's wasm32 ones in the
                // source's own include list.
                if v.arch == Arch::Wasm64 {
                    f.push(inc(headers::wasm64_overlay_dir(overlay)));
                }
            }
            Group::Dlmalloc => f.push(inc(tree.root.join("dlmalloc/include"))),
            Group::Layer => {
                if let Some(l) = layer {
                    f.extend(l.include_dirs.iter().map(|d| inc(d.clone())));
                    f.extend(l.cflags.iter().cloned());
                }
                if let Some(g) = gen {
                    f.push(inc(g.include_dir.clone()));
                }
            }
        }
        f
    };
    let job_for = |s: &Source| -> Job {
        let mut args = common.clone();
        args.extend(group_flags(s.group));
        if s.group != Group::Upstream {
            args.extend(size_flag(&s.path).map(String::from));
        }
        args.extend(s.defines.iter().cloned());
        args.extend(isystem.iter().cloned());
        Job {
            src: s.path.clone(),
            obj: obj_dir.join(&s.object),
            args,
        }
    };

    // libc gets the layer and the generated bindings appended.
    let mut libs: Vec<Library> = libs.to_vec();
    // A tree's own libsetjmp.a (CMake-era trees) only where the CPU has
    // exceptions.
    libs.retain(|l| l.file != setjmp::LIB || setjmp::supported(v.cpu));
    let layer_source = |l: &layer::Layer, p: &PathBuf| Source {
        path: p.clone(),
        group: Group::Layer,
        defines: vec![],
        object: format!("layer.{}", tree::object_name(&l.dir, p)),
    };
    let layer_sources: Vec<Source> = layer
        .map(|l| l.sources.iter().map(|p| layer_source(l, p)).collect())
        .unwrap_or_default();
    let bindings_source = gen.map(|g| Source {
        path: g.source.clone(),
        group: Group::Layer,
        defines: vec![],
        object: "layer.bindings.o".into(),
    });
    if let Some(libc) = libs.iter_mut().find(|l| l.file == "libc.a") {
        libc.sources.extend(layer_sources);
        libc.sources.extend(bindings_source.clone());
    }
    // The `--host wasip1` libc shares every object with libc.a except
    // wasi-libc's p1 wrappers and socket calls and its own layer files.
    if let (Some(sources), Some(l)) = (wasip1_libc, layer) {
        let mut sources = sources.to_vec();
        if !l.wasip1_wrap.is_empty() {
            let wrappers = sources
                .iter_mut()
                .find(|s| s.path.ends_with(tree::P1_WRAPPERS))
                .ok_or_else(|| {
                    Error::Invalid(format!(
                        "wasip1-wrap: the tree has no {}",
                        tree::P1_WRAPPERS
                    ))
                })?;
            wrappers.defines.extend(
                l.wasip1_wrap
                    .iter()
                    .map(|n| format!("-D__wasi_{n}=__wasit2_raw_{n}")),
            );
            wrappers.object = wrappers.object.replace(".o", ".raw.o");
        }
        sources.extend(l.wasip1_sources.iter().map(|p| layer_source(l, p)));
        sources.extend(bindings_source);
        // wasit-ld looks for it there.
        libs.push(Library {
            file: format!("{}/libc.a", layout::WASIP1_LIBC_DIR),
            sources,
        });
    }
    // The provider of a Rust wasm32-wasip1 program's own p1 imports, which
    // wasit-ld links from the wasm32 lib dir.
    if let Some(l) = layer.filter(|l| v.arch == Arch::Wasm32 && !l.p1_imports.is_empty()) {
        libs.push(Library {
            file: layout::PROVIDER_LIB.into(),
            sources: l.p1_imports.iter().map(|p| layer_source(l, p)).collect(),
        });
    }
    // The runtime of clang's setjmp lowering, where the CPU has exceptions.
    if let Some(l) = layer.filter(|l| setjmp::supported(v.cpu) && !l.setjmp.is_empty()) {
        libs.push(Library {
            file: setjmp::LIB.into(),
            sources: l
                .setjmp
                .iter()
                .map(|p| Source {
                    defines: setjmp::CFLAGS.iter().map(|f| f.to_string()).collect(),
                    ..layer_source(l, p)
                })
                .collect(),
        });
    }
    let crt_sources: Vec<Source> = layer
        .map(|l| {
            l.crts
                .iter()
                .map(|p| Source {
                    path: p.clone(),
                    group: Group::Layer,
                    defines: vec![],
                    object: format!("crt/{}.o", p.file_stem().unwrap().to_string_lossy()),
                })
                .collect()
        })
        .unwrap_or_default();

    let lib_jobs: Vec<(String, Vec<Job>)> = libs
        .iter()
        .map(|l| (l.file.clone(), l.sources.iter().map(&job_for).collect()))
        .collect();
    let crt_jobs: Vec<Job> = crt_sources.iter().map(&job_for).collect();
    let all: Vec<Job> = lib_jobs
        .iter()
        .flat_map(|(_, j)| j.iter().cloned())
        .chain(crt_jobs.iter().cloned())
        .collect();
    let stats = compile::run(&opts.tools.clang, &all, opts.jobs, &target, opts.quiet)?;

    // Stamp: everything that ends up in lib/<target>.
    let mut h = header_hash.clone();
    h.str(&target);
    for (file, jobs) in &lib_jobs {
        h.str(file);
        for j in jobs {
            h.str(&j.obj.to_string_lossy());
            h.str(&format!("{:?}", fsutil::mtime(&j.obj)));
        }
    }
    for j in &crt_jobs {
        h.str(&j.obj.to_string_lossy());
        h.str(&format!("{:?}", fsutil::mtime(&j.obj)));
    }
    let stamp = h.finish_hex();
    let lib_dir = out.join("lib").join(&target);
    let stamp_file = lib_dir.join(".wasit2-build-stamp");
    let base = VariantReport {
        variant: v,
        lib_dir: lib_dir.clone(),
        compiled: stats.compiled,
        reused: stats.reused,
        up_to_date: false,
        seconds: 0.0,
        with_layer: layer.is_some(),
        with_bindings: gen.is_some(),
    };
    if std::fs::read_to_string(&stamp_file).is_ok_and(|s| s == stamp) {
        return Ok(VariantReport {
            up_to_date: true,
            ..base
        });
    }

    let stage = out.join(format!(".stage-lib-{target}-{}", std::process::id()));
    fsutil::remove_any(&stage);
    fsutil::create_dir_all(&stage)?;
    let result = (|| {
        for (file, jobs) in &lib_jobs {
            let dst = stage.join(file);
            if let Some(dir) = dst.parent() {
                fsutil::create_dir_all(dir)?;
            }
            archive(&opts.tools.ar, &dst, jobs.iter().map(|j| j.obj.as_path()))?;
        }
        for name in EMPTY_LIBS {
            archive(
                &opts.tools.ar,
                &stage.join(format!("lib{name}.a")),
                std::iter::empty(),
            )?;
        }
        for j in &crt_jobs {
            let name = j.obj.file_name().unwrap();
            copy(&j.obj, &stage.join(name))?;
            // clang's driver links crt1.o unless told otherwise.
            if name == "crt1-command.o" {
                copy(&j.obj, &stage.join("crt1.o"))?;
            }
        }
        fsutil::write_atomic(&stage.join(".wasit2-build-stamp"), stamp.as_bytes())?;
        fsutil::replace_dir(&stage, &lib_dir)
    })();
    if result.is_err() {
        fsutil::remove_any(&stage);
    }
    result?;
    Ok(base)
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to).map(|_| ()).map_err(Error::io(to))
}

/// Creates `dst` as an archive of `objs` (empty when there are none).
fn archive<'a>(ar: &Path, dst: &Path, objs: impl Iterator<Item = &'a Path>) -> Result<()> {
    let rsp = dst.with_extension("rsp");
    let list: Vec<String> = objs.map(|p| format!("\"{}\"", p.display())).collect();
    fsutil::write_atomic(&rsp, list.join("\n").as_bytes())?;
    let out = std::process::Command::new(ar)
        .arg("crs")
        .arg(dst)
        .arg(format!("@{}", rsp.display()))
        .output()
        .map_err(|e| Error::Spawn {
            tool: ar.display().to_string(),
            source: e,
        })?;
    fsutil::remove_any(&rsp);
    if !out.status.success() {
        return Err(Error::ToolFailed {
            tool: ar.display().to_string(),
            log: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    Ok(())
}

/// Installs the arch's headers as `include/<triple>` (staged + renamed when
/// they changed) and points each requested CPU variant's include dir at it.
fn install_headers(
    out: &Path,
    arch: Arch,
    include: &Path,
    hash: &str,
    variants: &[Variant],
) -> Result<()> {
    let dst = out.join("include").join(arch.triple());
    let stamp = dst.join(".wasit2-headers-stamp");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(hash) {
        let stage = out.join(format!(
            ".stage-include-{}-{}",
            arch.triple(),
            std::process::id()
        ));
        fsutil::remove_any(&stage);
        let set_files = fsutil::walk_files(include)?;
        let result = (|| {
            for rel in &set_files {
                let to = stage.join(rel);
                if let Some(p) = to.parent() {
                    fsutil::create_dir_all(p)?;
                }
                copy(&include.join(rel), &to)?;
            }
            fsutil::write_atomic(&stage.join(".wasit2-headers-stamp"), hash.as_bytes())?;
            fsutil::replace_dir(&stage, &dst)
        })();
        if result.is_err() {
            fsutil::remove_any(&stage);
        }
        result?;
    }
    for v in variants
        .iter()
        .filter(|v| v.arch == arch && v.cpu != Cpu::Default)
    {
        let link = out.join("include").join(v.target());
        if std::fs::read_link(&link).ok().as_deref() != Some(Path::new(arch.triple())) {
            let tmp = fsutil::tmp_sibling(&link);
            fsutil::remove_any(&tmp);
            std::os::unix::fs::symlink(arch.triple(), &tmp).map_err(Error::io(&tmp))?;
            fsutil::remove_any(&link);
            std::fs::rename(&tmp, &link).map_err(Error::io(&link))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sized_sources_match_whole_path_components() {
        let tree = Path::new("/src/wasi-libc");
        assert_eq!(
            size_flag(&tree.join("dlmalloc/src/dlmalloc.c")),
            Some("-Oz")
        );
        assert_eq!(
            size_flag(&tree.join("libc-top-half/musl/src/string/memchr.c")),
            Some("-fno-unroll-loops")
        );
        assert_eq!(
            size_flag(&tree.join("libc-top-half/musl/src/string/wmemchr.c")),
            None
        );
        assert_eq!(
            size_flag(&tree.join("libc-top-half/musl/src/string/memcpy.c")),
            None
        );
    }
}

//! `wasit2 install`: clang config files for the wasit2 targets.
//!
//! clang-22 reads `<LLVM bin>/<normalized triple>-clang.cfg` for
//! `--target=<triple>` (checked: `--target=wasm32-wasit2` looks for
//! `wasm32-unknown-wasit2-clang.cfg`). The config points clang at the
//! sysroot and wasit-ld and fixes the predefined macros. clang-22 looks for
//! compiler-rt builtins of an unknown OS in the per-target resource
//! directory; the installer links Debian's wasm32/wasm64 builtins there.
use crate::error::{Error, Result};
use crate::fsutil;
use crate::variant::{Cpu, Variant};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The config template (clang-target/wasit2.cfg.in).
pub const CONFIG_TEMPLATE: &str = include_str!("../../clang-target/wasit2.cfg.in");

/// `-Wdeprecated-*` groups clang-22 enables by default (from
/// `diagtool tree deprecated`); the config turns them back on after
/// `-Wno-deprecated`.
pub const DEPRECATED_ON_BY_DEFAULT: &[&str] = &[
    "anon-enum-enum-conversion",
    "array-compare",
    "attributes",
    "comma-subscript",
    "declarations",
    "enum-compare",
    "enum-compare-conditional",
    "enum-enum-conversion",
    "enum-float-conversion",
    "builtins",
    "increment-bool",
    "literal-operator",
    "pragma",
    "register",
    "ofast",
    "this-capture",
    "type",
    "volatile",
    "writable-strings",
    "missing-comma-variadic-parameter",
    "octal-literals",
];

#[derive(Debug, Clone)]
pub struct InstallOptions {
    pub llvm_bin: PathBuf,
    pub sysroot: PathBuf,
    pub wasit_ld: PathBuf,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, Default)]
pub struct InstallReport {
    pub configs: Vec<PathBuf>,
    /// (link, target) pairs for compiler-rt builtins.
    pub builtins: Vec<(PathBuf, PathBuf)>,
    /// The builtins links this run created (the others were already there).
    pub builtins_created: Vec<PathBuf>,
    pub warnings: Vec<String>,
}

/// The config file name clang-22 looks for.
pub fn config_file_name(v: Variant) -> String {
    config_file_name_for(v, false)
}

/// The config file name clang-22 (`cxx` false) or clang++-22 (`cxx` true)
/// looks for: the C++ driver reads `<triple>-clang++.cfg`, never the C one.
pub fn config_file_name_for(v: Variant, cxx: bool) -> String {
    let driver = if cxx { "clang++" } else { "clang" };
    format!("{}-{driver}.cfg", v.normalized_triple())
}

/// Paths in the configs of a `--prefix` tree, where the configs sit in
/// `bin/`: clang replaces `<CFGDIR>` with the config file's directory, so
/// the tree can be moved.
pub const RELATIVE_SYSROOT: &str = "<CFGDIR>/../share/wasit2-sysroot";
pub const RELATIVE_WASIT_LD: &str = "<CFGDIR>/wasit-ld";

/// Renders the config for one variant.
pub fn render_config(v: Variant, sysroot: &Path, wasit_ld: &Path) -> String {
    let deprecated: Vec<String> = DEPRECATED_ON_BY_DEFAULT
        .iter()
        .map(|g| format!("-Wdeprecated-{g}"))
        .collect();
    let extra = match v.cpu {
        Cpu::Default => format!("# CPU features: clang's defaults.\n{}", crate::setjmp::CONFIG),
        Cpu::Mvp => String::from(
            "# CPU features: the conservative MVP set (old runtimes such as WAMR 2020).\n-mcpu=mvp",
        ),
        Cpu::Lime1 => String::from(
            "# CPU features: Lime1 (current embedded runtimes, WAMR built with Lime1).\n-mcpu=lime1",
        ),
    };
    CONFIG_TEMPLATE
        .replace("@TARGET@", &v.target())
        .replace("@SYSROOT@", &sysroot.to_string_lossy())
        .replace("@WASIT_LD@", &wasit_ld.to_string_lossy())
        .replace("@DEPRECATED_DEFAULTS@", &deprecated.join("\n"))
        .replace("@EXTRA@", &extra)
}

/// Writes the config files (atomically) and links the builtins.
pub fn install(opts: &InstallOptions) -> Result<InstallReport> {
    let clang = opts.llvm_bin.join("clang");
    if !clang.is_file() {
        return Err(Error::Invalid(format!(
            "no clang in {}",
            opts.llvm_bin.display()
        )));
    }
    if !opts.sysroot.is_absolute() || !opts.wasit_ld.is_absolute() {
        return Err(Error::Invalid(
            "sysroot and wasit-ld paths must be absolute".into(),
        ));
    }
    let mut report = InstallReport::default();
    if !opts.sysroot.join("lib").is_dir() {
        report.warnings.push(format!(
            "sysroot {} is not built yet (run `wasit2 sysroot build`)",
            opts.sysroot.display()
        ));
    }
    if !opts.wasit_ld.is_file() {
        report.warnings.push(format!(
            "linker {} does not exist yet",
            opts.wasit_ld.display()
        ));
    }
    for &v in &opts.variants {
        let config = render_config(v, &opts.sysroot, &opts.wasit_ld);
        for cxx in [false, true] {
            let path = opts.llvm_bin.join(config_file_name_for(v, cxx));
            fsutil::write_atomic(&path, config.as_bytes())?;
            report.configs.push(path);
        }
        match link_builtins(&clang, v) {
            Ok(Some((pair, created))) => {
                if created {
                    report.builtins_created.push(pair.0.clone());
                }
                report.builtins.push(pair)
            }
            Ok(None) => {}
            Err(e) => report
                .warnings
                .push(format!("compiler-rt builtins for {}: {e}", v.target())),
        }
    }
    Ok(report)
}

fn print_libgcc(clang: &Path, target: &str) -> Result<PathBuf> {
    let out = Command::new(clang)
        .args([
            "--no-default-config",
            "-Wno-deprecated",
            "-rtlib=compiler-rt",
            "-print-libgcc-file-name",
        ])
        .arg(format!("--target={target}"))
        .output()
        .map_err(|e| Error::Spawn {
            tool: clang.display().to_string(),
            source: e,
        })?;
    if !out.status.success() {
        return Err(Error::ToolFailed {
            tool: clang.display().to_string(),
            log: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Makes the path clang wants for `v`'s builtins a symlink to the Debian
/// archive it uses for `<arch>-wasip1`. `Ok(None)` when nothing was needed.
/// The bool says whether this call created the link.
type Link = ((PathBuf, PathBuf), bool);
fn link_builtins(clang: &Path, v: Variant) -> Result<Option<Link>> {
    let wanted = print_libgcc(clang, &v.target())?;
    let debian = print_libgcc(clang, &format!("{}-wasip1", v.arch.name()))?;
    if !debian.is_file() {
        return Err(Error::Invalid(format!(
            "{} missing (install libclang-rt-22-dev-{})",
            debian.display(),
            v.arch.name()
        )));
    }
    if std::fs::read_link(&wanted).ok().as_deref() == Some(debian.as_path()) {
        return Ok(Some(((wanted, debian), false)));
    }
    if wanted.is_file()
        && std::fs::symlink_metadata(&wanted).is_ok_and(|m| !m.file_type().is_symlink())
    {
        return Ok(None); // a real builtins archive is already there
    }
    let dir = wanted
        .parent()
        .ok_or_else(|| Error::Invalid(format!("bad builtins path {}", wanted.display())))?;
    fsutil::create_dir_all(dir)?;
    let tmp = fsutil::tmp_sibling(&wanted);
    fsutil::remove_any(&tmp);
    std::os::unix::fs::symlink(&debian, &tmp).map_err(Error::io(&tmp))?;
    std::fs::rename(&tmp, &wanted).map_err(Error::io(&wanted))?;
    Ok(Some(((wanted, debian), true)))
}

/// The CMake files a prefix gets in `share/cmake/`.
const CMAKE_TOOLCHAIN: &str = include_str!("../../clang-target/wasit2.cmake");
const CMAKE_PLATFORM: &str = include_str!("../../clang-target/Platform/WASI.cmake");

/// The manifest a prefix install writes, relative to the prefix: one
/// installed path a line, relative to the prefix, directories ending in `/`.
pub const PREFIX_MANIFEST: &str = "share/wasit2/installed.txt";

/// What `wasit2 install --prefix` copies into the tree.
#[derive(Debug, Clone)]
pub struct PrefixOptions {
    pub prefix: PathBuf,
    /// The built sysroot to copy to `share/wasit2-sysroot`.
    pub sysroot: PathBuf,
    pub wasit2: PathBuf,
    pub wasit_ld: PathBuf,
    /// The `<target>-clang` program (`wasit2-clang`).
    pub clang_wrapper: PathBuf,
    pub variants: Vec<Variant>,
}

/// Lays out a relocatable toolchain under `opts.prefix`, as wasi-sdk does:
///
/// ```text
/// bin/wasit2, bin/wasit-ld, bin/wasit2-clang
/// bin/<target>-clang, bin/<target>-clang++      -> wasit2-clang
/// bin/<normalized triple>-clang{,++}.cfg        paths relative to <CFGDIR>
/// share/wasit2-sysroot/                         the sysroot
/// share/cmake/wasit2.cmake, <target>.cmake, Platform/WASI.cmake
/// share/rust-targets/<target>.json              absolute paths (rustc has no <CFGDIR>)
/// share/wasit2/installed.txt                    what was installed
/// ```
///
/// Returns the installed paths (relative to the prefix), as recorded in the
/// manifest.
pub fn install_prefix(opts: &PrefixOptions) -> Result<Vec<PathBuf>> {
    if !opts.sysroot.join("lib").is_dir() {
        return Err(Error::Invalid(format!(
            "sysroot {} is not built (run `wasit2 sysroot build`)",
            opts.sysroot.display()
        )));
    }
    let prefix = &opts.prefix;
    let bin = prefix.join("bin");
    fsutil::create_dir_all(&bin)?;
    let mut installed: Vec<PathBuf> = Vec::new();
    for (src, name) in [
        (&opts.wasit2, "wasit2"),
        (&opts.wasit_ld, "wasit-ld"),
        (&opts.clang_wrapper, "wasit2-clang"),
    ] {
        copy_file_atomic(src, &bin.join(name))?;
        installed.push(PathBuf::from("bin").join(name));
    }
    for &v in &opts.variants {
        for cxx in [false, true] {
            let driver = if cxx { "clang++" } else { "clang" };
            let name = format!("{}-{driver}", v.target());
            symlink_atomic(Path::new("wasit2-clang"), &bin.join(&name))?;
            installed.push(PathBuf::from("bin").join(name));
            let cfg = config_file_name_for(v, cxx);
            let text = render_config(v, Path::new(RELATIVE_SYSROOT), Path::new(RELATIVE_WASIT_LD));
            fsutil::write_atomic(&bin.join(&cfg), text.as_bytes())?;
            installed.push(PathBuf::from("bin").join(cfg));
        }
    }

    // The sysroot: staged next to its place, swapped in by rename.
    let share = prefix.join("share");
    let dst = share.join("wasit2-sysroot");
    let staged = fsutil::tmp_sibling(&dst);
    fsutil::remove_any(&staged);
    copy_tree(&opts.sysroot, &staged, &[Path::new("share")])?;
    fsutil::replace_dir(&staged, &dst)?;
    installed.push(PathBuf::from("share/wasit2-sysroot/"));

    let cmake = share.join("cmake");
    let mut cmake_files = vec![
        ("wasit2.cmake".to_string(), CMAKE_TOOLCHAIN.to_string()),
        (
            "Platform/WASI.cmake".to_string(),
            CMAKE_PLATFORM.to_string(),
        ),
    ];
    for &v in &opts.variants {
        cmake_files.push((
            format!("{}.cmake", v.target()),
            format!(
                "# CMake toolchain file for {t} (written by `wasit2 install`).\n\
                 #   cmake -DCMAKE_TOOLCHAIN_FILE=<prefix>/share/cmake/{t}.cmake ..\n\
                 set(WASIT2_TARGET \"{t}\")\n\
                 include(\"${{CMAKE_CURRENT_LIST_DIR}}/wasit2.cmake\")\n",
                t = v.target()
            ),
        ));
    }
    for (name, text) in cmake_files {
        fsutil::write_atomic(&cmake.join(&name), text.as_bytes())?;
        installed.push(Path::new("share/cmake").join(name));
    }

    // rustc target specs cannot name paths relative to themselves: they
    // name `wasit-ld` (on PATH) and paths relative to its sysroot, this
    // prefix's, so the tree can be moved.
    for t in crate::rust_target::TARGETS {
        let name = crate::rust_target::spec_file_name(t);
        let text = crate::rust_target::render_relocatable_spec(t);
        fsutil::write_atomic(&share.join("rust-targets").join(&name), text.as_bytes())?;
        installed.push(Path::new("share/rust-targets").join(name));
    }

    installed.push(PathBuf::from(PREFIX_MANIFEST));
    write_manifest(&prefix.join(PREFIX_MANIFEST), &installed)?;
    Ok(installed)
}

/// Writes a manifest: one path a line.
pub fn write_manifest(path: &Path, entries: &[PathBuf]) -> Result<()> {
    let mut text = String::new();
    for e in entries {
        text.push_str(&e.to_string_lossy());
        text.push('\n');
    }
    fsutil::write_atomic(path, text.as_bytes())
}

/// Reads a manifest written by [`write_manifest`].
pub fn read_manifest(path: &Path) -> Result<Vec<PathBuf>> {
    Ok(fsutil::read_string(path)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(PathBuf::from)
        .collect())
}

/// Removes what a manifest lists (paths relative to `base`, or absolute),
/// then (for a prefix, not for `base` `/`) the directories that became
/// empty, up to `base`. Returns the removed paths.
pub fn uninstall(manifest: &Path, base: &Path) -> Result<Vec<PathBuf>> {
    let entries = read_manifest(manifest)?;
    let mut removed = Vec::new();
    let mut parents = Vec::new();
    for e in entries {
        let path = base.join(&e);
        if std::fs::symlink_metadata(&path).is_ok() {
            fsutil::remove_any(&path);
            removed.push(path.clone());
        }
        if let Some(p) = path.parent() {
            parents.push(p.to_path_buf());
        }
    }
    fsutil::remove_any(manifest);
    if let Some(p) = manifest.parent() {
        parents.push(p.to_path_buf());
    }
    // Absolute entries (configs next to clang): leave system directories be.
    if base == Path::new("/") {
        return Ok(removed);
    }
    // Deepest first; remove_dir only removes empty directories.
    parents.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
    parents.dedup();
    for dir in parents {
        for d in dir.ancestors() {
            if !d.starts_with(base) || d == base || std::fs::remove_dir(d).is_err() {
                break;
            }
        }
    }
    Ok(removed)
}

fn copy_file_atomic(src: &Path, dst: &Path) -> Result<()> {
    let tmp = fsutil::tmp_sibling(dst);
    std::fs::copy(src, &tmp).map_err(Error::io(src))?;
    std::fs::rename(&tmp, dst).map_err(|e| {
        fsutil::remove_any(&tmp);
        Error::Io {
            path: dst.to_path_buf(),
            source: e,
        }
    })
}

fn symlink_atomic(target: &Path, link: &Path) -> Result<()> {
    let tmp = fsutil::tmp_sibling(link);
    fsutil::remove_any(&tmp);
    std::os::unix::fs::symlink(target, &tmp).map_err(Error::io(&tmp))?;
    std::fs::rename(&tmp, link).map_err(Error::io(link))
}

/// Copies a directory tree; symlinks are copied as symlinks (the sysroot's
/// are relative). Top-level entries named in `skip` are left out.
fn copy_tree(src: &Path, dst: &Path, skip: &[&Path]) -> Result<()> {
    fsutil::create_dir_all(dst)?;
    for entry in std::fs::read_dir(src).map_err(Error::io(src))? {
        let entry = entry.map_err(Error::io(src))?;
        let name = entry.file_name();
        if skip.iter().any(|s| s.as_os_str() == name) {
            continue;
        }
        let from = entry.path();
        let to = dst.join(&name);
        let ty = entry.file_type().map_err(Error::io(&from))?;
        if ty.is_symlink() {
            let target = std::fs::read_link(&from).map_err(Error::io(&from))?;
            std::os::unix::fs::symlink(&target, &to).map_err(Error::io(&to))?;
        } else if ty.is_dir() {
            copy_tree(&from, &to, &[])?;
        } else {
            std::fs::copy(&from, &to).map_err(Error::io(&from))?;
        }
    }
    Ok(())
}

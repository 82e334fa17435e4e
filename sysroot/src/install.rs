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
    pub warnings: Vec<String>,
}

/// The config file name clang-22 looks for.
pub fn config_file_name(v: Variant) -> String {
    format!("{}-clang.cfg", v.normalized_triple())
}

/// Renders the config for one variant.
pub fn render_config(v: Variant, sysroot: &Path, wasit_ld: &Path) -> String {
    let deprecated: Vec<String> = DEPRECATED_ON_BY_DEFAULT
        .iter()
        .map(|g| format!("-Wdeprecated-{g}"))
        .collect();
    let extra = match v.cpu {
        Cpu::Default => String::from("# CPU features: clang's defaults."),
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
        let path = opts.llvm_bin.join(config_file_name(v));
        fsutil::write_atomic(
            &path,
            render_config(v, &opts.sysroot, &opts.wasit_ld).as_bytes(),
        )?;
        report.configs.push(path);
        match link_builtins(&clang, v) {
            Ok(Some(pair)) => report.builtins.push(pair),
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
fn link_builtins(clang: &Path, v: Variant) -> Result<Option<(PathBuf, PathBuf)>> {
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
        return Ok(Some((wanted, debian)));
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
    Ok(Some((wanted, debian)))
}

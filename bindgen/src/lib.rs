//! C bindings for wasit2 modules, generated from the ABI crate.
//!
//! [`generate_c`] turns the wasm32 and wasm64 lowerings of one WIT world
//! (`wasit2_abi::Lowering`) into a C header and source. The header declares
//! every core import exactly as the ABI crate computed it (module, field,
//! core signature, caller-supplied-buffer parameters) and wraps each one in a
//! typed `static inline` function. Every struct has the Canonical ABI memory
//! layout of its WIT type, checked by `_Static_assert`s against the ABI
//! crate's sizes, alignments and offsets for both pointer widths, so the host
//! can write results straight into them.
//!
//! The naming convention is described at the top of every generated header
//! and in `docs/bindgen.md`.

mod gen;
pub mod host_c;
mod names;
pub mod wasip2_compat;

use std::path::{Path, PathBuf};

use wasit2_abi::{Arch, Lowering, Wit};
use wit_parser::WorldId;

pub use names::{func_name, snake};

/// Generation options.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Base name of the generated files (`<base>.h`, `<base>.c`); also names
    /// the include guard. Defaults to [`default_base_name`] of the world.
    pub base_name: Option<String>,
}

/// Generated C bindings for one world.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bindings {
    /// File name of the header, `<base>.h`; the source includes it by this name.
    pub header_name: String,
    /// File name of the source, `<base>.c`.
    pub source_name: String,
    pub header: String,
    pub source: String,
    /// C names of all generated typed wrappers, in header order.
    pub functions: Vec<String>,
    /// The functions the program implements for the world's exports.
    pub exports: Vec<ExportedFunction>,
}

/// A C function the program defines; the generated export glue calls it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportedFunction {
    pub name: String,
    /// C return type (`void` when the result goes through `ret`).
    pub ret: String,
    /// C parameter list, `void` when empty.
    pub params: String,
}

impl ExportedFunction {
    /// `ret name(params)`.
    pub fn prototype(&self) -> String {
        format!("{} {}({})", self.ret, self.name, self.params)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BindgenError {
    #[error(transparent)]
    Abi(#[from] wasit2_abi::AbiError),
    #[error("invalid base name `{0}`: use letters, digits and `_`, not starting with a digit")]
    BadBaseName(String),
    #[error("the lowerings passed are not the wasm32 and wasm64 lowerings of one world: {0}")]
    MismatchedLowerings(String),
    #[error("unsupported in C bindings: {0}")]
    Unsupported(String),
    /// The generator's own flattening disagrees with the ABI crate: a bug here,
    /// reported instead of emitting a wrong declaration.
    #[error("internal: generated C for `{0}` does not match the ABI crate's core signature ({1})")]
    SignatureMismatch(String, String),
}

pub type Result<T, E = BindgenError> = std::result::Result<T, E>;

impl Bindings {
    /// Writes `<base>.h` and `<base>.c` into `dir` (created if missing).
    /// Each file is written to a temporary file in `dir` and renamed, so a
    /// failure never leaves a half-written output.
    pub fn write_to(&self, dir: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
        std::fs::create_dir_all(dir)?;
        let h = dir.join(&self.header_name);
        let c = dir.join(&self.source_name);
        write_atomic(&h, &self.header)?;
        write_atomic(&c, &self.source)?;
        Ok((h, c))
    }
}

fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Default base name of a world's files: `wasit2_<world>` (e.g.
/// `wasit2_command` for `wasi:cli/command` and `wasit2:targets/command`).
pub fn default_base_name(lowering: &Lowering) -> String {
    format!(
        "wasit2_{}",
        snake(&lowering.resolve.worlds[lowering.world].name)
    )
}

/// Generates the C header and source for a world from its wasm32 (`l32`)
/// and wasm64 (`l64`) lowerings. The result works for both pointer widths:
/// the parts that differ are selected with `__SIZEOF_POINTER__`.
pub fn generate_c(l32: &Lowering, l64: &Lowering, opts: &Options) -> Result<Bindings> {
    if l32.arch != Arch::Wasm32 || l64.arch != Arch::Wasm64 {
        return Err(BindgenError::MismatchedLowerings(format!(
            "got {} and {}, want wasm32 and wasm64",
            l32.arch.name(),
            l64.arch.name()
        )));
    }
    if l32.world_name != l64.world_name || l32.imports.len() != l64.imports.len() {
        return Err(BindgenError::MismatchedLowerings(format!(
            "`{}` vs `{}`",
            l32.world_name, l64.world_name
        )));
    }
    let base = match &opts.base_name {
        Some(b) => b.clone(),
        None => default_base_name(l32),
    };
    let valid = !base.is_empty()
        && !base.starts_with(|c: char| c.is_ascii_digit())
        && base.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(BindgenError::BadBaseName(base));
    }
    gen::Gen::new(l32, l64, &base).run()
}

/// Convenience: lowers `world` of `wit` for both arches and generates.
pub fn generate_for_world(wit: &Wit, world: WorldId, opts: &Options) -> Result<Bindings> {
    let l32 = Lowering::new(wit, world, Arch::Wasm32)?;
    let l64 = Lowering::new(wit, world, Arch::Wasm64)?;
    generate_c(&l32, &l64, opts)
}

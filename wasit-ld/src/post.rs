//! Turning wasm-ld's output into a finished wasit2 module: ABI export names,
//! requested stripping, the `wasit2-abi` and `component-type` custom
//! sections (`wasit2-abi` is left out under `--strip-all` when it says only
//! what a reader assumes without it). Sections are copied byte for byte
//! except the ones we change.

use std::borrow::Cow;

use wasit2_abi::{AbiSection, Arch, SECTION_NAME, WORLD_SECTION_NAME};
use wasit2_module::encode::rename_exports;
use wasm_encoder::CustomSection;
use wit_parser::{Resolve, WorldId};

use crate::args::Strip;

#[derive(Debug, thiserror::Error)]
pub enum PostError {
    #[error(transparent)]
    Module(#[from] wasit2_module::ModuleError),
    #[error("embedding the component type of `{world}`: {source:#}")]
    ComponentType {
        world: String,
        source: anyhow::Error,
    },
    #[error("the finished module does not validate (wasit-ld bug): {0}")]
    Invalid(wasmparser::BinaryReaderError),
}

/// What to do to the module.
pub struct Finish<'a> {
    pub arch: Arch,
    pub strip: Strip,
    /// `--keep-section` names that survive `--strip-all`.
    pub keep_sections: &'a [String],
    pub abi: AbiSection,
    pub resolve: &'a Resolve,
    pub world: WorldId,
    /// The merged world the bindings carried (`world.rs`), recorded as the
    /// module's one `wasit2-world` record.
    pub world_record: Option<&'a wasit2_abi::WorldRecord>,
}

/// Whether a custom section from wasm-ld's output survives.
fn keep_custom(name: &str, strip: Strip, keep: &[String]) -> bool {
    // Ours are re-added fresh; stale copies from inputs would contradict them.
    name != SECTION_NAME && name != WORLD_SECTION_NAME && survives_strip(name, strip, keep)
}

/// Whether `-s`/`-S` (with `--keep-section`) leave the custom section `name`.
pub(crate) fn survives_strip(name: &str, strip: Strip, keep: &[String]) -> bool {
    if keep.iter().any(|k| k == name) {
        return true;
    }
    let debug =
        name.starts_with(".debug_") || name == "sourceMappingURL" || name == "external_debug_info";
    match strip {
        Strip::None => true,
        Strip::Debug => !debug,
        // Like `wasm-ld --strip-all`: no custom sections, the component type
        // included (about 10 KiB for the command world). `wasit2
        // componentize` re-embeds it from the world in `wasit2-abi`;
        // `--keep-section=component-type` keeps it for `wasm-tools component new`.
        Strip::All => false,
    }
}

/// Applies [`Finish`] to `bytes` and validates the result.
pub fn finish(bytes: &[u8], how: &Finish) -> Result<Vec<u8>, PostError> {
    let renames = [
        ("memory", how.arch.memory_export()),
        ("_initialize", how.arch.initialize_export()),
    ];
    let rename = |name: &str| {
        renames
            .iter()
            .find(|(from, _)| *from == name)
            .map(|(_, to)| to.clone())
    };
    let mut out = rename_exports(bytes, rename, |name| {
        keep_custom(name, how.strip, how.keep_sections)
    })?;
    // Under --strip-all a section readers would assume anyway is left out;
    // a vendor world or a reactor's keeps it.
    let implied = how.abi.is_implied() && how.world_record.is_none();
    if !implied || survives_strip(SECTION_NAME, how.strip, how.keep_sections) {
        out.section(&CustomSection {
            name: Cow::Borrowed(SECTION_NAME),
            data: Cow::Owned(how.abi.encode()),
        });
    }
    if let Some(record) = how.world_record {
        // Kept like `wasit2-abi` under --strip-all: readers need the WIT
        // of the world it names.
        out.section(&CustomSection {
            name: Cow::Borrowed(WORLD_SECTION_NAME),
            data: Cow::Owned(record.encode()),
        });
    }
    let mut bytes = out.finish();
    if keep_custom("component-type", how.strip, how.keep_sections) {
        wit_component::embed_component_metadata(
            &mut bytes,
            how.resolve,
            how.world,
            wit_component::StringEncoding::UTF8,
            false,
        )
        .map_err(|source| PostError::ComponentType {
            world: how.abi.world.clone(),
            source,
        })?;
    }
    // The proposals wasm-ld emits and wasit2 hosts accept.
    let features = wasmparser::WasmFeatures::default() | wasmparser::WasmFeatures::MEMORY64;
    wasmparser::Validator::new_with_features(features)
        .validate_all(&bytes)
        .map_err(PostError::Invalid)?;
    Ok(bytes)
}

//! Serving the `realloc` of exports that take lists or strings.
//!
//! A wasit2 module exports no realloc (`docs/abi.md`); a module whose
//! exports take a `list` or `string` exports `<p>_params_alloc(size, align)
//! -> ptr` instead, the allocator their parameters are lifted into. The
//! component's `canon lift` wants a realloc, which wit-component takes from
//! the module's `cm32p2_realloc` export: this module appends one that
//! allocates with `params_alloc` and traps on anything but a fresh
//! allocation (the lift never grows or frees).

use wasit2_abi::{params_alloc_export, Arch, CoreSig, ValType as AbiValType};
use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{
    BlockType, CodeSection, ExportKind, ExportSection, Function, FunctionSection, Instruction,
    TypeSection, ValType,
};
use wasmparser::Parser;

use crate::ComponentizeError;

/// The realloc wit-component looks for in a `cm32p2` module.
pub(crate) const REALLOC: &str = "cm32p2_realloc";

/// `module` with a `cm32p2_realloc` built on its `cm32p2_params_alloc`, or
/// `None` when it exports no `params_alloc` or already has a realloc.
pub(crate) fn serve_realloc(module: &[u8]) -> Result<Option<Vec<u8>>, ComponentizeError> {
    let bad = |e: String| ComponentizeError::NotAModule(e);
    let m = wasit2_module::Module::parse(module).map_err(|e| bad(e.to_string()))?;
    let has = |name: &str| m.exports.iter().any(|e| e.name == name);
    if has(REALLOC) || has("cabi_realloc") {
        return Ok(None);
    }
    let params_alloc = params_alloc_export(Arch::Wasm32);
    let Some(alloc) = m.exports.iter().find(|e| e.name == params_alloc) else {
        return Ok(None);
    };
    let want = CoreSig {
        params: vec![AbiValType::I32; 2],
        results: vec![AbiValType::I32],
    };
    let sig = m.func_sigs.get(alloc.index as usize);
    if sig.is_none_or(|s| s.core.as_ref() != Some(&want)) {
        return Err(ComponentizeError::Unsupported(format!(
            "`{params_alloc}` must have type (func (param i32 i32) (result i32))"
        )));
    }
    let n_types = count_types(module).map_err(|e| bad(e.to_string()))?;
    let mut out = wasm_encoder::Module::new();
    Append {
        alloc: alloc.index,
        ty: n_types,
        index: m.func_sigs.len() as u32,
    }
    .parse_core_module(&mut out, Parser::new(0), module)
    .map_err(|e| ComponentizeError::Encode(format!("adding {REALLOC}: {e}")))?;
    Ok(Some(out.finish()))
}

fn count_types(module: &[u8]) -> Result<u32, wasmparser::BinaryReaderError> {
    for payload in Parser::new(0).parse_all(module) {
        if let wasmparser::Payload::TypeSection(r) = payload? {
            return Ok(r.count());
        }
    }
    Ok(0)
}

/// Appends the realloc's type, function and export; they come last, so
/// no index moves.
struct Append {
    alloc: u32,
    ty: u32,
    index: u32,
}

impl Reencode for Append {
    type Error = std::convert::Infallible;

    fn parse_type_section(
        &mut self,
        types: &mut TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_type_section(self, types, section)?;
        types.ty().function([ValType::I32; 4], [ValType::I32]);
        Ok(())
    }

    fn parse_function_section(
        &mut self,
        functions: &mut FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_function_section(self, functions, section)?;
        functions.function(self.ty);
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        code: &mut CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_code_section(self, code, section)?;
        // realloc(old_ptr, old_size, align, new_size)
        let mut f = Function::new([]);
        for i in [
            Instruction::LocalGet(0),
            Instruction::If(BlockType::Empty),
            Instruction::Unreachable,
            Instruction::End,
            Instruction::LocalGet(3),
            Instruction::LocalGet(2),
            Instruction::Call(self.alloc),
            Instruction::End,
        ] {
            f.instruction(&i);
        }
        code.function(&f);
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_export_section(self, exports, section)?;
        exports.export(REALLOC, ExportKind::Func, self.index);
        Ok(())
    }
}

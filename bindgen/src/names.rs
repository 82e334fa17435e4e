//! The C naming convention (documented in `docs/bindgen.md`): the rule is
//! the ABI crate's ([`wasit2_abi::c_names`]), shared with the wasip1
//! adapter build and the linker.

pub use wasit2_abi::c_names::{
    func_name, import_c_name, interface_prefix, owner_prefix, raw_symbol, resource_stem, snake,
    upper, world_prefix,
};

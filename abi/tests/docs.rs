//! `docs/abi.md` embeds tables generated from the lowering; this test fails
//! when they drift. `BLESS=1` rewrites the file.

use std::path::PathBuf;

use wasit2_abi::{docs, Arch, Lowering, Wit};

#[test]
fn abi_md_tables_match_the_lowering() {
    let wit = Wit::wasi().unwrap();
    let world = wit.command_world().unwrap();
    let l32 = Lowering::new(&wit, world, Arch::Wasm32).unwrap();
    let l64 = Lowering::new(&wit, world, Arch::Wasm64).unwrap();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/abi.md");
    let current = std::fs::read_to_string(&path).unwrap();
    let mut expected = current.clone();
    for (name, table) in [
        ("buffer-table", docs::buffer_table(&l32, &l64)),
        ("import-table", docs::import_table(&l32, &l64)),
    ] {
        expected = docs::splice(&expected, name, &table)
            .unwrap_or_else(|| panic!("docs/abi.md lacks the {name} markers"));
    }
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    } else {
        assert!(
            current == expected,
            "docs/abi.md is out of date; run with BLESS=1"
        );
    }
}

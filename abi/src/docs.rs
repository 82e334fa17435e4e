//! Markdown tables for `docs/`, generated from the lowering so the docs
//! cannot drift from the code (a test compares them with `docs/abi.md`).

use crate::Lowering;

/// Table of every caller-supplied-buffer import: names, both core
/// signatures, arena alignment, and the too-small rule.
pub fn buffer_table(l32: &Lowering, l64: &Lowering) -> String {
    let mut out = String::from(
        "| interface | function | wasm32 core signature | wasm64 core signature | arena align (32/64) | when the buffer is too small |\n\
         |---|---|---|---|---|---|\n",
    );
    for imp in l32.buffer_imports() {
        let b = imp.buffer.as_ref().unwrap();
        let twin = l64
            .imports
            .iter()
            .find(|i| i.interface_name == imp.interface_name && i.field == imp.field)
            .expect("both arches lower the same world");
        let b64 = twin.buffer.as_ref().unwrap();
        out.push_str(&format!(
            "| `{}` | `{}` | `{}` | `{}` | {}/{} | {} |\n",
            imp.interface_name.as_deref().unwrap_or("(world)"),
            imp.field,
            imp.sig,
            twin.sig,
            b.arena_align,
            b64.arena_align,
            b.too_small.describe()
        ));
    }
    out
}

/// Table of every import of the world with its module, field and both core
/// signatures.
pub fn import_table(l32: &Lowering, l64: &Lowering) -> String {
    let mut out = String::from(
        "| wasm32 module | field | wasm32 core signature | wasm64 core signature |\n|---|---|---|---|\n",
    );
    for (a, b) in l32.imports.iter().zip(&l64.imports) {
        out.push_str(&format!(
            "| `{}` | `{}` | `{}` | `{}` |\n",
            a.module, a.field, a.sig, b.sig
        ));
    }
    out
}

/// Replaces the text between `<!-- BEGIN name -->` and `<!-- END name -->`
/// markers in `doc` with `table`. Returns `None` if the markers are missing.
pub fn splice(doc: &str, name: &str, table: &str) -> Option<String> {
    let begin = format!("<!-- BEGIN {name} -->\n");
    let end = format!("<!-- END {name} -->");
    let b = doc.find(&begin)? + begin.len();
    let e = b + doc[b..].find(&end)?;
    Some(format!("{}{}{}", &doc[..b], table, &doc[e..]))
}

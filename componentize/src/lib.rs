//! Turns a wasit2 core module into a WASI 0.2 component.

/// Componentizes a linked wasit2 module (wasm32). Placeholder until the
/// componentize work lands.
pub fn componentize(_module: &[u8]) -> anyhow::Result<Vec<u8>> {
    anyhow::bail!("componentize is not implemented yet")
}

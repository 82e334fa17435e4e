pub mod bindgen;
pub mod check;
pub mod compile;
pub mod componentize;
pub mod install;
pub mod run;
pub mod sysroot;

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// `--wasi-version X.Y.Z`, as `wasit2 check` and `wasit2 componentize` take it.
pub fn parse_wasi_version(v: Option<&str>) -> anyhow::Result<Option<semver::Version>> {
    v.map(|v| {
        semver::Version::parse(v).with_context(|| format!("--wasi-version `{v}`: expected X.Y.Z"))
    })
    .transpose()
}

/// Writes through a temporary file in the same directory and a rename, so a
/// failed write never leaves a half-written output.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

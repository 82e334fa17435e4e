//! rustc custom target specs for wasm32-wasit2 and wasm64-wasit2
//! (`rust/<arch>-wasit2.json.in`), installed by `wasit2 install`.
//!
//! They start from rustc's own `wasm32-wasip2` spec, so `cfg(target_os =
//! "wasi", target_env = "p2")` holds and std takes its WASI 0.2 code paths,
//! and then link with wasit-ld against our sysroot's crt1 and libc. The
//! placeholders are absolute paths filled in at install time.
use crate::error::{Error, Result};
use crate::fsutil;
use std::path::{Path, PathBuf};
use wasit2_abi::Arch;

/// The committed templates.
pub const TEMPLATES: &[(Arch, &str)] = &[
    (Arch::Wasm32, include_str!("../../rust/wasm32-wasit2.json.in")),
    (Arch::Wasm64, include_str!("../../rust/wasm64-wasit2.json.in")),
];

/// The file name rustc and cargo get as `--target` (the stem is the target name).
pub fn spec_file_name(arch: Arch) -> String {
    format!("{}-wasit2.json", arch.name())
}

/// Where `wasit2 install` puts the specs for a sysroot.
pub fn spec_dir(sysroot: &Path) -> PathBuf {
    sysroot.join("share/rust-targets")
}

/// Fills in the template for `arch`.
pub fn render_spec(arch: Arch, sysroot: &Path, wasit_ld: &Path) -> String {
    let template = TEMPLATES.iter().find(|(a, _)| *a == arch).map(|(_, t)| *t).unwrap_or_default();
    // Paths go into JSON strings: escape what JSON requires.
    let json_str = |p: &Path| p.to_string_lossy().replace('\\', "\\\\").replace('"', "\\\"");
    template.replace("@SYSROOT@", &json_str(sysroot)).replace("@WASIT_LD@", &json_str(wasit_ld))
}

/// Writes both specs (atomically) into [`spec_dir`] and returns their paths.
pub fn install_specs(sysroot: &Path, wasit_ld: &Path) -> Result<Vec<PathBuf>> {
    if !sysroot.is_absolute() || !wasit_ld.is_absolute() {
        return Err(Error::Invalid("sysroot and wasit-ld paths must be absolute".into()));
    }
    let dir = spec_dir(sysroot);
    fsutil::create_dir_all(&dir)?;
    let mut written = Vec::new();
    for &(arch, _) in TEMPLATES {
        let path = dir.join(spec_file_name(arch));
        fsutil::write_atomic(&path, render_spec(arch, sysroot, wasit_ld).as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_specs_have_no_placeholders_and_point_at_the_sysroot() {
        for &(arch, _) in TEMPLATES {
            let s = render_spec(arch, Path::new("/opt/w2/sysroot"), Path::new("/opt/w2/bin/wasit-ld"));
            assert!(!s.contains('@'), "{s}");
            assert!(s.contains(&format!("/opt/w2/sysroot/lib/{}-wasit2/crt1-command.o", arch.name())));
            assert!(s.contains("\"linker\": \"/opt/w2/bin/wasit-ld\""));
            assert!(s.contains(&format!("\"arch\": \"{}\"", arch.name())));
        }
    }
}

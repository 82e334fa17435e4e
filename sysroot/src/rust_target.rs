//! rustc custom target specs for wasm32-wasit2 (and its -mvp and -lime1 variants) and
//! wasm64-wasit2 (`rust/*.json.in`), installed by `wasit2 install`.
//!
//! They start from rustc's own `wasm32-wasip2` spec, so `cfg(target_os =
//! "wasi", target_env = "p2")` holds and std takes its WASI 0.2 code paths,
//! and then link with wasit-ld against our sysroot's crt1 and libc. The
//! placeholders are filled in at install time: absolute paths for a given
//! sysroot ([`render_spec`]), or, in an installed prefix, `wasit-ld` by name
//! and sysroot paths that wasit-ld resolves against its own sysroot
//! ([`render_relocatable_spec`]), so the prefix can be moved.
use crate::error::{Error, Result};
use crate::fsutil;
use std::path::{Path, PathBuf};
use wasit2_abi::Arch;

/// One installed rustc target.
#[derive(Debug, Clone, Copy)]
pub struct RustTarget {
    /// The target name, also the spec's file stem (what `--target` names).
    pub name: &'static str,
    pub arch: Arch,
    template: &'static str,
}

/// The committed templates: clang's default CPU features for both arches,
/// the MVP set for old runtimes (like `--target=wasm32-wasit2-mvp` in C),
/// and Lime1 for current embedded ones.
pub const TARGETS: &[RustTarget] = &[
    RustTarget {
        name: "wasm32-wasit2",
        arch: Arch::Wasm32,
        template: include_str!("../../rust/wasm32-wasit2.json.in"),
    },
    RustTarget {
        name: "wasm32-wasit2-mvp",
        arch: Arch::Wasm32,
        template: include_str!("../../rust/wasm32-wasit2-mvp.json.in"),
    },
    RustTarget {
        name: "wasm32-wasit2-lime1",
        arch: Arch::Wasm32,
        template: include_str!("../../rust/wasm32-wasit2-lime1.json.in"),
    },
    RustTarget {
        name: "wasm64-wasit2",
        arch: Arch::Wasm64,
        template: include_str!("../../rust/wasm64-wasit2.json.in"),
    },
];

/// The installed spec file's name.
pub fn spec_file_name(target: &RustTarget) -> String {
    format!("{}.json", target.name)
}

/// Where `wasit2 install` puts the specs for a sysroot.
pub fn spec_dir(sysroot: &Path) -> PathBuf {
    sysroot.join("share/rust-targets")
}

/// The spec of `target` for a prefix that may be moved: the linker is
/// `wasit-ld` found on PATH (the prefix's `bin`), and sysroot paths start
/// with wasit-ld's sysroot mark (`-L=/lib/<target>`,
/// `=/lib/<target>/crt1-command.o`), which it resolves against the
/// sysroot next to itself, `<bin>/../share/wasit2-sysroot`.
pub fn render_relocatable_spec(target: &RustTarget) -> String {
    target
        .template
        .replace("@SYSROOT@", "=")
        .replace("@WASIT_LD@", "wasit-ld")
}

/// Fills in the template of `target` with absolute paths.
pub fn render_spec(target: &RustTarget, sysroot: &Path, wasit_ld: &Path) -> String {
    let template = target.template;
    // Paths go into JSON strings: escape what JSON requires.
    let json_str = |p: &Path| {
        p.to_string_lossy()
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
    };
    template
        .replace("@SYSROOT@", &json_str(sysroot))
        .replace("@WASIT_LD@", &json_str(wasit_ld))
}

/// Writes both specs (atomically) into [`spec_dir`] and returns their paths.
pub fn install_specs(sysroot: &Path, wasit_ld: &Path) -> Result<Vec<PathBuf>> {
    if !sysroot.is_absolute() || !wasit_ld.is_absolute() {
        return Err(Error::Invalid(
            "sysroot and wasit-ld paths must be absolute".into(),
        ));
    }
    let dir = spec_dir(sysroot);
    fsutil::create_dir_all(&dir)?;
    let mut written = Vec::new();
    for target in TARGETS {
        let path = dir.join(spec_file_name(target));
        fsutil::write_atomic(&path, render_spec(target, sysroot, wasit_ld).as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_specs_have_no_placeholders_and_point_at_the_sysroot() {
        for t in TARGETS {
            let s = render_spec(
                t,
                Path::new("/opt/w2/sysroot"),
                Path::new("/opt/w2/bin/wasit-ld"),
            );
            assert!(!s.contains('@'), "{s}");
            assert!(s.contains(&format!("/opt/w2/sysroot/lib/{}/crt1-command.o", t.name)));
            assert!(s.contains("\"linker\": \"/opt/w2/bin/wasit-ld\""));
            assert!(s.contains(&format!("\"arch\": \"{}\"", t.arch.name())));
            assert_eq!(s.contains("\"cpu\": \"mvp\""), t.name.ends_with("-mvp"));
            assert_eq!(s.contains("\"cpu\": \"lime1\""), t.name.ends_with("-lime1"));
        }
    }

    #[test]
    fn relocatable_specs_hold_no_absolute_path() {
        for t in TARGETS {
            let s = render_relocatable_spec(t);
            assert!(!s.contains('@'), "{s}");
            assert!(s.contains(&format!("\"=/lib/{}/crt1-command.o\"", t.name)));
            assert!(s.contains(&format!("\"-L=/lib/{}\"", t.name)));
            assert!(s.contains("\"linker\": \"wasit-ld\""));
            assert!(!s.contains("\"/"), "no absolute path: {s}");
        }
    }
}

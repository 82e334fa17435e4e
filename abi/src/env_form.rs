//! The env form of a wasit2 import, for runtimes that resolve registered
//! natives only under a few built-in module names.
//!
//! The 2020 WAMR (and other old p1 runtimes) link a native only when the
//! import's module is `env`, `wasi_unstable`, `wasi_snapshot_preview1` or
//! `spectest`. A wasit2 import `"<module>" "<field>"` keeps its whole name
//! when moved under `env`: it becomes `"env" "<module>|<field>"`. A field
//! never contains `|` and every wasit2 module name starts with an
//! [`Arch`] prefix, so the split is unambiguous (`docs/abi.md`, section 1.2).

use crate::Arch;

/// The module name of every env-form import.
pub const ENV_MODULE: &str = "env";

/// Whether `module` is a wasit2 import module: `<p>`, `<b>`, `<p>|<I>` or
/// `<b>|<I>` for a prefix of either arch.
pub fn is_wasit2_module(module: &str) -> bool {
    Arch::of_module(module).is_some()
}

/// The env-form field of the wasit2 import `module`/`field`, or `None` when
/// `module` is not a wasit2 module or `field` holds the separator.
pub fn env_field(module: &str, field: &str) -> Option<String> {
    (is_wasit2_module(module) && !field.contains('|')).then(|| format!("{module}|{field}"))
}

/// The wasit2 import (module, field) an `env` import's field stands for,
/// or `None` when `field` is not in the env form (a plain native such as
/// `read_temp`).
pub fn from_env_field(field: &str) -> Option<(&str, &str)> {
    let (module, field) = field.rsplit_once('|')?;
    (is_wasit2_module(module) && !field.is_empty()).then_some((module, field))
}

/// How a module names its vendor (non-WASI) imports, and so where a
/// runtime registers them: `--vendor-imports wasit2|env` of `wasit-ld` and
/// `wasit2 bindgen --host-c`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VendorImports {
    /// The ABI's own names (`wasit2-cm32p2|acme:sensors/temp@1` `model`).
    #[default]
    Wasit2,
    /// The env form: module `env`, field `<module>|<field>`.
    Env,
}

impl VendorImports {
    /// The (module, field) a runtime sees for the wasit2 import
    /// `module`/`field`.
    pub fn name(self, module: &str, field: &str) -> (String, String) {
        match (self, env_field(module, field)) {
            (VendorImports::Env, Some(f)) => (ENV_MODULE.to_string(), f),
            _ => (module.to_string(), field.to_string()),
        }
    }
}

impl std::str::FromStr for VendorImports {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "wasit2" => Ok(VendorImports::Wasit2),
            "env" => Ok(VendorImports::Env),
            other => Err(format!("`{other}` (use env or wasit2)")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_form_round_trips() {
        for (module, field) in [
            ("wasit2-cm32p2|acme:sensors/temp@1", "model"),
            ("cm32p2|acme:sensors/temp@1", "[method]probe.read"),
            ("cm32p2", "ping"),
            ("wasit2-cm64p2|wasi:cli/environment@0.2", "get-arguments"),
        ] {
            let env = env_field(module, field).unwrap();
            assert_eq!(env, format!("{module}|{field}"));
            assert_eq!(from_env_field(&env), Some((module, field)));
        }
    }

    #[test]
    fn naming_modes() {
        let env: VendorImports = "env".parse().unwrap();
        assert_eq!(
            env.name("cm32p2|acme:a/b@1", "f"),
            ("env".into(), "cm32p2|acme:a/b@1|f".into())
        );
        assert_eq!(
            env.name("env", "read_temp"),
            ("env".into(), "read_temp".into())
        );
        assert_eq!(
            VendorImports::default().name("cm32p2|acme:a/b@1", "f"),
            ("cm32p2|acme:a/b@1".into(), "f".into())
        );
        assert!("ENV".parse::<VendorImports>().is_err());
    }

    #[test]
    fn other_names_have_no_env_form() {
        assert_eq!(env_field("env", "read_temp"), None);
        assert_eq!(env_field("wasi_snapshot_preview1", "fd_write"), None);
        assert_eq!(env_field("cm32p2x|a:b/c", "f"), None);
        assert_eq!(env_field("cm32p2|a:b/c", "f|g"), None);
        for field in [
            "read_temp",
            "cm32p2",
            "cm32p2|",
            "x|cm32p2|f",
            "cm16p2|a:b/c|f",
        ] {
            assert_eq!(from_env_field(field), None, "{field}");
        }
    }
}

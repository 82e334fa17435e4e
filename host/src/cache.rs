//! The compile cache of `wasit2 run`: compiled modules on disk, keyed by the
//! module's bytes, the engine's configuration and the wasit2 version.
//!
//! An entry is `MAGIC`, the payload's length (u64 LE), its SHA-256, then the
//! payload: what `Module::serialize` produced. Every load checks all three
//! before the payload reaches `Module::deserialize`; an entry that fails a
//! check, or that wasmtime refuses, is recompiled and replaced. Entries are
//! written to a temporary file in the same directory and renamed into
//! place, so a concurrent run sees the old entry, the new one or none.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::{Engine, Module};

const MAGIC: &[u8; 16] = b"wasit2-cache-v1\0";
const HEADER: usize = MAGIC.len() + 8 + 32;

/// What the cache did for one module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheOutcome {
    /// No cache directory was given: compiled.
    Disabled,
    /// A valid entry was loaded; nothing was compiled.
    Hit(PathBuf),
    /// No entry: compiled; `stored` says whether the entry was written.
    Miss { path: PathBuf, stored: bool },
    /// The entry failed a check (`reason`): compiled and replaced.
    Bad {
        path: PathBuf,
        reason: String,
        stored: bool,
    },
}

impl std::fmt::Display for CacheOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stored = |s: &bool| if *s { "stored" } else { "not stored" };
        match self {
            CacheOutcome::Disabled => write!(f, "off, compiled"),
            CacheOutcome::Hit(p) => write!(f, "hit {}", p.display()),
            CacheOutcome::Miss { path, stored: s } => {
                write!(f, "miss {}, compiled, {}", path.display(), stored(s))
            }
            CacheOutcome::Bad {
                path,
                reason,
                stored: s,
            } => write!(
                f,
                "bad entry {} ({reason}), compiled, {}",
                path.display(),
                stored(s)
            ),
        }
    }
}

/// The user's cache directory for wasit2: `$WASIT2_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/wasit2`, else `$HOME/.cache/wasit2`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(d) = var("WASIT2_CACHE_DIR") {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = var("XDG_CACHE_HOME") {
        return Some(PathBuf::from(d).join("wasit2"));
    }
    var("HOME").map(|h| PathBuf::from(h).join(".cache").join("wasit2"))
}

/// Feeds `Hash` output into SHA-256 (the engine's compatibility hash).
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    fn finish(&self) -> u64 {
        // Unused: the digest is taken with `finalize`.
        0
    }
}

/// The entry's file name: SHA-256 over the wasit2 version, the engine's
/// compatibility hash and the module's bytes.
fn key(engine: &Engine, wasm: &[u8]) -> String {
    let mut h = ShaHasher(Sha256::new());
    h.write(b"wasit2 ");
    h.write(env!("CARGO_PKG_VERSION").as_bytes());
    h.write(&[0]);
    engine.precompile_compatibility_hash().hash(&mut h);
    h.write(&[0]);
    h.write(&Sha256::digest(wasm));
    hex(&h.0.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks an entry's header and checksum; returns the payload.
fn verify(entry: &[u8]) -> Result<&[u8], String> {
    if entry.len() < HEADER || &entry[..MAGIC.len()] != MAGIC {
        return Err("no wasit2 cache header".into());
    }
    let len = u64::from_le_bytes(entry[16..24].try_into().unwrap());
    let payload = &entry[HEADER..];
    if len != payload.len() as u64 {
        return Err(format!(
            "length {} where the header says {len}",
            payload.len()
        ));
    }
    if Sha256::digest(payload).as_slice() != &entry[24..HEADER] {
        return Err("checksum mismatch".into());
    }
    Ok(payload)
}

/// Writes `payload` as the entry at `path` atomically (temporary file in the
/// same directory, then rename).
fn store(path: &Path, payload: &[u8]) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().expect("entries live in the cache directory");
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(MAGIC)?;
        f.write_all(&(payload.len() as u64).to_le_bytes())?;
        f.write_all(&Sha256::digest(payload))?;
        f.write_all(payload)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Compiles `wasm` for `engine`, through the cache in `cache_dir` if given.
/// A cache that cannot be read or written only costs the compile.
pub fn load_module(
    engine: &Engine,
    wasm: &[u8],
    cache_dir: Option<&Path>,
) -> wasmtime::Result<(Module, CacheOutcome)> {
    let Some(dir) = cache_dir else {
        return Ok((Module::new(engine, wasm)?, CacheOutcome::Disabled));
    };
    let path = dir.join(format!("{}.cwasm", key(engine, wasm)));
    let bad = match std::fs::read(&path) {
        Err(_) => None,
        Ok(entry) => match verify(&entry) {
            // SAFETY: the payload is byte for byte what `Module::serialize`
            // wrote into this entry (length and SHA-256 checked), and
            // `deserialize` checks that it was made by a compatible engine.
            Ok(payload) => match unsafe { Module::deserialize(engine, payload) } {
                Ok(m) => return Ok((m, CacheOutcome::Hit(path))),
                Err(e) => Some(format!("refused by wasmtime: {e}")),
            },
            Err(reason) => Some(reason),
        },
    };
    let module = Module::new(engine, wasm)?;
    let stored = module
        .serialize()
        .ok()
        .is_some_and(|bytes| store(&path, &bytes).is_ok());
    let outcome = match bad {
        None => CacheOutcome::Miss { path, stored },
        Some(reason) => CacheOutcome::Bad {
            path,
            reason,
            stored,
        },
    };
    Ok((module, outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_rejects_truncation_and_flips() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("e");
        store(&p, b"payload bytes").unwrap();
        let good = std::fs::read(&p).unwrap();
        assert_eq!(verify(&good).unwrap(), b"payload bytes");
        assert!(verify(&good[..good.len() - 1]).is_err());
        assert!(verify(&good[..10]).is_err());
        let mut flipped = good.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(verify(&flipped).unwrap_err(), "checksum mismatch");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

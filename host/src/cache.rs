//! The compile cache of `wasit2 run`: compiled modules on disk, keyed by the
//! module's bytes, the engine's configuration and the wasit2 version.
//!
//! An entry is `MAGIC`, the payload's length (u64 LE), its CRC-32 (u32 LE;
//! it guards against truncation and corruption, and runs at memory speed
//! where SHA-256 took a noticeable part of a warm start), then the
//! payload: what `Module::serialize` produced. Every load checks all three
//! before the payload reaches `Module::deserialize`; an entry that fails a
//! check, or that wasmtime refuses, is recompiled and replaced. Entries are
//! written to a temporary file in the same directory and renamed into
//! place, so a concurrent run sees the old entry, the new one or none.
//!
//! The directory is bounded: after each store, the least recently used
//! entries (by modification time, which a hit refreshes) are removed until
//! the total is within the size limit. Removal is safe under concurrent
//! runs: a loader holds the entry's bytes in memory, and an entry that
//! vanished is a miss.

use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use wasmtime::{Engine, Module};

const MAGIC: &[u8; 16] = b"wasit2-cache-v2\0";
const HEADER: usize = MAGIC.len() + 8 + 4;

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

/// The compile cache's directory: `$WASIT2_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/wasit2/modules`, else `$HOME/.cache/wasit2/modules`
/// (its own directory: `~/.cache/wasit2` also holds other caches).
pub fn default_cache_dir() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(d) = var("WASIT2_CACHE_DIR") {
        return Some(PathBuf::from(d));
    }
    let root = match var("XDG_CACHE_HOME") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(var("HOME")?).join(".cache"),
    };
    Some(root.join("wasit2").join("modules"))
}

/// The cache's size limit when none is set: 1 GiB (wasmtime's cache has
/// the same default soft limit).
pub const DEFAULT_CACHE_MAX_SIZE: u64 = 1 << 30;

/// The cache's size limit in bytes: `$WASIT2_CACHE_MAX_SIZE` (bytes, or
/// with a `K`, `M`, `G` or `T` suffix, powers of 1024), else
/// [`DEFAULT_CACHE_MAX_SIZE`]. An unreadable value is an error, so that a
/// typo does not silently mean the default.
pub fn default_cache_max_size() -> Result<u64, String> {
    match std::env::var("WASIT2_CACHE_MAX_SIZE") {
        Ok(v) if !v.is_empty() => parse_size(&v)
            .ok_or_else(|| format!("WASIT2_CACHE_MAX_SIZE={v}: expected bytes, or a number with K, M, G or T (e.g. 512M)")),
        _ => Ok(DEFAULT_CACHE_MAX_SIZE),
    }
}

/// `1048576`, `512K`, `100M`, `2G`, `1T` (also `MiB`, `MB`, lower case).
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit
        .strip_suffix("ib")
        .or_else(|| unit.strip_suffix('b'))
        .unwrap_or(&unit);
    let shift = match unit {
        "" => 0,
        "k" => 10,
        "m" => 20,
        "g" => 30,
        "t" => 40,
        _ => return None,
    };
    n.checked_mul(1u64 << shift)
}

/// Where the compile cache lives and how large it may grow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheConfig {
    /// The directory holding the entries (nothing else should live there).
    pub dir: PathBuf,
    /// Most bytes the entries may take; after a store, the least recently
    /// used are removed until they fit (the newest entry always stays).
    pub max_size: u64,
}

impl CacheConfig {
    /// The user's cache: [`default_cache_dir`] and
    /// [`default_cache_max_size`]; `Ok(None)` without a home directory.
    pub fn from_env() -> Result<Option<CacheConfig>, String> {
        let max_size = default_cache_max_size()?;
        Ok(default_cache_dir().map(|dir| CacheConfig { dir, max_size }))
    }

    /// A cache in `dir` with the default size limit.
    pub fn in_dir(dir: impl Into<PathBuf>) -> CacheConfig {
        CacheConfig {
            dir: dir.into(),
            max_size: DEFAULT_CACHE_MAX_SIZE,
        }
    }
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
    if crc32fast::hash(payload).to_le_bytes() != entry[24..HEADER] {
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
        f.write_all(&crc32fast::hash(payload).to_le_bytes())?;
        f.write_all(payload)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Entries untouched for less than this keep their time on a hit: LRU
/// order at this granularity, without a metadata write on every run.
const TOUCH_AFTER: Duration = Duration::from_secs(60);

/// A temporary file older than this was left by a run that died while
/// writing it; eviction removes it.
const STALE_TMP: Duration = Duration::from_secs(3600);

/// Reads an entry; refreshes its time (its place in the LRU order) if it
/// has not been used for [`TOUCH_AFTER`].
fn read_entry(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut f = std::fs::File::open(path)?;
    let meta = f.metadata()?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    f.read_to_end(&mut bytes)?;
    let now = SystemTime::now();
    let stale = meta
        .modified()
        .ok()
        .and_then(|m| now.duration_since(m).ok())
        .is_none_or(|age| age >= TOUCH_AFTER);
    if stale {
        // Best effort: a read-only cache still serves hits.
        let _ = f.set_modified(now);
    }
    Ok(bytes)
}

/// Removes the least recently used entries of `dir` until the entries
/// take at most `max_size` bytes; `keep` (the entry just stored) stays.
/// Also removes temporary files left by runs that died while writing.
/// Errors (an entry another run removed first) are skipped.
fn evict(dir: &Path, max_size: u64, keep: &Path) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    let mut entries = Vec::new();
    let mut total = 0u64;
    for e in rd.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let Ok(meta) = e.metadata() else { continue };
        let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        if name.starts_with(".tmp-") {
            if now
                .duration_since(modified)
                .is_ok_and(|age| age > STALE_TMP)
            {
                let _ = std::fs::remove_file(e.path());
            }
        } else if name.ends_with(".cwasm") && meta.is_file() {
            total += meta.len();
            entries.push((modified, meta.len(), e.path()));
        }
    }
    if total <= max_size {
        return;
    }
    // Oldest first; the name breaks ties so concurrent evictions agree.
    entries.sort();
    for (_, len, path) in entries {
        if total <= max_size {
            break;
        }
        if path == keep {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => total -= len,
            // Another run removed it: it no longer counts either.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => total -= len,
            Err(_) => {}
        }
    }
}

/// Compiles `wasm` for `engine`, through the cache if given. A cache that
/// cannot be read or written only costs the compile.
pub fn load_module(
    engine: &Engine,
    wasm: &[u8],
    cache: Option<&CacheConfig>,
) -> wasmtime::Result<(Module, CacheOutcome)> {
    let Some(cache) = cache else {
        return Ok((Module::new(engine, wasm)?, CacheOutcome::Disabled));
    };
    let path = cache.dir.join(format!("{}.cwasm", key(engine, wasm)));
    let bad = match read_entry(&path) {
        Err(_) => None,
        Ok(entry) => match verify(&entry) {
            // SAFETY: the payload is byte for byte what `Module::serialize`
            // wrote into this entry (length and CRC-32 checked), and
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
    if stored {
        evict(&cache.dir, cache.max_size, &path);
    }
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

    #[test]
    fn sizes_parse_with_binary_suffixes() {
        assert_eq!(parse_size("1048576"), Some(1 << 20));
        assert_eq!(parse_size("512K"), Some(512 << 10));
        assert_eq!(parse_size("100M"), Some(100 << 20));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("1gb"), Some(1 << 30));
        assert_eq!(parse_size("1T"), Some(1 << 40));
        assert_eq!(parse_size("0"), Some(0));
        for bad in ["", "M", "1.5G", "-1", "12Q", "99999999999T"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    fn entry(dir: &Path, name: &str, len: usize, age_secs: u64) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, vec![0u8; len]).unwrap();
        let t = SystemTime::now() - Duration::from_secs(age_secs);
        std::fs::File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_modified(t)
            .unwrap();
        p
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn eviction_removes_least_recently_used_until_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        entry(d, "a.cwasm", 100, 400);
        entry(d, "b.cwasm", 100, 300);
        entry(d, "c.cwasm", 100, 200);
        let newest = entry(d, "d.cwasm", 100, 0);
        // Not entries: left alone, whatever their age.
        entry(d, "notes.txt", 1000, 900);
        entry(d, ".tmp-1-0", 10, 10);
        // Left by a run that died while writing: removed.
        entry(d, ".tmp-2-0", 10, 2 * 3600);
        evict(d, 250, &newest);
        assert_eq!(names(d), [".tmp-1-0", "c.cwasm", "d.cwasm", "notes.txt"]);
        // Within the limit: nothing goes.
        evict(d, 250, &newest);
        assert_eq!(names(d).len(), 4);
        // The entry just stored stays even if it alone is over the limit.
        evict(d, 50, &newest);
        assert_eq!(names(d), [".tmp-1-0", "d.cwasm", "notes.txt"]);
    }

    #[test]
    fn a_hit_refreshes_an_old_entry_only() {
        let dir = tempfile::tempdir().unwrap();
        let old = entry(dir.path(), "old.cwasm", 8, 3600);
        let recent = entry(dir.path(), "recent.cwasm", 8, 5);
        let mtime = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
        let recent_time = mtime(&recent);
        read_entry(&old).unwrap();
        read_entry(&recent).unwrap();
        let age = SystemTime::now().duration_since(mtime(&old)).unwrap();
        assert!(age < Duration::from_secs(60), "refreshed: {age:?}");
        assert_eq!(mtime(&recent), recent_time, "recent: not rewritten");
    }
}

//! Small file-system helpers: write-if-changed (keeps mtimes stable for the
//! incremental build), atomic replacement, recursive copy, content hashing.
use crate::error::{Error, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// FNV-1a, 64 bit: enough to key a local cache; no dependency needed.
#[derive(Clone)]
pub struct Hasher(u64);

impl Default for Hasher {
    fn default() -> Self {
        Hasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher {
    pub fn update(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    pub fn str(&mut self, s: &str) {
        self.update(s.as_bytes());
        self.update(&[0]);
    }
    pub fn finish_hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

pub fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(Error::io(path))
}

pub fn read_string(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(Error::io(path))
}

pub fn create_dir_all(path: &Path) -> Result<()> {
    fs::create_dir_all(path).map_err(Error::io(path))
}

/// Writes `data` to `path` via a temp file in the same directory and a
/// rename, so readers never see a half-written file.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        create_dir_all(dir)?;
    }
    let tmp = tmp_sibling(path);
    fs::write(&tmp, data).map_err(Error::io(&tmp))?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::Io {
            path: path.to_path_buf(),
            source: e,
        }
    })
}

/// Like `write_atomic`, but leaves the file (and its mtime) alone when the
/// content is already the same. Returns whether it wrote.
pub fn write_if_changed(path: &Path, data: &[u8]) -> Result<bool> {
    if let Ok(old) = fs::read(path) {
        if old == data {
            return Ok(false);
        }
    }
    write_atomic(path, data)?;
    Ok(true)
}

pub fn tmp_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Every regular file under `dir`, as paths relative to `dir`, sorted.
pub fn walk_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    walk(dir, Path::new(""), &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let dir = root.join(rel);
    for entry in fs::read_dir(&dir).map_err(Error::io(&dir))? {
        let entry = entry.map_err(Error::io(&dir))?;
        let ty = entry.file_type().map_err(Error::io(entry.path()))?;
        let child = rel.join(entry.file_name());
        if ty.is_dir() {
            walk(root, &child, out)?;
        } else if ty.is_file() || ty.is_symlink() {
            out.push(child);
        }
    }
    Ok(())
}

/// Files directly inside `dir` with the given extension, sorted.
pub fn list_ext(dir: &Path, ext: &str) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(Error::io(dir))? {
        let entry = entry.map_err(Error::io(dir))?;
        let p = entry.path();
        if p.extension().is_some_and(|e| e == ext) && p.is_file() {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// Replaces directory `dst` with `staged` using renames: the old tree is
/// moved aside first, so `dst` is either the old or the new tree.
pub fn replace_dir(staged: &Path, dst: &Path) -> Result<()> {
    if let Some(parent) = dst.parent() {
        create_dir_all(parent)?;
    }
    let old = tmp_sibling(dst).with_extension("old");
    if fs::symlink_metadata(dst).is_ok() {
        fs::rename(dst, &old).map_err(Error::io(dst))?;
    }
    fs::rename(staged, dst).map_err(Error::io(dst))?;
    remove_any(&old);
    Ok(())
}

/// Best-effort removal of a file, symlink or directory tree.
pub fn remove_any(path: &Path) {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let _ = fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = fs::remove_file(path);
        }
        Err(_) => {}
    }
}

pub fn mtime(path: &Path) -> Option<std::time::SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

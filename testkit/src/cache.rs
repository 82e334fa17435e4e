//! The tests' content-hash caches (`~/.cache/wasit2/<name>/`, outside the
//! clone): where they live, how their keys are made and how an output is
//! put in place, so that no changed input can hit an old entry and no
//! reader sees half an output.
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The cache `name`: `$WASIT2_CACHE/<name>`, else
/// `$HOME/.cache/wasit2/<name>` (where `scripts/setup.sh` puts what it
/// fetches). Not created.
pub fn dir(name: &str) -> PathBuf {
    let root = std::env::var_os("WASIT2_CACHE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/wasit2")
        });
    root.join(name)
}

/// A temporary name next to `out`, unique per process and call: parallel
/// tests (threads or processes) may make the same output at once.
pub fn tmp_path(out: &Path) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    out.with_extension(format!("{}.{n}.tmp", std::process::id()))
}

/// Writes `bytes` to `path` atomically (a [`tmp_path`], then a rename),
/// creating its directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = tmp_path(path);
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}

/// A 128-bit cache key (two differently seeded SipHash runs): a collision
/// would serve a stale output, and 128 bits make that no practical concern.
/// Every input of an output goes in; a missing file counts as empty.
pub struct Key(DefaultHasher, DefaultHasher);

impl Default for Key {
    fn default() -> Key {
        Key::new()
    }
}

impl Key {
    pub fn new() -> Key {
        let mut b = DefaultHasher::new();
        0xa5u8.hash(&mut b);
        Key(DefaultHasher::new(), b)
    }

    pub fn add(&mut self, data: &[u8]) {
        data.hash(&mut self.0);
        data.hash(&mut self.1);
    }

    /// `p`'s path and content.
    pub fn file(&mut self, p: &Path) {
        self.add(p.as_os_str().as_encoded_bytes());
        self.add(&std::fs::read(p).unwrap_or_default());
    }

    /// `p`'s path, size and modification time: for a big file that changes
    /// as a whole, such as a tool's binary.
    pub fn stamp(&mut self, p: &Path) {
        let m = std::fs::metadata(p).ok();
        self.add(
            format!(
                "{p:?} {:?} {:?}",
                m.as_ref().map(|m| m.len()),
                m.and_then(|m| m.modified().ok())
            )
            .as_bytes(),
        );
    }

    /// Path, size and modification time of every file under `dir` (of
    /// a symlink itself, not its target).
    pub fn tree(&mut self, dir: &Path) {
        for (p, m) in files_under(dir, &[]) {
            self.add(p.as_os_str().as_encoded_bytes());
            self.add(&m.len().to_le_bytes());
            self.add(format!("{:?}", m.modified().ok()).as_bytes());
        }
    }

    /// Path (relative to `dir`) and content of every file under `dir`,
    /// leaving out `.git` and `target`: a source tree, wherever it is. A
    /// `dir` that is a file counts as a tree of that one file.
    pub fn tree_contents(&mut self, dir: &Path) {
        for (p, _) in files_under(dir, &[".git", "target"]) {
            self.add(
                p.strip_prefix(dir)
                    .unwrap_or(&p)
                    .as_os_str()
                    .as_encoded_bytes(),
            );
            self.add(&std::fs::read(&p).unwrap_or_default());
        }
    }

    /// The key as 32 hex digits, for a file or directory name.
    pub fn hex(&self) -> String {
        format!("{:016x}{:016x}", self.0.finish(), self.1.finish())
    }
}

/// Every file below `dir` with its own metadata (a symlink's, not its
/// target's), sorted by path, not entering an entry named in `skip`; just
/// `dir` when it is a file (or a symlink to one).
fn files_under(dir: &Path, skip: &[&str]) -> Vec<(PathBuf, std::fs::Metadata)> {
    if let Some(m) = std::fs::metadata(dir).ok().filter(|m| !m.is_dir()) {
        return vec![(dir.to_path_buf(), m)];
    }
    let mut stack = vec![dir.to_path_buf()];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if skip.iter().any(|s| e.file_name() == **s) {
                continue;
            }
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(e.path()),
                Ok(m) => files.push((e.path(), m)),
                Err(_) => {}
            }
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key over `f`, for a fresh key each time.
    fn key(f: impl Fn(&mut Key)) -> String {
        let mut k = Key::new();
        f(&mut k);
        k.hex()
    }

    #[test]
    fn every_input_moves_the_key() {
        let dir = std::env::temp_dir().join(format!("wasit2-cache-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src/.git")).unwrap();
        std::fs::create_dir_all(dir.join("src/target")).unwrap();
        let file = dir.join("src/a.c");
        std::fs::write(&file, "int a;").unwrap();
        std::fs::write(dir.join("src/.git/HEAD"), "x").unwrap();

        let before = (
            key(|k| k.file(&file)),
            key(|k| k.stamp(&file)),
            key(|k| k.tree(&dir)),
            key(|k| k.tree_contents(&dir.join("src"))),
        );
        assert_eq!(before.0, key(|k| k.file(&file)), "a key is stable");
        assert_ne!(key(|k| k.add(b"a")), key(|k| k.add(b"b")));

        // Outside the source tree's view: .git and target.
        std::fs::write(dir.join("src/.git/HEAD"), "y").unwrap();
        std::fs::write(dir.join("src/target/o"), "y").unwrap();
        assert_eq!(before.3, key(|k| k.tree_contents(&dir.join("src"))));

        // Same size, new content.
        std::fs::write(&file, "int b;").unwrap();
        assert_ne!(before.0, key(|k| k.file(&file)));
        assert_ne!(before.3, key(|k| k.tree_contents(&dir.join("src"))));
        // New size (stamps see size and time, not content).
        std::fs::write(&file, "int bb;").unwrap();
        assert_ne!(before.1, key(|k| k.stamp(&file)));
        assert_ne!(before.2, key(|k| k.tree(&dir)));
        // A file as a tree of itself.
        assert_ne!(
            key(|k| k.tree_contents(&file)),
            key(|k| k.tree_contents(&dir.join("none")))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn temporary_names_differ_per_call() {
        let out = Path::new("/x/prog.wasm");
        let (a, b) = (tmp_path(out), tmp_path(out));
        assert_ne!(a, b);
        assert_eq!(a.parent(), out.parent());
    }
}

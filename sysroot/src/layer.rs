//! The wasit2 system layer's manifest, `sysroot/layer/SOURCES.txt`.
//!
//! One entry per line; `#` starts a comment. Paths are relative to the
//! layer directory.
//! - `foo.c` or `src: foo.c`: compiled into libc.a. `dir/*.c` globs.
//! - `crt: crt1-command.c` (or a bare `.c` whose name starts with `crt1`):
//!   compiled into `lib/<triple>/<stem>.o`; `crt1-command` is also installed
//!   as `crt1.o`, the name clang's driver links by default.
//! - `include: dir` or a bare `-Idir`: include directory for layer sources.
//! - `public-include: dir`: headers copied over the sysroot's include dir.
//! - `cflags: ...` or bare `-D...`/`-W...`/`-f...` flags: extra flags for
//!   layer sources. `${WASI_LIBC}` expands to the wasi-libc tree.
//! - `wasip1-src: foo.c bar.c`: compiled into the wasm32 targets' `wasip1/libc.a`,
//!   the libc `wasit-ld --host wasip1` links: the wasi-libc selection with
//!   nothing replaced (its p1 import wrappers kept) plus these files.
//! - `wasip1-wrap: name...`: in that libc, wasi-libc's wrapper
//!   `__wasi_<name>` is compiled as `__wasit2_raw_<name>`, for a layer file
//!   to define `__wasi_<name>` on top of it.
//! - `p1-imports: foo.c`: compiled into the wasm32 targets'
//!   `libwasit2-p1-imports.a`, the provider of the `wasi_snapshot_preview1`
//!   imports a Rust `wasm32-wasip1` program declares itself (wasit-ld links
//!   it instead of compiling anything at link time).
//! - `setjmp: foo.c`: compiled with wasm exception handling into
//!   `libsetjmp.a`, the runtime of clang's setjmp/longjmp lowering, for the
//!   CPU variants whose engines have exceptions (`crate::setjmp`).
//! - `exclude: name.c`: a wasi-libc bottom-half file the layer replaces.
//!   Bottom-half files with the same name as a layer source are replaced
//!   automatically.
use crate::error::{Error, Result};
use crate::fsutil;
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = "SOURCES.txt";

#[derive(Debug, Clone, Default)]
pub struct Layer {
    pub dir: PathBuf,
    pub sources: Vec<PathBuf>,
    pub crts: Vec<PathBuf>,
    /// Layer files of the `--host wasip1` libc.
    pub wasip1_sources: Vec<PathBuf>,
    /// p1 functions whose wasi-libc wrapper the `--host wasip1` libc renames.
    pub wasip1_wrap: Vec<String>,
    /// Sources of the p1-imports provider library.
    pub p1_imports: Vec<PathBuf>,
    /// Sources of libsetjmp.a.
    pub setjmp: Vec<PathBuf>,
    pub include_dirs: Vec<PathBuf>,
    pub public_include_dirs: Vec<PathBuf>,
    pub cflags: Vec<String>,
    /// wasi-libc file names (or path suffixes) the layer replaces.
    pub excludes: Vec<String>,
}

impl Layer {
    /// Reads `<dir>/SOURCES.txt`; `Ok(None)` when the layer is absent.
    pub fn load(dir: &Path, wasi_libc: &Path) -> Result<Option<Layer>> {
        let manifest = dir.join(MANIFEST);
        if !manifest.is_file() {
            return Ok(None);
        }
        let text = fsutil::read_string(&manifest)?;
        let mut layer = Layer {
            dir: dir.to_path_buf(),
            ..Layer::default()
        };
        let bad = |line: usize, msg: String| Error::LayerManifest {
            file: manifest.clone(),
            line,
            msg,
        };
        for (i, raw) in text.lines().enumerate() {
            let lineno = i + 1;
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let (key, value) = match line.split_once(':') {
                Some((k, v)) if !k.contains(' ') && !k.starts_with('-') => (k.trim(), v.trim()),
                _ => ("", line),
            };
            let expand = |s: &str| s.replace("${WASI_LIBC}", &wasi_libc.to_string_lossy());
            match key {
                "" if value.starts_with("-I") => {
                    layer.include_dirs.push(dir.join(expand(&value[2..])))
                }
                "" if value.starts_with('-') => {
                    layer.cflags.extend(value.split_whitespace().map(expand))
                }
                "" if value.ends_with(".c") => {
                    for p in expand_glob(dir, value).map_err(|m| bad(lineno, m))? {
                        let is_crt = p
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with("crt1"));
                        if is_crt {
                            layer.crts.push(p)
                        } else {
                            layer.sources.push(p)
                        }
                    }
                }
                "src" | "source" | "libc" => layer
                    .sources
                    .extend(expand_glob(dir, value).map_err(|m| bad(lineno, m))?),
                "wasip1-src" => {
                    for pattern in value.split_whitespace() {
                        layer
                            .wasip1_sources
                            .extend(expand_glob(dir, pattern).map_err(|m| bad(lineno, m))?)
                    }
                }
                "p1-imports" => {
                    for pattern in value.split_whitespace() {
                        layer
                            .p1_imports
                            .extend(expand_glob(dir, pattern).map_err(|m| bad(lineno, m))?)
                    }
                }
                "setjmp" => {
                    for pattern in value.split_whitespace() {
                        layer
                            .setjmp
                            .extend(expand_glob(dir, pattern).map_err(|m| bad(lineno, m))?)
                    }
                }
                "wasip1-wrap" => layer
                    .wasip1_wrap
                    .extend(value.split_whitespace().map(String::from)),
                "crt" => layer
                    .crts
                    .extend(expand_glob(dir, value).map_err(|m| bad(lineno, m))?),
                "include" => layer.include_dirs.push(dir.join(expand(value))),
                "public-include" | "public_include" | "headers" => {
                    layer.public_include_dirs.push(dir.join(value))
                }
                "cflags" | "flags" => layer.cflags.extend(value.split_whitespace().map(expand)),
                "exclude" | "replaces" => layer
                    .excludes
                    .extend(value.split_whitespace().map(String::from)),
                _ => return Err(bad(lineno, format!("unknown entry `{line}`"))),
            }
        }
        for p in layer
            .sources
            .iter()
            .chain(&layer.crts)
            .chain(&layer.wasip1_sources)
            .chain(&layer.p1_imports)
            .chain(&layer.setjmp)
        {
            if !p.is_file() {
                return Err(Error::Invalid(format!(
                    "{}: listed source {} does not exist",
                    manifest.display(),
                    p.display()
                )));
            }
        }
        // Same-named bottom-half files are replaced by the layer's version.
        for p in &layer.sources {
            layer
                .excludes
                .push(p.file_name().unwrap().to_string_lossy().into_owned());
        }
        Ok(Some(layer))
    }

    /// Every file whose content affects the layer's objects or headers.
    pub fn input_files(&self) -> Result<Vec<PathBuf>> {
        let mut v = vec![self.dir.join(MANIFEST)];
        v.extend(self.sources.iter().cloned());
        v.extend(self.crts.iter().cloned());
        v.extend(self.wasip1_sources.iter().cloned());
        v.extend(self.p1_imports.iter().cloned());
        v.extend(self.setjmp.iter().cloned());
        for d in self.include_dirs.iter().chain(&self.public_include_dirs) {
            if d.is_dir() {
                v.extend(fsutil::walk_files(d)?.into_iter().map(|r| d.join(r)));
            }
        }
        Ok(v)
    }
}

/// `dir/*.c` style globs (one `*` in the file name); plain paths otherwise.
fn expand_glob(base: &Path, pattern: &str) -> std::result::Result<Vec<PathBuf>, String> {
    let path = base.join(pattern);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some((pre, post)) = name.split_once('*') else {
        return Ok(vec![path]);
    };
    let dir = path.parent().unwrap_or(base);
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.len() >= pre.len() + post.len() && n.starts_with(pre) && n.ends_with(post)
        })
        .collect();
    out.sort();
    Ok(out)
}

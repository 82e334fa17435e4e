//! Reading a wasi-libc source tree: validation and source selection.
//!
//! The selection follows what wasi-libc itself compiles (learned from its
//! build files, expressed here as our own tables), minus the parts the wasit2
//! system layer replaces: the preview-1 import wrappers and the crt.
use crate::error::{Error, Result};
use crate::fsutil;
use std::path::{Path, PathBuf};

/// Which include paths and defines a source gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// musl code: musl's internal headers and arch bits.
    Musl,
    /// wasi-libc's bottom half (cloudlibc and its own sources).
    Bottom,
    Dlmalloc,
    /// wasi-libc's opt-in emulation libraries: public headers only.
    Emulated,
    /// The wasit2 system layer (project code under sysroot/layer).
    Layer,
    /// A CMake-era tree's source: its flags come with the source
    /// (`Source::defines`), read from the tree's build files.
    Upstream,
}

/// The layer of CMake-era trees, below the layer directory: it replaces
/// only what upstream's wasip2 sources must not keep (docs/sysroot.md).
pub const WASIP2_TREE_LAYER: &str = "wasip2-tree";

/// What kind of wasi-libc tree a directory holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeKind {
    /// Makefile-era (up to 2024, e.g. Debian's 2022 source): preview-1
    /// sources only; the wasit2 layer provides the WASI 0.2 side.
    Makefile,
    /// CMake-era (2025 on): p1, p2 and p3 sources; wasit2 takes upstream's
    /// wasip2 selection, read from the tree's CMake files.
    Cmake,
}

/// One C file to compile.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub group: Group,
    /// Extra `-D` flags for this object (printscan and emulation variants).
    pub defines: Vec<String>,
    /// Unique object file name (archive member name).
    pub object: String,
}

/// One static library of the sysroot.
#[derive(Debug, Clone)]
pub struct Library {
    /// File name, e.g. `libc.a`.
    pub file: String,
    pub sources: Vec<Source>,
}

/// A validated wasi-libc tree.
#[derive(Debug, Clone)]
pub struct Tree {
    pub root: PathBuf,
    pub kind: TreeKind,
}

/// musl files picked one by one from directories wasi-libc otherwise skips.
const MUSL_PICKED: &[(&str, &[&str])] = &[
    (
        "misc",
        &[
            "a64l",
            "basename",
            "dirname",
            "ffs",
            "ffsl",
            "ffsll",
            "fmtmsg",
            "getdomainname",
            "gethostid",
            "getopt",
            "getopt_long",
            "getsubopt",
            "uname",
            "nftw",
        ],
    ),
    ("errno", &["strerror"]),
    (
        "network",
        &[
            "htonl",
            "htons",
            "ntohl",
            "ntohs",
            "inet_ntop",
            "inet_pton",
            "inet_aton",
            "in6addr_any",
            "in6addr_loopback",
        ],
    ),
    (
        "fenv",
        &[
            "fenv",
            "fesetround",
            "feupdateenv",
            "fesetexceptflag",
            "fegetexceptflag",
            "feholdexcept",
        ],
    ),
    (
        "exit",
        &["exit", "atexit", "assert", "quick_exit", "at_quick_exit"],
    ),
    (
        "time",
        &[
            "strftime",
            "asctime",
            "asctime_r",
            "ctime",
            "ctime_r",
            "wcsftime",
            "strptime",
            "difftime",
            "timegm",
            "ftime",
            "gmtime",
            "gmtime_r",
            "timespec_get",
            "getdate",
            "localtime",
            "localtime_r",
            "mktime",
            "__tm_to_secs",
            "__month_to_secs",
            "__secs_to_tm",
            "__year_to_secs",
            "__tz",
        ],
    ),
    ("fcntl", &["creat"]),
    ("dirent", &["alphasort", "versionsort"]),
    (
        "env",
        &["clearenv", "getenv", "putenv", "setenv", "unsetenv"],
    ),
    ("unistd", &["posix_close"]),
    ("stat", &["futimesat"]),
];

/// musl directories taken whole, minus the named files (which need
/// threads, processes, syscalls, or are provided by the bottom half or by
/// the compiler as builtins).
const MUSL_WHOLE_DIRS: &[(&str, &[&str])] = &[
    (
        "internal",
        &["procfdname", "syscall", "syscall_ret", "vdso", "version"],
    ),
    (
        "stdio",
        &[
            "flockfile",
            "funlockfile",
            "__lockfile",
            "ftrylockfile",
            "rename",
            "tmpnam",
            "tmpfile",
            "tempnam",
            "popen",
            "pclose",
            "remove",
            "gets",
        ],
    ),
    ("string", &["strsignal"]),
    (
        "locale",
        &["dcngettext", "textdomain", "bind_textdomain_codeset"],
    ),
    ("stdlib", &[]),
    ("search", &[]),
    ("multibyte", &[]),
    ("regex", &[]),
    ("prng", &[]),
    ("conf", &[]),
    ("ctype", &[]),
    (
        "math",
        &[
            "__signbit",
            "__signbitf",
            "__signbitl",
            "__fpclassify",
            "__fpclassifyf",
            "__fpclassifyl",
            "ceilf",
            "ceil",
            "floorf",
            "floor",
            "truncf",
            "trunc",
            "rintf",
            "rint",
            "nearbyintf",
            "nearbyint",
            "sqrtf",
            "sqrt",
            "fabsf",
            "fabs",
            "copysignf",
            "copysign",
            "fminf",
            "fmaxf",
            "fmin",
            "fmax",
        ],
    ),
    (
        "complex",
        &["crealf", "creal", "creall", "cimagf", "cimag", "cimagl"],
    ),
    ("crypt", &[]),
];

/// The musl files whose printf/scanf support long double only when built
/// without `__wasilibc_printscan_no_long_double`.
const MUSL_PRINTSCAN: &[&str] = &[
    "internal/floatscan",
    "stdio/vfprintf",
    "stdio/vfwprintf",
    "stdio/vfscanf",
    "stdlib/strtod",
    "stdlib/wcstod",
];

/// Bottom-half files the wasit2 layer replaces: the preview-1 import
/// wrappers (the layer implements `__wasi_*` over wasit2 imports).
const BOTTOM_REPLACED: &[&str] = &[P1_WRAPPERS];

/// wasi-libc's generated p1 import wrappers (`__wasi_*`).
pub const P1_WRAPPERS: &str = "__wasilibc_real.c";

impl Tree {
    pub fn open(root: &Path) -> Result<Tree> {
        let root = crate::tools::absolute(root);
        if crate::cmake_tree::is_cmake_tree(&root) {
            // Sources are named relative to the root: no `..` in it.
            let root = crate::cmake_tree::normalize(&root);
            for (rel, what) in [
                ("libc-top-half/musl/src", "libc-top-half/musl/src"),
                (
                    "libc-bottom-half/headers/public",
                    "libc-bottom-half/headers/public",
                ),
            ] {
                if !root.join(rel).exists() {
                    return Err(Error::NotWasiLibc(root, what));
                }
            }
            return Ok(Tree {
                root,
                kind: TreeKind::Cmake,
            });
        }
        for (rel, what) in [
            ("libc-top-half/musl/src", "libc-top-half/musl/src"),
            (
                "libc-top-half/musl/arch/wasm32",
                "libc-top-half/musl/arch/wasm32",
            ),
            (
                "libc-bottom-half/headers/public",
                "libc-bottom-half/headers/public",
            ),
            ("dlmalloc/src/dlmalloc.c", "dlmalloc/src/dlmalloc.c"),
        ] {
            if !root.join(rel).exists() {
                return Err(Error::NotWasiLibc(root, what));
            }
        }
        Ok(Tree {
            root,
            kind: TreeKind::Makefile,
        })
    }

    /// A CMake-era tree's libraries for wasit2: upstream's wasip2 selection
    /// minus the files the layer replaces (`replaced`, file names or path
    /// suffixes). Upstream's non-C inputs (the realloc wrapper, the
    /// prebuilt component-type objects) are never taken.
    /// `file_flags` (from the layer's `RENAMES.txt` and `FLAGS.txt`,
    /// [`read_file_flags`]) adds flags to single files of the selection.
    pub fn select_cmake(
        &self,
        replaced: &[String],
        file_flags: &[(String, Vec<String>)],
    ) -> Result<Vec<Library>> {
        let sel = crate::cmake_tree::select(&self.root, crate::cmake_tree::Wasi::P2)?;
        let mut libs = self.cmake_libraries(&sel, replaced, "", &[]);
        for (file, flags) in file_flags {
            let mut found = false;
            for s in libs.iter_mut().flat_map(|l| l.sources.iter_mut()) {
                if s.path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy() == *file)
                {
                    found = true;
                    s.defines.extend(flags.iter().cloned());
                }
            }
            if !found {
                return Err(Error::Invalid(format!(
                    "layer RENAMES.txt/FLAGS.txt: the tree's wasip2 selection has no {file}"
                )));
            }
        }
        Ok(libs)
    }

    /// A CMake-era tree's `--host wasip1` libc: upstream's own wasip1
    /// selection of the same tree, compiled as wasip1 code.
    pub fn select_cmake_wasip1_libc(&self) -> Result<Vec<Source>> {
        let sel = crate::cmake_tree::select(&self.root, crate::cmake_tree::Wasi::P1)?;
        let defines = ["-U__wasip2__", "-U__wasit2__", "-D__wasip1__"].map(String::from);
        Ok(self
            .cmake_libraries(&sel, &[], "wasip1/", &defines)
            .into_iter()
            .find(|l| l.file == "libc.a")
            .map(|l| l.sources)
            .unwrap_or_default())
    }

    fn cmake_libraries(
        &self,
        sel: &crate::cmake_tree::Selection,
        replaced: &[String],
        prefix: &str,
        extra: &[String],
    ) -> Vec<Library> {
        let mut libs = Vec::new();
        for (file, srcs) in &sel.archives {
            let stem = file.trim_end_matches(".a");
            let mut sources = Vec::new();
            for s in srcs {
                let name = s.path.file_name().unwrap_or_default().to_string_lossy();
                if replaced
                    .iter()
                    .any(|r| r == name.as_ref() || s.path.ends_with(r))
                {
                    continue;
                }
                let mut defines = s.flags.clone();
                if file == crate::setjmp::LIB {
                    defines.extend(crate::setjmp::CFLAGS.iter().map(|f| f.to_string()));
                }
                defines.extend(extra.iter().cloned());
                let object = object_name(&self.root, &s.path);
                // The same file may be built with other flags for another
                // archive (printscan variants): one object dir per archive.
                let object = if file == "libc.a" {
                    format!("{prefix}{object}")
                } else {
                    format!("{prefix}{stem}/{object}")
                };
                sources.push(Source {
                    path: s.path.clone(),
                    group: Group::Upstream,
                    defines,
                    object,
                });
            }
            // chdir.c's weak references resolve only when it comes late.
            sources.sort_by_key(|s| s.path.file_name().is_some_and(|n| n == "chdir.c"));
            libs.push(Library {
                file: file.clone(),
                sources,
            });
        }
        libs
    }

    pub fn musl(&self) -> PathBuf {
        self.root.join("libc-top-half/musl")
    }
    pub fn musl_src(&self) -> PathBuf {
        self.musl().join("src")
    }
    pub fn bottom(&self) -> PathBuf {
        self.root.join("libc-bottom-half")
    }

    /// Whether the tree carries wasi-libc's preview-2 bottom half (newer
    /// checkouts). Ours builds the preview-1 portable part plus the wasit2
    /// layer either way; this is reported for information.
    pub fn has_wasip2_sources(&self) -> bool {
        self.bottom().join("sources/wasip2.c").exists()
            || self.bottom().join("sources/wasip2_stdio.c").exists()
    }

    /// The libraries of the sysroot (without the layer, which the caller
    /// appends to libc). `replaced` holds bottom-half file names the layer
    /// provides itself.
    pub fn select(&self, replaced: &[String]) -> Result<Vec<Library>> {
        self.select_with(replaced, true)
    }

    /// libc's sources for the `--host wasip1` libc: nothing replaced, so
    /// wasi-libc's p1 import wrappers and p1 socket calls are kept.
    pub fn select_wasip1_libc(&self) -> Result<Vec<Source>> {
        let libs = self.select_with(&[], false)?;
        Ok(libs
            .into_iter()
            .find(|l| l.file == "libc.a")
            .map(|l| l.sources)
            .unwrap_or_default())
    }

    fn select_with(&self, replaced: &[String], drop_p1_wrappers: bool) -> Result<Vec<Library>> {
        let mut libc = Vec::new();
        let mut printscan_ld = Vec::new();

        // malloc
        libc.push(self.source(
            &self.root.join("dlmalloc/src/dlmalloc.c"),
            Group::Dlmalloc,
            vec![],
        ));

        // bottom half: cloudlibc and wasi-libc's own sources, recursively.
        let mut bottom = Vec::new();
        for dir in ["cloudlibc/src", "sources"] {
            let base = self.bottom().join(dir);
            for rel in fsutil::walk_files(&base)? {
                if rel.extension().is_some_and(|e| e == "c") {
                    bottom.push(base.join(rel));
                }
            }
        }
        bottom.retain(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (!drop_p1_wrappers || !BOTTOM_REPLACED.contains(&name.as_str()))
                && !replaced.iter().any(|r| r == &name || p.ends_with(r))
        });
        // chdir.c holds weak references that lld only resolves when its
        // object comes late in the archive.
        bottom.sort_by_key(|p| p.file_name().is_some_and(|n| n == "chdir.c"));
        for p in bottom {
            libc.push(self.source(&p, Group::Bottom, vec![]));
        }

        // top half: musl
        let src = self.musl_src();
        for (dir, files) in MUSL_PICKED {
            for f in *files {
                let p = src.join(dir).join(format!("{f}.c"));
                if p.is_file() {
                    libc.push(self.source(&p, Group::Musl, vec![]));
                }
            }
        }
        for (dir, skip) in MUSL_WHOLE_DIRS {
            let d = src.join(dir);
            if !d.is_dir() {
                continue;
            }
            for p in fsutil::list_ext(&d, "c")? {
                let stem = p.file_stem().unwrap().to_string_lossy();
                if skip.contains(&stem.as_ref()) {
                    continue;
                }
                let rel = format!("{dir}/{stem}");
                if MUSL_PRINTSCAN.contains(&rel.as_str()) {
                    libc.push(self.source(&p, Group::Musl, printscan_no_long_double()));
                    let mut full = self.source(&p, Group::Musl, vec![]);
                    full.object = full.object.replace(".o", ".long-double.o");
                    printscan_ld.push(full);
                } else {
                    libc.push(self.source(&p, Group::Musl, vec![]));
                }
            }
        }
        let top_sources = self.root.join("libc-top-half/sources");
        if top_sources.is_dir() {
            for rel in fsutil::walk_files(&top_sources)? {
                if rel.extension().is_some_and(|e| e == "c") {
                    libc.push(self.source(&top_sources.join(rel), Group::Musl, vec![]));
                }
            }
        }

        let mut libs = vec![
            Library {
                file: "libc.a".into(),
                sources: libc,
            },
            Library {
                file: "libc-printscan-long-double.a".into(),
                sources: printscan_ld,
            },
        ];
        // wasi-libc's opt-in emulation libraries.
        for (lib, dir) in [
            ("libwasi-emulated-mman.a", "mman"),
            ("libwasi-emulated-process-clocks.a", "clocks"),
            ("libwasi-emulated-getpid.a", "getpid"),
            ("libwasi-emulated-signal.a", "signal"),
        ] {
            let d = self.bottom().join(dir);
            if !d.is_dir() {
                continue;
            }
            let mut sources: Vec<Source> = fsutil::list_ext(&d, "c")?
                .iter()
                .map(|p| {
                    // The process-clocks emulation reads cloudlibc's internal headers.
                    let flags = if dir == "clocks" {
                        vec![format!(
                            "-I{}",
                            self.bottom().join("cloudlibc/src").display()
                        )]
                    } else {
                        vec![]
                    };
                    self.source(p, Group::Emulated, flags)
                })
                .collect();
            if dir == "signal" {
                for f in ["signal/psignal.c", "string/strsignal.c"] {
                    let p = src.join(f);
                    if p.is_file() {
                        let mut s =
                            self.source(&p, Group::Musl, vec!["-D_WASI_EMULATED_SIGNAL".into()]);
                        s.object = s.object.replace(".o", ".emulated-signal.o");
                        sources.push(s);
                    }
                }
            }
            libs.push(Library {
                file: lib.into(),
                sources,
            });
        }
        Ok(libs)
    }

    fn source(&self, path: &Path, group: Group, defines: Vec<String>) -> Source {
        Source {
            object: object_name(&self.root, path),
            path: path.to_path_buf(),
            group,
            defines,
        }
    }
}

fn printscan_no_long_double() -> Vec<String> {
    vec![
        "-D__wasilibc_printscan_no_long_double".into(),
        "-D__wasilibc_printscan_full_support_option=\"add -lc-printscan-long-double to the link command\"".into(),
    ]
}

/// A unique, readable object name derived from the path below `root`
/// (`libc-top-half/musl/src/stdio/printf.c` -> `musl.stdio.printf.o`).
pub fn object_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut s = rel.with_extension("").to_string_lossy().replace('/', ".");
    for (long, short) in [
        ("libc-top-half.musl.src.", "musl."),
        ("libc-top-half.sources.", "top."),
        ("libc-bottom-half.cloudlibc.src.libc.", "cloudlibc."),
        ("libc-bottom-half.sources.", "bottom."),
        ("libc-bottom-half.", "bottom."),
        ("dlmalloc.src.", ""),
    ] {
        if let Some(rest) = s.strip_prefix(long) {
            s = format!("{short}{rest}");
            break;
        }
    }
    format!("{s}.o")
}

/// Per-file flags for the tree's kept sources, from the layer's
/// `RENAMES.txt` (`file.c: function ...`: each function is compiled as
/// `__wasit2_upstream_<function>` so the layer's definition is the one
/// libc exports) and `FLAGS.txt` (`file.c: flag ...`). `#` starts a
/// comment; absent files add nothing.
pub fn read_file_flags(layer_dir: &Path) -> Result<Vec<(String, Vec<String>)>> {
    let mut out = Vec::new();
    for (name, rename) in [("RENAMES.txt", true), ("FLAGS.txt", false)] {
        let path = layer_dir.join(name);
        if !path.is_file() {
            continue;
        }
        let text = fsutil::read_string(&path)?;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let Some((file, rest)) = line.split_once(':') else {
                return Err(Error::LayerManifest {
                    file: path.clone(),
                    line: i + 1,
                    msg: "expected `file.c: ...`".into(),
                });
            };
            let flags = rest
                .split_whitespace()
                .map(|w| {
                    if rename {
                        format!("-D{w}=__wasit2_upstream_{w}")
                    } else {
                        w.to_string()
                    }
                })
                .collect();
            out.push((file.trim().to_string(), flags));
        }
    }
    Ok(out)
}

/// Writes the wasit2 implementation of upstream's wasip2 C API
/// (`wasit2_bindgen::wasip2_compat`, in place of the tree's `wasip2.c`)
/// into `dir` and returns it as a libc source. Rewritten only when changed.
pub fn wasip2_compat_source(tree: &Tree, dir: &Path) -> Result<Source> {
    let compat = wasit2_bindgen::wasip2_compat::generate_for_tree(&tree.root)
        .map_err(|e| Error::Bindings(format!("wasip2 C API: {e}")))?;
    let path = dir.join("wasip2_compat.c");
    fsutil::write_if_changed(&path, compat.source.as_bytes())?;
    Ok(Source {
        path,
        group: Group::Upstream,
        defines: vec![],
        object: "wasit2.wasip2_compat.o".into(),
    })
}

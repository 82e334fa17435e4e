//! Reading a CMake-era wasi-libc tree (2025 and later: p1, p2 and p3
//! sources side by side) through its own build files.
//!
//! The builder does not copy upstream's file lists. It evaluates the small
//! part of CMake those files use (variables, lists, globs, `if`, `foreach`,
//! `add_subdirectory` and the tree's own library helpers) for one WASI
//! version, and reads off what upstream would compile into each installed
//! archive, with the include dirs, defines and options of each object
//! library, plus the headers it installs. A newer tree keeps working as long
//! as it keeps to those constructs; anything else is ignored, and a tree
//! whose files do not yield a `libc.a` is reported as an unknown layout.
use crate::error::{Error, Result};
use crate::fsutil;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The WASI version whose selection is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wasi {
    P1,
    P2,
}

impl Wasi {
    fn name(self) -> &'static str {
        match self {
            Wasi::P1 => "p1",
            Wasi::P2 => "p2",
        }
    }
    fn triple(self) -> &'static str {
        match self {
            Wasi::P1 => "wasm32-wasip1",
            Wasi::P2 => "wasm32-wasip2",
        }
    }
}

/// One C source with everything its object library adds to the command
/// line (directory options, include dirs, defines, target options).
#[derive(Debug, Clone)]
pub struct CmSource {
    pub path: PathBuf,
    pub flags: Vec<String>,
}

/// What the tree's build files install for one WASI version.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Archive file name (`libc.a`) -> its C sources.
    pub archives: BTreeMap<String, Vec<CmSource>>,
    /// Installed header path -> source file.
    pub headers: BTreeMap<PathBuf, PathBuf>,
    /// `configure_file` outputs below the include dir -> template.
    pub configured: BTreeMap<PathBuf, PathBuf>,
    /// Non-C inputs of the archives that wasit2 does not take (assembly such
    /// as the realloc wrapper, prebuilt component-type objects).
    pub skipped: Vec<PathBuf>,
    /// Final variable values, for `#cmakedefine`.
    pub vars: HashMap<String, String>,
}

/// Whether the tree is driven by CMake (has the library lists this module
/// reads).
pub fn is_cmake_tree(root: &Path) -> bool {
    root.join("CMakeLists.txt").is_file()
        && root.join("libc-bottom-half/CMakeLists.txt").is_file()
        && root.join("libc-top-half/CMakeLists.txt").is_file()
}

/// Evaluates the tree's build files for `wasi` and returns the selection.
pub fn select(root: &Path, wasi: Wasi) -> Result<Selection> {
    let mut ev = Eval::new(root, wasi);
    let mut scope = Scope {
        dir: root.to_path_buf(),
        vars: ev.presets.clone(),
        options: vec![],
        includes: vec![],
    };
    ev.run_file(&root.join("CMakeLists.txt"), &mut scope)?;
    ev.finish(scope)
}

#[derive(Debug, Clone)]
struct Arg {
    text: String,
    quoted: bool,
}

#[derive(Debug, Clone)]
struct Command {
    name: String,
    args: Vec<Arg>,
    line: usize,
}

/// Splits a CMake file into commands (comments, quoted and bracket
/// arguments, nested parentheses).
fn parse(text: &str, file: &Path) -> Result<Vec<Command>> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut line = 1;
    let mut out = Vec::new();
    let bad = |line: usize, msg: &str| {
        Error::Invalid(format!("{}:{line}: cannot read: {msg}", file.display()))
    };
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line += 1;
            i += 1;
        } else if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'#' {
            if b[i..].starts_with(b"#[[") {
                let end = text[i..]
                    .find("]]")
                    .ok_or_else(|| bad(line, "bracket comment"))?;
                line += text[i..i + end].matches('\n').count();
                i += end + 2;
            } else {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let name = text[start..i].to_ascii_lowercase();
            while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                i += 1;
            }
            if i >= b.len() || b[i] != b'(' {
                return Err(bad(line, "expected `(` after a command name"));
            }
            i += 1;
            let cmd_line = line;
            let mut args = Vec::new();
            let mut depth = 0;
            loop {
                if i >= b.len() {
                    return Err(bad(cmd_line, "unterminated command"));
                }
                let c = b[i];
                if c == b'\n' {
                    line += 1;
                    i += 1;
                } else if c.is_ascii_whitespace() {
                    i += 1;
                } else if c == b'#' {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                } else if c == b'(' {
                    depth += 1;
                    args.push(Arg {
                        text: "(".into(),
                        quoted: false,
                    });
                    i += 1;
                } else if c == b')' {
                    i += 1;
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                    args.push(Arg {
                        text: ")".into(),
                        quoted: false,
                    });
                } else if c == b'"' {
                    i += 1;
                    let mut s = String::new();
                    while i < b.len() && b[i] != b'"' {
                        if b[i] == b'\\' && i + 1 < b.len() {
                            match b[i + 1] {
                                b'n' => s.push('\n'),
                                b't' => s.push('\t'),
                                b'\n' => line += 1,
                                other => {
                                    // Keep regex escapes (`\\.`) as CMake does.
                                    if other == b'\\' {
                                        s.push('\\');
                                    } else {
                                        s.push(other as char);
                                    }
                                }
                            }
                            i += 2;
                            continue;
                        }
                        if b[i] == b'\n' {
                            line += 1;
                        }
                        // Multi-byte UTF-8 is copied byte-wise below.
                        let ch_len = utf8_len(b[i]);
                        s.push_str(&text[i..i + ch_len]);
                        i += ch_len;
                    }
                    i += 1;
                    args.push(Arg {
                        text: s,
                        quoted: true,
                    });
                } else if b[i..].starts_with(b"[[") {
                    let end = text[i..]
                        .find("]]")
                        .ok_or_else(|| bad(line, "bracket argument"))?;
                    let s = text[i + 2..i + end].to_string();
                    line += s.matches('\n').count();
                    i += end + 2;
                    args.push(Arg {
                        text: s,
                        quoted: true,
                    });
                } else {
                    let start = i;
                    let mut gen_depth = 0;
                    while i < b.len() {
                        let c = b[i];
                        if c == b'$' && i + 1 < b.len() && b[i + 1] == b'<' {
                            gen_depth += 1;
                            i += 2;
                            continue;
                        }
                        if c == b'>' && gen_depth > 0 {
                            gen_depth -= 1;
                            i += 1;
                            continue;
                        }
                        // Legacy quoting inside an unquoted argument
                        // (`NAME="a b"`) keeps the quotes and the spaces.
                        if c == b'"' {
                            i += 1;
                            while i < b.len() && b[i] != b'"' {
                                i += 1;
                            }
                            i += 1;
                            continue;
                        }
                        if gen_depth == 0
                            && (c.is_ascii_whitespace() || c == b'(' || c == b')' || c == b'#')
                        {
                            break;
                        }
                        i += 1;
                    }
                    args.push(Arg {
                        text: text[start..i].to_string(),
                        quoted: false,
                    });
                }
            }
            out.push(Command {
                name,
                args,
                line: cmd_line,
            });
        } else {
            return Err(bad(line, "unexpected character"));
        }
    }
    Ok(out)
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[derive(Debug, Clone)]
struct Scope {
    dir: PathBuf,
    vars: HashMap<String, String>,
    options: Vec<String>,
    includes: Vec<PathBuf>,
}

#[derive(Debug, Clone, Default)]
struct Target {
    /// Sources (absolute) or `$<TARGET_OBJECTS:x>` references.
    sources: Vec<String>,
    dir_options: Vec<String>,
    dir_includes: Vec<PathBuf>,
    options: Vec<String>,
    defines: Vec<String>,
    includes: Vec<PathBuf>,
    interface_includes: Vec<PathBuf>,
    links: Vec<String>,
}

struct Eval {
    root: PathBuf,
    presets: HashMap<String, String>,
    targets: HashMap<String, Target>,
    installed: Vec<(String, String)>,
    headers: BTreeMap<PathBuf, PathBuf>,
    configured: BTreeMap<PathBuf, PathBuf>,
}

impl Eval {
    fn new(root: &Path, wasi: Wasi) -> Eval {
        let mut presets = HashMap::new();
        for (k, v) in [
            ("TARGET_TRIPLE", wasi.triple()),
            ("CMAKE_CURRENT_SOURCE_DIR", ""),
            ("CMAKE_SOURCE_DIR", ""),
            ("CMAKE_CURRENT_BINARY_DIR", "/@build@"),
            // Single-threaded, static, no LTO, dlmalloc, setjmp; clang 22
            // has `-fdefer-ts` (checked by compiling in upstream's build).
            ("LTO", ""),
            ("MALLOC", "dlmalloc"),
            ("SETJMP", "ON"),
            ("BUILD_SHARED", "OFF"),
            ("BUILD_TESTS", "OFF"),
            ("SIMD", "OFF"),
            ("ENABLE_COOP_THREADS", "OFF"),
            ("ENABLE_WERROR", "OFF"),
            ("CHECK_SYMBOLS", "OFF"),
            ("HAVE_FDEFER_TS", "ON"),
        ] {
            presets.insert(k.to_string(), v.to_string());
        }
        let _ = wasi.name();
        Eval {
            root: root.to_path_buf(),
            presets,
            targets: HashMap::new(),
            installed: vec![],
            headers: BTreeMap::new(),
            configured: BTreeMap::new(),
        }
    }

    fn run_file(&mut self, file: &Path, scope: &mut Scope) -> Result<()> {
        let text = fsutil::read_string(file)?;
        let cmds = parse(&text, file)?;
        let cur = scope.dir.to_string_lossy().into_owned();
        scope
            .vars
            .insert("CMAKE_CURRENT_SOURCE_DIR".into(), cur.clone());
        scope.vars.insert(
            "CMAKE_SOURCE_DIR".into(),
            self.root.to_string_lossy().into_owned(),
        );
        self.run_block(&cmds, scope, file)
    }

    fn run_block(&mut self, cmds: &[Command], scope: &mut Scope, file: &Path) -> Result<()> {
        let mut i = 0;
        while i < cmds.len() {
            let c = &cmds[i];
            match c.name.as_str() {
                "if" => {
                    let end = find_end(cmds, i, &["if"], "endif", file)?;
                    // Branches: (condition args or None for else, start, end).
                    let mut branches = Vec::new();
                    let mut depth = 0;
                    let mut start = i + 1;
                    let mut cond = Some(c.args.clone());
                    for (j, cj) in cmds.iter().enumerate().take(end).skip(i + 1) {
                        match cj.name.as_str() {
                            "if" => depth += 1,
                            "endif" => depth -= 1,
                            "elseif" | "else" if depth == 0 => {
                                branches.push((cond.take(), start, j));
                                cond = if cj.name == "elseif" {
                                    Some(cj.args.clone())
                                } else {
                                    None
                                };
                                start = j + 1;
                            }
                            _ => {}
                        }
                    }
                    branches.push((cond, start, end));
                    for (cond, s, e) in branches {
                        let take = match cond {
                            Some(args) => {
                                let args = self.expand_args(&args, scope, false);
                                eval_cond(&args, &scope.vars)
                            }
                            None => true,
                        };
                        if take {
                            self.run_block(&cmds[s..e], scope, file)?;
                            break;
                        }
                    }
                    i = end + 1;
                }
                "foreach" => {
                    let end = find_end(cmds, i, &["foreach"], "endforeach", file)?;
                    let args = self.expand_args(&c.args, scope, true);
                    if let Some((var, items)) = args.split_first() {
                        let items: Vec<String> = match items.first().map(|a| a.text.as_str()) {
                            Some("IN") => items[1..]
                                .iter()
                                .filter(|a| a.text != "LISTS" && a.text != "ITEMS")
                                .map(|a| a.text.clone())
                                .collect(),
                            _ => items.iter().map(|a| a.text.clone()).collect(),
                        };
                        for item in items {
                            scope.vars.insert(var.text.clone(), item);
                            self.run_block(&cmds[i + 1..end], scope, file)?;
                        }
                    }
                    i = end + 1;
                }
                "function" | "macro" => {
                    let close = if c.name == "function" {
                        "endfunction"
                    } else {
                        "endmacro"
                    };
                    i = find_end(cmds, i, &[c.name.as_str()], close, file)? + 1;
                }
                _ => {
                    self.command(c, scope)?;
                    i += 1;
                }
            }
        }
        Ok(())
    }

    /// `${var}` expansion; unquoted arguments split on `;`.
    fn expand_args(&self, args: &[Arg], scope: &Scope, split: bool) -> Vec<Arg> {
        let mut out = Vec::new();
        for a in args {
            let text = expand(&a.text, &scope.vars);
            if !a.quoted && split {
                if text.is_empty() {
                    continue;
                }
                for part in text.split(';') {
                    if !part.is_empty() {
                        out.push(Arg {
                            text: part.to_string(),
                            quoted: false,
                        });
                    }
                }
            } else {
                out.push(Arg {
                    text,
                    quoted: a.quoted,
                });
            }
        }
        out
    }

    fn command(&mut self, c: &Command, scope: &mut Scope) -> Result<()> {
        let args: Vec<String> = self
            .expand_args(&c.args, scope, true)
            .into_iter()
            .map(|a| a.text)
            .collect();
        let dir = scope.dir.clone();
        let path = |s: &str| -> PathBuf {
            let p = Path::new(s);
            let p = if p.is_absolute() {
                p.to_path_buf()
            } else {
                dir.join(p)
            };
            normalize(&p)
        };
        match c.name.as_str() {
            "set" => {
                let Some((name, rest)) = args.split_first() else {
                    return Ok(());
                };
                let cache = rest.iter().position(|a| a == "CACHE");
                let values: Vec<&String> = rest
                    .iter()
                    .take(cache.unwrap_or(rest.len()))
                    .filter(|a| *a != "PARENT_SCOPE")
                    .collect();
                if cache.is_some() && self.presets.contains_key(name) {
                    return Ok(());
                }
                scope.vars.insert(
                    name.clone(),
                    values
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(";"),
                );
            }
            "option" => {
                if let Some(name) = args.first() {
                    if !self.presets.contains_key(name) {
                        let v = args.get(2).cloned().unwrap_or_else(|| "OFF".into());
                        scope.vars.insert(name.clone(), v);
                    }
                }
            }
            "list" if args.len() >= 2 => {
                let var = &args[1];
                let mut items: Vec<String> = scope
                    .vars
                    .get(var)
                    .map(|v| {
                        v.split(';')
                            .filter(|s| !s.is_empty())
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default();
                match args[0].as_str() {
                    "APPEND" => items.extend(args[2..].iter().cloned()),
                    "REMOVE_ITEM" => items.retain(|x| !args[2..].contains(x)),
                    _ => {}
                }
                scope.vars.insert(var.clone(), items.join(";"));
            }
            "string" if args.first().map(String::as_str) == Some("REPLACE") && args.len() >= 4 => {
                let input = args[4..].join("");
                scope
                    .vars
                    .insert(args[3].clone(), input.replace(&args[1], &args[2]));
            }
            "file" => {
                let mode = args.first().map(String::as_str).unwrap_or("");
                if (mode == "GLOB" || mode == "GLOB_RECURSE") && args.len() >= 2 {
                    let var = args[1].clone();
                    let mut rel: Option<PathBuf> = None;
                    let mut pats = Vec::new();
                    let mut k = 2;
                    while k < args.len() {
                        match args[k].as_str() {
                            "RELATIVE" => {
                                rel = args.get(k + 1).map(|s| path(s));
                                k += 2;
                                continue;
                            }
                            "CONFIGURE_DEPENDS" | "LIST_DIRECTORIES" | "FOLLOW_SYMLINKS" => {}
                            p => pats.push(p.to_string()),
                        }
                        k += 1;
                    }
                    let mut found = Vec::new();
                    for p in pats {
                        found.extend(glob(&path(&p), mode == "GLOB_RECURSE")?);
                    }
                    found.sort();
                    found.dedup();
                    let items: Vec<String> = found
                        .iter()
                        .map(|f| match &rel {
                            Some(r) => f
                                .strip_prefix(r)
                                .unwrap_or(f)
                                .to_string_lossy()
                                .into_owned(),
                            None => f.to_string_lossy().into_owned(),
                        })
                        .collect();
                    scope.vars.insert(var, items.join(";"));
                }
            }
            "check_c_compiler_flag" | "check_source_compiles" => {
                // `-fdefer-ts` is preset; the p3 thread-context probe stays
                // unset (single-threaded p2 build).
            }
            "add_subdirectory" => {
                if let Some(sub) = args.first() {
                    let d = path(sub);
                    let mut child = Scope {
                        dir: d.clone(),
                        ..scope.clone()
                    };
                    self.run_file(&d.join("CMakeLists.txt"), &mut child)?;
                }
            }
            "add_compile_options" => scope.options.extend(args.iter().cloned()),
            "include_directories" if args.first().map(String::as_str) != Some("SYSTEM") => {
                scope.includes.extend(args.iter().map(|a| path(a)));
            }
            "add_library" => {
                if let Some((name, rest)) = args.split_first() {
                    let kinds = [
                        "STATIC",
                        "SHARED",
                        "OBJECT",
                        "INTERFACE",
                        "EXCLUDE_FROM_ALL",
                    ];
                    if rest.iter().any(|a| a == "SHARED") {
                        return Ok(());
                    }
                    let srcs = rest
                        .iter()
                        .filter(|a| !kinds.contains(&a.as_str()))
                        .map(|a| {
                            if a.starts_with("$<") {
                                a.clone()
                            } else {
                                path(a).to_string_lossy().into_owned()
                            }
                        })
                        .collect();
                    self.add_target(name, srcs, scope, false);
                }
            }
            "add_object_library" | "add_internal_object_library" | "add_internal_library_pair" => {
                if let Some((name, rest)) = args.split_first() {
                    let srcs: Vec<String> = rest
                        .iter()
                        .map(|a| path(a).to_string_lossy().into_owned())
                        .collect();
                    let internal = c.name != "add_object_library";
                    let static_name = format!("{name}-static");
                    self.add_target(&static_name, srcs, scope, internal);
                }
            }
            "target_include_directories"
            | "target_compile_definitions"
            | "target_compile_options"
            | "target_link_libraries" => {
                if let Some((name, rest)) = args.split_first() {
                    let mut interface = false;
                    let mut vals = Vec::new();
                    for a in rest {
                        match a.as_str() {
                            "PRIVATE" | "PUBLIC" => interface = false,
                            "INTERFACE" => interface = true,
                            "SYSTEM" | "BEFORE" | "AFTER" => {}
                            v => vals.push((interface, v.to_string())),
                        }
                    }
                    let t = self.targets.entry(name.clone()).or_default();
                    for (iface, v) in vals {
                        match c.name.as_str() {
                            "target_include_directories" if iface => {
                                t.interface_includes.push(path(&v))
                            }
                            "target_include_directories" => t.includes.push(path(&v)),
                            "target_compile_definitions" => {
                                t.defines
                                    .push(format!("-D{}", v.strip_prefix("-D").unwrap_or(&v)));
                            }
                            "target_compile_options" => t.options.push(v),
                            _ => t.links.push(v),
                        }
                    }
                }
            }
            "sysroot_lib" if args.len() == 2 => {
                self.installed.push((args[0].clone(), args[1].clone()));
            }
            "add_sysroot_header" if args.len() == 2 => {
                self.headers.insert(PathBuf::from(&args[1]), path(&args[0]));
            }
            "configure_file" => {
                let inc = scope.vars.get("SYSROOT_INC").cloned().unwrap_or_default();
                if args.len() >= 2 && !inc.is_empty() {
                    if let Some(rel) = args[1].strip_prefix(&format!("{inc}/")) {
                        self.configured.insert(PathBuf::from(rel), path(&args[0]));
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn add_target(&mut self, name: &str, sources: Vec<String>, scope: &Scope, internal: bool) {
        let t = self.targets.entry(name.to_string()).or_default();
        t.sources = sources;
        t.dir_options = scope.options.clone();
        t.dir_includes = scope.includes.clone();
        if internal {
            t.links.push("musl-top-half-interface".into());
        }
    }

    fn flags_of(&self, name: &str) -> Vec<String> {
        let Some(t) = self.targets.get(name) else {
            return vec![];
        };
        let mut f: Vec<String> = t
            .dir_options
            .iter()
            .filter(|o| keep_option(o))
            .cloned()
            .collect();
        let mut incs: Vec<PathBuf> = t.dir_includes.clone();
        incs.extend(t.includes.iter().cloned());
        for l in &t.links {
            if let Some(lt) = self.targets.get(l) {
                incs.extend(lt.interface_includes.iter().cloned());
            }
        }
        let mut seen = HashSet::new();
        for d in incs {
            if seen.insert(d.clone()) {
                f.push(format!("-I{}", d.display()));
            }
        }
        f.extend(t.defines.iter().cloned());
        f.extend(t.options.iter().filter(|o| keep_option(o)).cloned());
        f
    }

    /// The C sources of `name` (following `$<TARGET_OBJECTS:x>`), each with
    /// the flags of the object library it belongs to.
    fn sources_of(&self, name: &str, out: &mut Vec<CmSource>, skipped: &mut Vec<PathBuf>) {
        let Some(t) = self.targets.get(name) else {
            return;
        };
        let flags = self.flags_of(name);
        for s in &t.sources {
            if let Some(inner) = s
                .strip_prefix("$<TARGET_OBJECTS:")
                .and_then(|r| r.strip_suffix('>'))
            {
                self.sources_of(inner, out, skipped);
            } else if s.ends_with(".c") {
                out.push(CmSource {
                    path: PathBuf::from(s),
                    flags: flags.clone(),
                });
            } else {
                skipped.push(PathBuf::from(s));
            }
        }
    }

    fn finish(self, scope: Scope) -> Result<Selection> {
        let mut sel = Selection {
            headers: self.headers.clone(),
            configured: self.configured.clone(),
            vars: scope.vars,
            ..Selection::default()
        };
        for (target, file) in &self.installed {
            if !file.ends_with(".a") {
                continue;
            }
            let mut srcs = Vec::new();
            self.sources_of(target, &mut srcs, &mut sel.skipped);
            sel.archives.insert(file.clone(), srcs);
        }
        if sel.archives.get("libc.a").is_none_or(|s| s.is_empty()) {
            return Err(Error::Invalid(format!(
                "{}: unknown wasi-libc layout: its CMake files yield no libc.a sources",
                self.root.display()
            )));
        }
        Ok(sel)
    }
}

/// Options of upstream's build that wasit2 sets itself (target, threads
/// model, LTO) or that are CMake generator expressions.
fn keep_option(o: &str) -> bool {
    !(o.starts_with("$<")
        || o.starts_with("--target")
        || o.starts_with("-flto")
        || o == "-mthread-model"
        || o == "single"
        || o == "posix"
        || o == "-Werror"
        // clang-22's default CPU has bulk memory; the -mvp variants must not.
        || o == "-mbulk-memory")
}

fn find_end(
    cmds: &[Command],
    start: usize,
    open: &[&str],
    close: &str,
    file: &Path,
) -> Result<usize> {
    let mut depth = 0;
    for (j, c) in cmds.iter().enumerate().skip(start) {
        if open.contains(&c.name.as_str()) {
            depth += 1;
        } else if c.name == close {
            depth -= 1;
            if depth == 0 {
                return Ok(j);
            }
        }
    }
    Err(Error::Invalid(format!(
        "{}:{}: `{}` without `{close}`",
        file.display(),
        cmds[start].line,
        cmds[start].name
    )))
}

fn expand(s: &str, vars: &HashMap<String, String>) -> String {
    let mut out = s.to_string();
    // Innermost first, so `${${x}}` would work too.
    while let Some(start) = out.rfind("${") {
        let Some(len) = out[start..].find('}') else {
            break;
        };
        let name = &out[start + 2..start + len];
        let val = vars.get(name).cloned().unwrap_or_default();
        out.replace_range(start..start + len + 1, &val);
    }
    out
}

fn is_false_constant(v: &str) -> bool {
    let u = v.to_ascii_uppercase();
    matches!(
        u.as_str(),
        "" | "0" | "OFF" | "NO" | "FALSE" | "N" | "IGNORE" | "NOTFOUND"
    ) || u.ends_with("-NOTFOUND")
}

fn is_true_constant(v: &str) -> bool {
    matches!(
        v.to_ascii_uppercase().as_str(),
        "1" | "ON" | "YES" | "TRUE" | "Y"
    ) || v.parse::<f64>().is_ok_and(|n| n != 0.0)
}

/// The value of an `if` operand: an unquoted name of a defined variable
/// stands for its value.
fn operand(a: &Arg, vars: &HashMap<String, String>) -> String {
    if !a.quoted {
        if let Some(v) = vars.get(&a.text) {
            return v.clone();
        }
    }
    a.text.clone()
}

fn eval_cond(args: &[Arg], vars: &HashMap<String, String>) -> bool {
    let mut pos = 0;
    cond_or(args, &mut pos, vars)
}

fn cond_or(a: &[Arg], pos: &mut usize, v: &HashMap<String, String>) -> bool {
    let mut r = cond_and(a, pos, v);
    while *pos < a.len() && !a[*pos].quoted && a[*pos].text == "OR" {
        *pos += 1;
        let rhs = cond_and(a, pos, v);
        r = r || rhs;
    }
    r
}

fn cond_and(a: &[Arg], pos: &mut usize, v: &HashMap<String, String>) -> bool {
    let mut r = cond_not(a, pos, v);
    while *pos < a.len() && !a[*pos].quoted && a[*pos].text == "AND" {
        *pos += 1;
        let rhs = cond_not(a, pos, v);
        r = r && rhs;
    }
    r
}

fn cond_not(a: &[Arg], pos: &mut usize, v: &HashMap<String, String>) -> bool {
    if *pos < a.len() && !a[*pos].quoted && a[*pos].text == "NOT" {
        *pos += 1;
        return !cond_not(a, pos, v);
    }
    cond_atom(a, pos, v)
}

fn cond_atom(a: &[Arg], pos: &mut usize, v: &HashMap<String, String>) -> bool {
    let Some(first) = a.get(*pos) else {
        return false;
    };
    if !first.quoted && first.text == "(" {
        *pos += 1;
        let r = cond_or(a, pos, v);
        if a.get(*pos).is_some_and(|x| x.text == ")") {
            *pos += 1;
        }
        return r;
    }
    if !first.quoted && first.text == "DEFINED" {
        *pos += 2;
        return a.get(*pos - 1).is_some_and(|x| v.contains_key(&x.text));
    }
    *pos += 1;
    if let Some(op) = a.get(*pos).filter(|x| !x.quoted) {
        let rhs = a.get(*pos + 1);
        let lhs = operand(first, v);
        let result = match (op.text.as_str(), rhs) {
            ("STREQUAL", Some(r)) => Some(lhs == operand(r, v)),
            ("MATCHES", Some(r)) => Some(simple_match(&lhs, &r.text)),
            ("EQUAL", Some(r)) => Some(lhs.trim() == operand(r, v).trim()),
            _ => None,
        };
        if let Some(r) = result {
            *pos += 2;
            return r;
        }
    }
    if first.quoted {
        return is_true_constant(&first.text);
    }
    if is_true_constant(&first.text) {
        return true;
    }
    match v.get(&first.text) {
        Some(val) => !is_false_constant(val),
        None => false,
    }
}

/// The regular expressions the tree's `MATCHES` use: literal text with
/// optional `^`/`$` anchors and `\\.` escapes. Anything richer is treated as
/// no match.
fn simple_match(s: &str, re: &str) -> bool {
    let (anchored_start, re) = match re.strip_prefix('^') {
        Some(r) => (true, r),
        None => (false, re),
    };
    let (anchored_end, re) = match re.strip_suffix('$') {
        Some(r) if !r.ends_with('\\') => (true, r),
        _ => (false, re),
    };
    let lit = re.replace("\\.", ".");
    if lit.contains(['(', '[', '*', '+', '?', '|', '\\']) {
        return false;
    }
    match (anchored_start, anchored_end) {
        (true, true) => s == lit,
        (true, false) => s.starts_with(&lit),
        (false, true) => s.ends_with(&lit),
        (false, false) => s.contains(&lit),
    }
}

/// `dir/*.ext` (or `dir/name`) below a directory; recursive for
/// `GLOB_RECURSE`.
fn glob(pattern: &Path, recurse: bool) -> Result<Vec<PathBuf>> {
    let dir = pattern.parent().unwrap_or(Path::new("/")).to_path_buf();
    let leaf = pattern
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !dir.is_dir() {
        return Ok(vec![]);
    }
    let matches = |name: &str| -> bool {
        match leaf.split_once('*') {
            Some((pre, suf)) => {
                name.len() >= pre.len() + suf.len() && name.starts_with(pre) && name.ends_with(suf)
            }
            None => name == leaf,
        }
    };
    let files = if recurse {
        fsutil::walk_files(&dir)?
    } else {
        let mut v = Vec::new();
        for e in std::fs::read_dir(&dir).map_err(Error::io(&dir))? {
            let e = e.map_err(Error::io(&dir))?;
            if e.path().is_file() {
                v.push(PathBuf::from(e.file_name()));
            }
        }
        v
    };
    Ok(files
        .into_iter()
        .filter(|rel| {
            rel.file_name()
                .is_some_and(|n| matches(&n.to_string_lossy()))
        })
        .map(|rel| dir.join(rel))
        .collect())
}

/// Removes `.` and `..` components without touching the file system.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Expands a `configure_file` template's `#cmakedefine` lines and `@VAR@`
/// references from the evaluated variables. A macro the compiler or the
/// command line may already define is only defined when it is not.
pub fn configure(template: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::new();
    for line in template.lines() {
        if let Some(rest) = line.trim_start().strip_prefix("#cmakedefine ") {
            let mut parts = rest.splitn(2, ' ');
            let name = parts.next().unwrap_or("").trim();
            let value = parts.next().map(|v| substitute_at(v, vars));
            let on = vars.get(name).is_some_and(|v| !is_false_constant(v));
            if on {
                match value {
                    Some(v) => out.push_str(&format!("#define {name} {v}\n")),
                    // The WASI version macros are one family: the
                    // `--host wasip1` libc's objects are compiled with
                    // `-D__wasip1__` against the same headers.
                    None if name.starts_with("__wasip") => out.push_str(&format!(
                        "#if !defined(__wasip1__) && !defined(__wasip2__) && !defined(__wasip3__)\n#define {name} 1\n#endif\n"
                    )),
                    None => out.push_str(&format!("#ifndef {name}\n#define {name} 1\n#endif\n")),
                }
            } else {
                out.push_str(&format!("/* #undef {name} */\n"));
            }
        } else {
            out.push_str(&substitute_at(line, vars));
            out.push('\n');
        }
    }
    out
}

fn substitute_at(s: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(a) = rest.find('@') {
        let after = &rest[a + 1..];
        match after.find('@') {
            Some(b)
                if after[..b]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && b > 0 =>
            {
                out.push_str(&rest[..a]);
                out.push_str(vars.get(&after[..b]).map(String::as_str).unwrap_or(""));
                rest = &after[b + 1..];
            }
            _ => {
                out.push_str(&rest[..=a]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The public headers a CMake-era tree installs for `sel` (its
/// `add_sysroot_header` and `configure_file` outputs plus the generated
/// `bits/alltypes.h`), with the wasm64 overlay on top for wasm64.
pub fn assemble_headers(
    root: &Path,
    sel: &Selection,
    arch: wasit2_abi::Arch,
    overlay_root: &Path,
    extra_dirs: &[PathBuf],
) -> Result<crate::headers::HeaderSet> {
    use wasit2_abi::Arch;
    let mut set = crate::headers::HeaderSet::new();
    for (dst, src) in &sel.headers {
        set.insert(dst.clone(), fsutil::read(src)?);
    }
    for (dst, src) in &sel.configured {
        let text = configure(&fsutil::read_string(src)?, &sel.vars);
        set.insert(dst.clone(), text.into_bytes());
    }
    // The layer defines tmpfile and tmpnam (sysroot/layer/wasip2-tree):
    // drop the deprecation that says they are not. Each edit must find its
    // text, so a changed tree fails loudly.
    for name in ["tmpnam(char *)", "tmpfile(void)"] {
        let stdio = PathBuf::from("stdio.h");
        let what = name.split('(').next().unwrap_or(name);
        let from =
            format!("{name} __attribute__((__deprecated__(\"{what} is not defined on WASI\")));");
        let text =
            String::from_utf8_lossy(set.get(&stdio).map(Vec::as_slice).unwrap_or(&[])).into_owned();
        if !text.contains(&from) {
            return Err(Error::Invalid(format!(
                "header stdio.h: text to patch not found: {from}"
            )));
        }
        let to = format!("{name}; /* wasit2: defined (docs/sysroot.md) */");
        set.insert(stdio, text.replacen(&from, &to, 1).into_bytes());
    }
    let musl = root.join("libc-top-half/musl");
    let w64 = crate::headers::wasm64_overlay_dir(overlay_root);
    let arch_template = if arch == Arch::Wasm64 && w64.join("bits/alltypes.h.in").is_file() {
        w64.join("bits/alltypes.h.in")
    } else {
        musl.join("arch/wasm32/bits/alltypes.h.in")
    };
    let a = fsutil::read_string(&arch_template)?;
    let c = fsutil::read_string(&musl.join("include/alltypes.h.in"))?;
    set.insert(
        PathBuf::from("bits/alltypes.h"),
        crate::headers::expand_alltypes(&[&a, &c]).into_bytes(),
    );
    if arch == Arch::Wasm64 {
        let bits = w64.join("bits");
        if !bits.is_dir() {
            return Err(Error::Invalid(format!(
                "wasm64 arch overlay missing: {}",
                w64.display()
            )));
        }
        for rel in fsutil::walk_files(&bits)? {
            set.insert(
                Path::new("bits").join(&rel),
                fsutil::read(&bits.join(&rel))?,
            );
        }
        let api = PathBuf::from("wasi/api.h");
        if let Some(text) = set.get(&api) {
            let patched = crate::headers::patch_api_h_for_wasm64(&String::from_utf8_lossy(text));
            set.insert(api, patched.into_bytes());
        }
    }
    for d in extra_dirs {
        for rel in fsutil::walk_files(d)? {
            set.insert(rel.clone(), fsutil::read(&d.join(&rel))?);
        }
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<Arg> {
        parse(&format!("if({s})"), Path::new("t")).unwrap()[0]
            .args
            .clone()
    }

    #[test]
    fn conditions_follow_cmake() {
        let mut v = HashMap::new();
        v.insert("WASI".to_string(), "p2".to_string());
        v.insert("T".to_string(), "wasm32-wasip2".to_string());
        assert!(eval_cond(&args("WASI STREQUAL \"p2\""), &v));
        assert!(eval_cond(&args("NOT (WASI STREQUAL \"p1\")"), &v));
        assert!(!eval_cond(&args("T MATCHES \"-threads$\""), &v));
        assert!(eval_cond(&args("T MATCHES \"-wasip2$\""), &v));
        assert!(!eval_cond(&args("UNSET_VAR"), &v));
        assert!(eval_cond(&args("UNSET_VAR OR WASI"), &v));
    }

    #[test]
    fn lists_globs_and_foreach() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("s")).unwrap();
        for f in ["a.c", "b.c", "c.h"] {
            std::fs::write(dir.path().join("s").join(f), "").unwrap();
        }
        std::fs::write(
            dir.path().join("CMakeLists.txt"),
            "set(L s/a.c)\nif (NOT (WASI STREQUAL \"p1\"))\n  list(APPEND L s/b.c)\nelse()\n  list(APPEND L s/zzz.c)\nendif()\nfile(GLOB G RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} CONFIGURE_DEPENDS s/*.c)\nlist(REMOVE_ITEM G s/a.c)\nadd_library(x OBJECT ${L} ${G})\nforeach(o x)\n  target_compile_definitions(${o} PRIVATE FOO=1)\nendforeach()\nadd_library(c-static STATIC $<TARGET_OBJECTS:x>)\nsysroot_lib(c-static libc.a)\n",
        )
        .unwrap();
        let mut ev = Eval::new(dir.path(), Wasi::P2);
        ev.presets.insert("WASI".into(), "p2".into());
        let mut scope = Scope {
            dir: dir.path().to_path_buf(),
            vars: ev.presets.clone(),
            options: vec![],
            includes: vec![],
        };
        ev.run_file(&dir.path().join("CMakeLists.txt"), &mut scope)
            .unwrap();
        let sel = ev.finish(scope).unwrap();
        let names: Vec<String> = sel.archives["libc.a"]
            .iter()
            .map(|s| s.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.c", "b.c", "b.c"]);
        assert!(sel.archives["libc.a"][0]
            .flags
            .contains(&"-DFOO=1".to_string()));
    }

    #[test]
    fn cmakedefine() {
        let mut v = HashMap::new();
        v.insert("__wasip2__".to_string(), "ON".to_string());
        let out = configure(
            "#cmakedefine __wasip1__\n#cmakedefine __wasip2__\n#cmakedefine V \"@V@\"\n",
            &v,
        );
        assert_eq!(
            out,
            "/* #undef __wasip1__ */\n#if !defined(__wasip1__) && !defined(__wasip2__) && !defined(__wasip3__)\n#define __wasip2__ 1\n#endif\n/* #undef V */\n"
        );
    }
}

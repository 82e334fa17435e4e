//! Reads the test list of wasi-libc's suite (`test/CMakeLists.txt`): which
//! sources are tests and how each is built and run. Only the few CMake
//! constructs that file uses are understood: commands, `if`/`else`/`endif`
//! blocks (conditions are looked up in a fixed table of the configuration
//! wasit2 matches: single-threaded, no shared libraries, WASI 0.2) and
//! `function` definitions (skipped: only their calls matter).
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {msg}")]
    Syntax {
        path: PathBuf,
        line: usize,
        msg: String,
    },
}

/// Where a test's main source lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `add_libc_test(path)`: `<libc-test>/src/<path>`.
    LibcTest,
    /// `add_wasilibc_test(path)`: `<wasi-libc>/test/src/<path>`.
    WasiLibc,
    /// `add_posix_test(path)`: `<wasi-libc>/test/open-posix-test-suite/<path>`.
    Posix,
    /// Any other kind of test (compositions, sockets pairs, shared libs).
    Other,
}

/// One test of the suite and its properties.
#[derive(Debug, Clone, Default)]
pub struct Case {
    /// CTest's name without `.wasm` (`libc_test_functional_argv`, `access`).
    pub name: String,
    pub origin: Option<Origin>,
    /// Path relative to the origin's directory.
    pub source: String,
    pub cflags: Vec<String>,
    pub ldflags: Vec<String>,
    pub argv: Vec<String>,
    pub env: Vec<String>,
    /// `FS`: a fresh scratch directory preopened as `/`.
    pub fs: bool,
    pub network: bool,
    pub setjmp: bool,
    /// `PASS_REGULAR_EXPRESSION`: the output must match, the exit code is
    /// not looked at (as CTest does).
    pub pass_regex: Option<String>,
    /// Why the runner does not run it (`None`: it runs).
    pub skip: Option<String>,
    /// `sockets_test(...)`: a server and client programs run together.
    pub socket_pair: Option<SocketPair>,
}

/// A `sockets_test(name client server ...)`: the server prints its port as
/// its first stdout line; `nclients` copies of the client then run at once
/// with that line as their argument; all must exit 0 within the time limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketPair {
    /// Sources in `<wasi-libc>/test/src` (`sockets-client.c`, `hello.c`).
    pub client: String,
    pub server: String,
    pub nclients: usize,
    /// `TIMEOUT_S`, if given (upstream's default is 5 seconds).
    pub timeout_s: Option<u64>,
}

fn socket_pair(args: &[String]) -> Option<SocketPair> {
    let source = |wasm: &String| wasm.strip_suffix(".wasm").map(|s| format!("{s}.c"));
    let mut pair = SocketPair {
        client: source(args.get(1)?)?,
        server: source(args.get(2)?)?,
        nclients: 1,
        timeout_s: None,
    };
    for kv in args[3..].windows(2) {
        match kv[0].as_str() {
            "NCLIENTS" => pair.nclients = kv[1].parse().ok()?,
            "TIMEOUT_S" => pair.timeout_s = Some(kv[1].parse().ok()?),
            _ => {}
        }
    }
    Some(pair)
}

/// One parsed command: its name, arguments and line.
struct Command {
    name: String,
    args: Vec<String>,
    line: usize,
}

/// Splits CMake source into commands (comments removed, quotes kept out).
fn commands(text: &str, path: &Path) -> Result<Vec<Command>, Error> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    let err = |line, msg: &str| Error::Syntax {
        path: path.to_path_buf(),
        line,
        msg: msg.into(),
    };
    while i < b.len() {
        match b[i] {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            c if c.is_ascii_whitespace() => i += 1,
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                let name = text[start..i].to_ascii_lowercase();
                while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                    i += 1;
                }
                if i >= b.len() || b[i] != b'(' {
                    return Err(err(line, &format!("`{name}` without `(`")));
                }
                let cmd_line = line;
                i += 1;
                let (mut depth, mut args, mut cur) = (1, Vec::new(), String::new());
                let mut quoted = false;
                while depth > 0 {
                    let Some(&c) = b.get(i) else {
                        return Err(err(cmd_line, "unclosed `(`"));
                    };
                    i += 1;
                    match c {
                        b'"' if !quoted => quoted = true,
                        b'"' => {
                            quoted = false;
                            args.push(std::mem::take(&mut cur));
                        }
                        b'\\' if quoted => {
                            if let Some(&n) = b.get(i) {
                                cur.push(n as char);
                                i += 1;
                            }
                        }
                        _ if quoted => {
                            if c == b'\n' {
                                line += 1;
                            }
                            cur.push(c as char)
                        }
                        b'#' => {
                            while i < b.len() && b[i] != b'\n' {
                                i += 1;
                            }
                        }
                        b'(' | b')' => {
                            depth += if c == b'(' { 1 } else { -1 };
                            if !cur.is_empty() {
                                args.push(std::mem::take(&mut cur));
                            }
                            if depth > 0 {
                                args.push((c as char).to_string());
                            }
                        }
                        c if c.is_ascii_whitespace() => {
                            if c == b'\n' {
                                line += 1;
                            }
                            if !cur.is_empty() {
                                args.push(std::mem::take(&mut cur));
                            }
                        }
                        _ => cur.push(c as char),
                    }
                }
                out.push(Command {
                    name,
                    args,
                    line: cmd_line,
                });
            }
            _ => return Err(err(line, "unexpected character")),
        }
    }
    Ok(out)
}

/// The value of an `if` condition in the configuration the runner models,
/// as `Ok(true)`, or `Err(reason)` when the block is not taken: its tests
/// are listed as skipped with that reason.
fn condition(args: &[String]) -> Result<(), String> {
    let c = args.join(" ");
    let taken = [
        "NOT TARGET_TRIPLE MATCHES -threads",
        "NOT TEST_WITH_V8",
        "NOT ( WASI STREQUAL p1 )",
    ];
    if taken.contains(&c.as_str()) || c.starts_with("CMAKE_C_COMPILER_VERSION VERSION_GREATER 20.0")
    {
        return Ok(());
    }
    let why = if c.contains("threads") || c.contains("THREADS") || c.contains("MULTITHREADING") {
        "needs threads"
    } else if c.contains("p3") || c.contains("THREAD_CONTEXT") {
        "needs wasip3"
    } else if c.contains("BUILD_SHARED") {
        "needs shared libraries"
    } else if c == "TEST_WITH_V8" {
        "only under V8"
    } else if c.contains("PYTHON_TESTS") {
        "Python build (off by default)"
    } else {
        return Err(format!("condition `{c}` is off in this configuration"));
    };
    Err(why.into())
}

const FLAGS: &[&str] = &["FS", "NETWORK", "SETJMP", "NOSHARED", "SHARED"];
const KEYS: &[&str] = &[
    "CFLAGS",
    "LDFLAGS",
    "ARGV",
    "ENV",
    "SHARED_LIBS",
    "INCLUDE",
    "DEPENDENCIES",
    "PASS_REGULAR_EXPRESSION",
    "ENGINE_ARG",
    "FILE",
    "CLIENT",
    "WHOLE_ARCHIVE",
    "LIBS",
];

/// The name CTest gives a source path (`functional/argv.c` ->
/// `functional_argv`).
fn stem(source: &str) -> String {
    source.trim_end_matches(".c").replace('/', "_")
}

fn case_from(origin: Origin, args: &[String]) -> Case {
    let source = args.first().cloned().unwrap_or_default();
    let name = match origin {
        Origin::LibcTest => format!("libc_test_{}", stem(&source)),
        Origin::Posix => format!("open_posix_test_{}", stem(&source)),
        _ => stem(&source),
    };
    let mut case = Case {
        name,
        origin: Some(origin),
        source,
        ..Case::default()
    };
    let mut key = "";
    for a in &args[1.min(args.len())..] {
        if FLAGS.contains(&a.as_str()) {
            match a.as_str() {
                "FS" => case.fs = true,
                "NETWORK" => case.network = true,
                "SETJMP" => case.setjmp = true,
                _ => {}
            }
            key = "";
        } else if KEYS.contains(&a.as_str()) {
            key = a;
        } else if a.starts_with("${") {
            // A variable (`${noshared}`, `${SYSROOT_LIB}/…`): only shared
            // builds use them.
        } else {
            match key {
                "CFLAGS" => case.cflags.push(a.clone()),
                "LDFLAGS" => case.ldflags.push(a.clone()),
                "ARGV" => case.argv.push(a.clone()),
                "ENV" => case.env.push(a.clone()),
                "PASS_REGULAR_EXPRESSION" => case.pass_regex = Some(a.clone()),
                _ => {}
            }
        }
    }
    if case.network {
        case.skip = Some("needs the network".into());
    }
    case
}

/// Every test `CMakeLists.txt` (at `path`) defines, in file order, with the
/// ones the runner does not run marked by [`Case::skip`].
pub fn load(path: &Path) -> Result<Vec<Case>, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

/// [`load`] on text already read (`path` names it in errors).
pub fn parse(text: &str, path: &Path) -> Result<Vec<Case>, Error> {
    let mut out = Vec::new();
    // Each open `if`: why its current branch is off (None: on), and whether
    // an earlier branch was on.
    let mut ifs: Vec<(Option<String>, bool)> = Vec::new();
    let mut in_function = 0usize;
    for cmd in commands(text, path)? {
        match cmd.name.as_str() {
            "function" | "macro" => {
                in_function += 1;
                continue;
            }
            "endfunction" | "endmacro" => {
                in_function = in_function.saturating_sub(1);
                continue;
            }
            _ if in_function > 0 => continue,
            "if" => {
                let off = condition(&cmd.args).err();
                let on = off.is_none();
                ifs.push((off, on));
                continue;
            }
            "elseif" | "else" => {
                let Some(top) = ifs.last_mut() else {
                    return Err(Error::Syntax {
                        path: path.to_path_buf(),
                        line: cmd.line,
                        msg: format!("`{}` outside `if`", cmd.name),
                    });
                };
                top.0 = if top.1 {
                    Some("an earlier branch was taken".into())
                } else if cmd.name == "else" {
                    None
                } else {
                    condition(&cmd.args).err()
                };
                top.1 |= top.0.is_none();
                continue;
            }
            "endif" => {
                ifs.pop();
                continue;
            }
            _ => {}
        }
        let off = ifs.iter().find_map(|(off, _)| off.clone());
        let mut case = match cmd.name.as_str() {
            "add_libc_test" => case_from(Origin::LibcTest, &cmd.args),
            "add_wasilibc_test" => case_from(Origin::WasiLibc, &cmd.args),
            "add_posix_test" => case_from(Origin::Posix, &cmd.args),
            "add_external_entrypoint_test" => {
                let mut c = case_from(Origin::Other, &cmd.args);
                c.skip = Some("custom entry point (`--invoke`) with thread-local state".into());
                c
            }
            "add_shared_library_test" => {
                let mut c = case_from(Origin::Other, &cmd.args);
                c.name = format!("shared_{}", c.name);
                c.skip = Some("needs shared libraries".into());
                c
            }
            "add_composition_test" => {
                let mut c = case_from(Origin::Other, &cmd.args);
                c.name = format!("compose_{}_composed", c.name);
                c.skip = Some("component composition (wit-bindgen, wasm-tools compose)".into());
                c
            }
            "sockets_test" => {
                let mut c = case_from(Origin::Other, &cmd.args);
                c.skip = Some("needs the network".into());
                c.socket_pair = socket_pair(&cmd.args);
                if c.socket_pair.is_none() {
                    return Err(Error::Syntax {
                        path: path.to_path_buf(),
                        line: cmd.line,
                        msg: "`sockets_test` needs a name, a client and a server `.wasm`".into(),
                    });
                }
                c
            }
            _ => continue,
        };
        if let Some(off) = off {
            case.skip = Some(off);
        }
        out.push(case);
    }
    Ok(out)
}

/// A recorded result list of a whole suite run (`expected/upstream-wasip2-results.txt`):
/// `name: pass` or `name: fail` a line (CTest's name without `.wasm`), `#`
/// comment lines. Returns name -> passed.
pub fn parse_results(text: &str) -> Result<std::collections::BTreeMap<String, bool>, String> {
    let mut out = std::collections::BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, verdict) = line
            .split_once(':')
            .ok_or_else(|| format!("line {}: expected `name: pass|fail`", i + 1))?;
        let passed = match verdict.trim() {
            "pass" => true,
            "fail" => false,
            v => return Err(format!("line {}: unknown result `{v}`", i + 1)),
        };
        out.insert(name.trim().to_string(), passed);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_properties_blocks_and_functions() {
        let text = r#"
function(add_libc_test f)
  if (X)
    add_libc_test(never.c)
  endif()
endfunction()
add_libc_test(functional/argv.c CFLAGS -Wno-sign-compare)
add_wasilibc_test(hello.c PASS_REGULAR_EXPRESSION "Hello, World!")
add_wasilibc_test(opendir.c FS ARGV /) # comment (with parens)
if (TARGET_TRIPLE MATCHES "-threads")
  add_libc_test(functional/pthread_mutex.c)
else()
  add_wasilibc_test(external_env.c ENV VAR1=foo VAR2=bar)
endif()
if (NOT TARGET_TRIPLE MATCHES "-threads")
  add_wasilibc_test(access.c FS)
endif()
"#;
        let cases = parse(text, Path::new("t")).unwrap();
        let names: Vec<_> = cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "libc_test_functional_argv",
                "hello",
                "opendir",
                "libc_test_functional_pthread_mutex",
                "external_env",
                "access"
            ]
        );
        assert_eq!(cases[0].cflags, ["-Wno-sign-compare"]);
        assert_eq!(cases[1].pass_regex.as_deref(), Some("Hello, World!"));
        assert!(cases[2].fs && cases[2].argv == ["/"]);
        assert_eq!(cases[3].skip.as_deref(), Some("needs threads"));
        assert_eq!(cases[4].env, ["VAR1=foo", "VAR2=bar"]);
        assert!(cases[4].skip.is_none() && cases[5].skip.is_none());
    }

    #[test]
    fn reads_socket_pairs() {
        let text = "sockets_test(sockets-multiple sockets-multiple-client.wasm\n  \
                    sockets-multiple-server.wasm NCLIENTS 10)\n\
                    sockets_test(s c.wasm hello.wasm TIMEOUT_S 15)\n";
        let cases = parse(text, Path::new("t")).unwrap();
        assert_eq!(cases[0].name, "sockets-multiple");
        assert_eq!(
            cases[0].socket_pair,
            Some(SocketPair {
                client: "sockets-multiple-client.c".into(),
                server: "sockets-multiple-server.c".into(),
                nclients: 10,
                timeout_s: None,
            })
        );
        let second = cases[1].socket_pair.as_ref().unwrap();
        assert_eq!((second.server.as_str(), second.nclients), ("hello.c", 1));
        assert_eq!(second.timeout_s, Some(15));
        assert!(parse("sockets_test(s c.wasm)", Path::new("t")).is_err());
    }

    #[test]
    fn unclosed_paren_is_an_error() {
        let e = parse("add_libc_test(a.c\n", Path::new("t")).unwrap_err();
        assert_eq!(e.to_string(), "t:1: unclosed `(`");
    }
}

//! Command-line parsing: one table of every flag we know (wasm-ld's,
//! wasm-component-ld's and our own), used both to pick out our options and to
//! forward everything else to wasm-ld unchanged and in order (wasm-ld flags
//! such as `--whole-archive` are positional, so order matters).

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use wasit2_abi::Arch;

/// The runtime a module is linked for (`--host NAME`); what each one
/// serves is its `wasit2_check::HostProfile`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Host {
    /// The wasit2 host: every import of the world.
    #[default]
    Wasit2,
    /// A WASI preview 1 runtime (the 2020 WAMR, `wasmtime run`): the
    /// wasit2→wasip1 adapter is linked in and `_start` is the entry.
    Wasip1,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown host `{0}` (supported: wasit2, wasip1)")]
pub struct UnknownHost(pub String);

impl Host {
    pub fn from_name(name: &str) -> Result<Host, UnknownHost> {
        match name {
            "wasit2" => Ok(Host::Wasit2),
            "wasip1" => Ok(Host::Wasip1),
            n => Err(UnknownHost(n.to_string())),
        }
    }

    /// The name recorded in the `wasit2-abi` section and shown in reports.
    pub fn name(self) -> &'static str {
        match self {
            Host::Wasit2 => "wasit2",
            Host::Wasip1 => "wasip1",
        }
    }

    pub fn is_wasip1(self) -> bool {
        self == Host::Wasip1
    }

    /// The world checked against when `--world` is not given.
    pub fn default_world(self) -> String {
        match self {
            Host::Wasit2 => format!("wasi:cli/command@{}", wasit2_abi::WASI_VERSION),
            Host::Wasip1 => wasit2_abi::wasip1_adapter::ADAPTER_WORLD.to_string(),
        }
    }
}

/// Who consumes a flag.
// The variants are the three linkers' names, `Ld` included.
#[allow(clippy::enum_variant_names)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// Forwarded to wasm-ld.
    WasmLd,
    /// Ours; never forwarded.
    WasitLd,
    /// wasm-component-ld's; accepted so wasit-ld is a drop-in for it, and
    /// consumed (honoured where that makes sense).
    ComponentLd,
}

/// How a flag takes its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arity {
    /// `--flag`
    None,
    /// `--flag VALUE` or `--flag=VALUE` (LLVM's `Eq` options accept both).
    Value,
    /// `--flag` or `--flag=VALUE`; never takes the next argument.
    OptionalEq,
    /// Single-letter `-x VALUE` or `-xVALUE`.
    Short,
}

#[derive(Debug)]
pub struct Flag {
    /// Name without leading dashes.
    pub name: &'static str,
    pub arity: Arity,
    pub owner: Owner,
}

const fn f(name: &'static str, arity: Arity, owner: Owner) -> Flag {
    Flag { name, arity, owner }
}

use Arity::{None as N, OptionalEq as Opt, Short as S, Value as V};
use Owner::{ComponentLd as C, WasitLd as W, WasmLd as L};

/// Every flag we know. LLVM accepts long options with one or two dashes.
pub const FLAGS: &[Flag] = &[
    // wasm-ld (LLVM 22 `wasm-ld --help`).
    f("allow-multiple-definition", N, L),
    f("allow-undefined-file", V, L),
    f("allow-undefined", N, L),
    f("Bdynamic", N, L),
    f("Bstatic", N, L),
    f("Bsymbolic", N, L),
    f("build-id", Opt, L),
    f("call_shared", N, L),
    f("check-features", N, L),
    f("color-diagnostics", Opt, L),
    f("compress-relocations", N, L),
    f("demangle", N, L),
    f("dn", N, L),
    f("dy", N, L),
    f("emit-relocs", N, L),
    f("end-lib", N, L),
    f("entry", V, L),
    f("error-limit", V, L),
    f("error-unresolved-symbols", N, L),
    f("experimental-pic", N, L),
    f("export-all", N, L),
    f("export-dynamic", N, L),
    f("export-if-defined", V, L),
    f("export-memory", Opt, L),
    f("export-table", N, L),
    f("export", V, L),
    f("extra-features", V, L),
    f("E", N, L),
    f("fatal-warnings", N, L),
    f("features", V, L),
    f("gc-sections", N, L),
    f("global-base", V, L),
    f("growable-table", N, L),
    f("help", N, L),
    f("import-memory", Opt, L),
    f("import-table", N, L),
    f("import-undefined", N, L),
    f("initial-heap", V, L),
    f("initial-memory", V, L),
    f("keep-section", V, L),
    f("lto-CGO", V, L),
    f("lto-debug-pass-manager", N, L),
    f("lto-O", V, L),
    f("lto-partitions", V, L),
    f("L", S, L),
    f("l", S, L),
    f("Map", V, L),
    f("max-memory", V, L),
    f("merge-data-segments", N, L),
    f("mllvm", V, L),
    f("M", N, L),
    f("m", S, L),
    f("no-allow-multiple-definition", N, L),
    f("no-check-features", N, L),
    f("no-color-diagnostics", N, L),
    f("no-demangle", N, L),
    f("no-entry", N, L),
    f("no-export-dynamic", N, L),
    f("no-fatal-warnings", N, L),
    f("no-gc-sections", N, L),
    f("no-growable-memory", N, L),
    f("no-merge-data-segments", N, L),
    f("no-pie", N, L),
    f("no-print-gc-sections", N, L),
    f("no-shlib-sigcheck", N, L),
    f("no-stack-first", N, L),
    f("no-whole-archive", N, L),
    f("noinhibit-exec", N, L),
    f("non_shared", N, L),
    f("O", S, L),
    f("o", S, L),
    f("page-size", V, L),
    f("pie", N, L),
    f("print-gc-sections", N, L),
    f("print-map", N, L),
    f("relocatable", N, L),
    f("r", N, L),
    f("reproduce", V, L),
    f("rpath", V, L),
    f("rsp-quoting", V, L),
    f("save-temps", N, L),
    f("shared-memory", N, L),
    f("shared", N, L),
    f("soname", V, L),
    f("stack-first", N, L),
    f("start-lib", N, L),
    f("static", N, L),
    f("strip-all", N, L),
    f("strip-debug", N, L),
    f("S", N, L),
    f("s", N, L),
    f("table-base", V, L),
    f("thinlto-cache-dir", V, L),
    f("thinlto-cache-policy", V, L),
    f("thinlto-jobs", V, L),
    f("threads", V, L),
    f("trace-symbol", V, L),
    f("trace", N, L),
    f("t", N, L),
    f("undefined", V, L),
    f("unresolved-symbols", V, L),
    f("verbose", N, L),
    f("version", N, L),
    f("V", N, L),
    f("warn-unresolved-symbols", N, L),
    f("whole-archive", N, L),
    f("why-extract", V, L),
    f("wrap", V, L),
    f("y", S, L),
    f("z", S, L),
    // rustc passes `-flavor wasm` first when it thinks it calls rust-lld.
    f("flavor", V, W),
    // Ours.
    f("wasm-ld-path", V, W),
    f("world", V, W),
    f("wit", V, W),
    f("host", V, W),
    f("wasi-version", V, W),
    f("wasip1-libc", V, W),
    f("host-cpu", V, W),
    f("host-world", V, W),
    f("host-allow", V, W),
    f("vendor-imports", V, W),
    f("emit-component", N, W),
    f("v", N, W),
    // wasm-component-ld's.
    f("wasi-adapter", V, C),
    f("adapt", V, C),
    f("component-type", V, C),
    f("string-encoding", V, C),
    f("validate-component", V, C),
    f("merge-imports-based-on-semver", V, C),
    f("reject-legacy-names", N, C),
    f("reject-invalid-imports", N, C),
    f("realloc-via-memory-grow", N, C),
    f("skip-wit-component", N, C),
    f("append-lld-flag", V, C),
];

/// `wasit-ld --help`: our own options; wasm-ld's are behind `--help-wasm-ld`.
pub const HELP: &str = "\
wasit-ld: the wasit2 linker driver. Called like wasm-ld (by clang, rustc or
by hand): runs wasm-ld, then checks the module against the host's ABI and
finishes it (export names, wasit2-abi section). A module the host cannot run
gets one line per problem and no output file.

Usage: wasit-ld [options] [wasm-ld options] inputs... -o OUTPUT

wasit-ld options (never passed to wasm-ld; --opt=value or --opt value):
  --host NAME            host to link and check for: wasit2 (default), wasip1
                         (WASI preview 1 runtimes, through the wasit2->wasip1
                         adapter), or PATH[:WORLD] of a WIT world including
                         wasit2:targets/wasip1
  --host-world PATH[:WORLD]
                         the host also serves this WIT world's imports (a
                         vendor interface its runtime registers as natives,
                         bindings from `wasit2 bindgen`); repeatable
  --host-allow MODULE.FIELD
                         the runtime registers this core import itself
                         (env.read_temp; `*` matches any run: env.*);
                         repeatable
  --vendor-imports env   with --host wasip1: import the vendor worlds'
                         functions as env `<module>|<field>` (docs/abi.md
                         1.2), for runtimes that link natives only under
                         `env`, such as the 2020 WAMR; default: wasit2 (the
                         ABI's module names)
  --host-cpu CPU         wasm features the host engine has: default, lime1 or
                         mvp (the 2020 WAMR); default: from the sysroot variant
  --wasip1-libc KIND     with --host wasip1: direct (default; libc calls p1
                         itself) or adapter (the wasit2 libc via the adapter)
  --world NAME           target world (default: the world the bindings from
                         `wasit2 bindgen` carry merged with
                         wasi:cli/command@0.2.12, else that; docs/bindgen.md)
  --wit PATH             add a WIT file or package directory; repeatable
  --wasi-version X.Y.Z   refuse imports newer than this WASI version
  --emit-component       write a WASI 0.2 component instead of a core module
  --wasm-ld-path PATH    the wasm-ld to run (default: $WASIT2_WASM_LD,
                         wasm-ld/wasm-ld-22 on PATH, /usr/lib/llvm-22/bin)
  -v                     print the wasm-ld command line and the check summary
  --help                 this help
  --help-wasm-ld         wasm-ld's own options, which wasit-ld forwards
                         in order (or run `wasm-ld-22 --help`)
  --version              versions of wasit-ld and the wasm-ld it runs

Accepted for wasm-component-ld compatibility: --wasi-adapter, --adapt,
--component-type, --string-encoding, --validate-component,
--merge-imports-based-on-semver, --reject-legacy-names,
--reject-invalid-imports, --realloc-via-memory-grow, --skip-wit-component
(ignored), --append-lld-flag (forwarded).
";

/// Errors in the command line.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ArgError {
    #[error("option `{0}` needs a value")]
    MissingValue(String),
    #[error("`-flavor {0}` is not supported; wasit-ld only links WebAssembly (`-flavor wasm`)")]
    Flavor(String),
    #[error("`{0}` takes no value")]
    UnexpectedValue(String),
    #[error("invalid value for `{flag}`: {message}")]
    BadValue { flag: String, message: String },
}

/// What stripping was requested. We never pass it to wasm-ld: the name
/// section must survive until our check so errors can name functions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strip {
    #[default]
    None,
    Debug,
    All,
}

/// The parsed command line.
#[derive(Debug, Default, Clone)]
pub struct LinkArgs {
    /// Arguments for wasm-ld, in order, without `-o`, strip flags and ours.
    pub forward: Vec<OsString>,
    /// `-o`, or wasm-ld's default `a.out`.
    pub output: Option<PathBuf>,
    pub strip: Strip,
    pub keep_sections: Vec<String>,
    /// From `-m wasm32|wasm64`.
    pub arch: Option<Arch>,
    pub import_memory: bool,
    pub relocatable: bool,
    /// `--version` / `--help`: just run wasm-ld.
    pub info_only: bool,
    pub has_inputs: bool,
    pub verbose: bool,
    pub wasm_ld_path: Option<PathBuf>,
    pub world: Option<String>,
    pub wit: Vec<PathBuf>,
    pub host: Option<String>,
    /// `-L` directories, in order: where `--host wasip1` finds the adapter.
    pub lib_dirs: Vec<PathBuf>,
    pub wasi_version: Option<String>,
    /// `--wasip1-libc direct|adapter`: which libc `--host wasip1` links.
    pub wasip1_libc: Option<String>,
    /// `--host-cpu mvp|lime1|default`: the host engine's wasm features.
    pub host_cpu: Option<String>,
    /// `--host-world PATH[:WORLD]`, repeatable: more worlds the host serves.
    pub host_worlds: Vec<String>,
    /// `--host-allow MODULE.FIELD`, repeatable: natives the runtime registers.
    pub host_allow: Vec<String>,
    /// `--vendor-imports env|wasit2`: how vendor imports are named
    /// (`vendor_env.rs`).
    pub vendor_imports: Option<String>,
    pub emit_component: bool,
}

/// A flag recognised in one argument.
struct Hit {
    flag: &'static Flag,
    /// Value given inside the same argument (`--f=v`, `-lc`).
    inline: Option<String>,
}

/// Recognises `arg` as a known flag, in any spelling LLVM's option parser
/// accepts: `--name`, `-name`, `--name=value`, `-xVALUE`.
fn recognise(arg: &str) -> Option<Hit> {
    let (body, single_dash) = if let Some(b) = arg.strip_prefix("--") {
        (b, false)
    } else if let Some(b) = arg.strip_prefix('-') {
        (b, true)
    } else {
        return None;
    };
    if body.is_empty() {
        return None;
    }
    let by_name = |name: &str| FLAGS.iter().find(|f| f.name == name);
    if let Some(flag) = by_name(body) {
        // Single-letter flags are spelled with one dash only.
        if flag.name.len() > 1 || single_dash {
            return Some(Hit { flag, inline: None });
        }
    }
    if let Some((name, value)) = body.split_once('=') {
        if let Some(flag) = by_name(name) {
            if flag.name.len() > 1 {
                return Some(Hit {
                    flag,
                    inline: Some(value.to_string()),
                });
            }
        }
    }
    if single_dash {
        let first = &body[..body.chars().next()?.len_utf8()];
        if let Some(flag) = by_name(first) {
            if flag.arity == Arity::Short {
                return Some(Hit {
                    flag,
                    inline: Some(body[first.len()..].to_string()),
                });
            }
        }
    }
    None
}

fn parse_arch(flag: &str, value: &str) -> Result<Arch, ArgError> {
    match value {
        "wasm32" => Ok(Arch::Wasm32),
        "wasm64" => Ok(Arch::Wasm64),
        _ => Err(ArgError::BadValue {
            flag: flag.to_string(),
            message: format!("unknown emulation `{value}` (expected wasm32 or wasm64)"),
        }),
    }
}

/// Parses an already response-file-expanded command line.
pub fn parse(args: &[OsString]) -> Result<LinkArgs, ArgError> {
    let mut out = LinkArgs::default();
    let mut i = 0;
    while i < args.len() {
        let raw = &args[i];
        i += 1;
        let Some(hit) = raw.to_str().and_then(recognise) else {
            // Inputs (or flags we do not know, which wasm-ld will judge).
            let is_input = raw.to_str().is_none_or(|s| !s.starts_with('-') || s == "-");
            out.has_inputs |= is_input;
            out.forward.push(raw.clone());
            continue;
        };
        let name = hit.flag.name;
        let spelled = raw.to_string_lossy().into_owned();
        // The value, and the argument(s) exactly as given for forwarding.
        let mut given = vec![raw.clone()];
        let value: Option<String> = match (hit.flag.arity, hit.inline) {
            (Arity::None, Some(_)) => return Err(ArgError::UnexpectedValue(spelled)),
            (Arity::None, None) | (Arity::OptionalEq, None) => None,
            (Arity::OptionalEq, Some(v)) => Some(v),
            (Arity::Value | Arity::Short, Some(v)) if !v.is_empty() => Some(v),
            (Arity::Value | Arity::Short, _) => {
                let next = args
                    .get(i)
                    .ok_or_else(|| ArgError::MissingValue(spelled.clone()))?;
                i += 1;
                given.push(next.clone());
                Some(next.to_string_lossy().into_owned())
            }
        };
        let value_os = || given.last().cloned().filter(|_| given.len() == 2);
        match (hit.flag.owner, name) {
            (Owner::WasmLd, "o") => {
                out.output = Some(match value_os() {
                    Some(v) => PathBuf::from(v),
                    None => PathBuf::from(value.unwrap_or_default()),
                })
            }
            (Owner::WasmLd, "s" | "strip-all") => out.strip = out.strip.max(Strip::All),
            (Owner::WasmLd, "S" | "strip-debug") => out.strip = out.strip.max(Strip::Debug),
            (Owner::WasmLd, _) => {
                match name {
                    "m" => out.arch = Some(parse_arch(&spelled, value.as_deref().unwrap_or(""))?),
                    "import-memory" => out.import_memory = true,
                    "relocatable" | "r" => out.relocatable = true,
                    "version" | "help" => out.info_only = true,
                    "verbose" => out.verbose = true,
                    "keep-section" => out.keep_sections.extend(value.clone()),
                    // Libraries are inputs as much as files are.
                    "l" => out.has_inputs = true,
                    "L" => out.lib_dirs.extend(value.clone().map(PathBuf::from)),
                    _ => {}
                }
                out.forward.extend(given);
            }
            (Owner::WasitLd, "flavor") => {
                let v = value.unwrap_or_default();
                if v != "wasm" {
                    return Err(ArgError::Flavor(v));
                }
            }
            (Owner::WasitLd, "wasm-ld-path") => {
                out.wasm_ld_path = Some(
                    value_os()
                        .map(PathBuf::from)
                        .unwrap_or_else(|| value.unwrap_or_default().into()),
                )
            }
            (Owner::WasitLd, "world") => out.world = value,
            (Owner::WasitLd, "wit") => out.wit.push(
                value_os()
                    .map(PathBuf::from)
                    .unwrap_or_else(|| value.unwrap_or_default().into()),
            ),
            (Owner::WasitLd, "host") => out.host = value,
            (Owner::WasitLd, "wasi-version") => out.wasi_version = value,
            (Owner::WasitLd, "wasip1-libc") => out.wasip1_libc = value,
            (Owner::WasitLd, "host-cpu") => out.host_cpu = value,
            (Owner::WasitLd, "host-world") => out.host_worlds.extend(value),
            (Owner::WasitLd, "host-allow") => out.host_allow.extend(value),
            (Owner::WasitLd, "vendor-imports") => out.vendor_imports = value,
            (Owner::WasitLd, "emit-component") => out.emit_component = true,
            (Owner::WasitLd, "v") => out.verbose = true,
            (Owner::WasitLd, other) => unreachable!("flag table entry `{other}` without a handler"),
            // The wasm-ld flag wasm-component-ld could not express directly.
            (Owner::ComponentLd, "append-lld-flag") => {
                out.forward.extend(value.map(OsString::from))
            }
            // Everything else of wasm-component-ld's concerns building a
            // component with adapters, which wasit2 does differently
            // (`--emit-component`); accepted so build systems that pass them
            // keep working.
            (Owner::ComponentLd, _) => {}
        }
    }
    Ok(out)
}

impl LinkArgs {
    /// The output path (`a.out` when `-o` is absent, as wasm-ld does).
    pub fn output_path(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| PathBuf::from("a.out"))
    }
}

/// Shell-quotes one argument for `-v` output.
pub fn shell_quote(arg: &OsStr) -> String {
    let s = arg.to_string_lossy();
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%^".contains(c));
    if safe {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_world_and_allow_are_ours_and_repeatable() {
        let a = p(&[
            "--host=wasip1",
            "--host-world",
            "acme.wit:firmware",
            "--host-world=b.wit",
            "-host-allow",
            "env.read_temp",
            "--host-allow=env.*",
            "x.o",
        ])
        .unwrap();
        assert_eq!(a.host_worlds, ["acme.wit:firmware", "b.wit"]);
        assert_eq!(a.host_allow, ["env.read_temp", "env.*"]);
        assert!(!a
            .forward
            .iter()
            .any(|f| f.to_string_lossy().contains("host")));
    }

    #[test]
    fn host_names() {
        assert_eq!(Host::from_name("wasit2"), Ok(Host::Wasit2));
        assert_eq!(Host::from_name("wasip1"), Ok(Host::Wasip1));
        assert_eq!(
            Host::from_name("p1").unwrap_err().to_string(),
            "unknown host `p1` (supported: wasit2, wasip1)"
        );
    }

    fn p(args: &[&str]) -> Result<LinkArgs, ArgError> {
        parse(&args.iter().map(OsString::from).collect::<Vec<_>>())
    }

    fn fwd(a: &LinkArgs) -> Vec<String> {
        a.forward
            .iter()
            .map(|s| s.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn host_cpu_is_ours_and_not_wasm_lds_features() {
        let a = p(&["--host=wasip1", "--host-cpu=lime1", "--features=mvp", "x.o"]).unwrap();
        assert_eq!(a.host_cpu.as_deref(), Some("lime1"));
        assert_eq!(fwd(&a), ["--features=mvp", "x.o"]);
        let a = p(&["-host-cpu", "mvp", "x.o"]).unwrap();
        assert_eq!(a.host_cpu.as_deref(), Some("mvp"));
        assert_eq!(fwd(&a), ["x.o"]);
    }

    #[test]
    fn flavor_wasm_is_consumed() {
        let a = p(&["-flavor", "wasm", "x.o", "-o", "out.wasm"]).unwrap();
        assert_eq!(fwd(&a), ["x.o"]);
        assert_eq!(a.output, Some("out.wasm".into()));
        assert_eq!(
            p(&["-flavor", "gnu", "x.o"]).unwrap_err(),
            ArgError::Flavor("gnu".into())
        );
        assert!(matches!(p(&["-flavor"]), Err(ArgError::MissingValue(_))));
    }

    #[test]
    fn clang_command_line() {
        let a = p(&[
            "-m",
            "wasm64",
            "--strip-all",
            "-L/usr/lib/wasm64-wasit2",
            "--no-entry",
            "/tmp/a.o",
            "-lc",
            "-o",
            "a.wasm",
        ])
        .unwrap();
        assert_eq!(a.arch, Some(Arch::Wasm64));
        assert_eq!(a.strip, Strip::All);
        assert_eq!(
            fwd(&a),
            [
                "-m",
                "wasm64",
                "-L/usr/lib/wasm64-wasit2",
                "--no-entry",
                "/tmp/a.o",
                "-lc"
            ]
        );
        assert!(a.has_inputs);
    }

    #[test]
    fn our_flags_in_both_forms_and_never_forwarded() {
        let a = p(&[
            "--host=wasit2",
            "--world",
            "wasi:cli/command@0.2.12",
            "--wasi-version=0.2.3",
            "--wit",
            "my.wit",
            "--wasm-ld-path=/x/wasm-ld",
            "--emit-component",
            "-v",
            "in.o",
        ])
        .unwrap();
        assert_eq!(a.host.as_deref(), Some("wasit2"));
        assert_eq!(a.world.as_deref(), Some("wasi:cli/command@0.2.12"));
        assert_eq!(a.wasi_version.as_deref(), Some("0.2.3"));
        assert_eq!(a.wit, [PathBuf::from("my.wit")]);
        assert_eq!(a.wasm_ld_path, Some("/x/wasm-ld".into()));
        assert!(a.emit_component && a.verbose);
        assert_eq!(fwd(&a), ["in.o"]);
        assert!(matches!(p(&["--host"]), Err(ArgError::MissingValue(_))));
        assert!(matches!(
            p(&["--emit-component=yes"]),
            Err(ArgError::UnexpectedValue(_))
        ));
    }

    #[test]
    fn values_that_look_like_flags_are_not_reinterpreted() {
        // `--export -v` exports a symbol named `-v`; it must not turn on -v.
        let a = p(&[
            "--export",
            "-v",
            "-z",
            "stack-size=65536",
            "-mllvm",
            "-o",
            "x.o",
        ])
        .unwrap();
        assert!(!a.verbose);
        assert_eq!(a.output, None);
        assert_eq!(
            fwd(&a),
            [
                "--export",
                "-v",
                "-z",
                "stack-size=65536",
                "-mllvm",
                "-o",
                "x.o"
            ]
        );
    }

    #[test]
    fn single_dash_long_options_and_joined_short_values() {
        let a = p(&[
            "-shared",
            "-export=foo",
            "-ofoo.wasm",
            "-O2",
            "-s",
            "-S",
            "-import-memory",
        ])
        .unwrap();
        assert_eq!(a.output, Some("foo.wasm".into()));
        assert_eq!(a.strip, Strip::All);
        assert!(a.import_memory);
        assert_eq!(fwd(&a), ["-shared", "-export=foo", "-O2", "-import-memory"]);
    }

    #[test]
    fn optional_eq_flags_do_not_swallow_the_next_argument() {
        let a = p(&["--export-memory", "in.o", "--import-memory=env,mem"]).unwrap();
        assert!(a.has_inputs && a.import_memory);
        assert_eq!(
            fwd(&a),
            ["--export-memory", "in.o", "--import-memory=env,mem"]
        );
    }

    #[test]
    fn component_ld_flags_are_accepted() {
        let a = p(&[
            "--wasi-adapter",
            "none",
            "--skip-wit-component",
            "--component-type",
            "x.wit",
            "--adapt=a.wasm",
            "--reject-invalid-imports",
            "--append-lld-flag",
            "--no-gc-sections",
            "in.o",
        ])
        .unwrap();
        assert_eq!(fwd(&a), ["--no-gc-sections", "in.o"]);
    }

    #[test]
    fn bad_emulation_is_an_error() {
        assert!(matches!(
            p(&["-m", "x86_64"]),
            Err(ArgError::BadValue { .. })
        ));
    }

    #[test]
    fn every_flag_name_is_unique() {
        for (i, a) in FLAGS.iter().enumerate() {
            assert!(
                FLAGS[i + 1..].iter().all(|b| b.name != a.name),
                "{}",
                a.name
            );
        }
    }
}

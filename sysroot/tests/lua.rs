//! Lua 5.4 from Debian's source package, unmodified, on the sysroot: its
//! errors, pcall and coroutines run on setjmp/longjmp (ldo.c), which the
//! wasit2 targets serve with wasm exceptions. The interpreter (`lua.c` plus
//! the core and library files its Makefile lists, with the Makefile's
//! `-D` flags) is built natively and with
//! `clang-22 --target=wasmNN-wasit2 -mllvm -wasm-enable-sjlj` (the
//! documented setjmp flag, docs/sysroot.md) and runs `tests/lua/*.lua`:
//! every wasit2 run prints what the native one prints, on `wasit2 run`
//! (wasm32, wasm64) and componentized on wasmtime 49. scripts/setup.sh
//! fetches the source package into `$WASIT2_CACHE/src/lua5.4`. Needs
//! `make sysroot clang-install`.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use wasit2_testkit::{clang, repo, wasit2_bin, Tool};

/// The flag that turns on clang's setjmp/longjmp lowering; the installed
/// config adds the exception encoding and libsetjmp.
const SETJMP_FLAG: [&str; 2] = ["-mllvm", "-wasm-enable-sjlj"];

/// WASI switches for what lua.c and loslib.c use: `signal` (lua.c's
/// interrupt handler) and `clock` (os.clock).
const WASI_FLAGS: &[&str] = &["-D_WASI_EMULATED_SIGNAL", "-D_WASI_EMULATED_PROCESS_CLOCKS"];
const WASI_LIBS: &[&str] = &["-lwasi-emulated-signal", "-lwasi-emulated-process-clocks"];

fn lua_tree() -> PathBuf {
    let p = wasit2_testkit::cache::dir("src").join("lua5.4");
    assert!(
        p.join("src/Makefile").is_file(),
        "{} is missing: run scripts/setup.sh",
        p.display()
    );
    p
}

/// The value of `NAME=` in a Makefile, continuation lines joined.
fn make_var(makefile: &str, name: &str) -> Vec<String> {
    let joined = makefile.replace("\\\n", " ");
    let line = joined
        .lines()
        .find(|l| {
            l.strip_prefix(name)
                .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .unwrap_or_else(|| panic!("no {name}= in Lua's src/Makefile"));
    let value = line.split_once('=').unwrap().1;
    value.split_whitespace().map(String::from).collect()
}

/// What Lua's src/Makefile builds the `lua` interpreter from: the `.c` of
/// every object in CORE_O, LIB_O and LUA_O, and the `-D` flags of CFLAGS.
struct Recipe {
    sources: Vec<PathBuf>,
    defines: Vec<String>,
}

fn recipe() -> Recipe {
    let src = lua_tree().join("src");
    let makefile = std::fs::read_to_string(src.join("Makefile")).unwrap();
    let mut sources = Vec::new();
    for var in ["CORE_O", "LIB_O", "LUA_O"] {
        for obj in make_var(&makefile, var) {
            let c = src.join(format!(
                "{}.c",
                obj.strip_suffix(".o").expect("an object name")
            ));
            assert!(c.is_file(), "{} is missing", c.display());
            sources.push(c);
        }
    }
    assert!(
        sources.len() > 30 && sources.iter().any(|s| s.ends_with("ldo.c")),
        "unexpected source list {sources:?}"
    );
    let defines = make_var(&makefile, "CFLAGS")
        .into_iter()
        .filter(|f| f.starts_with("-D"))
        .collect();
    Recipe { sources, defines }
}

fn check(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({:?}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Builds the interpreter into `dir` for `triple` (None: the host's cc).
fn build(triple: Option<&str>, dir: &Path) -> PathBuf {
    let r = recipe();
    // Debian's rules generate this header (DEB_HOST_MULTIARCH, used in
    // luaconf.h's module paths) before building; so do we.
    let gen = dir.join("gen");
    std::fs::create_dir_all(&gen).unwrap();
    std::fs::write(
        gen.join("lua5.4-deb-multiarch.h"),
        format!(
            "#ifndef _LUA_DEB_MULTIARCH_\n#define _LUA_DEB_MULTIARCH_\n#define DEB_HOST_MULTIARCH \"{}\"\n#endif\n",
            triple.unwrap_or("native")
        ),
    )
    .unwrap();
    let out = dir.join(match triple {
        Some(t) => format!("lua-{t}.wasm"),
        None => "lua-native".into(),
    });
    let mut cmd = match triple {
        Some(t) => {
            wasit2_testkit::require_clang_target(t);
            let mut c = Command::new(clang());
            c.arg(format!("--target={t}"))
                .args(SETJMP_FLAG)
                .args(WASI_FLAGS);
            c
        }
        None => Command::new("cc"),
    };
    cmd.args(["-O2", "-w"])
        .args(&r.defines)
        .arg(format!("-I{}", gen.display()))
        .args(&r.sources)
        .args(if triple.is_some() {
            WASI_LIBS
        } else {
            &["-lm"]
        })
        .arg("-o")
        .arg(&out);
    check(
        &format!("building Lua for {}", triple.unwrap_or("the host")),
        &cmd.output().expect("the compiler runs"),
    );
    out
}

fn scripts() -> PathBuf {
    repo().join("tests/lua")
}

/// `lua <script>` with `tests/lua` as the working directory (preopened
/// as `.` for wasm), so chunk names in messages are the same everywhere.
fn run_lua(mut cmd: Command, script: &str) -> Output {
    cmd.arg(script)
        .current_dir(scripts())
        .output()
        .expect("the interpreter starts")
}

fn native(script: &str) -> Output {
    static NATIVE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, lua) = NATIVE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let lua = build(None, dir.path());
        (dir, lua)
    });
    let out = run_lua(Command::new(lua), script);
    check(&format!("native lua {script}"), &out);
    out
}

fn the_scripts() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(scripts())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".lua"))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no scripts in tests/lua");
    v
}

fn same_as_native(what: &str, script: &str, got: &Output) {
    let want = native(script);
    assert_eq!(
        (
            got.status.code(),
            String::from_utf8_lossy(&got.stdout).as_ref()
        ),
        (Some(0), String::from_utf8_lossy(&want.stdout).as_ref()),
        "{what} {script}; stderr:\n{}",
        String::from_utf8_lossy(&got.stderr)
    );
}

/// Whether the module catches with `try_table` (exnref) and throws: so
/// its setjmp/longjmp really are wasm exceptions.
fn has_exnref_exceptions(wasm: &Path) -> bool {
    let bytes = std::fs::read(wasm).unwrap();
    let (mut catches, mut throws) = (false, false);
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let wasmparser::Payload::CodeSectionEntry(body) = payload.unwrap() {
            let mut ops = body.get_operators_reader().unwrap();
            while !ops.eof() {
                match ops.read().unwrap() {
                    wasmparser::Operator::TryTable { .. } => catches = true,
                    wasmparser::Operator::Throw { .. } => throws = true,
                    _ => {}
                }
            }
        }
    }
    catches && throws
}

fn wasit2_run(lua: &Path) -> Command {
    let mut c = Command::new(wasit2_bin());
    c.arg("run")
        .arg("--dir")
        .arg(format!("{}::.", scripts().display()))
        .arg(lua);
    c
}

fn on_wasit2_run(triple: &str) {
    let dir = tempfile::tempdir().unwrap();
    let lua = build(Some(triple), dir.path());
    assert!(
        has_exnref_exceptions(&lua),
        "{triple}: no exnref exceptions in Lua"
    );
    for script in the_scripts() {
        let got = run_lua(wasit2_run(&lua), &script);
        same_as_native(&format!("wasit2 run ({triple})"), &script, &got);
    }
}

#[test]
fn lua_wasm32_matches_native_on_wasit2_run() {
    on_wasit2_run("wasm32-wasit2");
}

#[test]
fn lua_wasm64_matches_native_on_wasit2_run() {
    on_wasit2_run("wasm64-wasit2");
}

#[test]
fn lua_componentized_matches_native_on_wasmtime() {
    let dir = tempfile::tempdir().unwrap();
    let core = build(Some("wasm32-wasit2"), dir.path());
    let component = dir.path().join("lua.component.wasm");
    check(
        "wasit2 componentize",
        &Command::new(wasit2_bin())
            .arg("componentize")
            .arg(&core)
            .arg("-o")
            .arg(&component)
            .output()
            .expect("wasit2 runs"),
    );
    for script in the_scripts() {
        let mut cmd = Command::new(Tool::Wasmtime.path());
        cmd.arg("run")
            .arg("--dir")
            .arg(format!("{}::.", scripts().display()))
            .arg(&component);
        let got = run_lua(cmd, &script);
        same_as_native("componentized on wasmtime", &script, &got);
    }
}

//! `<target>-clang` / `<target>-clang++` (e.g. `wasm32-wasit2-clang`): runs
//! clang-22 for a wasit2 target. `wasit2 install --prefix` installs this one
//! binary under every target's names; the name it is run as picks the target.
//!
//! Why a program rather than a config file: clang-22 parses the `wasit2` OS
//! as WASI and its driver warns `--target=wasm32-wasi is deprecated` in the
//! `-Wdeprecated` group. The driver reads its own diagnostic flags from the
//! command line only (docs/sysroot.md, "Known issues"), so we put
//! `-Wno-deprecated` there, then turn every default-on `-Wdeprecated-*`
//! subgroup back on: the driver's warning lives directly in the group and
//! stays off, the user's deprecation warnings stay on. The user's own
//! arguments come after ours and win.
use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use wasit2_sysroot::install::{config_file_name_for, DEPRECATED_ON_BY_DEFAULT};
use wasit2_sysroot::{tools, Variant};

fn main() {
    let mut args = std::env::args_os();
    let argv0 = PathBuf::from(args.next().unwrap_or_default());
    match run(&argv0, args.collect()) {
        Ok(never) => match never {},
        Err(e) => {
            eprintln!("wasit2-clang: error: {e}");
            std::process::exit(1);
        }
    }
}

enum Never {}

fn run(argv0: &Path, user_args: Vec<OsString>) -> Result<Never, String> {
    let name = argv0
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (target, cxx) = if let Some(t) = name.strip_suffix("-clang++") {
        (t, true)
    } else if let Some(t) = name.strip_suffix("-clang") {
        (t, false)
    } else {
        return Err(format!(
            "run as <target>-clang or <target>-clang++ (e.g. wasm32-wasit2-clang), not as `{name}`"
        ));
    };
    let variant = Variant::all()
        .into_iter()
        .find(|v| v.target() == target)
        .ok_or_else(|| {
            let known: Vec<String> = Variant::all().iter().map(|v| v.target()).collect();
            format!("unknown target `{target}` (known: {})", known.join(", "))
        })?;
    let driver = if cxx { "clang++" } else { "clang" };
    let env = if cxx {
        "WASIT2_CLANGXX"
    } else {
        tools::ENV_CLANG
    };
    let clang = tools::find_tool(driver, env, Path::new(tools::DEFAULT_LLVM_BIN))
        .map_err(|e| e.to_string())?;

    let mut cmd = Command::new(&clang);
    cmd.arg(format!("--target={target}"));
    // The config next to us (a `wasit2 install --prefix` tree); without one,
    // clang finds the config `wasit2 install` put next to clang itself.
    let cfg_name = config_file_name_for(variant, cxx);
    if let Some(cfg) = our_dirs(argv0)
        .into_iter()
        .map(|d| d.join(&cfg_name))
        .find(|p| p.is_file())
    {
        cmd.arg("--no-default-config");
        cmd.arg(format!("--config={}", cfg.display()));
    }
    cmd.arg("-Wno-deprecated");
    cmd.args(
        DEPRECATED_ON_BY_DEFAULT
            .iter()
            .map(|g| format!("-Wdeprecated-{g}")),
    );
    cmd.args(user_args);
    let err = cmd.exec();
    Err(format!("running {}: {err}", clang.display()))
}

/// The directories this program was run from: argv[0]'s (a symlink's own
/// directory), then the real executable's.
fn our_dirs(argv0: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if argv0.components().count() > 1 {
        if let Some(d) = argv0.parent() {
            dirs.push(d.to_path_buf());
        }
    } else if let Some(p) = tools::search_path(&argv0.to_string_lossy()) {
        if let Some(d) = p.parent() {
            dirs.push(d.to_path_buf());
        }
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Some(d) = exe.parent() {
            dirs.push(d.to_path_buf());
        }
    }
    dirs
}

//! `wasit-ld`, the wasit2 linker driver.
//!
//! It is called exactly like wasm-ld (by clang, rustc or by hand), runs the
//! real wasm-ld into a temporary directory, bridges what it can, then checks
//! the result with the one wasit2 checker (`wasit2-check`, against the
//! host's profile: every import one the host serves, with exactly the
//! signature `wasit2-abi` computes). A good module gets its ABI export names
//! and custom sections and is moved into place atomically; a bad one gets
//! the checker's report, one line per problem, and no output. The steps are
//! `link_checked`, in order.

mod args;
mod cxx_eh;
mod find;
mod libc;
mod post;
mod rsp;
mod tmp;
mod vendor_env;
mod wasip1;
mod world;

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context};
use wasit2_abi::{AbiSection, Arch, Wit, ABI_VERSION};
use wasit2_check::{CheckOptions, FeatureSet, HostProfile, Report};
use wasit2_module::Module;

pub use args::{Host, LinkArgs, Strip, HELP};
pub use find::{find_wasm_ld, WasmLd};

/// The module cannot run on the host: the checker's report, printed as it is.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.render().trim_end())]
pub struct CheckFailed(pub Report);

/// wasm-ld itself failed and has already said why on stderr.
#[derive(Debug, thiserror::Error)]
#[error("wasm-ld failed with exit code {code}")]
pub struct WasmLdFailed {
    pub code: i32,
}

/// Runs `wasit-ld` with `args` (without the program name) and returns the
/// process exit code, having printed any errors, one per line.
pub fn main_with_args(args: Vec<OsString>) -> i32 {
    let err = match link(args) {
        Ok(()) => return 0,
        Err(e) => e,
    };
    if let Some(f) = err.downcast_ref::<WasmLdFailed>() {
        return f.code;
    }
    if let Some(CheckFailed(report)) = err.downcast_ref::<CheckFailed>() {
        // The same text `wasit2 check` prints for the module.
        let _ = std::io::stderr().write_all(report.render().as_bytes());
        return 1;
    }
    // Causes may contain newlines (WIT parse errors); keep it to one line.
    let text = error_text(&err);
    let one_line: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    eprintln!("wasit-ld: error: {}", one_line.join(" "));
    1
}

/// The error and its causes as `a: b: c`, skipping causes whose text an
/// outer error already printed (some library errors embed their source).
fn error_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

/// Links as wasm-ld would, then checks and finishes the module. On error no
/// output file is left behind.
pub fn link(args: Vec<OsString>) -> anyhow::Result<()> {
    let args = find::resolve_sysroot_args(rsp::expand(args)?)?;
    let args = args::parse(&args)?;
    let (host, host_profile) = host_of(args.host.as_deref().unwrap_or("wasit2"))?;
    let host_profile = extend_host(&args, host, host_profile)?;
    let wasi_version = match &args.wasi_version {
        Some(v) => Some(
            semver::Version::parse(v)
                .with_context(|| format!("--wasi-version `{v}` is not a version like 0.2.3"))?,
        ),
        None => None,
    };
    let wasm_ld = find::find_wasm_ld(args.wasm_ld_path.as_deref())?;

    if args.info_only || !args.has_inputs {
        // `--version`, `--help`, or `-v` alone: whatever wasm-ld says is the answer.
        if args.info_only
            && args
                .forward
                .iter()
                .any(|a| a == "--version" || a == "-version")
        {
            println!(
                "wasit-ld {} ({}, wasit2 ABI {ABI_VERSION}) using {}",
                env!("CARGO_PKG_VERSION"),
                env!("WASIT2_COMMIT"),
                wasm_ld.program.display()
            );
        }
        let mut extra = Vec::new();
        if args.verbose && !args.has_inputs && !args.info_only {
            extra.push(OsString::from("--version"));
        }
        return run_wasm_ld(&wasm_ld, &args.forward, &extra, args.verbose, None);
    }

    host_cpu(&args)?;
    if host.is_wasip1() && !args.relocatable {
        wasip1::validate_args(&args)?;
    } else if args.wasip1_libc.is_some() && !host.is_wasip1() {
        return Err(wasip1::Wasip1Error::LibcWithoutHost.into());
    }
    vendor_env::from_args(&args, host)?;
    // Bad --wit/--world must fail before anything is linked.
    let target = if args.relocatable {
        None
    } else {
        Some(Target::load(&args, host, host_profile)?)
    };
    let output = args.output_path();
    let output_existed = output.is_file();
    let result = link_checked(
        &args,
        &wasm_ld,
        target.as_ref(),
        host,
        wasi_version,
        &output,
    );
    if result.is_err() && output_existed && !args.forward.iter().any(|a| Path::new(a) == output) {
        // A stale output from an earlier link must not pass for this one's.
        let _ = std::fs::remove_file(&output);
    }
    result
}

/// `--host NAME`: `wasit2`, `wasip1`, or `PATH[:WORLD]` of a WIT world
/// that includes `wasit2:targets/wasip1` (a p1 runtime with more
/// interfaces), linked like `wasip1` and checked against that world.
fn host_of(spec: &str) -> anyhow::Result<(Host, Option<HostProfile>)> {
    let unknown = match Host::from_name(spec) {
        Ok(host) => return Ok((host, None)),
        Err(e) => e,
    };
    let path = spec.rsplit_once(':').map_or(spec, |(p, _)| p);
    if !Path::new(spec).exists() && !Path::new(path).exists() {
        return Err(unknown.into());
    }
    let profile = HostProfile::parse(spec).with_context(|| format!("--host {spec}"))?;
    if !profile.p1 {
        bail!(
            "--host {spec}: world {} does not include wasit2:targets/wasip1, so it is no WASI preview 1 runtime; to link for a wasit2 host with it, pass --wit PATH --world WORLD",
            profile.world
        );
    }
    Ok((Host::Wasip1, Some(profile)))
}

/// `--host-world` and `--host-allow`, added to the `--host` profile through
/// the checker's own parser (as `wasit2 check` reads them). For the wasit2
/// host the profile is built from the target world at check time, so here
/// they are only validated, before anything is linked.
fn extend_host(
    args: &LinkArgs,
    host: Host,
    profile: Option<HostProfile>,
) -> anyhow::Result<Option<HostProfile>> {
    if args.host_worlds.is_empty() && args.host_allow.is_empty() {
        return Ok(profile);
    }
    let base = match (profile, host) {
        (Some(p), _) => p,
        (None, Host::Wasip1) => HostProfile::wasip1()?,
        (None, Host::Wasit2) => {
            HostProfile::wasit2()?.extend(&args.host_worlds, &args.host_allow)?;
            return Ok(None);
        }
    };
    Ok(Some(base.extend(&args.host_worlds, &args.host_allow)?))
}

/// wasm-ld arguments that let the undefined symbols `--host-allow` names
/// for `env` become imports (as `--allow-undefined` does for all): a
/// pattern with `*` allows every undefined symbol, exact names are listed
/// in an `--allow-undefined-file` written to `tmp`.
fn allow_undefined_args(args: &LinkArgs, tmp: &Path) -> anyhow::Result<Vec<OsString>> {
    let env: Vec<&str> = args
        .host_allow
        .iter()
        .filter_map(|p| p.strip_prefix("env."))
        .collect();
    if env.iter().any(|f| f.contains('*')) {
        return Ok(vec!["--allow-undefined".into()]);
    }
    if env.is_empty() {
        return Ok(Vec::new());
    }
    let file = tmp.join(".host-allow");
    std::fs::write(&file, env.join("\n") + "\n")
        .with_context(|| format!("writing {}", file.display()))?;
    let mut flag = OsString::from("--allow-undefined-file=");
    flag.push(&file);
    Ok(vec![flag])
}

/// The WIT and world a module is checked against.
struct Target {
    wit: Wit,
    world: wit_parser::WorldId,
    name: String,
    /// The profile of a `--host PATH[:WORLD]` host, checked instead of the
    /// built-in one.
    host_profile: Option<HostProfile>,
    /// The world merged from the bindings' `wasit2-world` sections
    /// (`world.rs`), recorded in the finished module.
    world_record: Option<wasit2_abi::WorldRecord>,
}

impl Target {
    fn load(
        args: &LinkArgs,
        host: Host,
        host_profile: Option<HostProfile>,
    ) -> anyhow::Result<Target> {
        let mut wit = Wit::wasi().context("loading the WASI WIT")?;
        for path in &args.wit {
            wit.push_path(path)?;
        }
        let name = args.world.clone().unwrap_or_else(|| host.default_world());
        let world = wit.world(&name).context("--world")?;
        Ok(Target {
            wit,
            world,
            name,
            host_profile,
            world_record: None,
        })
    }
}

/// The link pipeline, in order: link → bridges → [older WASI] → check →
/// finish → [componentize] → write. Each step is one function below.
fn link_checked(
    args: &LinkArgs,
    wasm_ld: &WasmLd,
    target: Option<&Target>,
    host: Host,
    wasi_version: Option<semver::Version>,
    output: &Path,
) -> anyhow::Result<()> {
    let tmp = tmp::TempDir::next_to(output)?;
    let file_name = output
        .file_name()
        .map(PathBuf::from)
        .unwrap_or_else(|| "a.out".into());
    let linked = tmp.path().join(&file_name);
    if args.relocatable {
        return link_object(args, wasm_ld, &linked, output);
    }
    let Some(target) = target else {
        bail!("internal error: no target world for a non-relocatable link");
    };

    // 1. link
    let mut extra: Vec<OsString> = vec!["-o".into(), linked.clone().into_os_string()];
    extra.extend(allow_undefined_args(args, tmp.path())?);
    if host.is_wasip1() {
        // The adapter's `_start` runs `wasi:cli/run` and exits with its status.
        extra.extend(wasip1::extra_link_args(args, names_entry(&args.forward))?);
    } else if !names_entry(&args.forward) {
        // A wasit2 command starts at its `wasi:cli/run` export, not `_start`.
        extra.push("--no-entry".into());
    }
    // rustc's wasm32-wasip1 links its own wasi-libc; a wasit2 module gets
    // the wasit2 libc, whose p1 layer also serves the program's p1 imports.
    // Its wasm32-wasip2 libc is swapped too when the sysroot has the wasit2
    // libc and that libc defines every symbol the program uses: rustup's
    // reads through streams, a host-side buffer and a copy per call; the
    // wasit2 libc reads into the caller's buffer.
    let (mut swapped, wasip2_swap) = match host.is_wasip1() {
        true => (None, false),
        false => match libc::swap_wasip1_libc(&args.forward)? {
            Some(swapped) => (Some(swapped), false),
            None => {
                let swapped = libc::swap_wasip2_libc(&args.forward);
                let wasip2_swap = swapped.is_some();
                (swapped, wasip2_swap)
            }
        },
    };
    let wasip1_forward;
    let base_forward = match host.is_wasip1() {
        true => {
            wasip1_forward = wasip1::forward_args(args, wasip1::Libc::from_args(args)?);
            &wasip1_forward
        }
        false => swapped.as_ref().map_or(&args.forward, |s| &s.forward),
    };
    let mut forward = cxx_eh::with_eh_libs(base_forward);
    // wasm-ld with `forward` plus `extra`, into `linked`.
    let link_with = |forward: &[OsString], extra: &[OsString]| -> anyhow::Result<Vec<u8>> {
        run_wasm_ld(
            wasm_ld,
            forward,
            extra,
            args.verbose,
            Some((&linked, output)),
        )?;
        std::fs::read(&linked)
            .with_context(|| format!("reading wasm-ld's output {}", linked.display()))
    };
    let mut bytes = link_with(&forward, &extra)?;
    if wasip2_swap {
        let missing = undefined_symbols(&bytes)?;
        if !missing.is_empty() {
            if args.verbose {
                eprintln!(
                    "wasit-ld: the wasit2 libc lacks {}; linking rustup's wasip2 libc",
                    missing.join(", ")
                );
            }
            swapped = None;
            forward = cxx_eh::with_eh_libs(&args.forward);
            bytes = link_with(&forward, &extra)?;
        }
    }
    let forward = &*forward;

    // 2. bridges, which link again with arguments of their own after `extra`.
    // The program's own p1 imports are served by the wasit2 libc's p1 layer
    // when the module is a p1 program linked against the wasit2 libc, or
    // mixes them with standard wasip2 imports (Rust std for wasip2 next to
    // the `wasi` 0.11 crate), then on the wasit2 libc too. Elsewhere a p1
    // import stays an error the checks report; on a p1 host it is the host's.
    let p1_libc = match (&swapped, host) {
        (Some(s), _) => Some(s.clone()),
        (None, Host::Wasit2) => mixed_p1_libc(&bytes, forward, &args.lib_dirs)?,
        (None, Host::Wasip1) => None,
    };
    let bytes = match &p1_libc {
        None => bytes,
        Some(libc) => bridge_p1_imports(bytes, &libc.lib_dir, args.verbose, |more| {
            link_with(&libc.forward, &[extra.as_slice(), &more].concat())
        })?,
    };
    let bytes = match host.is_wasip1() {
        false => bridge_standard_imports(bytes, args.verbose)?,
        true => wasip1::bridge_standard_imports(bytes, args.verbose, |more| {
            link_with(forward, &[extra.as_slice(), &more].concat())
        })?,
    };

    // 3. an older --wasi-version: functions newer than it with an older
    // equivalent are served by that one (exit-with-code by exit).
    let bytes = match (&wasi_version, host) {
        (Some(version), Host::Wasit2) => serve_for_older_wasi(bytes, target, args, version)?,
        _ => bytes,
    };

    // 4. check, for the wasit2 host against the world the bindings carry
    // unless --wit/--world name one (world.rs). A p1 host's profile says
    // what the runtime serves (--host-world), so there they only go away.
    let module = read_linked(&bytes)?;
    let mut carried = world::records(&module)?;
    if host == Host::Wasit2 && args.wit.is_empty() && args.world.is_none() {
        let vendor = world::host_world_records(&args.host_worlds)?;
        if !vendor.is_empty() {
            carried
                .get_or_insert_with(Default::default)
                .records
                .extend(vendor);
        }
    }
    let bytes = world::strip_carrier(bytes, &module)?;
    let module = match module.world_section {
        Some(_) => read_linked(&bytes)?,
        None => module,
    };
    let merged;
    let target = match (&carried, host) {
        (Some(section), Host::Wasit2) if args.wit.is_empty() && args.world.is_none() => {
            let reactor = module.exports.iter().any(|e| e.name == "_initialize");
            merged = world::merged_target(section, reactor)?;
            &merged
        }
        _ => target,
    };
    let arch = check_linked(args, target, host, wasi_version.clone(), &bytes, &module)?;

    // 5. finish
    let finished = match host {
        Host::Wasip1 => vendor_env::apply(wasip1::finish(&bytes, args)?, args, host)?,
        Host::Wasit2 => post::finish(
            &bytes,
            &post::Finish {
                arch,
                strip: args.strip,
                keep_sections: &args.keep_sections,
                abi: AbiSection {
                    version: ABI_VERSION,
                    arch,
                    world: target.wit.world_name(target.world),
                    host: host.name().into(),
                },
                resolve: &target.wit.resolve,
                world: target.world,
                world_record: target.world_record.as_ref(),
            },
        )?,
    };

    // 6. componentize
    let final_bytes = if args.emit_component {
        let opts = wasit2_componentize::Options {
            wasi_version: wasi_version.clone(),
            ..Default::default()
        };
        wasit2_componentize::componentize_with(&finished, &opts).context("--emit-component")?
    } else {
        finished
    };

    // 7. write
    install_output(tmp.path(), &linked, output, &final_bytes)
}

/// `-r`: an object file, not a module, so nothing to check yet.
fn link_object(
    args: &LinkArgs,
    wasm_ld: &WasmLd,
    linked: &Path,
    output: &Path,
) -> anyhow::Result<()> {
    let strip: &[&str] = match args.strip {
        Strip::None => &[],
        Strip::Debug => &["--strip-debug"],
        Strip::All => &["--strip-all"],
    };
    let mut extra: Vec<OsString> = strip.iter().map(OsString::from).collect();
    extra.extend(["-o".into(), linked.as_os_str().to_owned()]);
    run_wasm_ld(
        wasm_ld,
        &args.forward,
        &extra,
        args.verbose,
        Some((linked, output)),
    )?;
    std::fs::rename(linked, output).with_context(|| format!("writing {}", output.display()))
}

/// The module with `exit-with-code` (and any later such function) served by
/// its older equivalent when `version` predates it, so the link works for
/// that WASI release (docs/componentize.md, "Exit codes and older hosts").
fn serve_for_older_wasi(
    bytes: Vec<u8>,
    target: &Target,
    args: &LinkArgs,
    version: &semver::Version,
) -> anyhow::Result<Vec<u8>> {
    let arch = args
        .arch
        .or(read_linked(&bytes)?.arch())
        .unwrap_or(Arch::Wasm32);
    let lowering = wasit2_abi::Lowering::new(&target.wit, target.world, arch)
        .with_context(|| format!("lowering world `{}`", target.name))?;
    Ok(
        wasit2_componentize::serve_exit_with_code_for(&bytes, &lowering, version)
            .context("--wasi-version")?
            .unwrap_or(bytes),
    )
}

fn read_linked(bytes: &[u8]) -> anyhow::Result<Module> {
    Module::parse(bytes).context("wasm-ld produced an invalid module")
}

/// Checks the linked module against the host's profile (for the wasit2
/// host: the target world, for the module's arch) and returns that arch.
fn check_linked(
    args: &LinkArgs,
    target: &Target,
    host: Host,
    wasi_version: Option<semver::Version>,
    bytes: &[u8],
    module: &Module,
) -> anyhow::Result<Arch> {
    let arch = match (args.arch, module.arch()) {
        (Some(flag), Some(m)) if flag != m => {
            bail!(
                "`-m {}` was given but the linked module's memory is {}",
                flag.name(),
                m.name()
            )
        }
        (Some(a), _) | (None, Some(a)) => a,
        (None, None) => Arch::Wasm32,
    };
    if host.is_wasip1() && arch == Arch::Wasm64 {
        return Err(wasip1::Wasip1Error::Wasm64.into());
    }
    let built;
    let profile = match (&target.host_profile, host) {
        (Some(profile), _) => profile,
        (None, Host::Wasip1) => {
            built = HostProfile::wasip1()?;
            &built
        }
        (None, Host::Wasit2) => {
            built = HostProfile::for_world(host.name(), &target.wit, target.world, &[arch])
                .with_context(|| format!("lowering world `{}`", target.name))?
                .extend(&args.host_worlds, &args.host_allow)?;
            &built
        }
    };
    if args.verbose {
        eprintln!(
            "wasit-ld: checking {} imports against {} ({}, host {})",
            module.imports.len(),
            profile.world,
            arch.name(),
            profile.name
        );
    }
    // The engine's features: as stated, else (p1) the sysroot variant's,
    // else the profile's.
    let features = match host_cpu(args)? {
        Some(f) => Some(f),
        None if host.is_wasip1() => Some(wasip1::variant_features(&args.lib_dirs)?),
        None => None,
    };
    let opts = CheckOptions {
        wasi_version,
        features,
        import_memory: args.import_memory,
    };
    let report = wasit2_check::check_parsed(bytes, module, profile, &opts)?;
    if !report.is_ok() {
        return Err(CheckFailed(report).into());
    }
    Ok(arch)
}

/// `--host-cpu`: the host engine's wasm features, named like clang's `-mcpu`.
fn host_cpu(args: &LinkArgs) -> Result<Option<FeatureSet>, args::ArgError> {
    args.host_cpu
        .as_deref()
        .map(|c| {
            FeatureSet::from_cpu(c).ok_or_else(|| args::ArgError::BadValue {
                flag: "--host-cpu".into(),
                message: format!("unknown CPU `{c}` (expected {})", FeatureSet::CPU_NAMES),
            })
        })
        .transpose()
}

/// Writes `bytes` next to the output in `tmp` and renames it into place.
fn install_output(tmp: &Path, linked: &Path, output: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let staged = tmp.join(".final");
    std::fs::write(&staged, bytes).with_context(|| format!("writing {}", staged.display()))?;
    // Keep the permissions wasm-ld chose (executable bit included).
    if let Ok(meta) = std::fs::metadata(linked) {
        let _ = std::fs::set_permissions(&staged, meta.permissions());
    }
    std::fs::rename(&staged, output).with_context(|| format!("writing {}", output.display()))?;
    Ok(())
}

/// Code built for standard wasip2 (rustc's `wasm32-wasip2`, wit-bindgen,
/// wasi-libc's p2 build) links to a module importing `wasi:…@0.2.x`
/// functions and exporting `cabi_realloc`; rewrite it onto wasit2 imports so
/// the normal checks then see a wasit2 module. Anything else is unchanged.
fn bridge_standard_imports(bytes: Vec<u8>, verbose: bool) -> anyhow::Result<Vec<u8>> {
    if !wasit2_bridge::needs_bridge(&bytes) {
        return Ok(bytes);
    }
    if verbose {
        eprintln!("wasit-ld: bridging standard wasip2 imports onto wasit2 imports");
    }
    wasit2_bridge::bridge_standard_p2(&bytes).context("bridging standard wasip2 imports")
}

/// A module still importing `wasi_snapshot_preview1` functions (Rust std
/// for wasm32-wasip1 declares its own) is linked again with the provider of
/// exactly those functions (`wasit2_bridge::p1`: the wasit2 libc's p1 layer
/// behind each import's core signature, prebuilt in the sysroot's
/// `lib_dir`), then each import is redirected to its provider. `relink`
/// runs wasm-ld with extra arguments and returns the new module.
fn bridge_p1_imports(
    bytes: Vec<u8>,
    lib_dir: &Path,
    verbose: bool,
    relink: impl FnOnce(Vec<OsString>) -> anyhow::Result<Vec<u8>>,
) -> anyhow::Result<Vec<u8>> {
    use wasit2_bridge::p1;
    let fields = p1::p1_imports(&bytes).context("reading wasm-ld's output")?;
    if fields.is_empty() {
        return Ok(bytes);
    }
    if verbose {
        eprintln!(
            "wasit-ld: serving {} WASI preview 1 imports with the wasit2 libc's p1 layer",
            fields.len()
        );
    }
    let provider = libc::provider_lib(lib_dir)?;
    let mut more = vec![provider.into_os_string()];
    for field in &fields {
        let symbol = p1::provider_symbol(field);
        more.extend([
            "-u".into(),
            symbol.clone().into(),
            format!("--export={symbol}").into(),
        ]);
    }
    let bytes = relink(more)?;
    p1::redirect_p1_imports(&bytes).context("bridging WASI preview 1 imports")
}

/// For a module with both standard wasip2 and `wasi_snapshot_preview1`
/// imports, the wasit2 libc link whose p1 layer serves the p1 ones
/// ([`libc::wasit2_libc_for_p1`]); `None` for any other module.
fn mixed_p1_libc(
    bytes: &[u8],
    forward: &[OsString],
    lib_dirs: &[PathBuf],
) -> anyhow::Result<Option<libc::Swapped>> {
    let p1 = wasit2_bridge::p1::p1_imports(bytes).context("reading wasm-ld's output")?;
    if p1.is_empty() || !wasit2_bridge::needs_bridge(bytes) {
        return Ok(None);
    }
    Ok(libc::wasit2_libc_for_p1(forward, lib_dirs)?)
}

/// The symbols a `--allow-undefined` link left undefined: its `env`
/// function imports.
fn undefined_symbols(bytes: &[u8]) -> anyhow::Result<Vec<String>> {
    let module = read_linked(bytes)?;
    Ok(module
        .func_imports()
        .filter(|(import, _, _)| import.module == wasit2_abi::env_form::ENV_MODULE)
        .map(|(import, _, _)| import.field.clone())
        .collect())
}

/// The input files on a wasm-ld command line, for messages.
fn inputs_of(forward: &[OsString]) -> String {
    let files: Vec<String> = forward
        .iter()
        .filter(|a| !a.to_string_lossy().starts_with('-') && Path::new(a).is_file())
        .map(|a| Path::new(a).display().to_string())
        .collect();
    match files.is_empty() {
        true => "its inputs".into(),
        false => files.join(", "),
    }
}

/// Whether the command line already says what the entry point is.
fn names_entry(forward: &[OsString]) -> bool {
    forward.iter().any(|a| {
        let a = a.to_string_lossy();
        let flag = a.trim_start_matches('-');
        a.starts_with('-')
            && (flag == "e" || flag == "no-entry" || flag == "entry" || flag.starts_with("entry="))
    })
}

/// Runs wasm-ld. Its stderr is relayed with the temporary output path shown
/// as the real one; a failure becomes [`WasmLdFailed`].
fn run_wasm_ld(
    wasm_ld: &WasmLd,
    forward: &[OsString],
    extra: &[OsString],
    verbose: bool,
    rename: Option<(&Path, &Path)>,
) -> anyhow::Result<()> {
    let all: Vec<&OsString> = wasm_ld
        .leading_args
        .iter()
        .chain(forward)
        .chain(extra)
        .collect();
    if verbose {
        let mut line = args::shell_quote(wasm_ld.program.as_os_str());
        for a in &all {
            line.push(' ');
            line.push_str(&args::shell_quote(a));
        }
        eprintln!("{line}");
    }
    let out = Command::new(&wasm_ld.program)
        .args(all)
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("running {}", wasm_ld.program.display()))?;
    let mut stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if let Some((tmp, real)) = rename {
        stderr = stderr.replace(&*tmp.to_string_lossy(), &real.to_string_lossy());
    }
    // A crash dump (stack, "PLEASE submit a bug report") helps LLVM
    // developers, not the user: shown under -v only, one line of ours instead.
    let crashed = std::os::unix::process::ExitStatusExt::signal(&out.status).is_some()
        || stderr.contains("PLEASE submit a bug report");
    if !crashed || verbose {
        let _ = std::io::stderr().write_all(stderr.as_bytes());
    }
    if out.status.success() {
        return Ok(());
    }
    if crashed {
        bail!(
            "{} crashed ({}) linking {}; wasit-ld -v shows its crash report",
            wasm_ld.program.display(),
            out.status,
            inputs_of(forward)
        );
    }
    let code = out.status.code().unwrap_or(1).max(1);
    if stderr.trim().is_empty() {
        bail!(
            "{} failed ({}) without a message",
            wasm_ld.program.display(),
            out.status
        );
    }
    Err(WasmLdFailed { code }.into())
}

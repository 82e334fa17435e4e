//! C++ code compiled with `-fwasm-exceptions` links the sysroot's
//! exceptions variant of the C++ libraries (docs/cxx.md).
//!
//! clang-22's WebAssembly driver links `-lc++ -lc++abi` from
//! `<sysroot>/lib/<target>` whatever the exception model, and no unwinder.
//! When an input object uses wasm exception instructions (as code built
//! with `-fwasm-exceptions` that throws, catches or cleans up does) and
//! the link names libc++, each sysroot lib dir that has an `eh/` variant
//! gets `-L<dir>/eh` in front of it and `-lunwind` follows `-lc++abi`, so
//! the objects and the libraries agree without flags from the user.
use std::borrow::Cow;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use wasit2_module::exceptions::ExceptionUse;
use wasit2_module::Module;
use wasit2_sysroot::cxx::EH_DIR;

/// `forward` with the exceptions libraries selected, or unchanged.
pub fn with_eh_libs(forward: &[OsString]) -> Cow<'_, [OsString]> {
    match eh_args(forward) {
        Some(args) => Cow::Owned(args),
        None => Cow::Borrowed(forward),
    }
}

fn eh_args(forward: &[OsString]) -> Option<Vec<OsString>> {
    let links_cxx = forward.iter().any(|a| a == "-lc++" || a == "-lc++abi");
    if !links_cxx || !forward.iter().any(|a| uses_exceptions(Path::new(a))) {
        return None;
    }
    let eh_dir = |dir: &OsStr| -> Option<PathBuf> {
        let eh = Path::new(dir).join(EH_DIR);
        eh.join("libc++abi.a").is_file().then_some(eh)
    };
    let mut out = Vec::with_capacity(forward.len() + 2);
    let mut added_dir = false;
    let mut args = forward.iter().peekable();
    while let Some(a) = args.next() {
        let bytes = a.as_encoded_bytes();
        if bytes == b"-L" {
            if let Some(eh) = args.peek().and_then(|d| eh_dir(d)) {
                out.extend(["-L".into(), eh.into_os_string()]);
                added_dir = true;
            }
        } else if let Some(dir) = bytes.strip_prefix(b"-L") {
            // SAFETY: a suffix after an ASCII prefix of an OsStr's bytes.
            let dir = unsafe { OsStr::from_encoded_bytes_unchecked(dir) };
            if let Some(eh) = eh_dir(dir) {
                let mut flag = OsString::from("-L");
                flag.push(eh);
                out.push(flag);
                added_dir = true;
            }
        }
        out.push(a.clone());
        if a == "-lc++abi" && !forward.iter().any(|a| a == "-lunwind") {
            out.push("-lunwind".into());
        }
    }
    if !added_dir {
        return None;
    }
    if !out.iter().any(|a| a == "-lunwind") {
        out.push("-lunwind".into());
    }
    Some(out)
}

/// Whether `path` is a wasm object with exception instructions (archives
/// are not looked into: their objects come from the sysroot or follow the
/// program's own).
fn uses_exceptions(path: &Path) -> bool {
    if path.extension().is_some_and(|e| e == "a") {
        return false;
    }
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    if !bytes.starts_with(b"\0asm") {
        return false;
    }
    // Not a module wasit2-module reads: wasm-ld will say what is wrong.
    let Ok(module) = Module::parse(&bytes) else {
        return false;
    };
    ExceptionUse::scan(&bytes, &module).any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_without_exceptions_leave_the_command_alone() {
        let forward: Vec<OsString> = ["-L/nonexistent", "main.o", "-lc++", "-lc++abi"]
            .map(OsString::from)
            .to_vec();
        assert!(matches!(with_eh_libs(&forward), Cow::Borrowed(_)));
    }
}

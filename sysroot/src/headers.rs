//! The sysroot's public headers, assembled the way wasi-libc assembles
//! them: bottom-half headers, musl's headers and arch bits, a generated
//! `bits/alltypes.h`, minus headers that make no sense on WASI.
use crate::error::{Error, Result};
use crate::fsutil;
use crate::tree::Tree;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use wasit2_abi::Arch;

/// Relative path -> content.
pub type HeaderSet = BTreeMap<PathBuf, Vec<u8>>;

/// musl headers wasi-libc leaves out: templates, headers the compiler
/// provides, Linux/process/terminal facilities WASI lacks, and threading
/// headers in the single-threaded build. `netdb.h` stays: wasit2 provides
/// getaddrinfo over wasi:sockets.
const OMITTED: &[&str] = &[
    "bits/syscall.h.in",
    "bits/alltypes.h.in",
    "alltypes.h.in",
    "stdarg.h",
    "stddef.h",
    "bits/errno.h",
    "sys/procfs.h",
    "sys/user.h",
    "sys/kd.h",
    "sys/vt.h",
    "sys/soundcard.h",
    "sys/sem.h",
    "sys/shm.h",
    "sys/msg.h",
    "sys/ipc.h",
    "sys/ptrace.h",
    "sys/statfs.h",
    "bits/kd.h",
    "bits/vt.h",
    "bits/soundcard.h",
    "bits/sem.h",
    "bits/shm.h",
    "bits/msg.h",
    "bits/ipc.h",
    "bits/ptrace.h",
    "bits/statfs.h",
    "sys/vfs.h",
    "sys/statvfs.h",
    "syslog.h",
    "sys/syslog.h",
    "wait.h",
    "sys/wait.h",
    "ucontext.h",
    "sys/ucontext.h",
    "paths.h",
    "utmp.h",
    "utmpx.h",
    "lastlog.h",
    "sys/acct.h",
    "sys/cachectl.h",
    "sys/epoll.h",
    "sys/reboot.h",
    "sys/swap.h",
    "sys/sendfile.h",
    "sys/inotify.h",
    "sys/quota.h",
    "sys/klog.h",
    "sys/fsuid.h",
    "sys/io.h",
    "sys/prctl.h",
    "sys/mtio.h",
    "sys/mount.h",
    "sys/fanotify.h",
    "sys/personality.h",
    "elf.h",
    "link.h",
    "bits/link.h",
    "scsi/scsi.h",
    "scsi/scsi_ioctl.h",
    "scsi/sg.h",
    "sys/auxv.h",
    "pwd.h",
    "shadow.h",
    "grp.h",
    "mntent.h",
    "resolv.h",
    "pty.h",
    "dlfcn.h",
    "setjmp.h",
    "ulimit.h",
    "sys/xattr.h",
    "wordexp.h",
    "spawn.h",
    "sys/membarrier.h",
    "sys/signalfd.h",
    "termios.h",
    "sys/termios.h",
    "bits/termios.h",
    "net/if.h",
    "net/if_arp.h",
    "net/ethernet.h",
    "net/route.h",
    "netinet/if_ether.h",
    "netinet/ether.h",
    "sys/timerfd.h",
    "libintl.h",
    "sys/sysmacros.h",
    "aio.h",
    "pthread.h",
];

/// Expands musl's `alltypes.h.in` templates: each `TYPEDEF <type> <name>;`,
/// `STRUCT <name> <body>;` and `UNION <name> <body>;` line becomes a guarded
/// definition (`__NEED_x` requests it, `__DEFINED_x` prevents repeats).
pub fn expand_alltypes(templates: &[&str]) -> String {
    let mut out = String::new();
    for text in templates {
        for line in text.lines() {
            out.push_str(&expand_line(line).unwrap_or_else(|| line.to_string()));
            out.push('\n');
        }
    }
    out
}

fn expand_line(line: &str) -> Option<String> {
    let guarded = |key: &str, def: String| {
        format!("#if defined(__NEED_{key}) && !defined(__DEFINED_{key})\n{def}\n#define __DEFINED_{key}\n#endif\n")
    };
    if let Some(rest) = line.strip_prefix("TYPEDEF ") {
        // The name is the last word before the final `;`.
        let body = rest.strip_suffix(';')?;
        let (ty, name) = body.rsplit_once(' ')?;
        if name.is_empty() {
            return None;
        }
        return Some(guarded(name, format!("typedef {ty} {name};")));
    }
    for (kw, c_kw) in [("STRUCT", "struct"), ("UNION", "union")] {
        if let Some(rest) = line.strip_prefix(kw) {
            let body = rest.trim_start().strip_suffix(';')?;
            let (name, def) = body.split_once(' ')?;
            return Some(guarded(
                &format!("{c_kw}_{name}"),
                format!("{c_kw} {name} {def};"),
            ));
        }
    }
    None
}

/// Our wasm64 arch overlay: files that differ from musl's wasm32 bits.
pub fn wasm64_overlay_dir(overlay_root: &Path) -> PathBuf {
    overlay_root.join("arch").join("wasm64")
}

/// Assembles the public header set for `arch`.
pub fn assemble(
    tree: &Tree,
    arch: Arch,
    overlay_root: &Path,
    extra_dirs: &[PathBuf],
) -> Result<HeaderSet> {
    let mut set = HeaderSet::new();
    add_dir(
        &mut set,
        &tree.bottom().join("headers/public"),
        Path::new(""),
    )?;

    let musl = tree.musl();
    let arch_dir = musl.join("arch/wasm32");
    let w64 = wasm64_overlay_dir(overlay_root);
    let arch_template = if arch == Arch::Wasm64 && w64.join("bits/alltypes.h.in").is_file() {
        w64.join("bits/alltypes.h.in")
    } else {
        arch_dir.join("bits/alltypes.h.in")
    };
    let a = fsutil::read_string(&arch_template)?;
    let c = fsutil::read_string(&musl.join("include/alltypes.h.in"))?;
    set.insert(
        PathBuf::from("bits/alltypes.h"),
        expand_alltypes(&[&a, &c]).into_bytes(),
    );

    add_dir(&mut set, &musl.join("include"), Path::new(""))?;
    add_dir(&mut set, &musl.join("arch/generic/bits"), Path::new("bits"))?;
    add_dir(&mut set, &arch_dir.join("bits"), Path::new("bits"))?;
    if arch == Arch::Wasm64 {
        if !w64.join("bits").is_dir() {
            return Err(Error::Invalid(format!(
                "wasm64 arch overlay missing: {}",
                w64.display()
            )));
        }
        add_dir(&mut set, &w64.join("bits"), Path::new("bits"))?;
    }
    for name in OMITTED {
        set.remove(Path::new(name));
    }
    patch_declarations(&mut set)?;
    if arch == Arch::Wasm64 {
        let api = PathBuf::from("wasi/api.h");
        if let Some(text) = set.get(&api) {
            let patched = patch_api_h_for_wasm64(&String::from_utf8_lossy(text));
            set.insert(api, patched.into_bytes());
        }
    }
    for d in extra_dirs {
        add_dir(&mut set, d, Path::new(""))?;
    }
    Ok(set)
}

/// Edits that make the 2022 headers declare what the layer's libc.a defines
/// (as newer wasi-libc headers do): `tmpfile` and `tmpnam` without the
/// "not defined" deprecation, the chmod family, the record-lock commands and the opt-in
/// ownership emulation (`_WASI_EMULATED_OWNERSHIP`). Each edit must find
/// its text, so a changed tree fails loudly instead of silently.
fn patch_declarations(set: &mut HeaderSet) -> Result<()> {
    const EDITS: &[(&str, &str, &str)] = &[
        (
            "stdio.h",
            "FILE *tmpfile(void) __attribute__((__deprecated__(\"tmpfile is not defined on WASI\")));",
            "FILE *tmpfile(void); /* wasit2: defined (docs/sysroot.md) */",
        ),
        (
            "stdio.h",
            "char *tmpnam(char *) __attribute__((__deprecated__(\"tmpnam is not defined on WASI\")));",
            "char *tmpnam(char *); /* wasit2: defined (docs/sysroot.md) */",
        ),
        (
            "stdio.h",
            "#ifdef __wasilibc_unmodified_upstream /* WASI has no temp directories */\n#define TMP_MAX 10000\n#define L_tmpnam 20\n#endif\n",
            "/* wasit2: tmpnam is defined (docs/sysroot.md) */\n#define TMP_MAX 10000\n#define L_tmpnam 20\n",
        ),
        (
            "sys/stat.h",
            "#ifdef __wasilibc_unmodified_upstream /* WASI has no chmod */\nint chmod(const char *, mode_t);\nint fchmod(int, mode_t);\nint fchmodat(int, const char *, mode_t, int);\n#endif\n",
            "/* wasit2: defined, failing with ENOSYS after stat's checks (docs/sysroot.md) */\nint chmod(const char *, mode_t);\nint fchmod(int, mode_t);\nint fchmodat(int, const char *, mode_t, int);\n",
        ),
        (
            "unistd.h",
            "#ifdef __wasilibc_unmodified_upstream /* WASI has no chown */",
            "#if defined(__wasilibc_unmodified_upstream) || defined(_WASI_EMULATED_OWNERSHIP) /* wasit2: opt-in (docs/sysroot.md) */",
        ),
        (
            "unistd.h",
            "#ifdef __wasilibc_unmodified_upstream /* WASI has no getuid etc. */",
            "#if defined(__wasilibc_unmodified_upstream) || defined(_WASI_EMULATED_OWNERSHIP) /* wasit2: opt-in (docs/sysroot.md) */",
        ),
    ];
    for (file, from, to) in EDITS {
        replace_in(set, file, from, to)?;
    }
    // Record locks: the commands and types exist (fcntl fails them with
    // ENOTSUP, as current wasi-libc does); `struct flock` is musl's.
    append_before_last_endif(
        set,
        "__header_fcntl.h",
        "\n/* wasit2: POSIX record locks, declared as current wasi-libc does;\n * fcntl fails them with ENOTSUP (no locks in WASI). */\n#define F_GETLK (7)\n#define F_SETLK (8)\n#define F_SETLKW (9)\n#define F_RDLCK (0)\n#define F_WRLCK (1)\n#define F_UNLCK (2)\n",
    )?;
    Ok(())
}

fn replace_in(set: &mut HeaderSet, file: &str, from: &str, to: &str) -> Result<()> {
    let path = PathBuf::from(file);
    let text = header_text(set, &path)?;
    if !text.contains(from) {
        return Err(Error::Invalid(format!(
            "header {file}: text to patch not found: {}",
            from.lines().next().unwrap_or(from)
        )));
    }
    set.insert(path, text.replacen(from, to, 1).into_bytes());
    Ok(())
}

fn append_before_last_endif(set: &mut HeaderSet, file: &str, add: &str) -> Result<()> {
    let path = PathBuf::from(file);
    let text = header_text(set, &path)?;
    let at = text
        .rfind("#endif")
        .ok_or_else(|| Error::Invalid(format!("header {file}: no closing #endif")))?;
    let mut out = String::with_capacity(text.len() + add.len());
    out.push_str(&text[..at]);
    out.push_str(add.trim_matches('\n'));
    out.push('\n');
    out.push_str(&text[at..]);
    set.insert(path, out.into_bytes());
    Ok(())
}

fn header_text(set: &HeaderSet, path: &Path) -> Result<String> {
    match set.get(path) {
        Some(b) => Ok(String::from_utf8_lossy(b).into_owned()),
        None => Err(Error::Invalid(format!(
            "header {} missing from the tree",
            path.display()
        ))),
    }
}

/// wasi-libc's `<wasi/api.h>` refuses anything but wasm32 and asserts
/// 32-bit layouts. Its types are written with `__SIZE_TYPE__` and pointers,
/// so they are right for wasm64 once the guard and the layout assertions
/// (which only hold for wasm32) are gone.
pub fn patch_api_h_for_wasm64(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("#ifndef __wasm32__") {
            // Drop the whole `#ifndef __wasm32__ / #error / #endif` guard.
            for l in lines.by_ref() {
                if l.trim_start().starts_with("#endif") {
                    break;
                }
            }
            out.push_str("/* wasit2: wasm64 is supported; the wasm32-only layout assertions are dropped. */\n");
            continue;
        }
        if t.starts_with("_Static_assert(") {
            // Skip up to the statement's end (they may span lines).
            let mut cur = line.to_string();
            while !cur.trim_end().ends_with(");") {
                match lines.next() {
                    Some(l) => cur = l.to_string(),
                    None => break,
                }
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn add_dir(set: &mut HeaderSet, dir: &Path, prefix: &Path) -> Result<()> {
    if !dir.is_dir() {
        return Err(Error::Invalid(format!(
            "header directory missing: {}",
            dir.display()
        )));
    }
    for rel in fsutil::walk_files(dir)? {
        let data = fsutil::read(&dir.join(&rel))?;
        set.insert(prefix.join(rel), data);
    }
    Ok(())
}

/// Makes `dir` hold exactly `set`, touching only files whose content
/// changed (so dependency-based rebuilds stay incremental).
pub fn sync_dir(set: &HeaderSet, dir: &Path) -> Result<bool> {
    fsutil::create_dir_all(dir)?;
    let mut changed = false;
    if dir.is_dir() {
        for rel in fsutil::walk_files(dir)? {
            if !set.contains_key(&rel) {
                fsutil::remove_any(&dir.join(&rel));
                changed = true;
            }
        }
    }
    for (rel, data) in set {
        changed |= fsutil::write_if_changed(&dir.join(rel), data)?;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typedef_struct_union_expand_like_musl() {
        let out = expand_alltypes(&["TYPEDEF unsigned _Addr size_t;\nSTRUCT iovec { void *iov_base; size_t iov_len; };\nUNION u { int a; };\n#define X 1"]);
        assert!(out.contains("#if defined(__NEED_size_t) && !defined(__DEFINED_size_t)\ntypedef unsigned _Addr size_t;\n#define __DEFINED_size_t\n#endif\n"));
        assert!(out.contains("#if defined(__NEED_struct_iovec) && !defined(__DEFINED_struct_iovec)\nstruct iovec { void *iov_base; size_t iov_len; };"));
        assert!(out.contains("union u { int a; };\n#define __DEFINED_union_u"));
        assert!(out.contains("\n#define X 1\n"));
    }

    #[test]
    fn declaration_edits_land_inside_the_guard_or_fail() {
        let mut set = HeaderSet::new();
        set.insert(
            PathBuf::from("a.h"),
            b"#ifndef A\n#define A\n#ifdef X\n#endif\nint f(void) OLD;\n#endif\n".to_vec(),
        );
        append_before_last_endif(&mut set, "a.h", "\n#include <b.h>\n").unwrap();
        replace_in(&mut set, "a.h", "int f(void) OLD;", "int f(void);").unwrap();
        assert_eq!(
            String::from_utf8_lossy(&set[Path::new("a.h")]),
            "#ifndef A\n#define A\n#ifdef X\n#endif\nint f(void);\n#include <b.h>\n#endif\n"
        );
        assert!(replace_in(&mut set, "a.h", "int f(void) OLD;", "x").is_err());
        assert!(replace_in(&mut set, "missing.h", "a", "b").is_err());
    }

    #[test]
    fn api_h_patch_removes_guard_and_asserts() {
        let src = "#ifndef __wasm32__\n#error no\n#endif\n_Static_assert(_Alignof(void*) == 4, \"x\");\ntypedef int a;\n_Static_assert(offsetof(\n  s, f) == 4, \"y\");\nint b;\n";
        let out = patch_api_h_for_wasm64(src);
        assert!(!out.contains("#error") && !out.contains("_Static_assert"));
        assert!(out.contains("typedef int a;\nint b;\n"));
    }
}

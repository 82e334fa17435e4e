//! `wasit-ld --host wasip1` through the installed clang target: the adapter
//! is linked from the sysroot, `_start` is the entry, and what p1 cannot
//! serve is a link error with its call path, the same one
//! `wasit2 check --host wasip1` prints for the module linked for wasit2.
//!
//! Needs `make build sysroot clang-install`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{stderr, WASIT_LD};
use wasit2_testkit::{clang, Tool};

fn wasit2_bin() -> PathBuf {
    Tool::Wasit2.path()
}

/// Compiles and links `src` with clang's `target`, through the wasit-ld under test.
fn cc(dir: &Path, target: &str, src: &str, out: &str, extra: &[&str]) -> (Output, PathBuf) {
    let c = dir.join(format!("{out}.c"));
    std::fs::write(&c, src).unwrap();
    let wasm = dir.join(format!("{out}.wasm"));
    let o = Command::new(clang())
        .arg(format!("--target={target}"))
        .arg("-O2")
        .arg(format!("-fuse-ld={WASIT_LD}"))
        .args(extra)
        .arg(&c)
        .arg("-o")
        .arg(&wasm)
        .output()
        .expect("clang-22 runs");
    (o, wasm)
}

const CONNECT: &str = r#"#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(void) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(80);
    a.sin_addr.s_addr = htonl(0x7f000001);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 1; }
    puts("connected");
    return 0;
}
"#;

/// The report line about `start-connect`, from its subject onwards, with
/// the call path cut to start at `main`.
fn connect_problem(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.contains("start-connect") && l.contains("call path:"))
        .unwrap_or_else(|| panic!("no start-connect problem with a call path in:\n{text}"));
    let (message, path) = line.split_once("; call path: ").unwrap();
    let message = message.rsplit_once(": wasi:").map_or(message, |(_, m)| m);
    let from_main = &path[path
        .find("main → ")
        .unwrap_or_else(|| panic!("no main in {path}"))..];
    format!("wasi:{message}; call path: {from_main}")
}

#[test]
fn connect_fails_to_link_for_wasip1_with_the_call_path_check_prints() {
    let dir = tempfile::tempdir().unwrap();
    let (out, wasm) = cc(
        dir.path(),
        "wasm32-wasit2-mvp",
        CONNECT,
        "connect",
        &["-Wl,--host=wasip1"],
    );
    let err = stderr(&out);
    assert!(
        !out.status.success(),
        "linked although p1 has no connect:\n{err}"
    );
    assert!(!wasm.exists(), "a failed link left {}", wasm.display());
    let from_link = connect_problem(&err);
    assert!(
        from_link.contains("main → connect → ")
            && from_link.ends_with("wasi:sockets/tcp@0.2.[method]tcp-socket.start-connect")
            && from_link.contains("not provided by host wasip1"),
        "{from_link}"
    );
    // Every error line is one problem of the checker's report.
    assert!(
        err.lines()
            .filter(|l| !l.starts_with("clang"))
            .all(|l| l.starts_with("error: ")),
        "{err}"
    );

    // Linked for the wasit2 host, the same program is fine there, and the
    // p1 check of it reports the same problem with the same path from main.
    let (out, wasm) = cc(dir.path(), "wasm32-wasit2-mvp", CONNECT, "connect-w2", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let check = Command::new(wasit2_bin())
        .args(["check", "--host", "wasip1"])
        .arg(&wasm)
        .output()
        .expect("wasit2 runs");
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&check.stdout), "");
    let report = String::from_utf8_lossy(&check.stderr);
    assert_eq!(
        connect_problem(&report),
        from_link,
        "wasit2 check:\n{report}\nwasit-ld:\n{err}"
    );
    // Not just that line: with the same libc in both modules (the wasit2
    // libc, which `--wasip1-libc=adapter` links), the whole report is the
    // same, problem for problem. The direct libc needs fewer p2 functions.
    let (out, _) = cc(
        dir.path(),
        "wasm32-wasit2-mvp",
        CONNECT,
        "connect-adapter",
        &["-Wl,--host=wasip1", "-Wl,--wasip1-libc=adapter"],
    );
    assert!(!out.status.success());
    let err_adapter = stderr(&out);
    // wasit-ld prints exactly the report `wasit2 check` prints (clang adds
    // its own summary line after it).
    let from_ld: String = err_adapter
        .lines()
        .filter(|l| !l.starts_with("clang"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(report, from_ld);
    let from_check: Vec<&str> = report.lines().collect();
    let import = |l: &str| {
        let problem = l.strip_prefix("error: ").unwrap_or(l);
        problem.split(": ").next().unwrap_or(problem).to_string()
    };
    let checked: Vec<String> = from_check.iter().map(|l| import(l)).collect();
    let direct: Vec<&str> = err.lines().filter(|l| !l.starts_with("clang")).collect();
    assert!(
        direct.iter().all(|l| checked.contains(&import(l))),
        "{direct:?}\n{checked:?}"
    );
}

#[test]
fn hello_links_for_wasip1_with_start_memory_and_p1_imports_only() {
    let dir = tempfile::tempdir().unwrap();
    let src = "#include <stdio.h>\nint main(void) { puts(\"hello p1\"); return 0; }\n";
    let (out, wasm) = cc(
        dir.path(),
        "wasm32-wasit2-mvp",
        src,
        "hello",
        &["-Wl,--host=wasip1", "-s"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&wasm).unwrap();
    let mut exports = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        match payload.unwrap() {
            wasmparser::Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    assert_eq!(imp.unwrap().module, "wasi_snapshot_preview1");
                }
            }
            wasmparser::Payload::ExportSection(r) => {
                exports.extend(r.into_iter().map(|e| e.unwrap().name.to_string()));
            }
            wasmparser::Payload::CustomSection(c) => panic!("-s left custom section {}", c.name()),
            _ => {}
        }
    }
    assert!(exports.iter().any(|e| e == "_start"), "{exports:?}");
    assert!(exports.iter().any(|e| e == "memory"), "{exports:?}");
    let run = Command::new(Tool::Iwasm.path())
        .arg(&wasm)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&run.stdout), "hello p1\n");
}

#[test]
fn default_cpu_build_fails_the_wamr_feature_check_naming_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    // An indirect call: clang-22's default CPU encodes it with reference-types.
    // The default variant links for any engine; the 2020 WAMR's is stated.
    let src = "#include <stdio.h>\nint (*volatile f)(const char *) = puts;\nint main(void) { return f(\"x\") < 0; }\n";
    let (out, wasm) = cc(
        dir.path(),
        "wasm32-wasit2",
        src,
        "feat",
        &["-Wl,--host=wasip1,--host-cpu=mvp"],
    );
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(!wasm.exists());
    let line = err
        .lines()
        .find(|l| l.contains("reference-types"))
        .unwrap_or_else(|| panic!("no reference-types problem in:\n{err}"));
    assert!(
        line.starts_with("error: uses wasm feature `reference-types` (in function `main`: "),
        "{line}"
    );
    assert!(
        line.contains("--target=wasm32-wasit2-mvp") && line.contains("-mcpu=mvp"),
        "{line}"
    );
}

#[test]
fn wasm64_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let src = "int main(void) { return 0; }\n";
    let (out, wasm) = cc(
        dir.path(),
        "wasm64-wasit2",
        src,
        "w64",
        &["-Wl,--host=wasip1"],
    );
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(!wasm.exists());
    let ours: Vec<&str> = err.lines().filter(|l| l.starts_with("wasit-ld")).collect();
    assert_eq!(ours.len(), 1, "{err}");
    assert!(ours[0].contains("wasm32 only"), "{err}");
}

/// A p1 server over the socket the runtime pre-opens: poll, accept,
/// recv(from), send(to), shutdown, all served by the direct libc's p1 calls.
/// (Runtimes hand the listener over non-blocking, hence the polls.)
const PREOPENED_ECHO: &str = r#"#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int wait_for(int fd, short events) {
    struct pollfd p = {.fd = fd, .events = events};
    return poll(&p, 1, 20000) == 1 ? 0 : -1;
}

int main(void) {
    int listener = -1;
    for (int fd = 3; fd < 32 && listener < 0; fd++) {
        int type;
        socklen_t len = sizeof type;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM)
            listener = fd;
    }
    if (listener < 0) { puts("no pre-opened socket"); return 1; }
    if (wait_for(listener, POLLIN) != 0) { puts("no client"); return 1; }
    int c = accept(listener, NULL, NULL);
    if (c < 0) { perror("accept"); return 1; }
    char buf[64];
    struct sockaddr_storage peer;
    socklen_t plen = sizeof peer;
    if (wait_for(c, POLLIN) != 0) { puts("no data"); return 1; }
    ssize_t n = recvfrom(c, buf, sizeof buf, 0, (struct sockaddr *)&peer, &plen);
    if (n <= 0) { perror("recvfrom"); return 1; }
    if (send(c, "echo: ", 6, 0) != 6 || sendto(c, buf, n, 0, NULL, 0) != n) { perror("send"); return 1; }
    if (shutdown(c, SHUT_WR) != 0) { perror("shutdown"); return 1; }
    close(c);
    printf("served %d bytes, peer address length %d\n", (int)n, (int)plen);
    return 0;
}
"#;

/// The server links to p1's sock_* functions alone and serves a client on
/// wasmtime 42, the last wasmtime CLI whose p1 host pre-opens sockets
/// (`-S preview2=n -S tcplisten=ADDR`; set up as `.tools/bin/wasmtime42`).
/// wasmtime 49 has no such option and the 2020 WAMR no `sock_accept`; both
/// run it up to finding no socket.
#[test]
fn preopened_socket_server_serves_a_client_on_wasmtime_42() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let (out, wasm) = cc(
        dir.path(),
        "wasm32-wasit2-mvp",
        PREOPENED_ECHO,
        "echo",
        &["-Wl,--host=wasip1"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let info = wasit2_module::Module::parse(&std::fs::read(&wasm).unwrap()).unwrap();
    for imp in &info.imports {
        assert_eq!(imp.module, "wasi_snapshot_preview1", "{}", imp.field);
    }
    for f in ["sock_accept", "sock_recv", "sock_send", "sock_shutdown"] {
        assert!(
            info.imports.iter().any(|i| i.field == f),
            "{f} not imported"
        );
    }

    // A free port: the listener is closed before wasmtime binds it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(Tool::Wasmtime42.path())
        .args([
            "run",
            "-S",
            "preview2=n",
            "-S",
            &format!("tcplisten=127.0.0.1:{port}"),
        ])
        .arg(&wasm)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("wasmtime42 runs (scripts/setup.sh installs it)");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut client = loop {
        match std::net::TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => break s,
            Err(_) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50))
            }
            Err(e) => {
                let _ = server.kill();
                panic!("wasmtime42 never listened on port {port}: {e}");
            }
        }
    };
    client.write_all(b"ping").unwrap();
    let mut reply = String::new();
    client.read_to_string(&mut reply).unwrap();
    let done = server.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&done.stderr);
    assert_eq!(reply, "echo: ping", "stderr: {err}");
    assert_eq!(
        String::from_utf8_lossy(&done.stdout),
        "served 4 bytes, peer address length 0\n",
        "{err}"
    );
    assert!(done.status.success(), "{err}");

    let wasmtime = Command::new(Tool::Wasmtime.path())
        .arg("run")
        .arg(&wasm)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&wasmtime.stdout),
        "no pre-opened socket\n"
    );
    assert_eq!(wasmtime.status.code(), Some(1));
    // The 2020 iwasm warns on stdout that it lacks sock_accept, then runs.
    let iwasm = Command::new(Tool::Iwasm.path())
        .arg(&wasm)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&iwasm.stdout).starts_with("no pre-opened socket\n"));
}

/// The direct libc calls p1 itself, so a libc-only program holds none of
/// the adapter's code; `--wasip1-libc=adapter` links the wasit2 libc,
/// served entirely by the adapter.
#[test]
fn the_direct_libc_leaves_the_adapter_out_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let src = "#include <stdio.h>\nint main(void) { puts(\"hello p1\"); return 0; }\n";
    let names = |extra: &[&str], out: &str| -> Vec<String> {
        let (o, wasm) = cc(dir.path(), "wasm32-wasit2-mvp", src, out, extra);
        assert!(o.status.success(), "{}", stderr(&o));
        let run = Command::new(Tool::Iwasm.path())
            .arg(&wasm)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&run.stdout), "hello p1\n");
        let info = wasit2_module::Module::parse(&std::fs::read(&wasm).unwrap()).unwrap();
        info.names.into_values().collect::<Vec<String>>()
    };
    let adapter_code = |names: &[String]| names.iter().any(|n| n.starts_with("__wasit2_import_"));
    let direct = names(&["-Wl,--host=wasip1"], "direct");
    assert!(!adapter_code(&direct), "{direct:?}");
    let adapted = names(
        &["-Wl,--host=wasip1", "-Wl,--wasip1-libc=adapter"],
        "adapted",
    );
    assert!(adapter_code(&adapted), "{adapted:?}");

    let (o, _) = cc(
        dir.path(),
        "wasm32-wasit2-mvp",
        src,
        "bad",
        &["-Wl,--host=wasip1", "-Wl,--wasip1-libc=p2"],
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("invalid value for `--wasip1-libc`: `p2`"),
        "{}",
        stderr(&o)
    );
}

/// The 2020 WAMR puts its own heap in pages it adds to a module that exports
/// no allocator, and dlmalloc must not allocate over it: a program that
/// allocates goes through the layer's `__wrap_sbrk` (wasit-ld links with
/// `--wrap=sbrk`), so a 300,000-byte buffer written and read back runs on
/// the 2020 iwasm (which stops it with "out of memory" otherwise) while
/// exporting neither `malloc` nor `free`, which would cost two calls into
/// wasm per `read`. A program that never allocates does not get the wrapper.
#[test]
fn programs_that_allocate_keep_clear_of_wamrs_heap_without_exports() {
    let dir = tempfile::tempdir().unwrap();
    let big = r#"#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(void) {
    size_t n = 300000;
    char *out = malloc(n), *in = malloc(n);
    if (!out || !in) return 1;
    for (size_t i = 0; i < n; i++) out[i] = (char)(i * 7);
    int fd = open("big.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (fd < 0 || write(fd, out, n) != (ssize_t)n) return 2;
    if (lseek(fd, 0, SEEK_SET) != 0 || read(fd, in, n) != (ssize_t)n) return 3;
    printf("%s\n", memcmp(in, out, n) == 0 ? "same" : "differs");
    free(in);
    free(out);
    return close(fd);
}
"#;
    let parse = |wasm: &Path| wasit2_module::Module::parse(&std::fs::read(wasm).unwrap()).unwrap();
    let exports =
        |wasm: &Path| -> Vec<String> { parse(wasm).exports.into_iter().map(|e| e.name).collect() };
    for libc in ["direct", "adapter"] {
        let libc_flag = format!("-Wl,--wasip1-libc={libc}");
        let (o, wasm) = cc(
            dir.path(),
            "wasm32-wasit2-mvp",
            big,
            &format!("big-{libc}"),
            &["-Wl,--host=wasip1", &libc_flag],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let names = exports(&wasm);
        assert!(
            !names.iter().any(|n| n == "malloc" || n == "free"),
            "{libc}: {names:?}"
        );
        assert!(
            parse(&wasm).has_function_named("__wrap_sbrk"),
            "{libc}: no __wrap_sbrk"
        );
        let run = Command::new(Tool::Iwasm.path())
            .arg("--dir=.")
            .arg(&wasm)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&run.stdout),
            "same\n",
            "{libc}: iwasm stderr: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }

    let hello = "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n";
    let (o, wasm) = cc(
        dir.path(),
        "wasm32-wasit2-mvp",
        hello,
        "hello",
        &["-Wl,--host=wasip1"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let names = exports(&wasm);
    assert!(
        !names.iter().any(|n| n == "malloc" || n == "free"),
        "{names:?}"
    );
    assert!(!parse(&wasm).has_function_named("__wrap_sbrk"));
}

#[test]
fn wasit2_check_of_a_file_that_is_not_wasm_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("text.wasm", b"hello, not wasm\n".as_slice()),
        ("cut.wasm", b"\0asm\x01\0\0\0\x01\x05".as_slice()),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        for host in ["wasit2", "wasip1"] {
            let out = Command::new(wasit2_bin())
                .args(["check", "--host", host])
                .arg(&path)
                .output()
                .expect("wasit2 runs");
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{err}");
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(
                err.starts_with(&format!(
                    "wasit2: error: {}: not a valid core wasm module: ",
                    path.display()
                )),
                "{err}"
            );
        }
    }
}

/// A reactor (`-mexec-model=reactor`) links for a p1 host without
/// `_start`: the runtime calls `_initialize` (which runs the constructors)
/// and then the export, here on the 2020 iwasm and on wasmtime.
#[test]
fn reactor_links_for_wasip1_and_runs_its_export_on_iwasm_and_wasmtime() {
    let dir = tempfile::tempdir().unwrap();
    let src = r#"#include <stdio.h>
#include <stdlib.h>
static int base;
__attribute__((constructor)) static void init(void) { base = 40; }
__attribute__((export_name("add"))) int add(int a, int b) {
    char *p = malloc(100000);
    p[99999] = 1;
    printf("add %d %d\n", a, b);
    fflush(stdout);
    free(p);
    return base + a + b;
}
"#;
    let (out, wasm) = cc(
        dir.path(),
        "wasm32-wasit2-mvp",
        src,
        "reactor",
        &["-mexec-model=reactor", "-Wl,--host=wasip1"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let exports = common::export_names(&std::fs::read(&wasm).unwrap());
    assert!(exports.iter().any(|e| e == "_initialize"), "{exports:?}");
    assert!(!exports.iter().any(|e| e == "_start"), "{exports:?}");

    let iwasm = Command::new(Tool::Iwasm.path())
        .args(["-f", "add"])
        .arg(&wasm)
        .args(["1", "2"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&iwasm.stdout),
        "add 1 2\n0x2b:i32\n",
        "iwasm stderr: {}",
        stderr(&iwasm)
    );
    let wasmtime = Command::new(Tool::Wasmtime.path())
        .args(["run", "--invoke", "add"])
        .arg(&wasm)
        .args(["1", "2"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&wasmtime.stdout),
        "add 1 2\n43\n",
        "wasmtime stderr: {}",
        stderr(&wasmtime)
    );
}

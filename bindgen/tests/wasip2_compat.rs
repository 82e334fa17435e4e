//! The wasip2 C API over wasit2 imports (`wasit2_bindgen::wasip2_compat`),
//! against the header of the 2026 wasi-libc tree in `../shared`: every
//! declared function is defined; the source compiles for wasm32-wasit2 and
//! wasm64-wasit2 with the tree's headers; a program calling environment,
//! stdout, preopens, file reads, directories, clocks, poll, UDP and random
//! through it runs on `wasit2 run` and componentized on wasmtime, with the
//! bindings' mallocs counted; the module imports only wasit2 functions and
//! exports no realloc.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use wasit2_abi::Arch;
use wasit2_bindgen::wasip2_compat;
use wasit2_testkit::{clang, repo, require_clang_target, wasit2_bin, Tool};

fn tree() -> Option<PathBuf> {
    let t = repo().join("../shared/wasi-libc");
    if t.join(wasip2_compat::HEADER_PATH).is_file() {
        Some(t)
    } else {
        println!(
            "wasip2_compat: needs the wasi-libc tree at {} (CI has it; a fresh machine does not): not run",
            t.display()
        );
        None
    }
}

/// The function names a C prototype line of the header declares, read
/// here independently of the generator: `NAME(` on lines ending in `);`.
fn declared(header: &str) -> BTreeSet<String> {
    header
        .lines()
        .map(str::trim)
        .filter(|l| l.ends_with(");") && !l.starts_with("//") && !l.starts_with('#'))
        .filter_map(|l| {
            let head = &l[..l.find('(')?];
            let name = head
                .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()?;
            (!name.is_empty()).then(|| name.to_string())
        })
        .collect()
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const VERSION_H: &str = "#ifndef __WASI_VERSION_H\n#define __WASI_VERSION_H\n#ifndef __wasip2__\n#define __wasip2__ 1\n#endif\n#endif\n";

const PROGRAM: &str = r#"
#include <wasi/wasip2.h>
#include <wasi/wasip2_wasit2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); exit(1); } } while (0)

/* Linked with -Wl,--wrap=malloc: the bindings allocate with malloc only. */
static unsigned long allocs;
void *__real_malloc(size_t);
void *__wrap_malloc(size_t n) { allocs++; return __real_malloc(n); }
#define ALLOCS(n, stmt) do { unsigned long before = allocs; stmt; \
    if (allocs - before != (n)) { printf("FAIL %s:%d: %lu mallocs, want %d\n", __FILE__, __LINE__, allocs - before, (n)); exit(1); } } while (0)

static int eq(wasip2_string_t s, const char *c) {
    return s.len == strlen(c) && memcmp(s.ptr, c, s.len) == 0;
}

static void block_on(poll_own_pollable_t p) {
    poll_method_pollable_block(poll_borrow_pollable(p));
    poll_pollable_drop_own(p);
}

/* UDP to itself on loopback: ip-socket-address variants as parameters
 * (option<…> by nullable pointer) and results, a list of records with
 * lists as a parameter and as a result (datagrams). */
static void udp_roundtrip(void) {
    udp_create_socket_own_udp_socket_t sock;
    udp_error_code_t uerr;
    CHECK(udp_create_socket_create_udp_socket(NETWORK_IP_ADDRESS_FAMILY_IPV4, &sock, &uerr));
    udp_borrow_udp_socket_t b = udp_borrow_udp_socket(sock);
    instance_network_own_network_t net = instance_network_instance_network();
    udp_ip_socket_address_t any = { .tag = NETWORK_IP_SOCKET_ADDRESS_IPV4,
        .val.ipv4 = { .port = 0, .address = { 127, 0, 0, 1 } } };
    CHECK(udp_method_udp_socket_start_bind(b, network_borrow_network(net), &any, &uerr));
    while (!udp_method_udp_socket_finish_bind(b, &uerr)) {
        CHECK(uerr == NETWORK_ERROR_CODE_WOULD_BLOCK);
        block_on(udp_method_udp_socket_subscribe(b));
    }
    udp_ip_socket_address_t local;
    CHECK(udp_method_udp_socket_local_address(b, &local, &uerr));
    CHECK(local.tag == NETWORK_IP_SOCKET_ADDRESS_IPV4 && local.val.ipv4.port != 0);
    CHECK(local.val.ipv4.address.f0 == 127 && local.val.ipv4.address.f3 == 1);
    CHECK(udp_method_udp_socket_address_family(b) == NETWORK_IP_ADDRESS_FAMILY_IPV4);

    udp_tuple2_own_incoming_datagram_stream_own_outgoing_datagram_stream_t streams;
    CHECK(udp_method_udp_socket_stream(b, NULL, &streams, &uerr));
    udp_borrow_outgoing_datagram_stream_t out = udp_borrow_outgoing_datagram_stream(streams.f1);
    udp_borrow_incoming_datagram_stream_t in = udp_borrow_incoming_datagram_stream(streams.f0);
    uint64_t permit = 0;
    for (;;) {
        CHECK(udp_method_outgoing_datagram_stream_check_send(out, &permit, &uerr));
        if (permit > 0) break;
        block_on(udp_method_outgoing_datagram_stream_subscribe(out));
    }
    udp_outgoing_datagram_t d[2] = {
        { .data = { (uint8_t *)"ping", 4 }, .remote_address = { .is_some = true, .val = local } },
        { .data = { (uint8_t *)"second", 6 }, .remote_address = { .is_some = true, .val = local } },
    };
    udp_list_outgoing_datagram_t dl = { d, permit >= 2 ? 2 : 1 };
    uint64_t sent = 0;
    CHECK(udp_method_outgoing_datagram_stream_send(out, &dl, &sent, &uerr));
    CHECK(sent == dl.len);

    size_t got = 0;
    while (got < sent) {
        udp_list_incoming_datagram_t rx;
        CHECK(udp_method_incoming_datagram_stream_receive(in, 8, &rx, &uerr));
        for (size_t i = 0; i < rx.len; i++, got++) {
            CHECK(eq(*(wasip2_string_t *)&rx.ptr[i].data, got == 0 ? "ping" : "second"));
            CHECK(rx.ptr[i].remote_address.tag == NETWORK_IP_SOCKET_ADDRESS_IPV4);
            CHECK(rx.ptr[i].remote_address.val.ipv4.port == local.val.ipv4.port);
        }
        udp_list_incoming_datagram_free(&rx);
        if (got < sent) block_on(udp_method_incoming_datagram_stream_subscribe(in));
    }
    udp_incoming_datagram_stream_drop_own(streams.f0);
    udp_outgoing_datagram_stream_drop_own(streams.f1);
    udp_udp_socket_drop_own(sock);
    network_network_drop_own(net);
}

int main(void) {
    /* get-environment: the long value does not fit the first guess. */
    wasip2_list_tuple2_string_string_t env;
    environment_get_environment(&env);
    int found = 0, long_ok = 0;
    for (size_t i = 0; i < env.len; i++) {
        if (eq(env.ptr[i].f0, "W2_SHORT") && eq(env.ptr[i].f1, "hello")) found = 1;
        if (eq(env.ptr[i].f0, "W2_LONG") && env.ptr[i].f1.len == 3000 && env.ptr[i].f1.ptr[2999] == 'x') long_ok = 1;
    }
    CHECK(found && long_ok);
    wasip2_list_tuple2_string_string_free(&env);
    CHECK(env.len == 0);

    /* stdout through blocking-write-and-flush. */
    stdout_own_output_stream_t out = stdout_get_stdout();
    wasip2_list_u8_t msg = { (uint8_t *)"compat: hello\n", 14 };
    streams_stream_error_t serr;
    ALLOCS(0, CHECK(streams_method_output_stream_blocking_write_and_flush(streams_borrow_output_stream(out), &msg, &serr)));
    streams_output_stream_drop_own(out);

    /* preopens: free each name on its own, as wasi-libc's preopens.c does. */
    filesystem_preopens_list_tuple2_own_descriptor_string_t pre;
    filesystem_preopens_get_directories(&pre);
    CHECK(pre.len == 1);
    CHECK(eq(pre.ptr[0].f1, "/data"));
    filesystem_own_descriptor_t dir = pre.ptr[0].f0;
    wasip2_string_free(&pre.ptr[0].f1);
    free(pre.ptr);

    wasip2_string_t path;
    wasip2_string_set(&path, "in.txt");
    filesystem_own_descriptor_t file;
    filesystem_error_code_t ferr;
    CHECK(filesystem_method_descriptor_open_at(filesystem_borrow_descriptor(dir), 0, &path,
        0, FILESYSTEM_DESCRIPTOR_FLAGS_READ, &file, &ferr));

    /* read-via-stream + blocking-read: exactly len, then the rest, then closed. */
    filesystem_own_input_stream_t in;
    CHECK(filesystem_method_descriptor_read_via_stream(filesystem_borrow_descriptor(file), 2, &in, &ferr));
    wasip2_list_u8_t bytes;
    /* One block, the arena, which the list keeps. */
    ALLOCS(1, CHECK(streams_method_input_stream_blocking_read(streams_borrow_input_stream(in), 5, &bytes, &serr)));
    CHECK(bytes.len == 5 && memcmp(bytes.ptr, "23456", 5) == 0);
    wasip2_list_u8_free(&bytes);
    CHECK(streams_method_input_stream_blocking_read(streams_borrow_input_stream(in), 1000, &bytes, &serr));
    CHECK(bytes.len == 8 && memcmp(bytes.ptr, "789abcd\n", 8) == 0);
    wasip2_list_u8_free(&bytes);
    CHECK(!streams_method_input_stream_blocking_read(streams_borrow_input_stream(in), 10, &bytes, &serr));
    CHECK(serr.tag == STREAMS_STREAM_ERROR_CLOSED);
    streams_input_stream_drop_own(in);

    /* The zero-copy variants read straight into the caller's buffer. */
    char buf[16];
    CHECK(filesystem_method_descriptor_read_via_stream(filesystem_borrow_descriptor(file), 0, &in, &ferr));
    ALLOCS(0, CHECK(streams_method_input_stream_blocking_read_into(streams_borrow_input_stream(in), 3, &bytes, &serr, buf)));
    CHECK(bytes.ptr == (uint8_t *)buf && bytes.len == 3 && memcmp(buf, "012", 3) == 0);
    streams_input_stream_drop_own(in);
    wasip2_tuple2_list_u8_bool_t into;
    ALLOCS(0, CHECK(filesystem_method_descriptor_read_into(filesystem_borrow_descriptor(file), 16, 12, &into, &ferr, buf)));
    CHECK(into.f0.ptr == (uint8_t *)buf && into.f0.len == 3 && memcmp(buf, "cd\n", 3) == 0);

    /* descriptor.read (pread) into a tuple<list<u8>, bool>. */
    wasip2_tuple2_list_u8_bool_t chunk;
    CHECK(filesystem_method_descriptor_read(filesystem_borrow_descriptor(file), 4, 10, &chunk, &ferr));
    CHECK(chunk.f0.len == 4 && memcmp(chunk.f0.ptr, "abcd", 4) == 0 && !chunk.f1);
    wasip2_list_u8_free(&chunk.f0);

    /* stat: a record result through the return area. */
    filesystem_descriptor_stat_t st;
    CHECK(filesystem_method_descriptor_stat(filesystem_borrow_descriptor(file), &st, &ferr));
    CHECK(st.type == FILESYSTEM_DESCRIPTOR_TYPE_REGULAR_FILE && st.size == 15);

    /* An error result: opening a missing file. */
    filesystem_own_descriptor_t none;
    wasip2_string_set(&path, "missing.txt");
    CHECK(!filesystem_method_descriptor_open_at(filesystem_borrow_descriptor(dir), 0, &path,
        0, FILESYSTEM_DESCRIPTOR_FLAGS_READ, &none, &ferr));
    CHECK(ferr == FILESYSTEM_ERROR_CODE_NO_ENTRY);

    /* Directory entries: a string inside option<record> inside result. */
    filesystem_own_directory_entry_stream_t ds;
    CHECK(filesystem_method_descriptor_read_directory(filesystem_borrow_descriptor(dir), &ds, &ferr));
    filesystem_option_directory_entry_t ent;
    int names = 0;
    for (;;) {
        CHECK(filesystem_method_directory_entry_stream_read_directory_entry(
            filesystem_borrow_directory_entry_stream(ds), &ent, &ferr));
        if (!ent.is_some) break;
        if (eq(ent.val.name, "in.txt") || eq(ent.val.name, "link")) names++;
        filesystem_directory_entry_free(&ent.val);
    }
    CHECK(names == 2);
    filesystem_directory_entry_stream_drop_own(ds);

    /* random: a list whose size is the len argument. */
    wasip2_list_u8_t rnd;
    random_get_random_bytes(64, &rnd);
    CHECK(rnd.len == 64);
    wasip2_list_u8_free(&rnd);

    /* readlink-at: a string result of unknown size. */
    wasip2_string_set(&path, "link");
    wasip2_string_t target;
    CHECK(filesystem_method_descriptor_readlink_at(filesystem_borrow_descriptor(dir), &path, &target, &ferr));
    CHECK(eq(target, "in.txt"));
    wasip2_string_free(&target);

    filesystem_descriptor_drop_own(file);
    filesystem_descriptor_drop_own(dir);

    /* get-arguments: list<string>, each string freed on its own. */
    wasip2_list_string_t args;
    /* The arena (kept by the array), then one block per string. */
    ALLOCS(1 + 3, environment_get_arguments(&args));
    CHECK(args.len == 3 && eq(args.ptr[1], "one") && eq(args.ptr[2], "two"));
    for (size_t i = 0; i < args.len; i++) wasip2_string_free(&args.ptr[i]);
    free(args.ptr);

    /* Clocks: a single flat result, a record in the return area; poll. */
    CHECK(monotonic_clock_now() != 0);
    wall_clock_datetime_t now;
    wall_clock_now(&now);
    CHECK(now.seconds > 1600000000u && now.nanoseconds < 1000000000u);
    monotonic_clock_own_pollable_t timer = monotonic_clock_subscribe_duration(1000);
    poll_borrow_pollable_t waiting[2] = { poll_borrow_pollable(timer), poll_borrow_pollable(timer) };
    poll_list_borrow_pollable_t list = { waiting, 2 };
    wasip2_list_u32_t ready;
    poll_poll(&list, &ready);
    CHECK(ready.len == 2 && ready.ptr[0] == 0 && ready.ptr[1] == 1);
    wasip2_list_u32_free(&ready);
    CHECK(poll_method_pollable_ready(poll_borrow_pollable(timer)));
    poll_pollable_drop_own(timer);

    udp_roundtrip();

    wasip2_string_t dup;
    wasip2_string_dup(&dup, "copied");
    CHECK(eq(dup, "copied"));
    wasip2_string_free(&dup);
    printf("compat: ok\n");
    return 0;
}
"#;

fn compile(arch: Arch, src: &Path, include: &Path, tree: &Path, out: &Path) {
    run_ok(
        Command::new(clang())
            .arg(format!("--target={}", arch.triple()))
            // -Wno-deprecated: the driver calls the wasit2 OS name deprecated
            // (docs/sysroot.md, "Known issues").
            .args([
                "-O2",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-Wno-deprecated",
                "-c",
            ])
            .arg("-I")
            .arg(include)
            .arg("-I")
            .arg(tree.join("libc-bottom-half/headers/public"))
            .arg(src)
            .arg("-o")
            .arg(out),
    );
}

#[test]
fn every_declared_function_is_defined_and_works() {
    let Some(tree) = tree() else { return };
    let header = std::fs::read_to_string(tree.join(wasip2_compat::HEADER_PATH)).unwrap();
    let compat = wasip2_compat::generate(&header).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        wasip2_compat::tree_wasi_version(&tree).as_deref(),
        Some(wasit2_abi::WASI_VERSION)
    );
    assert_eq!(wasip2_compat::generate_for_tree(&tree).unwrap(), compat);
    let want = declared(&header);
    let have: BTreeSet<String> = compat.functions.iter().cloned().collect();
    assert_eq!(want, have, "declared vs generated");
    assert!(want.len() > 200, "only {} declarations read", want.len());
    assert!(!compat.source.contains("realloc"));

    let dir = tempfile::tempdir().unwrap();
    let include = dir.path().join("include");
    std::fs::create_dir_all(include.join("wasi")).unwrap();
    std::fs::write(include.join("wasi/version.h"), VERSION_H).unwrap();
    std::fs::write(
        include.join(wasip2_compat::EXT_HEADER_NAME),
        &compat.ext_header,
    )
    .unwrap();
    assert_eq!(
        compat.extensions,
        [
            "streams_method_input_stream_read_into",
            "streams_method_input_stream_blocking_read_into",
            "filesystem_method_descriptor_read_into"
        ]
    );
    let src = dir.path().join("wasip2_compat.c");
    compat.write_to(&src).unwrap();
    let prog = dir.path().join("prog.c");
    std::fs::write(&prog, PROGRAM).unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("in.txt"), "0123456789abcd\n").unwrap();
    std::os::unix::fs::symlink("in.txt", data.join("link")).unwrap();

    wasit2_testkit::build_workspace_bins(&[Tool::Wasit2, Tool::WasitLd]);
    for arch in Arch::ALL {
        require_clang_target(arch.triple());
        let obj = dir.path().join(format!("compat-{}.o", arch.name()));
        compile(arch, &src, &include, &tree, &obj);

        // Every declared function is a defined symbol of the object.
        let nm = run_ok(
            Command::new(clang().with_file_name("llvm-nm"))
                .arg("--defined-only")
                .arg(&obj),
        );
        let defined: BTreeSet<&str> = nm
            .lines()
            .filter_map(|l| l.split_whitespace().nth(2))
            .collect();
        let missing: Vec<&String> = want
            .iter()
            .chain(&compat.extensions)
            .filter(|f| !defined.contains(f.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "{}: not defined: {missing:?}",
            arch.name()
        );

        let pobj = dir.path().join(format!("prog-{}.o", arch.name()));
        compile(arch, &prog, &include, &tree, &pobj);
        let wasm = dir.path().join(format!("prog-{}.wasm", arch.name()));
        run_ok(
            Command::new(clang())
                .arg(format!("--target={}", arch.triple()))
                .arg("-Wl,--wrap=malloc")
                .arg(&pobj)
                .arg(&obj)
                .arg("-o")
                .arg(&wasm),
        );
        check_imports(arch, &std::fs::read(&wasm).unwrap());

        let long = "x".repeat(3000);
        let out = run_ok(
            Command::new(wasit2_bin())
                .arg("run")
                .arg("--dir")
                .arg(format!("{}::/data", data.display()))
                .args(["--env", "W2_SHORT=hello", "--env"])
                .arg(format!("W2_LONG={long}"))
                .args(["-S", "inherit-network"])
                .arg(&wasm)
                .args(["one", "two"]),
        );
        assert_eq!(out, "compat: hello\ncompat: ok\n", "{}", arch.name());

        // The same module componentized (wasm32 only) on wasmtime.
        if arch == Arch::Wasm32 {
            let component = dir.path().join("prog.component.wasm");
            run_ok(
                Command::new(wasit2_bin())
                    .arg("componentize")
                    .arg(&wasm)
                    .arg("-o")
                    .arg(&component),
            );
            let out = run_ok(
                Command::new(Tool::Wasmtime.path())
                    .arg("run")
                    .arg("--dir")
                    .arg(format!("{}::/data", data.display()))
                    .args(["--env", "W2_SHORT=hello", "--env"])
                    .arg(format!("W2_LONG={long}"))
                    .args(["-S", "inherit-network"])
                    .arg(&component)
                    .args(["one", "two"]),
            );
            assert_eq!(out, "compat: hello\ncompat: ok\n", "componentized");
        }
    }
}

/// The module imports only wasit2 functions (`cmNNp2|…`, `wasit2-cmNNp2|…`)
/// and exports no realloc.
fn check_imports(arch: Arch, wasm: &[u8]) {
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.unwrap() {
            wasmparser::Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.unwrap();
                    imports.push(format!("{}::{}", imp.module, imp.name));
                }
            }
            wasmparser::Payload::ExportSection(r) => {
                for e in r {
                    exports.push(e.unwrap().name.to_string());
                }
            }
            _ => {}
        }
    }
    let (p, b) = (
        format!("{}|", arch.prefix()),
        format!("{}|", arch.buffer_prefix()),
    );
    let foreign: Vec<&String> = imports
        .iter()
        .filter(|i| !i.starts_with(&p) && !i.starts_with(&b))
        .collect();
    assert!(
        foreign.is_empty(),
        "{}: foreign imports {foreign:?}",
        arch.name()
    );
    assert!(
        imports.iter().any(|i| i.starts_with(&b)),
        "{}: no caller-supplied-buffer import in {imports:?}",
        arch.name()
    );
    assert!(
        !exports.iter().any(|e| e.contains("realloc")),
        "{}: exports {exports:?}",
        arch.name()
    );
}

//! TCP echo and UDP datagrams on loopback, and name lookup of `localhost`.
//! Each guest runs in a thread with a deadline so a hang fails the test.
use crate::common::*;
use std::time::Duration;
use wasit2_abi::Arch;

fn bounded(arch: Arch, wasm: Vec<u8>) -> Ran {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let r = run(arch, &wasm, |b| {
            b.inherit_network()
                .allow_ip_name_lookup(true)
                .allow_tcp(true)
                .allow_udp(true);
        });
        let _ = tx.send(r);
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("guest did not finish within 60s")
}

const NET: &[(&str, &str, &str)] = &[
    (
        "wasi:sockets/instance-network@0.2",
        "instance-network",
        "$net",
    ),
    (
        "wasi:sockets/tcp-create-socket@0.2",
        "create-tcp-socket",
        "$tcp",
    ),
    (
        "wasi:sockets/tcp@0.2",
        "[method]tcp-socket.start-bind",
        "$tbind",
    ),
    (
        "wasi:sockets/tcp@0.2",
        "[method]tcp-socket.finish-bind",
        "$tbind_done",
    ),
    (
        "wasi:sockets/tcp@0.2",
        "[method]tcp-socket.start-listen",
        "$listen",
    ),
    (
        "wasi:sockets/tcp@0.2",
        "[method]tcp-socket.finish-listen",
        "$listen_done",
    ),
    (
        "wasi:sockets/tcp@0.2",
        "[method]tcp-socket.local-address",
        "$tlocal",
    ),
    (
        "wasi:sockets/tcp@0.2",
        "[method]tcp-socket.start-connect",
        "$connect",
    ),
    (
        "wasi:sockets/tcp@0.2",
        "[method]tcp-socket.finish-connect",
        "$connect_done",
    ),
    (
        "wasi:sockets/tcp@0.2",
        "[method]tcp-socket.accept",
        "$accept",
    ),
    (
        "wasi:sockets/tcp@0.2",
        "[method]tcp-socket.subscribe",
        "$tsub",
    ),
    ("wasi:io/poll@0.2", "[method]pollable.block", "$block"),
    ("wasi:io/poll@0.2", "pollable_drop", "$pdrop"),
    (
        "wasi:io/streams@0.2",
        "[method]input-stream.blocking-read",
        "$sread",
    ),
];

#[test]
fn tcp_echo_on_loopback() {
    for arch in Arch::ALL {
        let wasm = module(
            arch,
            NET,
            r#"
          (func $ok (param $what i32)
            (if (i32.load8_u (PTR.const 32)) (then (i32.store (PTR.const 300) (local.get $what)) (i32.store (PTR.const 296) (i32.load8_u offset=4 (PTR.const 32))) (unreachable))))
          (func (export "RUN") (result i32)
            (local $net i32) (local $srv i32) (local $cli i32) (local $p i32) (local $port i32)
            (local $cin i32) (local $cout i32) (local $sin i32) (local $sout i32) (local $i i32)
            (local.set $net (call $net))
            (call $tcp (i32.const 0) (PTR.const 32)) (call $ok (i32.const 1))
            (local.set $srv (i32.load offset=4 (PTR.const 32)))
            ;; 127.0.0.1:0
            (call $tbind (local.get $srv) (local.get $net) (i32.const 0) (i32.const 0) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
              (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (PTR.const 32)) (call $ok (i32.const 2))
            (call $tbind_done (local.get $srv) (PTR.const 32)) (call $ok (i32.const 3))
            (call $listen (local.get $srv) (PTR.const 32)) (call $ok (i32.const 4))
            (call $listen_done (local.get $srv) (PTR.const 32)) (call $ok (i32.const 5))
            (call $tlocal (local.get $srv) (PTR.const 32)) (call $ok (i32.const 6))
            (local.set $port (i32.load16_u offset=8 (PTR.const 32)))
            (i32.store (PTR.const 304) (local.get $port))
            (call $tcp (i32.const 0) (PTR.const 32)) (call $ok (i32.const 7))
            (local.set $cli (i32.load offset=4 (PTR.const 32)))
            (call $connect (local.get $cli) (local.get $net) (i32.const 0) (local.get $port) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
              (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (PTR.const 32)) (call $ok (i32.const 8))
            (local.set $p (call $tsub (local.get $cli)))
            (block $connected (loop $l
              (call $block (local.get $p))
              (call $connect_done (local.get $cli) (PTR.const 32))
              (br_if $connected (i32.eqz (i32.load8_u (PTR.const 32))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (i32.const 100)))
              (i32.store (PTR.const 300) (i32.const 9)) (unreachable)))
            (call $pdrop (local.get $p))
            (local.set $cin (i32.load offset=4 (PTR.const 32)))
            (local.set $cout (i32.load offset=8 (PTR.const 32)))
            (local.set $p (call $tsub (local.get $srv)))
            (call $block (local.get $p))
            (call $pdrop (local.get $p))
            (call $accept (local.get $srv) (PTR.const 32)) (call $ok (i32.const 10))
            (local.set $sin (i32.load offset=8 (PTR.const 32)))
            (local.set $sout (i32.load offset=12 (PTR.const 32)))
            ;; client -> server -> back
            (call $write (local.get $cout) (PTR.const 1024) (PTR.const 4) (PTR.const 32)) (call $ok (i32.const 11))
            (drop (call $sread (local.get $sin) (i64.const 4) (PTR.const 32) (PTR.const 4096) (PTR.const 100))) (call $ok (i32.const 12))
            (call $write (local.get $sout) (PTR.load offset=PSZ (PTR.const 32)) (PTR.load offset=PSZ2 (PTR.const 32)) (PTR.const 64))
            (drop (call $sread (local.get $cin) (i64.const 4) (PTR.const 32) (PTR.const 8192) (PTR.const 100))) (call $ok (i32.const 13))
            (call $puts (PTR.load offset=PSZ (PTR.const 32)) (PTR.load offset=PSZ2 (PTR.const 32)))
            (i32.const 0))
          (data (PTR.const 1024) "ping")"#,
        );
        let r = bounded(arch, wasm);
        assert!(
            r.result.is_ok(),
            "{arch:?} failed at step {} (error code {}): {:?}",
            r.u32_at(300),
            r.u32_at(296),
            r.result
        );
        assert_eq!(r.stdout(), "ping", "{arch:?}");
        assert_ne!(r.u32_at(304), 0, "bound to a port");
    }
}

#[test]
fn udp_on_loopback_with_short_datagram_buffers() {
    for arch in Arch::ALL {
        let ps = arch.pointer_size();
        // element sizes of outgoing-datagram and incoming-datagram
        let (out_size, in_size) = match arch {
            Arch::Wasm32 => (44, 40),
            Arch::Wasm64 => (56, 48),
        };
        let body = r#"
          (func $ok (param $what i32)
            (if (i32.load8_u (PTR.const 32)) (then (i32.store (PTR.const 300) (local.get $what)) (i32.store (PTR.const 296) (i32.load8_u offset=4 (PTR.const 32))) (unreachable))))
          (func $sock (param $net i32) (result i32) (local $s i32)
            (call $udp (i32.const 0) (PTR.const 32)) (call $ok (i32.const 1))
            (local.set $s (i32.load offset=4 (PTR.const 32)))
            (call $ubind (local.get $s) (local.get $net) (i32.const 0) (i32.const 0) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
              (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (PTR.const 32)) (call $ok (i32.const 2))
            (call $ubind_done (local.get $s) (PTR.const 32)) (call $ok (i32.const 3))
            (local.get $s))
          (func $dgram (param $i PTR) (param $data PTR) (param $len PTR)
            (local $e PTR)
            (local.set $e (PTR.add (PTR.const 2048) (PTR.mul (local.get $i) (PTR.const OUTSZ))))
            (PTR.store (local.get $e) (local.get $data))
            (PTR.store offset=PSZ (local.get $e) (local.get $len))
            (i32.store8 offset=PSZ2 (local.get $e) (i32.const 0)))
          (func (export "RUN") (result i32)
            (local $net i32) (local $a i32) (local $b i32) (local $port i32) (local $ain i32) (local $aout i32)
            (local $bin i32) (local $p i32) (local $n PTR) (local $cnt PTR) (local $i PTR) (local $e PTR) (local $got i32) (local $tries i32)
            (local.set $net (call $net))
            (local.set $a (call $sock (local.get $net)))
            (local.set $b (call $sock (local.get $net)))
            (call $ulocal (local.get $b) (PTR.const 32)) (call $ok (i32.const 4))
            (local.set $port (i32.load16_u offset=8 (PTR.const 32)))
            ;; a.stream(some(127.0.0.1:port))
            (call $ustream (local.get $a) (i32.const 1) (i32.const 0) (local.get $port) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
              (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (PTR.const 32)) (call $ok (i32.const 5))
            (local.set $aout (i32.load offset=8 (PTR.const 32)))
            (call $ustream (local.get $b) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
              (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (PTR.const 32)) (call $ok (i32.const 6))
            (local.set $bin (i32.load offset=4 (PTR.const 32)))
            (call $check_send (local.get $aout) (PTR.const 32)) (call $ok (i32.const 7))
            (call $dgram (PTR.const 0) (PTR.const 1024) (PTR.const 3))
            (call $dgram (PTR.const 1) (PTR.const 1027) (PTR.const 3))
            (call $dgram (PTR.const 2) (PTR.const 1030) (PTR.const 5))
            (call $send (local.get $aout) (PTR.const 2048) (PTR.const 3) (PTR.const 32)) (call $ok (i32.const 8))
            (i64.store (PTR.const 320) (i64.load offset=8 (PTR.const 32)))
            (local.set $p (call $isub (local.get $bin)))
            (block $done (loop $l
              (br_if $done (i32.ge_u (local.get $got) (i32.const 3)))
              (local.set $tries (i32.add (local.get $tries) (i32.const 1)))
              (if (i32.gt_u (local.get $tries) (i32.const 50)) (then (i32.store (PTR.const 300) (i32.const 9)) (unreachable)))
              ;; room for one element and 3 data bytes only
              (local.set $n (call $recv (local.get $bin) (i64.const 10) (PTR.const 32) (PTR.const 4096) (PTR.const INSZ3)))
              (if (PTR.gt_u (local.get $n) (PTR.const INSZ3))
                (then
                  (i32.store (PTR.const 308) (i32.add (i32.load (PTR.const 308)) (i32.const 1)))
                  (PTR.store (PTR.const 312) (local.get $n))
                  (local.set $n (call $recv (local.get $bin) (i64.const 10) (PTR.const 32) (PTR.const 4096) (local.get $n)))))
              (call $ok (i32.const 10))
              (local.set $cnt (PTR.load offset=PSZ2 (PTR.const 32)))
              (if (PTR.eqz (local.get $cnt)) (then (call $block (local.get $p))))
              (local.set $i (PTR.const 0))
              (block $d2 (loop $l2
                (br_if $d2 (PTR.ge_u (local.get $i) (local.get $cnt)))
                (local.set $e (PTR.add (PTR.load offset=PSZ (PTR.const 32)) (PTR.mul (local.get $i) (PTR.const INSZ))))
                (call $puts (PTR.load (local.get $e)) (PTR.load offset=PSZ (local.get $e)))
                (call $puts (PTR.const 1000) (PTR.const 1))
                (local.set $got (i32.add (local.get $got) (i32.const 1)))
                (local.set $i (PTR.add (local.get $i) (PTR.const 1)))
                (br $l2)))
              (br $l)))
            (i32.const 0))
          (data (PTR.const 1000) "|")
          (data (PTR.const 1024) "onetwothree")"#
            .replace("OUTSZ", &out_size.to_string())
            .replace("INSZ3", &(in_size + 3).to_string())
            .replace("INSZ", &in_size.to_string());
        let wasm = module(
            arch,
            &[
                (
                    "wasi:sockets/instance-network@0.2",
                    "instance-network",
                    "$net",
                ),
                (
                    "wasi:sockets/udp-create-socket@0.2",
                    "create-udp-socket",
                    "$udp",
                ),
                (
                    "wasi:sockets/udp@0.2",
                    "[method]udp-socket.start-bind",
                    "$ubind",
                ),
                (
                    "wasi:sockets/udp@0.2",
                    "[method]udp-socket.finish-bind",
                    "$ubind_done",
                ),
                (
                    "wasi:sockets/udp@0.2",
                    "[method]udp-socket.local-address",
                    "$ulocal",
                ),
                (
                    "wasi:sockets/udp@0.2",
                    "[method]udp-socket.stream",
                    "$ustream",
                ),
                (
                    "wasi:sockets/udp@0.2",
                    "[method]outgoing-datagram-stream.check-send",
                    "$check_send",
                ),
                (
                    "wasi:sockets/udp@0.2",
                    "[method]outgoing-datagram-stream.send",
                    "$send",
                ),
                (
                    "wasi:sockets/udp@0.2",
                    "[method]incoming-datagram-stream.receive",
                    "$recv",
                ),
                (
                    "wasi:sockets/udp@0.2",
                    "[method]incoming-datagram-stream.subscribe",
                    "$isub",
                ),
                ("wasi:io/poll@0.2", "[method]pollable.block", "$block"),
            ],
            &body,
        );
        let r = bounded(arch, wasm);
        assert!(
            r.result.is_ok(),
            "{arch:?} failed at step {} (error code {}): {:?}",
            r.u32_at(300),
            r.u32_at(296),
            r.result
        );
        assert_eq!(r.u64_at(320), 3, "three datagrams sent");
        assert_eq!(r.stdout(), "one|two|three|", "{arch:?}");
        assert_eq!(r.u32_at(308), 1, "only `three` did not fit");
        assert_eq!(
            r.ptr_at(arch, 312),
            in_size as u64 + 5,
            "its exact size was reported"
        );
        let _ = ps;
    }
}

#[test]
fn name_lookup_of_localhost() {
    for arch in Arch::ALL {
        let wasm = module(
            arch,
            &[
                (
                    "wasi:sockets/instance-network@0.2",
                    "instance-network",
                    "$net",
                ),
                (
                    "wasi:sockets/ip-name-lookup@0.2",
                    "resolve-addresses",
                    "$resolve",
                ),
                (
                    "wasi:sockets/ip-name-lookup@0.2",
                    "[method]resolve-address-stream.resolve-next-address",
                    "$next",
                ),
                (
                    "wasi:sockets/ip-name-lookup@0.2",
                    "[method]resolve-address-stream.subscribe",
                    "$rsub",
                ),
                ("wasi:io/poll@0.2", "[method]pollable.block", "$block"),
            ],
            r#"
          (func (export "RUN") (result i32)
            (local $s i32) (local $p i32) (local $n i32)
            (call $resolve (call $net) (PTR.const 1024) (PTR.const 9) (PTR.const 32))
            (if (i32.load8_u (PTR.const 32)) (then (i32.store (PTR.const 300) (i32.const 1)) (unreachable)))
            (local.set $s (i32.load offset=4 (PTR.const 32)))
            (local.set $p (call $rsub (local.get $s)))
            (call $block (local.get $p))
            (block $done (loop $l
              (call $next (local.get $s) (PTR.const 32))
              (br_if $done (i32.load8_u (PTR.const 32)))
              ;; ok(none) ends the stream
              (br_if $done (i32.eqz (i32.load8_u offset=2 (PTR.const 32))))
              ;; ok(some(ip-address)): variant tag at 4, ipv4 bytes at 6
              (if (i32.eqz (i32.load8_u offset=4 (PTR.const 32)))
                (then (i32.store (PTR.const 400) (i32.load offset=6 (PTR.const 32)))))
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (br $l)))
            (i32.store (PTR.const 404) (local.get $n))
            (i32.const 0))
          (data (PTR.const 1024) "localhost")"#,
        );
        let r = bounded(arch, wasm);
        assert!(r.result.is_ok(), "{arch:?}: {:?}", r.result);
        assert!(r.u32_at(404) >= 1, "at least one address");
    }
}

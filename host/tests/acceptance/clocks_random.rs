//! Both clocks, pollables on them, and random (with the too-small rule).
use crate::common::*;
use wasit2_abi::Arch;

#[test]
fn clocks_and_random() {
    for arch in Arch::ALL {
        let wasm = module(
            arch,
            &[
                ("wasi:clocks/monotonic-clock@0.2", "now", "$mono_now"),
                ("wasi:clocks/monotonic-clock@0.2", "resolution", "$mono_res"),
                (
                    "wasi:clocks/monotonic-clock@0.2",
                    "subscribe-duration",
                    "$sub_dur",
                ),
                ("wasi:clocks/wall-clock@0.2", "now", "$wall_now"),
                ("wasi:clocks/wall-clock@0.2", "resolution", "$wall_res"),
                ("wasi:io/poll@0.2", "[method]pollable.block", "$block"),
                ("wasi:io/poll@0.2", "pollable_drop", "$pdrop"),
                ("wasi:io/poll@0.2", "poll", "$poll"),
                ("wasi:random/random@0.2", "get-random-bytes", "$rand_bytes"),
                ("wasi:random/random@0.2", "get-random-u64", "$rand_u64"),
                (
                    "wasi:random/insecure@0.2",
                    "get-insecure-random-bytes",
                    "$irand_bytes",
                ),
                (
                    "wasi:random/insecure@0.2",
                    "get-insecure-random-u64",
                    "$irand_u64",
                ),
                ("wasi:random/insecure-seed@0.2", "insecure-seed", "$seed"),
            ],
            r#"
          (func $save (param $slot PTR) (param $v i64)
            (i64.store (PTR.add (PTR.const 200) (PTR.mul (local.get $slot) (PTR.const 8))) (local.get $v)))
          (func (export "RUN") (result i32)
            (local $p i32)
            (call $save (PTR.const 0) (call $mono_now))
            (local.set $p (call $sub_dur (i64.const 2000000)))
            (call $block (local.get $p))
            (call $pdrop (local.get $p))
            (call $save (PTR.const 1) (call $mono_now))
            (call $save (PTR.const 2) (call $mono_res))
            (call $wall_now (PTR.const 32))
            (call $save (PTR.const 3) (i64.load (PTR.const 32)))
            (call $save (PTR.const 4) (i64.load32_u offset=8 (PTR.const 32)))
            (call $wall_res (PTR.const 32))
            (call $save (PTR.const 5) (i64.load32_u offset=8 (PTR.const 32)))
            ;; poll with room for 4 bytes per pollable: waits; ready index list
            (local.set $p (call $sub_dur (i64.const 0)))
            (i32.store (PTR.const 900) (local.get $p))
            (call $save (PTR.const 6) (P2I (call $poll (PTR.const 900) (PTR.const 1) (PTR.const 32) (PTR.const 4096) (PTR.const 4))))
            (call $save (PTR.const 7) (P2I (PTR.load offset=PSZ (PTR.const 32))))
            ;; BoundedByInput: a 3-byte arena is refused without waiting
            (local.set $p (call $sub_dur (i64.const 60000000000)))
            (i32.store (PTR.const 900) (local.get $p))
            (call $save (PTR.const 8) (P2I (call $poll (PTR.const 900) (PTR.const 1) (PTR.const 32) (PTR.const 4096) (PTR.const 3))))
            ;; random: 16 bytes; too small reports 32 and writes nothing
            (PTR.store (PTR.const 64) (PTR.const 0x77))
            (call $save (PTR.const 9) (P2I (call $rand_bytes (i64.const 16) (PTR.const 64) (PTR.const 4096) (PTR.const 16))))
            (call $save (PTR.const 10) (P2I (PTR.load offset=PSZ (PTR.const 64))))
            (PTR.store (PTR.const 64) (PTR.const 0x77))
            (call $save (PTR.const 11) (P2I (call $irand_bytes (i64.const 32) (PTR.const 64) (PTR.const 4096) (PTR.const 16))))
            (call $save (PTR.const 12) (P2I (PTR.load (PTR.const 64))))
            (call $save (PTR.const 13) (call $rand_u64))
            (call $save (PTR.const 14) (call $irand_u64))
            (call $seed (PTR.const 32))
            (call $save (PTR.const 15) (i64.or (i64.load (PTR.const 32)) (i64.load offset=8 (PTR.const 32))))
            (call $save (PTR.const 16) (P2I (call $irand_bytes (i64.const 8) (PTR.const 64) (PTR.const 4096) (PTR.const 16))))
            (i32.const 0))"#,
        );
        let r = run(arch, &wasm, |_| {});
        assert_eq!(r.code(), 0, "{arch:?}");
        let slot = |n: usize| r.u64_at(200 + 8 * n);
        assert!(
            slot(1) >= slot(0) + 2_000_000,
            "monotonic clock advanced past the 2ms wait"
        );
        assert!(slot(2) > 0);
        assert!(slot(3) > 1_700_000_000, "wall clock seconds");
        assert!(slot(4) < 1_000_000_000);
        assert_eq!(slot(6), 4, "one ready index");
        assert_eq!(slot(7), 1);
        assert_eq!(slot(8), 4, "poll bound reported");
        assert_eq!(slot(9), 16);
        assert_eq!(slot(10), 16, "16 random bytes written");
        assert_eq!(slot(11), 32, "too small reports the size");
        assert_eq!(slot(12), 0x77, "nothing written when too small");
        assert_ne!(slot(13), slot(14));
        assert_eq!(slot(16), 8);
        let bytes = &r.memory[4096..4112];
        assert!(bytes.iter().any(|b| *b != 0), "random bytes were written");
    }
}

//! Hand-written wasit2 test modules shared by `tests/wasmtime.rs` (wasm32)
//! and `tests/wasm64.rs` (wasm64): each program is written once, with
//! `ADDR` for the address type (`i32`/`i64`), `ABI` for the import and
//! export prefix (`cm32p2`/`cm64p2`) and pointer-size offsets computed from
//! [`Width::ptr`] (a list is a pointer and a length, each pointer-sized).
#![allow(dead_code)]

#[derive(Clone, Copy, Debug)]
pub enum Width {
    W32,
    W64,
}

impl Width {
    fn addr(self) -> &'static str {
        match self {
            Width::W32 => "i32",
            Width::W64 => "i64",
        }
    }
    fn abi(self) -> &'static str {
        match self {
            Width::W32 => "cm32p2",
            Width::W64 => "cm64p2",
        }
    }
    /// Bytes of a pointer or length.
    pub fn ptr(self) -> u32 {
        match self {
            Width::W32 => 4,
            Width::W64 => 8,
        }
    }
}

/// Imports every test module has: stdout and its blocking write.
const PRELUDE_IMPORTS: &str = r#"
  (import "ABI|wasi:cli/stdout@0.2" "get-stdout" (func $get_stdout (result i32)))
  (import "ABI|wasi:io/streams@0.2" "[method]output-stream.blocking-write-and-flush"
    (func $write (param i32 ADDR ADDR ADDR)))
"#;

/// `$print(ptr, len)` to stdout, `$nl`, `$num(n)` in decimal. Scratch:
/// 0x30..0x40 digits, 0x40 the write return area. Test data lives at 0x200,
/// arenas at 0x1000 and up.
const PRELUDE_FUNCS: &str = r#"
  (memory (export "ABI_memory") ADDR 2)
  (global $out (mut i32) (i32.const -1))
  (func $print (param $p ADDR) (param $n ADDR)
    (if (i32.eq (global.get $out) (i32.const -1))
      (then (global.set $out (call $get_stdout))))
    (call $write (global.get $out) (local.get $p) (local.get $n) (ADDR.const 0x40)))
  (func $nl
    (i32.store8 (ADDR.const 0x3f) (i32.const 10))
    (call $print (ADDR.const 0x3f) (ADDR.const 1)))
  (func $num (param $v ADDR) (local $p ADDR)
    (local.set $p (ADDR.const 0x3e))
    (loop $l
      (ADDR.store8 (local.get $p) (ADDR.add (ADDR.const 48) (ADDR.rem_u (local.get $v) (ADDR.const 10))))
      (local.set $v (ADDR.div_u (local.get $v) (ADDR.const 10)))
      (if (ADDR.ne (local.get $v) (ADDR.const 0))
        (then (local.set $p (ADDR.sub (local.get $p) (ADDR.const 1))) (br $l))))
    (call $print (local.get $p) (ADDR.sub (ADDR.const 0x3f) (local.get $p))))
"#;

/// The module of `imports` and `body` (with the prelude) for `w`.
pub fn module(w: Width, imports: &str, body: &str) -> Vec<u8> {
    let text = format!("(module {PRELUDE_IMPORTS} {imports} {PRELUDE_FUNCS} {body})")
        .replace("ADDR", w.addr())
        .replace("ABI", w.abi());
    // A 32-bit memory has no address type in the text format.
    let text = text.replace("_memory\") i32 ", "_memory\") ");
    wat::parse_str(&text).expect("test WAT is valid")
}

/// get-arguments through the adapter: a too-small arena first (must report
/// the size without writing at retptr, and keep the result), then the exact
/// size (must land in the arena). Prints argc, then argv[1..] a line each.
pub fn arguments(w: Width) -> Vec<u8> {
    let p = w.ptr();
    let body = format!(
        r#"
  (data (ADDR.const 0x200) "BAD: not reported\nBAD: size changed\nBAD: not in arena\n")
  (func (export "ABI|wasi:cli/run@0.2|run") (result i32)
    (local $r ADDR) (local $p ADDR) (local $n ADDR) (local $i ADDR)
    (ADDR.store (ADDR.const 0x80) (ADDR.const 0xdead))
    (local.set $r (call $args (ADDR.const 0x80) (ADDR.const 0x1000) (ADDR.const 4)))
    (if (i32.or (ADDR.le_u (local.get $r) (ADDR.const 4))
                (ADDR.ne (ADDR.load (ADDR.const 0x80)) (ADDR.const 0xdead)))
      (then (call $print (ADDR.const 0x200) (ADDR.const 18)) (return (i32.const 1))))
    (if (ADDR.ne (call $args (ADDR.const 0x80) (ADDR.const 0x1000) (local.get $r)) (local.get $r))
      (then (call $print (ADDR.const 0x212) (ADDR.const 18)) (return (i32.const 1))))
    (local.set $p (ADDR.load (ADDR.const 0x80)))
    (local.set $n (ADDR.load (ADDR.const {len:#x})))
    (if (ADDR.ne (local.get $p) (ADDR.const 0x1000))
      (then (call $print (ADDR.const 0x224) (ADDR.const 18)) (return (i32.const 1))))
    (call $num (local.get $n)) (call $nl)
    (local.set $i (ADDR.const 1))
    (block $done (loop $l
      (br_if $done (ADDR.ge_u (local.get $i) (local.get $n)))
      (call $print
        (ADDR.load (ADDR.add (local.get $p) (ADDR.mul (local.get $i) (ADDR.const {elem}))))
        (ADDR.load offset={p} (ADDR.add (local.get $p) (ADDR.mul (local.get $i) (ADDR.const {elem})))))
      (call $nl)
      (local.set $i (ADDR.add (local.get $i) (ADDR.const 1)))
      (br $l)))
    (i32.const 0))
"#,
        len = 0x80 + p,
        elem = 2 * p,
    );
    module(
        w,
        r#"(import "wasit2-ABI|wasi:cli/environment@0.2" "get-arguments"
             (func $args (param ADDR ADDR ADDR) (result ADDR)))"#,
        &body,
    )
}

/// read-directory-entry on the first preopen with a 1-byte arena: each
/// entry is reported, then replayed into an arena of its size; prints each
/// entry's name on a line.
pub fn directory_entries(w: Width) -> Vec<u8> {
    let p = w.ptr();
    // result<option<directory-entry>> at 0x80: the option's tag after the
    // result's, the entry (type u8, then the name) after the option's.
    let body = format!(
        r#"
        (data (ADDR.const 0x200) "BAD: readdir\nBAD: size\n")
        (func (export "ABI|wasi:cli/run@0.2|run") (result i32)
          (local $s i32) (local $r ADDR)
          (drop (call $dirs (ADDR.const 0x80) (ADDR.const 0x1000) (ADDR.const 0x1000)))
          ;; list<tuple<descriptor, string>>: the first element's handle.
          (call $readdir (i32.load (ADDR.load (ADDR.const 0x80))) (ADDR.const 0xc0))
          (if (i32.load8_u (ADDR.const 0xc0))
            (then (call $print (ADDR.const 0x200) (ADDR.const 13)) (return (i32.const 1))))
          (local.set $s (i32.load (ADDR.const 0xc4)))
          (block $end (loop $l
            ;; A 1-byte arena is too small for every name here.
            (local.set $r (call $entry (local.get $s) (ADDR.const 0x80) (ADDR.const 0x2000) (ADDR.const 1)))
            (if (ADDR.gt_u (local.get $r) (ADDR.const 1))
              (then
                (if (ADDR.ne (call $entry (local.get $s) (ADDR.const 0x80) (ADDR.const 0x2000) (local.get $r))
                            (local.get $r))
                  (then (call $print (ADDR.const 0x20d) (ADDR.const 10)) (return (i32.const 1))))))
            (br_if $end (i32.load8_u (ADDR.const 0x80)))
            (br_if $end (i32.eqz (i32.load8_u (ADDR.const {option:#x}))))
            (call $print (ADDR.load (ADDR.const {name:#x})) (ADDR.load (ADDR.const {name_len:#x})))
            (call $nl)
            (br $l)))
          (i32.const 0))
        "#,
        option = 0x80 + p,
        name = 0x80 + 3 * p,
        name_len = 0x80 + 4 * p,
    );
    module(
        w,
        r#"(import "wasit2-ABI|wasi:filesystem/preopens@0.2" "get-directories"
             (func $dirs (param ADDR ADDR ADDR) (result ADDR)))
           (import "ABI|wasi:filesystem/types@0.2" "[method]descriptor.read-directory"
             (func $readdir (param i32 ADDR)))
           (import "wasit2-ABI|wasi:filesystem/types@0.2" "[method]directory-entry-stream.read-directory-entry"
             (func $entry (param i32 ADDR ADDR ADDR) (result ADDR)))"#,
        &body,
    )
}

/// poll needs 4 bytes per pollable before it may wait: the bound is
/// reported without waiting (nothing written at retptr), then the ready
/// list lands in the arena. Prints "poll ok".
pub fn poll(w: Width) -> Vec<u8> {
    let body = format!(
        r#"
        (data (ADDR.const 0x200) "poll ok\nBAD: bound\nBAD: result\n")
        (func (export "ABI|wasi:cli/run@0.2|run") (result i32)
          (i32.store (ADDR.const 0x100) (call $sub (i64.const 1000)))
          (ADDR.store (ADDR.const 0x80) (ADDR.const 0xdead))
          (if (i32.or (ADDR.ne (call $poll (ADDR.const 0x100) (ADDR.const 1) (ADDR.const 0x80)
                                          (ADDR.const 0x1000) (ADDR.const 3))
                              (ADDR.const 4))
                      (ADDR.ne (ADDR.load (ADDR.const 0x80)) (ADDR.const 0xdead)))
            (then (call $print (ADDR.const 0x208) (ADDR.const 11)) (return (i32.const 1))))
          (if (i32.or (ADDR.ne (call $poll (ADDR.const 0x100) (ADDR.const 1) (ADDR.const 0x80)
                                          (ADDR.const 0x1000) (ADDR.const 4))
                              (ADDR.const 4))
                (i32.or (ADDR.ne (ADDR.load (ADDR.const 0x80)) (ADDR.const 0x1000))
                  (i32.or (ADDR.ne (ADDR.load (ADDR.const {len:#x})) (ADDR.const 1))
                          (i32.ne (i32.load (ADDR.const 0x1000)) (i32.const 0)))))
            (then (call $print (ADDR.const 0x213) (ADDR.const 12)) (return (i32.const 1))))
          (call $print (ADDR.const 0x200) (ADDR.const 8))
          (i32.const 0))
        "#,
        len = 0x80 + w.ptr(),
    );
    module(
        w,
        r#"(import "ABI|wasi:clocks/monotonic-clock@0.2" "subscribe-duration"
             (func $sub (param i64) (result i32)))
           (import "wasit2-ABI|wasi:io/poll@0.2" "poll"
             (func $poll (param ADDR ADDR ADDR ADDR ADDR) (result ADDR)))"#,
        &body,
    )
}

/// readlink-at of `link` in the first preopen: it takes a string (staged on
/// wasm64), so its too-small result is not kept: it reports the size
/// (nothing written at retptr), then is called again and fits. Prints the
/// link's target.
pub fn readlink(w: Width) -> Vec<u8> {
    let p = w.ptr();
    // result<string> at 0xc0: the string (pointer, length) after the tag.
    let body = format!(
        r#"
        (data (ADDR.const 0x200) "link")
        (data (ADDR.const 0x210) "BAD: small\nBAD: retry\n")
        (func (export "ABI|wasi:cli/run@0.2|run") (result i32)
          (local $fd i32) (local $r ADDR)
          (drop (call $dirs (ADDR.const 0x80) (ADDR.const 0x1000) (ADDR.const 0x1000)))
          (local.set $fd (i32.load (ADDR.load (ADDR.const 0x80))))
          (ADDR.store (ADDR.const 0xc0) (ADDR.const 0xdead))
          (local.set $r (call $readlink (local.get $fd) (ADDR.const 0x200) (ADDR.const 4)
                                        (ADDR.const 0xc0) (ADDR.const 0x2000) (ADDR.const 3)))
          (if (i32.or (ADDR.le_u (local.get $r) (ADDR.const 3))
                      (ADDR.ne (ADDR.load (ADDR.const 0xc0)) (ADDR.const 0xdead)))
            (then (call $print (ADDR.const 0x210) (ADDR.const 11)) (return (i32.const 1))))
          (if (ADDR.ne (call $readlink (local.get $fd) (ADDR.const 0x200) (ADDR.const 4)
                                      (ADDR.const 0xc0) (ADDR.const 0x2000) (local.get $r))
                      (local.get $r))
            (then (call $print (ADDR.const 0x21b) (ADDR.const 11)) (return (i32.const 1))))
          (call $print (ADDR.load (ADDR.const {text:#x})) (ADDR.load (ADDR.const {text_len:#x})))
          (call $nl)
          (i32.const 0))
        "#,
        text = 0xc0 + p,
        text_len = 0xc0 + 2 * p,
    );
    module(
        w,
        r#"(import "wasit2-ABI|wasi:filesystem/preopens@0.2" "get-directories"
             (func $dirs (param ADDR ADDR ADDR) (result ADDR)))
           (import "wasit2-ABI|wasi:filesystem/types@0.2" "[method]descriptor.readlink-at"
             (func $readlink (param i32 ADDR ADDR ADDR ADDR ADDR) (result ADDR)))"#,
        &body,
    )
}

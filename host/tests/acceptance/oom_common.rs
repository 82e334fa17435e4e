//! What the OOM tests share: their global allocator (the system allocator,
//! except that an allocation returns null when the test's `should_fail`
//! says so) and the program whose calls they fail.

use std::alloc::{GlobalAlloc, Layout, System};

pub struct FailingAlloc(pub fn() -> bool);

unsafe impl GlobalAlloc for FailingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if (self.0)() {
            return std::ptr::null_mut();
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if (self.0)() {
            return std::ptr::null_mut();
        }
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if (self.0)() {
            return std::ptr::null_mut();
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Whether `e` is, or was caused by, an allocation failure.
pub fn is_oom(e: &wasmtime::Error) -> bool {
    e.is::<wasmtime::OutOfMemory>() || e.chain().any(|c| c.is::<wasmtime::OutOfMemory>())
}

/// The imports [`BODY`] calls: (interface, function, WAT name).
pub const IMPORTS: &[(&str, &str, &str)] = &[
    ("wasi:cli/environment@0.2", "get-arguments", "$args"),
    ("wasi:cli/environment@0.2", "get-environment", "$env"),
    ("wasi:filesystem/preopens@0.2", "get-directories", "$dirs"),
    (
        "wasi:filesystem/types@0.2",
        "[method]descriptor.create-directory-at",
        "$mkdir",
    ),
    (
        "wasi:filesystem/types@0.2",
        "[method]descriptor.stat-at",
        "$stat_at",
    ),
    (
        "wasi:clocks/monotonic-clock@0.2",
        "subscribe-duration",
        "$sub",
    ),
    ("wasi:io/poll@0.2", "poll", "$poll"),
];

/// A representative set of calls: list<string>/list<tuple> results and a
/// too-small call, a list<u8> argument, string arguments and record
/// results, a list of handles.
pub const BODY: &str = r#"
  (data (PTR.const 1024) "some bytes\n")
  (data (PTR.const 1040) "newdir")
  (func (export "RUN") (result i32)
    (local $dir i32)
    (drop (call $args (PTR.const 32) (PTR.const 4096) (PTR.const 8000)))
    (drop (call $env (PTR.const 32) (PTR.const 4096) (PTR.const 8000)))
    (drop (call $env (PTR.const 32) (PTR.const 4096) (PTR.const 1)))
    (call $puts (PTR.const 1024) (PTR.const 11))
    (drop (call $dirs (PTR.const 32) (PTR.const 4096) (PTR.const 8000)))
    (local.set $dir (i32.load (PTR.load (PTR.const 32))))
    (call $mkdir (local.get $dir) (PTR.const 1040) (PTR.const 6) (PTR.const 32))
    (call $stat_at (local.get $dir) (i32.const 0) (PTR.const 1040) (PTR.const 6) (PTR.const 64))
    (i32.store (PTR.const 900) (call $sub (i64.const 0)))
    (drop (call $poll (PTR.const 900) (PTR.const 1) (PTR.const 32) (PTR.const 4096) (PTR.const 64)))
    (i32.const 0))
"#;

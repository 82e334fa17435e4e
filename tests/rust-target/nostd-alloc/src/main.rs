//! Prints its arguments, an environment variable, a line it reads from a
//! file it wrote under the preopened directory, and exits with the number
//! of arguments: enough to see args, env, files, exit codes and the
//! allocator work on wasm64 without std.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::{format, string::String, vec::Vec};
use core::ffi::{c_char, c_int, c_void, CStr};

// The wasit2 sysroot's libc (linked by the target spec's `-lc`).
extern "C" {
    fn write(fd: c_int, buf: *const c_void, len: usize) -> isize;
    fn open(path: *const c_char, flags: c_int, ...) -> c_int;
    fn read(fd: c_int, buf: *mut c_void, len: usize) -> isize;
    fn close(fd: c_int) -> c_int;
    fn malloc(len: usize) -> *mut c_void;
    fn aligned_alloc(align: usize, len: usize) -> *mut c_void;
    fn free(ptr: *mut c_void);
    fn getenv(name: *const c_char) -> *const c_char;
    fn abort() -> !;
}

// wasi-libc's <fcntl.h> values.
const O_RDONLY: c_int = 0x0400_0000;
const O_WRONLY: c_int = 0x1000_0000;
const O_CREAT: c_int = 1 << 12;
const O_TRUNC: c_int = 8 << 12;

struct LibcAllocator;

unsafe impl core::alloc::GlobalAlloc for LibcAllocator {
    unsafe fn alloc(&self, layout: core::alloc::Layout) -> *mut u8 {
        // malloc already aligns to 16; larger alignments need aligned_alloc.
        if layout.align() <= 16 {
            malloc(layout.size()).cast()
        } else {
            aligned_alloc(layout.align(), layout.size()).cast()
        }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: core::alloc::Layout) {
        free(ptr.cast())
    }
}

#[global_allocator]
static ALLOCATOR: LibcAllocator = LibcAllocator;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    unsafe { abort() }
}

fn print(s: &str) {
    unsafe { write(1, s.as_ptr().cast(), s.len()) };
}

fn c_str(p: *const c_char) -> Option<String> {
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into())
}

/// Round-trips `text` through a file; `None` when no directory is preopened.
fn file_round_trip(text: &str) -> Option<String> {
    let name = c"nostd.txt".as_ptr();
    let fd = unsafe { open(name, O_WRONLY | O_CREAT | O_TRUNC, 0o644) };
    if fd < 0 {
        return None;
    }
    unsafe {
        write(fd, text.as_ptr().cast(), text.len());
        close(fd);
    }
    let fd = unsafe { open(name, O_RDONLY) };
    let mut buf: Vec<u8> = Vec::with_capacity(64);
    let n = unsafe { read(fd, buf.as_mut_ptr().cast(), buf.capacity()) };
    unsafe { close(fd) };
    unsafe { buf.set_len(n.max(0) as usize) };
    Some(String::from_utf8_lossy(&buf).into())
}

/// The C `main(argc, argv)` of crt1 (clang names it `__main_argc_argv`).
#[no_mangle]
pub extern "C" fn __main_argc_argv(argc: c_int, argv: *const *const c_char) -> c_int {
    let args: Vec<String> =
        (1..argc as usize).filter_map(|i| c_str(unsafe { *argv.add(i) })).collect();
    print(&format!("args: {args:?}\n"));
    let greeting = c_str(unsafe { getenv(c"GREETING".as_ptr()) });
    print(&format!("GREETING: {greeting:?}\n"));
    print(&format!("pointer bits: {}\n", usize::BITS));
    match file_round_trip("written by no_std Rust\n") {
        Some(back) => print(&format!("file: {back}")),
        None => print("file: no preopened directory\n"),
    }
    args.len() as c_int
}

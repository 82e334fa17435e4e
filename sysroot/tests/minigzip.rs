//! A real Debian program on the sysroot: zlib's `test/minigzip.c` plus the
//! zlib library sources, from Debian's zlib source package (fetched by
//! scripts/setup.sh into `.tools/zlib`), built with the installed clang
//! target and run with `wasit2 run`. Files round-trip through the
//! preopened directory and through stdin/stdout, and the host's `gzip`
//! checks the compressed files. Needs `make sysroot clang-install`.
#[path = "support/cc.rs"]
mod cc;
#[path = "support/minigzip.rs"]
mod minigzip;
use minigzip::round_trip;

#[test]
fn minigzip_wasm32() {
    round_trip(None, "wasm32-wasit2");
}

#[test]
fn minigzip_wasm64() {
    round_trip(None, "wasm64-wasit2");
}

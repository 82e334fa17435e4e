#!/usr/bin/env bash
# Rust hello world sizes (docs/rust.md), one source built four ways in this run:
#   - wasm32-wasip1, rustup's std and wasm-ld: the plain p1 core module (peer);
#   - wasm32-wasip2, rustup's std and wasm-component-ld: the plain p2 component (peer);
#   - wasm32-wasip2 with -C linker=wasit-ld: a wasit2 core module (simpler path);
#   - the wasm32-wasit2 target spec with -Zbuild-std: a wasit2 core module on our libc.
# All --release with -C strip=symbols; every output is run and must greet.
# Needs `make build sysroot clang-install`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WASMTIME="${WASIT2_WASMTIME:-$ROOT/.tools/bin/wasmtime}"
WASIT2="${WASIT2:-$ROOT/target/debug/wasit2}"
WASIT_LD="${WASIT_LD:-$ROOT/target/debug/wasit-ld}"
SPEC="$ROOT/build/sysroot/share/rust-targets/wasm32-wasit2.json"
[ -f "$SPEC" ] || { echo "bench-rust: $SPEC missing; run make sysroot clang-install" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/hello/src"
cat >"$tmp/hello/Cargo.toml" <<'EOF'
[package]
name = "hello"
version = "0.1.0"
edition = "2021"
[workspace]
[profile.release]
panic = "abort"
strip = "symbols"
EOF
printf 'fn main() {\n    println!("Hello, world!");\n}\n' >"$tmp/hello/src/main.rs"
cd "$tmp/hello"
unset CARGO_TARGET_DIR RUSTFLAGS

build() { # label, cargo args...
  local label="$1"
  shift
  cargo "$@" >/dev/null 2>"$tmp/err" || { echo "bench-rust: $label failed:" >&2; cat "$tmp/err" >&2; exit 1; }
}
expect_hello() { # label, command...
  local label="$1" got
  shift
  got="$("$@" 2>&1)"
  [ "$got" = "Hello, world!" ] || { echo "bench-rust: $label printed: $got" >&2; exit 1; }
}

build p1 build --release --target wasm32-wasip1 --target-dir "$tmp/t-p1"
p1="$tmp/t-p1/wasm32-wasip1/release/hello.wasm"
expect_hello p1 "$WASMTIME" run "$p1"

build p2 build --release --target wasm32-wasip2 --target-dir "$tmp/t-p2"
p2="$tmp/t-p2/wasm32-wasip2/release/hello.wasm"
expect_hello p2 "$WASMTIME" run "$p2"

CARGO_TARGET_WASM32_WASIP2_LINKER="$WASIT_LD" build wasit-ld build --release --target wasm32-wasip2 --target-dir "$tmp/t-w2"
w2="$tmp/t-w2/wasm32-wasip2/release/hello.wasm"
expect_hello "wasip2+wasit-ld" "$WASIT2" run "$w2"

RUSTC_BOOTSTRAP=1 build spec build --release -Zjson-target-spec -Zbuild-std=std,panic_abort \
  --target "$SPEC" --target-dir "$ROOT/target/bench-rust"
spec="$ROOT/target/bench-rust/wasm32-wasit2/release/hello.wasm"
expect_hello "wasm32-wasit2 spec" "$WASIT2" run "$spec"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2fx", a / b}'; }
s_p1=$(stat -c %s "$p1")
s_p2=$(stat -c %s "$p2")
printf '\n%-48s %10s %12s %12s\n' "Rust hello (--release, strip=symbols)" bytes "vs p1" "vs p2"
for row in "wasm32-wasip1 module (peer)|$p1" "wasm32-wasip2 component (peer)|$p2" \
  "wasm32-wasip2 + wasit-ld (wasit2 module)|$w2" "wasm32-wasit2 spec, build-std (wasit2 module)|$spec"; do
  label="${row%%|*}"
  s=$(stat -c %s "${row#*|}")
  printf '%-48s %10s %12s %12s\n' "$label" "$s" "$(ratio "$s" "$s_p1")" "$(ratio "$s" "$s_p2")"
done

#!/usr/bin/env bash
# C++ hello world size (docs/cxx.md, "Sizes"): tests/cxx/hello.cpp built with
# clang++-22 -O2 -s against the wasit2 sysroot's libc++ (without exceptions,
# with -fno-exceptions, with -fwasm-exceptions, and for the MVP target) next
# to the same program built against Debian's prebuilt libc++ for wasm32-wasi
# (libc++-22-dev-wasm32 with Debian's wasi-libc, which needs
# -fno-exceptions: its libc++abi has no exception support). Every module is
# run and must print the greeting; ratios compare figures from this run.
# Needs `make build sysroot clang-install` and setup's Debian packages.
# Usage: scripts/bench-cxx.sh   (env: WASIT2=..., WASIT2_CLANGXX=...)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLANGXX="${WASIT2_CLANGXX:-clang++-22}"
WASMTIME="${WASIT2_WASMTIME:-$ROOT/.tools/bin/wasmtime}"
WASIT2="${WASIT2:-$ROOT/target/debug/wasit2}"
SRC="$ROOT/tests/cxx/hello.cpp"
WANT="Hello, world!"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
log() { printf '[bench] %s\n' "$*" >&2; }

for f in /usr/lib/wasm32-wasi/libc++.a /usr/lib/wasm32-wasi/libc.a; do
  [ -f "$f" ] || { echo "missing $f: run scripts/setup.sh (libc++-22-dev-wasm32)" >&2; exit 1; }
done

# build NAME RUNNER CLANG-ARGS...: builds, runs, records the size.
rows=()
build() {
  local name="$1" runner="$2"; shift 2
  local out="$tmp/$name.wasm"
  "$CLANGXX" "$@" -O2 -s "$SRC" -o "$out" 2>"$tmp/err" || {
    echo "FAIL: building $name: $(grep -v deprecated "$tmp/err")" >&2; exit 1; }
  local got
  case "$runner" in
    wasit2) got="$("$WASIT2" run "$out")" ;;
    wasmtime) got="$("$WASMTIME" run "$out")" ;;
  esac
  [ "$got" = "$WANT" ] || { echo "FAIL: $name printed '$got'" >&2; exit 1; }
  rows+=("$name $(stat -c %s "$out")")
}

log "building tests/cxx/hello.cpp"
# clang-22 calls `wasm32-wasi` deprecated; the warning is expected here.
build debian-wasm32-wasi wasmtime --target=wasm32-wasi --sysroot=/usr -Wno-deprecated -fno-exceptions
build wasit2-wasm32 wasit2 --target=wasm32-wasit2
build wasit2-wasm32-fno-exceptions wasit2 --target=wasm32-wasit2 -fno-exceptions
build wasit2-wasm32-fwasm-exceptions wasit2 --target=wasm32-wasit2 -fwasm-exceptions
build wasit2-wasm32-mvp wasit2 --target=wasm32-wasit2-mvp
build wasit2-wasm64-fwasm-exceptions wasit2 --target=wasm64-wasit2 -fwasm-exceptions

base="${rows[0]##* }"
printf '\n%-34s %10s %8s\n' "C++ hello, -O2 -s" bytes "vs Debian"
for r in "${rows[@]}"; do
  name="${r% *}"; size="${r##* }"
  printf '%-34s %10d %8s\n' "$name" "$size" "$(awk -v a="$size" -v b="$base" 'BEGIN{printf "%.2fx", a/b}')"
done

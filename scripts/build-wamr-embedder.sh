#!/usr/bin/env bash
# Builds examples/wamr-embedder (a C embedder of the 2020 WAMR from the
# crates.io package wamr-sys 0.1.1) with the natives `wasit2 bindgen
# --host-c --vendor-imports env --name sensors` wrote into NATIVES_DIR, and
# prints the path of the binary. Cached by content hash under
# ~/.cache/wasit2/wamr-embedder/<hash>/ (outside the clone).
#
# The WAMR sources are used as shipped, unpatched. Their loader resolves
# registered natives only for the module names env, wasi_unstable,
# wasi_snapshot_preview1 and spectest (wasm_runtime_is_built_in_module), so
# the guest is linked with `wasit-ld --vendor-imports env` and the natives
# are generated with `--host-c --vendor-imports env`: both name the vendor
# imports env "<module>|<field>" (docs/abi.md 1.2).
#
#   scripts/build-wamr-embedder.sh NATIVES_DIR
#   scripts/build-wamr-embedder.sh --fetch    (fetch the sources, print the WAMR tree)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXAMPLE="$ROOT/examples/wamr-embedder"

# The WAMR sources of wamr-sys 0.1.1, fetched through cargo when missing.
crate="$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -maxdepth 2 -type d -name 'wamr-sys-0.1.1' 2>/dev/null | head -n1)"
if [ -z "$crate" ]; then
  fetch="$(mktemp -d)"
  trap 'rm -rf "$fetch"' EXIT
  mkdir -p "$fetch/src"
  printf '[package]\nname = "wamr-fetch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nwamr-sys = "=0.1.1"\n[workspace]\n' >"$fetch/Cargo.toml"
  echo 'fn main(){}' >"$fetch/src/main.rs"
  (cd "$fetch" && cargo fetch -q)
  crate="$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -maxdepth 2 -type d -name 'wamr-sys-0.1.1' | head -n1)"
fi
WAMR="$crate/wasm-micro-runtime"
[ -f "$WAMR/build-scripts/runtime_lib.cmake" ] || { echo "build-wamr-embedder: no WAMR tree in $crate" >&2; exit 1; }
# A tree someone patched to resolve wasit2 module names would hide a guest
# that is not in the env form; the stock 2020 sources never mention them.
if grep -q 'cm32p2' "$WAMR/core/iwasm/common/wasm_runtime_common.c"; then
  echo "build-wamr-embedder: $WAMR is patched (wasm_runtime_common.c names cm32p2); restore the wamr-sys 0.1.1 sources" >&2
  exit 1
fi
# --fetch: print the WAMR tree (its core/iwasm/include has wasm_export.h).
[ "${1:-}" = --fetch ] && { echo "$WAMR"; exit 0; }

NATIVES_DIR="$(cd "${1:?usage: build-wamr-embedder.sh NATIVES_DIR | --fetch}" && pwd)"
for f in sensors_wamr.h sensors_wamr.c; do
  [ -f "$NATIVES_DIR/$f" ] || { echo "build-wamr-embedder: $NATIVES_DIR/$f missing (run wasit2 bindgen --host-c --vendor-imports env --name sensors)" >&2; exit 1; }
done

hash="$( {
  echo wamr-sys-0.1.1 stock
  cc --version | head -n1
  cmake --version | head -n1
  cat "$ROOT/scripts/build-wamr-embedder.sh" "$EXAMPLE/CMakeLists.txt" "$EXAMPLE/main.c" "$EXAMPLE/sensor_natives.c" \
      "$NATIVES_DIR/sensors_wamr.h" "$NATIVES_DIR/sensors_wamr.c"
} | sha256sum | cut -c1-16 )"
CACHE="${WASIT2_CACHE:-$HOME/.cache/wasit2}/wamr-embedder"
OUT="$CACHE/$hash"
if [ ! -x "$OUT/wamr-embedder" ]; then
  mkdir -p "$CACHE"
  work="$(mktemp -d "$CACHE/build.XXXXXX")"
  # CMAKE_POLICY_VERSION_MINIMUM: the 2020 WAMR cmake files ask for CMake
  # < 3.5, which CMake 4 refuses otherwise (older CMake ignores it).
  cmake -S "$EXAMPLE" -B "$work/build" -DWAMR_ROOT_DIR="$WAMR" -DNATIVES_DIR="$NATIVES_DIR" \
    -DCMAKE_POLICY_VERSION_MINIMUM=3.5 -DCMAKE_BUILD_TYPE=Release >"$work/cmake.log" 2>&1 \
    && cmake --build "$work/build" -j"$(nproc)" >>"$work/cmake.log" 2>&1 \
    || { cat "$work/cmake.log" >&2; rm -rf "$work"; exit 1; }
  mkdir -p "$work/out"
  cp "$work/build/wamr-embedder" "$work/out/wamr-embedder"
  # Another build may have won the race; either result is the same.
  mv -T "$work/out" "$OUT" 2>/dev/null || true
  rm -rf "$work"
fi
echo "$OUT/wamr-embedder"

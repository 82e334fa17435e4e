#!/usr/bin/env bash
# Sysroot figures, for both wasi-libc trees the builder takes (docs/sysroot.md,
# "Two trees"): Debian's 2022 source (the default, .tools/wasi-libc) and the
# 2026 CMake-era tree (../shared/wasi-libc, upstream's wasip2 selection):
#   - sysroot build time from scratch of wasm32-wasit2 and wasm64-wasit2
#     (default CPU variant, into a temp dir; the C++ libraries come from
#     their cache);
#   - hello world size (examples/hello.c, -O2 -s), next to the wasm32-wasip1
#     peer built with Debian's prebuilt wasi-libc;
#   - heap allocations while moving 64 MiB through write, read, pwrite and
#     pread (sysroot/tests/programs/malloc_count.c, allocator wrapped with
#     --wrap); zero-copy requires 0;
#   - a $READ_MIB MiB file read with read() in 4 KiB calls
#     (scripts/bench/readloop.c) on `wasit2 run` and componentized on
#     `wasmtime run`: median of $RUNS runs with min-max, runs interleaved
#     across the configurations, and the 2026 tree's ratio to Debian's.
# Without ../shared the 2026 columns are left out (and the script says so).
# Needs `make build sysroot clang-install`.
# Usage: scripts/bench-sysroot.sh [--skip-build-time]
#        (env: RUNS=5 READ_MIB=512 WASIT2=target/debug/wasit2)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WASIT2="${WASIT2:-$ROOT/target/debug/wasit2}"
CLANG="${WASIT2_CLANG:-clang-22}"
WASMTIME="${WASIT2_WASMTIME:-$ROOT/.tools/bin/wasmtime}"
P1_DEB_DIR="$ROOT/.tools/wasi-libc-p1"
TREE2026="$ROOT/../shared/wasi-libc"
RUNS="${RUNS:-5}"
READ_MIB="${READ_MIB:-512}"
skip_build_time=0
[ "${1:-}" = "--skip-build-time" ] && skip_build_time=1

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
log() { printf '[bench-sysroot] %s\n' "$*" >&2; }
now() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
export WASIT2_CACHE_DIR="$tmp/run-cache"

# The wasm32-wasip1 peer sysroot: Debian's wasi-libc package, unpacked.
if [ ! -f "$P1_DEB_DIR/usr/lib/wasm32-wasi/libc.a" ]; then
  log "unpacking Debian's wasi-libc binary package into $P1_DEB_DIR"
  (cd "$tmp" && apt-get download -qq wasi-libc 2>/dev/null)
  mkdir -p "$P1_DEB_DIR"
  dpkg-deb -x "$tmp"/wasi-libc_*.deb "$P1_DEB_DIR"
fi
"$CLANG" --target=wasm32-wasi --sysroot="$P1_DEB_DIR/usr" -Wno-deprecated -O2 -s \
  "$ROOT/examples/hello.c" -o "$tmp/hello-p1.wasm"
p1_size=$(stat -c %s "$tmp/hello-p1.wasm")

trees=(debian)
if [ -f "$TREE2026/CMakeLists.txt" ]; then
  trees+=(tree2026)
else
  log "no 2026 tree at $TREE2026 (../shared): only the Debian-tree sysroot is measured"
fi

declare -A build_s hello mallocs sysroot_of
for tree in "${trees[@]}"; do
  src_args=()
  [ "$tree" = tree2026 ] && src_args=(--wasi-libc "$TREE2026")
  out="$tmp/sysroot-$tree"
  for arch in wasm32 wasm64; do
    if [ $skip_build_time = 0 ] || [ "$tree" = tree2026 ]; then
      log "building the $tree $arch-wasit2 sysroot from scratch (default CPU)"
      start=$(now)
      "$WASIT2" sysroot build "${src_args[@]}" --out "$out" --target "$arch" --cpu default -q
      build_s[$tree.$arch]=$(awk -v a="$start" -v b="$(now)" 'BEGIN{printf "%.1fs", b - a}')
    else
      build_s[$tree.$arch]="skipped"
    fi
  done
  # The Debian tree's figures use the installed sysroot when its build time
  # is skipped.
  sysroot=("--sysroot=$out")
  [ "$tree" = debian ] && [ $skip_build_time = 1 ] && sysroot=()
  sysroot_of[$tree]="${sysroot[*]}"
  for arch in wasm32 wasm64; do
    t="$arch-wasit2"
    "$CLANG" --target="$t" "${sysroot[@]}" -Wno-deprecated -O2 -s "$ROOT/examples/hello.c" \
      -o "$tmp/hello-$tree-$arch.wasm"
    hello[$tree.$arch]=$(stat -c %s "$tmp/hello-$tree-$arch.wasm")
    "$CLANG" --target="$t" "${sysroot[@]}" -Wno-deprecated -O2 \
      -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,--wrap=posix_memalign,--wrap=__libc_malloc,--wrap=__libc_calloc,--wrap=sbrk \
      "$ROOT/sysroot/tests/programs/malloc_count.c" -o "$tmp/mc-$tree-$arch.wasm"
    mkdir -p "$tmp/files"
    report="$("$WASIT2" run --dir "$tmp/files::." "$tmp/mc-$tree-$arch.wasm" big.bin 64)"
    mallocs[$tree.$arch]=$(awk '$1=="write"||$1=="read"||$1=="pwrite"||$1=="pread"{s+=$3} END{print s}' <<<"$report")
    rm -f "$tmp/files/big.bin"
  done
  "$CLANG" --target=wasm32-wasit2 "${sysroot[@]}" -Wno-deprecated -O2 "$ROOT/scripts/bench/readloop.c" \
    -o "$tmp/readloop-$tree.wasm"
  "$WASIT2" componentize "$tmp/readloop-$tree.wasm" -o "$tmp/readloop-$tree.cz.wasm"
done

printf '\n%-9s %-15s %14s %14s %18s %20s\n' tree target "sysroot build" "hello -O2 -s" "vs wasip1 peer" "mallocs 64 MiB I/O"
for tree in "${trees[@]}"; do
  for arch in wasm32 wasm64; do
    printf '%-9s %-15s %14s %14s %18s %20s\n' "$tree" "$arch-wasit2" "${build_s[$tree.$arch]}" \
      "${hello[$tree.$arch]} B" "$(ratio "${hello[$tree.$arch]}" "$p1_size") of $p1_size" "${mallocs[$tree.$arch]}"
  done
done

# The read loop: every configuration once per round, $RUNS rounds.
mkdir -p "$tmp/d"
head -c $((READ_MIB << 20)) /dev/urandom >"$tmp/d/big.bin"
want="$( (cd "$tmp/d" && "$WASIT2" run --dir . "$tmp/readloop-debian.wasm" big.bin 4096) )"
declare -A times
once() {
  local start out
  start=$(now)
  out="$(cd "$tmp/d" && "$@" 2>&1)"
  [ "$out" = "$want" ] || { echo "FAIL: $* printed: $out (want $want)" >&2; exit 1; }
  awk -v a="$start" -v b="$(now)" 'BEGIN{printf "%.3f", b - a}'
}
configs=()
for tree in "${trees[@]}"; do
  configs+=("$tree|wasit2 run|$WASIT2 run --dir . $tmp/readloop-$tree.wasm big.bin 4096")
  configs+=("$tree|componentized on wasmtime|$WASMTIME run --dir . $tmp/readloop-$tree.cz.wasm big.bin 4096")
done
log "read loop: $READ_MIB MiB in 4 KiB reads, $RUNS runs each (plus one warm-up)"
for c in "${configs[@]}"; do
  IFS='|' read -r _ _ cmd <<<"$c"
  # shellcheck disable=SC2086
  once $cmd >/dev/null
done
for ((i = 0; i < RUNS; i++)); do
  for c in "${configs[@]}"; do
    IFS='|' read -r tree how cmd <<<"$c"
    # shellcheck disable=SC2086
    times[$tree|$how]+="$(once $cmd) "
  done
done
stats() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END{printf "%s %s %s\n", a[int((NR+1)/2)], a[1], a[NR]}'; }
printf '\n%s\n%-9s %-28s %10s %18s %14s\n' "read loop, $READ_MIB MiB in 4 KiB read() calls, wall seconds (median of $RUNS)" \
  tree runner median "min-max" "vs debian"
declare -A med
for c in "${configs[@]}"; do
  IFS='|' read -r tree how _ <<<"$c"
  read -r m lo hi <<<"$(stats "${times[$tree|$how]}")"
  med[$tree|$how]=$m
  vs="-"
  [ "$tree" != debian ] && vs=$(ratio "$m" "${med[debian|$how]}")
  printf '%-9s %-28s %10s %18s %14s\n' "$tree" "$how" "$m" "$lo-$hi" "$vs"
done

fail=0
for k in "${!mallocs[@]}"; do
  [ "${mallocs[$k]}" = 0 ] || { echo "FAIL: $k allocates on the I/O paths" >&2; fail=1; }
done
exit $fail

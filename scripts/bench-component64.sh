#!/usr/bin/env bash
# wasm64 components against wasm32 ones (issue 20, docs/componentize.md,
# "wasm64"): the C read loop (scripts/bench/readloop.c) built with clang-22
# for wasm32-wasit2 and wasm64-wasit2 at -O2, each componentized with
# `wasit2 componentize`; prints both components' sizes and the time of
# `wasmtime run` reading a $READ_MIB MiB file in 4 KiB read() calls
# (wasm64 with -W component-model-memory64=y): whole-process wall times,
# median of $RUNS interleaved runs with min-max, and the wasm64/wasm32 ratio.
# Every run's output (byte count and checksum) is checked. wasmtime's
# compile cache is warmed by one untimed run of each component.
# Needs `make build sysroot clang-install`.
# Usage: scripts/bench-component64.sh   (env: RUNS=5 READ_MIB=512,
#        WASIT2=target/debug/wasit2)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLANG="${WASIT2_CLANG:-clang-22}"
WASMTIME="${WASIT2_WASMTIME:-$ROOT/.tools/bin/wasmtime}"
WASIT2="${WASIT2:-$ROOT/target/debug/wasit2}"
RUNS="${RUNS:-5}"
READ_MIB="${READ_MIB:-512}"
[ "$RUNS" -ge 1 ] || { echo "bench-component64: RUNS must be >= 1" >&2; exit 1; }
[ -x "$WASIT2" ] || { echo "bench-component64: $WASIT2 missing; run make build" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
log() { printf '[bench-component64] %s\n' "$*" >&2; }

src="$ROOT/scripts/bench/readloop.c"
for arch in wasm32 wasm64; do
  "$CLANG" --target=$arch-wasit2 -Wno-deprecated -O2 "$src" -o "$tmp/readloop.$arch.core.wasm"
  "$WASIT2" componentize "$tmp/readloop.$arch.core.wasm" -o "$tmp/readloop.$arch.wasm"
done
"$CLANG" -O2 "$src" -o "$tmp/readloop.native"

mkdir "$tmp/d"
log "writing a $READ_MIB MiB file"
head -c $((READ_MIB << 20)) /dev/urandom >"$tmp/d/big.bin"
want="$(cd "$tmp/d" && "$tmp/readloop.native" big.bin 4096)"

cmd_wasm32=("$WASMTIME" run --dir . "$tmp/readloop.wasm32.wasm" big.bin 4096)
cmd_wasm64=("$WASMTIME" run -W component-model-memory64=y --dir . "$tmp/readloop.wasm64.wasm" big.bin 4096)

# One run of the named configuration; prints its wall time in seconds.
once() {
  local -n cmd="cmd_$1"
  local start end out
  start=$(date +%s.%N)
  out="$(cd "$tmp/d" && "${cmd[@]}" 2>&1)"
  end=$(date +%s.%N)
  [ "$out" = "$want" ] || { echo "FAIL: $1 printed: $out (want $want)" >&2; return 1; }
  awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f", b - a}'
}
# "median min max" of the times in $1.
stats() {
  printf '%s\n' $1 | sort -n |
    awk '{a[NR]=$1} END{printf "%s %s %s\n", a[int((NR+1)/2)], a[1], a[NR]}'
}

once wasm32 >/dev/null
once wasm64 >/dev/null
log "$READ_MIB MiB in 4 KiB reads, $RUNS runs each (interleaved)"
declare -A times=()
for ((i = 0; i < RUNS; i++)); do
  for arch in wasm32 wasm64; do
    times[$arch]+="$(once $arch) "
  done
done

read -r m32 lo32 hi32 <<<"$(stats "${times[wasm32]}")"
read -r m64 lo64 hi64 <<<"$(stats "${times[wasm64]}")"
s32=$(stat -c %s "$tmp/readloop.wasm32.wasm")
s64=$(stat -c %s "$tmp/readloop.wasm64.wasm")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2fx", a / b; else print "-" }'; }

echo "wasmtime: $("$WASMTIME" --version)"
printf '\n%-34s %10s %9s\n' "read-loop component (-O2)" "size (B)" "vs wasm32"
printf '%-34s %10s %9s\n' "wasm32-wasit2" "$s32" "1.00x"
printf '%-34s %10s %9s\n' "wasm64-wasit2" "$s64" "$(ratio "$s64" "$s32")"
printf '\n%-34s %9s %17s %9s\n' "$READ_MIB MiB, 4 KiB reads, wasmtime run" "median" "(min-max)" "vs wasm32"
printf '%-34s %8ss %17s %9s\n' "wasm32-wasit2 component" "$m32" "($lo32-$hi32)" "1.00x"
printf '%-34s %8ss %17s %9s\n' "wasm64-wasit2 component" "$m64" "($lo64-$hi64)" "$(ratio "$m64" "$m32")"

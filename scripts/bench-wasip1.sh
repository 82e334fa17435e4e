#!/usr/bin/env bash
# wasit2 on WASI preview 1 runtimes (docs/wasip1.md, "Measurements"), as a table:
#   - hello world size (examples/hello.c, -O2 -s, MVP): `--target=wasm32-wasit2-mvp
#     -Wl,--host=wasip1` (the direct libc, which calls p1 itself; the adapter
#     serves only the program's own WASI 0.2 calls), also with
#     `-Wl,--wasip1-libc=adapter` (the wasit2 libc through the adapter), next to the
#     plain wasm32-wasip1 build against Debian's wasi-libc binary package (the
#     2022 snapshot the wasit2 sysroot is built from; unpacked, not installed,
#     into .tools/wasi-libc-p1, as scripts/bench-sysroot.sh does); goal <= 1.2x;
#   - read() loop throughput: a 64 MiB file read in 64 KiB chunks, on the 2020
#     WAMR iwasm and on `wasmtime run`, both builds, median of $RUNS runs.
#   - CPU variants side by side (docs/wasip1.md, "Which variant"): hello and
#     a stdin-to-stdout cat, -O2 -s, and the 64 MiB file read in 4 KiB
#     read() calls (scripts/bench/readloop.c), each built with
#     --target=wasm32-wasit2{-mvp,-lime1,} -Wl,--host=wasip1; times on
#     `wasmtime run` (all three) and on the 2020 iwasm (mvp only: it loads
#     neither of the others).
# Every ratio compares figures measured in this same run.
# Needs `make build sysroot clang-install` (the sysroot then holds the adapter).
# Usage: scripts/bench-wasip1.sh   (env: RUNS=5, WASIT_LD=<wasit-ld to link with>)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLANG="${WASIT2_CLANG:-clang-22}"
IWASM="${WASIT2_IWASM:-$ROOT/.tools/bin/iwasm}"
WASMTIME="${WASIT2_WASMTIME:-$ROOT/.tools/bin/wasmtime}"
P1_DEB_DIR="$ROOT/.tools/wasi-libc-p1"
RUNS="${RUNS:-5}"
# Default: the linker the installed clang cfg names (target/debug/wasit-ld).
fuse_ld=()
[ -n "${WASIT_LD:-}" ] && fuse_ld=("-fuse-ld=$WASIT_LD")

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
log() { printf '[bench] %s\n' "$*" >&2; }

if [ ! -f "$P1_DEB_DIR/usr/lib/wasm32-wasi/libc.a" ]; then
  log "unpacking Debian's wasi-libc binary package into $P1_DEB_DIR"
  (cd "$tmp" && apt-get download -qq wasi-libc 2>/dev/null)
  mkdir -p "$P1_DEB_DIR"
  dpkg-deb -x "$tmp"/wasi-libc_*.deb "$P1_DEB_DIR"
fi

w2() { "$CLANG" --target=wasm32-wasit2-mvp "${fuse_ld[@]}" -Wl,--host=wasip1 -O2 "$@"; }
# clang-22 calls `wasm32-wasi` deprecated; the warning is expected here.
p1() { "$CLANG" --target=wasm32-wasi --sysroot="$P1_DEB_DIR/usr" -Wno-deprecated -mcpu=mvp -O2 "$@"; }

w2 -s "$ROOT/examples/hello.c" -o "$tmp/hello-w2.wasm"
w2 -s -Wl,--wasip1-libc=adapter "$ROOT/examples/hello.c" -o "$tmp/hello-w2a.wasm"
p1 -s "$ROOT/examples/hello.c" -o "$tmp/hello-p1.wasm"
# The same program linked for the wasit2 host (no adapter): splits the
# difference into the wasit2 libc's part and the adapter's part.
"$CLANG" --target=wasm32-wasit2-mvp "${fuse_ld[@]}" -O2 -s "$ROOT/examples/hello.c" -o "$tmp/hello-wasit2.wasm"
size_w2=$(stat -c %s "$tmp/hello-w2.wasm")
size_w2a=$(stat -c %s "$tmp/hello-w2a.wasm")
size_p1=$(stat -c %s "$tmp/hello-p1.wasm")
size_wasit2=$(stat -c %s "$tmp/hello-wasit2.wasm")

cat >"$tmp/readloop.c" <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
static char buf[65536];
int main(int argc, char **argv) {
    int fd = open(argc > 1 ? argv[1] : "big.bin", O_RDONLY);
    if (fd < 0) { perror("open"); return 1; }
    long long total = 0;
    unsigned sum = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        total += n;
        sum += (unsigned char)buf[0] + (unsigned char)buf[n - 1];
    }
    if (n < 0) { perror("read"); return 1; }
    printf("%lld %u\n", total, sum);
    return 0;
}
EOF
w2 "$tmp/readloop.c" -o "$tmp/read-w2.wasm"
w2 -Wl,--wasip1-libc=adapter "$tmp/readloop.c" -o "$tmp/read-w2a.wasm"
p1 "$tmp/readloop.c" -o "$tmp/read-p1.wasm"
mkdir -p "$tmp/d"
head -c $((64 << 20)) /dev/urandom >"$tmp/d/big.bin"
expected=$((64 << 20))

# Median wall time in seconds of RUNS runs of "$@" in $tmp/d; checks the output.
median_time() {
  local times=() i start end out
  for ((i = 0; i < RUNS; i++)); do
    start=$(date +%s.%N)
    out="$(cd "$tmp/d" && "$@" 2>&1)"
    end=$(date +%s.%N)
    case "$out" in
      "$expected "*) ;;
      *) echo "FAIL: $* printed: $out" >&2; exit 1 ;;
    esac
    times+=("$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f", b - a}')")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'
}

log "read loop: 64 MiB in 64 KiB reads, $RUNS runs each"
declare -A t
# Start-up alone (the hello modules), to tell it apart from the read loop.
expected_hello="Hello from wasm32-wasit2!"
median_hello() {
  local times=() i start end out
  for ((i = 0; i < RUNS; i++)); do
    start=$(date +%s.%N)
    out="$("$@" 2>&1)"
    end=$(date +%s.%N)
    [ "$out" = "$expected_hello" ] || { echo "FAIL: $* printed: $out" >&2; exit 1; }
    times+=("$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f", b - a}')")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'
}
t[iwasm,hw2]=$(median_hello "$IWASM" "$tmp/hello-w2.wasm")
t[iwasm,hp1]=$(median_hello "$IWASM" "$tmp/hello-p1.wasm")
t[wasmtime,hw2]=$(median_hello "$WASMTIME" run "$tmp/hello-w2.wasm")
t[wasmtime,hp1]=$(median_hello "$WASMTIME" run "$tmp/hello-p1.wasm")
t[iwasm,w2]=$(median_time "$IWASM" --dir=. "$tmp/read-w2.wasm" big.bin)
t[iwasm,w2a]=$(median_time "$IWASM" --dir=. "$tmp/read-w2a.wasm" big.bin)
t[iwasm,p1]=$(median_time "$IWASM" --dir=. "$tmp/read-p1.wasm" big.bin)
t[wasmtime,w2]=$(median_time "$WASMTIME" run --dir . "$tmp/read-w2.wasm" big.bin)
t[wasmtime,w2a]=$(median_time "$WASMTIME" run --dir . "$tmp/read-w2a.wasm" big.bin)
t[wasmtime,p1]=$(median_time "$WASMTIME" run --dir . "$tmp/read-p1.wasm" big.bin)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2fx", a / b}'; }
mibs() { awk -v s="$1" 'BEGIN{printf "%.0f MiB/s", 64 / s}'; }
printf '\n%-34s %22s %22s %8s\n' measurement "--host wasip1" "plain wasm32-wasip1" ratio
printf '%-34s %22s %22s %8s\n' "hello.c -O2 -s -mcpu=mvp, size" "$size_w2 B" "$size_p1 B" "$(ratio "$size_w2" "$size_p1")"
printf '%-34s %22s %22s %8s\n' "  same, --wasip1-libc=adapter" "$size_w2a B" "$size_p1 B" "$(ratio "$size_w2a" "$size_p1")"
printf '%-34s %22s %22s %8s\n' "  same, linked for host wasit2" "$size_wasit2 B" "$size_p1 B" "$(ratio "$size_wasit2" "$size_p1")"
for rt in iwasm wasmtime; do
  printf '%-34s %22s %22s %8s\n' "hello run (start-up), $rt" "${t[$rt,hw2]} s" "${t[$rt,hp1]} s" \
    "$(ratio "${t[$rt,hw2]}" "${t[$rt,hp1]}")"
done
for rt in iwasm wasmtime; do
  printf '%-34s %22s %22s %8s\n' "64 MiB read loop, $rt" \
    "${t[$rt,w2]} s ($(mibs "${t[$rt,w2]}"))" "${t[$rt,p1]} s ($(mibs "${t[$rt,p1]}"))" \
    "$(ratio "${t[$rt,w2]}" "${t[$rt,p1]}")"
  printf '%-34s %22s %22s %8s\n' "  same, --wasip1-libc=adapter" \
    "${t[$rt,w2a]} s ($(mibs "${t[$rt,w2a]}"))" "${t[$rt,p1]} s ($(mibs "${t[$rt,p1]}"))" \
    "$(ratio "${t[$rt,w2a]}" "${t[$rt,p1]}")"
done

# CPU variants: the same programs for the 2020 WAMR (mvp), Lime1 engines and
# current engines (clang's default CPU), all --host wasip1 with the direct libc.
cat >"$tmp/cat.c" <<'EOF'
#include <unistd.h>
int main(void) {
    char buf[4096];
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0)
        if (write(1, buf, (size_t)n) != n) return 1;
    return n < 0;
}
EOF
declare -A vsize vread
for cpu in mvp lime1 default; do
  target=wasm32-wasit2-$cpu
  [ "$cpu" = default ] && target=wasm32-wasit2
  v() { "$CLANG" --target="$target" "${fuse_ld[@]}" -Wl,--host=wasip1 -O2 "$@"; }
  v -s "$ROOT/examples/hello.c" -o "$tmp/hello-$cpu.wasm"
  v -s "$tmp/cat.c" -o "$tmp/cat-$cpu.wasm"
  v "$ROOT/scripts/bench/readloop.c" -o "$tmp/read4k-$cpu.wasm"
  vsize[$cpu,hello]=$(stat -c %s "$tmp/hello-$cpu.wasm")
  vsize[$cpu,cat]=$(stat -c %s "$tmp/cat-$cpu.wasm")
  [ "$(echo hi | "$WASMTIME" run "$tmp/cat-$cpu.wasm")" = hi ] || { echo "FAIL: cat-$cpu" >&2; exit 1; }
  vread[$cpu,wasmtime]=$(median_time "$WASMTIME" run --dir . "$tmp/read4k-$cpu.wasm" big.bin 4096)
done
vread[mvp,iwasm]=$(median_time "$IWASM" --dir=. "$tmp/read4k-mvp.wasm" big.bin 4096)
printf '\n%-40s %14s %14s %14s\n' "--host wasip1, by CPU variant" mvp lime1 default
printf '%-40s %14s %14s %14s\n' "hello.c -O2 -s, size" "${vsize[mvp,hello]} B" "${vsize[lime1,hello]} B" "${vsize[default,hello]} B"
printf '%-40s %14s %14s %14s\n' "cat.c -O2 -s, size" "${vsize[mvp,cat]} B" "${vsize[lime1,cat]} B" "${vsize[default,cat]} B"
printf '%-40s %14s %14s %14s\n' "64 MiB in 4 KiB reads, wasmtime run" "${vread[mvp,wasmtime]} s" "${vread[lime1,wasmtime]} s" "${vread[default,wasmtime]} s"
printf '%-40s %14s %14s %14s\n' "64 MiB in 4 KiB reads, iwasm 2020" "${vread[mvp,iwasm]} s" "(no load)" "(no load)"

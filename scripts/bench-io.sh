#!/usr/bin/env bash
# Per-call I/O cost (issue 14, docs/host.md and docs/wasip1.md, "Per-call cost"):
#   - a file of $READ_MIB MiB read with read() in 4 KiB and 64 KiB calls
#     (scripts/bench/readloop.c);
#   - $WRITE_MIB MiB written with write() in 4 KiB calls to a file and to stdout
#     redirected to /dev/null (scripts/bench/writeloop.c);
# each for: native; plain wasm32-wasip1 (Debian's wasi-libc, -mcpu=mvp, as
# scripts/bench-wasip1.sh builds it) on `wasmtime run` and on the 2020 iwasm;
# wasm32-wasit2 on `wasit2 run` (a release build) and componentized on
# `wasmtime run`; wasm32-wasit2-mvp --host wasip1 on `wasmtime run` and iwasm;
# and Rust std (RUST=0 leaves it out): the same program as a wasm32-wasip1
# module and a wasm32-wasip2 component on wasmtime (upstream's own p1 and p2
# on one runtime: what the component host itself costs), and linked by
# wasit-ld on `wasit2 run`.
# Times are whole-process wall times: median of $RUNS runs, with min-max.
# Every ratio is against plain wasip1 on the same runtime (wasit2 run and the
# component against plain wasip1 on wasmtime; the Rust wasip2 component
# against Rust wasip1; Rust wasit-ld against the wasip2 component): "vs
# peer" on whole-process times, "net" with each side's
# start-up (the same program on a 1-byte file) subtracted, which isolates the
# per-call cost. Both CLIs cache compiled code: `wasit2 run` in a cache of its
# own here ($tmp/cache), `wasmtime run` in its default one; every module runs
# once before timing, so every timed run starts warm.
# First table, sizes at -O2 -s of hello (puts), hello (printf) and a
# fopen/fread/fwrite cat against plain wasip1. Then start-up (issue 17): C
# hello on `wasit2 run` with a warm cache and with `-C cache=n` against plain
# wasip1 hello on `wasmtime run`. Before the timed loops, guest mallocs per
# read() (must be 0; the script fails otherwise). With Rust also the sizes
# of a Rust hello and read loop: rustc's wasm32-wasip2 component against the
# wasit-ld module (there is no C wasip2 libc to compare the C programs with).
# Then the libc code built for size (scripts/bench/libcloop.c: MALLOCS
# malloc/free pairs, SCANS rounds of string scans) against Debian's.
# Last, with valgrind, native instructions per 4 KiB read() and write() on
# the 2020 iwasm: plain wasip1 against --host wasip1, free of timing noise.
# Needs `make build sysroot clang-install` and a release wasit2
# (`cargo build --release -p wasit2-cli`).
# Usage: scripts/bench-io.sh   (env: RUNS=5 READ_MIB=512 WRITE_MIB=512 RUST=1,
#        MALLOCS=20000000 SCANS=20000 CALLS=4096,
#        WASIT2=target/release/wasit2, WASIT_LD=<wasit-ld to link with>)
# Quick run: RUNS=1 READ_MIB=32 WRITE_MIB=32 scripts/bench-io.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLANG="${WASIT2_CLANG:-clang-22}"
IWASM="${WASIT2_IWASM:-$ROOT/.tools/bin/iwasm}"
WASMTIME="${WASIT2_WASMTIME:-$ROOT/.tools/bin/wasmtime}"
WASIT2="${WASIT2:-$ROOT/target/release/wasit2}"
P1_DEB_DIR="$ROOT/.tools/wasi-libc-p1"
RUNS="${RUNS:-5}"
READ_MIB="${READ_MIB:-512}"
WRITE_MIB="${WRITE_MIB:-512}"
RUST="${RUST:-1}"
fuse_ld=()
[ -n "${WASIT_LD:-}" ] && fuse_ld=("-fuse-ld=$WASIT_LD")
[ -x "$WASIT2" ] || { echo "bench-io: $WASIT2 missing; run cargo build --release -p wasit2-cli" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
log() { printf '[bench-io] %s\n' "$*" >&2; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2fx", a / b; else print "-" }'; }

if [ ! -f "$P1_DEB_DIR/usr/lib/wasm32-wasi/libc.a" ]; then
  log "unpacking Debian's wasi-libc binary package into $P1_DEB_DIR"
  (cd "$tmp" && apt-get download -qq wasi-libc 2>/dev/null)
  mkdir -p "$P1_DEB_DIR"
  dpkg-deb -x "$tmp"/wasi-libc_*.deb "$P1_DEB_DIR"
fi

# clang-22 calls `wasm32-wasi` (and so every wasit2 triple) deprecated:
# -Wno-deprecated keeps that driver warning out of the output.
p1() { "$CLANG" --target=wasm32-wasi --sysroot="$P1_DEB_DIR/usr" -Wno-deprecated -mcpu=mvp -O2 "$@"; }
w2() { "$CLANG" --target=wasm32-wasit2 -Wno-deprecated "${fuse_ld[@]}" -O2 "$@"; }
w2p1() { "$CLANG" --target=wasm32-wasit2-mvp -Wno-deprecated "${fuse_ld[@]}" -Wl,--host=wasip1 -O2 "$@"; }

export WASIT2_CACHE_DIR="$tmp/cache"
printf '#include <stdio.h>\nint main(void) { puts("Hello, world!"); return 0; }\n' >"$tmp/hello.c"
p1 "$tmp/hello.c" -o "$tmp/hello.p1.wasm"
w2 "$tmp/hello.c" -o "$tmp/hello.w2.wasm"

for prog in readloop writeloop libcloop; do
  src="$ROOT/scripts/bench/$prog.c"
  "$CLANG" -O2 "$src" -o "$tmp/$prog.native"
  p1 "$src" -o "$tmp/$prog.p1.wasm"
  w2 "$src" -o "$tmp/$prog.w2.wasm"
  "$WASIT2" componentize "$tmp/$prog.w2.wasm" -o "$tmp/$prog.cz.wasm"
  w2p1 "$src" -o "$tmp/$prog.w2p1.wasm"
done

# Sizes (issue 14's goal: <= 1.1x plain wasip1 on wasm32, <= 1.2x on
# wasm64) at -O2 -s; the wasip1 peer with clang's default CPU, as the
# wasit2 builds. The componentized column is `wasit2 componentize` of the
# wasm32 build (what a WASI 0.2 host runs).
cat >"$tmp/hello_printf.c" <<'EOF'
#include <stdio.h>
int main(int argc, char **argv) { printf("Hello, %s! %d arguments\n", argv[0], argc); return 0; }
EOF
printf '\n%s\n%-14s %8s %16s %16s %18s\n' "sizes at -O2 -s in bytes (ratio vs plain wasip1)" program \
  wasip1 wasm32-wasit2 wasm64-wasit2 "wasm32 component"
for prog in hello:"$tmp/hello.c" hello_printf:"$tmp/hello_printf.c" cat:"$ROOT/sysroot/tests/programs/cat.c"; do
  name="${prog%%:*}" src="${prog#*:}"
  "$CLANG" --target=wasm32-wasi --sysroot="$P1_DEB_DIR/usr" -Wno-deprecated -O2 -s "$src" -o "$tmp/size.p1.wasm"
  "$CLANG" --target=wasm32-wasit2 -Wno-deprecated "${fuse_ld[@]}" -O2 -s "$src" -o "$tmp/size.w32.wasm"
  "$CLANG" --target=wasm64-wasit2 -Wno-deprecated "${fuse_ld[@]}" -O2 -s "$src" -o "$tmp/size.w64.wasm"
  "$WASIT2" componentize "$tmp/size.w32.wasm" -o "$tmp/size.cz.wasm"
  p1s=$(stat -c %s "$tmp/size.p1.wasm")
  cell() { local n; n=$(stat -c %s "$1"); printf '%s (%s)' "$n" "$(ratio "$n" "$p1s")"; }
  printf '%-14s %8s %16s %16s %18s\n' "$name" "$p1s" "$(cell "$tmp/size.w32.wasm")" \
    "$(cell "$tmp/size.w64.wasm")" "$(cell "$tmp/size.cz.wasm")"
done

if [ "$RUST" = 1 ]; then
  mkdir -p "$tmp/rs/src"
  cat >"$tmp/rs/Cargo.toml" <<'EOF'
[package]
name = "readloop"
version = "0.1.0"
edition = "2021"
[profile.release]
strip = "symbols"
EOF
  mkdir -p "$tmp/rs/src/bin"
  printf 'fn main() {\n    println!("Hello, world!");\n}\n' >"$tmp/rs/src/bin/hello.rs"
  cat >"$tmp/rs/src/main.rs" <<'EOF'
// Rust std version of scripts/bench/readloop.c.
use std::io::Read;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let chunk: usize = a.get(2).map_or(4096, |s| s.parse().unwrap());
    let mut f = std::fs::File::open(a.get(1).map_or("big.bin", |s| s)).unwrap();
    let mut buf = vec![0u8; chunk];
    let (mut total, mut sum) = (0u64, 0u32);
    loop {
        let n = f.read(&mut buf).unwrap();
        if n == 0 { break; }
        total += n as u64;
        sum = sum.wrapping_add(buf[0] as u32 + buf[n - 1] as u32);
    }
    println!("{total} {sum}");
}
EOF
  (cd "$tmp/rs" && cargo build -q --release --target wasm32-wasip2 --target-dir "$tmp/rs/t-p2")
  (cd "$tmp/rs" && cargo build -q --release --target wasm32-wasip1 --target-dir "$tmp/rs/t-p1")
  (cd "$tmp/rs" && CARGO_TARGET_WASM32_WASIP2_LINKER="${WASIT_LD:-$ROOT/target/debug/wasit-ld}" \
    cargo build -q --release --target wasm32-wasip2 --target-dir "$tmp/rs/t-w2")
  cp "$tmp/rs/t-p1/wasm32-wasip1/release/readloop.wasm" "$tmp/readloop.rs-p1.wasm"
  cp "$tmp/rs/t-p2/wasm32-wasip2/release/readloop.wasm" "$tmp/readloop.rs-p2.wasm"
  cp "$tmp/rs/t-w2/wasm32-wasip2/release/readloop.wasm" "$tmp/readloop.rs-w2.wasm"
  # Sizes against a wasip2 component (there is no C wasip2 libc here): the
  # same Rust programs, rustc's wasm32-wasip2 component vs wasit-ld's module
  # (release, symbols stripped).
  printf '\n%s\n%-30s %22s %22s\n' "Rust std sizes in bytes (ratio vs the wasip2 component)" program \
    "wasm32-wasip2 component" "wasit-ld module"
  for bin in hello:"hello (println!)" readloop:"readloop (std::fs reads)"; do
    p2s=$(stat -c %s "$tmp/rs/t-p2/wasm32-wasip2/release/${bin%%:*}.wasm")
    w2s=$(stat -c %s "$tmp/rs/t-w2/wasm32-wasip2/release/${bin%%:*}.wasm")
    printf '%-30s %22s %22s\n' "${bin#*:}" "$p2s" "$w2s ($(ratio "$w2s" "$p2s"))"
  done
fi

mkdir -p "$tmp/d"
head -c $((READ_MIB << 20)) /dev/urandom >"$tmp/d/big.bin"
read_bytes=$((READ_MIB << 20))
write_bytes=$((WRITE_MIB << 20))

# One run of "$@" in $tmp/d; prints its wall time in seconds. The expected
# output is $want: stdout for reads, stderr for writes ($check).
want="" check=stdout
once() {
  local start end out
  start=$(date +%s.%N)
  if [ "$check" = stdout ]; then
    out="$(cd "$tmp/d" && "$@" 2>&1)"
  else
    out="$(cd "$tmp/d" && "$@" 2>&1 >/dev/null)"
  fi
  end=$(date +%s.%N)
  [ "$out" = "$want" ] || { echo "FAIL: $* printed: $out (want $want)" >&2; return 1; }
  awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f", b - a}'
}
# "median min max" of the times in $1.
stats() {
  printf '%s\n' $1 | sort -n |
    awk '{a[NR]=$1} END{printf "%s %s %s\n", a[int((NR+1)/2)], a[1], a[NR]}'
}

# The configurations: label|peer label|command (the module's path has @).
configs=(
  "native||$tmp/@.native"
  "wasip1 on wasmtime run|wasip1 on wasmtime run|$WASMTIME run --dir . $tmp/@.p1.wasm"
  "wasip1 on iwasm|wasip1 on iwasm|$IWASM --dir=. $tmp/@.p1.wasm"
  "wasm32-wasit2 on wasit2 run|wasip1 on wasmtime run|$WASIT2 run --dir . $tmp/@.w2.wasm"
  "wasm32-wasit2 componentized on wasmtime run|wasip1 on wasmtime run|$WASMTIME run --dir . $tmp/@.cz.wasm"
  "--host wasip1 on wasmtime run|wasip1 on wasmtime run|$WASMTIME run --dir . $tmp/@.w2p1.wasm"
  "--host wasip1 on iwasm|wasip1 on iwasm|$IWASM --dir=. $tmp/@.w2p1.wasm"
)
rust_rows=()
if [ "$RUST" = 1 ]; then
  rust_rows=(
    "Rust std wasip1 on wasmtime run||$WASMTIME run --dir . $tmp/readloop.rs-p1.wasm"
    "Rust std wasip2 component on wasmtime run|Rust std wasip1 on wasmtime run|$WASMTIME run --dir . $tmp/readloop.rs-p2.wasm"
    "Rust std + wasit-ld on wasit2 run|Rust std wasip2 component on wasmtime run|$WASIT2 run --dir . $tmp/readloop.rs-w2.wasm"
  )
fi

declare -A start res
# section TITLE PROGRAM ARGS...: runs every configuration of $rows RUNS
# times, interleaved (run i of every configuration before run i+1, so load
# from other jobs falls on all of them alike), into res[label].
section() {
  local title="$1" prog="$2" i c label peer cmd t
  shift 2
  log "$title, $RUNS runs each"
  declare -A times=()
  for ((i = 0; i < RUNS; i++)); do
    for c in "${rows[@]}"; do
      IFS='|' read -r label peer cmd <<<"$c"
      # shellcheck disable=SC2086 # the command is split on purpose
      t="$(once ${cmd//@/$prog} "$@")" || exit 1
      times[$label]+="$t "
    done
  done
  for c in "${rows[@]}"; do
    IFS='|' read -r label peer cmd <<<"$c"
    res[$label]="$(stats "${times[$label]}")"
  done
}

table() { # title: prints res[] for $rows with ratios against each peer
  printf '\n%s\n%-46s %10s %17s %9s %9s %9s\n' "$1" configuration median "(min-max)" \
    "vs peer" "net" "vs native"
  local c label peer cmd m lo hi pm vs net nat
  read -r nat _ _ <<<"${res[native]}"
  for c in "${rows[@]}"; do
    IFS='|' read -r label peer cmd <<<"$c"
    read -r m lo hi <<<"${res[$label]}"
    vs="-" net="-"
    if [ -n "$peer" ]; then
      read -r pm _ _ <<<"${res[$peer]}"
      vs=$(ratio "$m" "$pm")
      # Start-up (the same program on a 1-byte file) taken out of both.
      net=$(ratio "$(awk -v a="$m" -v b="${start[$label]}" 'BEGIN{print a - b}')" \
        "$(awk -v a="$pm" -v b="${start[$peer]}" 'BEGIN{print a - b}')")
    fi
    printf '%-46s %8s s %17s %9s %9s %9s\n' "$label" "$m" "($lo-$hi)" "$vs" "$net" "$(ratio "$m" "$nat")"
  done
}

peer_table() { # title: prints res[] for $rows with the ratio against each peer
  printf '\n%s\n%-52s %10s %17s %9s\n' "$1" configuration median "(min-max)" "vs peer"
  local c label peer cmd m lo hi pm vs
  for c in "${rows[@]}"; do
    IFS='|' read -r label peer cmd <<<"$c"
    read -r m lo hi <<<"${res[$label]}"
    vs="-"
    if [ -n "$peer" ]; then
      read -r pm _ _ <<<"${res[$peer]}"
      vs=$(ratio "$m" "$pm")
    fi
    printf '%-52s %8s s %17s %9s\n' "$label" "$m" "($lo-$hi)" "$vs"
  done
}

# Start-up: hello, warm caches (one untimed run of each first).
rows=(
  "hello wasip1 on wasmtime run||$WASMTIME run $tmp/hello.p1.wasm"
  "hello wasm32-wasit2 on wasit2 run (warm cache)|hello wasip1 on wasmtime run|$WASIT2 run $tmp/hello.w2.wasm"
  "hello wasm32-wasit2 on wasit2 run -C cache=n|hello wasip1 on wasmtime run|$WASIT2 run -C cache=n $tmp/hello.w2.wasm"
)
want="Hello, world!" check=stdout
for c in "${rows[@]}"; do
  IFS='|' read -r label peer cmd <<<"$c"
  # shellcheck disable=SC2086 # the command is split on purpose
  once $cmd >/dev/null || exit 1
done
section "start-up: C hello" hello
peer_table "start-up: C hello (goal: warm cache <= 1.2x wasmtime run)"

# The libc code the wasit2 sysroot builds for size (dlmalloc -Oz; memchr,
# strchrnul and strlen without unrolling; docs/sysroot.md) against
# Debian's -O2 build (an older clang: the string rows also show that).
# No I/O in the loops, so the host does not matter: each build on its
# runtime, against plain wasip1 on wasmtime (wasm64 too: there is no wasm64
# wasip1 libc).
rows=(
  "wasip1 on wasmtime run||$WASMTIME run $tmp/libcloop.p1.wasm"
  "wasm32-wasit2 on wasit2 run|wasip1 on wasmtime run|$WASIT2 run $tmp/libcloop.w2.wasm"
  "wasm64-wasit2 on wasit2 run|wasip1 on wasmtime run|$WASIT2 run $tmp/libcloop.w64.wasm"
  "--host wasip1 on wasmtime run|wasip1 on wasmtime run|$WASMTIME run $tmp/libcloop.w2p1.wasm"
)
"$CLANG" --target=wasm64-wasit2 -Wno-deprecated "${fuse_ld[@]}" -O2 "$ROOT/scripts/bench/libcloop.c" -o "$tmp/libcloop.w64.wasm"
for loop in malloc:"${MALLOCS:-20000000}" strings:"${SCANS:-20000}"; do
  what="${loop%%:*}" count="${loop#*:}"
  want="$("$tmp/libcloop.native" "$what" "$count")" check=stdout
  for c in "${rows[@]}"; do
    IFS='|' read -r label peer cmd <<<"$c"
    # shellcheck disable=SC2086 # the command is split on purpose
    once $cmd "$what" 1 >/dev/null 2>&1 || true
  done
  section "libc built for size: $what" libcloop "$what" "$count"
  peer_table "libc built for size: libcloop $what $count"
done

rows=("${configs[@]}" "${rust_rows[@]}")
head -c 1 /dev/zero >"$tmp/d/one.bin"
want="$("$tmp/readloop.native" "$tmp/d/one.bin" 4096)" check=stdout
# Warm both CLIs' caches: one untimed run of every module.
for c in "${rows[@]}"; do
  IFS='|' read -r label peer cmd <<<"$c"
  # shellcheck disable=SC2086 # the command is split on purpose
  (cd "$tmp/d" && ${cmd//@/readloop} one.bin 4096 >/dev/null 2>&1) || true
  case "$cmd" in *readloop.rs*) continue ;; esac
  # shellcheck disable=SC2086
  (cd "$tmp/d" && ${cmd//@/writeloop} out.bin 4096 4096 >/dev/null 2>&1) || true
done
rm -f "$tmp/d/out.bin"
want="$("$tmp/readloop.native" "$tmp/d/one.bin" 4096)" check=stdout
section "start-up: the read loop on a 1-byte file" readloop one.bin 4096
printf '\n%s\n%-46s %10s %17s\n' "start-up: the read loop on a 1-byte file" configuration median "(min-max)"
for c in "${rows[@]}"; do
  IFS='|' read -r label peer cmd <<<"$c"
  read -r m lo hi <<<"${res[$label]}"
  start[$label]=$m
  printf '%-46s %8s s %17s\n' "$label" "$m" "($lo-$hi)"
done

# Guest mallocs per read() (must be 0: read() hands the caller's buffer to
# the host). Counted as sysroot/tests/zero_copy.rs does, with --wrap on
# libc's allocator entry points, over the 4 KiB read loop of big.bin.
cat >"$tmp/mallocread.c" <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
static unsigned long allocations;
void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
void *__real_aligned_alloc(size_t, size_t);
int __real_posix_memalign(void **, size_t, size_t);
void *__wrap_malloc(size_t n) { allocations++; return __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { allocations++; return __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { allocations++; return __real_realloc(p, n); }
void *__wrap_aligned_alloc(size_t a, size_t n) { allocations++; return __real_aligned_alloc(a, n); }
int __wrap_posix_memalign(void **p, size_t a, size_t n) { allocations++; return __real_posix_memalign(p, a, n); }
static char buf[4096];
int main(int argc, char **argv) {
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) { perror("open"); return 1; }
    unsigned long reads = 0, before = allocations;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) reads++;
    unsigned long during = allocations - before;
    if (n < 0) { perror("read"); return 1; }
    printf("%lu %lu\n", reads, during);
    return 0;
}
EOF
wrap=-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,--wrap=posix_memalign
w2 "$wrap" "$tmp/mallocread.c" -o "$tmp/mallocread.w2.wasm"
"$CLANG" --target=wasm64-wasit2 -Wno-deprecated "${fuse_ld[@]}" -O2 "$wrap" "$tmp/mallocread.c" -o "$tmp/mallocread.w64.wasm"
"$WASIT2" componentize "$tmp/mallocread.w2.wasm" -o "$tmp/mallocread.cz.wasm"
w2p1 "$wrap" "$tmp/mallocread.c" -o "$tmp/mallocread.w2p1.wasm"
printf '\n%s\n%-46s %10s %10s %16s\n' "guest mallocs per read() ($READ_MIB MiB in 4 KiB calls; must be 0)" \
  configuration "read()s" mallocs "mallocs/read()"
malloc_fail=0
for c in "wasm32-wasit2 on wasit2 run|$WASIT2 run --dir . $tmp/mallocread.w2.wasm" \
  "wasm64-wasit2 on wasit2 run|$WASIT2 run --dir . $tmp/mallocread.w64.wasm" \
  "wasm32-wasit2 componentized on wasmtime run|$WASMTIME run --dir . $tmp/mallocread.cz.wasm" \
  "--host wasip1 on wasmtime run|$WASMTIME run --dir . $tmp/mallocread.w2p1.wasm" \
  "--host wasip1 on iwasm|$IWASM --dir=. $tmp/mallocread.w2p1.wasm"; do
  IFS='|' read -r label cmd <<<"$c"
  # shellcheck disable=SC2086 # the command is split on purpose
  read -r reads mallocs < <(cd "$tmp/d" && $cmd big.bin)
  [ "$mallocs" = 0 ] || malloc_fail=1
  printf '%-46s %10s %10s %16s\n' "$label" "$reads" "$mallocs" \
    "$(awk -v a="$mallocs" -v b="$reads" 'BEGIN{ if (b > 0) printf "%.4f", a / b; else print "-" }')"
done
[ "$malloc_fail" = 0 ] || { echo "FAIL: a read() loop allocated in the guest" >&2; exit 1; }

for chunk in 4096 65536; do
  title="read $READ_MIB MiB in $((chunk / 1024)) KiB read() calls"
  want="$("$tmp/readloop.native" "$tmp/d/big.bin" "$chunk")" check=stdout
  section "$title" readloop big.bin "$chunk"
  table "$title"
done

# The write loops have no Rust row.
rows=("${configs[@]}")
for target in file stdout; do
  if [ "$target" = file ]; then
    title="write $WRITE_MIB MiB in 4 KiB write() calls to a file"
    arg=out.bin
  else
    title="write $WRITE_MIB MiB in 4 KiB write() calls to stdout (/dev/null)"
    arg=-
  fi
  want="$write_bytes" check=stderr
  section "$title" writeloop "$arg" "$write_bytes" 4096
  table "$title"
  rm -f "$tmp/d/out.bin"
done

# Instructions per call on the 2020 iwasm, counted by callgrind: the
# interpreter's time follows its instruction count, which, unlike its
# 70-130 ms wall times, does not move with the machine's load. Per call is
# (count over $CALLS 4 KiB calls - count over 1 call) / ($CALLS - 1), both
# sides linked from the same sources: plain wasip1 and --host wasip1.
if command -v valgrind >/dev/null; then
  CALLS="${CALLS:-4096}"
  head -c $((CALLS * 4096)) "$tmp/d/big.bin" >"$tmp/d/calls.bin"
  irs() { # prints the instruction count of one run of "$@" in $tmp/d
    (cd "$tmp/d" && valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null) |
      awk '/Collected :/ {print $NF}'
  }
  per_call() { # KIND BUILD: median min max instructions per 4 KiB call
    local kind="$1" build="$2" i one many all=""
    for ((i = 0; i < RUNS; i++)); do
      if [ "$kind" = read ]; then
        one=$(irs "$IWASM" --dir=. "$tmp/readloop.$build.wasm" one.bin 4096)
        many=$(irs "$IWASM" --dir=. "$tmp/readloop.$build.wasm" calls.bin 4096)
      else
        one=$(irs "$IWASM" --dir=. "$tmp/writeloop.$build.wasm" - 4096 4096)
        many=$(irs "$IWASM" --dir=. "$tmp/writeloop.$build.wasm" - $((CALLS * 4096)) 4096)
      fi
      [ -n "$one" ] && [ -n "$many" ] || { echo "FAIL: callgrind printed no count for $kind $build" >&2; exit 1; }
      all+="$(((many - one) / (CALLS - 1))) "
    done
    stats "$all"
  }
  printf '\n%s\n%-34s %24s %24s %9s\n' "native instructions per 4 KiB call on the 2020 iwasm (callgrind, $CALLS calls, median of $RUNS)" \
    call "wasip1 (min-max)" "--host wasip1 (min-max)" "vs peer"
  for kind in "read|read() of a file" "write|write() to /dev/null"; do
    read -r pm plo phi <<<"$(per_call "${kind%%|*}" p1)"
    read -r wm wlo whi <<<"$(per_call "${kind%%|*}" w2p1)"
    printf '%-34s %24s %24s %9s\n' "${kind#*|}" "$pm ($plo-$phi)" "$wm ($wlo-$whi)" "$(ratio "$wm" "$pm")"
  done
else
  log "valgrind missing (scripts/setup.sh installs it): no instruction counts"
fi

#!/usr/bin/env bash
# wasit2 on standard wasip2 hosts (docs/componentize.md, "Measurements"), as tables:
#   1. A Rust std hello world (-O, -C strip=debuginfo), linked from the SAME rustc objects and arguments by
#      - rustup's wasm-component-ld (wasm-ld + wit-component: the standard wasip2 component),
#      - wasit-ld --emit-component (wasm-ld + bridge + ABI check + wasit2 componentize),
#      - wasit-ld (the wasit2 core module only),
#      then the componentize step alone: `wasm-tools component new` on the standard core
#      module (wasm-component-ld --skip-wit-component) vs `wasit2 componentize` on the wasit2
#      core module. Sizes in bytes, median wall time of $RUNS runs; every output is run on
#      wasmtime and must print the greeting.
#   2. read() loop throughput: a 64 MiB file read in 64 KiB chunks (C, -O2), the wasm32-wasit2
#      build componentized on `wasmtime run` (and the core module on `wasit2 run`) vs the
#      plain wasm32-wasip1 build (Debian's wasi-libc, as scripts/bench-wasip1.sh) on wasmtime.
# Every ratio compares figures measured in this same run.
# Needs `make build sysroot clang-install`.
# Usage: scripts/bench-componentize.sh   (env: RUNS=5, WASIT2=..., WASIT_LD=...)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLANG="${WASIT2_CLANG:-clang-22}"
WASMTIME="${WASIT2_WASMTIME:-$ROOT/.tools/bin/wasmtime}"
WASM_TOOLS="${WASIT2_WASM_TOOLS:-$ROOT/.tools/bin/wasm-tools}"
WASIT2="${WASIT2:-$ROOT/target/debug/wasit2}"
WASIT_LD="${WASIT_LD:-$ROOT/target/debug/wasit-ld}"
P1_DEB_DIR="$ROOT/.tools/wasi-libc-p1"
RUNS="${RUNS:-5}"
RUST_SYSROOT="$(rustc --print sysroot)"
WCL="$RUST_SYSROOT/lib/rustlib/x86_64-unknown-linux-gnu/bin/wasm-component-ld"
[ -x "$WCL" ] || WCL="$RUST_SYSROOT/lib/rustlib/wasm32-wasip2/bin/wasm-component-ld"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
log() { printf '[bench] %s\n' "$*" >&2; }

# Median wall time (seconds) of RUNS runs of "$@" in the current directory.
median_time() {
  local times=() i start end
  for ((i = 0; i < RUNS; i++)); do
    start=$(date +%s.%N)
    "$@" >/dev/null 2>"$tmp/err" || { echo "FAIL: $*: $(cat "$tmp/err")" >&2; exit 1; }
    end=$(date +%s.%N)
    times+=("$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.4f", b - a}')")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'
}
ms() { awk -v s="$1" 'BEGIN{printf "%.1f ms", s * 1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2fx", a / b}'; }
size() { stat -c %s "$1"; }
expect_output() { # file, expected stdout, wasmtime args...
  local f="$1" want="$2" got
  shift 2
  got="$("$WASMTIME" run "$@" "$f")"
  [ "$got" = "$want" ] || { echo "FAIL: $f printed: $got" >&2; exit 1; }
}

# ---- 1. Rust hello: record rustc's link command once, replay it per linker.
cd "$tmp"
cat >hello.rs <<'EOF'
fn main() {
    println!("Hello, world!");
}
EOF
cat >record-link.sh <<EOF
#!/usr/bin/env bash
printf '%s\0' "\$@" >"$tmp/link-args"
exec "$WCL" "\$@"
EOF
chmod +x record-link.sh
log "rustc --target wasm32-wasip2 -O hello.rs (recording the link)"
rustc --target wasm32-wasip2 -O -C strip=debuginfo -C save-temps -C linker="$tmp/record-link.sh" hello.rs -o hello.rustc.wasm 2>/dev/null
# The recorded arguments without the output.
args=()
skip=0
while IFS= read -r -d '' a; do
  if [ "$skip" = 1 ]; then skip=0; continue; fi
  if [ "$a" = "-o" ]; then skip=1; continue; fi
  args+=("$a")
done <link-args
# Both linkers run the same wasm-ld.
args+=(--wasm-ld-path "${WASM_LD:-/usr/lib/llvm-22/bin/wasm-ld}")

t_wcl=$(median_time "$WCL" "${args[@]}" -o std.component.wasm)
t_ours=$(median_time "$WASIT_LD" "${args[@]}" --emit-component -o w2.component.wasm)
t_core=$(median_time "$WASIT_LD" "${args[@]}" -o w2.core.wasm)
"$WCL" "${args[@]}" --skip-wit-component -o std.core.wasm
t_wt=$(median_time "$WASM_TOOLS" component new std.core.wasm -o std.wt.component.wasm)
t_cz=$(median_time "$WASIT2" componentize w2.core.wasm -o w2.cz.component.wasm)
for f in std.component.wasm w2.component.wasm std.wt.component.wasm w2.cz.component.wasm; do
  expect_output "$f" "Hello, world!"
done
[ "$("$WASIT2" run w2.core.wasm)" = "Hello, world!" ] || { echo "FAIL: wasit2 run w2.core.wasm" >&2; exit 1; }

printf '\nRust std hello world (-O -C strip=debuginfo), same rustc objects and wasm-ld; median of %s runs\n' "$RUNS"
printf '%-58s %12s %12s %8s\n' "pipeline" "time" "size (B)" "vs std"
printf '%-58s %12s %12s %8s\n' "wasm-component-ld (standard wasip2 component)" "$(ms "$t_wcl")" "$(size std.component.wasm)" "1.00x"
printf '%-58s %12s %12s %8s\n' "wasit-ld --emit-component (wasit2 component)" "$(ms "$t_ours")" "$(size w2.component.wasm)" "$(ratio "$t_ours" "$t_wcl")"
printf '%-58s %12s %12s %8s\n' "wasit-ld (wasit2 core module)" "$(ms "$t_core")" "$(size w2.core.wasm)" "$(ratio "$t_core" "$t_wcl")"
printf '%-58s %12s %12s %8s\n' "componentize only: wasm-tools component new (std core)" "$(ms "$t_wt")" "$(size std.wt.component.wasm)" "1.00x"
printf '%-58s %12s %12s %8s\n' "componentize only: wasit2 componentize (wasit2 core)" "$(ms "$t_cz")" "$(size w2.cz.component.wasm)" "$(ratio "$t_cz" "$t_wt")"
printf '(size ratios: wasit2 component / standard component = %s)\n' "$(ratio "$(size w2.component.wasm)" "$(size std.component.wasm)")"

# ---- 2. read loop.
if [ ! -f "$P1_DEB_DIR/usr/lib/wasm32-wasi/libc.a" ]; then
  log "unpacking Debian's wasi-libc binary package into $P1_DEB_DIR"
  (cd "$tmp" && apt-get download -qq wasi-libc 2>/dev/null)
  mkdir -p "$P1_DEB_DIR"
  dpkg-deb -x "$tmp"/wasi-libc_*.deb "$P1_DEB_DIR"
fi
cat >readloop.c <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
/* Reads a file in 64 KiB chunks; prints the byte count and a checksum of
 * each chunk's first and last byte so the reads cannot be skipped. */
static char chunk[64 * 1024];
int main(int argc, char **argv) {
    int fd = open(argc > 1 ? argv[1] : "big.bin", O_RDONLY);
    if (fd < 0) { perror("open"); return 1; }
    long long total = 0;
    unsigned check = 0;
    ssize_t got;
    while ((got = read(fd, chunk, sizeof chunk)) > 0) {
        total += got;
        check = check * 31 + (unsigned char)chunk[0] + (unsigned char)chunk[got - 1];
    }
    if (got < 0) { perror("read"); return 1; }
    printf("%lld %u\n", total, check);
    return 0;
}
EOF
"$CLANG" --target=wasm32-wasit2 -O2 readloop.c -o read-w2.wasm
"$WASIT2" componentize read-w2.wasm -o read-w2.component.wasm
# clang-22 calls `wasm32-wasi` deprecated; expected here.
"$CLANG" --target=wasm32-wasi --sysroot="$P1_DEB_DIR/usr" -Wno-deprecated -O2 readloop.c -o read-p1.wasm
mkdir -p d
head -c $((64 << 20)) /dev/urandom >d/big.bin
cd d
want="$("$WASMTIME" run --dir . ../read-p1.wasm big.bin)"
case "$want" in "$((64 << 20)) "*) ;; *) echo "FAIL: p1 read loop printed $want" >&2; exit 1 ;; esac
expect_output ../read-w2.component.wasm "$want" --dir .
[ "$("$WASIT2" run --dir . ../read-w2.wasm big.bin)" = "$want" ] || { echo "FAIL: wasit2 run read loop" >&2; exit 1; }
log "read loop: 64 MiB in 64 KiB reads, $RUNS runs each"
t_rc=$(median_time "$WASMTIME" run --dir . ../read-w2.component.wasm big.bin)
t_rp1=$(median_time "$WASMTIME" run --dir . ../read-p1.wasm big.bin)
t_rw2=$(median_time "$WASIT2" run --dir . ../read-w2.wasm big.bin)
mibs() { awk -v s="$1" 'BEGIN{printf "%.0f MiB/s", 64 / s}'; }
printf '\n64 MiB read loop (64 KiB reads), median of %s runs (process start included)\n' "$RUNS"
printf '%-58s %12s %14s %8s\n' "build / host" "time" "throughput" "vs p1"
printf '%-58s %12s %14s %8s\n' "wasm32-wasip1 (wasi-libc) on wasmtime run" "$(ms "$t_rp1")" "$(mibs "$t_rp1")" "1.00x"
printf '%-58s %12s %14s %8s\n' "wasm32-wasit2 componentized on wasmtime run" "$(ms "$t_rc")" "$(mibs "$t_rc")" "$(ratio "$t_rc" "$t_rp1")"
printf '%-58s %12s %14s %8s\n' "wasm32-wasit2 core module on wasit2 run" "$(ms "$t_rw2")" "$(mibs "$t_rw2")" "$(ratio "$t_rw2" "$t_rp1")"

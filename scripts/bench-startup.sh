#!/usr/bin/env bash
# Start-up and a sqlite3 workload: `wasit2 run` against `wasmtime run`
# (issue 17; docs/host.md, "Start-up and the compile cache").
#   start-up: C hello, a Rust std program (tests/rust/std-demo `args x`,
#     stripped, ~100 KB) and the sqlite3 shell (`select 1` on :memory:), each
#     as a wasm32-wasit2 module on `wasit2 run` (a release build, warm
#     compile cache) and as the same program's plain wasm32-wasip1 build on
#     `wasmtime run` (its default cache, warm): C with Debian's wasi-libc,
#     Rust with rustup's wasm32-wasip1 std. Goal: <= 1.2x.
#   workload: the sqlite3 shell reads a script from stdin (10 MB) and runs
#     it on a :memory: database: create a table, insert 200k rows (one
#     INSERT each) in a transaction, index, aggregate. Same two builds and
#     runtimes. Goal: <= 1.05x. (In memory: Debian's wasi-libc has no
#     record locks for a database file.)
# Each row: wall time, median of $STARTUP_RUNS (start-up) or $RUNS
# (workload) runs (interleaved across rows,
# so load from other jobs falls on all alike) with min-max, and the median
# peak RSS (/usr/bin/time %M); ratios are against the wasmtime row of the
# same program, measured in this run. Every run's output is checked.
# Needs `make build sysroot clang-install`, a release wasit2
# (`cargo build --release -p wasit2-cli`), the sqlite3 amalgamation
# (scripts/setup.sh fetches it into ~/.cache/wasit2/src/sqlite3-amalg) and
# rustup's wasm32-wasip1 and wasm32-wasip2 targets.
# Usage: scripts/bench-startup.sh   (env: RUNS=5 STARTUP_RUNS=21 ROWS=200000,
#        WASIT2=target/release/wasit2, WASIT_LD=<wasit-ld for Rust>)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLANG="${WASIT2_CLANG:-clang-22}"
WASMTIME="${WASIT2_WASMTIME:-$ROOT/.tools/bin/wasmtime}"
WASIT2="${WASIT2:-$ROOT/target/release/wasit2}"
WASIT_LD="${WASIT_LD:-$ROOT/target/debug/wasit-ld}"
P1_SYSROOT="$ROOT/.tools/wasi-libc-p1/usr"
AMALG="${WASIT2_SQLITE_AMALG:-${XDG_CACHE_HOME:-$HOME/.cache}/wasit2/src/sqlite3-amalg}"
RUNS="${RUNS:-5}"
# Start-ups take milliseconds and vary with the machine's load: more runs.
STARTUP_RUNS="${STARTUP_RUNS:-21}"
ROWS="${ROWS:-200000}"
TIME=/usr/bin/time
log() { printf '[bench-startup] %s\n' "$*" >&2; }
die() { printf 'bench-startup: %s\n' "$*" >&2; exit 1; }
[ -x "$WASIT2" ] || die "$WASIT2 missing; run cargo build --release -p wasit2-cli"
# The commands run in another directory.
WASIT2="$(readlink -f "$WASIT2")" WASMTIME="$(readlink -f "$WASMTIME")" WASIT_LD="$(readlink -f "$WASIT_LD")"
[ -x "$WASMTIME" ] || die "$WASMTIME missing; run scripts/setup.sh"
[ -x "$TIME" ] || die "$TIME missing; run scripts/setup.sh (package time)"
[ -f "$P1_SYSROOT/lib/wasm32-wasi/libc.a" ] || die "$P1_SYSROOT missing; run scripts/bench-io.sh or scripts/bench-wasip1.sh once (they unpack Debian's wasi-libc)"
[ -f "$AMALG/sqlite3.c" ] || die "$AMALG/sqlite3.c missing; run scripts/setup.sh"

tmp="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
# wasit2's cache of its own; wasmtime's default one (as a user has them).
export WASIT2_CACHE_DIR="$tmp/cache"

# clang-22 calls `wasm32-wasi` deprecated; the warning is expected here.
p1() { "$CLANG" --target=wasm32-wasi --sysroot="$P1_SYSROOT" -Wno-deprecated -O2 "$@"; }
w2() { "$CLANG" --target=wasm32-wasit2 -O2 "$@"; }

log "building C hello"
printf '#include <stdio.h>\nint main(void) { puts("Hello, world!"); return 0; }\n' >"$tmp/hello.c"
p1 "$tmp/hello.c" -o "$tmp/hello.p1.wasm"
w2 "$tmp/hello.c" -o "$tmp/hello.w2.wasm"

log "building tests/rust/std-demo (wasm32-wasip1 std; wasm32-wasip2 std linked by wasit-ld)"
# A copy outside the checkout: the crate's .cargo/config.toml links with
# wasit-ld, and the wasip1 peer links as rustc does by default.
mkdir -p "$tmp/std-demo"
cp -r "$ROOT/tests/rust/std-demo/Cargo.toml" "$ROOT/tests/rust/std-demo/Cargo.lock" \
  "$ROOT/tests/rust/std-demo/src" "$tmp/std-demo/"
rust_build() { # target dir [env...]
  local target="$1" dir="$2"
  shift 2
  (cd "$tmp/std-demo" && env "$@" CARGO_PROFILE_RELEASE_STRIP=symbols \
    cargo build -q --release --no-default-features --target "$target" --target-dir "$dir")
}
rust_build wasm32-wasip1 "$tmp/rs-p1"
rust_build wasm32-wasip2 "$tmp/rs-w2" CARGO_TARGET_WASM32_WASIP2_LINKER="$WASIT_LD"
cp "$tmp/rs-p1/wasm32-wasip1/release/std-demo.wasm" "$tmp/rust.p1.wasm"
cp "$tmp/rs-w2/wasm32-wasip2/release/std-demo.wasm" "$tmp/rust.w2.wasm"

log "building the sqlite3 shell (both builds, -O2; about a minute each)"
sqlite_flags=(-D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_MMAN
  -D_WASI_EMULATED_GETPID -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_THREADSAFE=0
  -DSQLITE_NOHAVE_SYSTEM)
sqlite_libs=(-lwasi-emulated-signal -lwasi-emulated-process-clocks -lwasi-emulated-mman -lwasi-emulated-getpid)
# (SQLITE_NOHAVE_SYSTEM: no .system/.shell, whose popen and system no WASI
# libc has.) Debian's (2022) wasi-libc lacks more of what the 3.40 shell
# and unix VFS name:
# <pwd.h>, getuid/geteuid, chmod/fchmod/fchown, getpagesize, popen/pclose
# and the record-lock constants.
# Stubs that fail or say "root", enough for a :memory: database (no file is
# locked, chmod-ed or chown-ed); the wasit2 libc has them
# (-D_WASI_EMULATED_OWNERSHIP).
mkdir -p "$tmp/p1compat"
cat >"$tmp/p1compat/pwd.h" <<'EOF'
#include <stddef.h>
#include <sys/types.h>
struct passwd { char *pw_name; char *pw_dir; uid_t pw_uid; };
static inline struct passwd *getpwuid(uid_t uid) { (void)uid; return NULL; }
EOF
cat >"$tmp/p1compat/compat.h" <<'EOF'
#include <errno.h>
#include <sys/types.h>
static inline uid_t getuid(void) { return 0; }
static inline uid_t geteuid(void) { return 0; }
static inline int fchmod(int fd, mode_t mode) { (void)fd; (void)mode; errno = ENOTSUP; return -1; }
static inline int fchown(int fd, uid_t u, gid_t g) { (void)fd; (void)u; (void)g; errno = ENOTSUP; return -1; }
static inline int chmod(const char *path, mode_t mode) { (void)path; (void)mode; errno = ENOTSUP; return -1; }
static inline int getpagesize(void) { return 65536; }
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
EOF
cat >"$tmp/p1compat/popen.c" <<'EOF'
#include <errno.h>
#include <stdio.h>
FILE *popen(const char *command, const char *mode) { (void)command; (void)mode; errno = ENOTSUP; return NULL; }
int pclose(FILE *f) { (void)f; errno = ENOTSUP; return -1; }
EOF
p1 "${sqlite_flags[@]}" -I"$tmp/p1compat" -include "$tmp/p1compat/compat.h" \
  "$AMALG/shell.c" "$AMALG/sqlite3.c" "$tmp/p1compat/popen.c" "${sqlite_libs[@]}" -o "$tmp/sqlite3.p1.wasm" &
p1_build=$!
w2 "${sqlite_flags[@]}" -D_WASI_EMULATED_OWNERSHIP "$AMALG/shell.c" "$AMALG/sqlite3.c" "${sqlite_libs[@]}" \
  -o "$tmp/sqlite3.w2.wasm" &
w2_build=$!
wait "$p1_build" || die "building sqlite3 (wasip1) failed"
wait "$w2_build" || die "building sqlite3 (wasit2) failed"

# The workload script: one INSERT per row, in one transaction.
{
  # Sorts (CREATE INDEX) stay in memory too: no temporary files.
  echo "PRAGMA temp_store = MEMORY;"
  echo "CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, name TEXT, v REAL);"
  echo "BEGIN;"
  awk -v n="$ROWS" 'BEGIN { for (i = 1; i <= n; i++) printf "INSERT INTO t VALUES(%d, %d, %c%s-%d%c, %d.5);\n", i, (i * 7919) % 1000, 39, "name", i, 39, i }'
  echo "COMMIT;"
  echo "CREATE INDEX t_k ON t(k);"
  echo "SELECT count(*), sum(k), sum(v), count(DISTINCT name) FROM t;"
  echo "SELECT k, count(*), printf('%.2f', avg(v)) FROM t WHERE k < 3 GROUP BY k ORDER BY k;"
} >"$tmp/workload.sql"

mkdir -p "$tmp/d"
printf '%s %s %s %s\n' "sizes (bytes): C hello" "$(stat -c %s "$tmp/hello.p1.wasm")/$(stat -c %s "$tmp/hello.w2.wasm")" \
  "Rust std-demo $(stat -c %s "$tmp/rust.p1.wasm")/$(stat -c %s "$tmp/rust.w2.wasm")" \
  "sqlite3 $(stat -c %s "$tmp/sqlite3.p1.wasm")/$(stat -c %s "$tmp/sqlite3.w2.wasm") (wasip1/wasit2)" >&2

# Rows: label|peer label|stdin file|command. Commands run in $tmp/d.
startup_rows=(
  "C hello, wasip1 on wasmtime run||/dev/null|$WASMTIME run $tmp/hello.p1.wasm"
  "C hello, wasit2 on wasit2 run|C hello, wasip1 on wasmtime run|/dev/null|$WASIT2 run $tmp/hello.w2.wasm"
  "C hello, wasit2 run -C cache=n (compiles)|C hello, wasip1 on wasmtime run|/dev/null|$WASIT2 run -C cache=n $tmp/hello.w2.wasm"
  "Rust std, wasip1 on wasmtime run||/dev/null|$WASMTIME run $tmp/rust.p1.wasm args x"
  "Rust std, wasit2 on wasit2 run|Rust std, wasip1 on wasmtime run|/dev/null|$WASIT2 run $tmp/rust.w2.wasm args x"
  "sqlite3 select 1, wasip1 on wasmtime run||/dev/null|$WASMTIME run $tmp/sqlite3.p1.wasm :memory: select(1)"
  "sqlite3 select 1, wasit2 on wasit2 run|sqlite3 select 1, wasip1 on wasmtime run|/dev/null|$WASIT2 run $tmp/sqlite3.w2.wasm :memory: select(1)"
)
workload_rows=(
  "sqlite3 ${ROWS} rows, wasip1 on wasmtime run||$tmp/workload.sql|$WASMTIME run $tmp/sqlite3.p1.wasm :memory:"
  "sqlite3 ${ROWS} rows, wasit2 on wasit2 run|sqlite3 ${ROWS} rows, wasip1 on wasmtime run|$tmp/workload.sql|$WASIT2 run $tmp/sqlite3.w2.wasm :memory:"
)

declare -A want times rss
# once LABEL STDIN CMD...: one run; appends its wall time (s) and peak RSS
# (KiB) to times[LABEL] and rss[LABEL]. The first run of a program fixes
# its expected output (runs of one program on either runtime must agree).
once() {
  local label="$1" input="$2" start end out key
  shift 2
  start=$(date +%s.%N)
  out="$(cd "$tmp/d" && "$TIME" -f %M -o "$tmp/rss" "$@" <"$input" 2>"$tmp/err")" ||
    die "$label: exit $?: $(cat "$tmp/err")"
  end=$(date +%s.%N)
  key="${label%%,*}"
  if [ -z "${want[$key]+x}" ]; then
    want[$key]="$out"
  elif [ "$out" != "${want[$key]}" ]; then
    die "$label printed: $out (want ${want[$key]})"
  fi
  times[$label]+="$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.4f", b - a}') "
  rss[$label]+="$(tail -n1 "$tmp/rss") "
}
median() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
minmax() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END{printf "%s-%s", a[1], a[NR]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2fx", a / b; else print "-" }'; }

# measure TITLE GOAL RUNS ROWS...: a warm-up run of each row, then RUNS
# rounds.
measure() {
  local title="$1" goal="$2" runs="$3" i r label peer input cmd m pm
  shift 3
  local rows=("$@")
  log "$title: $runs runs each"
  for r in "${rows[@]}"; do
    IFS='|' read -r label peer input cmd <<<"$r"
    # shellcheck disable=SC2086 # the command is split on purpose
    once "$label" "$input" $cmd
    times[$label]="" rss[$label]=""
  done
  for ((i = 0; i < runs; i++)); do
    for r in "${rows[@]}"; do
      IFS='|' read -r label peer input cmd <<<"$r"
      # shellcheck disable=SC2086
      once "$label" "$input" $cmd
    done
  done
  printf '\n%s (goal: wasit2 run <= %sx wasmtime run)\n' "$title" "$goal"
  printf '%-46s %9s %17s %8s %10s %8s\n' configuration median "(min-max)" ratio "peak RSS" ratio
  for r in "${rows[@]}"; do
    IFS='|' read -r label peer input cmd <<<"$r"
    m=$(median "${times[$label]}")
    local mr vs="-" vr="-" verdict=""
    mr=$(median "${rss[$label]}")
    if [ -n "$peer" ]; then
      pm=$(median "${times[$peer]}")
      vs=$(ratio "$m" "$pm")
      vr=$(ratio "$mr" "$(median "${rss[$peer]}")")
      case "$label" in
        *cache=n*) ;;
        *) verdict=$(awk -v a="$m" -v b="$pm" -v g="$goal" 'BEGIN{ print (a <= b * g) ? "ok" : "MISSED" }') ;;
      esac
    fi
    printf '%-46s %7s s %17s %8s %7s MB %8s %s\n' "$label" "$m" "($(minmax "${times[$label]}"))" "$vs" \
      "$(awk -v k="$mr" 'BEGIN{printf "%.1f", k / 1024}')" "$vr" "$verdict"
  done
}

measure "start-up (warm caches)" 1.2 "$STARTUP_RUNS" "${startup_rows[@]}"
measure "sqlite3 workload: $ROWS INSERTs in a transaction, index, aggregates" 1.05 "$RUNS" "${workload_rows[@]}"
printf '\nmachine load at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

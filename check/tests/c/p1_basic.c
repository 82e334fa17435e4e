/*
 * A -nostdlib wasit2 program: calls the wasit2 imports directly (the
 * declarations come from the generated caller header) for stdout, args, env,
 * clocks, random, a file under a preopen, a directory listing, and the exit
 * code. Linked with the wasip1 adapter it must behave the same on every p1
 * runtime.
 */
#include "wasit2_wasip1_callers.h"

#define A(name) __wasit2_import_##name

static _Alignas(8) unsigned char arena[16384];
static _Alignas(8) unsigned char ret[128];
static _Alignas(8) unsigned char wret[16]; /* for output writes, so they never clobber `ret` */
static int32_t out;

static int32_t len_of(const char *s) {
    int32_t n = 0;
    while (s[n])
        n++;
    return n;
}

static void write_bytes(const void *p, int32_t n) {
    A(wasi_io_streams_method_output_stream_blocking_write_and_flush)(out, (int32_t)p, n, (int32_t)wret);
    if (wret[0] != 0)
        A(wasi_cli_exit_exit_with_code)(70);
}

static void say(const char *s) { write_bytes(s, len_of(s)); }

static void say_u(uint64_t v) {
    char buf[24];
    int i = 24;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    write_bytes(buf + i, 24 - i);
}

static int eq(const unsigned char *a, int32_t alen, const char *b) {
    if (alen != len_of(b))
        return 0;
    for (int32_t i = 0; i < alen; i++)
        if (a[i] != (unsigned char)b[i])
            return 0;
    return 1;
}

static void check(int ok, const char *what) {
    say(what);
    say(ok ? ": ok\n" : ": FAILED\n");
}

#define U32(p, off) (*(uint32_t *)((unsigned char *)(p) + (off)))
#define U64(p, off) (*(uint64_t *)((unsigned char *)(p) + (off)))
#define PTRAT(p, off) ((unsigned char *)(uintptr_t)U32(p, off))

static void args(void) {
    /* Too small: the required size comes back and nothing is written. */
    ret[0] = 0xAA;
    int32_t need = A(wasi_cli_environment_get_arguments)((int32_t)ret, (int32_t)arena, 0);
    check(need > 0 && ret[0] == 0xAA, "args too-small reports size");
    int32_t got = A(wasi_cli_environment_get_arguments)((int32_t)ret, (int32_t)arena, need);
    check(got == need, "args exact fit");
    uint32_t n = U32(ret, 4);
    unsigned char *list = PTRAT(ret, 0);
    say("argc-1=");
    say_u(n - 1);
    say("\n");
    for (uint32_t i = 1; i < n; i++) {
        say("arg: ");
        write_bytes(PTRAT(list, 8 * i), (int32_t)U32(list, 8 * i + 4));
        say("\n");
    }
}

static void env(void) {
    int32_t need = A(wasi_cli_environment_get_environment)((int32_t)ret, (int32_t)arena, 3);
    int32_t got = A(wasi_cli_environment_get_environment)((int32_t)ret, (int32_t)arena, need);
    check(got == need, "env exact fit");
    uint32_t n = U32(ret, 4);
    unsigned char *list = PTRAT(ret, 0);
    for (uint32_t i = 0; i < n; i++) {
        unsigned char *k = PTRAT(list, 16 * i);
        uint32_t klen = U32(list, 16 * i + 4);
        if (klen >= 4 && k[0] == 'W' && k[1] == '2' && k[2] == 'T' && k[3] == '_') {
            say("env: ");
            write_bytes(k, (int32_t)klen);
            say(" = ");
            write_bytes(PTRAT(list, 16 * i + 8), (int32_t)U32(list, 16 * i + 12));
            say("\n");
        }
    }
}

static void clocks_and_random(void) {
    int64_t t0 = A(wasi_clocks_monotonic_clock_now)();
    int32_t sleep = A(wasi_clocks_monotonic_clock_subscribe_duration)(20000000); /* 20 ms */
    A(wasi_io_poll_method_pollable_block)(sleep);
    int64_t t1 = A(wasi_clocks_monotonic_clock_now)();
    check(t1 - t0 >= 20000000, "monotonic clock + pollable sleep 20ms");
    A(wasi_io_poll_pollable_drop)(sleep);
    A(wasi_clocks_wall_clock_now)((int32_t)ret);
    check(U64(ret, 0) > 1600000000u && U32(ret, 8) < 1000000000u, "wall clock after 2020");

    check(A(wasi_random_random_get_random_bytes)(32, (int32_t)ret, (int32_t)arena, 8) == 32,
          "random too-small reports 32");
    int32_t got = A(wasi_random_random_get_random_bytes)(32, (int32_t)ret, (int32_t)arena, 64);
    int nonzero = 0;
    for (int i = 0; i < 32; i++)
        nonzero |= PTRAT(ret, 0)[i];
    check(got == 32 && U32(ret, 4) == 32 && nonzero, "random 32 bytes");
    uint64_t a = (uint64_t)A(wasi_random_random_get_random_u64)();
    uint64_t b = (uint64_t)A(wasi_random_insecure_get_insecure_random_u64)();
    check(a != b, "random u64 differ");
}

static void files(void) {
    int32_t need = A(wasi_filesystem_preopens_get_directories)((int32_t)ret, (int32_t)arena, 0);
    A(wasi_filesystem_preopens_get_directories)((int32_t)ret, (int32_t)arena, need);
    uint32_t n = U32(ret, 4);
    check(n >= 1, "a preopen");
    if (n < 1)
        return;
    int32_t dir = (int32_t)U32(PTRAT(ret, 0), 0);

    static const char name[] = "wasit2-p1.txt";
    static const char text[] = "hello from wasit2 on wasip1\n";
    /* open-at(path-flags 0, create|truncate, write) */
    A(wasi_filesystem_types_method_descriptor_open_at)(dir, 0, (int32_t)name, len_of(name), 1 | 8, 2,
                                                        (int32_t)ret);
    check(ret[0] == 0, "create file");
    if (ret[0] != 0)
        return;
    int32_t f = (int32_t)U32(ret, 4);
    A(wasi_filesystem_types_method_descriptor_write_via_stream)(f, 0, (int32_t)ret);
    int32_t ws = (int32_t)U32(ret, 4);
    A(wasi_io_streams_method_output_stream_blocking_write_and_flush)(ws, (int32_t)text, len_of(text),
                                                                     (int32_t)ret);
    check(ret[0] == 0, "write via stream");
    A(wasi_io_streams_output_stream_drop)(ws);
    A(wasi_filesystem_types_method_descriptor_stat)(f, (int32_t)ret);
    check(ret[0] == 0 && ret[8] == 6 && U64(ret, 24) == (uint64_t)len_of(text), "stat: regular file, size");
    A(wasi_filesystem_types_descriptor_drop)(f);

    A(wasi_filesystem_types_method_descriptor_open_at)(dir, 0, (int32_t)name, len_of(name), 0, 1,
                                                        (int32_t)ret);
    f = (int32_t)U32(ret, 4);
    /* Short read: the arena bounds the read. */
    A(wasi_filesystem_types_method_descriptor_read)(f, 1000, 0, (int32_t)ret, (int32_t)arena, 5);
    check(ret[0] == 0 && U32(ret, 8) == 5 && eq(PTRAT(ret, 4), 5, "hello"), "descriptor.read clamps to arena");
    A(wasi_filesystem_types_method_descriptor_read_via_stream)(f, 6, (int32_t)ret);
    int32_t rs = (int32_t)U32(ret, 4);
    A(wasi_io_streams_method_input_stream_blocking_read)(rs, 100, (int32_t)ret, (int32_t)arena, 100);
    say("file after offset 6: ");
    write_bytes(PTRAT(ret, 4), (int32_t)U32(ret, 8));
    A(wasi_io_streams_method_input_stream_blocking_read)(rs, 100, (int32_t)ret, (int32_t)arena, 100);
    check(ret[0] == 1 && ret[4] == 1, "stream read at end: closed");
    A(wasi_io_streams_input_stream_drop)(rs);
    A(wasi_filesystem_types_descriptor_drop)(f);

    /* The directory lists the file; `.` and `..` are not listed. */
    A(wasi_filesystem_types_method_descriptor_read_directory)(dir, (int32_t)ret);
    int32_t ds = (int32_t)U32(ret, 4);
    int found = 0, dots = 0;
    for (int guard = 0; guard < 1000; guard++) {
        int32_t r = A(wasi_filesystem_types_method_directory_entry_stream_read_directory_entry)(
            ds, (int32_t)ret, (int32_t)arena, 2);
        if (r > 2) /* too small: retry with room; the entry stays pending */
            r = A(wasi_filesystem_types_method_directory_entry_stream_read_directory_entry)(
                ds, (int32_t)ret, (int32_t)arena, (int32_t)sizeof arena);
        if (ret[0] != 0 || ret[4] == 0)
            break;
        unsigned char *nm = PTRAT(ret, 12);
        uint32_t nl = U32(ret, 16);
        if (eq(nm, (int32_t)nl, name) && ret[8] == 6)
            found++;
        if (eq(nm, (int32_t)nl, ".") || eq(nm, (int32_t)nl, ".."))
            dots++;
    }
    check(found == 1 && dots == 0, "directory lists the file once");
    A(wasi_filesystem_types_directory_entry_stream_drop)(ds);

    A(wasi_filesystem_types_method_descriptor_unlink_file_at)(dir, (int32_t)name, len_of(name),
                                                               (int32_t)ret);
    check(ret[0] == 0, "unlink");
    A(wasi_filesystem_types_method_descriptor_stat_at)(dir, 0, (int32_t)name, len_of(name), (int32_t)ret);
    check(ret[0] == 1 && ret[8] == 20, "stat after unlink: no-entry");
}

__attribute__((export_name("cm32p2|wasi:cli/run@0.2|run"))) int32_t __wasit2_run(void) {
    out = A(wasi_cli_stdout_get_stdout)();
    say("hello from wasit2\n");
    args();
    env();
    clocks_and_random();
    files();
    int32_t err = A(wasi_cli_stderr_get_stderr)();
    static const char e[] = "to stderr\n";
    A(wasi_io_streams_method_output_stream_blocking_write_and_flush)(err, (int32_t)e, len_of(e),
                                                                     (int32_t)ret);
    A(wasi_cli_exit_exit_with_code)(3);
    return 0;
}

// Counts heap allocations made by libc's I/O paths. Linked with
// -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,
// --wrap=posix_memalign,--wrap=__libc_malloc,--wrap=__libc_calloc,--wrap=sbrk
// so every allocator entry point libc.a defines (see
// expected/*/defined-symbols.txt), and heap growth, goes through the
// counters below.
//
// usage: malloc_count FILE MIB | malloc_count --stdio | malloc_count --tcp MIB
// Writes FILE (MIB MiB, 64 KiB chunks) with write(), reads it back with
// read(), then the same with pwrite()/pread(), and prints per path:
// "<path> <bytes> <allocations>", after a "probe-strdup" line showing that
// libc's own allocations are counted. Exit 1 on any I/O error or bad data.
// --stdio: read() stdin to its end, then write() as many bytes to stdout;
// the lines go to stderr.
// --tcp: send() MIB MiB over a loopback TCP connection, each chunk recv()d
// at once on the other end (one thread), counting each side separately.
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define CHUNK (64 * 1024)

static unsigned long allocations;

void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
void *__real_aligned_alloc(size_t, size_t);
int __real_posix_memalign(void **, size_t, size_t);
void *__real___libc_malloc(size_t);
void *__real___libc_calloc(size_t, size_t);
void *__real_sbrk(intptr_t);

void *__wrap_malloc(size_t n) { allocations++; return __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { allocations++; return __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { allocations++; return __real_realloc(p, n); }
void *__wrap_aligned_alloc(size_t a, size_t n) { allocations++; return __real_aligned_alloc(a, n); }
int __wrap_posix_memalign(void **p, size_t a, size_t n) { allocations++; return __real_posix_memalign(p, a, n); }
void *__wrap___libc_malloc(size_t n) { allocations++; return __real___libc_malloc(n); }
void *__wrap___libc_calloc(size_t a, size_t b) { allocations++; return __real___libc_calloc(a, b); }
void *__wrap_sbrk(intptr_t n) { allocations++; return __real_sbrk(n); }

static unsigned char buf[CHUNK];

static void fill(uint64_t chunk) {
    for (size_t i = 0; i < CHUNK; i += 8) memcpy(buf + i, &(uint64_t){chunk * CHUNK + i}, 8);
}

static int check(uint64_t chunk) {
    for (size_t i = 0; i < CHUNK; i += 8) {
        uint64_t v;
        memcpy(&v, buf + i, 8);
        if (v != chunk * CHUNK + i) return 0;
    }
    return 1;
}

static FILE *report_to;

static void report(const char *path, uint64_t bytes, unsigned long before) {
    unsigned long n = allocations - before;
    fprintf(report_to, "%s %llu %lu\n", path, (unsigned long long)bytes, n);
}

static int stdio_paths(void) {
    report_to = stderr;
    fprintf(stderr, "stdio\n");
    unsigned long before = allocations;
    uint64_t total = 0;
    for (;;) {
        ssize_t r = read(0, buf, CHUNK);
        if (r < 0) { perror("read"); return 1; }
        if (r == 0) break;
        total += r;
    }
    report("stdin-read", total, before);
    before = allocations;
    memset(buf, 'x', CHUNK);
    for (uint64_t left = total; left > 0;) {
        size_t n = left < CHUNK ? left : CHUNK;
        ssize_t w = write(1, buf, n);
        if (w <= 0) { perror("write"); return 1; }
        left -= w;
    }
    report("stdout-write", total, before);
    return 0;
}

static int tcp_paths(uint64_t chunks) {
    static unsigned char in[CHUNK];
    int srv = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (srv < 0 || bind(srv, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(srv, 1) != 0 ||
        getsockname(srv, (struct sockaddr *)&addr, &len) != 0) { perror("listen"); return 1; }
    int cli = socket(AF_INET, SOCK_STREAM, 0);
    if (cli < 0 || connect(cli, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("connect"); return 1; }
    int conn = accept(srv, NULL, NULL);
    if (conn < 0) { perror("accept"); return 1; }
    unsigned long send_allocs = 0, recv_allocs = 0;
    uint64_t sent = 0, received = 0;
    for (uint64_t c = 0; c < chunks; c++) {
        fill(c);
        for (size_t off = 0; off < CHUNK;) {
            unsigned long before = allocations;
            ssize_t n = send(cli, buf + off, CHUNK - off, 0);
            send_allocs += allocations - before;
            if (n <= 0) { perror("send"); return 1; }
            off += n;
            sent += n;
            // Drain what was sent so a blocking send never waits on us.
            for (size_t want = n; want > 0;) {
                before = allocations;
                ssize_t r = recv(conn, in, want < CHUNK ? want : CHUNK, 0);
                recv_allocs += allocations - before;
                if (r <= 0) { perror("recv"); return 1; }
                want -= r;
                received += r;
            }
        }
    }
    printf("send %llu %lu\n", (unsigned long long)sent, send_allocs);
    printf("recv %llu %lu\n", (unsigned long long)received, recv_allocs);
    close(conn);
    close(cli);
    close(srv);
    return 0;
}

int main(int argc, char **argv) {
    report_to = stdout;
    if (argc == 2 && strcmp(argv[1], "--stdio") == 0) return stdio_paths();
    if (argc == 3 && strcmp(argv[1], "--tcp") == 0) return tcp_paths(strtoull(argv[2], NULL, 10) * 16);
    if (argc != 3) { fprintf(stderr, "usage: malloc_count FILE MIB\n"); return 2; }
    const char *name = argv[1];
    uint64_t chunks = strtoull(argv[2], NULL, 10) * 16;
    int status = 0;
    // Let stdio allocate its buffer now, outside the measured loops.
    printf("chunks %llu\n", (unsigned long long)chunks);
    // Proof that the wrapping reaches allocations made inside libc.a.
    unsigned long before = allocations;
    char *volatile copy = strdup(name);
    free(copy);
    report("probe-strdup", 0, before);

    int fd = open(name, O_CREAT | O_TRUNC | O_RDWR, 0644);
    if (fd < 0) { perror("open"); return 1; }
    before = allocations;
    uint64_t total = 0;
    for (uint64_t c = 0; c < chunks; c++) {
        fill(c);
        ssize_t w = write(fd, buf, CHUNK);
        if (w != CHUNK) { perror("write"); return 1; }
        total += w;
    }
    report("write", total, before);

    if (lseek(fd, 0, SEEK_SET) != 0) { perror("lseek"); return 1; }
    before = allocations;
    total = 0;
    for (uint64_t c = 0;; c++) {
        ssize_t r = read(fd, buf, CHUNK);
        if (r < 0) { perror("read"); return 1; }
        if (r == 0) break;
        // Reads of a regular file are whole chunks here; a short one would
        // break the pattern check, which is the point.
        if (r != CHUNK || !check(c)) { fprintf(stderr, "read: bad data in chunk %llu\n", (unsigned long long)c); status = 1; break; }
        total += r;
    }
    report("read", total, before);

    before = allocations;
    total = 0;
    for (uint64_t c = chunks; c-- > 0;) {
        fill(c ^ 0x5a5a);
        ssize_t w = pwrite(fd, buf, CHUNK, (off_t)(c * CHUNK));
        if (w != CHUNK) { perror("pwrite"); return 1; }
        total += w;
    }
    report("pwrite", total, before);

    before = allocations;
    total = 0;
    for (uint64_t c = chunks; c-- > 0;) {
        ssize_t r = pread(fd, buf, CHUNK, (off_t)(c * CHUNK));
        if (r != CHUNK) { perror("pread"); return 1; }
        if (!check(c ^ 0x5a5a)) { fprintf(stderr, "pread: bad data in chunk %llu\n", (unsigned long long)c); status = 1; break; }
        total += r;
    }
    report("pread", total, before);
    close(fd);
    return status;
}

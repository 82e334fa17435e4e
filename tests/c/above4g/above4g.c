// DIR: yes
// A wasm64 program whose I/O buffer lies above the 4 GiB mark: memory is
// grown past 4 GiB with memory.grow (only the pages touched are committed
// by the runtime), a file is read into a buffer at 4 GiB + 1 MiB and
// written out from it, to a file and to stdout. Any 32-bit truncation of a
// pointer or length on the way (libc, host, componentize adapter) would
// read or write below 4 GiB instead and be caught by the checks.
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PAGE 65536ull
#define FOUR_GIB (4ull << 30)

static int check(int ok, const char *what) {
    if (!ok) {
        printf("FAILED: %s\n", what);
    }
    return ok;
}

int main(void) {
    static const char text[] = "bytes that travelled above the 4 GiB mark\n";
    size_t len = sizeof text - 1;

    int fd = open("in.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (!check(fd >= 0 && write(fd, text, len) == (ssize_t)len, "write in.txt")) return 1;
    close(fd);

    // Grow the memory so that [4 GiB, 4 GiB + 2 MiB) exists.
    uint64_t pages = __builtin_wasm_memory_size(0);
    uint64_t want = (FOUR_GIB + (2u << 20)) / PAGE;
    if (pages < want && __builtin_wasm_memory_grow(0, want - pages) == (size_t)-1) {
        printf("FAILED: memory.grow to %llu pages\n", (unsigned long long)want);
        return 1;
    }
    uint64_t size = (uint64_t)__builtin_wasm_memory_size(0) * PAGE;
    printf("memory above 4 GiB: %s\n", size > FOUR_GIB ? "yes" : "no");

    char *buf = (char *)(uintptr_t)(FOUR_GIB + (1u << 20));
    // Mark the low alias of the buffer: a truncated pointer would land here.
    char *low = (char *)(uintptr_t)((uintptr_t)buf & 0xffffffffu);
    memset(low, '#', 64);
    memset(buf, '.', 64);

    fd = open("in.txt", O_RDONLY);
    ssize_t got = read(fd, buf, 64);
    close(fd);
    printf("read %zd bytes above 4 GiB\n", got);
    if (!check(got == (ssize_t)len && memcmp(buf, text, len) == 0, "read into buf")) return 1;
    if (!check(low[0] == '#', "low alias untouched")) return 1;

    fd = open("out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ssize_t put = write(fd, buf, (size_t)got);
    close(fd);
    printf("wrote %zd bytes from above 4 GiB\n", put);

    char back[64] = {0};
    fd = open("out.txt", O_RDONLY);
    ssize_t again = read(fd, back, sizeof back);
    close(fd);
    if (!check(again == (ssize_t)len && memcmp(back, text, len) == 0, "out.txt content")) return 1;

    fwrite(buf, 1, (size_t)got, stdout);
    fflush(stdout);
    // The same bytes, straight from the buffer to the stdout descriptor.
    write(1, buf, (size_t)got);
    return 0;
}

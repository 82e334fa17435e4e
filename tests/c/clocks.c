#include <stdio.h>
#include <time.h>
#include <sys/time.h>

int main(void) {
    struct timespec a, b, res;
    clock_gettime(CLOCK_MONOTONIC, &a);
    volatile unsigned long spin = 0;
    for (int i = 0; i < 1000000; i++) spin += i;
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long da = (long long)a.tv_sec * 1000000000LL + a.tv_nsec;
    long long db = (long long)b.tv_sec * 1000000000LL + b.tv_nsec;
    printf("monotonic non-decreasing: %d\n", db >= da);
    printf("nsec in range: %d\n", a.tv_nsec >= 0 && a.tv_nsec < 1000000000L);

    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    printf("realtime after 2024: %d\n", rt.tv_sec > 1704067200);
    time_t t = time(NULL);
    printf("time() close to realtime: %d\n", t - rt.tv_sec >= 0 && t - rt.tv_sec < 5);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    printf("gettimeofday usec in range: %d\n", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    printf("clock_getres ok: %d\n", clock_getres(CLOCK_MONOTONIC, &res) == 0 && (res.tv_sec > 0 || res.tv_nsec > 0));
    return 0;
}

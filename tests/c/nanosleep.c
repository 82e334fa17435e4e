#include <stdio.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(void) {
    long long start = now_ns();
    struct timespec req = {0, 30 * 1000 * 1000};
    int r = nanosleep(&req, NULL);
    long long slept = now_ns() - start;
    printf("nanosleep returned %d\n", r);
    printf("slept at least 30ms: %d\n", slept >= 30000000LL);
    printf("slept less than 5s: %d\n", slept < 5000000000LL);
    start = now_ns();
    usleep(10000);
    printf("usleep at least 10ms: %d\n", now_ns() - start >= 10000000LL);
    start = now_ns();
    struct timespec abs_deadline;
    clock_gettime(CLOCK_MONOTONIC, &abs_deadline);
    abs_deadline.tv_nsec += 20000000;
    if (abs_deadline.tv_nsec >= 1000000000L) { abs_deadline.tv_sec++; abs_deadline.tv_nsec -= 1000000000L; }
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs_deadline, NULL);
    printf("clock_nanosleep abs: %d, waited: %d\n", r, now_ns() - start >= 19000000LL);
    return 0;
}

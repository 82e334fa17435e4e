#define _GNU_SOURCE
#include <stdio.h>
#include <time.h>

int main(void) {
    time_t t = 1700000000; /* 2023-11-14 22:13:20 UTC */
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[128];
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %A %j", &tm);
    printf("%s\n", buf);
    printf("wday=%d yday=%d\n", tm.tm_wday, tm.tm_yday);
    tm.tm_mday += 30;
    time_t later = timegm(&tm);
    printf("30 days later: %lld\n", (long long)later);
    gmtime_r(&later, &tm);
    strftime(buf, sizeof buf, "%d %b %Y", &tm);
    printf("%s\n", buf);
    printf("difftime: %.0f\n", difftime(later, t));
    struct tm parsed = {0};
    strptime("2000-02-29 12:00:00", "%Y-%m-%d %H:%M:%S", &parsed);
    printf("parsed: year=%d mon=%d mday=%d epoch=%lld\n", parsed.tm_year + 1900, parsed.tm_mon + 1, parsed.tm_mday, (long long)timegm(&parsed));
    return 0;
}

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(void) {
    char s[] = "the quick,brown fox;jumps";
    int n = 0;
    for (char *t = strtok(s, " ,;"); t; t = strtok(NULL, " ,;")) printf("tok[%d]=%s\n", n++, t);
    printf("strlen=%zu strcmp=%d strncmp=%d\n", strlen("hello"), strcmp("abc", "abd") < 0, strncmp("abcx", "abcy", 3));
    char buf[32] = "overlap-move";
    memmove(buf + 2, buf, 8);
    printf("memmove: %s\n", buf);
    printf("strstr: %s | strrchr: %s | strchr: %s\n", strstr("haystack-needle-end", "needle"), strrchr("a/b/c", '/'), strchr("key=value", '='));
    char up[16];
    const char *src = "MiXeD cAsE";
    for (size_t i = 0; i <= strlen(src); i++) up[i] = (char)toupper((unsigned char)src[i]);
    printf("toupper: %s\n", up);
    int v[] = {42, -1, 17, 0, 99, 3, 17};
    qsort(v, 7, sizeof v[0], cmp_int);
    printf("sorted:");
    for (int i = 0; i < 7; i++) printf(" %d", v[i]);
    int key = 17;
    int *hit = bsearch(&key, v, 7, sizeof v[0], cmp_int);
    printf("\nbsearch 17 found: %d\n", hit != NULL && *hit == 17);
    printf("strtol: %ld %ld %lu\n", strtol("-0x1f", NULL, 16), strtol("0777", NULL, 0), strtoul("18446744073709551615", NULL, 10) == (unsigned long)-1 ? 1UL : 0UL);
    printf("atoi: %d, strdup: %s\n", atoi("  123abc"), strdup("copy"));
    char dst[8];
    snprintf(dst, sizeof dst, "%s", "too long string");
    printf("snprintf trunc: %s\n", dst);
    return 0;
}

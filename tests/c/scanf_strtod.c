#include <stdio.h>
#include <stdlib.h>

int main(void) {
    int a; double d; char word[16]; unsigned x;
    int n = sscanf("17 3.25 word 0x1F", "%d %lf %15s %x", &a, &d, word, &x);
    printf("sscanf n=%d a=%d d=%.2f word=%s x=%u\n", n, a, d, word, x);
    char *end;
    double v = strtod("  -1.5e3xyz", &end);
    printf("strtod=%.1f rest=%s\n", v, end);
    printf("strtod hex=%.4f inf=%f\n", strtod("0x1.8p1", NULL), strtod("inf", NULL));
    printf("atof=%.3f strtof=%.2f\n", atof("2.718"), (double)strtof("1.25", NULL));
    long long ll = strtoll("-9223372036854775808", NULL, 10);
    printf("strtoll min=%lld\n", ll);
    float f;
    sscanf("6.5e-1", "%f", &f);
    printf("float scan=%.3f\n", (double)f);
    return 0;
}

#include <stdio.h>
#include <math.h>

int main(void) {
    printf("%f %f %f\n", 3.14159265358979, -0.5, 1e10);
    printf("%.2f %.0f %.10f\n", 2.675, 2.5, 1.0 / 3.0);
    printf("%e %E %.3e\n", 123456.789, 0.000123, 6.02214076e23);
    printf("%g %g %g %g\n", 100000.0, 1000000.0, 0.0001, 0.00001);
    printf("%8.3f|%-8.2f|%+.1f\n", 3.14159, 2.5, 9.96);
    printf("%f %f %f\n", INFINITY, -INFINITY, NAN);
    printf("%a %a\n", 1.0, 0.5);
    printf("%.17g %.9g\n", 0.1, (double)0.1f);
    float f = 1.5f;
    printf("%f %g\n", f, (double)f * 1e-7);
    double big = 1.7976931348623157e308;
    printf("%.6e %g\n", big, 5e-324);
    char buf[64];
    snprintf(buf, sizeof buf, "%.3f", 1234.5678);
    printf("%s\n", buf);
    return 0;
}

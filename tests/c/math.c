#include <stdio.h>
#include <math.h>

int main(void) {
    printf("sqrt(2)=%.10f\n", sqrt(2.0));
    printf("sin(pi/6)=%.6f cos(0)=%.1f tan(pi/4)=%.6f\n", sin(M_PI / 6), cos(0.0), tan(M_PI / 4));
    printf("pow(2,10)=%.0f pow(2,0.5)=%.6f\n", pow(2, 10), pow(2, 0.5));
    printf("exp(1)=%.9f log(10)=%.9f log10(1000)=%.1f log2(8)=%.1f\n", exp(1), log(10), log10(1000), log2(8));
    printf("fmod(10,3)=%.1f floor(-2.5)=%.1f ceil(-2.5)=%.1f round(2.5)=%.1f trunc(-2.7)=%.1f\n",
           fmod(10, 3), floor(-2.5), ceil(-2.5), round(2.5), trunc(-2.7));
    printf("atan2(1,1)=%.6f hypot(3,4)=%.1f cbrt(27)=%.1f\n", atan2(1, 1), hypot(3, 4), cbrt(27));
    printf("fabs(-3)=%.1f copysign(2,-1)=%.1f fmin=%.1f fmax=%.1f\n", fabs(-3.0), copysign(2, -1), fmin(1, 2), fmax(1, 2));
    printf("isnan(nan)=%d isinf(1/0)=%d signbit(-0.0)=%d\n", isnan(NAN), isinf(1.0 / 0.0), signbit(-0.0) != 0);
    printf("sinf(1)=%.5f expf(2)=%.4f\n", (double)sinf(1.0f), (double)expf(2.0f));
    int e;
    double m = frexp(48.0, &e);
    printf("frexp(48)=%.3f*2^%d ldexp=%.1f\n", m, e, ldexp(m, e));
    return 0;
}

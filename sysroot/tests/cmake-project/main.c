#include <math.h>

void greet(const char *who);

int main(int argc, char **argv) {
    greet(argc > 1 ? argv[1] : "cmake");
    /* 3 unless libm works */
    return (int)sqrt(16.0) == 4 ? 0 : 3;
}

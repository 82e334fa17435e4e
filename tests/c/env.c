// ENV: WASIT2_GREETING=hello
// ENV: WASIT2_EMPTY=
#include <stdio.h>
#include <stdlib.h>

static const char *show(const char *v) { return v ? v : "(unset)"; }

int main(void) {
    printf("WASIT2_GREETING=%s\n", show(getenv("WASIT2_GREETING")));
    printf("WASIT2_EMPTY=[%s]\n", show(getenv("WASIT2_EMPTY")));
    printf("WASIT2_MISSING=%s\n", show(getenv("WASIT2_MISSING")));
    setenv("WASIT2_NEW", "value", 1);
    printf("WASIT2_NEW=%s\n", show(getenv("WASIT2_NEW")));
    setenv("WASIT2_GREETING", "ignored", 0);
    printf("no overwrite: %s\n", show(getenv("WASIT2_GREETING")));
    unsetenv("WASIT2_GREETING");
    printf("after unset: %s\n", show(getenv("WASIT2_GREETING")));
    return 0;
}

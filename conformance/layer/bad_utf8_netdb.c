// getaddrinfo: a host name that is not UTF-8 is EAI_NONAME (not a trap);
// unknown ai_flags bits are EAI_BADFLAGS.
#include <netdb.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    struct addrinfo *res = NULL, hints;
    memset(&hints, 0, sizeof hints);
    int r = getaddrinfo("h\xffst", "80", &hints, &res);
    printf("bad name: %s\n", r == EAI_NONAME ? "EAI_NONAME" : r == 0 ? "resolved" : gai_strerror(r));
    hints.ai_flags = 0x10000;
    r = getaddrinfo("127.0.0.1", "80", &hints, &res);
    printf("bad flags: %s\n", r == EAI_BADFLAGS ? "EAI_BADFLAGS" : r == 0 ? "accepted" : gai_strerror(r));
    hints.ai_flags = AI_NUMERICHOST;
    r = getaddrinfo("127.0.0.1", "80", &hints, &res);
    printf("numeric: %s\n", r == 0 ? "ok" : gai_strerror(r));
    if (r == 0)
        freeaddrinfo(res);
    puts("still running");
    return 0;
}

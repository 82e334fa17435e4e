/* Used by the run-net-* cases: binds a loopback TCP socket and resolves a
 * name that is not the libc's built-in `localhost`, and says what happened. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) {
        printf("socket: %s\n", strerror(errno));
        return 1;
    }
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0)
        printf("bind 127.0.0.1: %s\n", strerror(errno));
    else
        printf("bind 127.0.0.1: ok\n");
    close(s);
    struct addrinfo hints = {0}, *res = 0;
    hints.ai_family = AF_INET;
    int r = getaddrinfo("localhost.", 0, &hints, &res);
    printf("getaddrinfo localhost.: %s\n", r ? gai_strerror(r) : "ok");
    if (!r)
        freeaddrinfo(res);
    return 0;
}

// NET: yes
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static int bound_udp(struct sockaddr_in *addr) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) { perror("socket"); return -1; }
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)addr, sizeof *addr) != 0) { perror("bind"); return -1; }
    socklen_t len = sizeof *addr;
    getsockname(s, (struct sockaddr *)addr, &len);
    return s;
}

int main(void) {
    struct sockaddr_in a, b;
    int sa = bound_udp(&a), sb = bound_udp(&b);
    if (sa < 0 || sb < 0) return 1;
    printf("ports differ: %d\n", a.sin_port != b.sin_port);

    const char *msgs[] = {"first datagram", "second", "third and last"};
    for (int i = 0; i < 3; i++) {
        ssize_t n = sendto(sa, msgs[i], strlen(msgs[i]), 0, (struct sockaddr *)&b, sizeof b);
        printf("sendto %d: %zd\n", i, n);
    }
    for (int i = 0; i < 3; i++) {
        char buf[64] = {0};
        struct sockaddr_in from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(sb, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &flen);
        printf("recvfrom: %zd '%s' from sender port: %d\n", n, buf, from.sin_port == a.sin_port);
    }
    /* connected UDP: send/recv */
    connect(sb, (struct sockaddr *)&a, sizeof a);
    send(sb, "reply", 5, 0);
    char buf[16] = {0};
    ssize_t n = recv(sa, buf, sizeof buf - 1, 0);
    printf("reply: %zd '%s'\n", n, buf);
    close(sa);
    close(sb);
    return 0;
}

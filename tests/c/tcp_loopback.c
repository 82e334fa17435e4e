// NET: yes
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(void) {
    int srv = socket(AF_INET, SOCK_STREAM, 0);
    if (srv < 0) { perror("socket"); return 1; }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(srv, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("bind"); return 1; }
    if (listen(srv, 4) != 0) { perror("listen"); return 1; }
    socklen_t len = sizeof addr;
    if (getsockname(srv, (struct sockaddr *)&addr, &len) != 0) { perror("getsockname"); return 1; }
    printf("listening on loopback, port assigned: %d\n", ntohs(addr.sin_port) != 0);

    int cli = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(cli, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("connect"); return 1; }
    struct sockaddr_in peer;
    socklen_t plen = sizeof peer;
    int conn = accept(srv, (struct sockaddr *)&peer, &plen);
    if (conn < 0) { perror("accept"); return 1; }
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
    printf("accepted from %s\n", ip);

    const char *msg = "ping over tcp";
    printf("client send: %zd\n", send(cli, msg, strlen(msg), 0));
    char buf[64] = {0};
    size_t got = 0;
    while (got < strlen(msg)) {
        ssize_t n = recv(conn, buf + got, sizeof buf - 1 - got, 0);
        if (n <= 0) { perror("recv"); return 1; }
        got += n;
    }
    printf("server got: %s\n", buf);
    write(conn, "pong", 4);
    memset(buf, 0, sizeof buf);
    ssize_t n = read(cli, buf, sizeof buf - 1);
    printf("client got: %s (%zd)\n", buf, n);
    shutdown(cli, SHUT_WR);
    n = recv(conn, buf, sizeof buf, 0);
    printf("server sees EOF: %zd\n", n);
    close(conn);
    close(cli);
    close(srv);
    return 0;
}

// NET: yes
#include <stdio.h>
#include <string.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(void) {
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    int r = getaddrinfo("localhost", "8080", &hints, &res);
    printf("getaddrinfo(localhost): %d\n", r);
    if (r != 0) { printf("error: %s\n", gai_strerror(r)); return 1; }
    int count = 0, found = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        count++;
        if (ai->ai_family == AF_INET) {
            struct sockaddr_in *sin = (struct sockaddr_in *)ai->ai_addr;
            char ip[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip);
            if (!found) printf("first IPv4: %s port %d\n", ip, ntohs(sin->sin_port));
            found = 1;
        }
    }
    printf("has IPv4 result: %d\n", found);
    freeaddrinfo(res);

    res = NULL;
    hints.ai_flags = AI_NUMERICHOST;
    r = getaddrinfo("127.0.0.1", NULL, &hints, &res);
    printf("numeric: %d\n", r);
    if (r == 0) {
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, ip, sizeof ip);
        printf("numeric addr: %s\n", ip);
        freeaddrinfo(res);
    }
    return 0;
}

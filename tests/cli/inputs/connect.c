/* Opens a TCP socket and connects it: needs wasi:sockets. */
#include <netinet/in.h>
#include <sys/socket.h>

int main(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(8080);
    return connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 ? 0 : 1;
}

/*
 * BSD sockets in the libc for `--host wasip1` (docs/wasip1.md, "Sockets").
 *
 * WASI preview 1 has sockets only as descriptors the runtime pre-opens
 * (`wasmtime run -S tcplisten=ADDR`): accept, recv, send, shutdown and
 * getsockopt(SO_TYPE) come from wasi-libc's bottom half and call p1's
 * sock_* functions. This file adds what p1 can still express (sendto,
 * recvfrom, sendmsg, recvmsg without addresses, which POSIX lets stream
 * sockets ignore) and, for what it cannot (creating, binding, connecting,
 * listening, addresses, name lookup), calls the WASI 0.2 function the
 * wasit2 libc would use. The p1 host does not have those, so the link is
 * refused with the path from main to them, which is the report users need.
 * These functions therefore never run; if one were reached it fails with
 * ENOTSUP.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "w2_internal.h"

#define FAIL(e) return (errno = (e), -1)

/* The p1 type of a descriptor, or 0 when it is not a socket. */
static __wasi_filetype_t socket_type(int fd, int *err) {
    __wasi_fdstat_t st;
    __wasi_errno_t e = __wasi_fd_fdstat_get(fd, &st);
    if (e) {
        *err = e;
        return 0;
    }
    if (st.fs_filetype != __WASI_FILETYPE_SOCKET_STREAM && st.fs_filetype != __WASI_FILETYPE_SOCKET_DGRAM) {
        *err = ENOTSOCK;
        return 0;
    }
    return st.fs_filetype;
}

/* getaddrinfo (w2_netdb.c) asks for the network the same way on both hosts. */
int32_t w2_network(void) {
    return w2s_instance_network();
}

int socket(int domain, int type, int protocol) {
    int32_t s;
    type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    __wasi_errno_t e = type == SOCK_DGRAM ? w2s_udp_create(domain, &s) : w2s_tcp_create(domain, &s);
    FAIL(e ? e : ENOTSUP);
}

int socketpair(int domain, int type, int protocol, int fds[2]) {
    FAIL(EOPNOTSUPP);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
    int err;
    __wasi_filetype_t t = socket_type(fd, &err);
    if (!t)
        FAIL(err);
    __wasi_errno_t e = t == __WASI_FILETYPE_SOCKET_DGRAM ? w2s_udp_start_bind(fd, w2_network(), addr, len)
                                                          : w2s_tcp_start_bind(fd, w2_network(), addr, len);
    FAIL(e ? e : ENOTSUP);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    int err;
    __wasi_filetype_t t = socket_type(fd, &err);
    if (!t)
        FAIL(err);
    int32_t in, out;
    __wasi_errno_t e = t == __WASI_FILETYPE_SOCKET_DGRAM ? w2s_udp_stream(fd, addr, len, &in, &out)
                                                          : w2s_tcp_start_connect(fd, w2_network(), addr, len);
    FAIL(e ? e : ENOTSUP);
}

int listen(int fd, int backlog) {
    int err;
    if (!socket_type(fd, &err))
        FAIL(err);
    __wasi_errno_t e = w2s_tcp_start_listen(fd);
    FAIL(e ? e : ENOTSUP);
}

static int address(int fd, bool remote, struct sockaddr *restrict addr, socklen_t *restrict addrlen) {
    int err;
    __wasi_filetype_t t = socket_type(fd, &err);
    if (!t)
        FAIL(err);
    size_t len = addrlen ? *addrlen : 0;
    __wasi_errno_t e = t == __WASI_FILETYPE_SOCKET_DGRAM ? w2s_udp_address(fd, remote, addr, &len)
                                                          : w2s_tcp_address(fd, remote, addr, &len);
    FAIL(e ? e : ENOTSUP);
}

int getsockname(int fd, struct sockaddr *restrict addr, socklen_t *restrict addrlen) {
    return address(fd, false, addr, addrlen);
}

int getpeername(int fd, struct sockaddr *restrict addr, socklen_t *restrict addrlen) {
    return address(fd, true, addr, addrlen);
}

/* A p1 socket is connected or listening when the program gets it, so the
 * address of sendto is one POSIX lets a connection-mode socket ignore. A
 * datagram would need it, which p1 cannot send. */
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen) {
    int err;
    __wasi_filetype_t t = socket_type(fd, &err);
    if (!t)
        FAIL(err);
    if (to && t == __WASI_FILETYPE_SOCKET_DGRAM)
        FAIL(EOPNOTSUPP);
    return send(fd, buf, len, flags);
}

/* The sender of stream data is the peer, whose address p1 cannot tell:
 * the address comes back empty. */
ssize_t recvfrom(int fd, void *restrict buf, size_t len, int flags, struct sockaddr *restrict from,
                 socklen_t *restrict fromlen) {
    ssize_t n = recv(fd, buf, len, flags);
    if (n >= 0 && from && fromlen)
        *fromlen = 0;
    return n;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags) {
    if (!msg)
        FAIL(EFAULT);
    int err;
    __wasi_filetype_t t = socket_type(fd, &err);
    if (!t)
        FAIL(err);
    if (msg->msg_name && t == __WASI_FILETYPE_SOCKET_DGRAM)
        FAIL(EOPNOTSUPP);
    if (flags)
        FAIL(EOPNOTSUPP);
    __wasi_size_t n;
    __wasi_errno_t e = __wasi_sock_send(fd, (const __wasi_ciovec_t *)msg->msg_iov, msg->msg_iovlen, 0, &n);
    if (e)
        FAIL(e);
    return n;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags) {
    if (!msg)
        FAIL(EFAULT);
    int err;
    if (!socket_type(fd, &err))
        FAIL(err);
    if (flags & ~(MSG_PEEK | MSG_WAITALL))
        FAIL(EOPNOTSUPP);
    __wasi_riflags_t ri = (flags & MSG_PEEK ? __WASI_RIFLAGS_RECV_PEEK : 0) |
                          (flags & MSG_WAITALL ? __WASI_RIFLAGS_RECV_WAITALL : 0);
    __wasi_size_t n;
    __wasi_roflags_t ro;
    __wasi_errno_t e = __wasi_sock_recv(fd, (const __wasi_iovec_t *)msg->msg_iov, msg->msg_iovlen, ri, &n, &ro);
    if (e)
        FAIL(e);
    msg->msg_namelen = 0;
    msg->msg_controllen = 0;
    msg->msg_flags = 0; /* stream data is never truncated */
    return n;
}

int sockatmark(int fd) {
    int err;
    if (!socket_type(fd, &err))
        FAIL(err);
    return 0;
}

/* p1 has no socket options; only getsockopt(SO_TYPE) (wasi-libc) answers. */
int setsockopt(int fd, int level, int name, const void *val, socklen_t len) {
    int err;
    if (!socket_type(fd, &err))
        FAIL(err);
    FAIL(ENOPROTOOPT);
}

/*
 * wasit2 system layer: BSD sockets over wasi:sockets (tcp, udp).
 *
 * recv/send on TCP hand the caller's buffer straight to the socket's
 * streams (no copy, no malloc), like read()/write().
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "w2_internal.h"

static const w2_fd_ops tcp_ops, udp_ops;

W2_COLD_BEGIN

#define FAIL(e) return (errno = (e), -1)

static w2_fd *sock_fd(int fd, int *err) {
    w2_fd *f = w2_fd_get(fd);
    if (!f) {
        *err = EBADF;
        return NULL;
    }
    if (f->kind != W2_TCP && f->kind != W2_UDP) {
        *err = ENOTSOCK;
        return NULL;
    }
    return f;
}

static bool nonblocking(const w2_fd *f, int flags) {
    return (f->fdflags & __WASI_FDFLAGS_NONBLOCK) || (flags & MSG_DONTWAIT);
}

static int check_addr(const w2_fd *f, const struct sockaddr *sa, socklen_t len) {
    if (!sa)
        return EFAULT;
    if (sa->sa_family != f->family)
        return EAFNOSUPPORT;
    if (len < (f->family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)))
        return EINVAL;
    return 0;
}

/* The unspecified address of the socket's family, port 0. */
static void any_addr(const w2_fd *f, struct sockaddr_storage *ss, size_t *len) {
    memset(ss, 0, sizeof *ss);
    ss->ss_family = f->family;
    *len = f->family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

int socket(int domain, int type, int protocol) {
    int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (domain != AF_INET && domain != AF_INET6)
        FAIL(EAFNOSUPPORT);
    bool tcp;
    if (type == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP))
        tcp = true;
    else if (type == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP))
        tcp = false;
    else if (type == SOCK_STREAM || type == SOCK_DGRAM)
        FAIL(EPROTONOSUPPORT);
    else
        FAIL(EPROTOTYPE);
    int fd = w2_fd_alloc();
    if (fd < 0)
        FAIL(EMFILE);
    int32_t s;
    __wasi_errno_t e = tcp ? w2s_tcp_create(domain, &s) : w2s_udp_create(domain, &s);
    if (e)
        FAIL(e);
    w2_fd *f = w2_fd_slot(fd);
    f->kind = tcp ? W2_TCP : W2_UDP;
    f->release = w2_socket_release;
    f->ops = tcp ? &tcp_ops : &udp_ops;
    f->sock = s;
    f->family = (uint8_t)domain;
    f->state = W2_SOCK_UNBOUND;
    if (flags & SOCK_NONBLOCK)
        f->fdflags |= __WASI_FDFLAGS_NONBLOCK;
    return fd;
}

void w2_socket_release(w2_fd *f) {
    /* The streams borrow from the socket: drop them first (w2_fd_release
     * has dropped the output stream). */
    if (f->in >= 0)
        w2s_drop_in(f->in);
    if (f->udp_in >= 0)
        w2s_drop_udp_in(f->udp_in);
    if (f->udp_out >= 0)
        w2s_drop_udp_out(f->udp_out);
    if (f->sock >= 0) {
        if (f->kind == W2_TCP)
            w2s_drop_tcp(f->sock);
        else
            w2s_drop_udp(f->sock);
    }
}

int socketpair(int domain, int type, int protocol, int fds[2]) {
    FAIL(EOPNOTSUPP);
}

static __wasi_errno_t udp_open_streams(w2_fd *f, const struct sockaddr *remote, size_t rlen) {
    if (f->udp_in >= 0)
        w2s_drop_udp_in(f->udp_in);
    if (f->udp_out >= 0)
        w2s_drop_udp_out(f->udp_out);
    f->udp_in = f->udp_out = -1;
    __wasi_errno_t e = w2s_udp_stream(f->sock, remote, rlen, &f->udp_in, &f->udp_out);
    f->udp_connected = e == 0 && remote != NULL;
    return e;
}

static __wasi_errno_t do_bind(w2_fd *f, const struct sockaddr *sa, size_t len) {
    int32_t net = w2_network();
    __wasi_errno_t e;
    if (f->kind == W2_TCP) {
        if ((e = w2s_tcp_start_bind(f->sock, net, sa, len)))
            return e;
        while ((e = w2s_tcp_finish_bind(f->sock)) == __WASI_ERRNO_AGAIN)
            w2_block_on(w2s_tcp_subscribe(f->sock));
    } else {
        if ((e = w2s_udp_start_bind(f->sock, net, sa, len)))
            return e;
        while ((e = w2s_udp_finish_bind(f->sock)) == __WASI_ERRNO_AGAIN)
            w2_block_on(w2s_udp_subscribe(f->sock));
        if (!e)
            e = udp_open_streams(f, NULL, 0);
    }
    if (!e)
        f->state = W2_SOCK_BOUND;
    return e;
}

static __wasi_errno_t bind_any(w2_fd *f) {
    struct sockaddr_storage ss;
    size_t len;
    any_addr(f, &ss, &len);
    return do_bind(f, (struct sockaddr *)&ss, len);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
    int err;
    w2_fd *f = sock_fd(fd, &err);
    if (!f)
        FAIL(err);
    if ((err = check_addr(f, addr, len)))
        FAIL(err);
    if (f->state != W2_SOCK_UNBOUND)
        FAIL(EINVAL);
    __wasi_errno_t e = do_bind(f, addr, len);
    if (e)
        FAIL(e);
    return 0;
}

void w2_socket_progress(w2_fd *f) {
    if (f->kind != W2_TCP || f->state != W2_SOCK_CONNECTING)
        return;
    __wasi_errno_t e = w2s_tcp_finish_connect(f->sock, &f->in, &f->out);
    if (e == __WASI_ERRNO_AGAIN)
        return;
    if (e) {
        f->state = W2_SOCK_CONNECT_FAILED;
        f->pending_error = e;
    } else {
        f->state = W2_SOCK_CONNECTED;
    }
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    int err;
    w2_fd *f = sock_fd(fd, &err);
    if (!f)
        FAIL(err);
    if ((err = check_addr(f, addr, len)))
        FAIL(err);
    __wasi_errno_t e;
    if (f->kind == W2_UDP) {
        if (f->state == W2_SOCK_UNBOUND && (e = bind_any(f)))
            FAIL(e);
        if ((e = udp_open_streams(f, addr, len)))
            FAIL(e);
        return 0;
    }
    switch (f->state) {
    case W2_SOCK_CONNECTED:
        FAIL(EISCONN);
    case W2_SOCK_CONNECTING:
        w2_socket_progress(f);
        if (f->state == W2_SOCK_CONNECTING)
            FAIL(EALREADY);
        if (f->state == W2_SOCK_CONNECTED)
            FAIL(EISCONN);
        f->pending_error = 0;
        FAIL(ECONNREFUSED);
    case W2_SOCK_LISTENING:
        FAIL(EINVAL);
    default:
        break;
    }
    if ((e = w2s_tcp_start_connect(f->sock, w2_network(), addr, len)))
        FAIL(e);
    f->state = W2_SOCK_CONNECTING;
    if (f->fdflags & __WASI_FDFLAGS_NONBLOCK)
        FAIL(EINPROGRESS);
    for (;;) {
        w2_socket_progress(f);
        if (f->state != W2_SOCK_CONNECTING)
            break;
        w2_block_on(w2s_tcp_subscribe(f->sock));
    }
    if (f->state == W2_SOCK_CONNECT_FAILED) {
        e = f->pending_error;
        f->pending_error = 0;
        FAIL(e);
    }
    return 0;
}

int listen(int fd, int backlog) {
    int err;
    w2_fd *f = sock_fd(fd, &err);
    if (!f)
        FAIL(err);
    if (f->kind != W2_TCP)
        FAIL(EOPNOTSUPP);
    if (f->state == W2_SOCK_LISTENING)
        return 0;
    __wasi_errno_t e;
    if (f->state == W2_SOCK_UNBOUND && (e = bind_any(f)))
        FAIL(e);
    if (f->state != W2_SOCK_BOUND)
        FAIL(EINVAL);
    if (backlog > 0)
        w2s_tcp_set_backlog(f->sock, (uint64_t)backlog); /* a hint; hosts may refuse */
    if ((e = w2s_tcp_start_listen(f->sock)))
        FAIL(e);
    while ((e = w2s_tcp_finish_listen(f->sock)) == __WASI_ERRNO_AGAIN)
        w2_block_on(w2s_tcp_subscribe(f->sock));
    if (e)
        FAIL(e);
    f->state = W2_SOCK_LISTENING;
    return 0;
}

static void copy_addr(const struct sockaddr *sa, size_t salen, struct sockaddr *addr, socklen_t *addrlen) {
    if (!addr || !addrlen)
        return;
    size_t n = *addrlen < salen ? *addrlen : salen;
    memcpy(addr, sa, n);
    *addrlen = (socklen_t)salen;
}

int accept4(int fd, struct sockaddr *restrict addr, socklen_t *restrict addrlen, int flags) {
    int err;
    w2_fd *f = sock_fd(fd, &err);
    if (!f)
        FAIL(err);
    if (f->kind != W2_TCP)
        FAIL(EOPNOTSUPP);
    if (f->state != W2_SOCK_LISTENING)
        FAIL(EINVAL);
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        FAIL(EINVAL);
    int nfd = w2_fd_alloc();
    if (nfd < 0)
        FAIL(EMFILE);
    /* w2_fd_alloc may move the table: look the listener up again. */
    f = w2_fd_get(fd);
    int32_t client, in, out;
    __wasi_errno_t e;
    while ((e = w2s_tcp_accept(f->sock, &client, &in, &out)) == __WASI_ERRNO_AGAIN) {
        if (f->fdflags & __WASI_FDFLAGS_NONBLOCK)
            FAIL(EAGAIN);
        w2_block_on(w2s_tcp_subscribe(f->sock));
    }
    if (e)
        FAIL(e);
    uint8_t family = f->family;
    w2_fd *c = w2_fd_slot(nfd);
    c->kind = W2_TCP;
    c->release = w2_socket_release;
    c->ops = &tcp_ops;
    c->sock = client;
    c->in = in;
    c->out = out;
    c->family = family;
    c->state = W2_SOCK_CONNECTED;
    if (flags & SOCK_NONBLOCK)
        c->fdflags |= __WASI_FDFLAGS_NONBLOCK;
    if (addr && addrlen) {
        struct sockaddr_storage ss;
        size_t sl = sizeof ss;
        if (w2s_tcp_address(client, true, (struct sockaddr *)&ss, &sl) == 0)
            copy_addr((struct sockaddr *)&ss, sl, addr, addrlen);
        else
            *addrlen = 0;
    }
    return nfd;
}

int accept(int fd, struct sockaddr *restrict addr, socklen_t *restrict addrlen) {
    return accept4(fd, addr, addrlen, 0);
}

static int sock_name(int fd, bool remote, struct sockaddr *restrict addr, socklen_t *restrict addrlen) {
    int err;
    w2_fd *f = sock_fd(fd, &err);
    if (!f)
        FAIL(err);
    if (!addr || !addrlen)
        FAIL(EFAULT);
    struct sockaddr_storage ss;
    size_t sl = sizeof ss;
    if (f->state == W2_SOCK_UNBOUND) {
        if (remote)
            FAIL(ENOTCONN);
        any_addr(f, &ss, &sl);
    } else {
        __wasi_errno_t e = f->kind == W2_TCP ? w2s_tcp_address(f->sock, remote, (struct sockaddr *)&ss, &sl)
                                             : w2s_udp_address(f->sock, remote, (struct sockaddr *)&ss, &sl);
        if (e)
            FAIL(remote && e == EINVAL ? ENOTCONN : e);
    }
    copy_addr((struct sockaddr *)&ss, sl, addr, addrlen);
    return 0;
}

int getsockname(int fd, struct sockaddr *restrict addr, socklen_t *restrict addrlen) {
    return sock_name(fd, false, addr, addrlen);
}

int getpeername(int fd, struct sockaddr *restrict addr, socklen_t *restrict addrlen) {
    return sock_name(fd, true, addr, addrlen);
}

static __wasi_errno_t udp_ready_to_send(w2_fd *f, bool nonblock) {
    for (;;) {
        uint64_t permit = 0;
        __wasi_errno_t e = w2s_udp_check_send(f->udp_out, &permit);
        if (e || permit)
            return e;
        if (nonblock)
            return EAGAIN;
        w2_block_on(w2s_udp_out_subscribe(f->udp_out));
    }
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen) {
    int err;
    w2_fd *f = sock_fd(fd, &err);
    if (!f)
        FAIL(err);
    bool nb = nonblocking(f, flags);
    __wasi_errno_t e;
    if (f->kind == W2_TCP) {
        if (f->state != W2_SOCK_CONNECTED || f->out < 0)
            FAIL(ENOTCONN);
        size_t n;
        /* Direct call: links the non-blocking path (w2_stream_nb.c). */
        if ((e = nb ? w2_stream_write_nonblock(f->out, buf, len, &n) : w2_stream_write(f->out, buf, len, false, &n)))
            FAIL(e);
        return (ssize_t)n;
    }
    if (to) {
        if ((err = check_addr(f, to, tolen)))
            FAIL(err);
        if (f->udp_connected)
            FAIL(EISCONN);
    } else if (!f->udp_connected) {
        FAIL(EDESTADDRREQ);
    }
    if (f->state == W2_SOCK_UNBOUND && (e = bind_any(f)))
        FAIL(e);
    if (f->udp_out < 0 && (e = udp_open_streams(f, NULL, 0)))
        FAIL(e);
    if ((e = udp_ready_to_send(f, nb)))
        FAIL(e);
    if ((e = w2s_udp_send(f->udp_out, buf, len, to, to ? tolen : 0)))
        FAIL(e);
    return (ssize_t)len;
}

ssize_t send(int fd, const void *buf, size_t len, int flags) {
    return sendto(fd, buf, len, flags, NULL, 0);
}

ssize_t recvfrom(int fd, void *restrict buf, size_t len, int flags, struct sockaddr *restrict from,
                 socklen_t *restrict fromlen) {
    int err;
    w2_fd *f = sock_fd(fd, &err);
    if (!f)
        FAIL(err);
    if (flags & ~(MSG_DONTWAIT | MSG_WAITALL | MSG_NOSIGNAL))
        FAIL(EOPNOTSUPP);
    bool nb = nonblocking(f, flags);
    __wasi_errno_t e;
    if (f->kind == W2_TCP) {
        if (f->state != W2_SOCK_CONNECTED || f->in < 0)
            FAIL(ENOTCONN);
        size_t total = 0;
        do {
            size_t n;
            e = w2_stream_read(f->in, (char *)buf + total, len - total, nb, &n);
            if (e) {
                if (total)
                    break;
                FAIL(e);
            }
            if (n == 0)
                break;
            total += n;
        } while ((flags & MSG_WAITALL) && total < len);
        if (from && fromlen)
            sock_name(fd, true, from, fromlen);
        return (ssize_t)total;
    }
    if (f->udp_in < 0)
        FAIL(f->state == W2_SOCK_UNBOUND ? EINVAL : ENOTCONN);
    struct sockaddr_storage ss;
    size_t sl = sizeof ss, n, full;
    while ((e = w2s_udp_receive(f->udp_in, buf, len, &n, &full, (struct sockaddr *)&ss, &sl)) == EAGAIN) {
        if (nb)
            FAIL(EAGAIN);
        w2_block_on(w2s_udp_in_subscribe(f->udp_in));
    }
    if (e)
        FAIL(e);
    copy_addr((struct sockaddr *)&ss, sl, from, fromlen);
    return (ssize_t)n;
}

ssize_t recv(int fd, void *buf, size_t len, int flags) {
    return recvfrom(fd, buf, len, flags, NULL, NULL);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags) {
    if (msg->msg_iovlen == 1)
        return sendto(fd, msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len, flags, msg->msg_name,
                      msg->msg_namelen);
    if (msg->msg_iovlen == 0)
        return sendto(fd, "", 0, flags, msg->msg_name, msg->msg_namelen);
    FAIL(EOPNOTSUPP);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags) {
    if (msg->msg_iovlen != 1)
        FAIL(EOPNOTSUPP);
    socklen_t nl = msg->msg_namelen;
    ssize_t r = recvfrom(fd, msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len, flags, msg->msg_name,
                         msg->msg_name ? &nl : NULL);
    if (r >= 0) {
        msg->msg_namelen = msg->msg_name ? nl : 0;
        msg->msg_controllen = 0;
        msg->msg_flags = 0;
    }
    return r;
}

int shutdown(int fd, int how) {
    int err;
    w2_fd *f = sock_fd(fd, &err);
    if (!f)
        FAIL(err);
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
        FAIL(EINVAL);
    if (f->kind != W2_TCP)
        FAIL(EOPNOTSUPP);
    if (f->state != W2_SOCK_CONNECTED)
        FAIL(ENOTCONN);
    __wasi_errno_t e = w2s_tcp_shutdown(f->sock, how);
    if (e)
        FAIL(e);
    return 0;
}

int sockatmark(int fd) {
    int err;
    if (!sock_fd(fd, &err))
        FAIL(err);
    return 0;
}

static int put_int(void *val, socklen_t *len, int v) {
    if (!val || !len || *len < sizeof(int))
        FAIL(EINVAL);
    memcpy(val, &v, sizeof v);
    *len = sizeof(int);
    return 0;
}

int getsockopt(int fd, int level, int name, void *restrict val, socklen_t *restrict len) {
    int err;
    w2_fd *f = sock_fd(fd, &err);
    if (!f)
        FAIL(err);
    bool tcp = f->kind == W2_TCP;
    if (level == SOL_SOCKET) {
        switch (name) {
        case SO_TYPE:
            return put_int(val, len, tcp ? SOCK_STREAM : SOCK_DGRAM);
        case SO_DOMAIN:
            return put_int(val, len, f->family);
        case SO_PROTOCOL:
            return put_int(val, len, tcp ? IPPROTO_TCP : IPPROTO_UDP);
        case SO_ACCEPTCONN:
            return put_int(val, len, f->state == W2_SOCK_LISTENING);
        case SO_ERROR: {
            w2_socket_progress(f);
            int e = f->pending_error;
            f->pending_error = 0;
            return put_int(val, len, e);
        }
        case SO_REUSEADDR:
            /* WASI hosts enable address reuse on listening sockets. */
            return put_int(val, len, 1);
        case SO_KEEPALIVE: {
            bool on = false;
            if (!tcp)
                FAIL(ENOPROTOOPT);
            __wasi_errno_t e = w2s_tcp_keepalive(f->sock, false, &on);
            if (e)
                FAIL(e);
            return put_int(val, len, on);
        }
        case SO_RCVBUF:
        case SO_SNDBUF: {
            uint64_t v = 0;
            __wasi_errno_t e = tcp ? w2s_tcp_bufsize(f->sock, name == SO_RCVBUF, false, &v)
                                   : w2s_udp_bufsize(f->sock, name == SO_RCVBUF, false, &v);
            if (e)
                FAIL(e);
            return put_int(val, len, v > 0x7fffffff ? 0x7fffffff : (int)v);
        }
        default:
            FAIL(ENOPROTOOPT);
        }
    }
    if (level == IPPROTO_TCP && tcp && name == TCP_NODELAY)
        return put_int(val, len, 1);
    FAIL(ENOPROTOOPT);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len) {
    int err;
    w2_fd *f = sock_fd(fd, &err);
    if (!f)
        FAIL(err);
    int v = 0;
    if (val && len >= sizeof(int))
        memcpy(&v, val, sizeof v);
    bool tcp = f->kind == W2_TCP;
    if (level == SOL_SOCKET) {
        switch (name) {
        case SO_REUSEADDR:
        case SO_REUSEPORT:
        case SO_LINGER:
        case SO_BROADCAST:
        case SO_RCVTIMEO:
        case SO_SNDTIMEO:
            /* Accepted for portability; WASI 0.2 has no such knobs. */
            return 0;
        case SO_KEEPALIVE: {
            if (!tcp)
                FAIL(ENOPROTOOPT);
            bool on = v != 0;
            __wasi_errno_t e = w2s_tcp_keepalive(f->sock, true, &on);
            if (e)
                FAIL(e);
            return 0;
        }
        case SO_RCVBUF:
        case SO_SNDBUF: {
            if (v <= 0)
                FAIL(EINVAL);
            uint64_t u = (uint64_t)v;
            __wasi_errno_t e = tcp ? w2s_tcp_bufsize(f->sock, name == SO_RCVBUF, true, &u)
                                   : w2s_udp_bufsize(f->sock, name == SO_RCVBUF, true, &u);
            if (e)
                FAIL(e);
            return 0;
        }
        default:
            FAIL(ENOPROTOOPT);
        }
    }
    if (level == IPPROTO_TCP && tcp && name == TCP_NODELAY)
        return 0;
    if (level == IPPROTO_IPV6 || level == IPPROTO_IP)
        return 0;
    FAIL(ENOPROTOOPT);
}

__wasi_errno_t w2_socket_pollable(w2_fd *f, bool for_write, int32_t *pollable) {
    if (f->kind == W2_TCP) {
        switch (f->state) {
        case W2_SOCK_CONNECTED:
            *pollable = for_write ? w2s_out_subscribe(f->out) : w2s_in_subscribe(f->in);
            return 0;
        case W2_SOCK_LISTENING:
        case W2_SOCK_CONNECTING:
            *pollable = w2s_tcp_subscribe(f->sock);
            return 0;
        case W2_SOCK_CONNECT_FAILED:
            return f->pending_error ? (__wasi_errno_t)f->pending_error : __WASI_ERRNO_CONNREFUSED;
        default:
            return __WASI_ERRNO_NOTCONN;
        }
    }
    if (for_write && f->udp_out >= 0) {
        *pollable = w2s_udp_out_subscribe(f->udp_out);
        return 0;
    }
    if (!for_write && f->udp_in >= 0) {
        *pollable = w2s_udp_in_subscribe(f->udp_in);
        return 0;
    }
    /* An unbound UDP socket can be written (sendto binds it). */
    if (for_write) {
        *pollable = w2s_subscribe_duration(0);
        return 0;
    }
    *pollable = w2s_udp_subscribe(f->sock);
    return 0;
}

/* read()/write() on sockets (w2_fd.ops, see w2_io.c and w2_read.c) */
static bool fd_nonblock(const w2_fd *f) {
    return (f->fdflags & __WASI_FDFLAGS_NONBLOCK) != 0;
}

static __wasi_errno_t tcp_read(w2_fd *f, void *buf, size_t len, uint64_t off, bool positional, size_t *n) {
    if (positional)
        return __WASI_ERRNO_SPIPE;
    if (f->in < 0)
        return __WASI_ERRNO_NOTCONN;
    return w2_stream_read(f->in, buf, len, fd_nonblock(f), n);
}

static __wasi_errno_t tcp_write(w2_fd *f, const void *buf, size_t len, uint64_t off, bool positional, size_t *n) {
    if (positional)
        return __WASI_ERRNO_SPIPE;
    if (f->out < 0)
        return __WASI_ERRNO_NOTCONN;
    return fd_nonblock(f) ? w2_stream_write_nonblock(f->out, buf, len, n) : w2_stream_write(f->out, buf, len, false, n);
}

static __wasi_errno_t udp_read(w2_fd *f, void *buf, size_t len, uint64_t off, bool positional, size_t *n) {
    if (positional)
        return __WASI_ERRNO_SPIPE;
    bool nonblock = fd_nonblock(f);
    if (f->udp_in < 0)
        return __WASI_ERRNO_NOTCONN;
    size_t full;
    __wasi_errno_t e;
    while ((e = w2s_udp_receive(f->udp_in, buf, len, n, &full, NULL, NULL)) == __WASI_ERRNO_AGAIN && !nonblock)
        w2_block_on(w2s_udp_in_subscribe(f->udp_in));
    return e;
}

static __wasi_errno_t udp_write(w2_fd *f, const void *buf, size_t len, uint64_t off, bool positional, size_t *n) {
    if (positional)
        return __WASI_ERRNO_SPIPE;
    bool nonblock = fd_nonblock(f);
    if (f->udp_out < 0 || !f->udp_connected)
        return __WASI_ERRNO_DESTADDRREQ;
    __wasi_errno_t e = udp_ready_to_send(f, nonblock);
    if (!e)
        e = w2s_udp_send(f->udp_out, buf, len, NULL, 0);
    *n = e ? 0 : len;
    return e;
}

static const w2_fd_ops tcp_ops = {tcp_read, tcp_write, NULL};
static const w2_fd_ops udp_ops = {udp_read, udp_write, NULL};

/* ---- the preview-1 socket calls, for code written against them ---- */

__wasi_errno_t __wasi_sock_accept(__wasi_fd_t fd, __wasi_fdflags_t flags, __wasi_fd_t *retptr0) {
    int r = accept4((int)fd, NULL, NULL, (flags & __WASI_FDFLAGS_NONBLOCK) ? SOCK_NONBLOCK : 0);
    if (r < 0)
        return (__wasi_errno_t)errno;
    *retptr0 = (__wasi_fd_t)r;
    return 0;
}

__wasi_errno_t __wasi_sock_recv(__wasi_fd_t fd, const __wasi_iovec_t *ri_data, size_t ri_data_len,
                                __wasi_riflags_t ri_flags, __wasi_size_t *ro_datalen, __wasi_roflags_t *ro_flags) {
    *ro_flags = 0;
    *ro_datalen = 0;
    for (size_t i = 0; i < ri_data_len; i++) {
        if (ri_data[i].buf_len == 0)
            continue;
        ssize_t r = recv((int)fd, ri_data[i].buf, ri_data[i].buf_len, ri_flags & MSG_WAITALL);
        if (r < 0)
            return (__wasi_errno_t)errno;
        *ro_datalen = (__wasi_size_t)r;
        break;
    }
    return 0;
}

__wasi_errno_t __wasi_sock_send(__wasi_fd_t fd, const __wasi_ciovec_t *si_data, size_t si_data_len,
                                __wasi_siflags_t si_flags, __wasi_size_t *retptr0) {
    size_t total = 0;
    for (size_t i = 0; i < si_data_len; i++) {
        if (si_data[i].buf_len == 0)
            continue;
        ssize_t r = send((int)fd, si_data[i].buf, si_data[i].buf_len, 0);
        if (r < 0) {
            if (total)
                break;
            return (__wasi_errno_t)errno;
        }
        total += (size_t)r;
        if ((size_t)r < si_data[i].buf_len)
            break;
    }
    *retptr0 = (__wasi_size_t)total;
    return 0;
}

__wasi_errno_t __wasi_sock_shutdown(__wasi_fd_t fd, __wasi_sdflags_t how) {
    int h = how == (__WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR) ? SHUT_RDWR
            : how == __WASI_SDFLAGS_RD                     ? SHUT_RD
                                                           : SHUT_WR;
    return shutdown((int)fd, h) < 0 ? (__wasi_errno_t)errno : 0;
}

W2_COLD_END

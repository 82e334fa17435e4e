/*
 * <sys/socket.h> for wasit2 (written for the wasit2 system layer).
 *
 * It replaces the musl header of the 2022 wasi-libc tree, which hides
 * socket()/bind()/connect()/... because preview 1 could not express them.
 * wasit2 serves them from wasi:sockets. The constants that preview 1 already
 * fixed (SOCK_*, AF_*, SHUT_*, MSG_PEEK/WAITALL, SOL_SOCKET, SO_TYPE) come from
 * the bottom half's <__header_sys_socket.h> so every part of libc agrees.
 */
#ifndef _SYS_SOCKET_H
#define _SYS_SOCKET_H

#include <__header_sys_socket.h>

#ifdef __cplusplus
extern "C" {
#endif

#include <features.h>

#define __NEED_socklen_t
#define __NEED_sa_family_t
#define __NEED_size_t
#define __NEED_ssize_t
#define __NEED_struct_iovec
#include <bits/alltypes.h>

struct cmsghdr {
	socklen_t cmsg_len;
	int cmsg_level;
	int cmsg_type;
};

struct linger {
	int l_onoff;
	int l_linger;
};

#define PF_UNSPEC AF_UNSPEC
#define PF_INET AF_INET
#define PF_INET6 AF_INET6
#define PF_UNIX AF_UNIX
#define PF_LOCAL AF_UNIX
#define AF_LOCAL AF_UNIX

#define SOMAXCONN 128

/* Option names at SOL_SOCKET (SO_TYPE comes from the bottom half). */
#define SO_DEBUG 1
#define SO_REUSEADDR 2
#define SO_ERROR 4
#define SO_DONTROUTE 5
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_OOBINLINE 10
#define SO_LINGER 13
#define SO_REUSEPORT 15
#define SO_RCVLOWAT 18
#define SO_SNDLOWAT 19
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL 38
#define SO_DOMAIN 39

/* recv/send flags beyond the preview-1 ones (MSG_PEEK = 1, MSG_WAITALL = 2). */
#define MSG_OOB 0x0010
#define MSG_DONTROUTE 0x0020
#define MSG_DONTWAIT 0x0040
#define MSG_EOR 0x0080
#define MSG_NOSIGNAL 0x4000

#define SCM_RIGHTS 0x01

int socket(int, int, int);
int socketpair(int, int, int, int[2]);
int shutdown(int, int);
int bind(int, const struct sockaddr *, socklen_t);
int connect(int, const struct sockaddr *, socklen_t);
int listen(int, int);
int accept(int, struct sockaddr *__restrict, socklen_t *__restrict);
int accept4(int, struct sockaddr *__restrict, socklen_t *__restrict, int);
int getsockname(int, struct sockaddr *__restrict, socklen_t *__restrict);
int getpeername(int, struct sockaddr *__restrict, socklen_t *__restrict);
ssize_t send(int, const void *, size_t, int);
ssize_t recv(int, void *, size_t, int);
ssize_t sendto(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
ssize_t recvfrom(int, void *__restrict, size_t, int, struct sockaddr *__restrict, socklen_t *__restrict);
ssize_t sendmsg(int, const struct msghdr *, int);
ssize_t recvmsg(int, struct msghdr *, int);
int getsockopt(int, int, int, void *__restrict, socklen_t *__restrict);
int setsockopt(int, int, int, const void *, socklen_t);
int sockatmark(int);

#ifdef __cplusplus
}
#endif
#endif

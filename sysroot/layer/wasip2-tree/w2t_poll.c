/*
 * ppoll (and so poll, select and pselect, which call it) with regular
 * files ready at once, as POSIX says and the Debian-tree layer does.
 * Upstream's wasip2 ppoll (sources/ppoll.c, moved aside by RENAMES.txt)
 * waits on the host's read stream of a file, which a host fills in the
 * background: `poll` on a file with data can time out reporting nothing.
 * Here regular files are answered from fstat and the other descriptors go
 * to upstream's ppoll (with a zero timeout when a file is already ready).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/stat.h>
#include <time.h>

int __wasit2_upstream_ppoll(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);

#define READY (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM)
/* Larger sets go to upstream's ppoll unchanged. */
#define MAX_TRACKED 64

int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
          const sigset_t *sigmask) {
    /* Upstream's checks (a bad timeout is EINVAL) and the plain cases. */
    int bad_timeout = timeout && (timeout->tv_sec < 0 || timeout->tv_nsec < 0 ||
                                  timeout->tv_nsec >= 1000000000);
    if (nfds == 0 || nfds > MAX_TRACKED || bad_timeout)
        return __wasit2_upstream_ppoll(fds, nfds, timeout, sigmask);
    int saved_fd[MAX_TRACKED];
    short ready[MAX_TRACKED];
    int files = 0;
    for (nfds_t i = 0; i < nfds; i++) {
        saved_fd[i] = fds[i].fd;
        ready[i] = 0;
        struct stat st;
        if (fds[i].fd >= 0 && (fds[i].events & READY) && fstat(fds[i].fd, &st) == 0 &&
            S_ISREG(st.st_mode)) {
            ready[i] = fds[i].events & READY;
            fds[i].fd = -1;
            files++;
        }
    }
    if (files == 0)
        return __wasit2_upstream_ppoll(fds, nfds, timeout, sigmask);
    struct timespec zero = {0, 0};
    int r = __wasit2_upstream_ppoll(fds, nfds, &zero, sigmask);
    for (nfds_t i = 0; i < nfds; i++) {
        fds[i].fd = saved_fd[i];
        if (ready[i])
            fds[i].revents = ready[i];
    }
    return r < 0 ? r : r + files;
}

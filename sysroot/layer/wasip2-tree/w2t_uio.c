/*
 * readv and writev that move every buffer, as POSIX programs expect of
 * files and blocking streams (the Debian-tree layer does the same).
 * Upstream's wasip2 versions (cloudlibc's readv.c and writev.c, moved
 * aside by RENAMES.txt) hand only the first non-empty buffer to read or
 * write: legal short transfers, but a program writing a header and a body
 * with one writev sees half of it. Here the buffers go one by one through
 * the same read/write paths (no copy), stopping at the first short one.
 * readv continues past the first buffer only on regular files, where a
 * further read cannot block.
 */
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
    if (iovcnt < 0 || iovcnt > IOV_MAX) {
        errno = EINVAL;
        return -1;
    }
    ssize_t total = 0;
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len == 0)
            continue;
        ssize_t n = write(fd, iov[i].iov_base, iov[i].iov_len);
        if (n < 0)
            return total > 0 ? total : -1;
        total += n;
        if ((size_t)n < iov[i].iov_len)
            break;
    }
    if (total == 0 && iovcnt > 0)
        return write(fd, NULL, 0);
    return total;
}

ssize_t readv(int fd, const struct iovec *iov, int iovcnt) {
    if (iovcnt < 0 || iovcnt > IOV_MAX) {
        errno = EINVAL;
        return -1;
    }
    ssize_t total = 0;
    int regular = -1;
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len == 0)
            continue;
        if (total > 0) {
            if (regular < 0) {
                struct stat st;
                regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
            }
            if (!regular)
                break;
        }
        ssize_t n = read(fd, iov[i].iov_base, iov[i].iov_len);
        if (n < 0)
            return total > 0 ? total : -1;
        total += n;
        if ((size_t)n < iov[i].iov_len)
            break;
    }
    if (total == 0 && iovcnt > 0)
        return read(fd, NULL, 0);
    return total;
}

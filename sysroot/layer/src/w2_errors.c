/*
 * wasit2 system layer: WASI 0.2 error codes to errno values.
 * Indices follow the enum cases of wasi:filesystem/types.error-code and
 * wasi:sockets/network.error-code.
 */
#include "w2_internal.h"

/* p1 errno values fit in a byte. */
static const uint8_t fs_errno[] = {
    __WASI_ERRNO_ACCES,       /* access */
    __WASI_ERRNO_AGAIN,       /* would-block */
    __WASI_ERRNO_ALREADY,     /* already */
    __WASI_ERRNO_BADF,        /* bad-descriptor */
    __WASI_ERRNO_BUSY,        /* busy */
    __WASI_ERRNO_DEADLK,      /* deadlock */
    __WASI_ERRNO_DQUOT,       /* quota */
    __WASI_ERRNO_EXIST,       /* exist */
    __WASI_ERRNO_FBIG,        /* file-too-large */
    __WASI_ERRNO_ILSEQ,       /* illegal-byte-sequence */
    __WASI_ERRNO_INPROGRESS,  /* in-progress */
    __WASI_ERRNO_INTR,        /* interrupted */
    __WASI_ERRNO_INVAL,       /* invalid */
    __WASI_ERRNO_IO,          /* io */
    __WASI_ERRNO_ISDIR,       /* is-directory */
    __WASI_ERRNO_LOOP,        /* loop */
    __WASI_ERRNO_MLINK,       /* too-many-links */
    __WASI_ERRNO_MSGSIZE,     /* message-size */
    __WASI_ERRNO_NAMETOOLONG, /* name-too-long */
    __WASI_ERRNO_NODEV,       /* no-device */
    __WASI_ERRNO_NOENT,       /* no-entry */
    __WASI_ERRNO_NOLCK,       /* no-lock */
    __WASI_ERRNO_NOMEM,       /* insufficient-memory */
    __WASI_ERRNO_NOSPC,       /* insufficient-space */
    __WASI_ERRNO_NOTDIR,      /* not-directory */
    __WASI_ERRNO_NOTEMPTY,    /* not-empty */
    __WASI_ERRNO_NOTRECOVERABLE, /* not-recoverable */
    __WASI_ERRNO_NOTSUP,      /* unsupported */
    __WASI_ERRNO_NOTTY,       /* no-tty */
    __WASI_ERRNO_NXIO,        /* no-such-device */
    __WASI_ERRNO_OVERFLOW,    /* overflow */
    __WASI_ERRNO_PERM,        /* not-permitted */
    __WASI_ERRNO_PIPE,        /* pipe */
    __WASI_ERRNO_ROFS,        /* read-only */
    __WASI_ERRNO_SPIPE,       /* invalid-seek */
    __WASI_ERRNO_TXTBSY,      /* text-file-busy */
    __WASI_ERRNO_XDEV,        /* cross-device */
};

static const uint8_t net_errno[] = {
    __WASI_ERRNO_IO,           /* unknown */
    __WASI_ERRNO_ACCES,        /* access-denied */
    __WASI_ERRNO_NOTSUP,       /* not-supported */
    __WASI_ERRNO_INVAL,        /* invalid-argument */
    __WASI_ERRNO_NOMEM,        /* out-of-memory */
    __WASI_ERRNO_TIMEDOUT,     /* timeout */
    __WASI_ERRNO_ALREADY,      /* concurrency-conflict */
    __WASI_ERRNO_INVAL,        /* not-in-progress */
    __WASI_ERRNO_AGAIN,        /* would-block */
    __WASI_ERRNO_INVAL,        /* invalid-state */
    __WASI_ERRNO_MFILE,        /* new-socket-limit */
    __WASI_ERRNO_ADDRNOTAVAIL, /* address-not-bindable */
    __WASI_ERRNO_ADDRINUSE,    /* address-in-use */
    __WASI_ERRNO_HOSTUNREACH,  /* remote-unreachable */
    __WASI_ERRNO_CONNREFUSED,  /* connection-refused */
    __WASI_ERRNO_CONNRESET,    /* connection-reset */
    __WASI_ERRNO_CONNABORTED,  /* connection-aborted */
    __WASI_ERRNO_MSGSIZE,      /* datagram-too-large */
    __WASI_ERRNO_NOENT,        /* name-unresolvable */
    __WASI_ERRNO_AGAIN,        /* temporary-resolver-failure */
    __WASI_ERRNO_IO,           /* permanent-resolver-failure */
};

__wasi_errno_t w2_errno_from_fs(uint8_t code) {
    return code < sizeof fs_errno / sizeof fs_errno[0] ? fs_errno[code] : __WASI_ERRNO_IO;
}

__wasi_errno_t w2_errno_from_net(uint8_t code) {
    return code < sizeof net_errno / sizeof net_errno[0] ? net_errno[code] : __WASI_ERRNO_IO;
}

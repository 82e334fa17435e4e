/*
 * Shared internals of the wasit2 -> wasip1 adapter: the handle table, the
 * Canonical ABI store helpers, and errno mapping.
 *
 * The adapter defines the wasit2 import symbols (their names come from the
 * generated header `wasit2_wasip1_imports.h`, which the build writes from the
 * ABI crate together with a prototype carrying the exact core signature, so
 * a definition that disagrees with the ABI fails to compile).
 */
#ifndef WASIT2_ADAPTER_H
#define WASIT2_ADAPTER_H

#include <stdint.h>
#include <stddef.h>

#include "p1.h"
#include "wamr2020_layout.h"
#include "wasit2_wasip1_imports.h"

/* Guest pointers arrive as i32 core values. */
#define PTR(x) ((uint8_t *)(uintptr_t)(uint32_t)(x))
#define ADDR(p) ((int32_t)(uintptr_t)(p))

#define ST8(base, off, v) (*(uint8_t *)((base) + (off)) = (uint8_t)(v))
#define ST32(base, off, v) (*(uint32_t *)((base) + (off)) = (uint32_t)(v))
#define ST64(base, off, v) (*(uint64_t *)((base) + (off)) = (uint64_t)(v))

/* Handle kinds. One table serves every resource type; a handle used as the
 * wrong kind traps, as a component host would. */
enum {
    K_FREE = 0,
    K_ERROR,
    K_POLLABLE,
    K_INPUT,
    K_OUTPUT,
    K_DESCRIPTOR,
    K_DIRSTREAM,
};

/* Sub-kinds. */
enum {
    IN_FD = 1,     /* sequential fd_read (stdin, pipes, sockets) */
    IN_FILE,       /* fd_pread at `val`, advancing */
    OUT_FD,        /* sequential fd_write */
    OUT_FILE,      /* fd_pwrite at `val`, advancing */
    OUT_APPEND,    /* fd_pwrite at the current file size */
    P_READY,       /* always ready */
    P_CLOCK,       /* ready when the monotonic clock reaches `val` */
    P_READ,        /* fd readable (poll_oneoff fd_read) */
    P_WRITE,       /* fd writable (poll_oneoff fd_write) */
};

#define F_PREOPEN 1 /* descriptor of a preopen: dropping it keeps the fd open */

struct entry {
    uint8_t kind;
    uint8_t sub;
    uint16_t flags;
    int32_t fd; /* p1 fd; for K_ERROR the p1 errno */
    uint64_t val;
};

#define MAX_HANDLES 1024

/* Internal helpers get a reserved prefix so they never clash with program symbols. */
#define w2_get __wasit2_adapter_get
#define w2_new __wasit2_adapter_new
#define w2_free __wasit2_adapter_free
#define w2_fs_error __wasit2_adapter_fs_error
#define w2_desc_type __wasit2_adapter_desc_type
#define w2_copy __wasit2_adapter_copy
#define w2_move_up __wasit2_adapter_move_up
#define w2_monotonic_now __wasit2_adapter_monotonic_now
#define w2_scratch __wasit2_adapter_scratch
#define w2_fd_filestat __wasit2_adapter_fd_filestat
#define w2_path_filestat __wasit2_adapter_path_filestat
#define w2_legacy_layouts __wasit2_adapter_legacy_layouts
#define w2_file_out_write __wasit2_adapter_file_out_write

struct entry *w2_get(int32_t handle, uint8_t kind);
int32_t w2_new(uint8_t kind, uint8_t sub, int32_t fd, uint64_t val);
void w2_free(int32_t handle, uint8_t kind);
uint8_t w2_fs_error(int32_t err);
uint8_t w2_desc_type(uint8_t p1_filetype);
void w2_copy(uint8_t *dst, const uint8_t *src, uint32_t n);
void w2_move_up(uint8_t *dst, const uint8_t *src, uint32_t n);
uint64_t w2_monotonic_now(void);
int32_t w2_fd_filestat(int32_t fd, p1_filestat *st);
int32_t w2_path_filestat(int32_t fd, int32_t flags, int32_t path, int32_t len, p1_filestat *st);
int w2_legacy_layouts(void);

/* Writes of file output streams (OUT_FILE, OUT_APPEND) as one fd_pwrite.
 * fs.c sets it when it creates such a stream, so programs that only write
 * to stdio link neither fd_pwrite nor the filestat code. */
extern int32_t (*w2_file_out_write)(struct entry *s, const p1_iovec *iov, uint32_t *put);

/* Scratch space for calls whose p1 form needs a buffer the p2 form lacks. */
#define SCRATCH_SIZE 4096
extern uint8_t w2_scratch[SCRATCH_SIZE];

#endif

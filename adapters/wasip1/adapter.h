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

struct entry *w2_get(int32_t handle, uint8_t kind);
int32_t w2_new(uint8_t kind, uint8_t sub, int32_t fd, uint64_t val);
void w2_free(int32_t handle, uint8_t kind);
uint8_t w2_fs_error(int32_t err);
uint8_t w2_desc_type(uint8_t p1_filetype);
void w2_copy(uint8_t *dst, const uint8_t *src, uint32_t n);
void w2_move_up(uint8_t *dst, const uint8_t *src, uint32_t n);
uint64_t w2_monotonic_now(void);

/* Scratch space for calls whose p1 form needs a buffer the p2 form lacks. */
#define SCRATCH_SIZE 4096
extern uint8_t w2_scratch[SCRATCH_SIZE];

#endif

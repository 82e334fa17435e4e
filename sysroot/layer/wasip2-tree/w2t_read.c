/*
 * wasit2: the read path of a CMake-era wasi-libc's wasip2 sources, without
 * a copy. Upstream's `__wasilibc_read` (in file_utils.c, which the builder
 * compiles with that name moved aside, see RENAMES.txt) asks
 * `input-stream.read` for a list the canonical ABI allocates, copies it
 * into the caller's buffer and frees it. Every read of the libc (read,
 * pread, readv, recv, fread through them) goes through this one function,
 * so here the wasit2 caller-buffer import writes straight into the user's
 * buffer: no allocation, no copy.
 *
 * Semantics are upstream's: a read of 0 bytes still checks the stream, a
 * closed stream is end of file, a failed one EIO, a nonblocking read with
 * nothing ready EWOULDBLOCK. A blocking read without a timeout is one
 * `blocking-read` call; with a timeout (SO_RCVTIMEO) it polls the stream
 * and a timer through upstream's `__wasilibc_pollable_block_on`.
 */
#include <errno.h>
/* The tree's private headers use musl's internal visibility keyword. */
#define hidden __attribute__((__visibility__("hidden")))
#include <wasi/file_utils.h>
#include <wasit2_command.h>

static ssize_t read_result(const wasi_io_streams_result_list_u8_stream_error_t *r) {
    if (!r->is_err)
        return (ssize_t)r->val.ok.len;
    streams_stream_error_t e = {.tag = r->val.err.tag};
    if (e.tag == STREAMS_STREAM_ERROR_LAST_OPERATION_FAILED)
        e.val.last_operation_failed.__handle = r->val.err.val.last_operation_failed;
    return wasip2_handle_read_error(e);
}

static ssize_t read_once(wasi_read_t *read, void *buffer, size_t length) {
    int32_t input = read->input.__handle;
    wasi_io_streams_result_list_u8_stream_error_t r;
    if (read->blocking && read->timeout == 0 && length != 0) {
        wasi_io_streams_method_input_stream_blocking_read(input, length, &r, buffer, length);
        return read_result(&r);
    }
    while (1) {
        wasi_io_streams_method_input_stream_read(input, length, &r, buffer, length);
        ssize_t n = read_result(&r);
        if (n != 0 || length == 0 || r.is_err)
            return n;
        if (!read->blocking) {
            errno = EWOULDBLOCK;
            return -1;
        }
        if (read->pollable->__handle == 0)
            *read->pollable = streams_method_input_stream_subscribe(read->input);
        if (__wasilibc_pollable_block_on(poll_borrow_pollable(*read->pollable), read->timeout) < 0)
            return -1;
    }
}

ssize_t __wasilibc_read(wasi_read_t *read, void *buffer, size_t length) {
    ssize_t n = read_once(read, buffer, length);
    if (n > 0 && read->offset)
        *read->offset += n;
    return n;
}

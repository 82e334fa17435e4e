/*
 * wasit2: pread for a CMake-era wasi-libc's wasip2 sources, without a copy.
 * Upstream's (cloudlibc's pread.c, compiled with `pread` moved aside, see
 * RENAMES.txt) receives `descriptor.read`'s bytes in a list the canonical
 * ABI allocates, copies them and frees the list. Here the wasit2
 * caller-buffer import writes into the user's buffer. Errors and the
 * descriptor lookup are upstream's (fd_to_file_handle, translate_error).
 */
#include <errno.h>
#include <unistd.h>
#define hidden __attribute__((__visibility__("hidden")))
#include <wasi/file_utils.h>
#include <common/errors.h>
#include <wasit2_command.h>

ssize_t pread(int fildes, void *buf, size_t nbyte, off_t offset) {
    if (offset < 0) {
        errno = EINVAL;
        return -1;
    }
    filesystem_borrow_descriptor_t file;
    descriptor_table_entry_t entry;
    if (fd_to_file_handle(fildes, &entry, &file) < 0)
        return -1;
    wasi_filesystem_types_result_tuple2_list_u8_bool_error_code_t r;
    wasi_filesystem_types_method_descriptor_read(file.__handle, nbyte, offset, &r, buf, nbyte);
    descriptor_table_entry_dec(entry);
    if (r.is_err) {
        filesystem_error_code_t code = r.val.err;
        translate_error(&code);
        return -1;
    }
    return (ssize_t)r.val.ok.f0.len;
}

//! The WASI preview 1 (`wasi_snapshot_preview1`) functions and their core
//! signatures, as the p1 witx defines them for wasm32.

use crate::{CoreSig, ValType};

/// Import module name of WASI preview 1.
pub const MODULE: &str = "wasi_snapshot_preview1";

const I: ValType = ValType::I32;
const L: ValType = ValType::I64;

/// (name, params, results). Every function returns an errno (i32) except
/// `proc_exit`.
const TABLE: &[(&str, &[ValType], &[ValType])] = &[
    ("args_get", &[I, I], &[I]),
    ("args_sizes_get", &[I, I], &[I]),
    ("environ_get", &[I, I], &[I]),
    ("environ_sizes_get", &[I, I], &[I]),
    ("clock_res_get", &[I, I], &[I]),
    ("clock_time_get", &[I, L, I], &[I]),
    ("fd_advise", &[I, L, L, I], &[I]),
    ("fd_allocate", &[I, L, L], &[I]),
    ("fd_close", &[I], &[I]),
    ("fd_datasync", &[I], &[I]),
    ("fd_fdstat_get", &[I, I], &[I]),
    ("fd_fdstat_set_flags", &[I, I], &[I]),
    ("fd_fdstat_set_rights", &[I, L, L], &[I]),
    ("fd_filestat_get", &[I, I], &[I]),
    ("fd_filestat_set_size", &[I, L], &[I]),
    ("fd_filestat_set_times", &[I, L, L, I], &[I]),
    ("fd_pread", &[I, I, I, L, I], &[I]),
    ("fd_prestat_get", &[I, I], &[I]),
    ("fd_prestat_dir_name", &[I, I, I], &[I]),
    ("fd_pwrite", &[I, I, I, L, I], &[I]),
    ("fd_read", &[I, I, I, I], &[I]),
    ("fd_readdir", &[I, I, I, L, I], &[I]),
    ("fd_renumber", &[I, I], &[I]),
    ("fd_seek", &[I, L, I, I], &[I]),
    ("fd_sync", &[I], &[I]),
    ("fd_tell", &[I, I], &[I]),
    ("fd_write", &[I, I, I, I], &[I]),
    ("path_create_directory", &[I, I, I], &[I]),
    ("path_filestat_get", &[I, I, I, I, I], &[I]),
    ("path_filestat_set_times", &[I, I, I, I, L, L, I], &[I]),
    ("path_link", &[I, I, I, I, I, I, I], &[I]),
    ("path_open", &[I, I, I, I, I, L, L, I, I], &[I]),
    ("path_readlink", &[I, I, I, I, I, I], &[I]),
    ("path_remove_directory", &[I, I, I], &[I]),
    ("path_rename", &[I, I, I, I, I, I], &[I]),
    ("path_symlink", &[I, I, I, I, I], &[I]),
    ("path_unlink_file", &[I, I, I], &[I]),
    ("poll_oneoff", &[I, I, I, I], &[I]),
    ("proc_exit", &[I], &[]),
    ("proc_raise", &[I], &[I]),
    ("sched_yield", &[], &[I]),
    ("random_get", &[I, I], &[I]),
    ("sock_accept", &[I, I, I], &[I]),
    ("sock_recv", &[I, I, I, I, I, I], &[I]),
    ("sock_send", &[I, I, I, I, I], &[I]),
    ("sock_shutdown", &[I, I], &[I]),
];

/// The core signature of a p1 function, or `None` if p1 has no such function.
pub fn signature(name: &str) -> Option<CoreSig> {
    TABLE
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, p, r)| CoreSig {
            params: p.to_vec(),
            results: r.to_vec(),
        })
}

/// Names of all p1 functions.
pub fn names() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|(n, _, _)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_the_46_p1_functions() {
        assert_eq!(names().count(), 46);
        assert_eq!(signature("proc_exit").unwrap().to_string(), "(i32) -> ()");
        assert_eq!(
            signature("path_open").unwrap().to_string(),
            "(i32, i32, i32, i32, i32, i64, i64, i32, i32) -> (i32)"
        );
        assert!(signature("sock_open").is_none());
    }
}

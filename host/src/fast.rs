//! Typed per-call paths for the calls a read or write loop makes:
//! `input-stream.read`/`blocking-read`, `output-stream.write`/
//! `blocking-write-and-flush`, `descriptor.read`/`write`.
//!
//! They do what the generic path in `linker.rs` does (same checks, same
//! result bytes) without lifting into `Val`s: the arguments are read from the
//! core params, written bytes are copied once from guest memory into the
//! buffer wasmtime-wasi takes, read bytes once from wasmtime-wasi's buffer
//! into the caller's arena, and the `ok` result is stored directly. Errors
//! (rare) are converted and lowered by the generic path. Used only when no
//! hook applies to the import, since hooks see `Val`s.

use std::os::unix::fs::FileExt;
use wasmtime::component::Resource;
use wasmtime::{bail, format_err, Result};

use wasmtime_wasi::filesystem::Descriptor;
use wasmtime_wasi::p2::bindings::filesystem::types::ErrorCode;
use wasmtime_wasi::p2::bindings::sync::io::streams;
use wasmtime_wasi::p2::FsError;

use crate::funcs::{fs_res, stream_res};
use crate::oom;
use crate::val::{bounds, check_align};
use crate::{Outcome, WasiHostCtx};

/// wasmtime-wasi's cap on one `descriptor.read` (its `MAX_READ_SIZE_ALLOC`).
const MAX_DESCRIPTOR_READ: u64 = 64 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    StreamRead { blocking: bool },
    StreamWrite { blocking: bool },
    DescRead,
    DescWrite,
}

impl Kind {
    pub(crate) fn of(key: &str) -> Option<Kind> {
        Some(match key {
            "wasi:io/streams@0.2#[method]input-stream.read" => Kind::StreamRead { blocking: false },
            "wasi:io/streams@0.2#[method]input-stream.blocking-read" => {
                Kind::StreamRead { blocking: true }
            }
            "wasi:io/streams@0.2#[method]output-stream.write" => {
                Kind::StreamWrite { blocking: false }
            }
            "wasi:io/streams@0.2#[method]output-stream.blocking-write-and-flush" => {
                Kind::StreamWrite { blocking: true }
            }
            "wasi:filesystem/types@0.2#[method]descriptor.read" => Kind::DescRead,
            "wasi:filesystem/types@0.2#[method]descriptor.write" => Kind::DescWrite,
            _ => return None,
        })
    }
}

/// What the fast path needs of one import, computed at registration.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fast {
    pub kind: Kind,
    /// Pointer size of the arch (4 or 8).
    pub ptr: u64,
    /// Size and alignment of the result type (checked at the return pointer).
    pub ret_size: u64,
    pub ret_align: u64,
    /// Offset of the `result`'s payload.
    pub payload: u64,
    /// Core param indices of the return pointer, arena pointer and length,
    /// and the arena's required alignment.
    pub retptr: usize,
    pub arena: Option<(usize, usize, u64)>,
    /// The required-size result is an i64 (wasm64) rather than an i32.
    pub len_i64: bool,
}

/// What the fast path did: finished, or an outcome for the generic lowering.
pub(crate) enum Done {
    Finished,
    Lower(Outcome),
}

fn put(mem: &mut [u8], addr: u64, size: u64, v: u64) -> Result<()> {
    let r = bounds(mem.len(), addr, size)?;
    mem[r].copy_from_slice(&v.to_le_bytes()[..size as usize]);
    Ok(())
}

impl Fast {
    /// Runs the call on `raw` core params (integers zero-extended to u64);
    /// `mem` is the guest memory.
    pub(crate) fn call(
        &self,
        cx: &mut WasiHostCtx,
        mem: &mut [u8],
        raw: &[u64],
        results: &mut [wasmtime::Val],
    ) -> Result<Done> {
        let arg = |i: usize| {
            raw.get(i)
                .copied()
                .ok_or_else(|| format_err!("missing argument {i}"))
        };
        // The same checks as the generic path, before any side effect.
        let retptr = arg(self.retptr)?;
        check_align(retptr, self.ret_align)?;
        bounds(mem.len(), retptr, self.ret_size)?;
        let arena = match self.arena {
            Some((p, l, align)) => {
                let (ptr, len) = (arg(p)?, arg(l)?);
                check_align(ptr, align)?;
                bounds(mem.len(), ptr, len)?;
                Some((ptr, len))
            }
            None => None,
        };
        let handle = arg(0)? as u32;
        match self.kind {
            Kind::StreamRead { blocking } => {
                let (base, alen) = arena.ok_or_else(|| format_err!("no arena"))?;
                let len = cx.clamp_read(arg(1)?, alen);
                let r = oom::unchecked(|| {
                    let s = Resource::new_borrow(handle);
                    if blocking {
                        streams::HostInputStream::blocking_read(&mut cx.table, s, len)
                    } else {
                        streams::HostInputStream::read(&mut cx.table, s, len)
                    }
                });
                match r {
                    Ok(data) => self.ok_bytes(mem, retptr, (base, alen), &data, None, results),
                    Err(e) => Ok(Done::Lower(oom::unchecked(|| {
                        stream_res(cx, Err::<(), _>(e), |_| Ok(None))
                    })?)),
                }
            }
            Kind::DescRead => {
                // As wasmtime-wasi's `descriptor.read` (at most 64 KiB, one
                // positional read, end of file when it returns 0), but into
                // the arena directly, as its p1 `fd_read` does.
                let (base, alen) = arena.ok_or_else(|| format_err!("no arena"))?;
                let len = cx.clamp_read(arg(1)?, alen).min(MAX_DESCRIPTOR_READ);
                let offset = arg(2)?;
                let desc = Resource::<Descriptor>::new_borrow(handle);
                let r = oom::unchecked(|| -> Result<Result<usize, FsError>> {
                    Ok(match cx.table.get(&desc)? {
                        Descriptor::File(f) => {
                            let at = bounds(mem.len(), base, len)?;
                            f.file.read_at(&mut mem[at], offset).map_err(FsError::from)
                        }
                        Descriptor::Dir(_) => Err(ErrorCode::BadDescriptor.into()),
                    })
                })?;
                match r {
                    Ok(n) => {
                        self.ok_list(mem, retptr, (base, alen), n as u64, Some(n == 0), results)
                    }
                    Err(e) => Ok(Done::Lower(oom::unchecked(|| {
                        fs_res(Err::<(), _>(e), |_| Ok(None))
                    })?)),
                }
            }
            Kind::StreamWrite { blocking } => {
                let data = oom::window(|| self.input(cx, mem, arg(1)?, arg(2)?))?;
                let r = oom::unchecked(|| {
                    let out = Resource::new_borrow(handle);
                    if blocking {
                        streams::HostOutputStream::blocking_write_and_flush(
                            &mut cx.table,
                            out,
                            data,
                        )
                    } else {
                        streams::HostOutputStream::write(&mut cx.table, out, data)
                    }
                });
                match r {
                    Ok(()) => {
                        put(mem, retptr, 1, 0)?;
                        Ok(Done::Finished)
                    }
                    Err(e) => Ok(Done::Lower(oom::unchecked(|| {
                        stream_res(cx, Err::<(), _>(e), |_| Ok(None))
                    })?)),
                }
            }
            Kind::DescWrite => {
                // As wasmtime-wasi's `descriptor.write` (one positional
                // write), from guest memory directly.
                let (ptr, len) = (arg(1)?, arg(2)?);
                if len > cx.limits.max_call_input_bytes {
                    bail!("host call exceeds the per-call guest data limit");
                }
                let at = bounds(mem.len(), ptr, len)?;
                let offset = arg(3)?;
                let desc = Resource::<Descriptor>::new_borrow(handle);
                let r = oom::unchecked(|| -> Result<Result<usize, FsError>> {
                    Ok(match cx.table.get(&desc)? {
                        Descriptor::File(f) if f.perms.write_not_permitted() => {
                            Err(ErrorCode::NotPermitted.into())
                        }
                        Descriptor::File(f) => {
                            f.file.write_at(&mem[at], offset).map_err(FsError::from)
                        }
                        Descriptor::Dir(_) => Err(ErrorCode::BadDescriptor.into()),
                    })
                })?;
                match r {
                    Ok(n) => {
                        put(mem, retptr, 1, 0)?;
                        put(mem, retptr + self.payload, 8, n as u64)?;
                        Ok(Done::Finished)
                    }
                    Err(e) => Ok(Done::Lower(oom::unchecked(|| {
                        fs_res(Err::<(), _>(e), |_| Ok(None))
                    })?)),
                }
            }
        }
    }

    /// The guest's `list<u8>` argument, copied once (wasmtime-wasi takes
    /// ownership of the bytes), within the per-call input limit.
    fn input(&self, cx: &WasiHostCtx, mem: &[u8], ptr: u64, len: u64) -> Result<Vec<u8>> {
        if len > cx.limits.max_call_input_bytes {
            bail!("host call exceeds the per-call guest data limit");
        }
        let r = bounds(mem.len(), ptr, len)?;
        let mut v = crate::val::try_vec(r.len())?;
        v.extend_from_slice(&mem[r]);
        Ok(v)
    }

    /// Stores `ok(list<u8>)` (or `ok((list<u8>, bool))`): the bytes at the
    /// start of the arena, the list at the payload, and the required size as
    /// the call's result. A result larger than the arena (which the clamp
    /// rules out) is reported as the required size with nothing written.
    fn ok_bytes(
        &self,
        mem: &mut [u8],
        retptr: u64,
        (base, alen): (u64, u64),
        data: &[u8],
        eof: Option<bool>,
        results: &mut [wasmtime::Val],
    ) -> Result<Done> {
        let n = data.len() as u64;
        if n <= alen {
            let r = bounds(mem.len(), base, n)?;
            mem[r].copy_from_slice(data);
        }
        self.ok_list(mem, retptr, (base, alen), n, eof, results)
    }

    /// Stores `ok` of a list whose `n` bytes are at the start of the arena
    /// (see `ok_bytes`).
    fn ok_list(
        &self,
        mem: &mut [u8],
        retptr: u64,
        (base, alen): (u64, u64),
        n: u64,
        eof: Option<bool>,
        results: &mut [wasmtime::Val],
    ) -> Result<Done> {
        if n <= alen {
            put(mem, retptr, 1, 0)?;
            put(mem, retptr + self.payload, self.ptr, base)?;
            put(mem, retptr + self.payload + self.ptr, self.ptr, n)?;
            if let Some(eof) = eof {
                put(mem, retptr + self.payload + 2 * self.ptr, 1, eof as u64)?;
            }
        }
        results[0] = if self.len_i64 {
            wasmtime::Val::I64(n as i64)
        } else {
            wasmtime::Val::I32(
                u32::try_from(n).map_err(|_| format_err!("result too large"))? as i32,
            )
        };
        Ok(Done::Finished)
    }
}

//! The implementation of every `wasi:cli/command@0.2` import, delegating to
//! wasmtime-wasi's WASI 0.2 host traits (the synchronous flavour, as its own
//! p1 host does). Arguments and results are `Val`s; lifting and lowering
//! happen in `linker.rs`, driven by the ABI crate.

use wasmtime::component::Resource;
use wasmtime::{bail, format_err, Result};
use wasmtime_wasi::cli::WasiCliView;
use wasmtime_wasi::clocks::WasiClocksView;
use wasmtime_wasi::filesystem::WasiFilesystemView;
use wasmtime_wasi::p2::bindings::sync::cli;
use wasmtime_wasi::p2::bindings::sync::clocks;
use wasmtime_wasi::p2::bindings::sync::filesystem::{preopens, types as fs};
use wasmtime_wasi::p2::bindings::sync::io::{poll, streams};
use wasmtime_wasi::p2::bindings::sync::random;
// Non-blocking socket interfaces are implemented on the async-world traits
// (their functions are synchronous); the blocking ones on the sync world.
use wasmtime_wasi::p2::bindings::sockets::{
    instance_network, ip_name_lookup, network, tcp_create_socket,
};
use wasmtime_wasi::p2::bindings::sync::sockets::{tcp, udp, udp_create_socket};
use wasmtime_wasi::p2::{FsError, SocketError, StreamError};
use wasmtime_wasi::random::WasiRandomView;
use wasmtime_wasi::sockets::WasiSocketsView;

use crate::val::{try_vec, Val};
use crate::{Outcome, WasiHostCtx};

/// What an implementation gets besides its arguments.
pub struct CallEnv<'a> {
    /// Length of the caller-supplied arena, for imports that have one.
    pub arena_len: Option<u64>,
    /// Arena bytes a result value needs (the ABI's placement rules).
    pub measure: &'a dyn Fn(&Val) -> Result<u64>,
}

impl CallEnv<'_> {
    fn arena(&self) -> Result<u64> {
        self.arena_len
            .ok_or_else(|| format_err!("import has no caller-supplied buffer"))
    }
}

pub type ImplFn = fn(&mut WasiHostCtx, &[Val], &CallEnv<'_>) -> Result<Outcome>;

// ---- argument access -------------------------------------------------------

fn arg(a: &[Val], i: usize) -> Result<&Val> {
    a.get(i).ok_or_else(|| format_err!("missing argument {i}"))
}
fn handle(a: &[Val], i: usize) -> Result<u32> {
    match arg(a, i)? {
        Val::Handle(h) => Ok(*h),
        v => bail!("expected a handle, got {v}"),
    }
}
/// A borrowed handle: the table type-checks it on use.
fn b<T: 'static>(a: &[Val], i: usize) -> Result<Resource<T>> {
    Ok(Resource::new_borrow(handle(a, i)?))
}
fn own<T: 'static>(a: &[Val], i: usize) -> Result<Resource<T>> {
    Ok(Resource::new_own(handle(a, i)?))
}
fn u64_(a: &[Val], i: usize) -> Result<u64> {
    match arg(a, i)? {
        Val::U64(v) => Ok(*v),
        v => bail!("expected u64, got {v}"),
    }
}
fn u32_(a: &[Val], i: usize) -> Result<u32> {
    match arg(a, i)? {
        Val::U32(v) => Ok(*v),
        v => bail!("expected u32, got {v}"),
    }
}
fn u8_(a: &[Val], i: usize) -> Result<u8> {
    match arg(a, i)? {
        Val::U8(v) => Ok(*v),
        v => bail!("expected u8, got {v}"),
    }
}
fn bool_(a: &[Val], i: usize) -> Result<bool> {
    match arg(a, i)? {
        Val::Bool(v) => Ok(*v),
        v => bail!("expected bool, got {v}"),
    }
}
fn enum_(a: &[Val], i: usize) -> Result<u32> {
    match arg(a, i)? {
        Val::Enum(v) => Ok(*v),
        v => bail!("expected enum, got {v}"),
    }
}
fn flags_(a: &[Val], i: usize) -> Result<u32> {
    match arg(a, i)? {
        Val::Flags(v) => Ok(*v),
        v => bail!("expected flags, got {v}"),
    }
}
fn string(a: &[Val], i: usize) -> Result<String> {
    match arg(a, i)? {
        Val::String(s) => {
            let mut out = try_vec(s.len())?;
            out.extend_from_slice(s.as_bytes());
            Ok(String::from_utf8(out).expect("copied from a String"))
        }
        v => bail!("expected string, got {v}"),
    }
}
fn bytes(v: &Val) -> Result<Vec<u8>> {
    match v {
        Val::Bytes(b) => {
            let mut out = try_vec(b.len())?;
            out.extend_from_slice(b);
            Ok(out)
        }
        v => bail!("expected list<u8>, got {v}"),
    }
}
fn record(v: &Val) -> Result<&[Val]> {
    match v {
        Val::Record(r) => Ok(r),
        v => bail!("expected record, got {v}"),
    }
}
fn variant(v: &Val) -> Result<(u32, Option<&Val>)> {
    match v {
        Val::Variant(c, p) => Ok((*c, p.first())),
        v => bail!("expected variant, got {v}"),
    }
}

// ---- results ---------------------------------------------------------------

fn value(v: Val) -> Result<Outcome> {
    Ok(Outcome::Value(v))
}
fn h<T>(r: Resource<T>) -> Val {
    Val::Handle(r.rep())
}
fn unit() -> Result<Outcome> {
    value(Val::unit())
}

pub(crate) fn fs_res<R>(
    r: Result<R, FsError>,
    ok: impl FnOnce(R) -> Result<Option<Val>>,
) -> Result<Outcome> {
    value(match r {
        Ok(v) => Val::ok(ok(v)?),
        // A non-error-code failure is a trap (e.g. a bad handle).
        Err(e) => Val::err(Some(Val::Enum(e.downcast()? as u32))),
    })
}
fn sock_res<R>(
    r: Result<R, SocketError>,
    ok: impl FnOnce(R) -> Result<Option<Val>>,
) -> Result<Outcome> {
    value(match r {
        Ok(v) => Val::ok(ok(v)?),
        Err(e) => Val::err(Some(Val::Enum(e.downcast()? as u32))),
    })
}
pub(crate) fn stream_res<R>(
    cx: &mut WasiHostCtx,
    r: Result<R, StreamError>,
    ok: impl FnOnce(R) -> Result<Option<Val>>,
) -> Result<Outcome> {
    value(match r {
        Ok(v) => Val::ok(ok(v)?),
        Err(e) => Val::err(Some(
            match streams::Host::convert_stream_error(&mut cx.table, e)? {
                streams::StreamError::LastOperationFailed(err) => Val::Variant(0, vec![h(err)]),
                streams::StreamError::Closed => Val::Variant(1, Vec::new()),
            },
        )),
    })
}

// ---- WIT type conversions --------------------------------------------------

fn datetime(d: clocks::wall_clock::Datetime) -> Val {
    Val::Record(vec![Val::U64(d.seconds), Val::U32(d.nanoseconds)])
}
fn datetime_in(v: &Val) -> Result<clocks::wall_clock::Datetime> {
    let r = record(v)?;
    match r {
        [Val::U64(seconds), Val::U32(nanoseconds)] => Ok(clocks::wall_clock::Datetime {
            seconds: *seconds,
            nanoseconds: *nanoseconds,
        }),
        _ => bail!("bad datetime"),
    }
}
fn new_timestamp(v: &Val) -> Result<fs::NewTimestamp> {
    Ok(match variant(v)? {
        (0, _) => fs::NewTimestamp::NoChange,
        (1, _) => fs::NewTimestamp::Now,
        (2, Some(t)) => fs::NewTimestamp::Timestamp(datetime_in(t)?),
        _ => bail!("bad new-timestamp"),
    })
}
fn descriptor_type(t: fs::DescriptorType) -> Val {
    Val::Enum(t as u32)
}
fn stat(s: fs::DescriptorStat) -> Val {
    let ts = |t: Option<clocks::wall_clock::Datetime>| Val::option(t.map(datetime));
    Val::Record(vec![
        descriptor_type(s.type_),
        Val::U64(s.link_count),
        Val::U64(s.size),
        ts(s.data_access_timestamp),
        ts(s.data_modification_timestamp),
        ts(s.status_change_timestamp),
    ])
}
fn descriptor_flags(f: fs::DescriptorFlags) -> Val {
    let all = [
        fs::DescriptorFlags::READ,
        fs::DescriptorFlags::WRITE,
        fs::DescriptorFlags::FILE_INTEGRITY_SYNC,
        fs::DescriptorFlags::DATA_INTEGRITY_SYNC,
        fs::DescriptorFlags::REQUESTED_WRITE_SYNC,
        fs::DescriptorFlags::MUTATE_DIRECTORY,
    ];
    Val::Flags(
        all.iter()
            .enumerate()
            .filter(|(_, c)| f.contains(**c))
            .map(|(i, _)| 1 << i)
            .sum(),
    )
}
fn descriptor_flags_in(bits: u32) -> fs::DescriptorFlags {
    let all = [
        fs::DescriptorFlags::READ,
        fs::DescriptorFlags::WRITE,
        fs::DescriptorFlags::FILE_INTEGRITY_SYNC,
        fs::DescriptorFlags::DATA_INTEGRITY_SYNC,
        fs::DescriptorFlags::REQUESTED_WRITE_SYNC,
        fs::DescriptorFlags::MUTATE_DIRECTORY,
    ];
    let mut f = fs::DescriptorFlags::empty();
    for (i, c) in all.into_iter().enumerate() {
        if bits & (1 << i) != 0 {
            f |= c;
        }
    }
    f
}
fn path_flags(bits: u32) -> fs::PathFlags {
    if bits & 1 != 0 {
        fs::PathFlags::SYMLINK_FOLLOW
    } else {
        fs::PathFlags::empty()
    }
}
fn open_flags(bits: u32) -> fs::OpenFlags {
    let all = [
        fs::OpenFlags::CREATE,
        fs::OpenFlags::DIRECTORY,
        fs::OpenFlags::EXCLUSIVE,
        fs::OpenFlags::TRUNCATE,
    ];
    let mut f = fs::OpenFlags::empty();
    for (i, c) in all.into_iter().enumerate() {
        if bits & (1 << i) != 0 {
            f |= c;
        }
    }
    f
}
fn advice(c: u32) -> Result<fs::Advice> {
    Ok(match c {
        0 => fs::Advice::Normal,
        1 => fs::Advice::Sequential,
        2 => fs::Advice::Random,
        3 => fs::Advice::WillNeed,
        4 => fs::Advice::DontNeed,
        5 => fs::Advice::NoReuse,
        _ => bail!("bad advice"),
    })
}
fn dir_entry(e: fs::DirectoryEntry) -> Val {
    Val::Record(vec![descriptor_type(e.type_), Val::String(e.name)])
}
fn hash(v: fs::MetadataHashValue) -> Val {
    Val::Record(vec![Val::U64(v.lower), Val::U64(v.upper)])
}
fn family(c: u32) -> Result<network::IpAddressFamily> {
    Ok(match c {
        0 => network::IpAddressFamily::Ipv4,
        1 => network::IpAddressFamily::Ipv6,
        _ => bail!("bad ip-address-family"),
    })
}
fn family_out(f: network::IpAddressFamily) -> Val {
    Val::Enum(match f {
        network::IpAddressFamily::Ipv4 => 0,
        network::IpAddressFamily::Ipv6 => 1,
    })
}
fn ip_address(a: network::IpAddress) -> Val {
    match a {
        network::IpAddress::Ipv4((x, y, z, w)) => Val::Variant(
            0,
            vec![Val::Record(vec![
                Val::U8(x),
                Val::U8(y),
                Val::U8(z),
                Val::U8(w),
            ])],
        ),
        network::IpAddress::Ipv6(t) => {
            let s = [t.0, t.1, t.2, t.3, t.4, t.5, t.6, t.7];
            Val::Variant(1, vec![Val::Record(s.into_iter().map(Val::U16).collect())])
        }
    }
}
fn socket_address(a: network::IpSocketAddress) -> Val {
    match a {
        network::IpSocketAddress::Ipv4(v4) => {
            let (x, y, z, w) = v4.address;
            Val::Variant(
                0,
                vec![Val::Record(vec![
                    Val::U16(v4.port),
                    Val::Record(vec![Val::U8(x), Val::U8(y), Val::U8(z), Val::U8(w)]),
                ])],
            )
        }
        network::IpSocketAddress::Ipv6(v6) => {
            let t = v6.address;
            let s = [t.0, t.1, t.2, t.3, t.4, t.5, t.6, t.7];
            Val::Variant(
                1,
                vec![Val::Record(vec![
                    Val::U16(v6.port),
                    Val::U32(v6.flow_info),
                    Val::Record(s.into_iter().map(Val::U16).collect()),
                    Val::U32(v6.scope_id),
                ])],
            )
        }
    }
}
fn socket_address_in(v: &Val) -> Result<network::IpSocketAddress> {
    let bad = || format_err!("bad ip-socket-address");
    let u8s = |v: &Val| -> Result<Vec<u8>> {
        record(v)?
            .iter()
            .map(|x| {
                if let Val::U8(b) = x {
                    Ok(*b)
                } else {
                    Err(bad())
                }
            })
            .collect()
    };
    let u16s = |v: &Val| -> Result<Vec<u16>> {
        record(v)?
            .iter()
            .map(|x| {
                if let Val::U16(b) = x {
                    Ok(*b)
                } else {
                    Err(bad())
                }
            })
            .collect()
    };
    match variant(v)? {
        (0, Some(p)) => match record(p)? {
            [Val::U16(port), addr] => {
                let a = u8s(addr)?;
                let [x, y, z, w] = a[..] else {
                    return Err(bad());
                };
                Ok(network::IpSocketAddress::Ipv4(network::Ipv4SocketAddress {
                    port: *port,
                    address: (x, y, z, w),
                }))
            }
            _ => Err(bad()),
        },
        (1, Some(p)) => match record(p)? {
            [Val::U16(port), Val::U32(flow_info), addr, Val::U32(scope_id)] => {
                let a = u16s(addr)?;
                let [a0, a1, a2, a3, a4, a5, a6, a7] = a[..] else {
                    return Err(bad());
                };
                Ok(network::IpSocketAddress::Ipv6(network::Ipv6SocketAddress {
                    port: *port,
                    flow_info: *flow_info,
                    address: (a0, a1, a2, a3, a4, a5, a6, a7),
                    scope_id: *scope_id,
                }))
            }
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

// ---- lookup ----------------------------------------------------------------

/// The implementation of an import, by `<interface>#<field>` (e.g.
/// `wasi:io/streams@0.2#[method]input-stream.read`).
pub fn lookup(key: &str) -> Option<ImplFn> {
    let f: ImplFn = match key {
        // wasi:cli
        "wasi:cli/environment@0.2#get-environment" => |cx, _, _| {
            let env = cli::environment::Host::get_environment(&mut cx.cli())?;
            value(Val::List(
                env.into_iter()
                    .map(|(k, v)| Val::Record(vec![Val::String(k), Val::String(v)]))
                    .collect(),
            ))
        },
        "wasi:cli/environment@0.2#get-arguments" => |cx, _, _| {
            let args = cli::environment::Host::get_arguments(&mut cx.cli())?;
            value(Val::List(args.into_iter().map(Val::String).collect()))
        },
        "wasi:cli/environment@0.2#initial-cwd" => |cx, _, _| {
            let cwd = cli::environment::Host::initial_cwd(&mut cx.cli())?;
            value(Val::option(cwd.map(Val::String)))
        },
        "wasi:cli/exit@0.2#exit" => |cx, a, _| {
            let (c, _) = variant(arg(a, 0)?)?;
            cli::exit::Host::exit(&mut cx.cli(), if c == 0 { Ok(()) } else { Err(()) })?;
            unit()
        },
        "wasi:cli/exit@0.2#exit-with-code" => |cx, a, _| {
            cli::exit::Host::exit_with_code(&mut cx.cli(), u8_(a, 0)?)?;
            unit()
        },
        "wasi:cli/stdin@0.2#get-stdin" => {
            |cx, _, _| value(h(cli::stdin::Host::get_stdin(&mut cx.cli())?))
        }
        "wasi:cli/stdout@0.2#get-stdout" => {
            |cx, _, _| value(h(cli::stdout::Host::get_stdout(&mut cx.cli())?))
        }
        "wasi:cli/stderr@0.2#get-stderr" => {
            |cx, _, _| value(h(cli::stderr::Host::get_stderr(&mut cx.cli())?))
        }
        "wasi:cli/terminal-input@0.2#terminal-input_drop" => |cx, a, _| {
            cli::terminal_input::HostTerminalInput::drop(&mut cx.cli(), own(a, 0)?)?;
            unit()
        },
        "wasi:cli/terminal-output@0.2#terminal-output_drop" => |cx, a, _| {
            cli::terminal_output::HostTerminalOutput::drop(&mut cx.cli(), own(a, 0)?)?;
            unit()
        },
        "wasi:cli/terminal-stdin@0.2#get-terminal-stdin" => |cx, _, _| {
            value(Val::option(
                cli::terminal_stdin::Host::get_terminal_stdin(&mut cx.cli())?.map(h),
            ))
        },
        "wasi:cli/terminal-stdout@0.2#get-terminal-stdout" => |cx, _, _| {
            value(Val::option(
                cli::terminal_stdout::Host::get_terminal_stdout(&mut cx.cli())?.map(h),
            ))
        },
        "wasi:cli/terminal-stderr@0.2#get-terminal-stderr" => |cx, _, _| {
            value(Val::option(
                cli::terminal_stderr::Host::get_terminal_stderr(&mut cx.cli())?.map(h),
            ))
        },

        // wasi:io
        "wasi:io/error@0.2#error_drop" => |cx, a, _| {
            wasmtime_wasi::p2::bindings::io::error::HostError::drop(&mut cx.table, own(a, 0)?)?;
            unit()
        },
        "wasi:io/error@0.2#[method]error.to-debug-string" => |cx, a, _| {
            let s = wasmtime_wasi::p2::bindings::io::error::HostError::to_debug_string(
                &mut cx.table,
                b(a, 0)?,
            )?;
            value(Val::String(s))
        },
        "wasi:io/poll@0.2#pollable_drop" => |cx, a, _| {
            poll::HostPollable::drop(&mut cx.table, own(a, 0)?)?;
            unit()
        },
        "wasi:io/poll@0.2#[method]pollable.ready" => |cx, a, _| {
            value(Val::Bool(poll::HostPollable::ready(
                &mut cx.table,
                b(a, 0)?,
            )?))
        },
        "wasi:io/poll@0.2#[method]pollable.block" => |cx, a, _| {
            poll::HostPollable::block(&mut cx.table, b(a, 0)?)?;
            unit()
        },
        "wasi:io/poll@0.2#poll" => |cx, a, env| {
            let Val::List(list) = arg(a, 0)? else {
                bail!("expected a list")
            };
            // BoundedByInput: the result holds at most one u32 per pollable;
            // without room for that, do not wait at all.
            let bound = 4 * list.len() as u64;
            if bound > env.arena()? {
                return Ok(Outcome::TooSmall(bound));
            }
            let mut ps = try_vec(list.len())?;
            for v in list {
                match v {
                    Val::Handle(x) => ps.push(Resource::new_borrow(*x)),
                    _ => bail!("expected a handle"),
                }
            }
            let ready = poll::Host::poll(&mut cx.table, ps)?;
            value(Val::List(ready.into_iter().map(Val::U32).collect()))
        },
        "wasi:io/streams@0.2#input-stream_drop" => |cx, a, _| {
            streams::HostInputStream::drop(&mut cx.table, own(a, 0)?)?;
            unit()
        },
        "wasi:io/streams@0.2#output-stream_drop" => |cx, a, _| {
            streams::HostOutputStream::drop(&mut cx.table, own(a, 0)?)?;
            unit()
        },
        "wasi:io/streams@0.2#[method]input-stream.read" => |cx, a, env| {
            let len = cx.clamp_read(u64_(a, 1)?, env.arena()?);
            let r = streams::HostInputStream::read(&mut cx.table, b(a, 0)?, len);
            stream_res(cx, r, |v| Ok(Some(Val::Bytes(v))))
        },
        "wasi:io/streams@0.2#[method]input-stream.blocking-read" => |cx, a, env| {
            let len = cx.clamp_read(u64_(a, 1)?, env.arena()?);
            let r = streams::HostInputStream::blocking_read(&mut cx.table, b(a, 0)?, len);
            stream_res(cx, r, |v| Ok(Some(Val::Bytes(v))))
        },
        "wasi:io/streams@0.2#[method]input-stream.skip" => |cx, a, _| {
            let r = streams::HostInputStream::skip(&mut cx.table, b(a, 0)?, u64_(a, 1)?);
            stream_res(cx, r, |v| Ok(Some(Val::U64(v))))
        },
        "wasi:io/streams@0.2#[method]input-stream.blocking-skip" => |cx, a, _| {
            let r = streams::HostInputStream::blocking_skip(&mut cx.table, b(a, 0)?, u64_(a, 1)?);
            stream_res(cx, r, |v| Ok(Some(Val::U64(v))))
        },
        "wasi:io/streams@0.2#[method]input-stream.subscribe" => |cx, a, _| {
            value(h(streams::HostInputStream::subscribe(
                &mut cx.table,
                b(a, 0)?,
            )?))
        },
        "wasi:io/streams@0.2#[method]output-stream.check-write" => |cx, a, _| {
            let r = streams::HostOutputStream::check_write(&mut cx.table, b(a, 0)?);
            stream_res(cx, r, |v| Ok(Some(Val::U64(v))))
        },
        "wasi:io/streams@0.2#[method]output-stream.write" => |cx, a, _| {
            let r = streams::HostOutputStream::write(&mut cx.table, b(a, 0)?, bytes(arg(a, 1)?)?);
            stream_res(cx, r, |_| Ok(None))
        },
        "wasi:io/streams@0.2#[method]output-stream.blocking-write-and-flush" => |cx, a, _| {
            let r = streams::HostOutputStream::blocking_write_and_flush(
                &mut cx.table,
                b(a, 0)?,
                bytes(arg(a, 1)?)?,
            );
            stream_res(cx, r, |_| Ok(None))
        },
        "wasi:io/streams@0.2#[method]output-stream.flush" => |cx, a, _| {
            let r = streams::HostOutputStream::flush(&mut cx.table, b(a, 0)?);
            stream_res(cx, r, |_| Ok(None))
        },
        "wasi:io/streams@0.2#[method]output-stream.blocking-flush" => |cx, a, _| {
            let r = streams::HostOutputStream::blocking_flush(&mut cx.table, b(a, 0)?);
            stream_res(cx, r, |_| Ok(None))
        },
        "wasi:io/streams@0.2#[method]output-stream.subscribe" => |cx, a, _| {
            value(h(streams::HostOutputStream::subscribe(
                &mut cx.table,
                b(a, 0)?,
            )?))
        },
        "wasi:io/streams@0.2#[method]output-stream.write-zeroes" => |cx, a, _| {
            let r = streams::HostOutputStream::write_zeroes(&mut cx.table, b(a, 0)?, u64_(a, 1)?);
            stream_res(cx, r, |_| Ok(None))
        },
        "wasi:io/streams@0.2#[method]output-stream.blocking-write-zeroes-and-flush" => {
            |cx, a, _| {
                let r = streams::HostOutputStream::blocking_write_zeroes_and_flush(
                    &mut cx.table,
                    b(a, 0)?,
                    u64_(a, 1)?,
                );
                stream_res(cx, r, |_| Ok(None))
            }
        }
        "wasi:io/streams@0.2#[method]output-stream.splice" => |cx, a, _| {
            let len = cx.clamp_read(u64_(a, 2)?, u64::MAX);
            let r = streams::HostOutputStream::splice(&mut cx.table, b(a, 0)?, b(a, 1)?, len);
            stream_res(cx, r, |v| Ok(Some(Val::U64(v))))
        },
        "wasi:io/streams@0.2#[method]output-stream.blocking-splice" => |cx, a, _| {
            let len = cx.clamp_read(u64_(a, 2)?, u64::MAX);
            let r =
                streams::HostOutputStream::blocking_splice(&mut cx.table, b(a, 0)?, b(a, 1)?, len);
            stream_res(cx, r, |v| Ok(Some(Val::U64(v))))
        },

        // wasi:clocks
        "wasi:clocks/monotonic-clock@0.2#now" => |cx, _, _| {
            value(Val::U64(clocks::monotonic_clock::Host::now(
                &mut cx.clocks(),
            )?))
        },
        "wasi:clocks/monotonic-clock@0.2#resolution" => |cx, _, _| {
            value(Val::U64(clocks::monotonic_clock::Host::resolution(
                &mut cx.clocks(),
            )?))
        },
        "wasi:clocks/monotonic-clock@0.2#subscribe-instant" => |cx, a, _| {
            value(h(clocks::monotonic_clock::Host::subscribe_instant(
                &mut cx.clocks(),
                u64_(a, 0)?,
            )?))
        },
        "wasi:clocks/monotonic-clock@0.2#subscribe-duration" => |cx, a, _| {
            value(h(clocks::monotonic_clock::Host::subscribe_duration(
                &mut cx.clocks(),
                u64_(a, 0)?,
            )?))
        },
        "wasi:clocks/wall-clock@0.2#now" => {
            |cx, _, _| value(datetime(clocks::wall_clock::Host::now(&mut cx.clocks())?))
        }
        "wasi:clocks/wall-clock@0.2#resolution" => |cx, _, _| {
            value(datetime(clocks::wall_clock::Host::resolution(
                &mut cx.clocks(),
            )?))
        },

        // wasi:random
        "wasi:random/random@0.2#get-random-bytes" => |cx, a, env| {
            let len = u64_(a, 0)?;
            if len > env.arena()? {
                return Ok(Outcome::TooSmall(len));
            }
            cx.check_random(len)?;
            value(Val::Bytes(random::random::Host::get_random_bytes(
                cx.random(),
                len,
            )?))
        },
        "wasi:random/random@0.2#get-random-u64" => {
            |cx, _, _| value(Val::U64(random::random::Host::get_random_u64(cx.random())?))
        }
        "wasi:random/insecure@0.2#get-insecure-random-bytes" => |cx, a, env| {
            let len = u64_(a, 0)?;
            if len > env.arena()? {
                return Ok(Outcome::TooSmall(len));
            }
            cx.check_random(len)?;
            value(Val::Bytes(
                random::insecure::Host::get_insecure_random_bytes(cx.random(), len)?,
            ))
        },
        "wasi:random/insecure@0.2#get-insecure-random-u64" => |cx, _, _| {
            value(Val::U64(random::insecure::Host::get_insecure_random_u64(
                cx.random(),
            )?))
        },
        "wasi:random/insecure-seed@0.2#insecure-seed" => |cx, _, _| {
            let (x, y) = random::insecure_seed::Host::insecure_seed(cx.random())?;
            value(Val::Record(vec![Val::U64(x), Val::U64(y)]))
        },

        // wasi:filesystem
        "wasi:filesystem/preopens@0.2#get-directories" => |cx, _, env| {
            let dirs = preopens::Host::get_directories(&mut cx.filesystem())?;
            let reps: Vec<u32> = dirs.iter().map(|(d, _)| d.rep()).collect();
            let v = Val::List(
                dirs.into_iter()
                    .map(|(d, p)| Val::Record(vec![h(d), Val::String(p)]))
                    .collect(),
            );
            let need = (env.measure)(&v)?;
            if need > env.arena()? {
                // ReportRequired: no handle may outlive a call that reports
                // "too small".
                for r in reps {
                    cx.table.delete::<fs::Descriptor>(Resource::new_own(r))?;
                }
                return Ok(Outcome::TooSmall(need));
            }
            value(v)
        },
        "wasi:filesystem/types@0.2#descriptor_drop" => |cx, a, _| {
            fs::HostDescriptor::drop(&mut cx.filesystem(), own(a, 0)?)?;
            unit()
        },
        "wasi:filesystem/types@0.2#directory-entry-stream_drop" => |cx, a, _| {
            let x = handle(a, 0)?;
            fs::HostDirectoryEntryStream::drop(&mut cx.filesystem(), Resource::new_own(x))?;
            cx.pending_dirents.remove(&x);
            unit()
        },
        "wasi:filesystem/types@0.2#[method]descriptor.read-via-stream" => |cx, a, _| {
            let r =
                fs::HostDescriptor::read_via_stream(&mut cx.filesystem(), b(a, 0)?, u64_(a, 1)?);
            fs_res(r, |s| Ok(Some(h(s))))
        },
        "wasi:filesystem/types@0.2#[method]descriptor.write-via-stream" => |cx, a, _| {
            let r =
                fs::HostDescriptor::write_via_stream(&mut cx.filesystem(), b(a, 0)?, u64_(a, 1)?);
            fs_res(r, |s| Ok(Some(h(s))))
        },
        "wasi:filesystem/types@0.2#[method]descriptor.append-via-stream" => |cx, a, _| {
            let r = fs::HostDescriptor::append_via_stream(&mut cx.filesystem(), b(a, 0)?);
            fs_res(r, |s| Ok(Some(h(s))))
        },
        "wasi:filesystem/types@0.2#[method]descriptor.advise" => |cx, a, _| {
            let r = fs::HostDescriptor::advise(
                &mut cx.filesystem(),
                b(a, 0)?,
                u64_(a, 1)?,
                u64_(a, 2)?,
                advice(enum_(a, 3)?)?,
            );
            fs_res(r, |_| Ok(None))
        },
        "wasi:filesystem/types@0.2#[method]descriptor.sync-data" => |cx, a, _| {
            fs_res(
                fs::HostDescriptor::sync_data(&mut cx.filesystem(), b(a, 0)?),
                |_| Ok(None),
            )
        },
        "wasi:filesystem/types@0.2#[method]descriptor.get-flags" => |cx, a, _| {
            fs_res(
                fs::HostDescriptor::get_flags(&mut cx.filesystem(), b(a, 0)?),
                |f| Ok(Some(descriptor_flags(f))),
            )
        },
        "wasi:filesystem/types@0.2#[method]descriptor.get-type" => |cx, a, _| {
            fs_res(
                fs::HostDescriptor::get_type(&mut cx.filesystem(), b(a, 0)?),
                |t| Ok(Some(descriptor_type(t))),
            )
        },
        "wasi:filesystem/types@0.2#[method]descriptor.set-size" => |cx, a, _| {
            fs_res(
                fs::HostDescriptor::set_size(&mut cx.filesystem(), b(a, 0)?, u64_(a, 1)?),
                |_| Ok(None),
            )
        },
        "wasi:filesystem/types@0.2#[method]descriptor.set-times" => |cx, a, _| {
            let (at, mt) = (new_timestamp(arg(a, 1)?)?, new_timestamp(arg(a, 2)?)?);
            fs_res(
                fs::HostDescriptor::set_times(&mut cx.filesystem(), b(a, 0)?, at, mt),
                |_| Ok(None),
            )
        },
        "wasi:filesystem/types@0.2#[method]descriptor.read" => |cx, a, env| {
            let len = cx.clamp_read(u64_(a, 1)?, env.arena()?);
            let r = fs::HostDescriptor::read(&mut cx.filesystem(), b(a, 0)?, len, u64_(a, 2)?);
            fs_res(r, |(data, eof)| {
                Ok(Some(Val::Record(vec![Val::Bytes(data), Val::Bool(eof)])))
            })
        },
        "wasi:filesystem/types@0.2#[method]descriptor.write" => |cx, a, _| {
            let data = bytes(arg(a, 1)?)?;
            let r = fs::HostDescriptor::write(&mut cx.filesystem(), b(a, 0)?, data, u64_(a, 2)?);
            fs_res(r, |n| Ok(Some(Val::U64(n))))
        },
        "wasi:filesystem/types@0.2#[method]descriptor.read-directory" => |cx, a, _| {
            fs_res(
                fs::HostDescriptor::read_directory(&mut cx.filesystem(), b(a, 0)?),
                |s| Ok(Some(h(s))),
            )
        },
        "wasi:filesystem/types@0.2#[method]descriptor.sync" => |cx, a, _| {
            fs_res(
                fs::HostDescriptor::sync(&mut cx.filesystem(), b(a, 0)?),
                |_| Ok(None),
            )
        },
        "wasi:filesystem/types@0.2#[method]descriptor.create-directory-at" => |cx, a, _| {
            let r = fs::HostDescriptor::create_directory_at(
                &mut cx.filesystem(),
                b(a, 0)?,
                string(a, 1)?,
            );
            fs_res(r, |_| Ok(None))
        },
        "wasi:filesystem/types@0.2#[method]descriptor.stat" => |cx, a, _| {
            fs_res(
                fs::HostDescriptor::stat(&mut cx.filesystem(), b(a, 0)?),
                |s| Ok(Some(stat(s))),
            )
        },
        "wasi:filesystem/types@0.2#[method]descriptor.stat-at" => |cx, a, _| {
            let r = fs::HostDescriptor::stat_at(
                &mut cx.filesystem(),
                b(a, 0)?,
                path_flags(flags_(a, 1)?),
                string(a, 2)?,
            );
            fs_res(r, |s| Ok(Some(stat(s))))
        },
        "wasi:filesystem/types@0.2#[method]descriptor.set-times-at" => |cx, a, _| {
            let (at, mt) = (new_timestamp(arg(a, 3)?)?, new_timestamp(arg(a, 4)?)?);
            let r = fs::HostDescriptor::set_times_at(
                &mut cx.filesystem(),
                b(a, 0)?,
                path_flags(flags_(a, 1)?),
                string(a, 2)?,
                at,
                mt,
            );
            fs_res(r, |_| Ok(None))
        },
        "wasi:filesystem/types@0.2#[method]descriptor.link-at" => |cx, a, _| {
            let r = fs::HostDescriptor::link_at(
                &mut cx.filesystem(),
                b(a, 0)?,
                path_flags(flags_(a, 1)?),
                string(a, 2)?,
                b(a, 3)?,
                string(a, 4)?,
            );
            fs_res(r, |_| Ok(None))
        },
        "wasi:filesystem/types@0.2#[method]descriptor.open-at" => |cx, a, _| {
            let r = fs::HostDescriptor::open_at(
                &mut cx.filesystem(),
                b(a, 0)?,
                path_flags(flags_(a, 1)?),
                string(a, 2)?,
                open_flags(flags_(a, 3)?),
                descriptor_flags_in(flags_(a, 4)?),
            );
            fs_res(r, |d| Ok(Some(h(d))))
        },
        "wasi:filesystem/types@0.2#[method]descriptor.readlink-at" => |cx, a, _| {
            let r = fs::HostDescriptor::readlink_at(&mut cx.filesystem(), b(a, 0)?, string(a, 1)?);
            fs_res(r, |s| Ok(Some(Val::String(s))))
        },
        "wasi:filesystem/types@0.2#[method]descriptor.remove-directory-at" => |cx, a, _| {
            let r = fs::HostDescriptor::remove_directory_at(
                &mut cx.filesystem(),
                b(a, 0)?,
                string(a, 1)?,
            );
            fs_res(r, |_| Ok(None))
        },
        "wasi:filesystem/types@0.2#[method]descriptor.rename-at" => |cx, a, _| {
            let r = fs::HostDescriptor::rename_at(
                &mut cx.filesystem(),
                b(a, 0)?,
                string(a, 1)?,
                b(a, 2)?,
                string(a, 3)?,
            );
            fs_res(r, |_| Ok(None))
        },
        "wasi:filesystem/types@0.2#[method]descriptor.symlink-at" => |cx, a, _| {
            let r = fs::HostDescriptor::symlink_at(
                &mut cx.filesystem(),
                b(a, 0)?,
                string(a, 1)?,
                string(a, 2)?,
            );
            fs_res(r, |_| Ok(None))
        },
        "wasi:filesystem/types@0.2#[method]descriptor.unlink-file-at" => |cx, a, _| {
            let r =
                fs::HostDescriptor::unlink_file_at(&mut cx.filesystem(), b(a, 0)?, string(a, 1)?);
            fs_res(r, |_| Ok(None))
        },
        "wasi:filesystem/types@0.2#[method]descriptor.is-same-object" => |cx, a, _| {
            value(Val::Bool(fs::HostDescriptor::is_same_object(
                &mut cx.filesystem(),
                b(a, 0)?,
                b(a, 1)?,
            )?))
        },
        "wasi:filesystem/types@0.2#[method]descriptor.metadata-hash" => |cx, a, _| {
            fs_res(
                fs::HostDescriptor::metadata_hash(&mut cx.filesystem(), b(a, 0)?),
                |v| Ok(Some(hash(v))),
            )
        },
        "wasi:filesystem/types@0.2#[method]descriptor.metadata-hash-at" => |cx, a, _| {
            let r = fs::HostDescriptor::metadata_hash_at(
                &mut cx.filesystem(),
                b(a, 0)?,
                path_flags(flags_(a, 1)?),
                string(a, 2)?,
            );
            fs_res(r, |v| Ok(Some(hash(v))))
        },
        "wasi:filesystem/types@0.2#[method]directory-entry-stream.read-directory-entry" => {
            |cx, a, env| {
                let x = handle(a, 0)?;
                // Type-check the handle even when an entry is pending.
                cx.table
                    .get::<fs::DirectoryEntryStream>(&Resource::new_borrow(x))?;
                let v = match cx.pending_dirents.remove(&x) {
                    Some(v) => v,
                    None => {
                        let r = fs::HostDirectoryEntryStream::read_directory_entry(
                            &mut cx.filesystem(),
                            Resource::new_borrow(x),
                        );
                        match r {
                            Ok(e) => Val::ok(Some(Val::option(e.map(dir_entry)))),
                            Err(e) => Val::err(Some(Val::Enum(e.downcast()? as u32))),
                        }
                    }
                };
                let need = (env.measure)(&v)?;
                if need > env.arena()? {
                    // ReportRequired: the stream must not advance, so keep the
                    // entry for the next call.
                    cx.pending_dirents.insert(x, v);
                    return Ok(Outcome::TooSmall(need));
                }
                value(v)
            }
        }
        "wasi:filesystem/types@0.2#filesystem-error-code" => |cx, a, _| {
            let c = fs::Host::filesystem_error_code(&mut cx.filesystem(), b(a, 0)?)?;
            value(Val::option(c.map(|c| Val::Enum(c as u32))))
        },

        // wasi:sockets
        "wasi:sockets/network@0.2#network_drop" => |cx, a, _| {
            network::HostNetwork::drop(&mut cx.sockets(), own(a, 0)?)?;
            unit()
        },
        "wasi:sockets/instance-network@0.2#instance-network" => |cx, _, _| {
            value(h(instance_network::Host::instance_network(
                &mut cx.sockets(),
            )?))
        },
        "wasi:sockets/tcp-create-socket@0.2#create-tcp-socket" => |cx, a, _| {
            let r = tcp_create_socket::Host::create_tcp_socket(
                &mut cx.sockets(),
                family(enum_(a, 0)?)?,
            );
            sock_res(r, |s| Ok(Some(h(s))))
        },
        "wasi:sockets/udp-create-socket@0.2#create-udp-socket" => |cx, a, _| {
            let r = udp_create_socket::Host::create_udp_socket(
                &mut cx.sockets(),
                family(enum_(a, 0)?)?,
            );
            sock_res(r, |s| Ok(Some(h(s))))
        },
        "wasi:sockets/ip-name-lookup@0.2#resolve-addresses" => |cx, a, _| {
            let r =
                ip_name_lookup::Host::resolve_addresses(&mut cx.sockets(), b(a, 0)?, string(a, 1)?);
            sock_res(r, |s| Ok(Some(h(s))))
        },
        "wasi:sockets/ip-name-lookup@0.2#resolve-address-stream_drop" => |cx, a, _| {
            ip_name_lookup::HostResolveAddressStream::drop(&mut cx.sockets(), own(a, 0)?)?;
            unit()
        },
        "wasi:sockets/ip-name-lookup@0.2#[method]resolve-address-stream.resolve-next-address" => {
            |cx, a, _| {
                let r = ip_name_lookup::HostResolveAddressStream::resolve_next_address(
                    &mut cx.sockets(),
                    b(a, 0)?,
                );
                sock_res(r, |o| Ok(Some(Val::option(o.map(ip_address)))))
            }
        }
        "wasi:sockets/ip-name-lookup@0.2#[method]resolve-address-stream.subscribe" => |cx, a, _| {
            value(h(ip_name_lookup::HostResolveAddressStream::subscribe(
                &mut cx.sockets(),
                b(a, 0)?,
            )?))
        },

        "wasi:sockets/tcp@0.2#tcp-socket_drop" => |cx, a, _| {
            tcp::HostTcpSocket::drop(&mut cx.sockets(), own(a, 0)?)?;
            unit()
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.start-bind" => |cx, a, _| {
            let addr = socket_address_in(arg(a, 2)?)?;
            sock_res(
                tcp::HostTcpSocket::start_bind(&mut cx.sockets(), b(a, 0)?, b(a, 1)?, addr),
                |_| Ok(None),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.finish-bind" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::finish_bind(&mut cx.sockets(), b(a, 0)?),
                |_| Ok(None),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.start-connect" => |cx, a, _| {
            let addr = socket_address_in(arg(a, 2)?)?;
            sock_res(
                tcp::HostTcpSocket::start_connect(&mut cx.sockets(), b(a, 0)?, b(a, 1)?, addr),
                |_| Ok(None),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.finish-connect" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::finish_connect(&mut cx.sockets(), b(a, 0)?),
                |(i, o)| Ok(Some(Val::Record(vec![h(i), h(o)]))),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.start-listen" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::start_listen(&mut cx.sockets(), b(a, 0)?),
                |_| Ok(None),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.finish-listen" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::finish_listen(&mut cx.sockets(), b(a, 0)?),
                |_| Ok(None),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.accept" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::accept(&mut cx.sockets(), b(a, 0)?),
                |(s, i, o)| Ok(Some(Val::Record(vec![h(s), h(i), h(o)]))),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.local-address" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::local_address(&mut cx.sockets(), b(a, 0)?),
                |v| Ok(Some(socket_address(v))),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.remote-address" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::remote_address(&mut cx.sockets(), b(a, 0)?),
                |v| Ok(Some(socket_address(v))),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.is-listening" => |cx, a, _| {
            value(Val::Bool(tcp::HostTcpSocket::is_listening(
                &mut cx.sockets(),
                b(a, 0)?,
            )?))
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.address-family" => |cx, a, _| {
            value(family_out(tcp::HostTcpSocket::address_family(
                &mut cx.sockets(),
                b(a, 0)?,
            )?))
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.set-listen-backlog-size" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::set_listen_backlog_size(
                    &mut cx.sockets(),
                    b(a, 0)?,
                    u64_(a, 1)?,
                ),
                |_| Ok(None),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.keep-alive-enabled" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::keep_alive_enabled(&mut cx.sockets(), b(a, 0)?),
                |v| Ok(Some(Val::Bool(v))),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.set-keep-alive-enabled" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::set_keep_alive_enabled(
                    &mut cx.sockets(),
                    b(a, 0)?,
                    bool_(a, 1)?,
                ),
                |_| Ok(None),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.keep-alive-idle-time" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::keep_alive_idle_time(&mut cx.sockets(), b(a, 0)?),
                |v| Ok(Some(Val::U64(v))),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.set-keep-alive-idle-time" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::set_keep_alive_idle_time(
                    &mut cx.sockets(),
                    b(a, 0)?,
                    u64_(a, 1)?,
                ),
                |_| Ok(None),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.keep-alive-interval" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::keep_alive_interval(&mut cx.sockets(), b(a, 0)?),
                |v| Ok(Some(Val::U64(v))),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.set-keep-alive-interval" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::set_keep_alive_interval(
                    &mut cx.sockets(),
                    b(a, 0)?,
                    u64_(a, 1)?,
                ),
                |_| Ok(None),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.keep-alive-count" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::keep_alive_count(&mut cx.sockets(), b(a, 0)?),
                |v| Ok(Some(Val::U32(v))),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.set-keep-alive-count" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::set_keep_alive_count(&mut cx.sockets(), b(a, 0)?, u32_(a, 1)?),
                |_| Ok(None),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.hop-limit" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::hop_limit(&mut cx.sockets(), b(a, 0)?),
                |v| Ok(Some(Val::U8(v))),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.set-hop-limit" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::set_hop_limit(&mut cx.sockets(), b(a, 0)?, u8_(a, 1)?),
                |_| Ok(None),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.receive-buffer-size" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::receive_buffer_size(&mut cx.sockets(), b(a, 0)?),
                |v| Ok(Some(Val::U64(v))),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.set-receive-buffer-size" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::set_receive_buffer_size(
                    &mut cx.sockets(),
                    b(a, 0)?,
                    u64_(a, 1)?,
                ),
                |_| Ok(None),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.send-buffer-size" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::send_buffer_size(&mut cx.sockets(), b(a, 0)?),
                |v| Ok(Some(Val::U64(v))),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.set-send-buffer-size" => |cx, a, _| {
            sock_res(
                tcp::HostTcpSocket::set_send_buffer_size(&mut cx.sockets(), b(a, 0)?, u64_(a, 1)?),
                |_| Ok(None),
            )
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.subscribe" => |cx, a, _| {
            value(h(tcp::HostTcpSocket::subscribe(
                &mut cx.sockets(),
                b(a, 0)?,
            )?))
        },
        "wasi:sockets/tcp@0.2#[method]tcp-socket.shutdown" => |cx, a, _| {
            let how = match enum_(a, 1)? {
                0 => tcp::ShutdownType::Receive,
                1 => tcp::ShutdownType::Send,
                2 => tcp::ShutdownType::Both,
                _ => bail!("bad shutdown-type"),
            };
            sock_res(
                tcp::HostTcpSocket::shutdown(&mut cx.sockets(), b(a, 0)?, how),
                |_| Ok(None),
            )
        },

        "wasi:sockets/udp@0.2#udp-socket_drop" => |cx, a, _| {
            udp::HostUdpSocket::drop(&mut cx.sockets(), own(a, 0)?)?;
            unit()
        },
        "wasi:sockets/udp@0.2#incoming-datagram-stream_drop" => |cx, a, _| {
            let x = handle(a, 0)?;
            udp::HostIncomingDatagramStream::drop(&mut cx.sockets(), Resource::new_own(x))?;
            cx.udp_queues.remove(&x);
            unit()
        },
        "wasi:sockets/udp@0.2#outgoing-datagram-stream_drop" => |cx, a, _| {
            udp::HostOutgoingDatagramStream::drop(&mut cx.sockets(), own(a, 0)?)?;
            unit()
        },
        "wasi:sockets/udp@0.2#[method]udp-socket.start-bind" => |cx, a, _| {
            let addr = socket_address_in(arg(a, 2)?)?;
            sock_res(
                udp::HostUdpSocket::start_bind(&mut cx.sockets(), b(a, 0)?, b(a, 1)?, addr),
                |_| Ok(None),
            )
        },
        "wasi:sockets/udp@0.2#[method]udp-socket.finish-bind" => |cx, a, _| {
            sock_res(
                udp::HostUdpSocket::finish_bind(&mut cx.sockets(), b(a, 0)?),
                |_| Ok(None),
            )
        },
        "wasi:sockets/udp@0.2#[method]udp-socket.stream" => |cx, a, _| {
            let remote = match variant(arg(a, 1)?)? {
                (0, _) => None,
                (1, Some(v)) => Some(socket_address_in(v)?),
                _ => bail!("bad option"),
            };
            sock_res(
                udp::HostUdpSocket::stream(&mut cx.sockets(), b(a, 0)?, remote),
                |(i, o)| Ok(Some(Val::Record(vec![h(i), h(o)]))),
            )
        },
        "wasi:sockets/udp@0.2#[method]udp-socket.local-address" => |cx, a, _| {
            sock_res(
                udp::HostUdpSocket::local_address(&mut cx.sockets(), b(a, 0)?),
                |v| Ok(Some(socket_address(v))),
            )
        },
        "wasi:sockets/udp@0.2#[method]udp-socket.remote-address" => |cx, a, _| {
            sock_res(
                udp::HostUdpSocket::remote_address(&mut cx.sockets(), b(a, 0)?),
                |v| Ok(Some(socket_address(v))),
            )
        },
        "wasi:sockets/udp@0.2#[method]udp-socket.address-family" => |cx, a, _| {
            value(family_out(udp::HostUdpSocket::address_family(
                &mut cx.sockets(),
                b(a, 0)?,
            )?))
        },
        "wasi:sockets/udp@0.2#[method]udp-socket.unicast-hop-limit" => |cx, a, _| {
            sock_res(
                udp::HostUdpSocket::unicast_hop_limit(&mut cx.sockets(), b(a, 0)?),
                |v| Ok(Some(Val::U8(v))),
            )
        },
        "wasi:sockets/udp@0.2#[method]udp-socket.set-unicast-hop-limit" => |cx, a, _| {
            sock_res(
                udp::HostUdpSocket::set_unicast_hop_limit(&mut cx.sockets(), b(a, 0)?, u8_(a, 1)?),
                |_| Ok(None),
            )
        },
        "wasi:sockets/udp@0.2#[method]udp-socket.receive-buffer-size" => |cx, a, _| {
            sock_res(
                udp::HostUdpSocket::receive_buffer_size(&mut cx.sockets(), b(a, 0)?),
                |v| Ok(Some(Val::U64(v))),
            )
        },
        "wasi:sockets/udp@0.2#[method]udp-socket.set-receive-buffer-size" => |cx, a, _| {
            sock_res(
                udp::HostUdpSocket::set_receive_buffer_size(
                    &mut cx.sockets(),
                    b(a, 0)?,
                    u64_(a, 1)?,
                ),
                |_| Ok(None),
            )
        },
        "wasi:sockets/udp@0.2#[method]udp-socket.send-buffer-size" => |cx, a, _| {
            sock_res(
                udp::HostUdpSocket::send_buffer_size(&mut cx.sockets(), b(a, 0)?),
                |v| Ok(Some(Val::U64(v))),
            )
        },
        "wasi:sockets/udp@0.2#[method]udp-socket.set-send-buffer-size" => |cx, a, _| {
            sock_res(
                udp::HostUdpSocket::set_send_buffer_size(&mut cx.sockets(), b(a, 0)?, u64_(a, 1)?),
                |_| Ok(None),
            )
        },
        "wasi:sockets/udp@0.2#[method]udp-socket.subscribe" => |cx, a, _| {
            value(h(udp::HostUdpSocket::subscribe(
                &mut cx.sockets(),
                b(a, 0)?,
            )?))
        },
        "wasi:sockets/udp@0.2#[method]incoming-datagram-stream.receive" => {
            |cx, a, env| receive(cx, a, env)
        }
        "wasi:sockets/udp@0.2#[method]incoming-datagram-stream.subscribe" => |cx, a, _| {
            value(h(udp::HostIncomingDatagramStream::subscribe(
                &mut cx.sockets(),
                b(a, 0)?,
            )?))
        },
        "wasi:sockets/udp@0.2#[method]outgoing-datagram-stream.check-send" => |cx, a, _| {
            sock_res(
                udp::HostOutgoingDatagramStream::check_send(&mut cx.sockets(), b(a, 0)?),
                |v| Ok(Some(Val::U64(v))),
            )
        },
        "wasi:sockets/udp@0.2#[method]outgoing-datagram-stream.send" => |cx, a, _| {
            let Val::List(items) = arg(a, 1)? else {
                bail!("expected a list")
            };
            let mut dgrams = try_vec(items.len())?;
            for d in items {
                let r = record(d)?;
                let remote_address = match variant(arg(r, 1)?)? {
                    (0, _) => None,
                    (1, Some(v)) => Some(socket_address_in(v)?),
                    _ => bail!("bad option"),
                };
                dgrams.push(udp::OutgoingDatagram {
                    data: bytes(arg(r, 0)?)?,
                    remote_address,
                });
            }
            sock_res(
                udp::HostOutgoingDatagramStream::send(&mut cx.sockets(), b(a, 0)?, dgrams),
                |v| Ok(Some(Val::U64(v))),
            )
        },
        "wasi:sockets/udp@0.2#[method]outgoing-datagram-stream.subscribe" => |cx, a, _| {
            value(h(udp::HostOutgoingDatagramStream::subscribe(
                &mut cx.sockets(),
                b(a, 0)?,
            )?))
        },
        _ => return None,
    };
    Some(f)
}

/// `incoming-datagram-stream.receive` with ShortDatagrams: only whole
/// datagrams that fit are returned; the rest wait in a per-stream queue.
fn receive(cx: &mut WasiHostCtx, a: &[Val], env: &CallEnv<'_>) -> Result<Outcome> {
    let x = handle(a, 0)?;
    let max = u64_(a, 1)?.min(cx.limits.max_datagrams_per_call);
    cx.table
        .get::<udp::IncomingDatagramStream>(&Resource::new_borrow(x))?;
    if cx.udp_queues.get(&x).is_none_or(|q| q.is_empty()) && max > 0 {
        let r = udp::HostIncomingDatagramStream::receive(
            &mut cx.sockets(),
            Resource::new_borrow(x),
            max,
        );
        match r {
            Ok(ds) => {
                let q = cx.udp_queues.entry(x).or_default();
                for d in ds {
                    q.push_back(Val::Record(vec![
                        Val::Bytes(d.data),
                        socket_address(d.remote_address),
                    ]));
                }
            }
            Err(e) => return value(Val::err(Some(Val::Enum(e.downcast()? as u32)))),
        }
    }
    let arena = env.arena()?;
    let queue = cx.udp_queues.entry(x).or_default();
    let mut taken = Vec::new();
    while (taken.len() as u64) < max {
        let Some(next) = queue.pop_front() else { break };
        taken.push(next);
        // Measure without copying the datagrams.
        let v = Val::ok(Some(Val::List(std::mem::take(&mut taken))));
        let need = (env.measure)(&v)?;
        let Val::Variant(_, mut payload) = v else {
            unreachable!()
        };
        let Some(Val::List(back)) = payload.pop() else {
            unreachable!()
        };
        taken = back;
        if need > arena {
            let last = taken.pop().expect("just pushed");
            queue.push_front(last);
            if taken.is_empty() {
                return Ok(Outcome::TooSmall(need));
            }
            break;
        }
    }
    value(Val::ok(Some(Val::List(taken))))
}

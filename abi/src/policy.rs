//! What the host does when a caller-supplied buffer is too small.

/// The too-small rule of one caller-supplied-buffer function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TooSmall {
    /// WIT allows a short result: the host reads at most as many bytes as fit
    /// in the buffer (the `len` parameter is clamped to the buffer's length).
    ShortRead {
        /// Name of the WIT parameter that bounds the result's length.
        len_param: String,
    },
    /// WIT allows fewer datagrams than `max-results`: the host returns only
    /// the whole datagrams that fit and keeps the rest queued for the next
    /// call; if not even the first fits, it returns the size that one needs.
    ShortDatagrams,
    /// The result's size is bounded by an input the caller controls (`poll`
    /// returns at most one `u32` per pollable): the arena must hold that
    /// bound before the host acts; if it does not, the host neither waits
    /// nor acts and returns the bound.
    BoundedByInput {
        /// How the bound follows from the input, for the docs.
        bound: String,
    },
    /// No short result is allowed: the host does nothing, writes nothing to
    /// the return area and returns the required buffer size so the caller can
    /// retry with a larger buffer.
    ReportRequired,
}

impl TooSmall {
    /// The rule for a WIT function, by canonical interface and function name.
    pub(crate) fn for_function(interface: Option<&str>, func: &str) -> TooSmall {
        let iface = interface.map(|i| i.split('@').next().unwrap_or(i));
        match (iface, func) {
            (Some("wasi:io/streams"), "[method]input-stream.read")
            | (Some("wasi:io/streams"), "[method]input-stream.blocking-read") => {
                TooSmall::ShortRead {
                    len_param: "len".into(),
                }
            }
            (Some("wasi:filesystem/types"), "[method]descriptor.read") => TooSmall::ShortRead {
                len_param: "length".into(),
            },
            (Some("wasi:sockets/udp"), "[method]incoming-datagram-stream.receive") => {
                TooSmall::ShortDatagrams
            }
            (Some("wasi:io/poll"), "poll") => TooSmall::BoundedByInput {
                bound: "4 bytes per pollable in `in`".into(),
            },
            _ => TooSmall::ReportRequired,
        }
    }

    /// One-line description used in the generated documentation table.
    pub fn describe(&self) -> String {
        match self {
            TooSmall::ShortRead { len_param } => format!(
                "short result: `{len_param}` is clamped to the buffer length; the bytes read are returned"
            ),
            TooSmall::ShortDatagrams => {
                "short result: only whole datagrams that fit are returned, the rest stay queued in the host; if the first does not fit, nothing is returned and its required size is reported".into()
            }
            TooSmall::BoundedByInput { bound } => format!(
                "the arena must hold the largest possible result ({bound}); otherwise no side effect (no waiting) and that bound is returned"
            ),
            TooSmall::ReportRequired => {
                "no side effect; nothing is written; the required size is returned".into()
            }
        }
    }
}

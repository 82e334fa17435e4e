//! Where a module uses wasm exception handling, and in which encoding:
//! what C's longjmp (`-mllvm -wasm-enable-sjlj`) and C++ throws
//! (`-fwasm-exceptions`) compile to.

use std::fmt;

use crate::Module;
use wasmparser::{BinaryReader, FunctionBody, Operator};

/// The two encodings of the exception-handling proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// The standard one (exnref): `try_table`, `throw`, `throw_ref`. What
    /// wasmtime runs and the wasit2 clang config selects.
    Exnref,
    /// The legacy one, LLVM 22's default: `try`, `catch`, `rethrow`,
    /// `delegate`. Newer WAMR runs it in its classic interpreter only.
    Legacy,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Exnref => "exnref encoding, `try_table`",
            Encoding::Legacy => "legacy encoding, `try`/`catch`",
        })
    }
}

/// A call path: each function with whether it is entered through a table.
pub type CallPath = Vec<(u32, bool)>;

/// How a module uses exceptions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExceptionUse {
    /// Functions containing an exnref-only instruction, in index order.
    pub exnref: Vec<u32>,
    /// Functions containing a legacy-only instruction, in index order.
    pub legacy: Vec<u32>,
    /// Functions where an exception starts (`throw`): a longjmp, a C++
    /// throw.
    pub throwers: Vec<u32>,
    /// Functions that only pass a caught exception on (`throw_ref`,
    /// `rethrow`), e.g. after running cleanups.
    pub rethrowers: Vec<u32>,
}

impl ExceptionUse {
    /// Scans the bodies `m` lists in `bytes` (the bytes `m` was parsed from).
    pub fn scan(bytes: &[u8], m: &Module) -> ExceptionUse {
        let mut u = ExceptionUse::default();
        for &(start, end, func) in &m.bodies {
            let Some(code) = bytes.get(start..end) else {
                continue;
            };
            let body = FunctionBody::new(BinaryReader::new(code, start as u64));
            let Ok(mut ops) = body.get_operators_reader() else {
                continue;
            };
            let (mut exnref, mut legacy) = (false, false);
            let (mut throws, mut rethrows) = (false, false);
            while !ops.eof() {
                // The module validated (Module::parse), so a read error
                // only ends the scan of this body.
                let Ok(op) = ops.read() else { break };
                match op {
                    Operator::TryTable { .. } => exnref = true,
                    Operator::ThrowRef => (exnref, rethrows) = (true, true),
                    Operator::Throw { .. } => throws = true,
                    Operator::Try { .. }
                    | Operator::Catch { .. }
                    | Operator::CatchAll
                    | Operator::Delegate { .. } => legacy = true,
                    Operator::Rethrow { .. } => (legacy, rethrows) = (true, true),
                    _ => {}
                }
            }
            if exnref {
                u.exnref.push(func);
            }
            if legacy {
                u.legacy.push(func);
            }
            if throws {
                u.throwers.push(func);
            }
            if rethrows {
                u.rethrowers.push(func);
            }
        }
        u
    }

    /// Whether the module has any exception instruction.
    pub fn any(&self) -> bool {
        !(self.exnref.is_empty()
            && self.legacy.is_empty()
            && self.throwers.is_empty()
            && self.rethrowers.is_empty())
    }

    /// The encodings the module's instructions pin down (a module with only
    /// `throw` fits either).
    pub fn encodings(&self) -> Vec<Encoding> {
        let mut v = Vec::new();
        if !self.exnref.is_empty() {
            v.push(Encoding::Exnref);
        }
        if !self.legacy.is_empty() {
            v.push(Encoding::Legacy);
        }
        v
    }

    /// The encoding as a report names it.
    pub fn describe(&self) -> String {
        match self.encodings()[..] {
            [] => "`throw` only, either encoding".into(),
            [e] => e.to_string(),
            _ => format!("both the {} and the {}", Encoding::Exnref, Encoding::Legacy),
        }
    }

    /// The function where an exception starts that is reached first from
    /// an entry point (shortest call path, then lowest index), with that
    /// path; else a function passing one on, likewise; else the first
    /// function using exceptions at all, without a path.
    pub fn first_throw(&self, m: &Module) -> Option<(u32, Option<CallPath>)> {
        let first_reached = |funcs: &[u32]| {
            funcs
                .iter()
                .filter_map(|&f| m.graph.path_to(f).map(|p| (f, p)))
                .min_by_key(|(f, p)| (p.len(), *f))
        };
        if let Some((f, p)) =
            first_reached(&self.throwers).or_else(|| first_reached(&self.rethrowers))
        {
            return Some((f, Some(p)));
        }
        self.throwers
            .iter()
            .chain(&self.rethrowers)
            .chain(&self.exnref)
            .chain(&self.legacy)
            .min()
            .map(|&f| (f, None))
    }
}

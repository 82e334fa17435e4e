//! What one sysroot build produces: an architecture and a CPU feature level.
use wasit2_abi::Arch;

/// CPU feature level of a libc build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cpu {
    /// clang-22's default features (bulk memory, sign-ext, multivalue, ...).
    Default,
    /// `-mcpu=mvp`: runs on old runtimes such as the 2020 WAMR.
    Mvp,
}

impl Cpu {
    pub const ALL: [Cpu; 2] = [Cpu::Default, Cpu::Mvp];
    pub fn name(self) -> &'static str {
        match self {
            Cpu::Default => "default",
            Cpu::Mvp => "mvp",
        }
    }
}

/// One sysroot variant, e.g. wasm32 + default features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Variant {
    pub arch: Arch,
    pub cpu: Cpu,
}

impl Variant {
    /// The target users pass to clang, which is also the multiarch directory
    /// name clang derives from it (`<arch>-<os>[-<environment>]`). The mvp
    /// variant is selected through the environment component so that one
    /// flag, `--target=wasm32-wasit2-mvp`, picks both `-mcpu=mvp` (from its
    /// config file) and `lib/wasm32-wasit2-mvp`.
    pub fn target(self) -> String {
        match self.cpu {
            Cpu::Default => self.arch.triple().to_string(),
            Cpu::Mvp => format!("{}-mvp", self.arch.triple()),
        }
    }

    /// The normalized triple clang prints and uses for config-file lookup.
    pub fn normalized_triple(self) -> String {
        let base = format!("{}-unknown-wasit2", self.arch.name());
        match self.cpu {
            Cpu::Default => base,
            Cpu::Mvp => format!("{base}-mvp"),
        }
    }

    /// Flags that select code generation for this variant.
    pub fn codegen_flags(self) -> Vec<String> {
        let mut f = vec![format!("--target={}", self.arch.triple())];
        if self.cpu == Cpu::Mvp {
            f.push("-mcpu=mvp".into());
        }
        f
    }

    /// Every variant, in build order.
    pub fn all() -> Vec<Variant> {
        let mut v = Vec::new();
        for arch in Arch::ALL {
            for cpu in Cpu::ALL {
                v.push(Variant { arch, cpu });
            }
        }
        v
    }
}

/// Macro adjustments every wasit2 compilation gets: clang-22 treats the
/// `wasit2` OS as a WASI flavour and predefines `__wasip1__`, which is wrong
/// for us; wasit2 programs see WASI 0.2.
pub const TARGET_MACRO_FLAGS: [&str; 3] = ["-U__wasip1__", "-D__wasip2__", "-D__wasit2__"];

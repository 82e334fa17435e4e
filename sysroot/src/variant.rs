//! What one sysroot build produces: an architecture and a CPU feature level.
use wasit2_abi::Arch;

/// CPU feature level of a libc build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cpu {
    /// clang-22's default features (bulk memory, sign-ext, multivalue, ...).
    Default,
    /// `-mcpu=mvp`: runs on old runtimes such as the 2020 WAMR.
    Mvp,
    /// `-mcpu=lime1`: the Lime1 feature set (mutable-globals,
    /// bulk-memory-opt, multivalue, sign-ext, nontrapping-fptoint,
    /// extended-const, call-indirect-overlong) that current embedded
    /// runtimes (WAMR built with Lime1) target.
    Lime1,
}

impl Cpu {
    pub const ALL: [Cpu; 3] = [Cpu::Default, Cpu::Mvp, Cpu::Lime1];
    pub fn name(self) -> &'static str {
        match self {
            Cpu::Default => "default",
            Cpu::Mvp => "mvp",
            Cpu::Lime1 => "lime1",
        }
    }

    /// The target-name suffix (`-mvp`, `-lime1`) that selects this CPU;
    /// none for clang's defaults.
    pub fn suffix(self) -> Option<&'static str> {
        match self {
            Cpu::Default => None,
            Cpu::Mvp => Some("mvp"),
            Cpu::Lime1 => Some("lime1"),
        }
    }

    /// The CPU a target name or multiarch lib dir name
    /// (`wasm32-wasit2-lime1`) selects: its last `-` component, when that
    /// names a CPU; clang's defaults otherwise.
    pub fn of_target(target: &str) -> Cpu {
        match target.rsplit_once('-').map(|(_, last)| last) {
            Some("mvp") => Cpu::Mvp,
            Some("lime1") => Cpu::Lime1,
            _ => Cpu::Default,
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
    /// name clang derives from it (`<arch>-<os>[-<environment>]`). The CPU
    /// variants are selected through the environment component so that one
    /// flag, `--target=wasm32-wasit2-mvp` (or `-lime1`), picks both
    /// `-mcpu=mvp` (from its config file) and `lib/wasm32-wasit2-mvp`.
    pub fn target(self) -> String {
        match self.cpu.suffix() {
            None => self.arch.triple().to_string(),
            Some(s) => format!("{}-{s}", self.arch.triple()),
        }
    }

    /// The normalized triple clang prints and uses for config-file lookup.
    pub fn normalized_triple(self) -> String {
        let base = format!("{}-unknown-wasit2", self.arch.name());
        match self.cpu.suffix() {
            None => base,
            Some(s) => format!("{base}-{s}"),
        }
    }

    /// Flags that select code generation for this variant.
    pub fn codegen_flags(self) -> Vec<String> {
        let mut f = vec![format!("--target={}", self.arch.triple())];
        if let Some(cpu) = self.cpu.suffix() {
            f.push(format!("-mcpu={cpu}"));
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

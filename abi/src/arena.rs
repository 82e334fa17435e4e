//! Placement of lists in a caller-supplied arena (see `docs/abi.md`).

/// Bump layout of lists in one call's arena. Offsets are relative to the
/// arena start, which the caller aligned to `BufferAbi::arena_align`, so the
/// layout and the required size do not depend on the arena's address.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArenaLayout {
    used: usize,
}

impl ArenaLayout {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reserves `size` bytes aligned to `align` (a power of two) and returns
    /// their offset, or `None` on arithmetic overflow.
    pub fn alloc(&mut self, size: usize, align: usize) -> Option<usize> {
        debug_assert!(align.is_power_of_two());
        let start = self.used.checked_add(align - 1)? & !(align - 1);
        self.used = start.checked_add(size)?;
        Some(start)
    }

    /// Bytes used so far, padding included: the required arena size once the
    /// whole result has been laid out.
    pub fn used(&self) -> usize {
        self.used
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_each_array() {
        let mut a = ArenaLayout::new();
        assert_eq!(a.alloc(3, 1), Some(0));
        assert_eq!(a.alloc(16, 8), Some(8));
        assert_eq!(a.alloc(5, 1), Some(24));
        assert_eq!(a.used(), 29);
        assert_eq!(a.alloc(usize::MAX, 1), None);
    }
}

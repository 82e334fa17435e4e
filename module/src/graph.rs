//! Who calls whom, and the shortest call path from an entry point.

use std::collections::VecDeque;

/// Who calls whom, by absolute function index (imports first).
#[derive(Debug, Default, Clone)]
pub struct CallGraph {
    pub num_imported: u32,
    /// Direct callees (and `ref.func` targets) of each function, sorted;
    /// empty for imports.
    pub callees: Vec<Vec<u32>>,
    /// Functions that contain `call_indirect`.
    pub calls_indirect: Vec<bool>,
    /// Functions placed in tables (reachable through `call_indirect`).
    pub table: Vec<u32>,
    /// Exported functions and the start function.
    pub roots: Vec<u32>,
}

impl CallGraph {
    /// Functions that reference `target` directly, in index order.
    pub fn callers_of(&self, target: u32) -> Vec<u32> {
        (0..self.callees.len() as u32)
            .filter(|&f| self.callees[f as usize].binary_search(&target).is_ok())
            .collect()
    }

    /// Whether `target` is in a table, so it may be called indirectly.
    pub fn in_table(&self, target: u32) -> bool {
        self.table.binary_search(&target).is_ok()
    }

    /// Everything `f` may call next, with whether it is through a table.
    fn successors(&self, f: u32) -> impl Iterator<Item = (u32, bool)> + '_ {
        let direct = self
            .callees
            .get(f as usize)
            .into_iter()
            .flatten()
            .map(|&c| (c, false));
        let indirect = self
            .calls_indirect
            .get(f as usize)
            .copied()
            .unwrap_or(false)
            .then_some(self.table.iter().map(|&c| (c, true)))
            .into_iter()
            .flatten();
        direct.chain(indirect)
    }

    /// A shortest call path from an export (or the start function) to
    /// `target`, both ends included, each step with whether it is entered
    /// through a table (`call_indirect`); `None` if no entry reaches it.
    pub fn path_to(&self, target: u32) -> Option<Vec<(u32, bool)>> {
        let n = self.callees.len().max(target as usize + 1);
        let mut parent: Vec<Option<(u32, bool)>> = vec![None; n];
        let mut seen = vec![false; n];
        let mut queue = VecDeque::new();
        for &r in &self.roots {
            if (r as usize) < n && !seen[r as usize] {
                seen[r as usize] = true;
                queue.push_back(r);
            }
        }
        while let Some(f) = queue.pop_front() {
            if f == target {
                let mut path = Vec::new();
                let mut cur = f;
                while let Some((p, via_table)) = parent[cur as usize] {
                    path.push((cur, via_table));
                    cur = p;
                }
                path.push((cur, false));
                path.reverse();
                return Some(path);
            }
            for (next, via_table) in self.successors(f) {
                if (next as usize) < n && !seen[next as usize] {
                    seen[next as usize] = true;
                    parent[next as usize] = Some((f, via_table));
                    queue.push_back(next);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortest_path_follows_direct_and_indirect_calls() {
        // 0: import; 1: export calling 2 and 3; 2 calls 0; 3 calls indirect; 4 in table calls 0.
        let g = CallGraph {
            num_imported: 1,
            callees: vec![vec![], vec![2, 3], vec![0], vec![], vec![0]],
            calls_indirect: vec![false, false, false, true, false],
            table: vec![4],
            roots: vec![1],
        };
        assert_eq!(g.path_to(0), Some(vec![(1, false), (2, false), (0, false)]));
        assert_eq!(g.path_to(4), Some(vec![(1, false), (3, false), (4, true)]));
        assert_eq!(g.callers_of(0), vec![2, 4]);
        assert!(g.in_table(4) && !g.in_table(2));
        let unreachable = CallGraph { roots: vec![], ..g };
        assert_eq!(unreachable.path_to(0), None);
    }
}

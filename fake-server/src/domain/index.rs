//! Secondary indexes over the cloud's servers, so a filtered listing page costs what it returns
//! rather than the size of the cloud.
//!
//! * **By vm_state**: the creation sequence numbers of the live servers in each vm_state, so a
//!   `?status=` (or admin `?vm_state=`) page walks only servers that can match.
//! * **Latest update per block**: for each block of [`BLOCK`] sequence numbers (one array for
//!   live servers, one for tombstones), an upper bound of their `updated_unix`, so a `?changes-since=` page skips
//!   whole blocks that changed before the cut-off. A bound is only ever raised, so it stays an
//!   upper bound whatever happens to the servers under it.
//!
//! Changes made through `&mut Server` handed out by the cloud are recorded as *dirty* (with the
//! vm_state the index holds) and re-indexed before the next read.

use std::collections::{BTreeSet, HashMap};

use super::state::VmState;

/// Sequence numbers per block of the update bound.
pub(crate) const BLOCK: u64 = 64;

/// The indexes; see the module docs.
#[derive(Debug, Default)]
pub(crate) struct Index {
    by_vm: HashMap<VmState, BTreeSet<u64>>,
    live: Bounds,
    dead: Bounds,
    dirty: Vec<(u64, Option<VmState>)>,
}

/// An upper bound of `updated_unix` per block of [`BLOCK`] sequence numbers.
#[derive(Debug, Default)]
pub(crate) struct Bounds(Vec<i64>);

impl Bounds {
    /// Raises the bound of `seq`'s block to `updated`.
    fn raise(&mut self, seq: u64, updated: i64) {
        let block = usize::try_from(seq / BLOCK).unwrap_or(usize::MAX);
        if block >= self.0.len() {
            self.0.resize(block + 1, i64::MIN);
        }
        let hi = &mut self.0[block];
        *hi = (*hi).max(updated);
    }

    /// The end (exclusive) of the next range of sequence numbers below `end` that may hold a
    /// server updated at or after `since`; the range starts at that end's block start. `None`
    /// when no block below `end` does.
    pub(crate) fn recent_end(&self, end: u64, since: i64) -> Option<u64> {
        let mut end = end.min(self.0.len() as u64 * BLOCK);
        while end > 0 {
            let block = (end - 1) / BLOCK;
            if self.0[usize::try_from(block).ok()?] >= since {
                return Some(end);
            }
            end = block * BLOCK;
        }
        None
    }
}

impl Index {
    /// Indexes a new live server.
    pub(crate) fn add(&mut self, seq: u64, vm: Option<&VmState>, updated: i64) {
        if let Some(vm) = vm {
            self.by_vm.entry(vm.clone()).or_default().insert(seq);
        }
        self.raise(seq, updated);
    }

    /// Forgets a live server's vm_state entry (it was destroyed or changed state).
    pub(crate) fn remove(&mut self, seq: u64, vm: Option<&VmState>) {
        if let Some(set) = vm.and_then(|vm| self.by_vm.get_mut(vm)) {
            set.remove(&seq);
        }
    }

    /// Raises the update bound of a live server's block to `updated`.
    pub(crate) fn raise(&mut self, seq: u64, updated: i64) {
        self.live.raise(seq, updated);
    }

    /// Raises the update bound of a tombstone's block to `updated`.
    pub(crate) fn raise_dead(&mut self, seq: u64, updated: i64) {
        self.dead.raise(seq, updated);
    }

    /// The update bounds of live servers (`false`) or tombstones (`true`).
    pub(crate) fn bounds(&self, dead: bool) -> &Bounds {
        if dead { &self.dead } else { &self.live }
    }

    /// Records that a live server, indexed under `vm`, may be changed by its holder.
    pub(crate) fn touch(&mut self, seq: u64, vm: Option<VmState>) {
        self.dirty.push((seq, vm));
    }

    /// Takes the dirty servers, having dropped their old vm_state entries; the caller
    /// re-adds each with [`Index::add`].
    pub(crate) fn take_dirty(&mut self) -> Vec<u64> {
        let dirty = std::mem::take(&mut self.dirty);
        let mut seqs = Vec::with_capacity(dirty.len());
        for (seq, vm) in dirty {
            self.remove(seq, vm.as_ref());
            seqs.push(seq);
        }
        seqs
    }

    /// Whether servers changed since the last [`Index::take_dirty`].
    pub(crate) fn is_dirty(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// The live servers in `vm`, by sequence number.
    pub(crate) fn in_state(&self, vm: &VmState) -> Option<&BTreeSet<u64>> {
        self.by_vm.get(vm)
    }

    /// Drops everything.
    pub(crate) fn clear(&mut self) {
        *self = Index::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_end_skips_blocks_updated_before_the_cut_off() {
        let mut index = Index::default();
        index.raise(3, 100); // block 0
        index.raise(BLOCK + 1, 50); // block 1: too old
        index.raise(2 * BLOCK + 5, 200); // block 2
        index.raise_dead(BLOCK + 2, 300); // a tombstone: the live bounds do not see it
        let live = index.bounds(false);
        assert_eq!(live.recent_end(u64::MAX, 100), Some(3 * BLOCK));
        assert_eq!(live.recent_end(2 * BLOCK, 100), Some(BLOCK));
        assert_eq!(live.recent_end(BLOCK, 150), None);
        assert_eq!(live.recent_end(0, i64::MIN), None);
        assert_eq!(
            index.bounds(true).recent_end(u64::MAX, 300),
            Some(2 * BLOCK)
        );
    }

    #[test]
    fn a_dirty_server_leaves_its_old_state() {
        let mut index = Index::default();
        index.add(7, Some(&VmState::Active), 1);
        index.touch(7, Some(VmState::Active));
        assert!(index.is_dirty());
        assert_eq!(index.take_dirty(), [7]);
        assert!(
            index
                .in_state(&VmState::Active)
                .is_some_and(BTreeSet::is_empty)
        );
        index.add(7, Some(&VmState::Stopped), 2);
        assert_eq!(
            index
                .in_state(&VmState::Stopped)
                .map(|s| s.iter().copied().collect::<Vec<_>>()),
            Some(vec![7])
        );
        assert!(!index.is_dirty());
    }
}

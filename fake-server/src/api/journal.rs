//! A bounded ring of received requests (method, path, query, status; never bodies or headers).

use std::collections::VecDeque;

use serde::Serialize;

/// One journal entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Entry {
    pub(crate) seq: u64,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) status: u16,
}

#[derive(Debug)]
pub(crate) struct Journal {
    cap: usize,
    next: u64,
    entries: VecDeque<Entry>,
}

impl Journal {
    pub(crate) fn new(cap: usize) -> Self {
        Journal {
            cap,
            next: 1,
            entries: VecDeque::with_capacity(cap.min(1024)),
        }
    }

    pub(crate) fn record(&mut self, method: &str, path: &str, query: &str, status: u16) {
        if self.entries.len() == self.cap {
            self.entries.pop_front();
        }
        self.entries.push_back(Entry {
            seq: self.next,
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            status,
        });
        self.next += 1;
    }

    pub(crate) fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.next = 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_journal_keeps_only_the_newest_entries() {
        let mut j = Journal::new(2);
        for i in 0..3 {
            j.record("GET", &format!("/p{i}"), "", 200);
        }
        let paths: Vec<_> = j.entries().map(|e| (e.seq, e.path.as_str())).collect();
        assert_eq!(paths, [(2, "/p1"), (3, "/p2")]);
    }
}

//! What the `?status=` checks need of the full walk, in compact form: each server's id (16
//! bytes for a UUID) and which (vm_state, task_state, status) it showed (4 bytes), sorted by id.

use crate::client::ListedServer;
use std::collections::HashMap;

/// What one server showed: its pair and status, or nothing (its policy hides them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shown {
    pub(crate) vm_state: Option<String>,
    pub(crate) task_state: Option<String>,
    pub(crate) status: Option<String>,
    /// False when the body has no `OS-EXT-STS:vm_state` (the pair is unknown).
    pub(crate) extended: bool,
}

impl Shown {
    /// `vm/task` as the filter checks print it.
    pub(crate) fn pair(&self) -> String {
        format!(
            "{}/{}",
            self.vm_state.as_deref().unwrap_or("null"),
            self.task_state.as_deref().unwrap_or("null")
        )
    }
}

/// A UUID in its canonical lower-case text form as 16 bytes; anything else kept as text.
fn uuid_bytes(id: &str) -> Option<[u8; 16]> {
    let b = id.as_bytes();
    if b.len() != 36 || [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
        return None;
    }
    let mut out = [0u8; 16];
    let mut digits = b.iter().filter(|c| **c != b'-');
    for byte in &mut out {
        let mut v = 0u8;
        for _ in 0..2 {
            let c = *digits.next()?;
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                _ => return None, // upper case or not hex: kept as text, so it prints back exactly
            };
            v = v * 16 + d;
        }
        *byte = v;
    }
    Some(out)
}

fn uuid_text(b: &[u8; 16]) -> String {
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A set of server ids, compact: UUIDs as bytes, other ids as text.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdSet {
    uuids: Vec<[u8; 16]>,
    others: Vec<Box<str>>,
    sorted: bool,
}

impl IdSet {
    pub(crate) fn insert(&mut self, id: &str) {
        match uuid_bytes(id) {
            Some(u) => self.uuids.push(u),
            None => self.others.push(id.into()),
        }
        self.sorted = false;
    }

    /// Sorts and deduplicates; call once every id is in.
    pub(crate) fn seal(&mut self) {
        self.uuids.sort_unstable();
        self.uuids.dedup();
        self.others.sort_unstable();
        self.others.dedup();
        self.sorted = true;
    }

    #[cfg(test)]
    pub(crate) fn contains(&self, id: &str) -> bool {
        debug_assert!(self.sorted);
        match uuid_bytes(id) {
            Some(u) => self.uuids.binary_search(&u).is_ok(),
            None => self.others.binary_search_by(|o| (**o).cmp(id)).is_ok(),
        }
    }

    /// Every id, as text.
    pub(crate) fn iter(&self) -> impl Iterator<Item = String> + '_ {
        self.uuids
            .iter()
            .map(uuid_text)
            .chain(self.others.iter().map(|o| o.to_string()))
    }
}

/// Every server of the full walk: id and what it showed.
#[derive(Debug, Clone, Default)]
pub(crate) struct WalkIndex {
    shown: Vec<Shown>,
    by_key: HashMap<String, u32>,
    key: String,
    uuids: Vec<([u8; 16], u32)>,
    others: Vec<(Box<str>, u32)>,
}

impl WalkIndex {
    /// Records a server of the walk.
    pub(crate) fn push(&mut self, id: &str, server: &ListedServer<'_>) {
        // One reusable key buffer: no allocation per server once its showing is known.
        self.key.clear();
        for part in [server.vm(), server.task(), server.status.get()] {
            self.key.push_str(part.unwrap_or("\0"));
            self.key.push('\u{1}');
        }
        self.key
            .push(if server.vm_state.is_some() { 'x' } else { 'h' });
        let at = match self.by_key.get(self.key.as_str()) {
            Some(at) => *at,
            None => {
                let at = u32::try_from(self.shown.len()).unwrap_or(u32::MAX);
                self.shown.push(Shown {
                    vm_state: server.vm().map(str::to_owned),
                    task_state: server.task().map(str::to_owned),
                    status: server.status.get().map(str::to_owned),
                    extended: server.vm_state.is_some(),
                });
                self.by_key.insert(self.key.clone(), at);
                at
            }
        };
        match uuid_bytes(id) {
            Some(u) => self.uuids.push((u, at)),
            None => self.others.push((id.into(), at)),
        }
    }

    /// Sorts by id; call once the walk is over.
    pub(crate) fn seal(&mut self) {
        self.uuids.sort_unstable_by_key(|e| e.0);
        self.others.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    }

    /// What server `id` showed in the walk, if the walk saw it.
    pub(crate) fn get(&self, id: &str) -> Option<&Shown> {
        let at = match uuid_bytes(id) {
            Some(u) => self
                .uuids
                .binary_search_by_key(&u, |e| e.0)
                .ok()
                .map(|i| self.uuids[i].1),
            None => self
                .others
                .binary_search_by(|e| (*e.0).cmp(id))
                .ok()
                .map(|i| self.others[i].1),
        }?;
        self.shown.get(at as usize)
    }

    /// Every server whose showing satisfies `pick` but which `returned` lacks, with what it
    /// showed.
    pub(crate) fn missing_from(
        &self,
        pick: impl Fn(&Shown) -> bool,
        returned: &IdSet,
    ) -> Vec<(String, &Shown)> {
        let wanted: Vec<bool> = self.shown.iter().map(pick).collect();
        let keep = |at: u32| wanted.get(at as usize).copied().unwrap_or(false);
        let uuids = self
            .uuids
            .iter()
            .filter(|(u, at)| keep(*at) && returned.uuids.binary_search(u).is_err())
            .map(|(u, at)| (uuid_text(u), &self.shown[*at as usize]));
        let others = self
            .others
            .iter()
            .filter(|(id, at)| {
                keep(*at) && returned.others.binary_search_by(|o| o.cmp(id)).is_err()
            })
            .map(|(id, at)| (id.to_string(), &self.shown[*at as usize]));
        uuids.chain(others).collect()
    }

    /// Servers recorded.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.uuids.len() + self.others.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Text;

    fn shown(vm: &'static str, status: &'static str) -> ListedServer<'static> {
        ListedServer {
            status: Text(Some(status.into())),
            vm_state: Some(Text(Some(vm.into()))),
            task_state: Some(Text(None)),
            ..ListedServer::default()
        }
    }

    #[test]
    fn uuids_round_trip_and_other_ids_stay_text() {
        let id = "8a1c5b7e-0000-4000-8000-00000000000f";
        assert_eq!(uuid_text(&uuid_bytes(id).unwrap()), id);
        assert_eq!(uuid_bytes("8A1C5B7E-0000-4000-8000-00000000000F"), None);
        assert_eq!(uuid_bytes("s1"), None);
        let mut set = IdSet::default();
        for id in [id, "s1", id] {
            set.insert(id);
        }
        set.seal();
        assert!(set.contains(id) && set.contains("s1") && !set.contains("s2"));
        assert_eq!(set.iter().collect::<Vec<_>>(), [id, "s1"]);
    }

    #[test]
    fn the_index_answers_what_each_server_showed_and_selects_by_it() {
        let mut index = WalkIndex::default();
        let a = "00000000-0000-4000-8000-000000000002";
        let b = "00000000-0000-4000-8000-000000000001";
        index.push(a, &shown("active", "ACTIVE"));
        index.push(b, &shown("stopped", "SHUTOFF"));
        index.push("odd-id", &shown("active", "ACTIVE"));
        index.seal();
        assert_eq!(index.len(), 3);
        assert_eq!(index.shown.len(), 2, "one entry per distinct showing");
        assert_eq!(
            index.get(b).and_then(|s| s.status.as_deref()),
            Some("SHUTOFF")
        );
        assert_eq!(index.get("nope"), None);
        let mut returned = IdSet::default();
        returned.insert(a);
        returned.seal();
        let missing: Vec<String> = index
            .missing_from(|s| s.vm_state.as_deref() == Some("active"), &returned)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(missing, ["odd-id"]);
    }
}

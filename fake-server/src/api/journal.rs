//! A bounded ring of received requests: method, path, query, status, the server the path
//! names, a fingerprint of the token, and what a server GET or a listing served. Never bodies,
//! headers or tokens.

use std::collections::VecDeque;

use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};
use sha2::{Digest, Sha256};

/// Entries kept by default: a whole conformance run (about 1,200 cases, a few requests each,
/// plus every poll of every wait case) fits many times over.
pub const DEFAULT_JOURNAL_CAPACITY: usize = 200_000;

/// What one server GET served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Served {
    pub(crate) status: String,
    pub(crate) vm_state: Option<String>,
    pub(crate) task_state: Option<String>,
}

/// The ids a listing served, in order; UUID-shaped ids are held as 16 bytes each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ListedIds {
    Uuids(Box<[u128]>),
    Strings(Box<[String]>),
}

impl ListedIds {
    pub(crate) fn new<'a>(ids: impl IntoIterator<Item = &'a str>) -> Self {
        let ids: Vec<&str> = ids.into_iter().collect();
        let packed: Option<Vec<u128>> = ids.iter().map(|id| pack_uuid(id)).collect();
        match packed {
            Some(p) => ListedIds::Uuids(p.into()),
            None => ListedIds::Strings(ids.iter().map(|s| (*s).to_owned()).collect()),
        }
    }
}

/// `8-4-4-4-12` lower-case hex as a number (`None` for any other shape, so it round-trips).
fn pack_uuid(id: &str) -> Option<u128> {
    let b = id.as_bytes();
    let dashes = [8, 13, 18, 23];
    if b.len() != 36 || dashes.iter().any(|&i| b[i] != b'-') {
        return None;
    }
    // Lower-case hex only, so that unpacking gives the same text back.
    b.iter()
        .enumerate()
        .filter(|(i, _)| !dashes.contains(i))
        .map(|(_, c)| c)
        .try_fold(0u128, |acc, c| {
            let digit = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                _ => return None,
            };
            Some(acc << 4 | u128::from(digit))
        })
}

fn unpack_uuid(v: u128) -> String {
    let h = format!("{v:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

impl Serialize for ListedIds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ListedIds::Uuids(ids) => {
                let mut seq = s.serialize_seq(Some(ids.len()))?;
                for id in ids.iter() {
                    seq.serialize_element(&unpack_uuid(*id))?;
                }
                seq.end()
            }
            ListedIds::Strings(ids) => s.collect_seq(ids.iter()),
        }
    }
}

/// The first 16 hex digits of the SHA-256 of a token: enough to tell tokens apart, useless
/// for logging in.
pub(crate) fn token_fingerprint(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// What the handler of one request observed, for its journal entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Observed {
    pub(crate) served: Option<Served>,
    pub(crate) listed: Option<ListedIds>,
}

/// One journal entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Entry {
    pub(crate) seq: u64,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) status: u16,
    pub(crate) server_id: Option<String>,
    pub(crate) token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) served: Option<Served>,
    #[serde(rename = "servers", skip_serializing_if = "Option::is_none")]
    pub(crate) listed: Option<ListedIds>,
}

/// The request side of an entry (the journal assigns `seq`).
#[derive(Debug, Clone)]
pub(crate) struct Request<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
    pub(crate) token: Option<&'a str>,
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
            cap: cap.max(1),
            next: 1,
            entries: VecDeque::with_capacity(cap.clamp(1, 1024)),
        }
    }

    pub(crate) fn record(&mut self, req: &Request<'_>, status: u16, observed: Observed) {
        if self.entries.len() == self.cap {
            self.entries.pop_front();
        }
        self.entries.push_back(Entry {
            seq: self.next,
            method: req.method.to_owned(),
            path: req.path.to_owned(),
            query: req.query.to_owned(),
            status,
            server_id: server_id_in(req.path).map(str::to_owned),
            token: req.token.map(token_fingerprint),
            served: observed.served,
            listed: observed.listed,
        });
        self.next += 1;
    }

    /// Entries with a sequence number above `after` (all with `0`), oldest first.
    pub(crate) fn after(&self, after: u64) -> impl Iterator<Item = &Entry> {
        // Sequence numbers are consecutive, so the start is found without a scan.
        let first = self.entries.front().map_or(0, |e| e.seq);
        let skip =
            usize::try_from(after.saturating_add(1).saturating_sub(first)).unwrap_or(usize::MAX);
        self.entries.iter().skip(skip)
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.next = 1;
    }
}

/// The server id a path names: Nova `/compute/v2.1[/{project}]/servers/{id}[/…]`, ECS
/// `/v1/{project}/cloudservers/{id}`, the control plane's `/_fake/servers/{id}`.
pub(crate) fn server_id_in(path: &str) -> Option<&str> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let pos = segs
        .iter()
        .position(|s| *s == "servers" || *s == "cloudservers")?;
    let id = *segs.get(pos + 1)?;
    (id != "detail").then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str) -> Request<'_> {
        Request {
            method: "GET",
            path,
            query: "",
            token: None,
        }
    }

    #[test]
    fn the_journal_keeps_only_the_newest_entries_and_reads_after_a_seq() {
        let mut j = Journal::new(2);
        let paths = ["/p0", "/p1", "/p2"];
        for p in paths {
            j.record(&get(p), 200, Observed::default());
        }
        let seen = |after| -> Vec<(u64, String)> {
            j.after(after).map(|e| (e.seq, e.path.clone())).collect()
        };
        assert_eq!(seen(0), [(2, "/p1".to_owned()), (3, "/p2".to_owned())]);
        assert_eq!(seen(2), [(3, "/p2".to_owned())]);
        assert_eq!(seen(3), []);
    }

    #[test]
    fn server_ids_come_from_nova_ecs_and_control_paths() {
        let id = "8a1c5b7e-0000-4000-8000-000000000001";
        assert_eq!(
            server_id_in(&format!("/compute/v2.1/servers/{id}/action")),
            Some(id)
        );
        assert_eq!(server_id_in(&format!("/v1/p/cloudservers/{id}")), Some(id));
        assert_eq!(server_id_in(&format!("/_fake/servers/{id}")), Some(id));
        assert_eq!(server_id_in("/compute/v2.1/servers/detail"), None);
        assert_eq!(server_id_in("/compute/v2.1/servers"), None);
    }

    #[test]
    fn listed_ids_round_trip_compactly() {
        let ids = [
            "8a1c5b7e-0000-4000-8000-000000000001",
            "0a1c5b7e-0000-4000-8000-00000000000f",
        ];
        let listed = ListedIds::new(ids);
        assert!(matches!(listed, ListedIds::Uuids(_)));
        assert_eq!(
            serde_json::to_value(&listed).unwrap(),
            serde_json::json!(ids)
        );
        let odd = ListedIds::new(["not-a-uuid"]);
        assert_eq!(
            serde_json::to_value(&odd).unwrap(),
            serde_json::json!(["not-a-uuid"])
        );
    }

    #[test]
    fn fingerprints_are_16_hex_of_sha256() {
        // sha256("abc") = ba7816bf8f01cfea…
        assert_eq!(token_fingerprint("abc"), "ba7816bf8f01cfea");
    }
}

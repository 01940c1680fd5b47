//! Small `Serialize` helpers for typed response views: timestamps, hrefs and empty containers
//! written straight into the output buffer, without intermediate `String`s or `Value` maps.
//!
//! Views serialize their fields in byte order of the key names, which is the order
//! `serde_json::Map` (a `BTreeMap` here: no `preserve_order`) used when bodies were built as
//! `Value`s, so the bytes stay the same.

use std::fmt;

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::http::ApiResponse;
use crate::domain::Server;

/// A server's `OS-EXT-STS:` fields (power, task and vm state), in the same place in Nova's and
/// ECS's bodies: each view flattens it between its `OS-EXT-AZ:` and later keys.
#[derive(Debug, serde::Serialize)]
pub(crate) struct ExtSts<'a> {
    #[serde(rename = "OS-EXT-STS:power_state")]
    power_state: Option<i64>,
    #[serde(rename = "OS-EXT-STS:task_state")]
    task_state: Option<&'a str>,
    #[serde(rename = "OS-EXT-STS:vm_state")]
    vm_state: Option<&'a str>,
}

impl<'a> ExtSts<'a> {
    pub(crate) fn of(s: &'a Server) -> Self {
        ExtSts {
            power_state: s.power_state,
            task_state: s.task_state.as_ref().map(|t| t.as_str()),
            vm_state: s.vm_state.as_ref().map(|v| v.as_str()),
        }
    }
}

/// A Unix time written as Nova's `2024-01-02T03:04:05Z`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Iso(pub(crate) i64);

/// A Unix time written as Nova's `launched_at`: `2024-01-02T03:04:05.000000` (no zone).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Micros(pub(crate) i64);

fn civil(unix: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(unix, 0).unwrap_or_default()
}

fn write_civil(f: &mut fmt::Formatter<'_>, t: DateTime<Utc>) -> fmt::Result {
    write!(
        f,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

impl fmt::Display for Iso {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_civil(f, civil(self.0))?;
        f.write_str("Z")
    }
}

impl fmt::Display for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_civil(f, civil(self.0))?;
        f.write_str(".000000")
    }
}

macro_rules! serialize_via_display {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    )*};
}

/// String pieces concatenated on output (an href or a derived name), never allocated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cat<'a, const N: usize>(pub(crate) [&'a str; N]);

impl<const N: usize> fmt::Display for Cat<'_, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|p| f.write_str(p))
    }
}

serialize_via_display!(Iso, Micros);

impl<const N: usize> Serialize for Cat<'_, N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `{"href": …, "rel": …}`.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Link<'a> {
    pub(crate) href: Cat<'a, 3>,
    pub(crate) rel: &'static str,
}

/// `{}`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EmptyObject;

impl Serialize for EmptyObject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_map(Some(0))?.end()
    }
}

/// `[]`.
pub(crate) const EMPTY_LIST: &[u8] = &[];

/// Key/value pairs written as a JSON object with sorted keys (the last duplicate wins).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SortedPairs<'a>(pub(crate) &'a [(String, String)]);

impl Serialize for SortedPairs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sorted: std::collections::BTreeMap<&str, &str> = self
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut m = s.serialize_map(Some(sorted.len()))?;
        for (k, v) in sorted {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A JSON response serialized from a typed view into a buffer of `capacity` bytes.
pub(crate) fn typed_json<T: Serialize>(status: u16, body: &T, capacity: usize) -> ApiResponse {
    let mut buf = Vec::with_capacity(capacity);
    match serde_json::to_writer(&mut buf, body) {
        Ok(()) => ApiResponse::json_bytes(status, buf),
        // Views hold only strings, numbers and maps with string keys: this cannot fail.
        Err(e) => super::error::nova_error(500, format!("failed to serialize a response: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_match_the_chrono_formats_nova_uses() {
        let t = 1_700_000_000;
        let chrono_iso = civil(t).format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let chrono_micros = civil(t).format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
        assert_eq!(Iso(t).to_string(), chrono_iso);
        assert_eq!(Micros(t).to_string(), chrono_micros);
        assert_eq!(Iso(t).to_string(), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn pieces_escape_like_strings_and_pairs_sort_with_the_last_duplicate_winning() {
        let href = serde_json::to_string(&Cat(["http://h", "/a\"b"])).unwrap();
        assert_eq!(href, r#""http://h/a\"b""#);
        let pairs = [
            ("b".to_owned(), "1".to_owned()),
            ("a".to_owned(), "2".to_owned()),
            ("b".to_owned(), "3".to_owned()),
        ];
        let obj = serde_json::to_string(&SortedPairs(&pairs)).unwrap();
        assert_eq!(obj, r#"{"a":"2","b":"3"}"#);
        assert_eq!(serde_json::to_string(&EmptyObject).unwrap(), "{}");
        assert_eq!(serde_json::to_string(EMPTY_LIST).unwrap(), "[]");
    }
}

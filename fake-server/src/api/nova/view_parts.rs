//! The small pieces of a server view: nested objects and values written from numbers or
//! borrowed strings without allocating.

use std::fmt;

use serde::Serialize;

use super::super::render::{Iso, Link};

#[derive(Debug, Serialize)]
pub(crate) struct SecurityGroup<'a> {
    pub(crate) name: &'a str,
}

#[derive(Debug, Serialize)]
pub(crate) struct FaultView<'a> {
    pub(crate) code: u16,
    pub(crate) created: Iso,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) details: Option<&'a str>,
    pub(crate) message: &'a str,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum ImageView<'a> {
    Linked { id: &'a str, links: [Link<'a>; 1] },
    None(&'static str),
}

#[derive(Debug, Serialize)]
pub(crate) struct Addresses {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) private: Option<[Address; 1]>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Address {
    #[serde(rename = "OS-EXT-IPS-MAC:mac_addr")]
    pub(crate) mac: Mac,
    #[serde(rename = "OS-EXT-IPS:type")]
    pub(crate) kind: &'static str,
    pub(crate) addr: Ip,
    pub(crate) version: u8,
}

macro_rules! display_string {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    )*};
}

/// `instance-0000002a`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hex8(pub(crate) u64);

/// `fa:16:3e:00:XX:YY` from the server's sequence number.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mac(pub(crate) u64);

/// `10.0.0.N` from the server's sequence number.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ip(pub(crate) u64);

/// The first 28 hex digits of the project's stable host id, or `""` when unscheduled.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HostId(pub(crate) Option<(u64, u64)>);

/// Nova's hostname sanitisation, simplified: lower-case alphanumerics and hyphens.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hostname<'a>(pub(crate) &'a str);

display_string!(Hex8, Mac, Ip, HostId, Hostname<'_>);

impl fmt::Display for Hex8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "instance-{:08x}", self.0)
    }
}

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        write!(f, "fa:16:3e:00:{:02x}:{:02x}", (s >> 8) & 0xff, s & 0xff)
    }
}

impl fmt::Display for Ip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "10.0.0.{}", self.0 % 250 + 2)
    }
}

impl fmt::Display for HostId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some((a, b)) => write!(f, "{a:016x}{:012x}", b >> 16),
            None => Ok(()),
        }
    }
}

impl fmt::Display for Hostname<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        let mapped = || {
            self.0.chars().map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
        };
        let Some(start) = mapped().position(|c| c != '-') else {
            return f.write_str("server");
        };
        let trailing = mapped().rev().position(|c| c != '-').unwrap_or(0);
        let end = self.0.chars().count() - trailing;
        mapped()
            .take(end)
            .skip(start)
            .take(63)
            .try_for_each(|c| f.write_char(c))
    }
}

//! A bounded cache of rendered server bodies, so polling the same servers costs a copy.
//!
//! An entry is reused only when *every* input of the view is equal: the whole [`Server`]
//! record (states, name, fault, timestamps, metadata, …), the derived status, the
//! microversion, the caller's role, show or listing, and the base URL. Servers in a walk are never cached, since
//! their `progress` depends on the clock. The cache holds at most [`MAX_ENTRIES`] bodies and is
//! emptied when full, so memory stays flat whatever the traffic.

use std::collections::HashMap;

use super::view::{DETAIL_BYTES, Detail, ViewCtx};
use crate::domain::{Server, Status};

/// Most bodies kept (about 2.5 KB each, plus a copy of the server record).
pub(crate) const MAX_ENTRIES: usize = 8192;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    seq: u64,
    minor: u32,
    is_admin: bool,
    listing: bool,
}

#[derive(Debug)]
struct Entry {
    server: Server,
    status: Status,
    base: String,
    body: Vec<u8>,
}

/// Rendered `Detail` bodies by server, microversion and role.
#[derive(Debug, Default)]
pub(crate) struct RenderCache {
    entries: HashMap<Key, Entry>,
    enabled: bool,
}

impl RenderCache {
    /// An empty cache; a disabled one renders every time.
    pub(crate) fn new(enabled: bool) -> Self {
        RenderCache {
            entries: HashMap::new(),
            enabled,
        }
    }

    /// Appends the detailed body of `s` to `out`, from the cache when every input matches.
    pub(crate) fn write_detail(
        &mut self,
        s: &Server,
        status: &Status,
        ctx: ViewCtx<'_>,
        out: &mut Vec<u8>,
    ) {
        if !self.enabled || s.walk.is_some() {
            render(s, status, ctx, out);
            return;
        }
        let key = Key {
            seq: s.seq,
            minor: ctx.mv.0,
            is_admin: ctx.is_admin,
            listing: ctx.listing,
        };
        if let Some(e) = self.entries.get(&key)
            && e.server == *s
            && e.status == *status
            && e.base == ctx.base
        {
            out.extend_from_slice(&e.body);
            return;
        }
        let mut body = Vec::with_capacity(DETAIL_BYTES);
        render(s, status, ctx, &mut body);
        out.extend_from_slice(&body);
        if self.entries.len() >= MAX_ENTRIES && !self.entries.contains_key(&key) {
            self.entries.clear();
        }
        self.entries.insert(
            key,
            Entry {
                server: s.clone(),
                status: status.clone(),
                base: ctx.base.to_owned(),
                body,
            },
        );
    }

    /// Number of cached bodies.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Drops every entry.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}

fn render(s: &Server, status: &Status, ctx: ViewCtx<'_>, out: &mut Vec<u8>) {
    // Views hold only strings, numbers and string-keyed maps: writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &Detail::new(s, status, ctx));
}

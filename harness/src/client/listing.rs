//! Paginated server listings read page by page, each server borrowed from the page's text.
//!
//! [`ComputeClient::walk_servers`] hands every page to a callback and keeps nothing, so a
//! listing of a million servers costs the memory of one page.

use super::compute::ComputeClient;
use super::compute_error::ComputeError;
use super::secret::redact_url;
use reqwest::{Method, Url};
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, de};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// A JSON value read as text when it is a string, as `None` otherwise (null, number, object…).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text<'a>(pub Option<Cow<'a, str>>);

impl<'a> Text<'a> {
    /// The string, if the value was one.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

struct TextVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
    type Value = Text<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Borrowed(v))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_owned()))))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v))))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor(PhantomData))
    }
}

fn shown<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Option<Text<'a>>, D::Error> {
    Text::deserialize(d).map(Some)
}

/// One server of a listing page, as far as observe mode reads it (every other field skipped).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ListedServer<'a> {
    /// `id`.
    #[serde(borrow, default)]
    pub id: Text<'a>,
    /// `status`.
    #[serde(borrow, default)]
    pub status: Text<'a>,
    /// `OS-EXT-STS:vm_state`: `None` when the body has no such field (a policy hides it).
    #[serde(
        borrow,
        default,
        rename = "OS-EXT-STS:vm_state",
        deserialize_with = "shown"
    )]
    pub vm_state: Option<Text<'a>>,
    /// `OS-EXT-STS:task_state`, like `vm_state`.
    #[serde(
        borrow,
        default,
        rename = "OS-EXT-STS:task_state",
        deserialize_with = "shown"
    )]
    pub task_state: Option<Text<'a>>,
}

impl ListedServer<'_> {
    /// `vm_state` (None when null or absent).
    pub fn vm(&self) -> Option<&str> {
        self.vm_state.as_ref().and_then(Text::get)
    }

    /// `task_state` (None when null or absent).
    pub fn task(&self) -> Option<&str> {
        self.task_state.as_ref().and_then(Text::get)
    }
}

#[derive(Deserialize)]
struct PageBody<'a> {
    #[serde(borrow)]
    servers: Option<Vec<ListedServer<'a>>>,
    #[serde(default)]
    servers_links: Value,
}

/// The body of server `index` of a listing page, re-read from the page's text (for evidence:
/// called for a handful of servers, never for every one).
pub fn server_json(page: &str, index: usize) -> Option<String> {
    #[derive(Deserialize)]
    struct Bodies {
        servers: Vec<Value>,
    }
    let bodies: Bodies = serde_json::from_str(page).ok()?;
    bodies.servers.get(index).map(Value::to_string)
}

impl ComputeClient {
    /// `GET {collection}?{query}` (e.g. `["servers", "detail"]`), following `servers_links`
    /// `next` to the end; calls `on_page(page text, servers)` for each page and returns the
    /// number of pages.
    pub async fn walk_servers(
        &self,
        collection: &[&str],
        query: &[(&str, &str)],
        on_page: &mut (dyn FnMut(&str, &[ListedServer<'_>]) + Send),
    ) -> Result<usize, ComputeError> {
        let mut url = self.url(collection, query);
        for pages in 1..=self.max_pages() {
            let text = self.get_text(url.clone()).await?;
            let invalid = |problem: &str| ComputeError::InvalidResponse {
                method: Method::GET,
                url: redact_url(url.as_str()),
                problem: problem.to_owned(),
            };
            let page: PageBody<'_> =
                serde_json::from_str(&text).map_err(|_| invalid("the body is not a listing"))?;
            let servers = page
                .servers
                .ok_or_else(|| invalid("the body has no `servers` list"))?;
            on_page(&text, &servers);
            let next = super::server::next_href(&page.servers_links);
            match next {
                Some(href) if !servers.is_empty() => {
                    url = self.follow(collection, &url, href)?;
                }
                _ => return Ok(pages),
            }
        }
        Err(ComputeError::InvalidResponse {
            method: Method::GET,
            url: redact_url(url.as_str()),
            problem: format!("more than {} pages of servers", self.max_pages()),
        })
    }

    /// The URL of the page a `next` link names: our endpoint and collection (the link's host
    /// may be an internal name, osapi_compute_link_prefix) with the link's query.
    pub(crate) fn follow(
        &self,
        collection: &[&str],
        url: &Url,
        href: &str,
    ) -> Result<Url, ComputeError> {
        let invalid = |problem: &str| ComputeError::InvalidResponse {
            method: Method::GET,
            url: redact_url(url.as_str()),
            problem: problem.to_owned(),
        };
        let href = Url::parse(href)
            .or_else(|_| url.join(href))
            .map_err(|_| invalid("a `servers_links` next href is not a URL"))?;
        let mut next = self.url(collection, &[]);
        next.set_query(href.query());
        if next == *url {
            return Err(invalid("the `next` link points at the same page"));
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_read_borrowed_with_absent_null_and_odd_fields_told_apart() {
        let text = r#"{"servers": [
            {"id": "a", "status": "ACTIVE", "OS-EXT-STS:vm_state": "active",
             "OS-EXT-STS:task_state": null, "addresses": {"x": [1]}},
            {"id": "b", "status": 3, "OS-EXT-STS:vm_state": {"odd": true}},
            {"id": "c\u0041"}
        ], "servers_links": [{"rel": "next", "href": "http://x/servers?marker=c"}]}"#;
        let page: PageBody<'_> = serde_json::from_str(text).unwrap();
        let servers = page.servers.unwrap();
        let a = &servers[0];
        assert_eq!(
            (a.id.get(), a.status.get(), a.vm(), a.task()),
            (Some("a"), Some("ACTIVE"), Some("active"), None)
        );
        assert_eq!(a.task_state, Some(Text(None)), "null is shown");
        assert!(matches!(a.id.0, Some(Cow::Borrowed(_))));
        assert_eq!((servers[1].status.get(), servers[1].vm()), (None, None));
        assert!(servers[1].vm_state.is_some());
        assert_eq!(
            (servers[2].id.get(), &servers[2].vm_state),
            (Some("cA"), &None)
        );
        assert_eq!(
            super::super::server::next_href(&page.servers_links),
            Some("http://x/servers?marker=c")
        );
        assert_eq!(server_json(text, 2).as_deref(), Some(r#"{"id":"cA"}"#));
    }
}

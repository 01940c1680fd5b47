//! The plain request/response pair every edge converts to and from.

use std::time::Duration;

/// Largest request body the fake accepts (Nova-like limits are smaller; this one guards memory).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// An HTTP request, decoupled from any HTTP library.
///
/// ```
/// use fake_server::api::ApiRequest;
/// let req = ApiRequest::new("GET", "/compute/v2.1/servers/detail")
///     .with_query("limit=2&status=active")
///     .with_header("X-Auth-Token", "t");
/// assert_eq!(req.header("x-auth-token"), Some("t"));
/// assert_eq!(req.query_all("status"), ["active"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiRequest {
    /// Method, upper case.
    pub method: String,
    /// Path, percent-encoded as received, without the query.
    pub path: String,
    /// Raw query string without `?` (empty when absent).
    pub query: String,
    /// Headers with lower-case names.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl ApiRequest {
    /// A request with no query, headers or body.
    pub fn new(method: &str, path: &str) -> Self {
        ApiRequest {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            ..Default::default()
        }
    }

    /// Sets the raw query string.
    pub fn with_query(mut self, query: &str) -> Self {
        query.clone_into(&mut self.query);
        self
    }

    /// Adds a header (the name is lower-cased).
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        first_header(&self.headers, name)
    }

    /// Decoded query pairs in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (percent_decode(k), percent_decode(v))
            })
            .collect()
    }

    /// Every decoded value of a query parameter.
    pub fn query_all(&self, name: &str) -> Vec<String> {
        self.query_pairs()
            .into_iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v)
            .collect()
    }

    /// The last decoded value of a query parameter.
    pub fn query_last(&self, name: &str) -> Option<String> {
        self.query_all(name).pop()
    }
}

/// Decodes `%XX` escapes and `+` (as a space); invalid escapes are kept verbatim.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a query component.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An HTTP response plus what the edge must do beyond sending it.
///
/// ```
/// use fake_server::api::ApiResponse;
/// let r = ApiResponse::json(200, &serde_json::json!({"ok": true}));
/// assert_eq!(r.status, 200);
/// assert_eq!(r.header("content-type"), Some("application/json"));
/// assert!(!r.drop_connection);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiResponse {
    /// Status code.
    pub status: u16,
    /// Headers (names as they should be sent).
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Option<Duration>,
    /// Close the connection without answering (after the delay).
    pub drop_connection: bool,
}

impl ApiResponse {
    /// A JSON response.
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        ApiResponse::json_bytes(status, serde_json::to_vec(body).unwrap_or_default())
    }

    /// A JSON response from already serialised bytes.
    pub fn json_bytes(status: u16, body: Vec<u8>) -> Self {
        ApiResponse {
            status,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body,
            ..Default::default()
        }
    }

    /// A response with no body.
    pub fn empty(status: u16) -> Self {
        ApiResponse {
            status,
            ..Default::default()
        }
    }

    /// A connection drop.
    pub fn dropped() -> Self {
        ApiResponse {
            status: 0,
            drop_connection: true,
            ..Default::default()
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        first_header(&self.headers, name)
    }
}

/// The first value of header `name` (compared case-insensitively) in `headers`.
fn first_header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_handles_escapes_plus_and_garbage() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
    }

    #[test]
    fn percent_encoding_round_trips() {
        let s = "conf-1/2 x&y=z";
        assert_eq!(percent_decode(&percent_encode(s)), s);
    }
}

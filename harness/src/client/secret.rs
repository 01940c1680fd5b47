//! Secrets that never print, and URLs made safe for reports.

use std::fmt;

/// A password, token or application-credential secret.
///
/// `Debug` and `Display` print `***`, so a secret can sit inside any config or error type
/// without leaking into logs, reports or error messages. Only [`Secret::expose`] gives the
/// value, and only the code that builds a request body or header calls it.
///
/// # Examples
///
/// ```
/// use harness::client::Secret;
///
/// // Arrange
/// let secret = Secret::new("hunter2");
///
/// // Act
/// let shown = format!("{secret} {secret:?}");
///
/// // Assert
/// assert_eq!(shown, "*** ***");
/// assert_eq!(secret.expose(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value itself, for a request body or header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Query parameter names whose values are replaced by `***` in [`redact_url`].
const SECRET_PARAM_HINTS: [&str; 9] = [
    "token",
    "password",
    "passwd",
    "secret",
    "key",
    "signature",
    "credential",
    "auth",
    "session",
];

/// A URL as it may appear in a report: user info removed and token-like query values masked.
///
/// A string that does not parse as a URL is returned with everything after the first `?`
/// dropped and any `user:pass@` prefix removed, so nothing secret survives even then.
///
/// # Examples
///
/// ```
/// use harness::client::redact_url;
///
/// // Arrange
/// let url = "https://admin:hunter2@nova.example:8774/v2.1/servers?token=abc&limit=5";
///
/// // Act
/// let shown = redact_url(url);
///
/// // Assert
/// assert_eq!(shown, "https://nova.example:8774/v2.1/servers?token=***&limit=5");
/// ```
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return redact_unparsable(url);
    };
    // Setting user info fails only for URLs that cannot have any (e.g. `mailto:`), which have
    // none to remove.
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    if parsed.query().is_some() {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let lower = k.to_ascii_lowercase();
                let masked = SECRET_PARAM_HINTS.iter().any(|hint| lower.contains(hint));
                let value = if masked {
                    "***".to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), value)
            })
            .collect();
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| {
                if v == "***" {
                    format!("{}=***", encode(k))
                } else {
                    format!("{}={}", encode(k), encode(v))
                }
            })
            .collect();
        parsed.set_query(Some(&query.join("&")));
    }
    parsed.to_string()
}

fn redact_unparsable(url: &str) -> String {
    let without_query = url.split('?').next().unwrap_or_default();
    match without_query.split_once("://") {
        Some((scheme, rest)) => {
            let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
            format!("{scheme}://{rest}")
        }
        None => without_query
            .rsplit_once('@')
            .map_or(without_query, |(_, host)| host)
            .to_owned(),
    }
}

/// Percent-encodes the characters that would change a query's structure.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' | b',' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_and_display_hide_the_value() {
        let secret = Secret::new("S3CR3T-distinctive");
        let debug = format!("{:?}", Some(&secret));
        assert_eq!(debug, "Some(***)");
        assert_eq!(secret.to_string(), "***");
    }

    #[test]
    fn redact_url_strips_user_info_and_masks_secret_params() {
        let cases = [
            (
                "plain url is unchanged",
                "http://127.0.0.1:8774/compute/v2.1",
                "http://127.0.0.1:8774/compute/v2.1",
            ),
            (
                "user info is removed",
                "https://u:p@h.example/x",
                "https://h.example/x",
            ),
            (
                "token-ish params are masked, others kept",
                "http://h/s?X-Auth-Token=abc&status=ACTIVE&api_key=k",
                "http://h/s?X-Auth-Token=***&status=ACTIVE&api_key=***",
            ),
            (
                "unparsable input loses query and user info",
                "not a url://u:p@host/path?token=t",
                "not a url://host/path",
            ),
        ];
        for (name, input, expected) in cases {
            assert_eq!(redact_url(input), expected, "{name}");
        }
    }
}

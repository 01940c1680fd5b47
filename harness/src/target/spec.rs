//! Parsing `--target`.

use std::fmt;
use std::str::FromStr;

/// What `--target` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetSpec {
    /// The embedded fake server (no setup).
    Fake,
    /// A base URL: a separately started fake, or a cloud endpoint.
    Url(String),
    /// An SDK adapter command.
    Adapter(String),
}

/// `--target` is not a form the harness knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unrecognised target `{0}`: use `fake`, an http(s):// URL, or `adapter:CMD` (for example `adapter:adapters/nova/run`)"
)]
pub struct ParseTargetError(pub String);

impl FromStr for TargetSpec {
    type Err = ParseTargetError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() || s == "fake" {
            return Ok(TargetSpec::Fake);
        }
        if let Some(cmd) = s.strip_prefix("adapter:") {
            if cmd.trim().is_empty() {
                return Err(ParseTargetError(s.to_owned()));
            }
            return Ok(TargetSpec::Adapter(cmd.trim().to_owned()));
        }
        if s.starts_with("http://") || s.starts_with("https://") {
            return Ok(TargetSpec::Url(s.trim_end_matches('/').to_owned()));
        }
        Err(ParseTargetError(s.to_owned()))
    }
}

impl fmt::Display for TargetSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetSpec::Fake => f.write_str("fake (embedded)"),
            TargetSpec::Url(u) => f.write_str(&redact_userinfo(u)),
            TargetSpec::Adapter(cmd) => write!(f, "adapter:{cmd}"),
        }
    }
}

/// Removes `user:password@` from a URL so that it can go into reports.
pub(crate) fn redact_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    format!("{scheme}://{host}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_target_form() {
        let rows = [
            ("fake", TargetSpec::Fake),
            ("", TargetSpec::Fake),
            (
                "http://127.0.0.1:8774/",
                TargetSpec::Url("http://127.0.0.1:8774".into()),
            ),
            (
                "adapter:adapters/nova/run",
                TargetSpec::Adapter("adapters/nova/run".into()),
            ),
        ];
        for (input, want) in rows {
            assert_eq!(
                input.parse::<TargetSpec>().unwrap(),
                want,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn rejects_unknown_forms_with_guidance() {
        let err = "ftp://x".parse::<TargetSpec>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unrecognised target `ftp://x`: use `fake`, an http(s):// URL, or `adapter:CMD` (for example `adapter:adapters/nova/run`)"
        );
        assert!("adapter:".parse::<TargetSpec>().is_err());
    }

    #[test]
    fn display_redacts_credentials_and_query() {
        let t: TargetSpec = "https://bob:s3cret@cloud.example:8774/v2.1?token=abc"
            .parse()
            .unwrap();
        assert_eq!(t.to_string(), "https://cloud.example:8774/v2.1");
    }
}

//! Compute API microversions and the version document that advertises them.

use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// A compute API microversion such as `2.38`.
///
/// # Examples
///
/// ```
/// use harness::client::Microversion;
///
/// // Arrange
/// let low: Microversion = "2.9".parse().unwrap();
///
/// // Act
/// let high: Microversion = "2.38".parse().unwrap();
///
/// // Assert
/// assert!(low < high);
/// assert_eq!(high.to_string(), "2.38");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Microversion {
    /// Major version (always 2 for Nova v2.1).
    pub major: u32,
    /// Minor version.
    pub minor: u32,
}

impl Microversion {
    /// Builds `major.minor`.
    pub const fn new(major: u32, minor: u32) -> Self {
        Microversion { major, minor }
    }

    /// The base version, used when a cloud advertises no microversions.
    pub const BASE: Microversion = Microversion::new(2, 1);

    /// The highest microversion this client asks for unpinned: openstacksdk's
    /// `Server._max_microversion`, so the harness sees what the SDK sees.
    pub const CLIENT_MAX: Microversion = Microversion::new(2, 100);
}

impl fmt::Display for Microversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// Why a microversion string did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to parse microversion `{0}`: expected MAJOR.MINOR such as 2.38")]
pub struct ParseMicroversionError(pub String);

impl FromStr for Microversion {
    type Err = ParseMicroversionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseMicroversionError(s.to_owned());
        let (major, minor) = s.trim().split_once('.').ok_or_else(err)?;
        Ok(Microversion {
            major: major.parse().map_err(|_| err())?,
            minor: minor.parse().map_err(|_| err())?,
        })
    }
}

/// What a compute version document says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionInfo {
    /// `id`, e.g. `v2.1`.
    pub id: String,
    /// `status`, e.g. `CURRENT`.
    pub status: String,
    /// `min_version`, when advertised (an empty string means no microversions).
    pub min_version: Option<Microversion>,
    /// `version` (the maximum), when advertised.
    pub max_version: Option<Microversion>,
}

impl VersionInfo {
    /// Reads `{"version": {...}}`, or the `v2.1` entry of `{"versions": [...]}`.
    pub fn from_document(doc: &Value) -> Option<VersionInfo> {
        let entry = match (doc.get("version"), doc.get("versions")) {
            (Some(v @ Value::Object(_)), _) => v,
            (_, Some(Value::Array(list))) => list
                .iter()
                .find(|v| v.get("id").and_then(Value::as_str) == Some("v2.1"))?,
            _ => return None,
        };
        let text = |key: &str| entry.get(key).and_then(Value::as_str).unwrap_or_default();
        Some(VersionInfo {
            id: text("id").to_owned(),
            status: text("status").to_owned(),
            min_version: text("min_version").parse().ok(),
            max_version: text("version").parse().ok(),
        })
    }

    /// The microversion to use: the pin if the cloud supports it, else
    /// min(cloud maximum, [`Microversion::CLIENT_MAX`]), else 2.1.
    pub fn negotiate(&self, pinned: Option<Microversion>) -> Result<Microversion, String> {
        match (pinned, self.min_version, self.max_version) {
            (Some(pin), Some(min), Some(max)) if pin < min || pin > max => Err(format!(
                "microversion {pin} is outside the range the cloud supports ({min} to {max})"
            )),
            (Some(pin), _, _) => Ok(pin),
            (None, _, Some(max)) => Ok(max.min(Microversion::CLIENT_MAX)),
            (None, _, None) => Ok(Microversion::BASE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn negotiation_picks_pin_server_max_or_base() {
        let doc = json!({"version": {"id": "v2.1", "status": "CURRENT", "version": "2.96", "min_version": "2.1"}});
        let info = VersionInfo::from_document(&doc).unwrap();
        let cases = [
            ("no pin takes the cloud max", None, Ok("2.96")),
            ("a pin inside the range is kept", Some("2.37"), Ok("2.37")),
            (
                "a pin above the range is refused",
                Some("2.97"),
                Err("microversion 2.97 is outside the range the cloud supports (2.1 to 2.96)"),
            ),
        ];
        for (name, pin, expected) in cases {
            let pin = pin.map(|p: &str| p.parse().unwrap());
            let got = info.negotiate(pin).map(|m| m.to_string());
            assert_eq!(
                got,
                expected.map(str::to_owned).map_err(str::to_owned),
                "{name}"
            );
        }
    }

    #[test]
    fn cloud_max_above_client_max_is_capped() {
        let doc = json!({"version": {"id": "v2.1", "version": "2.104", "min_version": "2.1"}});
        let info = VersionInfo::from_document(&doc).unwrap();
        assert_eq!(info.negotiate(None).unwrap(), Microversion::new(2, 100));
    }

    #[test]
    fn document_without_microversions_gives_base() {
        let doc = json!({"versions": [{"id": "v2.0", "version": ""}, {"id": "v2.1", "version": "", "min_version": ""}]});
        let info = VersionInfo::from_document(&doc).unwrap();
        assert_eq!(info.max_version, None);
        assert_eq!(info.negotiate(None).unwrap(), Microversion::BASE);
    }

    #[test]
    fn malformed_microversions_do_not_parse() {
        for bad in ["2", "two.1", "2.x", ""] {
            assert_eq!(
                bad.parse::<Microversion>(),
                Err(ParseMicroversionError(bad.to_owned())),
                "{bad}"
            );
        }
    }
}

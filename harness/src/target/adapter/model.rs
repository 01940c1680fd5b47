//! [`StatusModel`]: what an SDK's typed model does with a server's `status`, as the adapter
//! declares it in the `start` answer (protocol v2).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `unknown` value that means "the SDK raises on a status outside `values`".
pub const RAISES: &str = "!error";

/// How an SDK types a server's status: an enum (with or without a catch-all) or a plain string.
///
/// ```
/// use harness::target::adapter::StatusModel;
///
/// // Arrange
/// let model: StatusModel = serde_json::from_str(
///     r#"{"kind":"enum","name":"Status","values":{"ACTIVE":"Active","SHUTOFF":"ShutOff"},"unknown":"Unknown"}"#,
/// ).unwrap();
///
/// // Act / Assert
/// assert_eq!(model.validate(), Ok(()));
/// assert_eq!(model.typed_for("SHUTOFF"), Some("ShutOff".to_owned()));
/// assert_eq!(model.typed_for("HIBERNATED"), Some("Unknown".to_owned()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusModel {
    /// `enum` or `string`.
    pub kind: ModelKind,
    /// The SDK's type, for reports (e.g. `openstack::compute::ServerStatus`).
    pub name: String,
    /// Raw status -> typed value, for every raw status the SDK knows (empty for a string model).
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// What a status outside `values` becomes: a typed value, `None` (passed through raw) or
    /// [`RAISES`] (the SDK raises).
    pub unknown: Option<String>,
}

/// `status_model.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// A typed enum (or constants).
    Enum,
    /// The raw string.
    String,
}

impl StatusModel {
    /// Checks that the declaration is coherent; the error is one line.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("`name` is empty".to_owned());
        }
        match self.kind {
            ModelKind::String if !self.values.is_empty() => {
                Err("a string model has no `values` (it must be {})".to_owned())
            }
            ModelKind::String if self.unknown.is_some() => Err(
                "a string model passes every status through (`unknown` must be null)".to_owned(),
            ),
            ModelKind::Enum if self.values.is_empty() => {
                Err("an enum model needs `values` (raw status -> typed value)".to_owned())
            }
            _ => match self.values.iter().find(|(_, typed)| typed.is_empty()) {
                Some((raw, _)) => Err(format!("`values.{raw}` is empty")),
                None if self.unknown.as_deref() == Some("") => {
                    Err("`unknown` is empty (use null for \"passed through raw\")".to_owned())
                }
                None => Ok(()),
            },
        }
    }

    /// The typed value the model declares for a raw status: `values[status]`, the status itself
    /// for a string model or a pass-through catch-all, the catch-all otherwise; `None` when the
    /// SDK raises on it.
    pub fn typed_for(&self, status: &str) -> Option<String> {
        if let Some(typed) = self.values.get(status) {
            return Some(typed.clone());
        }
        match (self.kind, self.unknown.as_deref()) {
            (ModelKind::String, _) | (_, None) => Some(status.to_owned()),
            (_, Some(RAISES)) => None,
            (_, Some(catch_all)) => Some(catch_all.to_owned()),
        }
    }

    /// True when a status outside `values` makes the SDK raise.
    pub fn raises_on_unknown(&self) -> bool {
        self.kind == ModelKind::Enum && self.unknown.as_deref() == Some(RAISES)
    }

    /// One line for reports, e.g. `enum openstack::ServerStatus (12 values, unknown: Unknown)`.
    pub fn summary(&self) -> String {
        match self.kind {
            ModelKind::String => format!("string {}", self.name),
            ModelKind::Enum => format!(
                "enum {} ({} values, unknown: {})",
                self.name,
                self.values.len(),
                match self.unknown.as_deref() {
                    None => "passed through raw",
                    Some(RAISES) => "raises",
                    Some(v) => v,
                }
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(json: &str) -> StatusModel {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn validation_names_the_field() {
        let rows = [
            (
                r#"{"kind":"string","name":"str","values":{"A":"a"},"unknown":null}"#,
                Err("a string model has no `values` (it must be {})".to_owned()),
            ),
            (
                r#"{"kind":"enum","name":"S","values":{},"unknown":"U"}"#,
                Err("an enum model needs `values` (raw status -> typed value)".to_owned()),
            ),
            (
                r#"{"kind":"enum","name":"S","values":{"ACTIVE":""},"unknown":"U"}"#,
                Err("`values.ACTIVE` is empty".to_owned()),
            ),
            (
                r#"{"kind":"enum","name":" ","values":{"ACTIVE":"A"},"unknown":"U"}"#,
                Err("`name` is empty".to_owned()),
            ),
            (
                r#"{"kind":"string","name":"Server.status (str)","values":{},"unknown":null}"#,
                Ok(()),
            ),
        ];
        for (json, want) in rows {
            assert_eq!(model(json).validate(), want, "{json}");
        }
    }

    #[test]
    fn typed_values_follow_the_declared_unknown() {
        let strict =
            model(r#"{"kind":"enum","name":"S","values":{"ACTIVE":"Active"},"unknown":"!error"}"#);
        assert_eq!(strict.typed_for("ACTIVE"), Some("Active".into()));
        assert_eq!(strict.typed_for("REBUILD"), None);
        assert!(strict.raises_on_unknown());
        let raw =
            model(r#"{"kind":"enum","name":"S","values":{"ACTIVE":"Active"},"unknown":null}"#);
        assert_eq!(raw.typed_for("REBUILD"), Some("REBUILD".into()));
        let string = model(r#"{"kind":"string","name":"str","values":{},"unknown":null}"#);
        assert_eq!(string.typed_for(""), Some(String::new()));
        assert_eq!(string.summary(), "string str");
        assert_eq!(strict.summary(), "enum S (1 values, unknown: raises)");
    }
}

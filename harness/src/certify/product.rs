//! `PRODUCT.yaml`: who certifies what, filled in by the vendor.
//!
//! The fields follow the Kubernetes conformance submissions (`PRODUCT.yaml` next to the logs):
//! `vendor`, `product`, `version`, `homepage`, `contact` and the `profiles` the vendor claims.
//! Every one is required and must not be empty; an unknown key is refused too, so that a typo
//! (`hompage`) does not silently leave a field out. [`TEMPLATE`] is the commented file
//! `harness certify --init PRODUCT.yaml` writes.

use serde_json::Value;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The commented template `harness certify --init` writes.
pub const TEMPLATE: &str = include_str!("PRODUCT.template.yaml");

/// A validated `PRODUCT.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// The company or project that ships the product, e.g. `Example Cloud GmbH`.
    pub vendor: String,
    /// The product's name, e.g. `example-sdk`.
    pub product: String,
    /// The product version certified, e.g. `4.1.0`.
    pub version: String,
    /// The product's homepage (`http://` or `https://`).
    pub homepage: String,
    /// Who answers questions about this certification: an email address or a URL.
    pub contact: String,
    /// The profiles claimed (built-in names, or `all`), in the vendor's order.
    pub profiles: Vec<String>,
}

/// Why a `PRODUCT.yaml` was refused. Every message names the file, and the field when there is
/// one, with its line when the field is present.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ProductError {
    /// The file.
    pub path: PathBuf,
    /// The line of the offending field, when it is in the file.
    pub line: Option<usize>,
    /// The field, when the problem is one field.
    pub field: Option<String>,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for ProductError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The fields as written, each with where it was written (a key with no value is `Null`).
type Raw = BTreeMap<String, Spanned<Value>>;

/// What each required text field is for, quoted in "missing" messages.
const FIELDS: [(&str, &str); 5] = [
    ("vendor", "the company or project that ships the product"),
    ("product", "the product's name"),
    (
        "version",
        "the product version certified, quoted, e.g. \"4.1.0\"",
    ),
    ("homepage", "the product's http(s) homepage"),
    ("contact", "an email address or URL for questions"),
];

/// Reads and validates a `PRODUCT.yaml`.
///
/// # Examples
///
/// ```
/// use harness::certify::product::{load_product, TEMPLATE};
///
/// // Arrange: the template as shipped has empty fields.
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("PRODUCT.yaml");
/// std::fs::write(&path, TEMPLATE).unwrap();
///
/// // Act
/// let err = load_product(&path).unwrap_err();
///
/// // Assert
/// assert_eq!(err.field.as_deref(), Some("vendor"));
/// assert!(err.to_string().ends_with("field `vendor`: is empty: fill in the company or project that ships the product"));
/// ```
pub fn load_product(path: &Path) -> Result<Product, ProductError> {
    let text = std::fs::read_to_string(path).map_err(|e| ProductError {
        path: path.to_owned(),
        line: None,
        field: None,
        message: format!(
            "cannot be read: {e} (`harness certify --init {}` writes a template)",
            path.display()
        ),
    })?;
    parse_product(&text, path)
}

/// Parses `PRODUCT.yaml` text; `path` is only used in errors.
pub fn parse_product(text: &str, path: &Path) -> Result<Product, ProductError> {
    let error = |line: Option<usize>, field: Option<&str>, message: String| ProductError {
        path: path.to_owned(),
        line,
        field: field.map(str::to_owned),
        message,
    };
    if text.trim().is_empty() {
        return Err(error(
            None,
            None,
            "is empty: fill in the template from `harness certify --init`".into(),
        ));
    }
    let raw: Raw = serde_saphyr::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line() as usize);
        let message = crate::yaml::plain_message(&e);
        error(
            line,
            None,
            format!("is not a valid PRODUCT.yaml: {message}"),
        )
    })?;
    if let Some((key, value)) = raw
        .iter()
        .find(|(k, _)| k.as_str() != "profiles" && !FIELDS.iter().any(|(f, _)| f == k))
    {
        let known: Vec<&str> = FIELDS.iter().map(|(f, _)| *f).chain(["profiles"]).collect();
        return Err(error(
            Some(value.referenced.line() as usize),
            Some(key),
            format!(
                "is not a PRODUCT.yaml field (the fields are {})",
                known.join(", ")
            ),
        ));
    }
    let mut texts = Vec::with_capacity(FIELDS.len());
    for (name, purpose) in FIELDS {
        texts.push(text_field(raw.get(name), name, purpose, &error)?);
    }
    let homepage_line = raw.get("homepage").map(|s| s.referenced.line() as usize);
    if !(texts[3].starts_with("https://") || texts[3].starts_with("http://")) {
        return Err(error(
            homepage_line,
            Some("homepage"),
            format!("`{}` is not an http(s):// URL", texts[3]),
        ));
    }
    let profiles = profiles_field(raw.get("profiles"), &error)?;
    let mut texts = texts.into_iter();
    let mut next = || texts.next().unwrap_or_default();
    Ok(Product {
        vendor: next(),
        product: next(),
        version: next(),
        homepage: next(),
        contact: next(),
        profiles,
    })
}

fn text_field(
    value: Option<&Spanned<Value>>,
    name: &str,
    purpose: &str,
    error: &impl Fn(Option<usize>, Option<&str>, String) -> ProductError,
) -> Result<String, ProductError> {
    let Some(spanned) = value else {
        return Err(error(
            None,
            Some(name),
            format!("is missing: add `{name}:` with {purpose}"),
        ));
    };
    let line = Some(spanned.referenced.line() as usize);
    match &spanned.value {
        Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
        Value::String(_) | Value::Null => Err(error(
            line,
            Some(name),
            format!("is empty: fill in {purpose}"),
        )),
        Value::Number(n) => Err(error(
            line,
            Some(name),
            format!(
                "must be a string: write it quoted (\"{n}\") so YAML keeps it exactly as written"
            ),
        )),
        _ => Err(error(
            line,
            Some(name),
            format!("must be a string: {purpose}"),
        )),
    }
}

fn profiles_field(
    value: Option<&Spanned<Value>>,
    error: &impl Fn(Option<usize>, Option<&str>, String) -> ProductError,
) -> Result<Vec<String>, ProductError> {
    let known = crate::case::BUILTIN_NAMES.join(", ");
    let Some(spanned) = value else {
        return Err(error(
            None,
            Some("profiles"),
            format!("is missing: list the profiles you claim ({known}, or all)"),
        ));
    };
    let line = Some(spanned.referenced.line() as usize);
    let items = match &spanned.value {
        Value::Array(items) if !items.is_empty() => items,
        Value::Array(_) | Value::Null => {
            return Err(error(
                line,
                Some("profiles"),
                format!("is empty: list at least one of {known}, or all"),
            ));
        }
        _ => {
            return Err(error(
                line,
                Some("profiles"),
                "must be a list of profile names".into(),
            ));
        }
    };
    let mut names = Vec::with_capacity(items.len());
    for item in items {
        match item.as_str().map(str::trim) {
            Some(name) if name == "all" || crate::case::BUILTIN_NAMES.contains(&name) => {
                if names.iter().any(|n| n == name) {
                    return Err(error(
                        line,
                        Some("profiles"),
                        format!("lists `{name}` twice"),
                    ));
                }
                names.push(name.to_owned());
            }
            Some(name) => {
                return Err(error(
                    line,
                    Some("profiles"),
                    format!("`{name}` is not a profile of this harness ({known}, or all)"),
                ));
            }
            None => {
                return Err(error(
                    line,
                    Some("profiles"),
                    format!("holds {item}, which is not a profile name"),
                ));
            }
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "vendor: Example Cloud\nproduct: example-sdk\nversion: \"4.1.0\"\nhomepage: https://example.com/sdk\ncontact: sdk@example.com\nprofiles: [ecs, nova]\n";

    fn parse(text: &str) -> Result<Product, ProductError> {
        parse_product(text, Path::new("b/PRODUCT.yaml"))
    }

    #[test]
    fn a_filled_in_file_reads_every_field() {
        let product = parse(GOOD).expect("valid");
        assert_eq!(
            product,
            Product {
                vendor: "Example Cloud".into(),
                product: "example-sdk".into(),
                version: "4.1.0".into(),
                homepage: "https://example.com/sdk".into(),
                contact: "sdk@example.com".into(),
                profiles: vec!["ecs".into(), "nova".into()],
            }
        );
    }

    #[test]
    fn each_problem_names_the_file_the_line_and_the_field() {
        let rows = [
            (
                GOOD.replace("contact: sdk@example.com\n", ""),
                "b/PRODUCT.yaml: field `contact`: is missing: add `contact:` with an email address or URL for questions",
            ),
            (
                GOOD.replace("sdk@example.com", "\"  \""),
                "b/PRODUCT.yaml:5: field `contact`: is empty: fill in an email address or URL for questions",
            ),
            (
                GOOD.replace("vendor: Example Cloud", "vendor:"),
                "b/PRODUCT.yaml:1: field `vendor`: is empty: fill in the company or project that ships the product",
            ),
            (
                GOOD.replace("\"4.1.0\"", "4.10"),
                "b/PRODUCT.yaml:3: field `version`: must be a string: write it quoted (\"4.1\") so YAML keeps it exactly as written",
            ),
            (
                GOOD.replace("https://example.com/sdk", "example.com"),
                "b/PRODUCT.yaml:4: field `homepage`: `example.com` is not an http(s):// URL",
            ),
            (
                GOOD.replace("[ecs, nova]", "[ecs, openstack]"),
                "b/PRODUCT.yaml:6: field `profiles`: `openstack` is not a profile of this harness (ecs, ecs-openstack, nova, or all)",
            ),
            (
                GOOD.replace("[ecs, nova]", "[]"),
                "b/PRODUCT.yaml:6: field `profiles`: is empty: list at least one of ecs, ecs-openstack, nova, or all",
            ),
            (
                GOOD.replace("[ecs, nova]", "[ecs, ecs]"),
                "b/PRODUCT.yaml:6: field `profiles`: lists `ecs` twice",
            ),
        ];
        for (text, want) in rows {
            let err = parse(&text).expect_err(want);
            assert_eq!(err.to_string(), want);
        }
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_line() {
        let err = parse(&GOOD.replace("homepage:", "hompage:")).expect_err("typo");
        assert_eq!(
            err.to_string(),
            "b/PRODUCT.yaml:4: field `hompage`: is not a PRODUCT.yaml field (the fields are vendor, product, version, homepage, contact, profiles)"
        );
    }

    #[test]
    fn the_template_names_every_field_and_is_refused_until_filled_in() {
        for (field, _) in FIELDS {
            assert!(TEMPLATE.contains(&format!("\n{field}:")), "{field}");
        }
        let err = parse(TEMPLATE).expect_err("empty fields");
        assert_eq!(err.field.as_deref(), Some("vendor"));
        let filled = TEMPLATE
            .replace("vendor: \"\"", "vendor: V")
            .replace("product: \"\"", "product: P")
            .replace("version: \"\"", "version: \"1\"")
            .replace("homepage: \"\"", "homepage: https://p.example")
            .replace("contact: \"\"", "contact: c@p.example");
        assert_eq!(
            parse(&filled).expect("filled in").profiles,
            ["ecs-openstack"]
        );
    }
}

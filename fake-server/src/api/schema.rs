//! The subset of JSON Schema Nova's request schemas use, with Python `jsonschema`'s messages.
//!
//! Nova 34.0.0 validates request bodies with `jsonschema` (Draft 2020-12) and reports the
//! *first* error in the order the schema's keywords are written
//! (`nova/api/validation/validators.py`): `Invalid input for field/attribute <last path
//! element>. Value: <str(instance)>. <jsonschema message>`, or the bare message for an error at
//! the top level. A [`Schema`] is a list of keywords kept in that order, built with a small
//! builder:
//!
//! ```ignore
//! let s = Schema::object()
//!     .properties([("name", Schema::string().min_length(1).max_length(255))])
//!     .required(["name"])
//!     .no_additional();
//! assert_eq!(s.validate(&json), Err("…".to_owned()));
//! ```

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use regex::Regex;

use super::json::{Json, py_str_repr};

/// A JSON type name as jsonschema spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Object,
    Array,
    String,
    Integer,
    Boolean,
    Null,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Object => "object",
            Ty::Array => "array",
            Ty::String => "string",
            Ty::Integer => "integer",
            Ty::Boolean => "boolean",
            Ty::Null => "null",
        }
    }

    fn holds(self, v: &Json) -> bool {
        match (self, v) {
            (Ty::Object, Json::Object(_))
            | (Ty::Array, Json::Array(_))
            | (Ty::String, Json::String(_))
            | (Ty::Boolean, Json::Bool(_))
            | (Ty::Null, Json::Null) => true,
            // Draft 2020-12: a float with no fractional part is an integer.
            (Ty::Integer, Json::Number(n)) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        }
    }
}

/// A `format` Nova's format checker knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// `uuid`, Nova's own checker (`oslo_utils.uuidutils.is_uuid_like`).
    Uuid,
    Ipv4,
    Ipv6,
    /// `name`: printable, no leading or trailing whitespace (raises `InvalidName`).
    Name,
    /// `base64`: what Python's lenient `base64.decodebytes` accepts.
    Base64,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Uuid => "uuid",
            Format::Ipv4 => "ipv4",
            Format::Ipv6 => "ipv6",
            Format::Name => "name",
            Format::Base64 => "base64",
        }
    }
}

/// A regex with the text Nova's message quotes.
#[derive(Debug)]
pub(crate) struct Pattern {
    text: &'static str,
    re: LazyLock<Regex>,
}

impl Pattern {
    /// `text` is Nova's pattern (quoted in messages); `rust` the same pattern for `regex`.
    pub(crate) const fn new(text: &'static str, re: fn() -> Regex) -> Self {
        Pattern {
            text,
            re: LazyLock::new(re),
        }
    }
}

#[derive(Debug, Clone)]
enum Kw {
    Type(Vec<Ty>),
    Format(Format),
    MinLength(usize),
    MaxLength(usize),
    Pattern(&'static Pattern),
    Enum(Vec<Json>),
    Minimum(i64),
    Properties(Vec<(&'static str, Schema)>),
    PatternProperties(&'static Pattern, Box<Schema>),
    Required(Vec<&'static str>),
    NoAdditional,
    Items(Box<Schema>),
    OneOf(Vec<Schema>),
}

/// A schema: keywords in the order Nova writes them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Schema(Vec<Kw>);

/// One validation error, as jsonschema reports it.
#[derive(Debug, Clone, PartialEq)]
struct Failure {
    /// The last path element (a property name or an array index), if any.
    at: Option<String>,
    instance: Json,
    message: String,
    invalid_name: bool,
}

const NAME_REASON: &str = "printable characters. Can not start or end with whitespace.";

impl Schema {
    /// `{}`: anything.
    pub(crate) fn any() -> Self {
        Schema(Vec::new())
    }
    pub(crate) fn of(types: &[Ty]) -> Self {
        Schema(vec![Kw::Type(types.to_vec())])
    }
    pub(crate) fn object() -> Self {
        Schema::of(&[Ty::Object])
    }
    pub(crate) fn string() -> Self {
        Schema::of(&[Ty::String])
    }
    pub(crate) fn array(items: Schema) -> Self {
        Schema::of(&[Ty::Array]).then(Kw::Items(Box::new(items)))
    }
    pub(crate) fn one_of(options: Vec<Schema>) -> Self {
        Schema(vec![Kw::OneOf(options)])
    }
    /// Adds a `oneOf` after the keywords so far.
    pub(crate) fn and_one_of(self, options: Vec<Schema>) -> Self {
        self.then(Kw::OneOf(options))
    }
    fn then(mut self, kw: Kw) -> Self {
        self.0.push(kw);
        self
    }
    pub(crate) fn format(self, f: Format) -> Self {
        self.then(Kw::Format(f))
    }
    pub(crate) fn min_length(self, n: usize) -> Self {
        self.then(Kw::MinLength(n))
    }
    pub(crate) fn max_length(self, n: usize) -> Self {
        self.then(Kw::MaxLength(n))
    }
    pub(crate) fn pattern(self, p: &'static Pattern) -> Self {
        self.then(Kw::Pattern(p))
    }
    pub(crate) fn minimum(self, n: i64) -> Self {
        self.then(Kw::Minimum(n))
    }
    pub(crate) fn one_of_values(self, values: Vec<Json>) -> Self {
        self.then(Kw::Enum(values))
    }
    pub(crate) fn enum_str(self, values: &[&str]) -> Self {
        self.one_of_values(values.iter().map(|v| Json::String((*v).into())).collect())
    }
    pub(crate) fn properties(self, props: Vec<(&'static str, Schema)>) -> Self {
        self.then(Kw::Properties(props))
    }
    pub(crate) fn pattern_properties(self, p: &'static Pattern, s: Schema) -> Self {
        self.then(Kw::PatternProperties(p, Box::new(s)))
    }
    pub(crate) fn required(self, names: &[&'static str]) -> Self {
        self.then(Kw::Required(names.to_vec()))
    }
    pub(crate) fn no_additional(self) -> Self {
        self.then(Kw::NoAdditional)
    }
    /// Validates `v`; `Err` is Nova's 400 message for the first error.
    pub(crate) fn validate(&self, v: &Json) -> Result<(), String> {
        match self.first_error(v) {
            None => Ok(()),
            Some(f) if f.invalid_name => Err(format!(
                "An invalid 'name' value was provided. The name must be: {NAME_REASON}"
            )),
            Some(Failure {
                at: Some(at),
                instance,
                message,
                ..
            }) => Err(format!(
                "Invalid input for field/attribute {at}. Value: {}. {message}",
                instance.py_str()
            )),
            Some(f) => Err(f.message),
        }
    }

    fn first_error(&self, v: &Json) -> Option<Failure> {
        self.0.iter().find_map(|kw| check(kw, self, v))
    }

    fn is_valid(&self, v: &Json) -> bool {
        self.first_error(v).is_none()
    }
}

fn fail(v: &Json, message: String) -> Option<Failure> {
    Some(Failure {
        at: None,
        instance: v.clone(),
        message,
        invalid_name: false,
    })
}

/// Descends into a child: the error keeps the deepest path element.
fn descend(s: &Schema, child: &Json, at: String) -> Option<Failure> {
    s.first_error(child).map(|mut f| {
        f.at.get_or_insert(at);
        f
    })
}

fn check(kw: &Kw, schema: &Schema, v: &Json) -> Option<Failure> {
    let repr = || v.py_repr();
    match kw {
        Kw::Type(types) => (!types.iter().any(|t| t.holds(v))).then(|| {
            let names: Vec<String> = types.iter().map(|t| py_str_repr(t.name())).collect();
            fail(v, format!("{} is not of type {}", repr(), names.join(", ")))
        })?,
        Kw::Format(f) => check_format(*f, v),
        Kw::MinLength(n) => {
            let why = if *n == 1 {
                "should be non-empty"
            } else {
                "is too short"
            };
            check_length(v, |len| len < *n, why)
        }
        Kw::MaxLength(n) => {
            let why = if *n == 0 {
                "is expected to be empty"
            } else {
                "is too long"
            };
            check_length(v, |len| len > *n, why)
        }
        Kw::Pattern(p) => match v {
            Json::String(s) if !p.re.is_match(s) => fail(
                v,
                format!("{} does not match {}", repr(), py_str_repr(p.text)),
            ),
            _ => None,
        },
        Kw::Enum(values) => (!values.contains(v)).then(|| {
            let list: Vec<String> = values.iter().map(Json::py_repr).collect();
            fail(v, format!("{} is not one of [{}]", repr(), list.join(", ")))
        })?,
        Kw::Minimum(min) => {
            // Nova's override: numbers given as strings are compared too (as `int()` or
            // `float()` of the string, which is what the message then shows).
            let (n, shown) = match v {
                Json::Number(n) => (n.as_f64()?, v.py_repr()),
                Json::String(s) => match s.trim().parse::<i64>() {
                    Ok(i) => (i as f64, i.to_string()),
                    Err(_) => {
                        let f = s.trim().parse::<f64>().ok()?;
                        (f, format!("{f:?}"))
                    }
                },
                _ => return None,
            };
            (n < *min as f64)
                .then(|| fail(v, format!("{shown} is less than the minimum of {min}")))?
        }
        Kw::Properties(props) => match v {
            Json::Object(_) => props
                .iter()
                .find_map(|(name, s)| v.get(name).and_then(|c| descend(s, c, (*name).into()))),
            _ => None,
        },
        Kw::PatternProperties(p, s) => match v {
            Json::Object(pairs) => pairs
                .iter()
                .filter(|(k, _)| p.re.is_match(k))
                .find_map(|(k, c)| descend(s, c, k.clone())),
            _ => None,
        },
        Kw::Required(names) => match v {
            Json::Object(_) => names
                .iter()
                .find(|n| v.get(n).is_none())
                .and_then(|n| fail(v, format!("{} is a required property", py_str_repr(n)))),
            _ => None,
        },
        Kw::NoAdditional => check_additional(schema, v),
        Kw::Items(s) => match v {
            Json::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, c)| descend(s, c, i.to_string())),
            _ => None,
        },
        Kw::OneOf(options) => {
            let valid = options.iter().filter(|o| o.is_valid(v)).count();
            match valid {
                0 => fail(
                    v,
                    format!("{} is not valid under any of the given schemas", repr()),
                ),
                // Nova's one_of lists never overlap; report it plainly if they ever do.
                1 => None,
                _ => fail(v, format!("{} is valid under more than one schema", repr())),
            }
        }
    }
}

fn check_additional(schema: &Schema, v: &Json) -> Option<Failure> {
    let Json::Object(pairs) = v else {
        return None;
    };
    let mut declared: Vec<&str> = Vec::new();
    let mut pattern = None;
    for kw in &schema.0 {
        match kw {
            Kw::Properties(props) => declared.extend(props.iter().map(|(n, _)| *n)),
            Kw::PatternProperties(p, _) => pattern = Some(*p),
            _ => {}
        }
    }
    let mut extras: Vec<&str> = pairs
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !declared.contains(k) && pattern.is_none_or(|p| !p.re.is_match(k)))
        .collect();
    if extras.is_empty() {
        return None;
    }
    extras.sort_unstable();
    let joined: Vec<String> = extras.iter().map(|e| py_str_repr(e)).collect();
    let message = match pattern {
        Some(p) => format!(
            "{} {} not match any of the regexes: {}",
            joined.join(", "),
            if extras.len() == 1 { "does" } else { "do" },
            py_str_repr(p.text)
        ),
        None => format!(
            "Additional properties are not allowed ({} {} unexpected)",
            joined.join(", "),
            if extras.len() == 1 { "was" } else { "were" }
        ),
    };
    fail(v, message)
}

/// CPython's `binascii.a2b_base64` in its default (non-strict) mode, which Nova's `base64`
/// format checker calls: characters outside the alphabet are skipped, a complete padding ends
/// the input, and the data characters must otherwise come in groups of four.
fn decodes_as_base64(s: &str) -> bool {
    let mut quad_pos = 0u32;
    let mut pads = 0u32;
    for c in s.bytes() {
        if c == b'=' {
            if quad_pos >= 2 {
                pads += 1;
                if quad_pos + pads >= 4 {
                    return true;
                }
            }
            continue;
        }
        if c.is_ascii_alphanumeric() || c == b'+' || c == b'/' {
            pads = 0;
            quad_pos = (quad_pos + 1) % 4;
        }
    }
    quad_pos == 0
}

/// `minLength`/`maxLength`: a string whose length in characters is `out` of bounds fails with
/// `<repr> <why>`.
fn check_length(v: &Json, out: impl Fn(usize) -> bool, why: &str) -> Option<Failure> {
    match v {
        Json::String(s) if out(s.chars().count()) => fail(v, format!("{} {why}", v.py_repr())),
        _ => None,
    }
}

fn check_format(f: Format, v: &Json) -> Option<Failure> {
    let Json::String(s) = v else {
        // Formats constrain strings only, except Nova's `name`, which raises on a non-string.
        return (f == Format::Name).then(|| invalid_name(v))?;
    };
    let ok = match f {
        Format::Uuid => is_uuid_like(s),
        Format::Ipv4 => s.parse::<Ipv4Addr>().is_ok(),
        Format::Ipv6 => !s.contains('%') && s.parse::<Ipv6Addr>().is_ok(),
        Format::Name => is_valid_name(s),
        Format::Base64 => decodes_as_base64(s),
    };
    match (ok, f) {
        (true, _) => None,
        (false, Format::Name) => invalid_name(v),
        (false, _) => fail(
            v,
            format!("{} is not a {}", v.py_repr(), py_str_repr(f.name())),
        ),
    }
}

fn invalid_name(v: &Json) -> Option<Failure> {
    Some(Failure {
        at: None,
        instance: v.clone(),
        message: String::new(),
        invalid_name: true,
    })
}

/// `oslo_utils.uuidutils.is_uuid_like`: 32 hex digits once `urn:`, `uuid:`, braces and
/// hyphens are removed.
pub(crate) fn is_uuid_like(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let stripped = lower.replace("urn:", "").replace("uuid:", "");
    let core = stripped.trim_start_matches('{').trim_end_matches('}');
    let hex: String = core.chars().filter(|c| *c != '-').collect();
    hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit())
}

/// Nova's `valid_name_regex`: printable characters below U+FFFF, not starting or ending with
/// whitespace. Unicode categories are approximated (control, format, private-use, line and
/// paragraph separators are not printable).
fn is_valid_name(s: &str) -> bool {
    let printable = |c: char| {
        let u = c as u32;
        u < 0xFFFF
            && !c.is_control()
            && !matches!(u, 0xAD | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x2064 | 0xFEFF)
            && !(0xE000..=0xF8FF).contains(&u)
    };
    let space = |c: char| {
        matches!(
            c as u32,
            0x20 | 0xA0 | 0x1680 | 0x2000..=0x200A | 0x202F | 0x205F | 0x3000
        )
    };
    let edge_ok = |c: Option<char>| c.is_none_or(|c| printable(c) && !space(c));
    s.chars().all(printable) && edge_ok(s.chars().next()) && edge_ok(s.chars().last())
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_is_checked_as_pythons_lenient_decoder_does() {
        let rows = [
            ("", true),
            ("aGVsbG8=", true),
            ("aGVs bG8=\n", true),
            ("aGVsbG8", false),
            ("aGVsbG8==", true),
            ("aGVsbA==trailing", true),
            ("not base64!", false),
            ("abc!", false),
            ("abcd", true),
        ];
        for (text, ok) in rows {
            assert_eq!(super::decodes_as_base64(text), ok, "{text:?}");
        }
    }

    use super::*;

    fn json(s: &str) -> Json {
        serde_json::from_str(s).unwrap()
    }

    fn server_schema() -> Schema {
        Schema::object()
            .properties(vec![(
                "server",
                Schema::object()
                    .properties(vec![
                        (
                            "name",
                            Schema::string()
                                .format(Format::Name)
                                .min_length(1)
                                .max_length(255),
                        ),
                        ("accessIPv4", Schema::string().format(Format::Ipv4)),
                    ])
                    .required(&["name"])
                    .no_additional(),
            )])
            .required(&["server"])
            .no_additional()
    }

    #[test]
    fn messages_match_novas_wording() {
        let s = server_schema();
        let rows = [
            (r#"{}"#, "'server' is a required property"),
            (
                r#"{"server": {"b": 1, "a": 2}}"#,
                "Invalid input for field/attribute server. Value: {'b': 1, 'a': 2}. 'name' is a required property",
            ),
            (
                r#"{"server": {"name": "x", "zz": 1, "aa": 2}}"#,
                "Invalid input for field/attribute server. Value: {'name': 'x', 'zz': 1, 'aa': 2}. Additional properties are not allowed ('aa', 'zz' were unexpected)",
            ),
            (
                r#"{"server": {"name": 5}}"#,
                "Invalid input for field/attribute name. Value: 5. 5 is not of type 'string'",
            ),
            (
                r#"{"server": {"name": ""}}"#,
                "Invalid input for field/attribute name. Value: . '' should be non-empty",
            ),
            (
                r#"{"server": {"name": " x"}}"#,
                "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.",
            ),
            (
                r#"{"server": {"name": "x", "accessIPv4": "1.2.3"}}"#,
                "Invalid input for field/attribute accessIPv4. Value: 1.2.3. '1.2.3' is not a 'ipv4'",
            ),
        ];
        for (body, want) in rows {
            assert_eq!(s.validate(&json(body)), Err(want.to_owned()), "{body}");
        }
        assert_eq!(s.validate(&json(r#"{"server": {"name": "ok"}}"#)), Ok(()));
    }

    #[test]
    fn uuid_likeness_follows_oslo() {
        assert!(is_uuid_like("8a1c5b7e-0000-4000-8000-000000000001"));
        assert!(is_uuid_like("{8A1C5B7E000040008000000000000001}"));
        assert!(!is_uuid_like("8a1c5b7e-0000-4000-8000-00000000000"));
        assert!(!is_uuid_like("net-1"));
    }
}

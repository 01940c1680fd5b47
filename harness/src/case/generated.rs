//! `cases/generated/<profile>.json`: the expanded cases, for implementations without Rust.
//!
//! The file is an object with `format_version`, `generated_by`, `profile`, `profile_digest`,
//! `counts` and `cases`; each case is one line, so diffs of a regenerated file stay readable.

use serde::Serialize;

use super::enumerate::GroupCounts;
use super::profile::Profile;

/// The generated-file format version.
pub const GENERATED_FORMAT_VERSION: u32 = 1;

/// The command that writes the generated files, as printed in staleness messages.
pub const GENERATE_COMMAND: &str = "cargo run -p harness -- cases generate";

#[derive(Serialize)]
struct Header<'a> {
    format_version: u32,
    generated_by: &'a str,
    profile: &'a str,
    profile_digest: String,
    counts: GroupCounts,
}

/// The file name of a profile's generated cases: `<name>.json`.
pub fn generated_file_name(profile: &Profile) -> String {
    format!("{}.json", profile.name())
}

/// The exact contents of `cases/generated/<profile>.json`.
///
/// # Examples
///
/// ```
/// // Arrange
/// let ecs = harness::case::builtin_profile("ecs")?;
///
/// // Act
/// let text = harness::case::generated_json(&ecs);
///
/// // Assert
/// let value: serde_json::Value = serde_json::from_str(&text).unwrap();
/// assert_eq!(value["counts"]["valid"], 44);
/// assert_eq!(value["cases"].as_array().unwrap().len(), 252);
/// # Ok::<(), harness::case::LoadProfileError>(())
/// ```
pub fn generated_json(profile: &Profile) -> String {
    let cases = profile.cases();
    let header = Header {
        format_version: GENERATED_FORMAT_VERSION,
        generated_by: GENERATE_COMMAND,
        profile: profile.name(),
        profile_digest: profile.digest(),
        counts: GroupCounts::of(&cases),
    };
    let header = serde_json::to_string_pretty(&header).expect("a header always serializes");
    let mut out = header
        .strip_suffix("\n}")
        .expect("a pretty JSON object ends with a closing brace")
        .to_owned();
    out.push_str(",\n  \"cases\": [\n");
    let lines: Vec<String> = cases
        .iter()
        .map(|case| {
            format!(
                "    {}",
                serde_json::to_string(case).expect("a case always serializes")
            )
        })
        .collect();
    out.push_str(&lines.join(",\n"));
    out.push_str("\n  ]\n}\n");
    out
}

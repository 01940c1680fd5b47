//! Process exit codes: part of the harness's interface, documented in README and `--help`.

/// Every selected case ran and passed (or, against a real cloud, nothing observed failed or
/// errored).
pub const SUCCESS: i32 = 0;
/// At least one conformance failure (an observed status differed from the expected one), even
/// when other cases errored.
pub const FAILURES: i32 = 1;
/// Usage, configuration or infrastructure error: bad flags or files, target unreachable,
/// control plane refused, report not writable, errored cases (and no failure), or no case
/// selected.
pub const ERROR: i32 = 2;
/// Incomplete: no failure or error, but at least one case was skipped (an adapter declined,
/// `--max-fail`, …), so nothing is certified.
pub const INCOMPLETE: i32 = 3;

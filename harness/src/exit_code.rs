//! Process exit codes: part of the harness's interface, documented in README and `--help`.

/// Every case ran and every case conformed.
pub const SUCCESS: i32 = 0;
/// At least one conformance failure (an observed status differed from the expected one), even
/// when other cases errored.
pub const FAILURES: i32 = 1;
/// Usage, configuration or infrastructure error: bad flags or files, target unreachable,
/// control plane refused, report not writable, errored cases (and no failure), or a run that
/// executed no case.
pub const ERROR: i32 = 2;

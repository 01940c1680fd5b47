//! The line the `fake-server` binary prints on stdout once it serves, and how a parent process
//! (a test, a benchmark, a CI script) reads the base URL back from it.
//!
//! ```
//! use fake_server::banner;
//!
//! // Arrange
//! let line = banner::line("http://127.0.0.1:8774", true);
//!
//! // Act
//! let base = banner::base_url(&line);
//!
//! // Assert
//! assert_eq!(base, Some("http://127.0.0.1:8774"));
//! ```

use std::io::{BufRead, BufReader, Read};

const PREFIX: &str = "fake-server listening on ";

/// The ready line for a fake serving at `base` (with the `/_fake/` control plane if `control`).
pub fn line(base: &str, control: bool) -> String {
    let control = if control {
        format!(" control={base}/_fake/")
    } else {
        String::new()
    };
    format!(
        "{PREFIX}{base} identity={base}/identity/v3 compute={base}/compute/v2.1 ecs={base}/v1/{{project_id}}/cloudservers{control}"
    )
}

/// The base URL a ready line names, or `None` if `line` is not one.
pub fn base_url(line: &str) -> Option<&str> {
    line.strip_prefix(PREFIX)?.split_whitespace().next()
}

/// Reads the first line of a started binary's stdout and returns the base URL it names; an
/// `InvalidData` error quotes any other line.
pub fn read_base_url(stdout: impl Read) -> std::io::Result<String> {
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first)?;
    base_url(&first).map(str::to_owned).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("fake-server's first line is not its ready line: {first:?}"),
        )
    })
}

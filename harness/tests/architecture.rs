//! docs/ARCHITECTURE.md stays true: every repository path it names exists.
//!
//! A path is a `code span` or a Markdown link target that starts with one of the repository's
//! top-level folders (`harness/`, `fake-server/`, `cases/`, …); spans with a placeholder or a
//! wildcard (`<profile>`, `{id}`, `*`) name a family of files and are not checked. Links are
//! relative to `docs/`.

use std::path::{Path, PathBuf};

const TOP_LEVEL: [&str; 8] = [
    "harness/",
    "fake-server/",
    "cases/",
    "adapters/",
    "docs/",
    "reports/",
    ".ci/",
    ".github/",
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_owned()
}

/// Every `code span` of the text.
fn code_spans(text: &str) -> Vec<&str> {
    text.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, span)| span)
        .collect()
}

/// Every Markdown link target `](…)` of the text that is not a URL or an anchor.
fn link_targets(text: &str) -> Vec<&str> {
    text.split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|t| !t.contains("://") && !t.starts_with('#'))
        .collect()
}

/// The repository paths ARCHITECTURE.md names, as (path as written, path from the root).
fn named_paths(text: &str) -> Vec<(String, PathBuf)> {
    let root = repo();
    let mut out = Vec::new();
    for span in code_spans(text) {
        let path = span.split_whitespace().next().unwrap_or_default();
        if TOP_LEVEL.iter().any(|t| path.starts_with(t)) && !path.contains(['<', '{', '*', '…']) {
            out.push((path.to_owned(), root.join(path)));
        }
    }
    for target in link_targets(text) {
        let path = target.split('#').next().unwrap_or_default();
        out.push((target.to_owned(), root.join("docs").join(path)));
    }
    out
}

#[test]
fn every_path_architecture_md_names_exists() {
    let text = std::fs::read_to_string(repo().join("docs/ARCHITECTURE.md")).unwrap();
    let named = named_paths(&text);
    assert!(
        named.len() > 30,
        "only {} paths found: the extraction is broken",
        named.len()
    );
    let missing: Vec<&str> = named
        .iter()
        .filter(|(_, p)| !p.exists())
        .map(|(written, _)| written.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "docs/ARCHITECTURE.md names paths that do not exist: {missing:?}"
    );
}

#[test]
fn the_check_catches_a_missing_path() {
    let text = "see `harness/src/nowhere.rs` and [x](no-such-file.md), not `harness/src/<x>.rs`";
    let named = named_paths(text);
    let written: Vec<&str> = named.iter().map(|(w, _)| w.as_str()).collect();
    assert_eq!(written, ["harness/src/nowhere.rs", "no-such-file.md"]);
    assert!(named.iter().all(|(_, p)| !p.exists()));
}

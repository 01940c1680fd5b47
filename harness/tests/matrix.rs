//! `harness matrix`, end to end through the binary, on runs of the embedded fake: a clean run,
//! one with a skip, one with an error and one with a failure. A skip or an error must never
//! look like a pass: not in the page, not in the Markdown, not in the badge.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn harness() -> Command {
    Command::cargo_bin("harness").expect("the harness binary")
}

/// One clean `ecs` run on the embedded fake, made once.
fn clean_run() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temp dir");
        let out = harness()
            .args(["--profile", "ecs", "-q", "--report-dir"])
            .arg(dir.path())
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
    .path()
}

/// A copy of the clean run under `root/name/`, with case `index` given `outcome`.
fn variant(root: &Path, name: &str, change: Option<(usize, &str, &str)>) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).expect("creatable");
    for file in ["results.json", "index.html"] {
        std::fs::copy(clean_run().join(file), dir.join(file)).expect("copyable");
    }
    let path = dir.join("results.json");
    let mut value: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("readable")).expect("JSON");
    value["implementation"] =
        serde_json::json!({"name": name, "version": "1.0", "language": "rust", "homepage": null});
    if let Some((index, outcome, detail)) = change {
        let case = &mut value["cases"][index];
        case["outcome"] = outcome.into();
        case["detail"] = detail.into();
        if outcome != "fail" {
            case["observed"] = Value::Null;
        } else {
            case["observed"] = "ACTIVE".into();
        }
    }
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&value).expect("serialises"),
    )
    .expect("writable");
    path
}

/// The id of the clean run's case at `index`.
fn case_id(index: usize) -> String {
    let text = std::fs::read_to_string(clean_run().join("results.json")).expect("readable");
    let value: Value = serde_json::from_str(&text).expect("JSON");
    value["cases"][index]["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

struct Site {
    _root: tempfile::TempDir,
    out: PathBuf,
    stdout: String,
}

fn site() -> Site {
    let root = tempfile::tempdir().expect("a temp dir");
    let inputs = [
        variant(root.path(), "clean", None),
        variant(
            root.path(),
            "skipper",
            Some((50, "skip", "not supported by this SDK")),
        ),
        variant(
            root.path(),
            "crasher",
            Some((60, "error", "adapter crashed: KeyError")),
        ),
        variant(
            root.path(),
            "deviant",
            Some((2, "fail", "expected BUILD, observed ACTIVE")),
        ),
    ];
    let out = root.path().join("site");
    let result = harness()
        .arg("matrix")
        .arg("--out")
        .arg(&out)
        .args(&inputs)
        .output()
        .expect("runs");
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    Site {
        stdout: String::from_utf8(result.stdout).expect("UTF-8"),
        _root: root,
        out,
    }
}

fn badge(site: &Site, slug: &str) -> Value {
    let text = std::fs::read_to_string(site.out.join("badges").join(format!("{slug}.json")))
        .expect("a badge");
    serde_json::from_str(&text).expect("JSON")
}

#[test]
fn badges_say_conformant_only_when_every_case_passed() {
    let site = site();

    let rows = [
        ("clean-1.0", "conformant (252 cases)", "brightgreen"),
        ("skipper-1.0", "incomplete (1 of 252 skipped)", "yellow"),
        ("crasher-1.0", "errored (1 of 252 cases)", "orange"),
        ("deviant-1.0", "1 of 252 failing", "red"),
    ];
    for (slug, message, color) in rows {
        assert_eq!(
            badge(&site, slug),
            serde_json::json!({"schemaVersion": 1, "label": "status conformance", "message": message, "color": color}),
            "{slug}"
        );
    }
    assert_eq!(
        site.stdout.lines().next(),
        Some(
            format!(
                "matrix: 4 implementations x 3 columns: {} ({} and 4 badges in {})",
                site.out.join("matrix.html").display(),
                site.out.join("matrix.md").display(),
                site.out.join("badges").display()
            )
            .as_str()
        )
    );
}

#[test]
fn the_markdown_table_marks_each_cell_by_its_worst_outcome_and_links_each_run() {
    let site = site();
    let md = std::fs::read_to_string(site.out.join("matrix.md")).expect("written");
    let lines: Vec<&str> = md.lines().collect();

    assert_eq!(lines.len(), 6, "{md}");
    assert_eq!(
        lines[0],
        "| implementation | version | language | ecs valid | ecs invalid | ecs probe | what differs |"
    );
    assert_eq!(
        lines[2],
        "| [clean](../clean/index.html) | 1.0 | rust | [✅ 44/44](../clean/index.html#profile-ecs) | [✅ 180/180](../clean/index.html#profile-ecs) | [✅ 28/28](../clean/index.html#profile-ecs) | nothing: every case passed |"
    );
    // Case 50 is an invalid pair: the skip turns that cell yellow, never green.
    assert!(
        lines[3].contains("| [⏸️ 179/180 (1 skip)](../skipper/index.html#profile-ecs) |"),
        "{}",
        lines[3]
    );
    let skipped = case_id(50)
        .strip_prefix("ecs/")
        .expect("an ecs id")
        .to_owned();
    assert!(
        lines[3].ends_with(&format!(
            "| ecs {skipped}: skipped: not supported by this SDK |"
        )),
        "{}",
        lines[3]
    );
    assert!(
        lines[4].contains("| [⚠️ 179/180 (1 error)](../crasher/index.html#profile-ecs) |"),
        "{}",
        lines[4]
    );
    assert!(
        lines[5].contains("| [❌ 43/44 (1 fail)](../deviant/index.html#profile-ecs) |"),
        "{}",
        lines[5]
    );
    assert!(
        lines[5]
            .ends_with("| ecs building/block_device_mapping: expected BUILD, observed ACTIVE |"),
        "{}",
        lines[5]
    );
}

#[test]
fn the_page_is_self_contained_and_colours_skips_and_errors_apart_from_passes() {
    let site = site();
    let page = std::fs::read_to_string(site.out.join("matrix.html")).expect("written");

    for forbidden in ["<script", "src=\"http", "href=\"http", "<link"] {
        assert!(!page.contains(forbidden), "{forbidden}");
    }
    let row = |slug: &str| -> String {
        let start = page.find(&format!("<tr id=\"{slug}\">")).expect("the row");
        let end = start + page[start..].find("</tr>").expect("row end");
        page[start..end].to_owned()
    };
    assert_eq!(row("clean-1.0").matches("class=\"cell pass\"").count(), 3);
    let skipper = row("skipper-1.0");
    assert_eq!(skipper.matches("class=\"cell pass\"").count(), 2);
    assert!(skipper.contains("<td class=\"cell incomplete\" title=\"ecs invalid: 179 pass, 0 fail, 0 error, 1 skip\"><a href=\"../skipper/index.html#profile-ecs\"><b>179/180</b><small>1 skip</small></a></td>"), "{skipper}");
    assert!(row("crasher-1.0").contains("class=\"cell error\""));
    assert!(
        row("deviant-1.0").contains(
            "<li>ecs building/block_device_mapping: expected BUILD, observed ACTIVE</li>"
        )
    );
}

#[test]
fn no_input_and_an_unreadable_results_file_exit_2() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let none = harness()
        .arg("matrix")
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert_eq!(none.status.code(), Some(2));

    std::fs::write(
        dir.path().join("bad.json"),
        "{\"format_version\": 1,\n \"cases\": 3}",
    )
    .expect("writable");
    let bad = harness()
        .args(["matrix", "bad.json"])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8(bad.stderr).expect("UTF-8");
    assert!(
        stderr.starts_with("error: failed to parse results file bad.json\n  caused by: "),
        "{stderr}"
    );
    assert!(!dir.path().join("matrix").exists());
}

#[test]
fn a_run_without_its_index_html_is_listed_without_links() {
    let root = tempfile::tempdir().expect("a temp dir");
    let input = variant(root.path(), "bare", None);
    std::fs::remove_file(input.with_file_name("index.html")).expect("removable");

    let out = harness()
        .args(["matrix", "--out"])
        .arg(root.path().join("m"))
        .arg(&input)
        .output()
        .expect("runs");

    assert!(out.status.success());
    let md = std::fs::read_to_string(root.path().join("m/matrix.md")).expect("written");
    assert!(
        md.contains(
            "| bare | 1.0 | rust | ✅ 44/44 | ✅ 180/180 | ✅ 28/28 | nothing: every case passed |"
        ),
        "{md}"
    );
}

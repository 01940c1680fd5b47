//! The verdict rules end to end (docs/ARCHITECTURE.md, "Verdict"): a skip is never a pass, a
//! filtered run never claims "all cases", compatibility is never "yes" on contradictory or
//! missing evidence, and flags that would do nothing are refused.

#[path = "support/cli.rs"]
mod cli;

use cli::{add_fault, harness, read, start_fake};
use serde_json::Value;

fn fixture(name: &str) -> String {
    format!(
        "adapter:{}/tests/fixtures/adapters/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn an_adapter_that_skips_all_but_one_case_is_incomplete_exit_3_and_conformant_nowhere() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();

    // Act
    let (code, stdout, stderr, results) =
        harness(&["--target", &fixture("skip-all-but-one.sh")], dir.path());

    // Assert
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    assert_eq!(results["verdict"], "incomplete");
    let cases = results["cases"].as_array().unwrap();
    let passed: Vec<&str> = cases
        .iter()
        .filter(|c| c["outcome"] == "pass")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(passed, ["ecs-openstack/stopped/null"]);
    assert_eq!(cases.iter().filter(|c| c["outcome"] == "skip").count(), 387);
    for file in ["junit.xml", "results.json", "summary.md", "index.html"] {
        let text = read(dir.path(), file).to_lowercase();
        assert!(!text.contains("conformant\""), "{file} claims conformance");
        assert!(
            !text.contains(": conformant") && !text.contains(">conformant<"),
            "{file} claims conformance"
        );
    }
    for text in [read(dir.path(), "summary.md"), stdout.clone()] {
        assert!(!text.contains("conformant"), "{text}");
        assert!(
            text.contains("incomplete: 387 of 388 cases skipped, conformance unknown"),
            "{text}"
        );
    }
    // Nothing is certified: every profile's compatibility is unknown, never yes.
    for c in results["compatibility"].as_array().unwrap() {
        assert_ne!(c["conforms"], true, "{c}");
    }
}

#[test]
fn an_empty_servers_detail_listing_conforms_to_no_profile() {
    // Arrange: GET /servers/{id} is right, /servers/detail lists nothing.
    let (runtime, fake) = start_fake();
    let fault = serde_json::json!({"method": "GET", "path": "/compute/v2.1/servers/detail",
                                   "status": 200, "body": {"servers": []}});
    add_fault(&runtime, &fake, fault);
    let dir = tempfile::tempdir().unwrap();

    // Act
    let (code, stdout, _, results) = harness(&["--target", &fake.uri()], dir.path());

    // Assert
    assert_eq!(code, 1, "{stdout}");
    let cases = results["cases"].as_array().unwrap();
    assert!(cases.iter().all(|c| c["outcome"] == "fail"));
    let compat: Vec<(&str, &Value)> = results["compatibility"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["profile"].as_str().unwrap(), &c["conforms"]))
        .collect();
    assert_eq!(
        compat,
        [
            ("ecs", &Value::Bool(false)),
            ("ecs-openstack", &Value::Bool(false)),
            ("nova", &Value::Bool(false))
        ]
    );
    assert!(!stdout.contains(" yes"), "{stdout}");
}

#[test]
fn a_filtered_run_names_its_filter_and_never_says_all_cases() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();

    // Act
    let (code, stdout, _, results) = harness(&["--filter", "ecs-openstack/active/"], dir.path());

    // Assert
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(results["verdict"], "conformant");
    assert_eq!(
        results["scope"],
        serde_json::json!({"cases": "cases matching `ecs-openstack/active/`",
                           "filters": ["ecs-openstack/active/"], "profiles": ["ecs-openstack"]})
    );
    for text in [
        stdout,
        read(dir.path(), "summary.md"),
        read(dir.path(), "index.html"),
    ] {
        assert!(!text.contains("all cases"), "{text}");
        assert!(
            text.contains("cases matching `ecs-openstack/active/`"),
            "{text}"
        );
    }
}

#[test]
fn a_fake_deviation_with_a_url_target_is_a_usage_error() {
    let (_runtime, fake) = start_fake();
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr, results) = harness(
        &[
            "--target",
            &fake.uri(),
            "--fake-deviation",
            "active/rebooting=ACTIVE",
        ],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim(),
        format!(
            "error: --fake-deviation changes the embedded fake only, and the target is {}: drop --fake-deviation, or use --target fake",
            fake.uri()
        )
    );
    assert_eq!(results, Value::Null, "nothing ran");
}

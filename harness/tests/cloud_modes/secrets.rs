//! A distinctive password and token never appear in any output: the four reports, stdout,
//! stderr, in observe and lifecycle mode, on success and on an auth failure, with --insecure.

use super::support::{Cloud, FakeSetup, PASSWORD};

/// Label, arguments, extra environment, expected exit code.
type Scenario<'a> = (&'a str, Vec<&'a str>, Vec<(&'a str, &'a str)>, i32);

fn assert_clean(label: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "{label} leaks {secret}:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_and_token_never_appear_in_reports_stdout_or_stderr() {
    let cloud = Cloud::with_active_server(FakeSetup::PLAIN, "secret").await;
    let token = cloud.token().to_owned();
    let compute = format!("{}/compute/v2.1", cloud.base);
    let secrets = [PASSWORD, token.as_str()];
    let runs: Vec<Scenario> = vec![
        (
            "password",
            vec!["--os-cloud", "fake", "--insecure", "-v"],
            vec![],
            0,
        ),
        (
            "token",
            vec!["--target", &compute, "--token", &token, "-v"],
            vec![],
            0,
        ),
        (
            "env-token",
            vec!["--target", &compute],
            vec![("OS_TOKEN", token.as_str())],
            0,
        ),
        (
            "lifecycle",
            vec![
                "--os-cloud",
                "fake",
                "--lifecycle",
                "--allow-mutations",
                "--image",
                "70a599e0-31e7-49b7-b260-868f441e862b",
                "--poll-ms",
                "5",
                "-v",
            ],
            vec![],
            0,
        ),
        // Keystone is not where clouds.yaml says: the error names the URL, never the password.
        ("refused", vec!["--os-cloud", "bad"], vec![], 2),
    ];
    let text = std::fs::read_to_string(cloud.clouds_yaml()).unwrap();
    let bad = text
        .replace("  fake:", "  bad:")
        .replace("/identity/v3", "/nowhere/v3");
    cloud.write_clouds_yaml(&format!("{text}{}", bad.trim_start_matches("clouds:\n")));
    for (label, args, env, code) in runs {
        let mut all: Vec<&str> = args.clone();
        all.extend(["--profile", "nova"]);
        let (dir, run) = cloud.run_reported(label, &all, &env).await;
        assert_eq!(
            run.code(),
            code,
            "{label}: {}\n{}",
            run.stdout(),
            run.stderr()
        );
        if label == "refused" {
            assert!(run.stderr().contains("/nowhere/v3"), "{}", run.stderr());
        }
        assert_clean(&format!("{label} stdout"), &run.stdout(), &secrets);
        assert_clean(&format!("{label} stderr"), &run.stderr(), &secrets);
        for file in ["junit.xml", "results.json", "summary.md", "index.html"] {
            if let Ok(text) = std::fs::read_to_string(dir.join(file)) {
                assert_clean(&format!("{label} {file}"), &text, &secrets);
            } else {
                assert_eq!(label, "refused", "{label} wrote no {file}");
            }
        }
        if label == "password" {
            let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
            assert!(junit.contains("TLS certificate verification was off (--insecure)"));
            let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
            assert!(html.contains("TLS certificate verification was off (--insecure)"));
        }
    }
}

//! `harness certify` and `harness verify`, end to end through the binary: round trips on the
//! embedded fake and the reference adapter, refused flags and PRODUCT.yaml files, and tampered
//! bundles, each failing `verify` with the check that catches it named.
//!
//! The round trips through the three shipped Python adapters are in `certify_python.rs`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

#[path = "support/certify.rs"]
mod cli;
#[path = "support/reference_adapter.rs"]
mod reference;
use cli::{Output, certify, run};
use reference::reference_adapter;

const PRODUCT: &str = "vendor: Example Cloud\nproduct: fake-server\nversion: \"0.1.0\"\nhomepage: https://example.invalid/kit\ncontact: kit@example.invalid\nprofiles: [ecs]\n";

/// One certified `ecs` bundle on the embedded fake, made once and copied for each test.
fn pristine() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temp dir");
        std::fs::write(dir.path().join("PRODUCT.yaml"), PRODUCT).expect("writable");
        let out = Output::of(&mut certify(dir.path(), "fake", "bundle"));
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
        dir
    })
    .path()
}

/// A fresh copy of the pristine bundle.
fn bundle() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let copy = dir.path().join("bundle");
    std::fs::create_dir(&copy).expect("creatable");
    for entry in std::fs::read_dir(pristine().join("bundle")).expect("listable") {
        let entry = entry.expect("an entry");
        std::fs::copy(entry.path(), copy.join(entry.file_name())).expect("copyable");
    }
    (dir, copy)
}

fn verify(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["verify", dir.to_str().expect("UTF-8")];
    args.extend_from_slice(extra);
    run(&args, dir)
}

/// The ✘ lines of a verify output.
fn failed_lines(out: &Output) -> Vec<&str> {
    cli::failed_lines(&out.stdout)
}

/// Asserts that a verify exits 1 with one failed check, which starts with `prefix`.
fn assert_fails_once_with(out: &Output, prefix: &str) {
    assert_eq!(out.code, 1);
    let failed = failed_lines(out);
    assert_eq!(failed.len(), 1, "{}", out.stdout);
    assert!(failed[0].starts_with(prefix), "{}", failed[0]);
}

fn edit_results(dir: &Path, edit: impl FnOnce(&mut Value)) {
    let path = dir.join("results.json");
    let mut value: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("readable")).expect("JSON");
    edit(&mut value);
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&value).expect("serialises"),
    )
    .expect("writable");
}

/// Re-hashes the bundle, as someone covering their tracks would.
fn rehash(dir: &Path) {
    harness::certify::manifest::write_manifest(dir).expect("rehashable");
}

/// Verifies a fresh copy of the bundle whose results.json was edited and then re-hashed.
fn verify_tampered(edit: impl FnOnce(&mut Value)) -> Output {
    let (_keep, dir) = bundle();
    edit_results(&dir, edit);
    rehash(&dir);
    verify(&dir, &[])
}

#[test]
fn certify_then_verify_round_trips_on_the_embedded_fake() {
    let dir = pristine().join("bundle");
    let names = harness::report::testing::file_names(&dir);
    assert_eq!(
        names,
        [
            "PRODUCT.yaml",
            "README.md",
            "SHA256SUMS",
            "environment.json",
            "index.html",
            "junit.xml",
            "results.json",
            "run.log",
            "summary.md"
        ]
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("PRODUCT.yaml")).expect("readable"),
        PRODUCT
    );

    let out = verify(&dir, &[]);

    assert_eq!(out.code, 0, "{}", out.stdout);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 12, "{}", out.stdout);
    assert_eq!(lines[1], "✔ manifest: 8 files match SHA256SUMS");
    assert_eq!(
        lines[6],
        "✔ cases: all 252 cases of the claimed profiles, each once"
    );
    assert_eq!(lines[7], "✔ outcomes: all 252 cases passed");
    assert_eq!(lines[11], "verified: 11 checks hold");
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("readable");
    assert!(
        readme.contains(
            "```sh\nharness certify --product PRODUCT.yaml --target fake --out bundle\n```"
        ),
        "{readme}"
    );
    let log = std::fs::read_to_string(dir.join("run.log")).expect("readable");
    assert_eq!(
        log.lines().filter(|l| l.starts_with(" PASS ecs/")).count(),
        252
    );
    let env: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("environment.json")).expect("readable"),
    )
    .expect("JSON");
    assert_eq!(env["harness_version"], harness::VERSION);
    assert_eq!(
        env["profiles"][0]["digest"],
        harness::case::builtin_profile("ecs").expect("ecs").digest()
    );
    assert_eq!(env["os"]["family"], std::env::consts::OS);
}

#[test]
fn edited_results_fail_the_manifest_check() {
    let (_keep, dir) = bundle();
    edit_results(&dir, |v| v["cases"][0]["observed"] = "ERROR".into());

    let out = verify(&dir, &[]);

    assert_fails_once_with(
        &out,
        "✘ manifest: results.json was changed after hashing (sha256 ",
    );
    assert!(
        out.stdout
            .ends_with("not verified: 1 of 11 checks failed\n")
    );
}

#[test]
fn a_missing_case_fails_the_cases_check_by_id() {
    let out = verify_tampered(|v| {
        v["cases"].as_array_mut().expect("an array").remove(3);
    });

    assert_eq!(out.code, 1);
    assert_eq!(
        failed_lines(&out),
        ["✘ cases: 1 missing: ecs/building/networking"]
    );
}

#[test]
fn a_duplicate_case_fails_the_cases_check_by_id() {
    let out = verify_tampered(|v| {
        let cases = v["cases"].as_array_mut().expect("an array");
        let again = cases[0].clone();
        cases.push(again);
    });

    assert_eq!(out.code, 1);
    assert_eq!(
        failed_lines(&out),
        ["✘ cases: 1 more than once: ecs/building/null"]
    );
}

#[test]
fn a_case_of_another_profile_is_not_a_case_of_the_claim() {
    let out = verify_tampered(|v| v["cases"][0]["id"] = "nova/active/null".into());

    assert_eq!(
        failed_lines(&out),
        [
            "✘ cases: 1 missing: ecs/building/null; 1 not a case of the claimed profiles: nova/active/null"
        ]
    );
}

#[test]
fn a_wrong_profile_digest_fails_the_profiles_check() {
    let out = verify_tampered(|v| v["profiles"][0]["digest"] = "sha256:0000".into());

    assert_eq!(out.code, 1);
    let ours = harness::case::builtin_profile("ecs")
        .expect("ecs")
        .digest()
        .to_owned();
    assert_eq!(
        failed_lines(&out),
        [
            format!("✘ profiles: ecs has digest sha256:0000 but this harness's is {ours}").as_str(),
            "✘ environment: environment.json disagrees: its profile digests differ from results.json's",
        ]
    );
}

#[test]
fn a_skipped_case_fails_the_outcomes_check() {
    let out = verify_tampered(|v| {
        v["cases"][5]["outcome"] = "skip".into();
        v["cases"][5]["observed"] = Value::Null;
    });

    assert_eq!(out.code, 1);
    assert_eq!(
        failed_lines(&out),
        ["✘ outcomes: 1 skipped: ecs/active/null"]
    );
}

#[test]
fn product_yaml_edited_after_hashing_fails_the_manifest_check() {
    let (_keep, dir) = bundle();
    let product = PRODUCT.replace("0.1.0", "9.9.9");
    std::fs::write(dir.join("PRODUCT.yaml"), product).expect("writable");

    let out = verify(&dir, &[]);

    assert_fails_once_with(&out, "✘ manifest: PRODUCT.yaml was changed after hashing");
}

#[test]
fn a_product_yaml_with_an_empty_field_fails_the_product_check() {
    let (_keep, dir) = bundle();
    std::fs::write(
        dir.join("PRODUCT.yaml"),
        PRODUCT.replace("kit@example.invalid", "\"\""),
    )
    .expect("writable");
    rehash(&dir);

    let out = verify(&dir, &[]);

    let failed = failed_lines(&out);
    assert_eq!(failed[0], "✘ product: PRODUCT.yaml:5: field `contact`: is empty: fill in an email address or URL for questions".replace("PRODUCT.yaml", &dir.join("PRODUCT.yaml").display().to_string()));
    // Without a valid claim nothing can be compared with the claimed profiles.
    assert!(
        failed[1].starts_with("✘ profiles: no valid PRODUCT.yaml"),
        "{failed:?}"
    );
}

#[test]
fn a_removed_file_and_an_added_file_are_both_named() {
    let (_keep, dir) = bundle();
    std::fs::remove_file(dir.join("run.log")).expect("removable");
    std::fs::write(dir.join("extra.txt"), "x").expect("writable");

    let out = verify(&dir, &[]);

    let failed = failed_lines(&out);
    assert_eq!(failed[0], "✘ files: missing run.log");
    assert!(
        failed[1].starts_with("✘ manifest: run.log is listed but cannot be read: "),
        "{failed:?}"
    );
    assert!(
        failed[1].ends_with("; extra.txt is not in SHA256SUMS (added after hashing)"),
        "{failed:?}"
    );
}

fn keypair(dir: &Path, name: &str) -> PathBuf {
    let key = dir.join(name);
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen runs (openssh-client)");
    assert!(status.success());
    key
}

fn allowed_signers(dir: &Path, principal: &str, key: &Path) -> PathBuf {
    let public = std::fs::read_to_string(key.with_extension("pub")).expect("a public key");
    let mut parts = public.split_whitespace();
    let line = format!(
        "{principal} {} {}\n",
        parts.next().expect("type"),
        parts.next().expect("key")
    );
    let path = dir.join("allowed_signers");
    std::fs::write(&path, line).expect("writable");
    path
}

#[test]
fn a_signed_bundle_verifies_against_its_key_and_not_against_another() {
    let keys = tempfile::tempdir().expect("a temp dir");
    let vendor = keypair(keys.path(), "vendor");
    let other = keypair(keys.path(), "other");
    let work = tempfile::tempdir().expect("a temp dir");
    std::fs::write(work.path().join("PRODUCT.yaml"), PRODUCT).expect("writable");
    let vendor_key = vendor.to_str().expect("UTF-8");
    let out = Output::of(certify(work.path(), "fake", "b").args(["--sign-key", vendor_key]));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let dir = work.path().join("b");
    assert!(dir.join("SHA256SUMS.sig").is_file());

    let good = allowed_signers(keys.path(), "sdk@example.invalid", &vendor);
    let out = verify(&dir, &["--allowed-signers", good.to_str().expect("UTF-8")]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("✔ signature: good signature by sdk@example.invalid\n")
    );

    let unchecked = verify(&dir, &[]);
    assert_eq!(unchecked.code, 1);
    assert_eq!(
        failed_lines(&unchecked),
        [
            "✘ signature: SHA256SUMS.sig is present but cannot be checked: pass --allowed-signers FILE"
        ]
    );

    let wrong = allowed_signers(keys.path(), "sdk@example.invalid", &other);
    let out = verify(&dir, &["--allowed-signers", wrong.to_str().expect("UTF-8")]);
    assert_fails_once_with(
        &out,
        "✘ signature: SHA256SUMS.sig was not made by any key in ",
    );
}

#[test]
fn a_bundle_rehashed_after_signing_fails_the_signature_check() {
    let keys = tempfile::tempdir().expect("a temp dir");
    let vendor = keypair(keys.path(), "vendor");
    let (_keep, dir) = bundle();
    harness::certify::sign::sign(&dir, &vendor).expect("signs");
    edit_results(&dir, |v| v["cases"][0]["detail"] = "tampered".into());
    rehash(&dir);
    let allowed = allowed_signers(keys.path(), "sdk@example.invalid", &vendor);

    let out = verify(
        &dir,
        &["--allowed-signers", allowed.to_str().expect("UTF-8")],
    );

    assert_eq!(out.code, 1);
    assert_eq!(
        failed_lines(&out),
        [
            "✘ signature: SHA256SUMS.sig does not verify for sdk@example.invalid: Signature verification failed: incorrect signature"
        ]
    );
}

#[test]
fn require_signature_fails_an_unsigned_bundle() {
    let (_keep, dir) = bundle();
    let out = verify(&dir, &["--require-signature"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        failed_lines(&out),
        ["✘ signature: not signed (SHA256SUMS.sig missing) and --require-signature was given"]
    );
}

#[test]
fn an_unreadable_bundle_exits_2_and_names_it() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = run(&["verify", "no-such-bundle"], dir.path());
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("error: cannot read bundle no-such-bundle: "),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn flags_that_would_skip_cases_are_refused_with_exit_2() {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join("PRODUCT.yaml"), PRODUCT).expect("writable");
    let base = ["certify", "--product", "PRODUCT.yaml", "--target", "fake"];
    let rows: [(&[&str], &str); 5] = [
        (
            &["--filter", "ecs/active/*"],
            "error: --filter is not allowed with certify: a certification runs every case of the claimed profiles\n",
        ),
        (
            &["--max-fail", "3"],
            "error: --max-fail is not allowed with certify: a certification runs every case of the claimed profiles (stopping early would skip cases)\n",
        ),
        (
            &["-x"],
            "error: --fail-fast is not allowed with certify: a certification runs every case of the claimed profiles (stopping early would skip cases)\n",
        ),
        (
            &["--fake-deviation", "active/null=ERROR"],
            "error: --fake-deviation is not allowed with certify: a certification runs against the unaltered fake\n",
        ),
        (
            &["--profile", "nova"],
            "error: --profile is not allowed with certify: list the claimed profiles under `profiles:` in PRODUCT.yaml\n",
        ),
    ];
    for (extra, want) in rows {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let out = run(&args, dir.path());
        assert_eq!((out.code, out.stderr.as_str()), (2, want), "{extra:?}");
        assert!(
            !dir.path().join("certification").exists(),
            "{extra:?} wrote a bundle"
        );
    }
}

#[test]
fn a_product_yaml_missing_a_field_is_refused_before_running() {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(
        dir.path().join("PRODUCT.yaml"),
        PRODUCT.replace("homepage: https://example.invalid/kit\n", ""),
    )
    .expect("writable");

    assert_product_refused(
        dir.path(),
        "error: PRODUCT.yaml: field `homepage`: is missing: add `homepage:` with the product's http(s) homepage\n",
    );
}

#[test]
fn init_writes_the_template_once() {
    let dir = tempfile::tempdir().expect("a temp dir");

    let first = run(&["certify", "--init", "PRODUCT.yaml"], dir.path());
    let second = run(&["certify", "--init", "PRODUCT.yaml"], dir.path());

    assert_eq!(first.code, 0);
    let written = std::fs::read_to_string(dir.path().join("PRODUCT.yaml")).expect("written");
    assert_eq!(written, harness::certify::product::TEMPLATE);
    assert_eq!(second.code, 2);
    assert!(
        second
            .stderr
            .starts_with("error: cannot write PRODUCT.yaml: "),
        "{}",
        second.stderr
    );
    assert_product_refused(
        dir.path(),
        "error: PRODUCT.yaml:8: field `vendor`: is empty: fill in the company or project that ships the product\n",
    );
}

/// Asserts that certifying on the fake with `dir/PRODUCT.yaml` exits 2 with `stderr` and
/// writes no bundle.
fn assert_product_refused(dir: &Path, stderr: &str) {
    let out = run(
        &["certify", "--product", "PRODUCT.yaml", "--target", "fake"],
        dir,
    );
    assert_eq!((out.code, out.stderr.as_str()), (2, stderr));
    assert!(!dir.join("certification").exists());
}

#[test]
fn a_non_empty_out_folder_is_refused() {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join("PRODUCT.yaml"), PRODUCT).expect("writable");
    std::fs::create_dir(dir.path().join("b")).expect("creatable");
    std::fs::write(dir.path().join("b/old.txt"), "x").expect("writable");

    let out = Output::of(&mut certify(dir.path(), "fake", "b"));

    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: b exists and is not empty: a bundle is written into a new folder (choose another --out, or remove it)\n"
    );
}

fn certify_reference(
    product_version: &str,
    misbehave: Option<&str>,
) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let product = PRODUCT
        .replace("fake-server", "reference-adapter")
        .replace("0.1.0", product_version);
    std::fs::write(dir.path().join("PRODUCT.yaml"), product).expect("writable");
    let target = format!("adapter:{}", reference_adapter());
    let mut cmd = certify(dir.path(), &target, "b");
    if let Some(m) = misbehave {
        cmd.env("REFERENCE_ADAPTER_MISBEHAVE", m);
    }
    let out = Output::of(&mut cmd);
    (dir, out)
}

#[test]
fn certify_then_verify_round_trips_on_the_reference_adapter() {
    let (dir, out) = certify_reference(harness::VERSION, None);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);

    let verified = verify(&dir.path().join("b"), &[]);

    assert_eq!(verified.code, 0, "{}", verified.stdout);
    let want = format!(
        "✔ implementation: reference-adapter {} (rust) is the product version\n",
        harness::VERSION
    );
    assert!(verified.stdout.contains(&want), "{}", verified.stdout);
    let env: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("b/environment.json")).expect("readable"),
    )
    .expect("JSON");
    assert_eq!(env["implementation"]["name"], "reference-adapter");
    assert_eq!(env["adapter"]["adapter.capabilities"], "derive");
}

#[test]
fn a_product_version_other_than_the_adapters_is_not_certifiable() {
    let (_dir, out) = certify_reference("9.9.9", None);

    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let want = format!(
        "✘ implementation: the adapter reported reference-adapter {}, but PRODUCT.yaml certifies version 9.9.9\n",
        harness::VERSION
    );
    assert!(out.stdout.contains(&want), "{}", out.stdout);
    assert!(
        !out.stdout.contains("certifiable: publish"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_non_conformant_adapter_gets_a_bundle_that_does_not_verify() {
    let (dir, out) = certify_reference(harness::VERSION, Some("wrong-status:active/rebooting"));

    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("✘ outcomes: 1 failed: ecs/active/rebooting; results.json records the verdict `non-conformant`\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("not certifiable: the bundle records why\n"),
        "{}",
        out.stdout
    );
    let verified = verify(&dir.path().join("b"), &[]);
    assert_eq!(verified.code, 1);
    assert_eq!(
        failed_lines(&verified),
        [
            "✘ outcomes: 1 failed: ecs/active/rebooting; results.json records the verdict `non-conformant`"
        ]
    );
}

#[test]
fn the_example_product_yaml_in_docs_is_valid_and_claims_every_profile() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/PRODUCT.example.yaml");

    let product =
        harness::certify::load_product(&path).expect("docs/PRODUCT.example.yaml is valid");

    assert_eq!(product.version, harness::VERSION);
    assert_eq!(product.profiles, harness::case::BUILTIN_NAMES);
}

#[test]
fn a_filtered_run_and_a_recorded_verdict_other_than_conformant_are_named() {
    let out = verify_tampered(|v| {
        v["scope"]["filters"] = serde_json::json!(["ecs/active/*"]);
        v["verdict"] = "incomplete".into();
    });

    assert_eq!(out.code, 1);
    assert_eq!(
        failed_lines(&out),
        [
            "✘ cases: the run was filtered (ecs/active/*), a certification runs every case",
            "✘ outcomes: results.json records the verdict `incomplete`",
        ]
    );
}

#[test]
fn an_adapter_speaking_protocol_v1_is_refused_before_running() {
    let (dir, out) = certify_reference(harness::VERSION, Some("version:1"));

    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    let want = format!(
        "error: adapter `{0}` speaks protocol v1: certify needs protocol v2 (blind derive questions, proven fetches; see adapters/PROTOCOL.md). `harness --target adapter:{0}` still runs it, reported as v1\n",
        reference_adapter()
    );
    assert_eq!(out.stderr, want);
    assert!(!dir.path().join("b").exists());
}

#[test]
fn a_bundle_of_a_v1_adapter_fails_the_implementation_check() {
    let (dir, out) = certify_reference(harness::VERSION, None);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let bundle = dir.path().join("b");
    edit_results(&bundle, |v| {
        v["implementation"]["protocol_version"] = 1.into()
    });
    rehash(&bundle);

    let verified = verify(&bundle, &[]);

    assert_eq!(verified.code, 1);
    assert_eq!(
        failed_lines(&verified),
        [format!(
            "✘ implementation: reference-adapter {} spoke protocol v1: certification needs adapter protocol v2 (blind questions, proven fetches)",
            harness::VERSION
        )
        .as_str()]
    );
}

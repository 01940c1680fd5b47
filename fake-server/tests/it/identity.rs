//! Keystone: `--users FILE` through the real binary, and the token and application_credential
//! methods.

use std::process::{Child, Command, Stdio};

use fake_server::Engine;
use rstest::rstest;
use serde_json::{Value, json};

use crate::support::{Env, client};

/// The `fake-server` binary on an ephemeral port; killed on drop.
struct Binary {
    child: Child,
    base: String,
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn users_file(name: &str, text: &str) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("fake-server-it-{}-{name}.json", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

fn start_binary(users: &std::path::Path) -> Binary {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-server"))
        .args(["--listen", "127.0.0.1:0", "--users"])
        .arg(users)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = fake_server::banner::read_base_url(child.stdout.take().unwrap()).unwrap();
    Binary { child, base }
}

async fn auth(base: &str, identity: Value) -> (u16, Option<String>, Value) {
    let r = client()
        .post(format!("{base}/identity/v3/auth/tokens"))
        .json(&json!({"auth": {"identity": identity}}))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let token = r
        .headers()
        .get("x-subject-token")
        .map(|t| t.to_str().unwrap().to_owned());
    (status, token, r.json().await.unwrap_or(Value::Null))
}

fn password(user: &str, pw: &str) -> Value {
    json!({"methods": ["password"], "password": {"user": {"name": user, "password": pw, "domain": {"name": "Default"}}}})
}

async fn compute(base: &str, path: &str, token: &str) -> u16 {
    client()
        .get(format!("{base}/compute/v2.1{path}"))
        .header("X-Auth-Token", token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_users_file_restricts_logins_and_assigns_projects_and_roles() {
    let file = users_file(
        "ok",
        r#"{"users": [{"name": "alice", "password": "s3cret", "project": "demo"},
                      {"name": "ops", "password": "pw", "roles": ["admin"]}]}"#,
    );
    let fake = start_binary(&file);
    let (status, token, body) = auth(&fake.base, password("alice", "s3cret")).await;
    assert_eq!(status, 201);
    assert_eq!(body["token"]["project"]["name"], "demo");
    let alice = token.unwrap();
    assert_eq!(compute(&fake.base, "/servers", &alice).await, 200);
    assert_eq!(
        compute(&fake.base, "/servers?all_tenants=1", &alice).await,
        403
    );
    assert_eq!(auth(&fake.base, password("alice", "wrong")).await.0, 401);
    assert_eq!(auth(&fake.base, password("mallory", "s3cret")).await.0, 401);
    let ops = auth(&fake.base, password("ops", "pw")).await.1.unwrap();
    assert_eq!(
        compute(&fake.base, "/servers?all_tenants=1", &ops).await,
        200
    );
    // Application credentials act for a listed user, with that user's password as secret.
    let cred = |secret: &str| json!({"methods": ["application_credential"], "application_credential": {"name": "ci", "secret": secret, "user": {"name": "alice", "domain": {"name": "Default"}}}});
    let (status, _, body) = auth(&fake.base, cred("s3cret")).await;
    assert_eq!(status, 201);
    assert_eq!(body["token"]["user"]["name"], "alice");
    assert_eq!(auth(&fake.base, cred("guess")).await.0, 401);
    std::fs::remove_file(file).unwrap();
}

#[test]
fn a_malformed_users_file_stops_the_binary_with_a_message_naming_it() {
    let file = users_file("bad", r#"{"users": [{"name": "alice"}]}"#);
    let out = Command::new(env!("CARGO_BIN_EXE_fake-server"))
        .args(["--listen", "127.0.0.1:0", "--users"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("failed to parse {}", file.display()))
            && stderr.contains("missing field `password`"),
        "{stderr}"
    );
    std::fs::remove_file(file).unwrap();
}

#[rstest]
#[tokio::test]
async fn a_token_is_exchanged_for_a_new_one_and_unknown_tokens_are_refused(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::start(engine).await;
    let base = env.fake.uri();
    let first = env.token("carol").await;
    let (status, token, body) =
        auth(&base, json!({"methods": ["token"], "token": {"id": first}})).await;
    assert_eq!(status, 201);
    assert_eq!(body["token"]["user"]["name"], "carol");
    assert_eq!(body["token"]["methods"], json!(["token"]));
    let second = token.unwrap();
    assert_ne!(second, first);
    assert_eq!(compute(&base, "/servers", &second).await, 200);
    let (status, token, _) = auth(
        &base,
        json!({"methods": ["token"], "token": {"id": "not-a-token"}}),
    )
    .await;
    assert_eq!((status, token), (401, None));
    assert_eq!(compute(&base, "/servers", "not-a-token").await, 401);
}

#[rstest]
#[tokio::test]
async fn an_application_credential_logs_in_as_its_user_without_a_users_file(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::start(engine).await;
    let base = env.fake.uri();
    let (status, token, body) = auth(
        &base,
        json!({"methods": ["application_credential"], "application_credential": {"id": "cred-1", "secret": "x"}}),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(body["token"]["user"]["name"], "cred-1");
    assert_eq!(body["token"]["methods"], json!(["application_credential"]));
    assert_eq!(compute(&base, "/servers", &token.unwrap()).await, 200);
    let (status, _, _) = auth(
        &base,
        json!({"methods": ["application_credential"], "application_credential": {"secret": "x"}}),
    )
    .await;
    assert_eq!(status, 400);
}

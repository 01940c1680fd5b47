//! Shared helpers: start a fake, get tokens, seed, and call it.

use std::time::Duration;

use fake_server::{Engine, FakeServer, FakeServerBuilder, Profile};
use serde_json::{Value, json};

pub(crate) struct Env {
    pub(crate) fake: FakeServer,
    pub(crate) http: reqwest::Client,
}

pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
}

impl Resp {
    /// Reads a response whose body may not be JSON (then `body` is null).
    async fn lenient(r: reqwest::Response) -> Resp {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let bytes = r.bytes().await.unwrap();
        Resp {
            status,
            headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }
}

impl Env {
    pub(crate) async fn start(engine: Engine) -> Env {
        Env::with(engine, |b| b).await
    }

    pub(crate) async fn with(
        engine: Engine,
        configure: impl FnOnce(FakeServerBuilder) -> FakeServerBuilder,
    ) -> Env {
        let fake = configure(FakeServer::builder().engine(engine))
            .start()
            .await
            .expect("fake starts");
        Env {
            fake,
            http: client(),
        }
    }

    /// A fake with the Nova profile on a manual clock, one second per step
    /// (`advance` moves it).
    pub(crate) async fn nova_manual(engine: Engine) -> Env {
        Env::with(engine, |b| {
            b.manual_clock(true)
                .step(Duration::from_millis(1000))
                .profile(Profile::Nova)
        })
        .await
    }

    /// The opening most tests share: a fake as [`Env::start`] gives it, then
    /// [`Env::log_in_and_seed`].
    pub(crate) async fn seeded<const N: usize>(
        engine: Engine,
        users: [&str; N],
        servers: Value,
    ) -> (Env, [String; N], Vec<String>) {
        Env::start(engine)
            .await
            .log_in_and_seed(users, servers)
            .await
    }

    /// A token for each of `users` (in order), then `servers` seeded: the tokens and the
    /// servers' ids, in order.
    pub(crate) async fn log_in_and_seed<const N: usize>(
        self,
        users: [&str; N],
        servers: Value,
    ) -> (Env, [String; N], Vec<String>) {
        let tokens = self.tokens(users).await;
        let ids = self.seed(servers).await;
        (self, tokens, ids)
    }

    /// The opening of the tests that act on one server: the fake `start` gives, an admin token
    /// and one active server (its id).
    pub(crate) async fn one_active(start: impl Future<Output = Env>) -> (Env, String, String) {
        let env = start.await;
        let token = env.token("admin").await;
        let id = env.seed_one(Some("active"), None).await;
        (env, token, id)
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.fake.uri())
    }

    pub(crate) async fn token(&self, user: &str) -> String {
        let body = json!({"auth": {"identity": {"methods": ["password"],
            "password": {"user": {"name": user, "password": "pw", "domain": {"name": "Default"}}}},
            "scope": {"project": {"name": user, "domain": {"name": "Default"}}}}});
        let r = self
            .http
            .post(self.url("/identity/v3/auth/tokens"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        r.headers()["x-subject-token"].to_str().unwrap().to_owned()
    }

    /// A token for each user, in order.
    pub(crate) async fn tokens<const N: usize>(&self, users: [&str; N]) -> [String; N] {
        let mut tokens = [const { String::new() }; N];
        for (token, user) in tokens.iter_mut().zip(users) {
            *token = self.token(user).await;
        }
        tokens
    }

    /// `POST /_fake/servers` with `servers`; the response as it is (for refused seeds too).
    pub(crate) async fn try_seed(&self, servers: Value) -> Resp {
        self.control("POST", "/_fake/servers", Some(json!({"servers": servers})))
            .await
    }

    /// A request without a token or microversion: the `/_fake/` control plane, or an
    /// unauthenticated call.
    pub(crate) async fn control(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        self.call(method, path, None, None, body).await
    }

    /// A request with `token` at microversion 2.96.
    pub(crate) async fn send(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Resp {
        self.call(method, path, Some(token), Some("2.96"), body)
            .await
    }

    /// Seeds servers; returns their ids in order.
    pub(crate) async fn seed(&self, servers: Value) -> Vec<String> {
        let r = self.try_seed(servers).await;
        assert_eq!(r.status, 201, "{}", r.body);
        each_server(&r.body, |s| text(s, "id"))
    }

    pub(crate) async fn seed_one(&self, vm: Option<&str>, task: Option<&str>) -> String {
        self.seed(json!([{"vm_state": vm, "task_state": task}]))
            .await
            .remove(0)
    }

    pub(crate) async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        mv: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut req = self.http.request(method.parse().unwrap(), self.url(path));
        if let Some(t) = token {
            req = req.header("X-Auth-Token", t);
        }
        if let Some(v) = mv {
            req = req.header("OpenStack-API-Version", format!("compute {v}"));
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let bytes = r.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        Resp {
            status,
            headers,
            body,
        }
    }

    /// `PUT /servers/{id}` at 2.96 with `{"server": server}`.
    pub(crate) async fn update(&self, id: &str, token: &str, server: Value) -> Resp {
        let path = format!("/compute/v2.1/servers/{id}");
        self.send("PUT", &path, token, Some(json!({ "server": server })))
            .await
    }

    /// `GET path` with `token` at microversion `mv`.
    pub(crate) async fn get_at(&self, path: &str, token: &str, mv: &str) -> Resp {
        self.call("GET", path, Some(token), Some(mv), None).await
    }

    pub(crate) async fn get(&self, path: &str, token: &str) -> Resp {
        self.send("GET", path, token, None).await
    }

    pub(crate) async fn raw_post(&self, path: &str, token: &str, body: Vec<u8>) -> Resp {
        let r = self
            .http
            .post(self.url(path))
            .header("X-Auth-Token", token)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        Resp::lenient(r).await
    }

    /// Sends `body` byte for byte (key order kept, as Nova's messages quote it).
    pub(crate) async fn raw(
        &self,
        method: &str,
        path: &str,
        token: &str,
        mv: &str,
        body: &str,
    ) -> Resp {
        let r = self
            .http
            .request(method.parse().unwrap(), self.url(path))
            .header("X-Auth-Token", token)
            .header("OpenStack-API-Version", format!("compute {mv}"))
            .header("Content-Type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        Resp::lenient(r).await
    }

    pub(crate) async fn server(&self, id: &str, token: &str) -> Value {
        let r = self
            .get(&format!("/compute/v2.1/servers/{id}"), token)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body["server"].clone()
    }

    pub(crate) async fn advance(&self, ms: u64) {
        let r = self
            .control("POST", "/_fake/clock", Some(json!({"advance_ms": ms})))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }

    pub(crate) async fn action(&self, id: &str, token: &str, body: Value) -> Resp {
        self.send(
            "POST",
            &format!("/compute/v2.1/servers/{id}/action"),
            token,
            Some(body),
        )
        .await
    }
}

impl Resp {
    /// The status and the error message (`{"<kind>": {"message": …}}`; null when the body has
    /// none).
    pub(crate) fn status_message(&self) -> (u16, Value) {
        let msg = self
            .body
            .as_object()
            .and_then(|o| o.values().next())
            .map(|v| v["message"].clone())
            .unwrap_or(Value::Null);
        (self.status, msg)
    }

    /// Nova's `badRequest` message (panics when the body has none).
    pub(crate) fn bad_request(&self) -> &str {
        self.body["badRequest"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no badRequest message in {}", self.body))
    }
}

/// Each server of a `{"servers": [...]}` body through `f`, in order.
pub(crate) fn each_server<T>(body: &Value, f: impl FnMut(&Value) -> T) -> Vec<T> {
    body["servers"].as_array().unwrap().iter().map(f).collect()
}

/// A string field of a JSON object (panics when it is not a string).
pub(crate) fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap().to_owned()
}

/// The servers' ids, sorted.
pub(crate) fn ids(body: &Value) -> Vec<String> {
    sorted(each_server(body, |s| text(s, "id")))
}

pub(crate) fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// The journal's token fingerprint: the first 16 hex digits of SHA-256, computed here by
/// `sha256sum` so the test does not share the fake's code.
pub(crate) fn fingerprint(token: &str) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha256sum runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(token.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..16].to_owned()
}

/// A reqwest client (reqwest needs a rustls provider installed even for plain http).
pub(crate) fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

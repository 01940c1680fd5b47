//! The public `FakeServer` facade and its builder.

use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use wiremock::MockServer;

use crate::api::{Api, ApiConfig, UserEntry};
use crate::domain::{Deriver, Deviation, Profile, Timing};
use crate::edge;

/// Which HTTP edge serves the fake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// A `wiremock::MockServer` (embedded use; retains every matched request until dropped).
    #[default]
    Wiremock,
    /// A plain hyper accept loop (long runs and load).
    Hyper,
}

impl Engine {
    /// `wiremock` or `hyper`.
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Wiremock => "wiremock",
            Engine::Hyper => "hyper",
        }
    }
}

/// Failed to parse an engine name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to parse engine `{name}`: expected hyper or wiremock")]
pub struct ParseEngineError {
    /// The rejected name.
    pub name: String,
}

impl FromStr for Engine {
    type Err = ParseEngineError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "wiremock" => Ok(Engine::Wiremock),
            "hyper" => Ok(Engine::Hyper),
            other => Err(ParseEngineError {
                name: other.to_owned(),
            }),
        }
    }
}

/// Failed to start a [`FakeServer`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FakeServerStartError {
    /// The listen address could not be bound.
    #[error("failed to bind {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Configures a [`FakeServer`]; finish with [`start`](Self::start) or [`mount`](Self::mount).
#[derive(Debug, Clone)]
pub struct FakeServerBuilder {
    profile: Profile,
    deviations: Vec<Deviation>,
    timing: Timing,
    manual_clock: bool,
    control: bool,
    token_ttl: Duration,
    users: Option<Vec<UserEntry>>,
    engine: Engine,
    listen: SocketAddr,
    render_cache: bool,
    journal_capacity: usize,
}

impl Default for FakeServerBuilder {
    fn default() -> Self {
        FakeServerBuilder {
            profile: Profile::default(),
            deviations: Vec::new(),
            timing: Timing::default(),
            manual_clock: false,
            control: true,
            token_ttl: Duration::from_secs(3600),
            users: None,
            engine: Engine::default(),
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            render_cache: true,
            journal_capacity: crate::api::DEFAULT_JOURNAL_CAPACITY,
        }
    }
}

impl FakeServerBuilder {
    /// The derivation profile (default `ecs-openstack`).
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// Serves `status` for the pair `(vm_state, task_state)` instead of the derived one.
    pub fn deviation(
        mut self,
        vm_state: Option<&str>,
        task_state: Option<&str>,
        status: &str,
    ) -> Self {
        self.deviations
            .push(Deviation::new(vm_state, task_state, status));
        self
    }

    /// Adds parsed deviations.
    pub fn deviations(mut self, deviations: impl IntoIterator<Item = Deviation>) -> Self {
        self.deviations.extend(deviations);
        self
    }

    /// How long each lifecycle task step lasts (default 500 ms).
    pub fn step(mut self, step: Duration) -> Self {
        self.timing.step_ms = u64::try_from(step.as_millis()).unwrap_or(u64::MAX).max(1);
        self
    }

    /// Use a manual clock, advanced with `POST /_fake/clock`.
    pub fn manual_clock(mut self, manual: bool) -> Self {
        self.manual_clock = manual;
        self
    }

    /// Serve the `/_fake/` control plane (default true).
    pub fn control(mut self, enabled: bool) -> Self {
        self.control = enabled;
        self
    }

    /// Token lifetime (default one hour).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Make DELETE soft-delete, reclaiming after `interval` of clock time.
    pub fn reclaim_interval(mut self, interval: Duration) -> Self {
        self.timing.reclaim_ms = Some(u64::try_from(interval.as_millis()).unwrap_or(u64::MAX));
        self
    }

    /// Accept only these users (default: any name and password).
    pub fn users(mut self, users: Vec<UserEntry>) -> Self {
        self.users = Some(users);
        self
    }

    /// Reuse rendered server bodies whose every input is unchanged (default on; off renders
    /// every body afresh, for measuring the renderer).
    ///
    /// ```
    /// let b = fake_server::FakeServer::builder().render_cache(false);
    /// # let _ = b;
    /// ```
    pub fn render_cache(mut self, on: bool) -> Self {
        self.render_cache = on;
        self
    }

    /// How many requests the journal (`GET /_fake/journal`) keeps, newest last (default
    /// [`DEFAULT_JOURNAL_CAPACITY`](crate::api::DEFAULT_JOURNAL_CAPACITY)).
    ///
    /// ```
    /// let b = fake_server::FakeServer::builder().journal_capacity(1_000_000);
    /// # let _ = b;
    /// ```
    pub fn journal_capacity(mut self, entries: usize) -> Self {
        self.journal_capacity = entries.max(1);
        self
    }

    /// The HTTP edge (default wiremock).
    pub fn engine(mut self, engine: Engine) -> Self {
        self.engine = engine;
        self
    }

    /// The listen address (default `127.0.0.1:0`, an ephemeral loopback port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    fn api(&self, engine: Engine) -> Arc<Api> {
        Arc::new(Api::new(ApiConfig {
            deriver: Deriver::new(self.profile, self.deviations.clone()),
            timing: self.timing,
            manual_clock: self.manual_clock,
            control: self.control,
            token_ttl_secs: i64::try_from(self.token_ttl.as_secs()).unwrap_or(i64::MAX),
            users: self.users.clone(),
            engine: engine.as_str().to_owned(),
            fallback_base: format!("http://{}", self.listen),
            render_cache: self.render_cache,
            journal_capacity: self.journal_capacity,
        }))
    }

    /// Starts the fake on its own listener.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use fake_server::{FakeServer, Profile};
    /// // Arrange
    /// let fake = FakeServer::builder().profile(Profile::Nova).start().await.unwrap();
    /// // Act
    /// let uri = fake.uri();
    /// // Assert
    /// assert!(uri.starts_with("http://127.0.0.1:"));
    /// assert!(!uri.ends_with('/'));
    /// # }
    /// ```
    pub async fn start(self) -> Result<FakeServer, FakeServerStartError> {
        let api = self.api(self.engine);
        let listen = self.listen;
        let bind_err = |source| FakeServerStartError::Bind {
            addr: listen,
            source,
        };
        match self.engine {
            Engine::Wiremock => {
                let listener = std::net::TcpListener::bind(listen).map_err(bind_err)?;
                let addr = listener.local_addr().map_err(bind_err)?;
                let server = MockServer::builder()
                    .listener(listener)
                    .disable_request_recording()
                    .start()
                    .await;
                edge::wiremock::mount(api, &server).await;
                Ok(FakeServer {
                    addr,
                    engine: Engine::Wiremock,
                    running: Running::Wiremock(Box::new(server)),
                })
            }
            Engine::Hyper => {
                let listener = edge::hyper::bind(listen).await.map_err(bind_err)?;
                let addr = listener.local_addr().map_err(bind_err)?;
                let (tx, rx) = watch::channel(false);
                tokio::spawn(edge::hyper::serve(listener, api, rx));
                Ok(FakeServer {
                    addr,
                    engine: Engine::Hyper,
                    running: Running::Hyper(tx),
                })
            }
        }
    }

    /// Mounts the fake's routes (`/identity`, `/compute`, `/v1/`, `/_fake`) on a caller's
    /// own `wiremock::MockServer`, next to the caller's mocks.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use fake_server::FakeServer;
    /// use wiremock::MockServer;
    /// // Arrange
    /// let mock = MockServer::start().await;
    /// FakeServer::builder().mount(&mock).await;
    /// // Act
    /// let body = std::net::TcpStream::connect(mock.address()).is_ok();
    /// // Assert: the fake answers on the caller's server (see the integration tests for HTTP).
    /// assert!(body);
    /// # }
    /// ```
    pub async fn mount(self, server: &MockServer) {
        let mut this = self;
        this.listen = *server.address();
        let api = this.api(Engine::Wiremock);
        edge::wiremock::mount(api, server).await;
    }
}

enum Running {
    Wiremock(
        #[expect(dead_code, reason = "held so the server lives as long as the facade")]
        Box<MockServer>,
    ),
    Hyper(watch::Sender<bool>),
}

/// A running fake compute cloud (Keystone + Nova + ECS native + control plane).
///
/// Stops when dropped.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use fake_server::{Engine, FakeServer};
/// // Arrange, Act
/// let fake = FakeServer::builder().engine(Engine::Hyper).start().await.unwrap();
/// // Assert
/// assert_eq!(fake.engine(), Engine::Hyper);
/// assert_eq!(fake.uri(), format!("http://{}", fake.address()));
/// # }
/// ```
pub struct FakeServer {
    addr: SocketAddr,
    engine: Engine,
    running: Running,
}

impl std::fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeServer")
            .field("addr", &self.addr)
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

impl FakeServer {
    /// A builder with the defaults (profile `ecs-openstack`, wiremock engine, ephemeral port).
    pub fn builder() -> FakeServerBuilder {
        FakeServerBuilder::default()
    }

    /// Starts a fake with every default.
    pub async fn start() -> Result<FakeServer, FakeServerStartError> {
        FakeServer::builder().start().await
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// The serving engine.
    pub fn engine(&self) -> Engine {
        self.engine
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        match &self.running {
            Running::Hyper(tx) => {
                let _ = tx.send(true);
            }
            Running::Wiremock(_) => {}
        }
    }
}

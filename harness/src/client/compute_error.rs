//! [`ComputeError`]: why a compute request failed.

use super::auth::AuthenticateError;
use reqwest::{Method, StatusCode};

/// Why a compute request failed. URLs are redacted.
#[derive(Debug, thiserror::Error)]
pub enum ComputeError {
    /// No token could be had.
    #[error("failed to get a token for the compute API")]
    Auth(#[source] AuthenticateError),
    /// The compute endpoint is not a URL.
    #[error("failed to use compute endpoint {url}: not an http(s) URL")]
    InvalidEndpoint {
        /// The endpoint.
        url: String,
    },
    /// The request never got an answer (connection refused or dropped, timeout).
    #[error("failed to {method} {url} after {attempts} attempt(s)")]
    Transport {
        /// The HTTP method.
        method: Method,
        /// The URL.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last transport error (without its URL).
        #[source]
        source: reqwest::Error,
    },
    /// The cloud answered with an error status.
    #[error("failed to {method} {url}: HTTP {}: {message}", .status.as_u16())]
    Http {
        /// The HTTP method.
        method: Method,
        /// The URL.
        url: String,
        /// The status.
        status: StatusCode,
        /// The Nova error message (`{"<kind>": {"message": …}}`), or the start of the body.
        message: String,
    },
    /// The cloud kept answering 429 or 503 until the attempts or the deadline ran out.
    #[error(
        "failed to {method} {url}: still HTTP {} after {attempts} attempt(s) in {waited_ms} ms: {message}",
        .status.as_u16()
    )]
    GaveUp {
        /// The HTTP method.
        method: Method,
        /// The URL.
        url: String,
        /// The last status (429 or 503).
        status: StatusCode,
        /// Attempts made.
        attempts: u32,
        /// Time spent in all.
        waited_ms: u128,
        /// The last error message.
        message: String,
    },
    /// A success answer that is not what Nova sends.
    #[error("failed to read the answer to {method} {url}: {problem}")]
    InvalidResponse {
        /// The HTTP method.
        method: Method,
        /// The URL.
        url: String,
        /// What was wrong.
        problem: String,
    },
    /// The pinned microversion is not available.
    #[error("failed to negotiate a compute microversion at {url}: {problem}")]
    Microversion {
        /// The endpoint.
        url: String,
        /// Why.
        problem: String,
    },
}

impl ComputeError {
    /// The HTTP status of an error answer, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            ComputeError::Http { status, .. } | ComputeError::GaveUp { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }
}

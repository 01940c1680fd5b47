//! The two thin HTTP edges over the same [`Api`](crate::api::Api).
//!
//! * `wiremock`: mounts the fake on a `wiremock::MockServer` (embedded use, Rust tests).
//!   wiremock keeps a clone of every request a mock matches until `reset()`, which is harmless
//!   for short runs and fatal for long ones.
//! * `hyper`: a plain accept loop with no retention, for the standalone binary and load.

pub(crate) mod hyper;
pub(crate) mod wiremock;

use crate::api::ApiRequest;

/// Converts a request's parts into the API layer's plain request, once, at the edge.
///
/// Both edges speak `http` 1.x types (hyper directly, wiremock through its re-export), so one
/// conversion serves both; header values that are not UTF-8 are kept lossily.
pub(crate) fn api_request(
    method: &::hyper::Method,
    uri_path: &str,
    uri_query: Option<&str>,
    headers: &::hyper::HeaderMap,
    body: Vec<u8>,
) -> ApiRequest {
    ApiRequest {
        method: method.as_str().to_owned(),
        path: uri_path.to_owned(),
        query: uri_query.unwrap_or("").to_owned(),
        headers: headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    }
}

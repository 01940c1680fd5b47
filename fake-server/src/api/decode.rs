//! Request bodies into types, once: parse ([`Json`]), validate against Nova's schema, decode.

use serde::de::DeserializeOwned;

use super::error::bad_request;
use super::http::ApiResponse;
use super::json::Json;
use super::schema::Schema;

/// Parses a body as Nova's deserializer does: anything but one JSON document is
/// `400 Malformed request body`.
pub(crate) fn parse(body: &[u8]) -> Result<Json, ApiResponse> {
    serde_json::from_slice(body).map_err(|_| bad_request("Malformed request body"))
}

/// Checks a parsed body against a schema, answering Nova's 400 for the first error.
pub(crate) fn check(json: &Json, schema: &Schema) -> Result<(), ApiResponse> {
    schema.validate(json).map_err(bad_request)
}

/// Decodes a parsed, validated body into its type.
///
/// The schema has already checked every field Nova checks, so this fails only where the
/// fake's types are narrower than Nova's schema (reported with serde's reason).
pub(crate) fn typed<T: DeserializeOwned>(json: &Json) -> Result<T, ApiResponse> {
    serde_json::from_value(json.to_value())
        .map_err(|e| bad_request(format!("Invalid request body: {e}")))
}

/// [`parse`], [`check`] and [`typed`] in one go.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8], schema: &Schema) -> Result<T, ApiResponse> {
    let json = parse(body)?;
    check(&json, schema)?;
    typed(&json)
}

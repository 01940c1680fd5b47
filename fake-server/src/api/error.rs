//! Nova-shaped error bodies: `{"<kind>": {"code": N, "message": "…"}}`.

use serde_json::json;

use super::http::ApiResponse;

/// The fault name Nova's wrapper gives a status code.
pub(crate) fn nova_fault_name(status: u16) -> &'static str {
    match status {
        400 => "badRequest",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "itemNotFound",
        405 => "badMethod",
        409 => "conflictingRequest",
        413 | 429 => "overLimit",
        415 => "badMediaType",
        501 => "notImplemented",
        503 => "serviceUnavailable",
        _ => "computeFault",
    }
}

/// A Nova-shaped error response.
pub(crate) fn nova_error(status: u16, message: impl Into<String>) -> ApiResponse {
    let name = nova_fault_name(status);
    ApiResponse::json(
        status,
        &json!({ name: {"code": status, "message": message.into()} }),
    )
}

pub(crate) fn bad_request(message: impl Into<String>) -> ApiResponse {
    nova_error(400, message)
}

pub(crate) fn not_found(message: impl Into<String>) -> ApiResponse {
    nova_error(404, message)
}

pub(crate) fn conflict(message: impl Into<String>) -> ApiResponse {
    nova_error(409, message)
}

pub(crate) fn forbidden(message: impl Into<String>) -> ApiResponse {
    nova_error(403, message)
}

pub(crate) fn server_not_found(id: &str) -> ApiResponse {
    not_found(format!("Instance {id} could not be found."))
}

pub(crate) fn unauthorized() -> ApiResponse {
    nova_error(401, "The request you have made requires authentication.")
        .with_header("www-authenticate", "Keystone uri=\"/identity/v3\"")
}

pub(crate) fn too_large() -> ApiResponse {
    nova_error(
        413,
        format!(
            "Request body is larger than {} bytes.",
            super::http::MAX_BODY_BYTES
        ),
    )
}

pub(crate) fn method_not_allowed() -> ApiResponse {
    nova_error(
        405,
        "The method specified is not allowed for this resource.",
    )
}

/// Parses a JSON body into a typed value, naming the failing field in the 400 message.
pub(crate) fn parse_typed<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiResponse> {
    if body.is_empty() {
        return Err(bad_request("Malformed request body: the body is empty"));
    }
    serde_json::from_slice(body).map_err(|e| bad_request(format!("Invalid request body: {e}")))
}

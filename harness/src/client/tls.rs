//! The one place an HTTP client for a cloud is built.

use std::path::PathBuf;
use std::time::Duration;

/// How to verify the TLS certificates of a cloud's endpoints.
///
/// Verification is on by default. `cacert` adds a private CA to the system roots; `insecure`
/// turns verification off, and callers then put a warning into every report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// A PEM file with one or more extra CA certificates (`--cacert`, `OS_CACERT`, `cacert:`).
    pub cacert: Option<PathBuf>,
    /// Skip certificate verification (`--insecure`, `OS_INSECURE`, `insecure: true`,
    /// `verify: false`).
    pub insecure: bool,
}

/// Why an HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildHttpClientError {
    /// The CA file could not be read.
    #[error("failed to read CA certificate file {path}")]
    ReadCacert {
        /// The file named by `--cacert`.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The CA file holds no usable PEM certificate.
    #[error("failed to load CA certificates from {path}: no PEM certificate in the file")]
    ParseCacert {
        /// The file named by `--cacert`.
        path: PathBuf,
        /// The parse error, when there was one.
        #[source]
        source: Option<reqwest::Error>,
    },
    /// reqwest refused the configuration.
    #[error("failed to build the HTTP client")]
    Build(#[source] reqwest::Error),
}

/// The timeout for connecting to an endpoint; request timeouts are set per request.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Builds the reqwest client used for Keystone and Nova, with the ring crypto provider.
///
/// # Examples
///
/// ```
/// use harness::client::{http_client, TlsOptions};
///
/// // Arrange
/// let tls = TlsOptions::default();
///
/// // Act
/// let client = http_client(&tls);
///
/// // Assert
/// assert!(client.is_ok());
/// ```
pub fn http_client(tls: &TlsOptions) -> Result<reqwest::Client, BuildHttpClientError> {
    // The workspace builds reqwest with `rustls-no-provider`; installing fails only when a
    // provider is already installed, which is just as good.
    let _ = rustls::crypto::ring::default_provider().install_default();

    let mut builder = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!(
            "status-conformance-harness/",
            env!("CARGO_PKG_VERSION")
        ));
    if let Some(path) = &tls.cacert {
        let pem = std::fs::read(path).map_err(|source| BuildHttpClientError::ReadCacert {
            path: path.clone(),
            source,
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|source| {
            BuildHttpClientError::ParseCacert {
                path: path.clone(),
                source: Some(source),
            }
        })?;
        if certs.is_empty() {
            return Err(BuildHttpClientError::ParseCacert {
                path: path.clone(),
                source: None,
            });
        }
        builder = builder.tls_certs_merge(certs);
    }
    if tls.insecure {
        builder = builder.tls_danger_accept_invalid_certs(true);
    }
    builder.build().map_err(BuildHttpClientError::Build)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_cacert_file_is_named_in_the_error() {
        let tls = TlsOptions {
            cacert: Some(PathBuf::from("/nonexistent/ca.pem")),
            insecure: false,
        };
        let err = http_client(&tls).unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed to read CA certificate file /nonexistent/ca.pem"
        );
    }

    #[test]
    fn cacert_without_certificates_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let tls = TlsOptions {
            cacert: Some(path.clone()),
            insecure: false,
        };
        let err = http_client(&tls).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "failed to load CA certificates from {}: no PEM certificate in the file",
                path.display()
            )
        );
    }

    #[test]
    fn insecure_client_builds() {
        let tls = TlsOptions {
            cacert: None,
            insecure: true,
        };
        assert!(http_client(&tls).is_ok());
    }
}

//! Cloud configuration: `clouds.yaml` + `secure.yaml`, `OS_*` variables, or `--target` + token.
//!
//! The main entry point is [`load_cloud`]; it returns a [`CloudConfig`].

use super::auth::{RawCloud, auth_config};
use super::files::{ConfigSources, LoadedFile, load_first, merge, normalize_keys};
use super::types::{AuthConfig, CloudConfig, CloudRequest, Interface};
use crate::client::Secret;
use crate::client::TlsOptions;
use serde_json::{Map, Value};
use std::path::PathBuf;

/// Why no cloud configuration could be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadCloudConfigError {
    /// A configuration file could not be read.
    #[error("failed to read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// `OS_CLIENT_CONFIG_FILE` or `OS_CLIENT_SECURE_FILE` names a file that does not exist.
    #[error("failed to read {path} (named by {variable}): the file does not exist")]
    MissingOverrideFile {
        /// The variable.
        variable: String,
        /// The file it names.
        path: PathBuf,
    },
    /// A configuration file is not valid YAML.
    #[error("failed to parse {path}{}: {problem}", at_line(*line, *column))]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<u64>,
        /// 1-based column, when known.
        column: Option<u64>,
        /// What is wrong (never the offending text).
        problem: String,
    },
    /// A configuration file is empty or its top level is not a mapping.
    #[error("failed to use {path}: the file is empty or not a mapping")]
    NotAMapping {
        /// The file.
        path: PathBuf,
    },
    /// The named cloud does not exist.
    #[error(
        "failed to find cloud `{name}`: {}",
        describe_available(available, loaded, looked_in)
    )]
    CloudNotFound {
        /// The name asked for.
        name: String,
        /// The clouds that exist, sorted.
        available: Vec<String>,
        /// The files the clouds were read from.
        loaded: Vec<PathBuf>,
        /// Where `clouds.yaml` was looked for.
        looked_in: String,
    },
    /// No cloud was named and there is not exactly one to choose.
    #[error(
        "failed to choose a cloud: give --os-cloud NAME or set OS_CLOUD or OS_AUTH_URL ({})",
        describe_available(available, loaded, looked_in)
    )]
    NoCloudSelected {
        /// The clouds that exist, sorted.
        available: Vec<String>,
        /// The files the clouds were read from.
        loaded: Vec<PathBuf>,
        /// Where `clouds.yaml` was looked for.
        looked_in: String,
    },
    /// The cloud's settings are incomplete or wrong.
    #[error("failed to configure cloud `{cloud}` from {origin}: {problem}")]
    Invalid {
        /// The cloud's name.
        cloud: String,
        /// Where it was read from.
        origin: String,
        /// What is wrong, naming the field.
        problem: String,
    },
}

fn at_line(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
        (Some(l), None) => format!(" at line {l}"),
        _ => String::new(),
    }
}

fn describe_available(available: &[String], loaded: &[PathBuf], looked_in: &str) -> String {
    let clouds = if available.is_empty() {
        "no clouds are defined".to_owned()
    } else {
        format!("defined clouds: {}", available.join(", "))
    };
    let read = if loaded.is_empty() {
        "no clouds.yaml found".to_owned()
    } else {
        let files: Vec<String> = loaded.iter().map(|p| p.display().to_string()).collect();
        format!("read {}", files.join(" and "))
    };
    format!("{clouds}; {read}; looked in {looked_in}")
}

/// Where `clouds.yaml` was looked for, in words.
fn describe_search(sources: &ConfigSources) -> String {
    match sources.var("OS_CLIENT_CONFIG_FILE") {
        Some(file) => format!("{file} (OS_CLIENT_CONFIG_FILE)"),
        None => {
            format!(
                "{} for clouds.yaml, clouds.yml or clouds.json",
                sources.search_dirs_shown().join(", ")
            )
        }
    }
}

/// The name openstacksdk gives the cloud built from `OS_*` variables.
const ENV_CLOUD_DEFAULT_NAME: &str = "envvars";

/// `OS_*` variables that select or locate a cloud rather than describe one.
const SELECTORS: [&str; 5] = [
    "OS_CLOUD",
    "OS_REGION_NAME",
    "OS_CLIENT_CONFIG_FILE",
    "OS_CLIENT_SECURE_FILE",
    "OS_CLOUD_NAME",
];

/// Loads the cloud the request and environment select.
///
/// Order, as in openstacksdk and `openstack`: `--target` with a token (`--token`/`OS_TOKEN`)
/// needs no file at all; otherwise `clouds.yaml` (+ `secure.yaml`) and the `OS_*` cloud
/// (named `envvars`, or `OS_CLOUD_NAME`) are loaded, and `--os-cloud`/`OS_CLOUD` picks one. With
/// neither, the `OS_*` cloud is used, else the only cloud in the file.
///
/// # Examples
///
/// ```
/// use harness::client::{load_cloud, AuthConfig, CloudRequest, ConfigSources};
///
/// // Arrange
/// let sources = ConfigSources::new(
///     [
///         ("OS_AUTH_URL", "http://127.0.0.1:5000/identity/v3"),
///         ("OS_USERNAME", "admin"),
///         ("OS_PASSWORD", "s3cret"),
///         ("OS_USER_DOMAIN_NAME", "Default"),
///     ],
///     "/nonexistent",
/// );
///
/// // Act
/// let cloud = load_cloud(&CloudRequest::default(), &sources).unwrap();
///
/// // Assert
/// assert_eq!(cloud.name, "envvars");
/// assert!(matches!(cloud.auth, AuthConfig::Password { .. }));
/// ```
pub fn load_cloud(
    request: &CloudRequest,
    sources: &ConfigSources,
) -> Result<CloudConfig, LoadCloudConfigError> {
    let env_token = || sources.var("OS_TOKEN").map(Secret::new);
    if let Some(endpoint) = &request.endpoint_override
        && let Some(token) = request.token.clone().or_else(env_token)
    {
        return Ok(target_cloud(request, sources, endpoint, token));
    }

    let clouds_candidates = sources.candidates("clouds");
    let secure_candidates = sources.candidates("secure");
    let clouds_file = load_first("OS_CLIENT_CONFIG_FILE", sources, &clouds_candidates)?;
    let secure_file = load_first("OS_CLIENT_SECURE_FILE", sources, &secure_candidates)?;
    let looked_in = describe_search(sources);

    let (file_clouds, loaded) = merged_clouds([&clouds_file, &secure_file])?;
    let file_origin = loaded
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" + ");

    let env_name = sources
        .var("OS_CLOUD_NAME")
        .unwrap_or(ENV_CLOUD_DEFAULT_NAME)
        .to_owned();
    let env_cloud = env_cloud(sources);
    if env_cloud.is_some() && file_clouds.contains_key(&env_name) {
        return Err(LoadCloudConfigError::Invalid {
            cloud: env_name.clone(),
            origin: file_origin,
            problem: format!(
                "the file defines a cloud named `{env_name}`, which is also the name of the cloud \
                 built from OS_* variables; rename one of them (OS_CLOUD_NAME names the latter)"
            ),
        });
    }
    let mut available: Vec<String> = file_clouds.keys().cloned().collect();
    if env_cloud.is_some() {
        available.push(env_name.clone());
    }
    available.sort();

    let wanted = request
        .cloud
        .clone()
        .or_else(|| sources.var("OS_CLOUD").map(str::to_owned))
        .or_else(|| env_cloud.as_ref().map(|_| env_name.clone()))
        .or_else(|| {
            let mut names = file_clouds.keys();
            match (names.next(), names.next()) {
                (Some(only), None) => Some(only.clone()),
                _ => None,
            }
        });
    let Some(name) = wanted else {
        return Err(LoadCloudConfigError::NoCloudSelected {
            available,
            loaded,
            looked_in,
        });
    };

    let raw = if name == env_name
        && let Some(env) = env_cloud
    {
        RawCloud::from_env(name.clone(), env)
    } else {
        match file_clouds.get(&name) {
            Some(Value::Object(map)) => {
                RawCloud::from_file(name.clone(), file_origin, normalize_keys(map.clone()))
            }
            Some(_) => {
                return Err(LoadCloudConfigError::Invalid {
                    cloud: name.clone(),
                    origin: file_origin,
                    problem: format!("`clouds.{name}` must be a mapping"),
                });
            }
            None => {
                return Err(LoadCloudConfigError::CloudNotFound {
                    name,
                    available,
                    loaded,
                    looked_in,
                });
            }
        }
    };
    resolve(request, sources, raw)
}

/// `clouds.yaml` with `secure.yaml` merged over it: the `clouds` mapping and the files read.
fn merged_clouds(
    files: [&Option<LoadedFile>; 2],
) -> Result<(Map<String, Value>, Vec<PathBuf>), LoadCloudConfigError> {
    let mut doc = Map::new();
    let mut loaded = Vec::new();
    for file in files.into_iter().flatten() {
        let LoadedFile {
            path,
            doc: file_doc,
        } = file;
        if let Some(clouds) = file_doc.get("clouds")
            && !clouds.is_object()
        {
            return Err(LoadCloudConfigError::Invalid {
                cloud: String::new(),
                origin: path.display().to_string(),
                problem: "`clouds` must be a mapping of cloud names".to_owned(),
            });
        }
        merge(&mut doc, file_doc);
        loaded.push(path.clone());
    }
    let clouds = match doc.remove("clouds") {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    Ok((clouds, loaded))
}

/// The `OS_*` cloud: every `OS_` variable except openstacksdk's exclusions, keyed by the
/// lower-case rest of its name; `None` when only selectors are set.
fn env_cloud(sources: &ConfigSources) -> Option<Map<String, Value>> {
    let keys: Vec<&String> = sources
        .env
        .keys()
        .filter(|k| {
            k.starts_with("OS_")
                && !["OS_TEST", "OS_STD", "OS_LOG"]
                    .iter()
                    .any(|p| k.starts_with(p))
        })
        .collect();
    if keys.iter().all(|k| SELECTORS.contains(&k.as_str())) {
        return None;
    }
    Some(
        keys.into_iter()
            .filter(|k| !sources.env[*k].is_empty())
            .map(|k| {
                (
                    k[3..].to_ascii_lowercase(),
                    Value::String(sources.env[k].clone()),
                )
            })
            .collect(),
    )
}

fn target_cloud(
    request: &CloudRequest,
    sources: &ConfigSources,
    endpoint: &str,
    token: Secret,
) -> CloudConfig {
    CloudConfig {
        name: "target".to_owned(),
        origin: "the command line (--target and a token)".to_owned(),
        auth: AuthConfig::AdminToken {
            endpoint: endpoint.to_owned(),
            token,
        },
        region_name: None,
        interface: Interface::Public,
        tls: TlsOptions {
            cacert: request
                .cacert
                .clone()
                .or_else(|| sources.var("OS_CACERT").map(PathBuf::from)),
            insecure: request.insecure || sources.var("OS_INSECURE").is_some_and(is_true),
        },
        compute_endpoint_override: Some(endpoint.to_owned()),
        compute_api_version: None,
    }
}

/// openstacksdk's `get_boolean`: only `true` (any case) is true.
pub(crate) fn is_true(value: &str) -> bool {
    value.eq_ignore_ascii_case("true")
}

/// Applies region selection, the command line's overrides and auth to a raw cloud.
fn resolve(
    request: &CloudRequest,
    sources: &ConfigSources,
    mut raw: RawCloud,
) -> Result<CloudConfig, LoadCloudConfigError> {
    let asked_region = request
        .region_name
        .clone()
        .or_else(|| sources.var("OS_REGION_NAME").map(str::to_owned));
    let region_name = raw.select_region(asked_region.as_deref())?;
    let interface_text = request
        .interface
        .clone()
        .or_else(|| sources.var("OS_INTERFACE").map(str::to_owned))
        .or(raw.string("interface")?)
        .or(raw.string("endpoint_type")?);
    let interface = match interface_text {
        None => Interface::Public,
        Some(text) => Interface::parse(&text).ok_or_else(|| {
            raw.invalid(format!(
                "{} is `{text}`; expected public, internal or admin",
                raw.field_name("interface")
            ))
        })?,
    };
    let cacert = request
        .cacert
        .clone()
        .or_else(|| sources.var("OS_CACERT").map(PathBuf::from))
        .or(raw.string("cacert")?.map(PathBuf::from));
    let insecure = request.insecure
        || sources.var("OS_INSECURE").is_some_and(is_true)
        || raw.boolean("insecure")?.unwrap_or(false)
        || !raw.boolean("verify")?.unwrap_or(true);
    let auth = auth_config(&raw, request.token.clone())?;
    let compute_endpoint_override = match &request.endpoint_override {
        Some(url) => Some(url.clone()),
        None => raw.string("compute_endpoint_override")?,
    };
    let compute_api_version = raw.string("compute_api_version")?.filter(|v| {
        v.split_once('.')
            .is_some_and(|(_, minor)| minor != "latest")
    });
    Ok(CloudConfig {
        name: raw.name().to_owned(),
        origin: raw.origin().to_owned(),
        auth,
        region_name,
        interface,
        tls: TlsOptions { cacert, insecure },
        compute_endpoint_override,
        compute_api_version,
    })
}

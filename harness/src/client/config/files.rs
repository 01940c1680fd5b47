//! Finding, parsing and merging `clouds.yaml` and `secure.yaml` the way openstacksdk does.
//!
//! Implementation notes: openstacksdk (`openstack/config/loader.py`) looks in the current
//! directory, the platformdirs user config dir (`$XDG_CONFIG_HOME/openstack`, else
//! `~/.config/openstack`), `~/.config/openstack` (`$SNAP_REAL_HOME` first when set), the
//! platformdirs site config dirs (`$XDG_CONFIG_DIRS`, else `/etc/xdg`, each + `/openstack`) and
//! `/etc/openstack`, trying `clouds.yaml`, `clouds.yml` and `clouds.json` in each;
//! `OS_CLIENT_CONFIG_FILE` goes first. The first file that exists wins. `secure.*` is found the
//! same way (`OS_CLIENT_SECURE_FILE` first) and deep-merged over it. Two deliberate differences:
//! a file that is malformed is an error here (openstacksdk skips it with a log warning), and so
//! is an `OS_CLIENT_CONFIG_FILE` / `OS_CLIENT_SECURE_FILE` that does not exist, because a CI job
//! that silently falls back to another file tests the wrong cloud.

use super::load::LoadCloudConfigError;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where cloud configuration comes from: the environment and the current directory.
///
/// The loader never reads the process environment itself, so tests can pass their own map
/// without racing each other.
#[derive(Debug, Clone, Default)]
pub struct ConfigSources {
    /// Environment variables (`OS_*`, `HOME`, `XDG_CONFIG_HOME`, …).
    pub env: BTreeMap<String, String>,
    /// The current directory, the first place searched.
    pub cwd: PathBuf,
}

impl ConfigSources {
    /// Sources from the real process environment and current directory.
    pub fn from_process() -> Self {
        ConfigSources {
            env: std::env::vars().collect(),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        }
    }

    /// Sources from an explicit environment map and current directory.
    pub fn new<K, V>(env: impl IntoIterator<Item = (K, V)>, cwd: impl Into<PathBuf>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        ConfigSources {
            env: env.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
            cwd: cwd.into(),
        }
    }

    /// A non-empty environment variable.
    pub(crate) fn var(&self, key: &str) -> Option<&str> {
        self.env
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// [`search_dirs`](Self::search_dirs) as they are shown to the user.
    pub fn search_dirs_shown(&self) -> Vec<String> {
        self.search_dirs()
            .iter()
            .map(|d| d.display().to_string())
            .collect()
    }

    /// The directories searched for `clouds.yaml` and `secure.yaml`, in order, without
    /// duplicates.
    pub fn search_dirs(&self) -> Vec<PathBuf> {
        let home = self.var("HOME").map(PathBuf::from);
        let mut dirs = vec![self.cwd.clone()];
        match self.var("XDG_CONFIG_HOME") {
            Some(xdg) => dirs.push(Path::new(xdg).join("openstack")),
            None => dirs.extend(home.iter().map(|h| h.join(".config/openstack"))),
        }
        let unix_home = self.var("SNAP_REAL_HOME").map(PathBuf::from).or(home);
        dirs.extend(unix_home.iter().map(|h| h.join(".config/openstack")));
        match self.var("XDG_CONFIG_DIRS") {
            Some(list) => dirs.extend(
                list.split(':')
                    .filter(|d| !d.is_empty())
                    .map(|d| Path::new(d).join("openstack")),
            ),
            None => dirs.push(PathBuf::from("/etc/xdg/openstack")),
        }
        dirs.push(PathBuf::from("/etc/openstack"));
        let mut unique = Vec::with_capacity(dirs.len());
        for dir in dirs {
            if !unique.contains(&dir) {
                unique.push(dir);
            }
        }
        unique
    }

    /// The candidate files for `stem` (`clouds` or `secure`), the override variable's file
    /// first.
    pub(crate) fn candidates(&self, stem: &str) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for dir in self.search_dirs() {
            for suffix in ["yaml", "yml", "json"] {
                files.push(dir.join(format!("{stem}.{suffix}")));
            }
        }
        files
    }
}

/// A parsed configuration file.
#[derive(Debug, Clone)]
pub(crate) struct LoadedFile {
    pub(crate) path: PathBuf,
    pub(crate) doc: Map<String, Value>,
}

/// Finds and parses the first existing file; an explicit override that is missing is an error.
pub(crate) fn load_first(
    override_var: &str,
    sources: &ConfigSources,
    candidates: &[PathBuf],
) -> Result<Option<LoadedFile>, LoadCloudConfigError> {
    if let Some(explicit) = sources.var(override_var) {
        let path = PathBuf::from(explicit);
        if !path.exists() {
            return Err(LoadCloudConfigError::MissingOverrideFile {
                variable: override_var.to_owned(),
                path,
            });
        }
        return parse_file(&path).map(Some);
    }
    for path in candidates {
        if !path.exists() {
            continue;
        }
        match parse_file(path) {
            // openstacksdk skips files it may not read; so do we.
            Err(LoadCloudConfigError::Read { source, .. })
                if source.kind() == std::io::ErrorKind::PermissionDenied =>
            {
                continue;
            }
            other => return other.map(Some),
        }
    }
    Ok(None)
}

/// Reads and parses one YAML (or JSON) file into a mapping.
pub(crate) fn parse_file(path: &Path) -> Result<LoadedFile, LoadCloudConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadCloudConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let value = parse_yaml(path, &text)?;
    match value {
        Value::Object(doc) => Ok(LoadedFile {
            path: path.to_owned(),
            doc,
        }),
        _ => Err(LoadCloudConfigError::NotAMapping {
            path: path.to_owned(),
        }),
    }
}

/// Parses YAML text, reporting the line and column but never the offending text, which could
/// be a password.
pub(crate) fn parse_yaml(path: &Path, text: &str) -> Result<Value, LoadCloudConfigError> {
    if text.trim().is_empty() {
        return Err(LoadCloudConfigError::NotAMapping {
            path: path.to_owned(),
        });
    }
    serde_saphyr::from_str::<Value>(text).map_err(|err| {
        let location = err.location();
        LoadCloudConfigError::Parse {
            path: path.to_owned(),
            line: location.map(|l| l.line()),
            column: location.map(|l| l.column()),
            problem: syntax_problem(&err),
        }
    })
}

/// A short, value-free description of a YAML error.
fn syntax_problem(err: &serde_saphyr::Error) -> String {
    // The location is reported separately.
    let message = crate::yaml::plain_message(err);
    // Quoted scalars in the message may be secrets: keep single characters (`']'`), mask the
    // rest.
    let mut out = String::with_capacity(message.len());
    let mut quoted: Option<(char, String)> = None;
    for ch in message.chars() {
        match quoted.take() {
            Some((q, inner)) if ch == q => {
                out.push(q);
                if inner.chars().count() <= 1 {
                    out.push_str(&inner);
                } else {
                    out.push('…');
                }
                out.push(q);
            }
            Some((q, mut inner)) => {
                inner.push(ch);
                quoted = Some((q, inner));
            }
            None if ch == '"' || ch == '`' || ch == '\'' => quoted = Some((ch, String::new())),
            None => out.push(ch),
        }
    }
    if let Some((q, _)) = quoted {
        out.push(q);
        out.push('…');
    }
    out.trim().to_owned()
}

/// openstacksdk's `normalize_keys`, applied to one cloud's settings (never to cloud names):
/// `-` in keys becomes `_`, recursively.
pub(crate) fn normalize_keys(map: Map<String, Value>) -> Map<String, Value> {
    map.into_iter()
        .map(|(k, v)| {
            let v = match v {
                Value::Object(inner) => Value::Object(normalize_keys(inner)),
                other => other,
            };
            (k.replace('-', "_"), v)
        })
        .collect()
}

/// openstacksdk's `merge_clouds`: nested mappings merge, anything else is replaced.
pub(crate) fn merge(base: &mut Map<String, Value>, overlay: &Map<String, Value>) {
    for (key, value) in overlay {
        match (base.get_mut(key), value) {
            (Some(Value::Object(existing)), Value::Object(new)) => merge(existing, new),
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_dirs_follow_openstacksdk_order() {
        let sources = ConfigSources::new([("HOME", "/home/u")], "/work");
        let shown = sources.search_dirs_shown();
        assert_eq!(
            shown,
            [
                "/work",
                "/home/u/.config/openstack",
                "/etc/xdg/openstack",
                "/etc/openstack"
            ]
        );
    }

    #[test]
    fn xdg_and_snap_homes_are_searched_in_their_place() {
        let sources = ConfigSources::new(
            [
                ("HOME", "/home/u"),
                ("XDG_CONFIG_HOME", "/xdg"),
                ("SNAP_REAL_HOME", "/real"),
                ("XDG_CONFIG_DIRS", "/a:/b"),
            ],
            "/work",
        );
        let shown = sources.search_dirs_shown();
        assert_eq!(
            shown,
            [
                "/work",
                "/xdg/openstack",
                "/real/.config/openstack",
                "/a/openstack",
                "/b/openstack",
                "/etc/openstack"
            ]
        );
    }

    #[test]
    fn merge_replaces_scalars_and_merges_mappings() {
        let mut base: Map<String, Value> = serde_json::from_str(
            r#"{"clouds":{"a":{"auth":{"username":"u","password":"old"},"region_name":"r1"}}}"#,
        )
        .unwrap();
        let overlay: Map<String, Value> =
            serde_json::from_str(r#"{"clouds":{"a":{"auth":{"password":"new"}},"b":{}}}"#).unwrap();
        merge(&mut base, &overlay);
        assert_eq!(
            Value::Object(base),
            serde_json::json!({"clouds":{"a":{"auth":{"username":"u","password":"new"},"region_name":"r1"},"b":{}}})
        );
    }

    #[test]
    fn syntax_problems_keep_single_characters_and_mask_longer_quotes() {
        let cases = [
            ("clouds:\n  c: [a\n", "unclosed bracket '['"),
            (
                "a: 'x' 'sekrit'\n",
                "invalid trailing content after single-quoted scalar",
            ),
        ];
        for (text, expected) in cases {
            let err = parse_yaml(Path::new("c.yaml"), text).unwrap_err();
            let LoadCloudConfigError::Parse { problem, .. } = err else {
                panic!("{err}")
            };
            assert_eq!(problem, expected);
        }
    }

    #[test]
    fn dashes_in_keys_become_underscores() {
        let value = parse_yaml(
            Path::new("x.yaml"),
            "clouds:\n  a:\n    region-name: r\n    auth:\n      user-domain-name: d\n",
        )
        .unwrap();
        let Value::Object(map) = value else { panic!() };
        assert_eq!(
            Value::Object(normalize_keys(map)),
            serde_json::json!({"clouds":{"a":{"region_name":"r","auth":{"user_domain_name":"d"}}}})
        );
    }
}

//! `--filter GLOB`: which case ids run.

use globset::{Glob, GlobSet, GlobSetBuilder};

/// A set of `--filter` patterns. A case runs when any pattern matches its id; no pattern means
/// every case runs. A pattern without wildcards (`*`, `?`, `[`) matches ids that start with it,
/// so `ecs/active` selects `ecs/active/*`.
#[derive(Debug, Clone)]
pub struct CaseFilter {
    globs: Option<GlobSet>,
    prefixes: Vec<String>,
}

/// A `--filter` pattern is not a valid glob.
#[derive(Debug, thiserror::Error)]
#[error("invalid --filter pattern `{pattern}`: {message}")]
pub struct FilterError {
    /// The pattern as given.
    pub pattern: String,
    /// What is wrong with it.
    pub message: String,
}

impl CaseFilter {
    /// Compiles the patterns.
    pub fn new(patterns: &[String]) -> Result<CaseFilter, FilterError> {
        let mut builder = GlobSetBuilder::new();
        let mut any_glob = false;
        let mut prefixes = Vec::new();
        for p in patterns {
            if p.contains(['*', '?', '[']) {
                let glob = Glob::new(p).map_err(|e| FilterError {
                    pattern: p.clone(),
                    message: e.kind().to_string(),
                })?;
                builder.add(glob);
                any_glob = true;
            } else {
                prefixes.push(p.clone());
            }
        }
        let globs = if any_glob {
            Some(builder.build().map_err(|e| FilterError {
                pattern: patterns.join(" "),
                message: e.to_string(),
            })?)
        } else {
            None
        };
        Ok(CaseFilter { globs, prefixes })
    }

    /// Whether a case id is selected.
    pub fn matches(&self, id: &str) -> bool {
        if self.globs.is_none() && self.prefixes.is_empty() {
            return true;
        }
        self.prefixes.iter().any(|p| id.starts_with(p.as_str()))
            || self.globs.as_ref().is_some_and(|g| g.is_match(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_pattern_selects_everything() {
        assert!(CaseFilter::new(&[]).unwrap().matches("ecs/active/null"));
    }

    #[test]
    fn plain_patterns_are_prefixes_and_globs_match_whole_ids() {
        let f = CaseFilter::new(&["ecs/active".into(), "nova/*/rebooting".into()]).unwrap();
        assert!(f.matches("ecs/active/rebooting"));
        assert!(f.matches("nova/stopped/rebooting"));
        assert!(!f.matches("ecs-openstack/active/null"));
        assert!(!f.matches("nova/stopped/rebooting_hard"));
    }

    #[test]
    fn a_broken_glob_is_reported_with_the_pattern() {
        let err = CaseFilter::new(&["ecs/[".into()]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid --filter pattern `ecs/[`: "),
            "{err}"
        );
    }
}

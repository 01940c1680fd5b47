//! Fault rules: match method + path glob, then answer a status/body, add latency, or drop.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::nova_error;
use super::http::ApiResponse;
use crate::domain::IdGenerator;

/// A fault rule as posted to `POST /_fake/faults`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultSpec {
    #[serde(default)]
    pub(crate) method: Option<String>,
    pub(crate) path: String,
    #[serde(default)]
    pub(crate) status: Option<u16>,
    #[serde(default)]
    pub(crate) body: Option<Value>,
    #[serde(default)]
    pub(crate) headers: Option<serde_json::Map<String, Value>>,
    #[serde(default)]
    pub(crate) latency_ms: Option<u64>,
    #[serde(default)]
    pub(crate) drop: Option<bool>,
    #[serde(default)]
    pub(crate) times: Option<u64>,
    #[serde(default)]
    pub(crate) probability: Option<f64>,
}

/// A stored rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct FaultRule {
    pub(crate) id: String,
    #[serde(flatten)]
    pub(crate) spec: FaultSpec,
    pub(crate) hits: u64,
}

/// What the fault layer decided for a request.
#[derive(Debug)]
pub(crate) enum Planned {
    /// Answer this instead of routing.
    Respond(ApiResponse),
    /// Route normally, then wait this long.
    Pass { delay: Option<Duration> },
}

#[derive(Debug, Default)]
pub(crate) struct FaultRules {
    rules: Vec<FaultRule>,
    next: u64,
}

impl FaultRules {
    pub(crate) fn validate(spec: &FaultSpec) -> Result<(), String> {
        if !spec.path.starts_with('/') {
            return Err("path: must start with '/'".to_owned());
        }
        if let Some(s) = spec.status
            && !(100..=599).contains(&s)
        {
            return Err(format!("status: {s} is not an HTTP status code"));
        }
        if let Some(p) = spec.probability
            && !(0.0..=1.0).contains(&p)
        {
            return Err(format!("probability: {p} is not between 0 and 1"));
        }
        if spec.times == Some(0) {
            return Err("times: must be at least 1".to_owned());
        }
        Ok(())
    }

    pub(crate) fn add(&mut self, spec: FaultSpec) -> String {
        self.next += 1;
        let id = format!("fault-{}", self.next);
        self.rules.push(FaultRule {
            id: id.clone(),
            spec,
            hits: 0,
        });
        id
    }

    pub(crate) fn list(&self) -> &[FaultRule] {
        &self.rules
    }

    pub(crate) fn remove(&mut self, id: &str) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        self.rules.len() != before
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    /// Finds the first matching rule (consuming one of its `times`) and plans the answer.
    pub(crate) fn plan(&mut self, method: &str, path: &str, rng: &mut IdGenerator) -> Planned {
        if self.rules.is_empty() {
            return Planned::Pass { delay: None };
        }
        let mut chosen = None;
        for (i, rule) in self.rules.iter().enumerate() {
            let s = &rule.spec;
            if s.method
                .as_deref()
                .is_some_and(|m| !m.eq_ignore_ascii_case(method))
                || !glob_match(&s.path, path)
            {
                continue;
            }
            if let Some(p) = s.probability {
                let roll = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                if roll >= p {
                    continue;
                }
            }
            chosen = Some(i);
            break;
        }
        let Some(i) = chosen else {
            return Planned::Pass { delay: None };
        };
        let rule = &mut self.rules[i];
        rule.hits += 1;
        let spec = rule.spec.clone();
        if spec.times.is_some_and(|t| rule.hits >= t) {
            self.rules.remove(i);
        }
        let delay = spec.latency_ms.map(Duration::from_millis);
        if spec.drop == Some(true) {
            let mut r = ApiResponse::dropped();
            r.delay = delay;
            return Planned::Respond(r);
        }
        let Some(status) = spec.status else {
            return Planned::Pass { delay };
        };
        let mut resp = match &spec.body {
            Some(body) => ApiResponse::json(status, body),
            None => nova_error(status, format!("Injected fault {}", rule_id_hint(&spec))),
        };
        for (k, v) in spec.headers.iter().flatten() {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            resp = resp.with_header(k, v);
        }
        resp.delay = delay;
        Planned::Respond(resp)
    }
}

fn rule_id_hint(spec: &FaultSpec) -> String {
    format!(
        "for {} {}",
        spec.method.as_deref().unwrap_or("*"),
        spec.path
    )
}

/// Glob match on a path: `**` matches anything, `*` anything but `/`, `?` one non-`/` character.
pub(crate) fn glob_match(pattern: &str, path: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        match p {
            [] => s.is_empty(),
            [b'*', b'*', rest @ ..] => (0..=s.len()).any(|i| go(rest, &s[i..])),
            [b'*', rest @ ..] => {
                let mut i = 0;
                loop {
                    if go(rest, &s[i..]) {
                        return true;
                    }
                    if i == s.len() || s[i] == b'/' {
                        return false;
                    }
                    i += 1;
                }
            }
            [b'?', rest @ ..] => !s.is_empty() && s[0] != b'/' && go(rest, &s[1..]),
            [c, rest @ ..] => s.first() == Some(c) && go(rest, &s[1..]),
        }
    }
    go(pattern.as_bytes(), path.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_path_globs() {
        let rows = [
            (
                "star stays in a segment",
                "/compute/v2.1/servers/*",
                "/compute/v2.1/servers/abc",
                true,
            ),
            (
                "star does not cross slashes",
                "/compute/v2.1/servers/*",
                "/compute/v2.1/servers/abc/action",
                false,
            ),
            (
                "double star crosses",
                "/compute/**",
                "/compute/v2.1/servers/abc/action",
                true,
            ),
            ("question mark", "/v?/x", "/v1/x", true),
            ("literal", "/a", "/b", false),
        ];
        for (name, p, s, want) in rows {
            assert_eq!(glob_match(p, s), want, "{name}");
        }
    }

    #[test]
    fn a_rule_with_times_expires_after_that_many_hits() {
        let mut rules = FaultRules::default();
        let spec: FaultSpec =
            serde_json::from_str(r#"{"path": "/x", "status": 503, "times": 2}"#).unwrap();
        rules.add(spec);
        let mut rng = IdGenerator::from_time();
        let statuses: Vec<u16> = (0..3)
            .map(|_| match rules.plan("GET", "/x", &mut rng) {
                Planned::Respond(r) => r.status,
                Planned::Pass { .. } => 0,
            })
            .collect();
        assert_eq!(statuses, [503, 503, 0]);
    }
}

//! Typed Nova request bodies, decoded once after Nova's schema has accepted them.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::super::decode::{check, decode, parse, typed};
use super::super::error::bad_request;
use super::super::http::ApiResponse;
use super::microversion::Microversion;
use super::schemas;

/// A JSON string or number (`flavorRef`, `min_count`, …), as its text.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub(crate) enum Scalar {
    Text(String),
    Number(serde_json::Number),
}

impl Scalar {
    /// The integer Nova's `int()` makes of it (the schema allows only digit strings).
    pub(crate) fn int(&self) -> i64 {
        match self {
            Scalar::Text(s) => s.trim().parse().unwrap_or(i64::MAX),
            Scalar::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| f as i64))
                .unwrap_or(i64::MAX),
        }
    }

    pub(crate) fn text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Number(n) => n.to_string(),
        }
    }
}

/// The last path segment of a reference (`http://…/flavors/2` → `2`).
pub(crate) fn ref_id(r: &str) -> &str {
    r.rsplit('/').next().unwrap_or_default()
}

/// `POST /servers`.
#[derive(Debug, Deserialize)]
pub(crate) struct CreateBody {
    pub(crate) server: CreateServer,
}

/// The `server` object of a create request (fields the fake uses).
#[derive(Debug, Deserialize)]
pub(crate) struct CreateServer {
    pub(crate) name: String,
    #[serde(rename = "imageRef")]
    pub(crate) image_ref: Option<String>,
    #[serde(rename = "flavorRef")]
    pub(crate) flavor_ref: Scalar,
    #[serde(default)]
    pub(crate) metadata: BTreeMap<String, String>,
    pub(crate) networks: Option<Networks>,
    #[serde(rename = "accessIPv4")]
    pub(crate) access_ipv4: Option<String>,
    #[serde(rename = "accessIPv6")]
    pub(crate) access_ipv6: Option<String>,
    pub(crate) key_name: Option<String>,
    pub(crate) availability_zone: Option<String>,
    pub(crate) security_groups: Option<Vec<NamedRef>>,
    pub(crate) min_count: Option<Scalar>,
    pub(crate) max_count: Option<Scalar>,
    pub(crate) description: Option<String>,
    pub(crate) block_device_mapping_v2: Option<Vec<serde::de::IgnoredAny>>,
    pub(crate) block_device_mapping: Option<Vec<serde::de::IgnoredAny>>,
}

/// `networks`: a list, or (2.37+) `"none"` / `"auto"`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Networks {
    Word(String),
    List(Vec<NetworkRequest>),
}

/// One requested network.
#[derive(Debug, Deserialize)]
pub(crate) struct NetworkRequest {
    pub(crate) uuid: Option<String>,
    pub(crate) port: Option<String>,
}

/// `{"name": "…"}` (security groups).
#[derive(Debug, Deserialize)]
pub(crate) struct NamedRef {
    pub(crate) name: Option<String>,
}

impl CreateBody {
    pub(crate) fn decode(body: &[u8], mv: Microversion) -> Result<Self, ApiResponse> {
        decode(body, &schemas::create(mv))
    }
}

/// `PUT /servers/{id}`.
#[derive(Debug, Deserialize)]
pub(crate) struct UpdateBody {
    pub(crate) server: UpdateServer,
}

/// The `server` object of an update request.
#[derive(Debug, Deserialize)]
pub(crate) struct UpdateServer {
    pub(crate) name: Option<String>,
    /// `Some(None)`: set to null.
    #[serde(default, deserialize_with = "present")]
    pub(crate) description: Option<Option<String>>,
    #[serde(rename = "accessIPv4")]
    pub(crate) access_ipv4: Option<String>,
    #[serde(rename = "accessIPv6")]
    pub(crate) access_ipv6: Option<String>,
}

impl UpdateBody {
    pub(crate) fn decode(body: &[u8], mv: Microversion) -> Result<Self, ApiResponse> {
        decode(body, &schemas::update(mv))
    }
}

fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// `rebuild`'s argument.
#[derive(Debug, Deserialize)]
pub(crate) struct RebuildArgs {
    #[serde(rename = "imageRef")]
    pub(crate) image_ref: String,
    pub(crate) name: Option<String>,
    pub(crate) metadata: Option<BTreeMap<String, String>>,
    #[serde(rename = "accessIPv4")]
    pub(crate) access_ipv4: Option<String>,
    #[serde(rename = "accessIPv6")]
    pub(crate) access_ipv6: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub(crate) description: Option<Option<String>>,
}

#[derive(Debug, Deserialize)]
struct TypeArg {
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Debug, Deserialize)]
struct FlavorArg {
    #[serde(rename = "flavorRef")]
    flavor_ref: Scalar,
}

#[derive(Debug, Deserialize)]
struct StateArg {
    state: String,
}

#[derive(Debug, Deserialize)]
struct RescueArg {
    #[serde(rename = "adminPass")]
    admin_pass: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct LockArg {
    locked_reason: Option<String>,
}

/// A server action request, decoded.
#[derive(Debug)]
pub(crate) enum ActionRequest {
    Reboot {
        hard: bool,
    },
    Resize {
        flavor_id: String,
    },
    Rebuild(RebuildArgs),
    SecurityGroup {
        add: bool,
        name: String,
    },
    ResetState {
        state: String,
    },
    Lock {
        reason: Option<String>,
    },
    Rescue {
        admin_pass: Option<String>,
    },
    /// Any other action the fake knows, by name (no argument it uses).
    Plain(String),
}

/// Decodes `POST /servers/{id}/action`: exactly one key (Nova's `action_peek`), a known
/// action, then that action's schema.
pub(crate) fn decode_action(body: &[u8], mv: Microversion) -> Result<ActionRequest, ApiResponse> {
    let json = parse(body)?;
    let name = match &json {
        super::super::json::Json::Object(pairs) if pairs.len() == 1 => pairs[0].0.clone(),
        _ => return Err(bad_request("Malformed request body")),
    };
    let Some(schema) = schemas::action(&name, mv) else {
        return Err(bad_request(format!("There is no such action: {name}")));
    };
    check(&json, &schema)?;
    let arg = json
        .get(&name)
        .cloned()
        .unwrap_or(super::super::json::Json::Null);
    Ok(match name.as_str() {
        "reboot" => ActionRequest::Reboot {
            hard: typed::<TypeArg>(&arg)?.kind.eq_ignore_ascii_case("hard"),
        },
        "resize" => ActionRequest::Resize {
            flavor_id: ref_id(&typed::<FlavorArg>(&arg)?.flavor_ref.text()).to_owned(),
        },
        "rebuild" => ActionRequest::Rebuild(typed(&arg)?),
        "addSecurityGroup" | "removeSecurityGroup" => ActionRequest::SecurityGroup {
            add: name == "addSecurityGroup",
            name: typed::<NamedRef>(&arg)?.name.unwrap_or_default(),
        },
        "os-resetState" => ActionRequest::ResetState {
            state: typed::<StateArg>(&arg)?.state,
        },
        "lock" if mv.at_least(73) => ActionRequest::Lock {
            reason: typed::<Option<LockArg>>(&arg)?
                .unwrap_or_default()
                .locked_reason,
        },
        "lock" => ActionRequest::Lock { reason: None },
        "rescue" => ActionRequest::Rescue {
            admin_pass: typed::<Option<RescueArg>>(&arg)?.and_then(|r| r.admin_pass),
        },
        _ => ActionRequest::Plain(name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(r: Result<ActionRequest, ApiResponse>) -> String {
        let body: serde_json::Value = serde_json::from_slice(&r.unwrap_err().body).unwrap();
        body["badRequest"]["message"].as_str().unwrap().to_owned()
    }

    #[test]
    fn actions_answer_novas_messages() {
        let mv = Microversion(96);
        let rows: [(&str, &str); 6] = [
            ("{not json", "Malformed request body"),
            (r#"{"a": 1, "b": 2}"#, "Malformed request body"),
            (r#"{"fly": null}"#, "There is no such action: fly"),
            (
                r#"{"reboot": {"type": 5}}"#,
                "Invalid input for field/attribute type. Value: 5. 5 is not of type 'string'",
            ),
            (
                r#"{"reboot": {"type": "gentle"}}"#,
                "Invalid input for field/attribute type. Value: gentle. 'gentle' is not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']",
            ),
            (
                r#"{"rebuild": {"imageRef": "x"}}"#,
                "Invalid input for field/attribute imageRef. Value: x. 'x' is not a 'uuid'",
            ),
        ];
        for (body, want) in rows {
            assert_eq!(message(decode_action(body.as_bytes(), mv)), want, "{body}");
        }
        assert!(matches!(
            decode_action(br#"{"resize": {"flavorRef": "http://x/flavors/2"}}"#, mv),
            Ok(ActionRequest::Resize { flavor_id }) if flavor_id == "2"
        ));
    }
}

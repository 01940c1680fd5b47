//! Request bodies the fake refuses, with Nova 34.0.0's status and message, byte for byte.
//!
//! Messages follow `nova/api/validation/validators.py` (jsonschema's first error, the value
//! quoted as Python prints it) and the schemas in `nova/api/openstack/compute/schemas/`.

use fake_server::Engine;
use rstest::rstest;

use crate::support::Env;

const IMAGE: &str = "70a599e0-31e7-49b7-b260-868f441e862b";

fn create_cases() -> Vec<(&'static str, String, &'static str)> {
    let img = IMAGE;
    vec![
        ("2.96", "{not json".into(), "Malformed request body"),
        (
            "2.96",
            r#"{"srv": {}}"#.into(),
            // `required` comes before `additionalProperties` in Nova's schema.
            "'server' is a required property",
        ),
        ("2.96", "{}".into(), "'server' is a required property"),
        (
            "2.96",
            format!(r#"{{"server": {{"name": "vm", "flavorRef": "1", "imageRef": "{img}"}}}}"#),
            "Invalid input for field/attribute server. Value: {'name': 'vm', 'flavorRef': '1', 'imageRef': '70a599e0-31e7-49b7-b260-868f441e862b'}. 'networks' is a required property",
        ),
        (
            "2.96",
            format!(
                r#"{{"server": {{"name": "", "flavorRef": "1", "imageRef": "{img}", "networks": "none"}}}}"#
            ),
            "Invalid input for field/attribute name. Value: . '' should be non-empty",
        ),
        (
            "2.96",
            format!(
                r#"{{"server": {{"name": "vm", "flavorRef": "1", "imageRef": "{img}", "networks": "all"}}}}"#
            ),
            "Invalid input for field/attribute networks. Value: all. 'all' is not valid under any of the given schemas",
        ),
        (
            "2.96",
            r#"{"server": {"name": "vm", "flavorRef": "1", "imageRef": "not-a-uuid", "networks": "none"}}"#.into(),
            "Invalid input for field/attribute imageRef. Value: not-a-uuid. 'not-a-uuid' is not valid under any of the given schemas",
        ),
        (
            "2.96",
            format!(
                r#"{{"server": {{"name": "vm", "flavorRef": "1", "imageRef": "{img}", "networks": "none", "metadata": {{"k": 1}}}}}}"#
            ),
            "Invalid input for field/attribute k. Value: 1. 1 is not of type 'string'",
        ),
        (
            "2.96",
            format!(
                r#"{{"server": {{"name": "vm", "flavorRef": "1", "imageRef": "{img}", "networks": "none", "colour": "red"}}}}"#
            ),
            "Invalid input for field/attribute server. Value: {'name': 'vm', 'flavorRef': '1', 'imageRef': '70a599e0-31e7-49b7-b260-868f441e862b', 'networks': 'none', 'colour': 'red'}. Additional properties are not allowed ('colour' was unexpected)",
        ),
        (
            "2.18",
            format!(
                r#"{{"server": {{"name": "vm", "flavorRef": "1", "imageRef": "{img}", "description": "d"}}}}"#
            ),
            "Invalid input for field/attribute server. Value: {'name': 'vm', 'flavorRef': '1', 'imageRef': '70a599e0-31e7-49b7-b260-868f441e862b', 'description': 'd'}. Additional properties are not allowed ('description' was unexpected)",
        ),
        (
            "2.1",
            format!(r#"{{"server": {{"name": "vm", "flavorRef": "99", "imageRef": "{img}"}}}}"#),
            "Flavor 99 could not be found.",
        ),
    ]
}

#[rstest]
#[tokio::test]
async fn invalid_creates_get_novas_400_messages(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::start(engine).await;
    let token = env.token("admin").await;
    for (mv, body, want) in create_cases() {
        let r = env
            .raw("POST", "/compute/v2.1/servers", &token, mv, &body)
            .await;
        assert_eq!(
            (r.status, r.body["badRequest"]["message"].as_str()),
            (400, Some(want)),
            "{mv} {body}"
        );
    }
}

#[rstest]
#[tokio::test]
async fn bodies_are_validated_before_the_server_is_looked_up(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let env = Env::start(engine).await;
    let token = env.token("admin").await;
    let missing = "/compute/v2.1/servers/00000000-0000-4000-8000-000000000000";
    let rows = [
        (
            "PUT",
            missing.to_owned(),
            r#"{"server": {"accessIPv4": "1.2.3"}}"#,
            400,
            "Invalid input for field/attribute accessIPv4. Value: 1.2.3. '1.2.3' is not a 'ipv4'",
        ),
        (
            "PUT",
            missing.to_owned(),
            r#"{"server": {"name": "ok"}}"#,
            404,
            "Instance 00000000-0000-4000-8000-000000000000 could not be found.",
        ),
        (
            "POST",
            format!("{missing}/action"),
            r#"{"resize": {}}"#,
            400,
            "Invalid input for field/attribute resize. Value: {}. 'flavorRef' is a required property",
        ),
        (
            "POST",
            format!("{missing}/action"),
            r#"{"os-resetState": {"state": "stopped"}}"#,
            400,
            "Invalid input for field/attribute state. Value: stopped. 'stopped' is not one of ['active', 'error']",
        ),
        (
            "POST",
            format!("{missing}/action"),
            r#"{"pause": null}"#,
            404,
            "Instance 00000000-0000-4000-8000-000000000000 could not be found.",
        ),
    ];
    for (method, path, body, status, want) in rows {
        let r = env.raw(method, &path, &token, "2.96", body).await;
        let kind = if status == 400 {
            "badRequest"
        } else {
            "itemNotFound"
        };
        assert_eq!(
            (r.status, r.body[kind]["message"].as_str()),
            (status, Some(want)),
            "{method} {body}"
        );
    }
}

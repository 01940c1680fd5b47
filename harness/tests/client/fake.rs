//! The client against the project's own fake cloud (Keystone + Nova), as a real cloud would be
//! used: password auth from `OS_*` variables, catalog endpoint, negotiation, paginated reads.

use super::env_session;
use harness::client::{ComputeClient, ComputeOptions, Microversion, TlsOptions, http_client};
use serde_json::{Value, json};

/// Name, vm_state, task_state and status of one listed server.
type Row = (String, Option<String>, Option<String>, Option<String>);

#[tokio::test]
async fn observes_seeded_servers_on_the_fake_through_keystone_and_nova() {
    let fake = fake_server::FakeServer::start().await.unwrap();
    let base = fake.uri();
    let seeded: Value = http_client(&TlsOptions::default())
        .unwrap()
        .post(format!("{base}/_fake/servers"))
        .json(&json!({"servers": [
            {"vm_state": "active", "task_state": "rebooting", "name": "a"},
            {"vm_state": "stopped", "task_state": null, "name": "b"},
            {"vm_state": "paused", "task_state": null, "name": "c"}
        ]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<String> = seeded["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();

    let session = env_session(
        &base,
        &[
            ("OS_USERNAME", "admin"),
            ("OS_PASSWORD", "any"),
            ("OS_PROJECT_NAME", "admin"),
            ("OS_USER_DOMAIN_NAME", "Default"),
            ("OS_PROJECT_DOMAIN_NAME", "Default"),
        ],
    )
    .await;
    assert_eq!(session.compute_endpoint(), format!("{base}/compute/v2.1"));
    assert!(session.token().await.unwrap().is_admin());
    let client = ComputeClient::connect(session, ComputeOptions::default())
        .await
        .unwrap();
    assert_eq!(client.microversion(), Microversion::new(2, 96));

    let listed = client.list_servers_detail(&[("limit", "1")]).await.unwrap();
    let mut seen: Vec<Row> = listed
        .iter()
        .filter(|s| ids.iter().any(|id| Some(id.as_str()) == s.id()))
        .map(|s| {
            (
                s.name().unwrap_or_default().to_owned(),
                s.vm_state().map(str::to_owned),
                s.task_state().map(str::to_owned),
                s.status().map(str::to_owned),
            )
        })
        .collect();
    seen.sort();
    let own = |s: &str| Some(s.to_owned());
    assert_eq!(
        seen,
        [
            ("a".into(), own("active"), own("rebooting"), own("REBOOT")),
            ("b".into(), own("stopped"), None, own("SHUTOFF")),
            ("c".into(), own("paused"), None, own("PAUSED")),
        ]
    );
    let one = client.get_server(&ids[1]).await.unwrap();
    assert_eq!(one.status(), Some("SHUTOFF"));
    assert_eq!(one.power_state(), Some(4));

    let unknown = client
        .list_servers_detail(&[("status", "FROBNICATING")])
        .await
        .unwrap_err();
    assert_eq!(unknown.status().map(|s| s.as_u16()), Some(400));
}

//! `GET /servers` as Nova 34.0.0 orders and filters it beyond status: `sort_key` / `sort_dir`
//! (with markers), and the `host`, `ip` and `ip6` filters. Found by the parity run against
//! upstream Nova (`nova-local/parity`), texts from `nova/api/openstack/compute/servers.py`,
//! `schemas/servers.py` and `nova/db/utils.py`.

use fake_server::Engine;
use rstest::rstest;
use serde_json::Value;

use crate::support::{Env, each_server, text};

const PRIVATE: &str = "3cb9bc59-5699-4588-a4b1-b87f96708bc6";

/// Nova's `sort_key` enum before 2.73, in its own order (`VALID_SORT_KEYS`).
const KEYS_V21: &str = "['access_ip_v4', 'access_ip_v6', 'auto_disk_config', \
'availability_zone', 'config_drive', 'created_at', 'display_description', 'display_name', \
'host', 'hostname', 'image_ref', 'instance_type_id', 'kernel_id', 'key_name', 'launch_index', \
'launched_at', 'locked_by', 'node', 'power_state', 'progress', 'project_id', 'ramdisk_id', \
'root_device_name', 'task_state', 'terminated_at', 'updated_at', 'user_id', 'uuid', \
'vm_state', 'architecture', 'cell_name', 'cleaned', 'default_ephemeral_device', \
'default_swap_device', 'deleted', 'deleted_at', 'disable_terminate', 'ephemeral_gb', \
'ephemeral_key_uuid', 'id', 'key_data', 'launched_on', 'locked', 'memory_mb', 'os_type', \
'reservation_id', 'root_gb', 'shutdown_terminate', 'user_data', 'vcpus', 'vm_mode']";

/// The status and error message of `GET /servers?{query}`.
async fn listing_error(env: &Env, token: &str, mv: &str, query: &str) -> (u16, Value) {
    let path = format!("/compute/v2.1/servers?{query}");
    env.raw("GET", &path, token, mv, "").await.status_message()
}

/// Creates servers named `names` in that order (the first on the `private` network when
/// `networked`), one clock second apart; their ids in the same order.
async fn create(env: &Env, token: &str, names: &[&str], networked: bool) -> Vec<String> {
    let mut ids = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let networks = if networked && i == 0 {
            format!(r#"[{{"uuid": "{PRIVATE}"}}]"#)
        } else {
            r#""none""#.to_owned()
        };
        let body = format!(
            r#"{{"server": {{"name": "{name}", "flavorRef": "1", "imageRef": "155d900f-4e14-4e4c-a73d-069cbf4541e6", "networks": {networks}}}}}"#
        );
        let r = env
            .raw("POST", "/compute/v2.1/servers", token, "2.96", &body)
            .await;
        assert_eq!(r.status, 202, "{}", r.body);
        ids.push(r.body["server"]["id"].as_str().unwrap().to_owned());
        env.advance(1000).await;
    }
    ids
}

/// The opening of these tests: a Nova fake on a manual clock, a token for each of `users` (in
/// order), and the servers [`create`] makes with the first token.
async fn created<const N: usize>(
    engine: Engine,
    users: [&str; N],
    names: &[&str],
    networked: bool,
) -> (Env, [String; N], Vec<String>) {
    let env = Env::nova_manual(engine).await;
    let tokens = env.tokens(users).await;
    let ids = create(&env, &tokens[0], names, networked).await;
    (env, tokens, ids)
}

async fn names(env: &Env, token: &str, mv: &str, query: &str) -> Vec<String> {
    let r = env
        .raw(
            "GET",
            &format!("/compute/v2.1/servers?{query}"),
            token,
            mv,
            "",
        )
        .await;
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    each_server(&r.body, |s| text(s, "name"))
}

#[rstest]
#[tokio::test]
async fn sort_key_and_sort_dir_order_pages_as_nova_does(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, [token], ids) = created(engine, ["alice"], &["b", "a", "c"], false).await;
    let (b, a) = (&ids[0], &ids[1]);
    let cases: [(&str, &str, &[&str]); 8] = [
        ("2.96", "", &["c", "a", "b"]),
        (
            "2.96",
            "sort_key=display_name&sort_dir=asc",
            &["a", "b", "c"],
        ),
        // A key without a direction sorts descending (Nova's default direction).
        ("2.96", "sort_key=display_name", &["c", "b", "a"]),
        // A direction without a key sorts by created_at, then id, that way.
        ("2.96", "sort_dir=asc", &["b", "a", "c"]),
        // The marker is placed by its own values: after `a` in name order.
        (
            "2.96",
            &format!("sort_key=display_name&sort_dir=asc&marker={a}"),
            &["b", "c"],
        ),
        (
            "2.96",
            &format!("sort_key=display_name&sort_dir=asc&limit=1&marker={a}"),
            &["b"],
        ),
        (
            "2.96",
            &format!("sort_key=display_name&sort_dir=desc&marker={b}"),
            &["a"],
        ),
        // `id` is accepted but ignored before 2.75, with its direction: the default order.
        ("2.1", "sort_key=id&sort_dir=asc", &["c", "a", "b"]),
    ];
    for (mv, query, want) in cases {
        assert_eq!(names(&env, &token, mv, query).await, want, "{mv} {query}");
    }
    // Several keys: the first decides, the next breaks its ties (one uuid each: the first).
    let mut by_uuid: Vec<(&String, &str)> = ids.iter().zip(["b", "a", "c"]).collect();
    by_uuid.sort();
    assert_eq!(
        names(
            &env,
            &token,
            "2.96",
            "sort_key=uuid&sort_key=display_name&sort_dir=asc"
        )
        .await,
        by_uuid.iter().map(|(_, n)| *n).collect::<Vec<_>>()
    );
    let m = format!(
        "marker [{}] not found",
        "00000000-0000-0000-0000-000000000000"
    );
    assert_eq!(
        listing_error(
            &env,
            &token,
            "2.96",
            "sort_key=display_name&marker=00000000-0000-0000-0000-000000000000"
        )
        .await,
        (400, Value::from(m))
    );
}

#[rstest]
#[tokio::test]
async fn bad_sort_keys_and_directions_are_refused_with_novas_messages(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, [alice, admin], _) = created(engine, ["alice", "admin"], &["a"], false).await;
    let bad = format!(
        "Invalid input for query parameters sort_key. Value: frobnicate. \
         'frobnicate' is not one of {KEYS_V21}"
    );
    let refused = [
        ("sort_key=frobnicate", 400, bad.as_str()),
        (
            "sort_key=display_name&sort_dir=up",
            400,
            "Invalid input received: Unknown sort direction, must be 'desc' or 'asc'",
        ),
        (
            "sort_dir=asc&sort_dir=desc",
            400,
            "Invalid input received: Sort direction size exceeds sort key size",
        ),
        (
            "sort_key=host",
            403,
            "Only administrators can sort servers by host",
        ),
    ];
    for (query, status, want) in refused {
        assert_eq!(
            listing_error(&env, &alice, "2.1", query).await,
            (status, Value::from(want)),
            "{query}"
        );
    }
    // From 2.75 the ignored keys are unknown keys.
    let (status, msg) = listing_error(&env, &alice, "2.75", "sort_key=id").await;
    assert_eq!(status, 400);
    assert!(
        msg.as_str().unwrap().starts_with(
            "Invalid input for query parameters sort_key. Value: id. 'id' is not one of ['"
        ),
        "{msg}"
    );
    assert_eq!(
        names(&env, &admin, "2.1", "all_tenants=1&sort_key=host").await,
        ["a"]
    );
}

#[rstest]
#[tokio::test]
async fn host_ip_and_ip6_filters_select_as_nova_does(
    #[values(Engine::Wiremock, Engine::Hyper)] engine: Engine,
) {
    let (env, [alice, admin], ids) =
        created(engine, ["alice", "admin"], &["net", "bare"], true).await;
    env.advance(5000).await;
    let shown = env.server(&ids[0], &admin).await;
    let host = shown["OS-EXT-SRV-ATTR:host"].as_str().unwrap().to_owned();
    let ip = shown["addresses"]["private"][0]["addr"]
        .as_str()
        .unwrap()
        .to_owned();
    let prefix = &ip[..ip.rfind('.').unwrap() + 1];
    let cases: Vec<(&str, &String, String, &[&str])> = vec![
        (
            "2.96",
            &admin,
            format!("all_tenants=1&host={host}&sort_key=display_name&sort_dir=asc"),
            &["bare", "net"],
        ),
        (
            "2.96",
            &admin,
            "all_tenants=1&host=no-such-host".into(),
            &[],
        ),
        // host is an admin filter: a member's is dropped, so it lists everything.
        ("2.96", &alice, "host=no-such-host".into(), &["bare", "net"]),
        // ip matches at the start of an address (a regular expression), for members too.
        ("2.1", &alice, format!("ip={prefix}"), &["net"]),
        ("2.1", &alice, format!("ip={}", &ip[1..]), &[]),
        ("2.1", &alice, "ip=192.0.2.".into(), &[]),
        // No server has an IPv6 address; before 2.5 a member's ip6 is dropped.
        ("2.96", &alice, "ip6=.".into(), &[]),
        ("2.1", &alice, "ip6=.".into(), &["bare", "net"]),
        ("2.1", &admin, "all_tenants=1&ip6=.".into(), &[]),
    ];
    for (mv, token, query, want) in cases {
        let mut got = names(&env, token, mv, &query).await;
        got.sort();
        assert_eq!(got, want, "{mv} {query}");
    }
}

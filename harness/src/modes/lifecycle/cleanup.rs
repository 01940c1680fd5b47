//! Deleting the scratch servers: by the `conformance-kit` tag, never anything without it.

use super::driver::TAG_KEY;
use crate::client::ComputeClient;
use crate::client::Server;
use reqwest::Method;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// What a cleanup did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanupReport {
    /// Servers deleted (id, name).
    pub deleted: Vec<(String, String)>,
    /// Servers that could not be deleted (id, why).
    pub failed: Vec<(String, String)>,
    /// Servers carrying another run's tag, left alone (with `--run-id`).
    pub other_runs: usize,
}

/// The run id a server's tag carries, if it has the tag.
pub fn tag_of(server: &Server) -> Option<&str> {
    server
        .field("metadata")
        .and_then(|m| m.get(TAG_KEY))
        .and_then(Value::as_str)
}

/// Deletes every server tagged `conformance-kit` (with `run_id`, only that run's), found by
/// listing (plus the soft-deleted listing for admins) and by the ids in `known` (each re-read
/// and deleted only if it carries the tag). Soft-deleted servers are force-deleted. Waits at most
/// `timeout` per server for it to be gone.
pub async fn cleanup_tagged(
    client: &ComputeClient,
    run_id: Option<&str>,
    known: &[String],
    timeout: Duration,
    poll: Duration,
) -> CleanupReport {
    let mut report = CleanupReport::default();
    let mut candidates: BTreeMap<String, Server> = BTreeMap::new();
    let mut listings = vec![client.list_servers_detail(&[]).await];
    if client.session().token().await.is_ok_and(|t| t.is_admin()) {
        listings.push(
            client
                .list_servers_detail(&[("deleted", "True"), ("status", "SOFT_DELETED")])
                .await,
        );
    }
    for listing in listings {
        match listing {
            Ok(servers) => {
                for s in servers {
                    if let Some(id) = s.id() {
                        candidates.insert(id.to_owned(), s);
                    }
                }
            }
            Err(e) => report.failed.push(("(listing)".to_owned(), e.to_string())),
        }
    }
    for id in known {
        if candidates.contains_key(id) {
            continue;
        }
        if let Ok(s) = client.get_server(id).await {
            candidates.insert(id.clone(), s);
        }
    }
    for (id, server) in candidates {
        let Some(tag) = tag_of(&server) else {
            continue;
        };
        if run_id.is_some_and(|r| r != tag) {
            report.other_runs += 1;
            continue;
        }
        let name = server.name().unwrap_or_default().to_owned();
        match delete_one(client, &id, &server, timeout, poll).await {
            Ok(()) => report.deleted.push((id, name)),
            Err(why) => report.failed.push((id, why)),
        }
    }
    report
}

async fn delete_one(
    client: &ComputeClient,
    id: &str,
    server: &Server,
    timeout: Duration,
    poll: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    let mut soft = server.vm_state() == Some("soft-delete");
    let mut requested = false;
    loop {
        if !requested {
            let sent = if soft {
                client
                    .send(
                        Method::POST,
                        &["servers", id, "action"],
                        Some(&serde_json::json!({"forceDelete": null})),
                    )
                    .await
            } else {
                client.send(Method::DELETE, &["servers", id], None).await
            };
            match sent {
                Ok(_) => requested = true,
                Err(e) if e.status().is_some_and(|s| s.as_u16() == 404) => return Ok(()),
                // 409 while a task runs: try again on the next poll.
                Err(e) if e.status().is_some_and(|s| s.as_u16() == 409) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
        if Instant::now() + poll > deadline {
            return Err(format!("still present after {} s", timeout.as_secs_f64()));
        }
        tokio::time::sleep(poll).await;
        match client.get_server(id).await {
            Err(e) if e.status().is_some_and(|s| s.as_u16() == 404) => return Ok(()),
            Err(e) => return Err(e.to_string()),
            Ok(now) if now.vm_state() == Some("soft-delete") && now.task_state().is_none() => {
                if !soft {
                    soft = true;
                    requested = false;
                }
            }
            Ok(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_servers_with_the_tag_have_a_run_id() {
        let tagged = Server::new(serde_json::json!({"id": "a", "metadata": {TAG_KEY: "r1"}}));
        let plain = Server::new(serde_json::json!({"id": "b", "metadata": {"other": "r1"}}));
        let bare = Server::new(serde_json::json!({"id": "c"}));
        assert_eq!(tag_of(&tagged), Some("r1"));
        assert_eq!(tag_of(&plain), None);
        assert_eq!(tag_of(&bare), None);
    }
}

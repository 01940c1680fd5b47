//! `sort_key` / `sort_dir` of `GET /servers`, as Nova's API and database layer apply them.
//!
//! Nova validates `sort_key` against an enum per microversion (before 2.73, 2.73, 2.75+; an
//! unknown key is `400`), drops the keys it keeps only for compatibility (`id`, `deleted`,
//! `locked` before 2.73, ...), refuses `host` / `node` to non-admins (`403`), pairs keys and
//! directions (`common.get_sort_params`: `created_at` / `desc` when none is given), then appends
//! `created_at` and `id` as tie-breakers in the first direction (`db.utils.process_sort_params`).
//! Null sorts first in ascending order, as in SQL. The fake's `id` is its creation sequence.

use std::cmp::Ordering;

use super::super::error::{bad_request, forbidden};
use super::super::http::{ApiRequest, ApiResponse};
use super::microversion::Microversion;
use super::view::is_scheduled;
use super::view_parts::Hostname;
use crate::domain::{Server, VmState};

/// Keys Nova accepts at every microversion and sorts by.
const SORTABLE: [&str; 29] = [
    "access_ip_v4",
    "access_ip_v6",
    "auto_disk_config",
    "availability_zone",
    "config_drive",
    "created_at",
    "display_description",
    "display_name",
    "host",
    "hostname",
    "image_ref",
    "instance_type_id",
    "kernel_id",
    "key_name",
    "launch_index",
    "launched_at",
    "locked_by",
    "node",
    "power_state",
    "progress",
    "project_id",
    "ramdisk_id",
    "root_device_name",
    "task_state",
    "terminated_at",
    "updated_at",
    "user_id",
    "uuid",
    "vm_state",
];

/// Keys accepted before 2.75 but ignored (`SERVER_LIST_IGNORE_SORT_KEY`); `locked` is sortable
/// from 2.73 on.
const IGNORED: [&str; 22] = [
    "architecture",
    "cell_name",
    "cleaned",
    "default_ephemeral_device",
    "default_swap_device",
    "deleted",
    "deleted_at",
    "disable_terminate",
    "ephemeral_gb",
    "ephemeral_key_uuid",
    "id",
    "key_data",
    "launched_on",
    "locked",
    "memory_mb",
    "os_type",
    "reservation_id",
    "root_gb",
    "shutdown_terminate",
    "user_data",
    "vcpus",
    "vm_mode",
];

/// What a server is sorted by: the keys of the request, then `created_at` and `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SortOrder {
    keys: Vec<(String, bool)>,
}

/// One sort key's value; `None` (SQL null) sorts first ascending.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Value {
    Text(Option<String>),
    Number(Option<i64>),
}

impl SortOrder {
    /// The order a listing asks for, or `None` when it gives neither `sort_key` nor `sort_dir`
    /// (Nova's default: newest first, which is the fake's own order). `Err` is Nova's answer to
    /// a bad key or direction.
    pub(crate) fn from_request(
        req: &ApiRequest,
        mv: Microversion,
        is_admin: bool,
    ) -> Result<Option<SortOrder>, ApiResponse> {
        let mut keys: Vec<String> = req
            .query_all("sort_key")
            .iter()
            .map(|k| k.trim().to_owned())
            .collect();
        let mut dirs: Vec<String> = req
            .query_all("sort_dir")
            .iter()
            .map(|d| d.trim().to_owned())
            .collect();
        if keys.is_empty() && dirs.is_empty() {
            return Ok(None);
        }
        // The schema checks the raw values, before any trimming.
        for raw in req.query_all("sort_key") {
            if !valid_key(&raw, mv) {
                return Err(bad_request(format!(
                    "Invalid input for query parameters sort_key. Value: {raw}. \
                     '{raw}' is not one of {}",
                    python_list(&enum_of(mv))
                )));
            }
        }
        if keys.is_empty() {
            keys.push("created_at".to_owned());
        }
        if dirs.is_empty() {
            dirs.push("desc".to_owned());
        }
        remove_ignored(&mut keys, &mut dirs, mv);
        if let Some(k) = keys
            .iter()
            .find(|k| !is_admin && matches!(k.as_str(), "host" | "node"))
        {
            return Err(forbidden(format!(
                "Only administrators can sort servers by {k}"
            )));
        }
        pair(keys, dirs).map(|keys| Some(SortOrder { keys }))
    }

    /// Compares two servers in this order (the last key, `id`, makes it total).
    pub(crate) fn compare(&self, a: &Server, b: &Server) -> Ordering {
        for (key, ascending) in &self.keys {
            let o = value(a, key).cmp(&value(b, key));
            let o = if *ascending { o } else { o.reverse() };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}

fn valid_key(key: &str, mv: Microversion) -> bool {
    SORTABLE.contains(&key)
        || (mv.at_least(73) && key == "locked")
        || (!mv.at_least(75) && IGNORED.contains(&key))
}

/// The keys Nova's schema lists in its message (its own order before 2.73; from 2.73 Nova
/// builds the list from a set, so its order varies between processes: sorted here).
fn enum_of(mv: Microversion) -> Vec<&'static str> {
    if !mv.at_least(73) {
        return SORTABLE.iter().chain(IGNORED.iter()).copied().collect();
    }
    let mut keys: Vec<&str> = SORTABLE.iter().copied().chain(["locked"]).collect();
    if !mv.at_least(75) {
        keys.extend(IGNORED.iter().filter(|k| **k != "locked"));
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

fn python_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|k| format!("'{k}'")).collect();
    format!("[{}]", quoted.join(", "))
}

/// `remove_invalid_sort_keys`: an ignored key goes, with its direction if it has one.
fn remove_ignored(keys: &mut Vec<String>, dirs: &mut Vec<String>, mv: Microversion) {
    let ignored = |k: &str| IGNORED.contains(&k) && !(mv.at_least(73) && k == "locked");
    while let Some(i) = keys.iter().position(|k| ignored(k)) {
        if dirs.len() > i {
            dirs.remove(i);
        }
        keys.remove(i);
    }
}

/// `process_sort_params`: directions checked and padded with the first one, then the
/// tie-breakers `created_at` and `id` in that direction.
fn pair(keys: Vec<String>, dirs: Vec<String>) -> Result<Vec<(String, bool)>, ApiResponse> {
    if dirs.iter().any(|d| d != "asc" && d != "desc") {
        return Err(bad_request(
            "Invalid input received: Unknown sort direction, must be 'desc' or 'asc'",
        ));
    }
    if dirs.len() > keys.len() {
        return Err(bad_request(
            "Invalid input received: Sort direction size exceeds sort key size",
        ));
    }
    let first = dirs.first().map_or("desc", String::as_str) == "asc";
    let mut out: Vec<(String, bool)> = keys
        .into_iter()
        .enumerate()
        .map(|(i, k)| (k, dirs.get(i).map_or(first, |d| d == "asc")))
        .collect();
    for tie in ["created_at", "id"] {
        if !out.iter().any(|(k, _)| k == tie) {
            out.push((tie.to_owned(), first));
        }
    }
    Ok(out)
}

/// A server's value for one key; keys the fake holds no data for compare equal.
fn value(s: &Server, key: &str) -> Value {
    let text = |v: Option<&str>| Value::Text(v.map(str::to_owned));
    match key {
        "display_name" => text(Some(&s.name)),
        "display_description" => text(s.description.as_deref()),
        "uuid" => text(Some(s.id.as_str())),
        "project_id" => text(Some(&s.project_id)),
        "user_id" => text(Some(&s.user_id)),
        "image_ref" => text(s.image_id.as_deref()),
        "vm_state" => text(s.vm_state.as_ref().map(VmState::as_str)),
        "task_state" => text(s.task_state.as_ref().map(|t| t.as_str())),
        "access_ip_v4" => text(s.access_ipv4.as_deref()),
        "access_ip_v6" => text(s.access_ipv6.as_deref()),
        "host" | "node" => text(is_scheduled(s).then_some("fake-host")),
        "availability_zone" => text(is_scheduled(s).then_some("nova")),
        "hostname" => Value::Text(Some(Hostname(&s.name).to_string())),
        "instance_type_id" => Value::Number(s.flavor_id.parse().ok()),
        "power_state" => Value::Number(s.power_state),
        "locked" => Value::Number(Some(i64::from(s.locked))),
        "created_at" => Value::Number(Some(s.created_unix)),
        "updated_at" => Value::Number(Some(s.updated_unix)),
        "launched_at" => Value::Number(is_scheduled(s).then_some(s.created_unix)),
        "terminated_at" => Value::Number(s.terminated_unix),
        "id" => Value::Number(i64::try_from(s.seq).ok()),
        _ => Value::Number(None),
    }
}

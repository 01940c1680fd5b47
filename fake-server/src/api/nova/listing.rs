//! `GET /servers` and `GET /servers/detail`: Nova's list filters, pagination and bodies.
//!
//! Filters, as Nova applies them: `status` (vm_state and task_state sets, see
//! [`StatusFilter`]), `vm_state` / `task_state` (admins, and everyone from 2.83; ignored for
//! others, as Nova strips them; a `status` filter replaces them), `name` (a regular
//! expression, searched unanchored like Nova's `REGEXP` filter), `flavor` and `image` (exact
//! ids), `changes-since` / `changes-before` (2.66+) on the last update time, `deleted`
//! (admins), `all_tenants`, `project_id` / `tenant_id`, `host` (admins; the fake's one host is
//! `fake-host`), `ip` / `ip6` (2.5+ for non-admins; regular expressions matched at the start of
//! a fixed address, as `compute.api._ip_filter` does; the fake has IPv4 addresses only). Order:
//! newest first, or `sort_key` / `sort_dir` (see [`super::sorting`]). Deleted rows (tombstones of destroyed
//! servers, and soft-deleted servers) are hidden unless `deleted=True` is asked for, or
//! `changes-since` / `changes-before` is given without `deleted` (Nova then lists deleted rows
//! too, so pollers see servers go away).

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use regex::{Regex, RegexBuilder};
use serde::Serialize;
use serde_json::json;

use super::super::core::Inner;
use super::super::error::{bad_request, forbidden};
use super::super::http::{ApiRequest, ApiResponse, percent_encode};
use super::super::journal::ListedIds;
use super::super::render::typed_json;
use super::route::Ctx;
use super::servers::view_ctx;
use super::sorting::SortOrder;
use super::view::{Brief, DETAIL_BYTES, ViewCtx, is_scheduled};
use super::view_parts::Ip;
use crate::domain::{Narrowing, Server, ServerId, StatusFilter, VmState};

/// Nova's `max_limit`.
const MAX_LIMIT: usize = 1000;

/// Nova's lenient boolean parsing for `deleted` / `all_tenants`.
fn truthy(v: &str) -> bool {
    matches!(
        v.to_ascii_lowercase().as_str(),
        "1" | "t" | "true" | "on" | "y" | "yes"
    )
}

/// Which rows a listing reads, as Nova's `deleted` filter has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rows {
    /// Live servers that are not soft-deleted (the default).
    Live,
    /// Destroyed (`DELETED` tombstones) and soft-deleted servers (`deleted=True`, admins).
    Deleted,
    /// Everything (`changes-since` / `changes-before` without `deleted`).
    All,
}

/// Which servers a listing selects.
#[derive(Debug)]
struct Selection {
    project: Option<String>,
    rows: Rows,
    status: Option<StatusFilter>,
    vm_states: Vec<String>,
    task_states: Vec<String>,
    name: Option<Regex>,
    changes_since: Option<i64>,
    changes_before: Option<i64>,
    /// `?flavor=`: the flavor id (an unknown flavor matches nothing, as Nova lists nothing).
    flavor: Option<String>,
    /// `?image=`: the image id, compared exactly.
    image: Option<String>,
    /// `?host=` (admins only; ignored for others, as Nova strips it).
    host: Option<String>,
    /// `?ip=` / `?ip6=`: anchored at the start of an address; either one matching selects.
    ip: Option<Regex>,
    ip6: Option<Regex>,
}

impl Selection {
    /// What the indexes may skip: servers outside the vm_states the filters allow, and
    /// servers not updated since `changes-since`.
    fn narrowing(&self) -> Narrowing {
        let vm_states = match (&self.status, self.rows) {
            (Some(f), _) => Some(f.vm_states.iter().cloned().collect()),
            (None, _) if !self.vm_states.is_empty() => Some(
                self.vm_states
                    .iter()
                    .map(|v| VmState::from(v.as_str()))
                    .collect(),
            ),
            // Deleted rows are tombstones (vm_state `deleted`) and soft-deleted servers.
            (None, Rows::Deleted) => Some(vec![VmState::SoftDelete, VmState::Deleted]),
            (None, _) => None,
        };
        Narrowing {
            vm_states,
            updated_since: self.changes_since,
        }
    }

    fn matches(&self, s: &Server) -> bool {
        let deleted = s.vm_state == Some(VmState::SoftDelete) || s.terminated_unix.is_some();
        let rows_ok = match self.rows {
            Rows::Live => !deleted,
            Rows::Deleted => deleted,
            Rows::All => true,
        };
        self.project.as_ref().is_none_or(|p| &s.project_id == p)
            && rows_ok
            && self.flavor.as_ref().is_none_or(|f| &s.flavor_id == f)
            && self
                .image
                .as_ref()
                .is_none_or(|i| s.image_id.as_ref() == Some(i))
            && self
                .status
                .as_ref()
                .is_none_or(|f| f.matches(s.vm_state.as_ref(), s.task_state.as_ref()))
            && (self.vm_states.is_empty()
                || s.vm_state
                    .as_ref()
                    .is_some_and(|v| self.vm_states.iter().any(|w| w == v.as_str())))
            && (self.task_states.is_empty()
                || s.task_state
                    .as_ref()
                    .is_some_and(|t| self.task_states.iter().any(|w| w == t.as_str())))
            && self.name.as_ref().is_none_or(|re| re.is_match(&s.name))
            && self
                .host
                .as_ref()
                .is_none_or(|h| h == "fake-host" && is_scheduled(s))
            && self.ip_matches(s)
            && self.changes_since.is_none_or(|t| s.updated_unix >= t)
            && self.changes_before.is_none_or(|t| s.updated_unix <= t)
    }
}

impl Selection {
    /// `ip` / `ip6`: a server with an address one of them matches (the fake's only address is
    /// the IPv4 one of a server on the `private` network, shown once it is built).
    fn ip_matches(&self, s: &Server) -> bool {
        if self.ip.is_none() && self.ip6.is_none() {
            return true;
        }
        let shown =
            s.networked && !matches!(s.vm_state, Some(VmState::Building | VmState::Deleted));
        shown
            && self
                .ip
                .as_ref()
                .is_some_and(|re| re.is_match(&Ip(s.seq).to_string()))
    }
}

/// A regular-expression query parameter; `anchored` matches at the start only (Python's
/// `re.match`), else anywhere (`re.search`).
fn regex_param(req: &ApiRequest, name: &str, anchored: bool) -> Result<Option<Regex>, ApiResponse> {
    let Some(pattern) = req.query_last(name) else {
        return Ok(None);
    };
    let source = if anchored {
        format!("^(?:{pattern})")
    } else {
        pattern.clone()
    };
    RegexBuilder::new(&source)
        .size_limit(1 << 20)
        .build()
        .map(Some)
        .map_err(|e| {
            bad_request(format!(
                "Invalid input for query parameters {name}. Value: {pattern}. \
                 Not a valid regular expression: {}",
                e.to_string().lines().last().unwrap_or_default()
            ))
        })
}

/// An ISO 8601 time as Nova's `date-time` query format accepts it (zone optional, UTC when
/// absent; a bare date is midnight), in Unix seconds.
pub(crate) fn parse_time(v: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.timestamp());
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(v, f) {
            return Some(t.and_utc().timestamp());
        }
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
}

fn time_param(req: &ApiRequest, name: &str) -> Result<Option<i64>, ApiResponse> {
    match req.query_last(name) {
        None => Ok(None),
        Some(v) => parse_time(&v).map(Some).ok_or_else(|| {
            bad_request(format!(
                "Invalid input for query parameters {name}. Value: {v}. '{v}' is not a 'date-time'"
            ))
        }),
    }
}

/// Parses the filters; `Err` is the response to send instead of a listing.
fn select(ctx: &Ctx<'_>) -> Result<Selection, ApiResponse> {
    let req = ctx.req;
    let admin = ctx.who.is_admin();
    let statuses = req.query_all("status");
    let status = (!statuses.is_empty())
        .then(|| StatusFilter::from_statuses(statuses.iter().map(String::as_str)));
    let deleted_param = req.query_last("deleted").filter(|_| admin);
    let changes_since = time_param(req, "changes-since")?;
    let changes_before = if ctx.mv.at_least(66) {
        time_param(req, "changes-before")?
    } else {
        None
    };
    if let (Some(since), Some(before)) = (changes_since, changes_before)
        && since > before
    {
        return Err(bad_request(
            "The value of changes-since must be less than or equal to changes-before.",
        ));
    }
    let mut rows = match (&deleted_param, changes_since.or(changes_before)) {
        (Some(v), _) if truthy(v) => Rows::Deleted,
        (Some(_), _) => Rows::Live,
        (None, Some(_)) => Rows::All,
        (None, None) => Rows::Live,
    };
    if let Some(f) = &status {
        if f.is_empty() {
            if ctx.mv.at_least(38) {
                return Err(bad_request("Invalid status value"));
            }
            return Err(ApiResponse::json(200, &json!({"servers": []})));
        }
        if f.is_only_deleted() {
            if !admin {
                return Err(forbidden("Only administrators may list deleted instances"));
            }
            rows = Rows::Deleted;
        }
    }
    let all_tenants = req
        .query_last("all_tenants")
        .is_some_and(|v| v.is_empty() || truthy(&v));
    if all_tenants && !admin {
        return Err(forbidden(
            "Policy doesn't allow os_compute_api:servers:index:get_all_tenants to be performed.",
        ));
    }
    let project = if all_tenants {
        req.query_last("project_id")
            .or_else(|| req.query_last("tenant_id"))
    } else {
        Some(ctx.who.project_id.clone())
    };
    // Nova strips vm_state/task_state for non-admins before 2.83; `status` replaces them.
    let state_filters = (admin || ctx.mv.at_least(83)) && status.is_none();
    let states = |name: &str| {
        if state_filters {
            req.query_all(name)
        } else {
            Vec::new()
        }
    };
    let name = regex_param(req, "name", false)?;
    let ip = regex_param(req, "ip", true)?;
    let ip6 = if admin || ctx.mv.at_least(5) {
        regex_param(req, "ip6", true)?
    } else {
        None
    };
    Ok(Selection {
        project,
        rows,
        status,
        vm_states: states("vm_state"),
        task_states: states("task_state"),
        name,
        changes_since,
        changes_before,
        flavor: req.query_last("flavor"),
        image: req.query_last("image"),
        host: req.query_last("host").filter(|_| admin),
        ip,
        ip6,
    })
}

/// `?limit=` as Nova reads it: absent is the maximum, negative or not an integer is a 400, more
/// than the maximum is the maximum.
fn page_limit(limit: Option<String>) -> Result<usize, ApiResponse> {
    match limit {
        None => Ok(MAX_LIMIT),
        Some(l) => match l.parse::<i64>() {
            Err(_) => Err(bad_request("limit param must be an integer")),
            Ok(n) if n < 0 => Err(bad_request("limit param must be positive")),
            Ok(n) => Ok(usize::try_from(n).unwrap_or(MAX_LIMIT).min(MAX_LIMIT)),
        },
    }
}

/// The `servers_links` of a full page: the request's own query with `marker` set to the page's
/// last server (and `limit` added when the request had none), as Nova's view builder writes it.
fn next_link(ctx: &Ctx<'_>, last: &str, limit: usize, detailed: bool) -> [NextLink; 1] {
    let mut query: Vec<String> = ctx
        .req
        .query_pairs()
        .into_iter()
        .filter(|(k, _)| k != "marker")
        .map(|(k, v)| format!("{}={}", percent_encode(&k), percent_encode(&v)))
        .collect();
    if !query.iter().any(|q| q.starts_with("limit=")) {
        query.push(format!("limit={limit}"));
    }
    query.push(format!("marker={last}"));
    let coll = if detailed {
        "servers/detail"
    } else {
        "servers"
    };
    [NextLink {
        href: format!("{}/compute/v2.1/{coll}?{}", ctx.base, query.join("&")),
        rel: "next",
    }]
}

pub(crate) fn list(ctx: &Ctx<'_>, inner: &mut Inner, detailed: bool) -> ApiResponse {
    let req = ctx.req;
    let limit = match page_limit(req.query_last("limit")) {
        Ok(limit) => limit,
        Err(resp) => return resp,
    };
    let marker = req.query_last("marker");
    let selection = match select(ctx) {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let vctx = ViewCtx {
        listing: true,
        ..view_ctx(ctx, inner)
    };
    let deriver = &ctx.api.config.deriver;
    // Nova looks the marker up by id among every instance (`_instance_get_by_uuid`, read
    // deleted), so any existing server is a valid marker, matching the filters or not.
    let marker_id = marker.as_deref().map(ServerId::new);
    let order = match SortOrder::from_request(req, ctx.mv, ctx.who.is_admin()) {
        Ok(o) => o,
        Err(resp) => return resp,
    };
    // Sorted by request: every row is read and sorted, the marker placed by its own values (so
    // nothing is narrowed away: the marker's row must be read whatever the filters).
    let (start, narrowing) = if order.is_some() {
        (None, Narrowing::default())
    } else {
        (marker_id.as_ref(), selection.narrowing())
    };
    let Some(after) = inner.cloud.servers_narrowed(
        start,
        order.is_some() || selection.rows != Rows::Live,
        &narrowing,
    ) else {
        let m = marker.unwrap_or_default();
        return bad_request(format!("marker [{m}] not found"));
    };
    let page: Vec<&Server> = match order {
        None => after.filter(|s| selection.matches(s)).take(limit).collect(),
        Some(order) => match sorted_page(after, marker_id.as_ref(), &selection, &order, limit) {
            Some(page) => page,
            None => {
                let m = marker.unwrap_or_default();
                return bad_request(format!("marker [{m}] not found"));
            }
        },
    };
    let listed = ListedIds::new(page.iter().map(|s| s.id.as_str()));
    let next = (!page.is_empty() && page.len() == limit)
        .then(|| next_link(ctx, page[page.len() - 1].id.as_str(), limit, detailed));
    let resp = if detailed {
        // `{"servers":[…],"servers_links":[…]}`, each body from the render cache.
        let mut out = Vec::with_capacity(64 + (DETAIL_BYTES + 1) * page.len());
        out.extend_from_slice(b"{\"servers\":[");
        for (i, s) in page.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let status = deriver.status_of(s);
            inner.render_cache.write_detail(s, &status, vctx, &mut out);
        }
        out.push(b']');
        if let Some(next) = &next {
            out.extend_from_slice(b",\"servers_links\":");
            let _ = serde_json::to_writer(&mut out, next);
        }
        out.push(b'}');
        ApiResponse::json_bytes(200, out)
    } else {
        let body = ListBody {
            servers: page.iter().map(|s| Brief::new(s, ctx.base)).collect(),
            servers_links: next,
        };
        typed_json(200, &body, 64 + 256 * page.len())
    };
    inner.observed.listed = Some(listed);
    resp
}

/// One page in a requested order: the matching servers sorted, those after the marker (by
/// the order's comparison, so a marker need not match the filters), at most `limit`. `None`
/// when the marker is no server at all. `rows` holds every server, deleted ones included.
fn sorted_page<'a>(
    rows: impl Iterator<Item = &'a Server>,
    marker: Option<&ServerId>,
    selection: &Selection,
    order: &SortOrder,
    limit: usize,
) -> Option<Vec<&'a Server>> {
    let mut marker_row = None;
    let mut matching = Vec::new();
    for s in rows {
        if marker == Some(&s.id) {
            marker_row = Some(s);
        }
        if selection.matches(s) {
            matching.push(s);
        }
    }
    if marker.is_some() && marker_row.is_none() {
        return None;
    }
    matching.sort_by(|a, b| order.compare(a, b));
    let skip = marker_row.map_or(0, |m| {
        matching.partition_point(|s| order.compare(s, m) != std::cmp::Ordering::Greater)
    });
    Some(matching.into_iter().skip(skip).take(limit).collect())
}

/// `{"servers": […], "servers_links"?: [{"href", "rel": "next"}]}`.
#[derive(Serialize)]
struct ListBody<T> {
    servers: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    servers_links: Option<[NextLink; 1]>,
}

#[derive(Serialize)]
struct NextLink {
    href: String,
    rel: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_with_or_without_a_zone_and_as_bare_dates() {
        let rows = [
            ("2023-11-14T22:13:20Z", Some(1_700_000_000)),
            ("2023-11-14T23:13:20+01:00", Some(1_700_000_000)),
            ("2023-11-14T22:13:20", Some(1_700_000_000)),
            ("2023-11-14T22:13:20.123456", Some(1_700_000_000)),
            ("2023-11-14 22:13:20", Some(1_700_000_000)),
            ("2023-11-14", Some(1_699_920_000)),
            ("yesterday", None),
            ("2023-13-01", None),
        ];
        for (text, want) in rows {
            assert_eq!(parse_time(text), want, "{text}");
        }
    }
}

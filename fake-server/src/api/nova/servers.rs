//! `GET /servers[/detail]`, `GET /servers/{id}` and `POST /servers`.

use serde::Serialize;
use serde_json::{Value, json};

use super::super::core::Inner;
use super::super::error::{bad_request, forbidden, parse_json, server_not_found};
use super::super::http::{ApiResponse, percent_encode};
use super::super::render::typed_json;
use super::flavors;
use super::route::Ctx;
use super::view::{Brief, DETAIL_BYTES, ViewCtx, links};
use crate::domain::{NewServer, Server, ServerId, StatusFilter, VmState};

/// Nova's `max_limit`.
const MAX_LIMIT: usize = 1000;

pub(crate) fn view_ctx<'a>(ctx: &'a Ctx<'_>, inner: &Inner) -> ViewCtx<'a> {
    ViewCtx {
        mv: ctx.mv,
        is_admin: ctx.who.is_admin(),
        base: ctx.base,
        now_ms: inner.cloud.now_ms(),
        step_ms: inner.cloud.timing().step_ms,
        listing: false,
    }
}

/// Whether the caller may see a server by id (owner or admin, as Nova's policy).
pub(crate) fn can_see(ctx: &Ctx<'_>, s: &Server) -> bool {
    ctx.who.is_admin() || s.project_id == ctx.who.project_id
}

pub(crate) fn show(ctx: &Ctx<'_>, inner: &mut Inner, id: &str) -> ApiResponse {
    let id = ServerId::new(id);
    let vctx = view_ctx(ctx, inner);
    let deriver = &ctx.api.config.deriver;
    match inner.cloud.get(&id) {
        Some(s) if can_see(ctx, s) => {
            let status = deriver.derive(s.vm_state.as_ref(), s.task_state.as_ref());
            let mut out = Vec::with_capacity(DETAIL_BYTES + 16);
            out.extend_from_slice(b"{\"server\":");
            inner.render_cache.write_detail(s, &status, vctx, &mut out);
            out.push(b'}');
            ApiResponse::json_bytes(200, out)
        }
        _ => server_not_found(id.as_str()),
    }
}

/// Nova's lenient boolean parsing for `deleted` / `all_tenants`.
fn truthy(v: &str) -> bool {
    matches!(
        v.to_ascii_lowercase().as_str(),
        "1" | "t" | "true" | "on" | "y" | "yes"
    )
}

pub(crate) fn list(ctx: &Ctx<'_>, inner: &mut Inner, detailed: bool) -> ApiResponse {
    let req = ctx.req;
    let admin = ctx.who.is_admin();
    // Pagination parameters.
    let limit = match req.query_last("limit") {
        None => MAX_LIMIT,
        Some(l) => match l.parse::<i64>() {
            Err(_) => return bad_request("limit param must be an integer"),
            Ok(n) if n < 0 => return bad_request("limit param must be positive"),
            Ok(n) => usize::try_from(n).unwrap_or(MAX_LIMIT).min(MAX_LIMIT),
        },
    };
    let marker = req.query_last("marker");
    // Status filter.
    let statuses = req.query_all("status");
    let filter = (!statuses.is_empty())
        .then(|| StatusFilter::from_statuses(statuses.iter().map(String::as_str)));
    let mut deleted = admin && req.query_last("deleted").is_some_and(|v| truthy(&v));
    if let Some(f) = &filter {
        if f.is_empty() {
            if ctx.mv.at_least(38) {
                return bad_request("Invalid status value");
            }
            return ApiResponse::json(200, &json!({"servers": []}));
        }
        if f.is_only_deleted() {
            if !admin {
                return forbidden("Only administrators may list deleted instances");
            }
            deleted = true;
        }
    }
    let all_tenants = req
        .query_last("all_tenants")
        .is_some_and(|v| v.is_empty() || truthy(&v));
    if all_tenants && !admin {
        return forbidden(
            "Policy doesn't allow os_compute_api:servers:index:get_all_tenants to be performed.",
        );
    }
    let project_filter = if all_tenants {
        req.query_last("project_id")
            .or_else(|| req.query_last("tenant_id"))
    } else {
        Some(ctx.who.project_id.clone())
    };
    let name_filter = req.query_last("name");
    let vctx = ViewCtx {
        listing: true,
        ..view_ctx(ctx, inner)
    };
    let deriver = &ctx.api.config.deriver;
    let matching: Vec<&Server> = inner
        .cloud
        .servers()
        .filter(|s| project_filter.as_ref().is_none_or(|p| &s.project_id == p))
        // Without `deleted=True`, Nova's DB query also hides soft-deleted rows; with it, only
        // deleted rows (here: soft-deleted ones, since destroyed servers are gone) are listed.
        .filter(|s| (s.vm_state == Some(VmState::SoftDelete)) == deleted)
        .filter(|s| {
            filter
                .as_ref()
                .is_none_or(|f| f.matches(s.vm_state.as_ref(), s.task_state.as_ref()))
        })
        .filter(|s| {
            name_filter
                .as_ref()
                .is_none_or(|n| s.name.contains(n.as_str()))
        })
        .collect();
    let start = match &marker {
        None => 0,
        Some(m) => match matching.iter().position(|s| s.id.as_str() == m) {
            Some(i) => i + 1,
            None => return bad_request(format!("marker [{m}] not found")),
        },
    };
    let page: Vec<&Server> = matching.iter().skip(start).take(limit).copied().collect();
    let next = (!page.is_empty() && page.len() == limit).then(|| {
        let last = page[page.len() - 1].id.as_str();
        let mut query: Vec<String> = req
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
    });
    if detailed {
        // `{"servers":[…],"servers_links":[…]}`, each body from the render cache.
        let mut out = Vec::with_capacity(64 + (DETAIL_BYTES + 1) * page.len());
        out.extend_from_slice(b"{\"servers\":[");
        for (i, s) in page.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let status = deriver.derive(s.vm_state.as_ref(), s.task_state.as_ref());
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
    }
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

pub(crate) fn create(ctx: &Ctx<'_>, inner: &mut Inner) -> ApiResponse {
    let body = match parse_json(&ctx.req.body) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let Some(server) = body.get("server").and_then(Value::as_object) else {
        return bad_request(
            "Invalid input for field/attribute server. Value: missing. 'server' is a required property",
        );
    };
    let field = |k: &str| server.get(k);
    let name = match field("name") {
        Some(Value::String(n)) if !n.is_empty() && n.len() <= 255 => n.clone(),
        Some(v) => {
            return bad_request(format!(
                "Invalid input for field/attribute name. Value: {v}."
            ));
        }
        None => {
            return bad_request(
                "Invalid input for field/attribute name. Value: missing. 'name' is a required property",
            );
        }
    };
    let flavor_id = match field("flavorRef") {
        Some(Value::String(f)) => f.rsplit('/').next().unwrap_or_default().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        Some(v) => {
            return bad_request(format!(
                "Invalid input for field/attribute flavorRef. Value: {v}."
            ));
        }
        None => {
            return bad_request(
                "Invalid input for field/attribute flavorRef. Value: missing. 'flavorRef' is a required property",
            );
        }
    };
    if flavors::find(&flavor_id).is_none() {
        return bad_request(format!("Flavor {flavor_id} could not be found."));
    }
    let image_id = match field("imageRef") {
        Some(Value::String(i)) if i.is_empty() => None,
        Some(Value::String(i)) => Some(i.rsplit('/').next().unwrap_or_default().to_owned()),
        Some(v) => {
            return bad_request(format!(
                "Invalid input for field/attribute imageRef. Value: {v}."
            ));
        }
        None => None,
    };
    if image_id.is_none() && field("block_device_mapping_v2").is_none() {
        return bad_request(
            "Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.",
        );
    }
    match field("networks") {
        None if ctx.mv.at_least(37) => {
            return bad_request(
                "Invalid input for field/attribute networks. Value: missing. 'networks' is a required property",
            );
        }
        None => {}
        Some(Value::String(s)) if ctx.mv.at_least(37) && (s == "none" || s == "auto") => {}
        Some(Value::Array(_)) => {}
        Some(v) => {
            return bad_request(format!(
                "Invalid input for field/attribute networks. Value: {v}."
            ));
        }
    }
    let metadata = match field("metadata") {
        None => Vec::new(),
        Some(Value::Object(m)) => {
            let mut out = Vec::new();
            for (k, v) in m {
                match v.as_str() {
                    Some(v) => out.push((k.clone(), v.to_owned())),
                    None => {
                        return bad_request(format!(
                            "Invalid input for field/attribute metadata. Value: {k}={v}."
                        ));
                    }
                }
            }
            out
        }
        Some(v) => {
            return bad_request(format!(
                "Invalid input for field/attribute metadata. Value: {v}."
            ));
        }
    };
    let description = match field("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(d)) if ctx.mv.at_least(19) => Some(d.clone()),
        Some(v) => {
            return bad_request(format!(
                "Invalid input for field/attribute description. Value: {v}."
            ));
        }
    };
    let id = inner.cloud.create(NewServer {
        name: Some(name),
        project_id: ctx.who.project_id.clone(),
        user_id: ctx.who.user_id.clone(),
        flavor_id,
        image_id,
        metadata,
        description,
        ..Default::default()
    });
    let admin_pass: String = format!("{:016x}", inner.rng.next_u64())
        .chars()
        .take(12)
        .collect();
    let mut server = json!({"id": id.as_str(), "links": links(ctx.base, id.as_str()), "OS-DCF:diskConfig": "MANUAL",
                            "security_groups": [{"name": "default"}], "adminPass": admin_pass});
    if let Some(Value::String(s)) = field("networks")
        && s == "none"
    {
        server.as_object_mut().map(|o| o.remove("security_groups"));
    }
    ApiResponse::json(202, &json!({"server": server})).with_header(
        "location",
        format!("{}/compute/v2.1/servers/{}", ctx.base, id.as_str()),
    )
}

//! `GET /servers/{id}`, `POST /servers` and `PUT /servers/{id}` (listings: `listing.rs`).

use serde_json::{Value, json};

use super::super::core::Inner;
use super::super::error::{bad_request, server_not_found};
use super::super::http::ApiResponse;
use super::super::journal::Served;
use super::flavors;
use super::requests::{CreateBody, Networks, UpdateBody, ref_id};
use super::route::Ctx;
use super::view::{DETAIL_BYTES, Detail, ViewCtx, links};
use crate::domain::{NewServer, Server, ServerId, Status};

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
    if !inner.cloud.get(&id).is_some_and(|s| can_see(ctx, s)) {
        return server_not_found(id.as_str());
    }
    // A GET by the owner is a poll: a scripted timeline shows its next step.
    let server = if ctx.who.is_admin() {
        inner.cloud.get(&id)
    } else {
        inner.cloud.poll(&id)
    };
    let Some(s) = server else {
        return server_not_found(id.as_str());
    };
    let status = deriver.status_of(s);
    inner.observed.served = Some(served(s, &status));
    let mut out = Vec::with_capacity(DETAIL_BYTES + 16);
    out.extend_from_slice(b"{\"server\":");
    inner.render_cache.write_detail(s, &status, vctx, &mut out);
    out.push(b'}');
    ApiResponse::json_bytes(200, out)
}

/// What a GET of `s` served, for the journal.
pub(crate) fn served(s: &Server, status: &Status) -> Served {
    Served {
        status: status.as_str().to_owned(),
        vm_state: s.vm_state.as_ref().map(|v| v.as_str().to_owned()),
        task_state: s.task_state.as_ref().map(|t| t.as_str().to_owned()),
    }
}

pub(crate) fn create(ctx: &Ctx<'_>, inner: &mut Inner) -> ApiResponse {
    let server = match CreateBody::decode(&ctx.req.body, ctx.mv) {
        Ok(b) => b.server,
        Err(e) => return e,
    };
    let flavor_id = ref_id(&server.flavor_ref.text()).to_owned();
    if flavors::find(&flavor_id).is_none() {
        return bad_request(format!("Flavor {flavor_id} could not be found."));
    }
    let image_id = server
        .image_ref
        .as_deref()
        .filter(|i| !i.is_empty())
        .map(|i| ref_id(i).to_owned());
    if image_id.is_none()
        && server.block_device_mapping_v2.is_none()
        && server.block_device_mapping.is_none()
    {
        return bad_request(
            "Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.",
        );
    }
    let no_network = matches!(&server.networks, Some(Networks::Word(w)) if w == "none");
    let id = inner.cloud.create(NewServer {
        name: Some(server.name),
        project_id: ctx.who.project_id.clone(),
        user_id: ctx.who.user_id.clone(),
        flavor_id,
        image_id,
        metadata: server.metadata.into_iter().collect(),
        description: server.description,
        ..Default::default()
    });
    let admin_pass: String = format!("{:016x}", inner.rng.next_u64())
        .chars()
        .take(12)
        .collect();
    let mut server = json!({"id": id.as_str(), "links": links(ctx.base, id.as_str()), "OS-DCF:diskConfig": "MANUAL",
                            "security_groups": [{"name": "default"}], "adminPass": admin_pass});
    if no_network {
        server.as_object_mut().map(|o| o.remove("security_groups"));
    }
    ApiResponse::json(202, &json!({"server": server})).with_header(
        "location",
        format!("{}/compute/v2.1/servers/{}", ctx.base, id.as_str()),
    )
}

/// Keys Nova's update and rebuild responses keep below 2.75 (it hides the extended attributes
/// there); the microversion-gated ones among them are present only when the view has them.
const PRE_275_KEYS: [&str; 24] = [
    "OS-DCF:diskConfig",
    "accessIPv4",
    "accessIPv6",
    "addresses",
    "created",
    "fault",
    "flavor",
    "hostId",
    "id",
    "image",
    "links",
    "metadata",
    "name",
    "progress",
    "status",
    "tenant_id",
    "updated",
    "user_id",
    "locked",
    "description",
    "tags",
    "trusted_image_certificates",
    "server_groups",
    "locked_reason",
];

/// The body of an update (`PUT`) or rebuild response, built from the show view.
pub(crate) fn edited_server(
    s: &Server,
    status: &crate::domain::Status,
    vctx: ViewCtx<'_>,
    rebuild: bool,
) -> Value {
    let mv = vctx.mv;
    let mut body = serde_json::to_value(Detail::new(s, status, vctx)).unwrap_or_default();
    if let Some(o) = body.as_object_mut() {
        if !mv.at_least(75) {
            o.retain(|k, _| PRE_275_KEYS.contains(&k.as_str()));
            // ... and shows addresses without the extended (type, MAC) attributes.
            if let Some(Value::Object(nets)) = o.get_mut("addresses") {
                for ip in nets.values_mut().filter_map(Value::as_array_mut).flatten() {
                    if let Some(ip) = ip.as_object_mut() {
                        ip.retain(|k, _| k == "addr" || k == "version");
                    }
                }
            }
        }
        if rebuild {
            if mv.at_least(54) {
                o.insert("key_name".to_owned(), Value::Null);
            }
            if mv.at_least(57) {
                o.insert("user_data".to_owned(), Value::Null);
            }
            o.insert("adminPass".to_owned(), json!("fakepassword"));
        } else {
            // Nova's update view shows no progress, and no key_name before 2.75.
            o.remove("progress");
        }
    }
    body
}

/// `PUT /servers/{id}`: rename, describe (2.19+); `accessIPv4`/`accessIPv6`,
/// `OS-DCF:diskConfig` and `hostname` (2.90+) are validated and accepted but not stored.
pub(crate) fn update(ctx: &Ctx<'_>, inner: &mut Inner, id: &str) -> ApiResponse {
    let id = ServerId::new(id);
    // Nova validates the body before it looks the server up.
    let server = match UpdateBody::decode(&ctx.req.body, ctx.mv) {
        Ok(b) => b.server,
        Err(e) => return e,
    };
    match inner.cloud.get(&id) {
        Some(s) if can_see(ctx, s) => {}
        _ => return server_not_found(id.as_str()),
    }
    let (name, description) = (server.name, server.description);
    if let Some(s) = inner.cloud.get_mut(&id) {
        if let Some(n) = name {
            s.name = n;
        }
        if let Some(d) = description {
            s.description = d;
        }
    }
    let vctx = view_ctx(ctx, inner);
    let deriver = &ctx.api.config.deriver;
    match inner.cloud.get(&id) {
        Some(s) => {
            let status = deriver.status_of(s);
            ApiResponse::json(
                200,
                &json!({"server": edited_server(s, &status, vctx, false)}),
            )
        }
        None => server_not_found(id.as_str()),
    }
}

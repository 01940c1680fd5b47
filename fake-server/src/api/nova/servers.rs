//! `GET /servers/{id}`, `POST /servers` and `PUT /servers/{id}` (listings: `listing.rs`).

use serde_json::{Value, json};

use super::super::core::Inner;
use super::super::error::{bad_request, forbidden, server_not_found};
use super::super::http::ApiResponse;
use super::super::images;
use super::super::journal::Served;
use super::super::schema::is_uuid_like;
use super::flavors;
use super::requests::{CreateBody, CreateServer, Networks, Scalar, UpdateBody, ref_id};
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

/// The one network the fake has (the id of Nova's `NeutronFixture` network `private`).
pub(crate) const PRIVATE_NETWORK: &str = "3cb9bc59-5699-4588-a4b1-b87f96708bc6";
/// The `default` security group's id (as in Nova's `NeutronFixture`).
/// Nova's default `metadata_items` quota (a create with more answers 403).
const METADATA_ITEMS: usize = 128;

pub(crate) const DEFAULT_SECURITY_GROUP: &str = "aec9df91-db1f-4e04-8ac6-e761d8461c53";

/// Nova's checks after the schema, in its order: counts, network format (controller), then
/// flavor, image, key pair, security groups and networks (compute API). `Ok` carries the
/// flavor, image, security groups and whether the server gets a network.
fn check_create(
    ctx: &Ctx<'_>,
    server: &CreateServer,
) -> Result<(String, Option<String>, Vec<String>, bool), ApiResponse> {
    let min = server.min_count.as_ref().map_or(1, Scalar::int);
    let max = server.max_count.as_ref().map_or(min, Scalar::int);
    if min > max {
        return Err(bad_request("min_count must be <= max_count"));
    }
    let requested = match &server.networks {
        Some(Networks::List(list)) => list.as_slice(),
        _ => &[],
    };
    for net in requested.iter().filter(|n| n.port.is_none()) {
        let Some(uuid) = &net.uuid else {
            return Err(bad_request("Bad network format: missing 'uuid'"));
        };
        if !is_uuid_like(uuid) {
            return Err(bad_request(format!(
                "Bad networks format: network uuid is not in proper format ({uuid})"
            )));
        }
    }
    let flavor_id = ref_id(&server.flavor_ref.text()).to_owned();
    if flavors::find(&flavor_id).is_none() {
        return Err(bad_request(format!(
            "Flavor {flavor_id} could not be found."
        )));
    }
    let image_id = server
        .image_ref
        .as_deref()
        .filter(|i| !i.is_empty())
        .map(|i| ref_id(i).to_owned());
    match &image_id {
        Some(id) if images::find(id).is_none() => {
            return Err(bad_request("Can not find requested image"));
        }
        None if server.block_device_mapping_v2.is_none()
            && server.block_device_mapping.is_none() =>
        {
            return Err(bad_request(
                "Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.",
            ));
        }
        _ => {}
    }
    if server.metadata.len() > METADATA_ITEMS {
        return Err(forbidden(format!(
            "Maximum number of metadata items exceeds {METADATA_ITEMS}"
        )));
    }
    // `zone[:host[:node]]`; the fake's one zone is Nova's default, `nova`.
    if let Some(zone) = server.availability_zone.as_deref()
        && zone
            .split(':')
            .next()
            .is_some_and(|z| !z.is_empty() && z != "nova")
    {
        return Err(bad_request(
            "The requested availability zone is not available",
        ));
    }
    if server.key_name.is_some() {
        // The fake holds no key pairs.
        return Err(bad_request("Invalid key_name provided."));
    }
    let mut groups: Vec<String> = Vec::new();
    for name in server
        .security_groups
        .iter()
        .flatten()
        .filter_map(|g| g.name.clone())
    {
        if name != "default" && name != DEFAULT_SECURITY_GROUP {
            return Err(bad_request(format!(
                "Unable to find security_group with name or id '{name}'"
            )));
        }
        if !groups.contains(&"default".to_owned()) {
            groups.push("default".to_owned());
        }
    }
    for net in requested {
        match (&net.port, &net.uuid) {
            (Some(port), _) => {
                return Err(bad_request(format!("Port id {port} could not be found.")));
            }
            (None, Some(uuid)) if uuid != PRIVATE_NETWORK => {
                return Err(bad_request(format!("Network {uuid} could not be found.")));
            }
            _ => {}
        }
    }
    let networked = !matches!(&server.networks, Some(Networks::Word(w)) if w == "none");
    let _ = ctx;
    Ok((flavor_id, image_id, groups, networked))
}

pub(crate) fn create(ctx: &Ctx<'_>, inner: &mut Inner) -> ApiResponse {
    let server = match CreateBody::decode(&ctx.req.body, ctx.mv) {
        Ok(b) => b.server,
        Err(e) => return e,
    };
    let (flavor_id, image_id, groups, networked) = match check_create(ctx, &server) {
        Ok(checked) => checked,
        Err(e) => return e,
    };
    let min = server.min_count.as_ref().map_or(1, Scalar::int);
    let count = server
        .max_count
        .as_ref()
        .map_or(min, Scalar::int)
        .clamp(1, 1000);
    let mut first = None;
    for n in 1..=count {
        // Nova names multiple servers `<name>-<n>` (`multi_instance_display_name_template`).
        let name = if count > 1 {
            format!("{}-{n}", server.name)
        } else {
            server.name.clone()
        };
        let id = inner.cloud.create(NewServer {
            name: Some(name),
            project_id: ctx.who.project_id.clone(),
            user_id: ctx.who.user_id.clone(),
            flavor_id: flavor_id.clone(),
            image_id: image_id.clone(),
            metadata: server.metadata.clone().into_iter().collect(),
            description: server.description.clone(),
            access_ipv4: server.access_ipv4.clone(),
            access_ipv6: server.access_ipv6.clone(),
            security_groups: (!groups.is_empty()).then(|| groups.clone()),
            without_network: !networked,
            ..Default::default()
        });
        first.get_or_insert(id);
    }
    let Some(id) = first else {
        return server_not_found("");
    };
    let admin_pass: String = format!("{:016x}", inner.rng.next_u64())
        .chars()
        .take(12)
        .collect();
    // Nova's create response lists the requested groups (else `default`), with or without a
    // network; show and list then report the groups of the server's ports.
    let requested: Vec<_> = match server.security_groups.as_deref() {
        Some(list) if !list.is_empty() => list
            .iter()
            .filter_map(|g| g.name.clone())
            .map(|name| json!({"name": name}))
            .collect(),
        _ => vec![json!({"name": "default"})],
    };
    let body = json!({"id": id.as_str(), "links": links(ctx.base, id.as_str()), "OS-DCF:diskConfig": "MANUAL",
                      "security_groups": requested, "adminPass": admin_pass});
    ApiResponse::json(202, &json!({"server": body})).with_header(
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
        }
    }
    body
}

/// `PUT /servers/{id}`: rename, describe (2.19+), set `accessIPv4`/`accessIPv6`;
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
    let (ipv4, ipv6) = (server.access_ipv4, server.access_ipv6);
    if let Some(s) = inner.cloud.get_mut(&id) {
        if let Some(n) = name {
            s.name = n;
        }
        if let Some(d) = description {
            s.description = d;
        }
        if ipv4.is_some() {
            s.access_ipv4 = ipv4;
        }
        if ipv6.is_some() {
            s.access_ipv6 = ipv6;
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

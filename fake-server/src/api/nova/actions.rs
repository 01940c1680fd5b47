//! `POST /servers/{id}/action` and `DELETE /servers/{id}`.

use serde_json::json;

use super::super::core::Inner;
use super::super::error::{bad_request, conflict, forbidden, not_found, server_not_found};
use super::super::http::ApiResponse;
use super::super::images;
use super::flavors;
use super::requests::{ActionRequest, RebuildArgs, decode_action, ref_id};
use super::route::Ctx;
use super::servers::{DEFAULT_SECURITY_GROUP, can_see, edited_server, view_ctx};
use crate::domain::{Action, ServerId, TransitionError, VmState};

/// Looks a server up for an action; 404 when it is absent or belongs to another project.
fn visible(ctx: &Ctx<'_>, inner: &mut Inner, id: &ServerId) -> Result<(), ApiResponse> {
    match inner.cloud.get(id) {
        Some(s) if can_see(ctx, s) => Ok(()),
        _ => Err(server_not_found(id.as_str())),
    }
}

/// Starts `action` (after Nova's state and lock checks).
fn run(
    ctx: &Ctx<'_>,
    inner: &mut Inner,
    id: &ServerId,
    action: &Action,
) -> Result<(), ApiResponse> {
    answer(id, inner.cloud.act(id, action, ctx.who.is_admin()))
}

/// Nova's answer to an action the cloud took or checked: 404 for a server that is gone, 409
/// with Nova's message for a refusal (invalid state or locked).
fn answer(id: &ServerId, outcome: Result<bool, TransitionError>) -> Result<(), ApiResponse> {
    match outcome {
        Ok(true) => Ok(()),
        Ok(false) => Err(server_not_found(id.as_str())),
        Err(e) => Err(conflict(e.nova_message())),
    }
}

pub(crate) fn delete(ctx: &Ctx<'_>, inner: &mut Inner, id: &str) -> ApiResponse {
    let id = ServerId::new(id);
    let soft = inner.cloud.timing().reclaim_ms.is_some();
    let result = visible(ctx, inner, &id).and_then(|()| {
        // Nova hard-deletes a soft-deleted instance on DELETE, and never soft-deletes one
        // that never launched.
        let state = inner.cloud.get(&id).and_then(|s| s.vm_state.clone());
        let launched = !matches!(
            state,
            Some(VmState::Building) | Some(VmState::SoftDelete) | None
        );
        run(
            ctx,
            inner,
            &id,
            &Action::Delete {
                soft: soft && launched,
            },
        )
    });
    match result {
        Ok(()) => ApiResponse::empty(204),
        Err(e) => e,
    }
}

/// The domain action of a plain request (no argument the fake uses).
fn plain_action(name: &str) -> Result<Option<Action>, ApiResponse> {
    Ok(Some(match name {
        "os-stop" => Action::Stop,
        "os-start" => Action::Start,
        "pause" => Action::Pause,
        "unpause" => Action::Unpause,
        "suspend" => Action::Suspend,
        "resume" => Action::Resume,
        "rescue" => Action::Rescue,
        "unrescue" => Action::Unrescue,
        "confirmResize" => Action::ConfirmResize,
        "revertResize" => Action::RevertResize,
        "shelve" => Action::Shelve,
        "shelveOffload" => Action::ShelveOffload,
        "unshelve" => Action::Unshelve,
        "changePassword" => Action::ChangePassword,
        "restore" => Action::Restore,
        "forceDelete" => Action::ForceDelete,
        "createImage" => Action::CreateImage,
        "unlock" | "injectNetworkInfo" => return Ok(None),
        other => return Err(bad_request(format!("There is no such action: {other}"))),
    }))
}

/// Nova's state and lock checks for `action`, without starting it (409 on refusal).
fn allowed(
    ctx: &Ctx<'_>,
    inner: &mut Inner,
    id: &ServerId,
    action: &Action,
) -> Result<(), ApiResponse> {
    answer(id, inner.cloud.check_action(id, action, ctx.who.is_admin()))
}

pub(crate) fn action(ctx: &Ctx<'_>, inner: &mut Inner, id: &str) -> ApiResponse {
    let id = ServerId::new(id);
    // Nova picks the action and validates its body before it looks the server up.
    let request = match decode_action(&ctx.req.body, ctx.mv) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if let Err(e) = visible(ctx, inner, &id) {
        return e;
    }
    let result = match request {
        ActionRequest::Reboot { hard } => {
            run(ctx, inner, &id, &Action::Reboot { hard }).map(|()| ApiResponse::empty(202))
        }
        ActionRequest::Resize { flavor_id } => resize(ctx, inner, &id, flavor_id),
        ActionRequest::Rebuild(args) => return rebuild(ctx, inner, &id, args),
        ActionRequest::ResetState { state } => return reset_state(ctx, inner, &id, &state),
        ActionRequest::Lock { reason } => return lock(inner, &id, Some(reason)),
        ActionRequest::SecurityGroup { add, name } => {
            return security_group(ctx, inner, &id, add, &name);
        }
        ActionRequest::Plain(name) if name == "unlock" => return lock(inner, &id, None),
        ActionRequest::Rescue { admin_pass } => run(ctx, inner, &id, &Action::Rescue).map(|()| {
            // Nova answers 200 with the rescue password (`enable_instance_password`).
            let pass = admin_pass.unwrap_or_else(|| generated_password(inner));
            ApiResponse::json(200, &json!({"adminPass": pass}))
        }),
        ActionRequest::Plain(name) if name == "shelveOffload" && !ctx.who.is_admin() => {
            return forbidden(
                "Policy doesn't allow os_compute_api:os-shelve:shelve_offload to be performed.",
            );
        }
        ActionRequest::Plain(name) if name == "injectNetworkInfo" => {
            return inject_network_info(ctx, inner, &id);
        }
        ActionRequest::Plain(name) => match plain_action(&name) {
            Ok(Some(action)) => run(ctx, inner, &id, &action).map(|()| action),
            Ok(None) => return bad_request(format!("There is no such action: {name}")),
            Err(e) => return e,
        }
        .map(|action| match action {
            Action::ConfirmResize => ApiResponse::empty(204),
            Action::CreateImage => created_image(ctx, inner),
            _ => ApiResponse::empty(202),
        }),
    };
    match result {
        Ok(resp) => resp,
        Err(e) => e,
    }
}

/// A 12-character password, as Nova generates for rescue and create.
fn generated_password(inner: &mut Inner) -> String {
    format!("{:016x}", inner.rng.next_u64())
        .chars()
        .take(12)
        .collect()
}

/// `createImage`: 202, with the new image's id in the body from 2.45.
fn created_image(ctx: &Ctx<'_>, inner: &mut Inner) -> ApiResponse {
    let image = inner.rng.next_uuid();
    let resp = if ctx.mv.at_least(45) {
        ApiResponse::json(202, &json!({"image_id": image}))
    } else {
        ApiResponse::empty(202)
    };
    resp.with_header("location", format!("{}/compute/images/{image}", ctx.base))
}

/// `resize`: state and lock first (Nova's decorators), then the flavor.
fn resize(
    ctx: &Ctx<'_>,
    inner: &mut Inner,
    id: &ServerId,
    flavor_id: String,
) -> Result<ApiResponse, ApiResponse> {
    let action = Action::Resize { flavor_id };
    allowed(ctx, inner, id, &action)?;
    let Action::Resize { flavor_id } = &action else {
        return Err(bad_request("resize"));
    };
    if flavors::find(flavor_id).is_none() {
        return Err(bad_request(format!(
            "Flavor {flavor_id} could not be found."
        )));
    }
    if inner
        .cloud
        .get(id)
        .is_some_and(|s| s.flavor_id == *flavor_id)
    {
        return Err(bad_request("When resizing, instances must change flavor!"));
    }
    run(ctx, inner, id, &action)?;
    Ok(ApiResponse::empty(202))
}

/// `rebuild`: state and lock, then the image; the new image, name, metadata, access IPs and
/// description apply at once (Nova saves them before casting to compute).
fn rebuild(ctx: &Ctx<'_>, inner: &mut Inner, id: &ServerId, args: RebuildArgs) -> ApiResponse {
    if let Err(e) = allowed(ctx, inner, id, &Action::Rebuild) {
        return e;
    }
    let image = ref_id(&args.image_ref).to_owned();
    if images::find(&image).is_none() {
        return bad_request("Cannot find image for rebuild");
    }
    if let Err(e) = run(ctx, inner, id, &Action::Rebuild) {
        return e;
    }
    if let Some(s) = inner.cloud.get_mut(id) {
        s.image_id = Some(image);
        if let Some(name) = args.name {
            s.name = name;
        }
        if let Some(metadata) = args.metadata {
            s.metadata = metadata.into_iter().collect();
        }
        if args.access_ipv4.is_some() {
            s.access_ipv4 = args.access_ipv4;
        }
        if args.access_ipv6.is_some() {
            s.access_ipv6 = args.access_ipv6;
        }
        if let Some(d) = args.description {
            s.description = d;
        }
    }
    let vctx = view_ctx(ctx, inner);
    let deriver = &ctx.api.config.deriver;
    match inner.cloud.get(id) {
        Some(s) => {
            let status = deriver.status_of(s);
            let body = edited_server(s, &status, vctx, true);
            ApiResponse::json(202, &json!({"server": body}))
        }
        None => server_not_found(id.as_str()),
    }
}

/// `addSecurityGroup` / `removeSecurityGroup`, as Nova does them through Neutron ports.
fn security_group(
    ctx: &Ctx<'_>,
    inner: &mut Inner,
    id: &ServerId,
    add: bool,
    name: &str,
) -> ApiResponse {
    if name.trim().is_empty() {
        return bad_request("Security group name cannot be empty");
    }
    if name != "default" && name != DEFAULT_SECURITY_GROUP {
        return not_found(format!(
            "Security group {name} is not found for project {}",
            ctx.who.project_id
        ));
    }
    let Some(s) = inner.cloud.get(id) else {
        return server_not_found(id.as_str());
    };
    if !s.networked {
        return not_found(format!(
            "instance_id {id} could not be found as device id on any ports"
        ));
    }
    let has = s.security_groups.iter().any(|g| g == "default");
    if !add && !has {
        return not_found(format!(
            "Security group {name} not associated with the instance {id}"
        ));
    }
    // Ports change, the instance record does not (its `updated` time stays).
    if let Some(s) = inner.cloud.get_mut_quiet(id) {
        s.security_groups = if add {
            vec!["default".to_owned()]
        } else {
            Vec::new()
        };
    }
    ApiResponse::empty(202)
}

/// `injectNetworkInfo`: an admin action that honours the lock and changes nothing visible.
fn inject_network_info(ctx: &Ctx<'_>, inner: &mut Inner, id: &ServerId) -> ApiResponse {
    if !ctx.who.is_admin() {
        return forbidden(
            "Policy doesn't allow os_compute_api:os-admin-actions:inject_network_info to be performed.",
        );
    }
    match allowed(ctx, inner, id, &Action::InjectNetworkInfo) {
        Ok(()) => ApiResponse::empty(202),
        Err(e) => e,
    }
}

fn reset_state(ctx: &Ctx<'_>, inner: &mut Inner, id: &ServerId, state: &str) -> ApiResponse {
    if !ctx.who.is_admin() {
        return forbidden(
            "Policy doesn't allow os_compute_api:os-admin-actions:reset_state to be performed.",
        );
    }
    inner.cloud.halt(id);
    if let Some(s) = inner.cloud.get_mut(id) {
        s.vm_state = Some(VmState::from(state));
        s.task_state = None;
    }
    ApiResponse::empty(202)
}

/// `lock` (`Some(reason)`) or `unlock` (`None`).
fn lock(inner: &mut Inner, id: &ServerId, lock: Option<Option<String>>) -> ApiResponse {
    if let Some(s) = inner.cloud.get_mut(id) {
        s.locked = lock.is_some();
        s.locked_reason = lock.flatten();
    }
    ApiResponse::empty(202)
}

//! `POST /servers/{id}/action` and `DELETE /servers/{id}`.

use serde_json::json;

use super::super::core::Inner;
use super::super::error::{bad_request, conflict, forbidden, server_not_found};
use super::super::http::ApiResponse;
use super::flavors;
use super::requests::{ActionRequest, decode_action};
use super::route::Ctx;
use super::servers::{can_see, edited_server, view_ctx};
use crate::domain::{Action, ServerId, TransitionError, VmState};

/// Looks a server up for an action; 404 when it is absent or belongs to another project.
fn visible(ctx: &Ctx<'_>, inner: &mut Inner, id: &ServerId) -> Result<(), ApiResponse> {
    match inner.cloud.get(id) {
        Some(s) if can_see(ctx, s) => Ok(()),
        _ => Err(server_not_found(id.as_str())),
    }
}

fn run(
    ctx: &Ctx<'_>,
    inner: &mut Inner,
    id: &ServerId,
    action: &Action,
) -> Result<(), ApiResponse> {
    match inner.cloud.act(id, action, ctx.who.is_admin()) {
        Ok(true) => Ok(()),
        Ok(false) => Err(server_not_found(id.as_str())),
        Err(e @ (TransitionError::InvalidState { .. } | TransitionError::Locked { .. })) => {
            Err(conflict(e.nova_message()))
        }
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

/// The domain action of a decoded request (`None` for the ones handled here directly).
fn domain_action(req: &ActionRequest) -> Result<Option<Action>, ApiResponse> {
    Ok(Some(match req {
        ActionRequest::Reboot { hard } => Action::Reboot { hard: *hard },
        ActionRequest::Resize { flavor_id } => {
            if flavors::find(flavor_id).is_none() {
                return Err(bad_request(format!(
                    "Flavor {flavor_id} could not be found."
                )));
            }
            Action::Resize
        }
        ActionRequest::Rebuild => Action::Rebuild,
        ActionRequest::ResetState { .. } | ActionRequest::Lock { .. } => return Ok(None),
        ActionRequest::Plain(name) => match name.as_str() {
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
            "unlock" => return Ok(None),
            other => return Err(bad_request(format!("There is no such action: {other}"))),
        },
    }))
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
    let action = match domain_action(&request) {
        Ok(Some(a)) => a,
        Ok(None) => return direct(ctx, inner, &id, request),
        Err(e) => return e,
    };
    if let Err(e) = run(ctx, inner, &id, &action) {
        return e;
    }
    match action {
        Action::ConfirmResize => ApiResponse::empty(204),
        Action::CreateImage => {
            let image = inner.rng.next_uuid();
            let resp = if ctx.mv.at_least(45) {
                ApiResponse::json(202, &json!({"image_id": image}))
            } else {
                ApiResponse::empty(202)
            };
            resp.with_header("location", format!("{}/compute/images/{image}", ctx.base))
        }
        Action::Rebuild => {
            let vctx = view_ctx(ctx, inner);
            let deriver = &ctx.api.config.deriver;
            match inner.cloud.get(&id) {
                Some(s) => {
                    let status = deriver.status_of(s);
                    let body = edited_server(s, &status, vctx, true);
                    ApiResponse::json(202, &json!({"server": body}))
                }
                None => server_not_found(id.as_str()),
            }
        }
        _ => ApiResponse::empty(202),
    }
}

/// Actions that change attributes without a walk: reset state, lock, unlock.
fn direct(ctx: &Ctx<'_>, inner: &mut Inner, id: &ServerId, req: ActionRequest) -> ApiResponse {
    match req {
        ActionRequest::ResetState { state } => reset_state(ctx, inner, id, &state),
        ActionRequest::Lock { reason } => lock(inner, id, Some(reason)),
        ActionRequest::Plain(name) if name == "unlock" => lock(inner, id, None),
        _ => bad_request("There is no such action"),
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

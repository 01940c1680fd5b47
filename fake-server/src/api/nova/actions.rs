//! `POST /servers/{id}/action` and `DELETE /servers/{id}`.

use serde_json::{Map, Value, json};

use super::super::core::Inner;
use super::super::error::{bad_request, conflict, forbidden, parse_json, server_not_found};
use super::super::http::ApiResponse;
use super::flavors;
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

fn invalid(field: &str, value: &Value, why: &str) -> ApiResponse {
    bad_request(format!(
        "Invalid input for field/attribute {field}. Value: {value}. {why}"
    ))
}

fn parse_action(name: &str, arg: &Value) -> Result<Action, ApiResponse> {
    let obj = |v: &Value| v.as_object().cloned().unwrap_or_default();
    Ok(match name {
        "reboot" => {
            let args: Map<String, Value> = match arg {
                Value::Object(o) => o.clone(),
                other => return Err(invalid("reboot", other, "is not of type 'object'")),
            };
            match args.get("type") {
                Some(Value::String(t)) if t.eq_ignore_ascii_case("hard") => {
                    Action::Reboot { hard: true }
                }
                Some(Value::String(t)) if t.eq_ignore_ascii_case("soft") => {
                    Action::Reboot { hard: false }
                }
                Some(v) => {
                    return Err(invalid(
                        "type",
                        v,
                        "is not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']",
                    ));
                }
                None => return Err(invalid("reboot", arg, "'type' is a required property")),
            }
        }
        "os-stop" => Action::Stop,
        "os-start" => Action::Start,
        "pause" => Action::Pause,
        "unpause" => Action::Unpause,
        "suspend" => Action::Suspend,
        "resume" => Action::Resume,
        "rescue" => Action::Rescue,
        "unrescue" => Action::Unrescue,
        "resize" => {
            let flavor = obj(arg).get("flavorRef").cloned();
            match flavor {
                Some(Value::String(f))
                    if flavors::find(f.rsplit('/').next().unwrap_or_default()).is_some() =>
                {
                    Action::Resize
                }
                Some(Value::Number(n)) if flavors::find(&n.to_string()).is_some() => Action::Resize,
                Some(v @ (Value::String(_) | Value::Number(_))) => {
                    return Err(bad_request(format!(
                        "Flavor {} could not be found.",
                        v.as_str().map_or(v.to_string(), str::to_owned)
                    )));
                }
                Some(v) => {
                    return Err(invalid(
                        "flavorRef",
                        &v,
                        "is not of type 'string', 'integer'",
                    ));
                }
                None => return Err(invalid("resize", arg, "'flavorRef' is a required property")),
            }
        }
        "confirmResize" => Action::ConfirmResize,
        "revertResize" => Action::RevertResize,
        "shelve" => Action::Shelve,
        "shelveOffload" => Action::ShelveOffload,
        "unshelve" => Action::Unshelve,
        "rebuild" => match obj(arg).get("imageRef") {
            Some(Value::String(_)) => Action::Rebuild,
            Some(v) => return Err(invalid("imageRef", v, "is not of type 'string'")),
            None => return Err(invalid("rebuild", arg, "'imageRef' is a required property")),
        },
        "changePassword" => match obj(arg).get("adminPass") {
            Some(Value::String(_)) => Action::ChangePassword,
            Some(v) => return Err(invalid("adminPass", v, "is not of type 'string'")),
            None => {
                return Err(invalid(
                    "changePassword",
                    arg,
                    "'adminPass' is a required property",
                ));
            }
        },
        "restore" => Action::Restore,
        "forceDelete" => Action::ForceDelete,
        "createImage" => match obj(arg).get("name") {
            Some(Value::String(_)) => Action::CreateImage,
            Some(v) => return Err(invalid("name", v, "is not of type 'string'")),
            None => return Err(invalid("createImage", arg, "'name' is a required property")),
        },
        other => return Err(bad_request(format!("There is no such action: {other}"))),
    })
}

pub(crate) fn action(ctx: &Ctx<'_>, inner: &mut Inner, id: &str) -> ApiResponse {
    let id = ServerId::new(id);
    let body = match parse_json(&ctx.req.body) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let Some(obj) = body.as_object().filter(|o| o.len() == 1) else {
        return bad_request(
            "Malformed request body: expected an object with exactly one action key",
        );
    };
    let Some((name, arg)) = obj.iter().next() else {
        return bad_request("Malformed request body");
    };
    if let Err(e) = visible(ctx, inner, &id) {
        return e;
    }
    match name.as_str() {
        "os-resetState" => return reset_state(ctx, inner, &id, arg),
        "lock" => return lock(ctx, inner, &id, arg, true),
        "unlock" => return lock(ctx, inner, &id, arg, false),
        _ => {}
    }
    let action = match parse_action(name, arg) {
        Ok(a) => a,
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
                    let status = deriver.derive(s.vm_state.as_ref(), s.task_state.as_ref());
                    let body = edited_server(s, &status, vctx, true);
                    ApiResponse::json(202, &json!({"server": body}))
                }
                None => server_not_found(id.as_str()),
            }
        }
        _ => ApiResponse::empty(202),
    }
}

fn reset_state(ctx: &Ctx<'_>, inner: &mut Inner, id: &ServerId, arg: &Value) -> ApiResponse {
    if !ctx.who.is_admin() {
        return forbidden(
            "Policy doesn't allow os_compute_api:os-admin-actions:reset_state to be performed.",
        );
    }
    let state = match arg.get("state") {
        Some(Value::String(s)) if s == "active" || s == "error" => s.clone(),
        Some(v) => return invalid("state", v, "is not one of ['active', 'error']"),
        None => return invalid("os-resetState", arg, "'state' is a required property"),
    };
    inner.cloud.halt(id);
    if let Some(s) = inner.cloud.get_mut(id) {
        s.vm_state = Some(VmState::from(state.as_str()));
        s.task_state = None;
    }
    ApiResponse::empty(202)
}

fn lock(
    ctx: &Ctx<'_>,
    inner: &mut Inner,
    id: &ServerId,
    arg: &Value,
    locking: bool,
) -> ApiResponse {
    let reason = match arg {
        Value::Null => None,
        Value::Object(o) => match o.get("locked_reason") {
            None => None,
            Some(Value::String(r)) if locking && ctx.mv.at_least(73) => Some(r.clone()),
            Some(v) => return invalid("locked_reason", v, "is not allowed here"),
        },
        other => {
            return invalid(
                if locking { "lock" } else { "unlock" },
                other,
                "is not of type 'object', 'null'",
            );
        }
    };
    if let Some(s) = inner.cloud.get_mut(id) {
        s.locked = locking;
        s.locked_reason = if locking { reason } else { None };
    }
    ApiResponse::empty(202)
}

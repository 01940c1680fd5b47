//! Compute routing: version documents, auth, microversion, then the resource handlers.

use serde_json::{Value, json};

use super::super::core::{Api, Inner};
use super::super::error::{method_not_allowed, nova_error, unauthorized};
use super::super::http::{ApiRequest, ApiResponse};
use super::super::identity::Identity;
use super::microversion::{MAX_MINOR, Microversion};
use super::{actions, flavors, listing, servers};

/// Per-request context handed to the compute handlers.
pub(crate) struct Ctx<'a> {
    pub(crate) api: &'a Api,
    pub(crate) req: &'a ApiRequest,
    pub(crate) base: &'a str,
    pub(crate) mv: Microversion,
    pub(crate) who: Identity,
}

fn version_v21(base: &str) -> Value {
    json!({"id": "v2.1", "status": "CURRENT", "version": format!("2.{MAX_MINOR}"), "min_version": "2.1",
           "updated": "2013-07-23T11:33:21Z",
           "links": [{"rel": "self", "href": format!("{base}/compute/v2.1/")},
                     {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}],
           "media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}]})
}

fn version_v20(base: &str) -> Value {
    json!({"id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": "", "updated": "2011-01-21T11:33:21Z",
           "links": [{"rel": "self", "href": format!("{base}/compute/v2/")}]})
}

pub(crate) fn handle(api: &Api, inner: &mut Inner, req: &ApiRequest, base: &str) -> ApiResponse {
    let path = req.path.trim_end_matches('/');
    if path == "/compute" {
        return ApiResponse::json(
            200,
            &json!({"versions": [version_v20(base), version_v21(base)]}),
        );
    }
    if path == "/compute/v2.1" {
        return ApiResponse::json(200, &json!({"version": version_v21(base)}));
    }
    let Some(rest) = path.strip_prefix("/compute/v2.1/") else {
        return nova_error(
            404,
            format!("The resource could not be found: {}", req.path),
        );
    };
    let mv = match Microversion::negotiate(req) {
        Ok(mv) => mv,
        Err(resp) => return resp,
    };
    let Some(who) = inner.keystone.check(req.header("x-auth-token")).cloned() else {
        return mv.stamp(unauthorized());
    };
    let mut segs: Vec<&str> = rest.split('/').collect();
    // Clients may put the project id in the endpoint (`/v2.1/{project_id}/servers`).
    if segs.len() > 1 && segs[0] == who.project_id {
        segs.remove(0);
    }
    let ctx = Ctx {
        api,
        req,
        base,
        mv,
        who,
    };
    let resp = dispatch(&ctx, inner, &segs);
    mv.stamp(resp)
}

fn dispatch(ctx: &Ctx<'_>, inner: &mut Inner, segs: &[&str]) -> ApiResponse {
    let method = ctx.req.method.as_str();
    match segs {
        ["servers", ..] => {
            let rest = &segs[1..];
            match (method, rest) {
                ("GET", []) => listing::list(ctx, inner, false),
                ("GET", ["detail"]) => listing::list(ctx, inner, true),
                ("POST", []) => servers::create(ctx, inner),
                ("GET", [id]) => servers::show(ctx, inner, id),
                ("PUT", [id]) => servers::update(ctx, inner, id),
                ("DELETE", [id]) => actions::delete(ctx, inner, id),
                ("POST", [id, "action"]) => actions::action(ctx, inner, id),
                (_, [] | ["detail"] | [_] | [_, "action"]) => method_not_allowed(),
                _ => nova_error(
                    404,
                    format!("The resource could not be found: {}", ctx.req.path),
                ),
            }
        }
        ["flavors", rest @ ..] if method == "GET" => flavors::handle(rest, ctx.mv, ctx.base)
            .unwrap_or_else(|| {
                nova_error(
                    404,
                    format!("The resource could not be found: {}", ctx.req.path),
                )
            }),
        ["flavors", ..] => method_not_allowed(),
        _ => nova_error(
            404,
            format!("The resource could not be found: {}", ctx.req.path),
        ),
    }
}

//! The fixed flavor list and its views.

use serde_json::{Value, json};

use super::super::error::not_found;
use super::super::http::ApiResponse;
use super::microversion::Microversion;

/// A flavor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flavor {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) ram: u32,
    pub(crate) vcpus: u32,
    pub(crate) disk: u32,
}

/// The flavors that exist from the start.
pub(crate) const FLAVORS: [Flavor; 5] = [
    Flavor {
        id: "1",
        name: "m1.tiny",
        ram: 512,
        vcpus: 1,
        disk: 1,
    },
    Flavor {
        id: "2",
        name: "m1.small",
        ram: 2048,
        vcpus: 1,
        disk: 20,
    },
    Flavor {
        id: "3",
        name: "m1.medium",
        ram: 4096,
        vcpus: 2,
        disk: 40,
    },
    Flavor {
        id: "4",
        name: "m1.large",
        ram: 8192,
        vcpus: 4,
        disk: 80,
    },
    Flavor {
        id: "42",
        name: "m1.nano",
        ram: 128,
        vcpus: 1,
        disk: 1,
    },
];

pub(crate) fn find(id: &str) -> Option<&'static Flavor> {
    FLAVORS.iter().find(|f| f.id == id)
}

fn links(base: &str, id: &str) -> Value {
    json!([
        {"rel": "self", "href": format!("{base}/compute/v2.1/flavors/{id}")},
        {"rel": "bookmark", "href": format!("{base}/compute/flavors/{id}")},
    ])
}

fn detail(f: &Flavor, mv: Microversion, base: &str) -> Value {
    let mut v = json!({
        "id": f.id, "name": f.name, "ram": f.ram, "disk": f.disk, "vcpus": f.vcpus,
        "swap": if mv.at_least(75) { json!(0) } else { json!("") },
        "OS-FLV-EXT-DATA:ephemeral": 0, "OS-FLV-DISABLED:disabled": false,
        "rxtx_factor": 1.0, "os-flavor-access:is_public": true, "links": links(base, f.id),
    });
    if mv.at_least(55) {
        v["description"] = Value::Null;
    }
    if mv.at_least(61) {
        v["extra_specs"] = json!({});
    }
    v
}

/// `GET /flavors`, `/flavors/detail`, `/flavors/{id}`.
pub(crate) fn handle(rest: &[&str], mv: Microversion, base: &str) -> Option<ApiResponse> {
    Some(match rest {
        [] => ApiResponse::json(
            200,
            &json!({"flavors": FLAVORS.iter().map(|f| {
                let mut v = json!({"id": f.id, "name": f.name, "links": links(base, f.id)});
                if mv.at_least(55) { v["description"] = Value::Null; }
                v
            }).collect::<Vec<_>>()}),
        ),
        ["detail"] => ApiResponse::json(
            200,
            &json!({"flavors": FLAVORS.iter().map(|f| detail(f, mv, base)).collect::<Vec<_>>()}),
        ),
        [id] => match find(id) {
            Some(f) => ApiResponse::json(200, &json!({"flavor": detail(f, mv, base)})),
            None => not_found(format!("Flavor {id} could not be found.")),
        },
        _ => return None,
    })
}

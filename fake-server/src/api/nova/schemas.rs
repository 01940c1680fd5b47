//! Nova 34.0.0's request schemas for the calls the fake serves, keyword order as upstream.
//!
//! Sources: `nova/api/openstack/compute/schemas/servers.py` (create, update, rebuild, resize,
//! reboot, createImage, …), `lock_server.py`, `admin_actions.py`, `admin_password.py`,
//! `rescue.py`, `shelve.py`, `security_groups.py`, and the shared `parameter_types.py`
//! (<https://opendev.org/openstack/nova/src/tag/34.0.0/nova/api>).

use regex::Regex;

use super::super::json::Json;
use super::super::schema::{Format, Pattern, Schema, Ty};
use super::microversion::Microversion;

static DIGITS: Pattern = Pattern::new("^[0-9]*$", || Regex::new("^[0-9]*$").expect("valid"));
static METADATA_KEY: Pattern = Pattern::new("^[a-zA-Z0-9-_:. ]{1,255}$", || {
    Regex::new(r"^[a-zA-Z0-9\-_:. ]{1,255}$").expect("valid")
});
static HOSTNAME: Pattern = Pattern::new("^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$", || {
    Regex::new(r"^[a-zA-Z0-9]+[a-zA-Z0-9\-]*[a-zA-Z0-9]+$").expect("valid")
});
static FQDN: Pattern = Pattern::new("^[a-zA-Z0-9-._]*$", || {
    Regex::new(r"^[a-zA-Z0-9\-._]*$").expect("valid")
});
static TAG: Pattern = Pattern::new("^[^,/]*$", || Regex::new("^[^,/]*$").expect("valid"));

/// `parameter_types.name`.
fn name() -> Schema {
    Schema::string()
        .format(Format::Name)
        .min_length(1)
        .max_length(255)
}

/// `parameter_types.description`. Its printable-characters pattern is not checked here.
fn description() -> Schema {
    Schema::of(&[Ty::String, Ty::Null])
        .min_length(0)
        .max_length(255)
}

fn uuid() -> Schema {
    Schema::string().format(Format::Uuid)
}

fn boolean() -> Schema {
    let mut values = vec![Json::Bool(true)];
    for s in [
        "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes",
    ] {
        values.push(Json::String(s.into()));
    }
    values.push(Json::Bool(false));
    for s in [
        "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no",
    ] {
        values.push(Json::String(s.into()));
    }
    Schema::of(&[Ty::Boolean, Ty::String]).one_of_values(values)
}

fn positive_integer() -> Schema {
    Schema::of(&[Ty::Integer, Ty::String])
        .pattern(&DIGITS)
        .minimum(1)
        .min_length(1)
}

pub(crate) fn metadata() -> Schema {
    Schema::object()
        .pattern_properties(&METADATA_KEY, Schema::string().max_length(255))
        .no_additional()
}

fn ip_address() -> Schema {
    Schema::string().and_one_of(vec![
        Schema::any().format(Format::Ipv4),
        Schema::any().format(Format::Ipv6),
    ])
}

fn disk_config() -> Schema {
    Schema::string().enum_str(&["AUTO", "MANUAL"])
}

fn flavor_ref() -> Schema {
    Schema::of(&[Ty::String, Ty::Integer]).min_length(1)
}

fn tag() -> Schema {
    Schema::string().pattern(&TAG).min_length(1).max_length(60)
}

fn hostname(mv: Microversion) -> Schema {
    if mv.at_least(94) {
        Schema::string()
            .pattern(&FQDN)
            .min_length(1)
            .max_length(255)
    } else {
        Schema::string()
            .pattern(&HOSTNAME)
            .min_length(2)
            .max_length(63)
    }
}

/// `{"<key>": inner}` with `inner` required and nothing else allowed.
fn wrapped(key: &'static str, inner: Schema) -> Schema {
    Schema::object()
        .properties(vec![(key, inner)])
        .required(&[key])
        .no_additional()
}

fn networks(mv: Microversion) -> Schema {
    let mut item = vec![
        ("fixed_ip", ip_address()),
        (
            "port",
            Schema::of(&[Ty::String, Ty::Null]).format(Format::Uuid),
        ),
        (
            "uuid",
            if mv.at_least(37) {
                uuid()
            } else {
                Schema::string()
            },
        ),
    ];
    if mv.0 == 32 || mv.at_least(33) {
        item.push(("tag", tag()));
    }
    if mv.at_least(37) && !mv.at_least(42) {
        item.retain(|(n, _)| *n != "tag");
    }
    let list = Schema::array(Schema::object().properties(item).no_additional());
    if mv.at_least(37) {
        Schema::one_of(vec![list, Schema::string().enum_str(&["none", "auto"])])
    } else {
        list
    }
}

/// `POST /servers` (`create`, `create_v219` … `create_v294`).
pub(crate) fn create(mv: Microversion) -> Schema {
    let image = Schema::one_of(vec![uuid(), Schema::string().max_length(0)]);
    let mut props = vec![
        ("name", name()),
        ("imageRef", image),
        ("flavorRef", flavor_ref()),
        ("adminPass", Schema::string()),
        ("metadata", metadata()),
        ("networks", networks(mv)),
        ("OS-DCF:diskConfig", disk_config()),
        ("accessIPv4", Schema::string().format(Format::Ipv4)),
        ("accessIPv6", Schema::string().format(Format::Ipv6)),
        ("personality", Schema::of(&[Ty::Array])),
        ("availability_zone", name()),
        ("block_device_mapping", Schema::of(&[Ty::Array])),
        ("block_device_mapping_v2", Schema::of(&[Ty::Array])),
        ("config_drive", boolean()),
        ("key_name", name()),
        ("min_count", positive_integer()),
        ("max_count", positive_integer()),
        ("return_reservation_id", boolean()),
        (
            "security_groups",
            Schema::array(
                Schema::object()
                    .properties(vec![("name", name())])
                    .no_additional(),
            ),
        ),
        (
            "user_data",
            Schema::string().format(Format::Base64).max_length(65535),
        ),
    ];
    if mv.at_least(19) {
        props.push(("description", description()));
    }
    if mv.at_least(52) {
        props.push(("tags", Schema::array(tag())));
    }
    if mv.at_least(57) {
        props.retain(|(n, _)| *n != "personality");
    }
    if mv.at_least(63) {
        props.push((
            "trusted_image_certificates",
            Schema::of(&[Ty::Array, Ty::Null]),
        ));
    }
    if mv.at_least(74) {
        props.push(("host", hostname(Microversion(94))));
        props.push(("hypervisor_hostname", hostname(Microversion(94))));
    }
    if mv.at_least(90) {
        props.push(("hostname", hostname(mv)));
    }
    let mut required: Vec<&'static str> = vec!["name", "flavorRef"];
    if mv.at_least(37) {
        required.push("networks");
    }
    let server = Schema::object()
        .properties(props)
        .required(&required)
        .no_additional();
    let hints = Schema::object();
    Schema::object()
        .properties(vec![
            ("server", server),
            ("os:scheduler_hints", hints.clone()),
            ("OS-SCH-HNT:scheduler_hints", hints),
        ])
        .required(&["server"])
        .no_additional()
}

/// `PUT /servers/{id}` (`update`, `update_v219`, `update_v290`, `update_v294`).
pub(crate) fn update(mv: Microversion) -> Schema {
    let mut props = vec![
        ("name", name()),
        ("OS-DCF:diskConfig", disk_config()),
        ("accessIPv4", Schema::string().format(Format::Ipv4)),
        ("accessIPv6", Schema::string().format(Format::Ipv6)),
    ];
    if mv.at_least(19) {
        props.push(("description", description()));
    }
    if mv.at_least(90) {
        props.push(("hostname", hostname(mv)));
    }
    wrapped_object("server", props, &[])
}

fn wrapped_object(
    key: &'static str,
    props: Vec<(&'static str, Schema)>,
    required: &[&'static str],
) -> Schema {
    let mut inner = Schema::object().properties(props);
    if !required.is_empty() {
        inner = inner.required(required);
    }
    wrapped(key, inner.no_additional())
}

/// `rebuild`, `rebuild_v219` … `rebuild_v294`.
fn rebuild(mv: Microversion) -> Schema {
    let mut props = vec![
        ("name", name()),
        ("imageRef", uuid()),
        ("adminPass", Schema::string()),
        ("metadata", metadata()),
        ("preserve_ephemeral", boolean()),
        ("OS-DCF:diskConfig", disk_config()),
        ("accessIPv4", Schema::string().format(Format::Ipv4)),
        ("accessIPv6", Schema::string().format(Format::Ipv6)),
        ("personality", Schema::of(&[Ty::Array])),
    ];
    if mv.at_least(19) {
        props.push(("description", description()));
    }
    if mv.at_least(54) {
        props.push((
            "key_name",
            Schema::one_of(vec![
                Schema::string().min_length(1).max_length(255),
                Schema::of(&[Ty::Null]),
            ]),
        ));
    }
    if mv.at_least(57) {
        props.retain(|(n, _)| *n != "personality");
        props.push((
            "user_data",
            Schema::of(&[Ty::String, Ty::Null])
                .format(Format::Base64)
                .max_length(65535),
        ));
    }
    if mv.at_least(63) {
        props.push((
            "trusted_image_certificates",
            Schema::of(&[Ty::Array, Ty::Null]),
        ));
    }
    if mv.at_least(90) {
        props.push(("hostname", hostname(mv)));
    }
    wrapped_object("rebuild", props, &["imageRef"])
}

/// The schema of a server action body, by action name; `None` for an action the fake lacks.
pub(crate) fn action(action: &str, mv: Microversion) -> Option<Schema> {
    let anything = |key: &'static str| wrapped(key, Schema::any());
    let string = |key: &'static str, field: &'static str, min: Option<usize>| {
        let mut s = Schema::string();
        if let Some(m) = min {
            s = s.min_length(m);
        }
        wrapped_object(key, vec![(field, s)], &[field])
    };
    Some(match action {
        "reboot" => wrapped_object(
            "reboot",
            vec![(
                "type",
                Schema::string().enum_str(&["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]),
            )],
            &["type"],
        ),
        "resize" => wrapped_object(
            "resize",
            vec![
                ("flavorRef", flavor_ref()),
                ("OS-DCF:diskConfig", disk_config()),
            ],
            &["flavorRef"],
        ),
        "rebuild" => rebuild(mv),
        "createImage" => wrapped_object(
            "createImage",
            vec![("name", name()), ("metadata", metadata())],
            &["name"],
        ),
        "changePassword" => string("changePassword", "adminPass", None),
        "os-resetState" => wrapped_object(
            "os-resetState",
            vec![("state", Schema::string().enum_str(&["active", "error"]))],
            &["state"],
        ),
        "lock" if mv.at_least(73) => wrapped(
            "lock",
            Schema::of(&[Ty::Object, Ty::Null])
                .properties(vec![(
                    "locked_reason",
                    Schema::string().min_length(1).max_length(255),
                )])
                .no_additional(),
        ),
        "rescue" => wrapped(
            "rescue",
            Schema::of(&[Ty::Object, Ty::Null])
                .properties(vec![
                    ("adminPass", Schema::string()),
                    ("rescue_image_ref", uuid()),
                ])
                .no_additional(),
        ),
        "unshelve" if mv.at_least(91) => wrapped(
            "unshelve",
            Schema::of(&[Ty::Object, Ty::Null])
                .properties(vec![
                    ("availability_zone", Schema::of(&[Ty::String, Ty::Null])),
                    ("host", Schema::string()),
                ])
                .no_additional(),
        ),
        "unshelve" if mv.at_least(77) => wrapped(
            "unshelve",
            Schema::of(&[Ty::Object, Ty::Null])
                .properties(vec![("availability_zone", name())])
                .required(&["availability_zone"])
                .no_additional(),
        ),
        "addSecurityGroup" | "removeSecurityGroup" => {
            let key = if action == "addSecurityGroup" {
                "addSecurityGroup"
            } else {
                "removeSecurityGroup"
            };
            // Nova allows other top-level keys here (`additionalProperties: True`), but a
            // body with more than one key never reaches the schema (`action_peek`).
            Schema::object()
                .properties(vec![(
                    key,
                    Schema::object()
                        .properties(vec![("name", Schema::string().min_length(1))])
                        .required(&["name"])
                        .no_additional(),
                )])
                .required(&[key])
        }
        "injectNetworkInfo" => anything("injectNetworkInfo"),
        "lock" => anything("lock"),
        "unlock" => anything("unlock"),
        "os-start" => anything("os-start"),
        "os-stop" => anything("os-stop"),
        "pause" => anything("pause"),
        "unpause" => anything("unpause"),
        "suspend" => anything("suspend"),
        "resume" => anything("resume"),
        "unrescue" => anything("unrescue"),
        "confirmResize" => anything("confirmResize"),
        "revertResize" => anything("revertResize"),
        "shelve" => anything("shelve"),
        "shelveOffload" => anything("shelveOffload"),
        "unshelve" => anything("unshelve"),
        "restore" => anything("restore"),
        "forceDelete" => anything("forceDelete"),
        _ => return None,
    })
}

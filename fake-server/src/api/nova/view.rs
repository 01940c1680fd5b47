//! Nova-shaped server bodies for a negotiated microversion, as typed `Serialize` views.
//!
//! Implementation notes: the field set follows Nova's `views/servers.py` and its response
//! schemas (`additionalProperties: false`): admin-only `OS-EXT-SRV-ATTR:*` fields are left
//! out for other users, `fault` appears only on ERROR/DELETED, `progress` only on the statuses
//! Nova shows it for, and the microversion gates (2.3, 2.9, 2.16, 2.19, 2.26, 2.47, 2.63,
//! 2.71 (show only), 2.73, 2.90, 2.96) add fields in order. Views borrow from the [`Server`] and are
//! written straight into the response buffer; fields are declared in byte order of their
//! keys, the order the earlier `serde_json::Value` bodies had (see `api::render`).

use serde::Serialize;

use super::super::identity::stable_lanes;
use super::super::render::{Cat, EMPTY_LIST, EmptyObject, ExtSts, Iso, Link, Micros, SortedPairs};
use super::flavors::{FLAVORS, find};
use super::microversion::Microversion;
use super::view_parts::{
    Address, Addresses, FaultView, Hex8, HostId, Hostname, ImageView, Ip, Mac, SecurityGroup,
};
use crate::domain::{Server, Status, VmState};

/// Everything a view needs besides the server.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ViewCtx<'a> {
    pub(crate) mv: Microversion,
    pub(crate) is_admin: bool,
    pub(crate) base: &'a str,
    pub(crate) now_ms: u64,
    pub(crate) step_ms: u64,
    /// A `/servers/detail` item rather than a show (or rebuild) body: Nova lists no
    /// `server_groups` (2.71+ shows them only on a single server).
    pub(crate) listing: bool,
}

/// Bytes a detailed server body takes, to pre-size buffers.
pub(crate) const DETAIL_BYTES: usize = 2304;

/// A server's `self` and `bookmark` links.
pub(crate) fn links<'a>(base: &'a str, id: &'a str) -> [Link<'a>; 2] {
    [
        Link {
            href: Cat([base, "/compute/v2.1/servers/", id]),
            rel: "self",
        },
        Link {
            href: Cat([base, "/compute/servers/", id]),
            rel: "bookmark",
        },
    ]
}

/// Whether Nova includes `progress` for a status.
pub(crate) fn shows_progress(status: &Status) -> bool {
    matches!(
        status,
        Status::Active
            | Status::Build
            | Status::Rebuild
            | Status::Resize
            | Status::VerifyResize
            | Status::Migrating
    )
}

pub(crate) fn is_scheduled(s: &Server) -> bool {
    !matches!(
        s.vm_state,
        Some(VmState::Building) | Some(VmState::ShelvedOffloaded) | None
    )
}

/// The brief form used by `GET /servers`.
#[derive(Debug, Serialize)]
pub(crate) struct Brief<'a> {
    id: &'a str,
    links: [Link<'a>; 2],
    name: &'a str,
}

impl<'a> Brief<'a> {
    pub(crate) fn new(s: &'a Server, base: &'a str) -> Self {
        Brief {
            id: s.id.as_str(),
            links: links(base, s.id.as_str()),
            name: &s.name,
        }
    }
}

/// The `OS-EXT-SRV-ATTR:` fields Nova adds for admins from 2.3 (all or none), between
/// `instance_name` and the `OS-EXT-STS:` fields.
#[derive(Debug, Serialize)]
struct AdminAttrs<'a> {
    #[serde(rename = "OS-EXT-SRV-ATTR:kernel_id")]
    kernel_id: &'static str,
    #[serde(rename = "OS-EXT-SRV-ATTR:launch_index")]
    launch_index: u8,
    #[serde(rename = "OS-EXT-SRV-ATTR:ramdisk_id")]
    ramdisk_id: &'static str,
    #[serde(rename = "OS-EXT-SRV-ATTR:reservation_id")]
    reservation_id: Cat<'a, 2>,
    #[serde(rename = "OS-EXT-SRV-ATTR:root_device_name")]
    root_device_name: &'static str,
    #[serde(rename = "OS-EXT-SRV-ATTR:user_data")]
    user_data: (),
}

/// The full form used by show and detail.
#[derive(Debug, Serialize)]
pub(crate) struct Detail<'a> {
    #[serde(rename = "OS-DCF:diskConfig")]
    disk_config: &'static str,
    #[serde(rename = "OS-EXT-AZ:availability_zone")]
    availability_zone: &'static str,
    #[serde(
        rename = "OS-EXT-SRV-ATTR:host",
        skip_serializing_if = "Option::is_none"
    )]
    host: Option<Option<&'static str>>,
    #[serde(
        rename = "OS-EXT-SRV-ATTR:hostname",
        skip_serializing_if = "Option::is_none"
    )]
    hostname: Option<Hostname<'a>>,
    #[serde(
        rename = "OS-EXT-SRV-ATTR:hypervisor_hostname",
        skip_serializing_if = "Option::is_none"
    )]
    hypervisor_hostname: Option<Option<&'static str>>,
    #[serde(
        rename = "OS-EXT-SRV-ATTR:instance_name",
        skip_serializing_if = "Option::is_none"
    )]
    instance_name: Option<Hex8>,
    /// Shown to admins from 2.3.
    #[serde(flatten)]
    admin_attrs: Option<AdminAttrs<'a>>,
    #[serde(flatten)]
    ext_sts: ExtSts<'a>,
    #[serde(rename = "OS-SRV-USG:launched_at")]
    launched_at: Option<Micros>,
    #[serde(rename = "OS-SRV-USG:terminated_at")]
    terminated_at: Option<Micros>,
    #[serde(rename = "accessIPv4")]
    access_ipv4: &'a str,
    #[serde(rename = "accessIPv6")]
    access_ipv6: &'a str,
    addresses: Addresses,
    config_drive: &'static str,
    created: Iso,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fault: Option<FaultView<'a>>,
    flavor: FlavorView<'a>,
    #[serde(rename = "hostId")]
    host_id: HostId,
    #[serde(skip_serializing_if = "Option::is_none")]
    host_status: Option<&'static str>,
    id: &'a str,
    image: ImageView<'a>,
    key_name: (),
    links: [Link<'a>; 2],
    #[serde(skip_serializing_if = "Option::is_none")]
    locked: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locked_reason: Option<Option<&'a str>>,
    metadata: SortedPairs<'a>,
    name: &'a str,
    #[serde(rename = "os-extended-volumes:volumes_attached")]
    volumes_attached: &'static [u8],
    #[serde(skip_serializing_if = "Option::is_none")]
    pinned_availability_zone: Option<()>,
    #[serde(skip_serializing_if = "Option::is_none")]
    progress: Option<u8>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    security_groups: Vec<SecurityGroup<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    server_groups: Option<&'static [u8]>,
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<&'static [u8]>,
    tenant_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    trusted_image_certificates: Option<()>,
    updated: Iso,
    user_id: &'a str,
}

impl<'a> Detail<'a> {
    /// The view of `s` showing `status`, as Nova renders it at `ctx.mv` for this caller.
    pub(crate) fn new(s: &'a Server, status: &'a Status, ctx: ViewCtx<'a>) -> Self {
        let ViewCtx {
            mv, is_admin, base, ..
        } = ctx;
        let id = s.id.as_str();
        let scheduled = is_scheduled(s);
        let host = scheduled.then_some("fake-host");
        let admin_since = |minor: u32| (is_admin && mv.at_least(minor)).then_some(());
        let fault = match status {
            Status::Error | Status::Deleted => s.fault.as_ref().map(|f| FaultView {
                code: f.code,
                created: Iso(f.created_unix),
                details: (is_admin || f.code != 500).then_some(f.details.as_str()),
                message: &f.message,
            }),
            _ => None,
        };
        Detail {
            disk_config: "MANUAL",
            // Nova keeps the zone of an offloaded server; only an unscheduled one has none.
            availability_zone: if scheduled || s.vm_state == Some(VmState::ShelvedOffloaded) {
                "nova"
            } else {
                ""
            },
            host: admin_since(1).map(|()| host),
            hostname: (admin_since(3).is_some() || mv.at_least(90)).then_some(Hostname(&s.name)),
            hypervisor_hostname: admin_since(1).map(|()| host),
            instance_name: admin_since(1).map(|()| Hex8(s.seq + 1)),
            admin_attrs: admin_since(3).map(|()| AdminAttrs {
                kernel_id: "",
                launch_index: 0,
                ramdisk_id: "",
                reservation_id: Cat(["r-", id.get(..8).unwrap_or(id)]),
                root_device_name: "/dev/vda",
                user_data: (),
            }),
            ext_sts: ExtSts::of(s),
            launched_at: scheduled.then_some(Micros(s.created_unix)),
            terminated_at: s.terminated_unix.map(Micros),
            access_ipv4: s.access_ipv4.as_deref().unwrap_or_default(),
            access_ipv6: s.access_ipv6.as_deref().unwrap_or_default(),
            addresses: Addresses {
                private: (s.networked
                    && !matches!(s.vm_state, Some(VmState::Building | VmState::Deleted)))
                .then_some([Address {
                    mac: Mac(s.seq),
                    kind: "fixed",
                    addr: Ip(s.seq),
                    version: 4,
                }]),
            },
            config_drive: "",
            created: Iso(s.created_unix),
            description: mv.at_least(19).then_some(s.description.as_deref()),
            fault,
            flavor: FlavorView::new(&s.flavor_id, mv, base),
            host_id: HostId(scheduled.then(|| stable_lanes("host", &s.project_id))),
            host_status: (is_admin && mv.at_least(16)).then_some(if scheduled { "UP" } else { "" }),
            id,
            image: match &s.image_id {
                Some(img) => ImageView::Linked {
                    id: img,
                    links: [Link {
                        href: Cat([base, "/compute/images/", img]),
                        rel: "bookmark",
                    }],
                },
                None => ImageView::None(""),
            },
            key_name: (),
            links: links(base, id),
            locked: mv.at_least(9).then_some(s.locked),
            locked_reason: mv.at_least(73).then_some(s.locked_reason.as_deref()),
            metadata: SortedPairs(&s.metadata),
            name: &s.name,
            volumes_attached: EMPTY_LIST,
            pinned_availability_zone: mv.at_least(96).then_some(()),
            progress: shows_progress(status).then(|| s.progress(ctx.now_ms, ctx.step_ms)),
            security_groups: s
                .security_groups
                .iter()
                .map(|name| SecurityGroup { name })
                .collect(),
            server_groups: (mv.at_least(71) && !ctx.listing).then_some(EMPTY_LIST),
            status: status.as_str(),
            tags: mv.at_least(26).then_some(EMPTY_LIST),
            tenant_id: &s.project_id,
            trusted_image_certificates: mv.at_least(63).then_some(()),
            updated: Iso(s.updated_unix),
            user_id: &s.user_id,
        }
    }
}

/// The embedded flavor of a server body (2.47+) or the id-and-links form.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum FlavorView<'a> {
    Embedded {
        disk: u32,
        ephemeral: u8,
        extra_specs: EmptyObject,
        original_name: &'static str,
        ram: u32,
        swap: u8,
        vcpus: u32,
    },
    Linked {
        id: &'a str,
        links: [Link<'a>; 1],
    },
}

impl<'a> FlavorView<'a> {
    pub(crate) fn new(id: &'a str, mv: Microversion, base: &'a str) -> Self {
        if mv.at_least(47) {
            let f = find(id).copied().unwrap_or(FLAVORS[0]);
            FlavorView::Embedded {
                disk: f.disk,
                ephemeral: 0,
                extra_specs: EmptyObject,
                original_name: f.name,
                ram: f.ram,
                swap: 0,
                vcpus: f.vcpus,
            }
        } else {
            FlavorView::Linked {
                id,
                links: [Link {
                    href: Cat([base, "/compute/flavors/", id]),
                    rel: "bookmark",
                }],
            }
        }
    }
}

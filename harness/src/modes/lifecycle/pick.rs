//! Choosing the flavor, image and network of the scratch servers (`--flavor`, `--image`,
//! `--network`, or automatically when the choice is unambiguous). Only GET requests.

use crate::client::ComputeClient;
use crate::client::Microversion;
use crate::client::select_endpoint;
use reqwest::Url;
use serde_json::{Value, json};

/// What the user asked for (`None`: pick automatically).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceChoice {
    /// `--flavor` (id or name).
    pub flavor: Option<String>,
    /// `--resize-flavor` (id or name).
    pub resize_flavor: Option<String>,
    /// `--image` (id or name).
    pub image: Option<String>,
    /// `--network` (uuid).
    pub network: Option<String>,
}

/// What the scratch servers use.
#[derive(Debug, Clone, PartialEq)]
pub struct Resources {
    /// Flavor id the servers boot with.
    pub flavor: String,
    /// Flavor id to resize to, if the cloud has a second one.
    pub resize_flavor: Option<String>,
    /// Image id.
    pub image: String,
    /// The `networks` value of the create request (`None`: omitted, before 2.37).
    pub networks: Option<Value>,
    /// One line per choice, for the terminal and the reports.
    pub notes: Vec<String>,
}

/// Why the resources could not be chosen.
#[derive(Debug, thiserror::Error)]
#[error("failed to choose the {what} for lifecycle mode: {problem}")]
pub struct PickError {
    /// `flavor`, `image` or `network`.
    pub what: &'static str,
    /// Why, with what to pass.
    pub problem: String,
}

fn pick_err(what: &'static str, problem: impl Into<String>) -> PickError {
    PickError {
        what,
        problem: problem.into(),
    }
}

#[derive(Debug, Clone)]
struct Flavor {
    id: String,
    name: String,
    size: (u64, u64, u64),
}

fn flavors_of(body: &Value) -> Vec<Flavor> {
    let mut list: Vec<Flavor> = body
        .get("flavors")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|f| {
                    let num = |k: &str| f.get(k).and_then(Value::as_u64).unwrap_or(u64::MAX);
                    Some(Flavor {
                        id: f.get("id")?.as_str()?.to_owned(),
                        name: f
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned(),
                        size: (num("ram"), num("vcpus"), num("disk")),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    list.sort_by(|a, b| a.size.cmp(&b.size).then(a.id.cmp(&b.id)));
    list
}

/// Picks the boot and resize flavors: the named ones, else the smallest (by RAM, vCPUs, disk;
/// a tie is ambiguous) and the next larger one.
fn choose_flavors(
    flavors: &[Flavor],
    choice: &ResourceChoice,
) -> Result<(String, Option<String>, String), PickError> {
    let find = |wanted: &str| {
        flavors
            .iter()
            .find(|f| f.id == wanted || f.name == wanted)
            .ok_or_else(|| {
                let known: Vec<&str> = flavors.iter().map(|f| f.name.as_str()).collect();
                pick_err(
                    "flavor",
                    format!("no flavor `{wanted}` (the cloud has: {})", known.join(", ")),
                )
            })
    };
    let (boot, note) = match &choice.flavor {
        Some(w) => (find(w)?, "given with --flavor"),
        None => {
            let first = flavors
                .first()
                .ok_or_else(|| pick_err("flavor", "the cloud lists no flavors; give --flavor"))?;
            if flavors.get(1).is_some_and(|f| f.size == first.size) {
                return Err(pick_err(
                    "flavor",
                    format!(
                        "the smallest flavors `{}` and `{}` are the same size; give --flavor",
                        first.name, flavors[1].name
                    ),
                ));
            }
            (first, "the smallest")
        }
    };
    let resize = match &choice.resize_flavor {
        Some(w) => Some(find(w)?),
        None => flavors
            .iter()
            .find(|f| f.id != boot.id && f.size >= boot.size),
    };
    let mut text = format!("flavor {} ({}, {note})", boot.name, boot.id);
    match resize {
        Some(r) => text.push_str(&format!("; resize flavor {} ({})", r.name, r.id)),
        None => text.push_str("; no second flavor, resize steps will be skipped"),
    }
    Ok((boot.id.clone(), resize.map(|r| r.id.clone()), text))
}

/// Reads flavors (and images, when not given) and decides what the servers use.
pub async fn pick_resources(
    client: &ComputeClient,
    choice: &ResourceChoice,
) -> Result<Resources, PickError> {
    let body = client
        .get_json(client.url(&["flavors", "detail"], &[]))
        .await
        .map_err(|e| pick_err("flavor", e.to_string()))?;
    let (flavor, resize_flavor, flavor_note) = choose_flavors(&flavors_of(&body), choice)?;
    let (image, image_note) = match &choice.image {
        Some(i) => (i.clone(), format!("image {i} (given with --image)")),
        None => pick_image(client).await?,
    };
    let (networks, network_note) = match &choice.network {
        Some(n) => (
            Some(json!([{"uuid": n}])),
            format!("network {n} (given with --network)"),
        ),
        None if client.microversion() >= Microversion::new(2, 37) => (
            Some(json!("none")),
            "networks \"none\" (no port is created; give --network to attach one)".to_owned(),
        ),
        None => (
            None,
            "no networks field (microversion below 2.37: the cloud picks its only network)"
                .to_owned(),
        ),
    };
    Ok(Resources {
        flavor,
        resize_flavor,
        image,
        networks,
        notes: vec![flavor_note, image_note, network_note],
    })
}

/// The smallest bootable image of the catalog's image service (see [`choose_image`]).
async fn pick_image(client: &ComputeClient) -> Result<(String, String), PickError> {
    let token = client
        .session()
        .token()
        .await
        .map_err(|e| pick_err("image", e.to_string()))?;
    let config = client.session().config();
    let endpoint = select_endpoint(
        &token.catalog,
        "image",
        config.region_name.as_deref(),
        config.interface,
    )
    .map_err(|e| pick_err("image", format!("{e}; give --image ID")))?;
    let mut url = Url::parse(&endpoint)
        .map_err(|_| pick_err("image", "the image endpoint is not a URL; give --image ID"))?;
    if let Ok(mut segs) = url.path_segments_mut() {
        segs.pop_if_empty().extend(["v2", "images"]);
    }
    // Glance's largest page (api_limit_max), so the smallest image is not on a later page.
    url.query_pairs_mut()
        .append_pair("status", "active")
        .append_pair("limit", "1000");
    let body = client
        .get_json(url)
        .await
        .map_err(|e| pick_err("image", format!("{e}; give --image ID")))?;
    choose_image(&body)
}

/// Picks from a Glance v2 listing: the smallest (`size`, then name, then id, so the choice is
/// the same on every run) active image that can boot a server: kernel and ramdisk images
/// (`aki`, `ari`) and snapshots (`image_type: snapshot`, e.g. what shelve leaves behind and
/// deletes again) are passed over. Unlike flavors, equally small images are not ambiguous: any
/// bootable image serves the lifecycle, and `--image` picks another.
fn choose_image(body: &Value) -> Result<(String, String), PickError> {
    let text = |i: &Value, k: &str| i.get(k).and_then(Value::as_str).map(str::to_owned);
    let mut images: Vec<(u64, String, String)> = body
        .get("images")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|i| text(i, "status").is_none_or(|s| s == "active"))
        .filter(|i| !matches!(text(i, "disk_format").as_deref(), Some("aki" | "ari")))
        .filter(|i| text(i, "image_type").as_deref() != Some("snapshot"))
        .filter_map(|i| {
            let size = i.get("size").and_then(Value::as_u64).unwrap_or(u64::MAX);
            Some((size, text(i, "name").unwrap_or_default(), text(i, "id")?))
        })
        .collect();
    images.sort();
    let count = images.len();
    match images.into_iter().next() {
        Some((_, name, id)) if count == 1 => Ok((
            id.clone(),
            format!("image {name} ({id}, the only active one)"),
        )),
        Some((_, name, id)) => Ok((
            id.clone(),
            format!("image {name} ({id}, the smallest of {count} bootable active images)"),
        )),
        None => Err(pick_err(
            "image",
            "the cloud lists no active bootable image; give --image ID",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flavors() -> Vec<Flavor> {
        flavors_of(&json!({"flavors": [
            {"id": "2", "name": "m1.small", "ram": 2048, "vcpus": 1, "disk": 20},
            {"id": "42", "name": "m1.nano", "ram": 128, "vcpus": 1, "disk": 1},
            {"id": "1", "name": "m1.tiny", "ram": 512, "vcpus": 1, "disk": 1}
        ]}))
    }

    #[test]
    fn the_smallest_flavor_boots_and_the_next_one_is_the_resize_target() {
        let (boot, resize, note) = choose_flavors(&flavors(), &ResourceChoice::default()).unwrap();
        assert_eq!((boot.as_str(), resize.as_deref()), ("42", Some("1")));
        assert_eq!(
            note,
            "flavor m1.nano (42, the smallest); resize flavor m1.tiny (1)"
        );
    }

    #[test]
    fn named_flavors_are_found_by_name_or_id_and_unknown_ones_are_refused() {
        let choice = ResourceChoice {
            flavor: Some("m1.small".into()),
            resize_flavor: Some("1".into()),
            ..Default::default()
        };
        let (boot, resize, _) = choose_flavors(&flavors(), &choice).unwrap();
        assert_eq!((boot.as_str(), resize.as_deref()), ("2", Some("1")));
        let bad = ResourceChoice {
            flavor: Some("huge".into()),
            ..Default::default()
        };
        assert_eq!(
            choose_flavors(&flavors(), &bad).unwrap_err().to_string(),
            "failed to choose the flavor for lifecycle mode: no flavor `huge` (the cloud has: \
             m1.nano, m1.tiny, m1.small)"
        );
    }

    #[test]
    fn two_smallest_flavors_of_one_size_are_ambiguous() {
        let tied = flavors_of(&json!({"flavors": [
            {"id": "a", "name": "x", "ram": 1, "vcpus": 1, "disk": 1},
            {"id": "b", "name": "y", "ram": 1, "vcpus": 1, "disk": 1}]}));
        let err = choose_flavors(&tied, &ResourceChoice::default()).unwrap_err();
        assert!(err.problem.ends_with("give --flavor"), "{err}");
    }

    #[test]
    fn the_smallest_bootable_active_image_is_picked_by_size_then_name_then_id() {
        let listing = json!({"images": [
            {"id": "k", "name": "kernel", "status": "active", "disk_format": "aki", "size": 1},
            {"id": "s", "name": "web-shelved", "status": "active", "size": 2,
             "image_type": "snapshot"},
            {"id": "q", "name": "queued", "status": "queued", "size": 3},
            {"id": "b", "name": "cirros", "status": "active", "disk_format": "qcow2", "size": 10},
            {"id": "a", "name": "cirros", "status": "active", "disk_format": "raw", "size": 10},
            {"id": "u", "name": "ubuntu", "status": "active", "size": 500},
            {"id": "n", "name": "no-size", "status": "active"}
        ]});
        assert_eq!(
            choose_image(&listing).unwrap(),
            (
                "a".to_owned(),
                "image cirros (a, the smallest of 4 bootable active images)".to_owned()
            )
        );
    }

    #[test]
    fn a_single_image_is_the_only_one_and_none_asks_for_image() {
        let one = json!({"images": [{"id": "x", "name": "cirros", "status": "active"}]});
        assert_eq!(
            choose_image(&one).unwrap().1,
            "image cirros (x, the only active one)"
        );
        let kernels = json!({"images": [{"id": "k", "status": "active", "disk_format": "ari"}]});
        assert_eq!(
            choose_image(&kernels).unwrap_err().to_string(),
            "failed to choose the image for lifecycle mode: the cloud lists no active bootable \
             image; give --image ID"
        );
    }
}

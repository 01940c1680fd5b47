//! A read-only Glance v2 image service: `GET /image` (versions), `/image/v2/images[/{id}]`.
//!
//! It lists Nova's own functional-test images (`nova/tests/fixtures/glance.py`, the seven
//! whose ids are fixed) plus the image every seeded server reports, so a client can pick an
//! image on its own and `imageRef` can be checked the way Nova checks it against Glance.

use serde::Serialize;
use serde_json::json;

use super::core::Inner;
use super::error::{method_not_allowed, unauthorized};
use super::http::{ApiRequest, ApiResponse};
use super::render::typed_json;

/// One image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Image {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    container_format: &'static str,
    disk_format: &'static str,
    size: u64,
}

const fn image(
    id: &'static str,
    name: &'static str,
    container_format: &'static str,
    disk_format: &'static str,
    size: u64,
) -> Image {
    Image {
        id,
        name,
        container_format,
        disk_format,
        size,
    }
}

/// The images, in the order Glance lists them here.
pub(crate) const IMAGES: [Image; 8] = [
    image(
        super::nova::DEFAULT_IMAGE,
        "fake-default",
        "bare",
        "qcow2",
        21_430_272,
    ),
    image(
        "155d900f-4e14-4e4c-a73d-069cbf4541e6",
        "fakeimage123456",
        "raw",
        "raw",
        25_165_824,
    ),
    image(
        "a2459075-d96c-40d5-893e-577ff92e721c",
        "fakeimage123456",
        "ami",
        "ami",
        58_145_823,
    ),
    image(
        "76fa36fc-c930-4bf3-8c8a-ea2a2420deb6",
        "fakeimage123456",
        "bare",
        "raw",
        83_594_576,
    ),
    image(
        "cedef40a-ed67-4d10-800e-17455edce175",
        "fakeimage123456",
        "ami",
        "ami",
        84_035_174,
    ),
    image(
        "c905cedb-7281-47e4-8a62-f26bc5fc4c77",
        "fakeimage123456",
        "ami",
        "ami",
        26_360_814,
    ),
    image(
        "a440c04b-79fa-479c-bed1-0b816eaec379",
        "fakeimage6",
        "ova",
        "vhd",
        49_163_826,
    ),
    image(
        "70a599e0-31e7-49b7-b260-868f441e862b",
        "fakeimage7",
        "ova",
        "vhd",
        74_185_822,
    ),
];

/// The image with this id, if Glance has it.
pub(crate) fn find(id: &str) -> Option<&'static Image> {
    IMAGES.iter().find(|i| i.id == id)
}

/// Glance v2's image body (no custom properties).
#[derive(Serialize)]
struct ImageView {
    checksum: Option<()>,
    container_format: &'static str,
    created_at: &'static str,
    disk_format: &'static str,
    file: String,
    id: &'static str,
    min_disk: u8,
    min_ram: u8,
    name: &'static str,
    os_hidden: bool,
    owner: Option<()>,
    protected: bool,
    schema: &'static str,
    #[serde(rename = "self")]
    self_link: String,
    size: u64,
    status: &'static str,
    tags: [(); 0],
    updated_at: &'static str,
    visibility: &'static str,
}

impl ImageView {
    fn new(i: &Image) -> Self {
        ImageView {
            checksum: None,
            container_format: i.container_format,
            created_at: "2011-01-01T01:02:03Z",
            disk_format: i.disk_format,
            file: format!("/v2/images/{}/file", i.id),
            id: i.id,
            min_disk: 0,
            min_ram: 0,
            name: i.name,
            os_hidden: false,
            owner: None,
            protected: false,
            schema: "/v2/schemas/image",
            self_link: format!("/v2/images/{}", i.id),
            size: i.size,
            status: "active",
            tags: [],
            updated_at: "2011-01-01T01:02:03Z",
            visibility: "public",
        }
    }
}

#[derive(Serialize)]
struct ListBody {
    first: &'static str,
    images: Vec<ImageView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
    schema: &'static str,
}

fn versions(base: &str) -> ApiResponse {
    ApiResponse::json(
        300,
        &json!({"versions": [{"id": "v2.16", "status": "CURRENT",
            "links": [{"rel": "self", "href": format!("{base}/image/v2/")}]}]}),
    )
}

fn not_found(what: &str) -> ApiResponse {
    ApiResponse {
        status: 404,
        headers: vec![(
            "content-type".to_owned(),
            "text/plain; charset=UTF-8".to_owned(),
        )],
        body: format!("404 Not Found\n\n{what}\n\n").into_bytes(),
        ..Default::default()
    }
}

/// Handles `/image…`.
pub(crate) fn handle(inner: &Inner, req: &ApiRequest, base: &str) -> ApiResponse {
    let path = req.path.trim_end_matches('/');
    if path == "/image" || path == "/image/versions" {
        return versions(base);
    }
    if req.method != "GET" {
        return method_not_allowed();
    }
    if inner.keystone.check(req.header("x-auth-token")).is_none() {
        return unauthorized();
    }
    match path.strip_prefix("/image/v2/images") {
        Some("") => list(req),
        Some(rest) => match rest.strip_prefix('/').and_then(find) {
            Some(i) => typed_json(200, &ImageView::new(i), 1024),
            None => not_found(&format!(
                "No image found with ID {}",
                rest.trim_start_matches('/')
            )),
        },
        None => not_found("The resource could not be found."),
    }
}

/// `GET /image/v2/images[?limit=N&marker=ID]`.
fn list(req: &ApiRequest) -> ApiResponse {
    let limit = req
        .query_last("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(25)
        .clamp(1, 1000);
    let start = match req.query_last("marker") {
        None => 0,
        Some(m) => match IMAGES.iter().position(|i| i.id == m) {
            Some(p) => p + 1,
            None => return not_found(&format!("No image found with ID {m}")),
        },
    };
    let page: Vec<&Image> = IMAGES.iter().skip(start).take(limit).collect();
    let next = (start + page.len() < IMAGES.len())
        .then(|| {
            page.last()
                .map(|i| format!("/v2/images?limit={limit}&marker={}", i.id))
        })
        .flatten();
    let body = ListBody {
        first: "/v2/images",
        images: page.into_iter().map(ImageView::new).collect(),
        next,
        schema: "/v2/schemas/images",
    };
    typed_json(200, &body, 8192)
}

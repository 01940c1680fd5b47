//! The Keystone service catalog and picking the compute endpoint from it.

use super::config::Interface;
use serde_json::Value;

/// One service of a token's catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogService {
    /// `type`, e.g. `compute`.
    pub service_type: String,
    /// `name`, e.g. `nova`.
    pub name: Option<String>,
    /// Its endpoints.
    pub endpoints: Vec<CatalogEndpoint>,
}

/// One endpoint of a catalog service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEndpoint {
    /// `interface`: `public`, `internal` or `admin`.
    pub interface: String,
    /// `region_id`, else `region`.
    pub region: Option<String>,
    /// `url`.
    pub url: String,
}

/// Reads `token.catalog`; entries without a type or endpoints without a URL are skipped.
pub(crate) fn parse_catalog(token: &Value) -> Vec<CatalogService> {
    let Some(list) = token.get("catalog").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|service| {
            let service_type = service.get("type")?.as_str()?.to_owned();
            let endpoints = service
                .get("endpoints")
                .and_then(Value::as_array)
                .map(|eps| {
                    eps.iter()
                        .filter_map(|ep| {
                            let text = |k: &str| ep.get(k).and_then(Value::as_str);
                            Some(CatalogEndpoint {
                                interface: text("interface")?.to_owned(),
                                region: text("region_id").or(text("region")).map(str::to_owned),
                                url: text("url")?.to_owned(),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            Some(CatalogService {
                service_type,
                name: service
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                endpoints,
            })
        })
        .collect()
}

/// The URL of the `service_type` endpoint for `interface` in `region`.
///
/// Without a region, the endpoints must all be in one region (or have none); several regions
/// are an error that lists them, rather than keystoneauth's silent first pick, because a
/// conformance run against the wrong region is worse than none.
pub(crate) fn select_endpoint(
    catalog: &[CatalogService],
    service_type: &str,
    region: Option<&str>,
    interface: Interface,
) -> Result<String, String> {
    let all: Vec<&CatalogEndpoint> = catalog
        .iter()
        .filter(|s| s.service_type == service_type)
        .flat_map(|s| &s.endpoints)
        .collect();
    if all.is_empty() {
        let types: Vec<&str> = catalog.iter().map(|s| s.service_type.as_str()).collect();
        return Err(format!(
            "the catalog has no `{service_type}` service (it has: {})",
            if types.is_empty() {
                "nothing".to_owned()
            } else {
                types.join(", ")
            }
        ));
    }
    let matching: Vec<&&CatalogEndpoint> = all
        .iter()
        .filter(|ep| Interface::parse(&ep.interface) == Some(interface))
        .filter(|ep| region.is_none_or(|r| ep.region.as_deref() == Some(r)))
        .collect();
    let describe = || {
        all.iter()
            .map(|ep| {
                format!(
                    "{} in {}",
                    ep.interface,
                    ep.region.as_deref().unwrap_or("no region")
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match matching.as_slice() {
        [] => Err(format!(
            "the catalog has no `{service_type}` endpoint for interface {interface}{} (it has: {})",
            region
                .map(|r| format!(" in region {r}"))
                .unwrap_or_default(),
            describe()
        )),
        [only] => Ok(only.url.clone()),
        [first, rest @ ..] => {
            let mut regions: Vec<&str> = matching
                .iter()
                .map(|ep| ep.region.as_deref().unwrap_or("no region"))
                .collect();
            regions.dedup();
            if rest.iter().all(|ep| ep.region == first.region) {
                Ok(first.url.clone())
            } else {
                Err(format!(
                    "the catalog has `{service_type}` endpoints for interface {interface} in \
                     several regions ({}); choose one with --os-region-name",
                    regions.join(", ")
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn catalog() -> Vec<CatalogService> {
        parse_catalog(&json!({"catalog": [
            {"type": "identity", "endpoints": [{"interface": "public", "region": "r1", "url": "http://k"}]},
            {"type": "compute", "name": "nova", "endpoints": [
                {"interface": "public", "region_id": "r1", "region": "r1", "url": "http://pub-r1/v2.1"},
                {"interface": "internal", "region_id": "r1", "url": "http://int-r1/v2.1"},
                {"interface": "public", "region_id": "r2", "url": "http://pub-r2/v2.1"}
            ]}
        ]}))
    }

    #[test]
    fn endpoint_is_chosen_by_region_and_interface() {
        let cases = [
            (
                "public r1",
                Some("r1"),
                Interface::Public,
                Ok("http://pub-r1/v2.1"),
            ),
            (
                "internal r1",
                Some("r1"),
                Interface::Internal,
                Ok("http://int-r1/v2.1"),
            ),
            (
                "public r2",
                Some("r2"),
                Interface::Public,
                Ok("http://pub-r2/v2.1"),
            ),
            (
                "admin is absent",
                Some("r1"),
                Interface::Admin,
                Err(
                    "the catalog has no `compute` endpoint for interface admin in region r1 \
                     (it has: public in r1, internal in r1, public in r2)",
                ),
            ),
            (
                "no region with two regions is ambiguous",
                None,
                Interface::Public,
                Err(
                    "the catalog has `compute` endpoints for interface public in several \
                     regions (r1, r2); choose one with --os-region-name",
                ),
            ),
            (
                "no region with one region is fine",
                None,
                Interface::Internal,
                Ok("http://int-r1/v2.1"),
            ),
        ];
        for (name, region, interface, expected) in cases {
            let got = select_endpoint(&catalog(), "compute", region, interface);
            assert_eq!(
                got,
                expected.map(str::to_owned).map_err(str::to_owned),
                "{name}"
            );
        }
    }

    #[test]
    fn missing_service_lists_what_the_catalog_has() {
        let got = select_endpoint(&catalog(), "volumev3", None, Interface::Public);
        assert_eq!(
            got,
            Err("the catalog has no `volumev3` service (it has: identity, compute)".to_owned())
        );
    }
}

//! Compute microversion negotiation (2.1 … 2.96) from both request headers.

use super::super::error::{bad_request, nova_error};
use super::super::http::{ApiRequest, ApiResponse};

/// The highest compute microversion the fake serves.
pub const MAX_MINOR: u32 = 96;

/// A negotiated `2.N` microversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Microversion(pub u32);

impl Microversion {
    /// Whether this is at least `2.minor`.
    pub fn at_least(self, minor: u32) -> bool {
        self.0 >= minor
    }

    /// `2.N`.
    pub fn to_wire(self) -> String {
        format!("2.{}", self.0)
    }

    /// Negotiates from `OpenStack-API-Version: compute X` then `X-OpenStack-Nova-API-Version: X`.
    pub(crate) fn negotiate(req: &ApiRequest) -> Result<Self, ApiResponse> {
        let from_new = req.header("openstack-api-version").and_then(|h| {
            h.split(',').find_map(|part| {
                let mut it = part.split_whitespace();
                match (it.next(), it.next()) {
                    (Some(svc), Some(v)) if svc.eq_ignore_ascii_case("compute") => {
                        Some(v.to_owned())
                    }
                    _ => None,
                }
            })
        });
        let requested = from_new.or_else(|| {
            req.header("x-openstack-nova-api-version")
                .map(|v| v.trim().to_owned())
        });
        match requested {
            None => Ok(Microversion(1)),
            Some(v) => parse(&v),
        }
    }

    /// Adds the response headers Nova sends for a negotiated version.
    pub(crate) fn stamp(self, resp: ApiResponse) -> ApiResponse {
        resp.with_header(
            "openstack-api-version",
            format!("compute {}", self.to_wire()),
        )
        .with_header("x-openstack-nova-api-version", self.to_wire())
        .with_header(
            "vary",
            "OpenStack-API-Version, X-OpenStack-Nova-API-Version",
        )
    }
}

fn parse(v: &str) -> Result<Microversion, ApiResponse> {
    if v.eq_ignore_ascii_case("latest") {
        return Ok(Microversion(MAX_MINOR));
    }
    let invalid = || {
        bad_request(format!(
            "API Version String {v} is of invalid format. Must be of format MajorNum.MinorNum."
        ))
    };
    let (major, minor) = v.split_once('.').ok_or_else(invalid)?;
    let major: u32 = major.parse().map_err(|_| invalid())?;
    let minor: u32 = minor.parse().map_err(|_| invalid())?;
    if major != 2 || !(1..=MAX_MINOR).contains(&minor) {
        return Err(nova_error(
            406,
            format!(
                "Version {v} is not supported by the API. Minimum is 2.1 and maximum is 2.{MAX_MINOR}."
            ),
        ));
    }
    Ok(Microversion(minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn neg(name: &str, value: &str) -> Result<Microversion, u16> {
        Microversion::negotiate(&ApiRequest::new("GET", "/").with_header(name, value))
            .map_err(|r| r.status)
    }

    #[test]
    fn negotiation_reads_both_headers_and_rejects_out_of_range() {
        let rows = [
            (
                "new header",
                "OpenStack-API-Version",
                "compute 2.60",
                Ok(Microversion(60)),
            ),
            (
                "new header among services",
                "OpenStack-API-Version",
                "volume 3.0, compute 2.5",
                Ok(Microversion(5)),
            ),
            (
                "legacy header",
                "X-OpenStack-Nova-API-Version",
                "2.37",
                Ok(Microversion(37)),
            ),
            (
                "latest",
                "X-OpenStack-Nova-API-Version",
                "latest",
                Ok(Microversion(96)),
            ),
            ("too new", "X-OpenStack-Nova-API-Version", "2.100", Err(406)),
            ("garbage", "X-OpenStack-Nova-API-Version", "two", Err(400)),
        ];
        for (name, h, v, want) in rows {
            assert_eq!(neg(h, v), want, "{name}");
        }
        assert_eq!(
            Microversion::negotiate(&ApiRequest::new("GET", "/")).unwrap(),
            Microversion(1)
        );
    }
}

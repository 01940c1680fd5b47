//! `load_cloud`: clouds.yaml per auth type, secure.yaml, OS_* variables, search order, errors.

use super::{fixture, sources_in};
use harness::client::{
    AppCredentialRef, AuthConfig, CloudConfig, CloudRequest, DomainRef, Interface, Scope, Secret,
    TlsOptions, UserRef, load_cloud,
};
use std::path::PathBuf;

fn with_fixtures(dir: &std::path::Path) -> harness::client::ConfigSources {
    sources_in(
        dir,
        &[
            (
                "OS_CLIENT_CONFIG_FILE",
                fixture("clouds.yaml").to_str().unwrap(),
            ),
            (
                "OS_CLIENT_SECURE_FILE",
                fixture("secure.yaml").to_str().unwrap(),
            ),
        ],
    )
}

fn fixtures_origin() -> String {
    format!(
        "{} + {}",
        fixture("clouds.yaml").display(),
        fixture("secure.yaml").display()
    )
}

/// Password auth as both fixtures write it: user `user` in the domain named `Default`, project
/// `project` in the domain with id `default`.
fn password_auth(auth_url: &str, user: &str, password: &str, project: &str) -> AuthConfig {
    AuthConfig::Password {
        auth_url: auth_url.into(),
        user: UserRef::Name {
            name: user.into(),
            domain: DomainRef::Name("Default".into()),
        },
        password: Secret::new(password),
        scope: Some(Scope::ProjectName {
            name: project.into(),
            domain: DomainRef::Id("default".into()),
        }),
    }
}

fn named(cloud: &str) -> CloudRequest {
    CloudRequest {
        cloud: Some(cloud.to_owned()),
        ..CloudRequest::default()
    }
}

#[test]
fn password_cloud_from_clouds_yaml_is_fully_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let cloud = load_cloud(&named("password"), &with_fixtures(dir.path())).unwrap();
    assert_eq!(
        cloud,
        CloudConfig {
            name: "password".into(),
            origin: fixtures_origin(),
            auth: password_auth(
                "http://keystone.example:5000/v3",
                "alice",
                "pw-in-clouds-yaml",
                "demo"
            ),
            region_name: Some("RegionOne".into()),
            interface: Interface::Internal,
            tls: TlsOptions::default(),
            compute_endpoint_override: None,
            compute_api_version: None,
        }
    );
}

#[test]
fn secure_yaml_supplies_the_password_and_regions_list_gives_the_default_region() {
    let dir = tempfile::tempdir().unwrap();
    let cloud = load_cloud(&named("password-secure"), &with_fixtures(dir.path())).unwrap();
    assert_eq!(
        cloud.auth,
        AuthConfig::Password {
            auth_url: "https://keystone.example/identity/v3".into(),
            user: UserRef::Id("u-123".into()),
            password: Secret::new("pw-from-secure-yaml"),
            scope: Some(Scope::ProjectId("12345".into())),
        }
    );
    assert_eq!(cloud.region_name.as_deref(), Some("RegionOne"));
    assert_eq!(cloud.interface, Interface::Public);
    assert_eq!(
        cloud.tls.cacert,
        Some(PathBuf::from("/etc/ssl/private-ca.pem"))
    );
}

#[test]
fn region_values_apply_when_that_region_is_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let request = CloudRequest {
        region_name: Some("RegionTwo".into()),
        ..named("password-secure")
    };
    let cloud = load_cloud(&request, &with_fixtures(dir.path())).unwrap();
    assert_eq!(cloud.region_name.as_deref(), Some("RegionTwo"));
    assert_eq!(cloud.interface, Interface::Admin);
}

#[test]
fn unknown_region_lists_the_valid_ones() {
    let dir = tempfile::tempdir().unwrap();
    let request = CloudRequest {
        region_name: Some("RegionThree".into()),
        ..named("password-secure")
    };
    let err = load_cloud(&request, &with_fixtures(dir.path())).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "failed to configure cloud `password-secure` from {}: region `RegionThree` is not a \
             region of this cloud; valid regions: RegionOne, RegionTwo (region names are case \
             sensitive)",
            fixtures_origin()
        )
    );
}

#[test]
fn application_credentials_by_id_and_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let sources = with_fixtures(dir.path());
    let by_id = load_cloud(&named("appcred"), &sources).unwrap();
    assert_eq!(
        by_id.auth,
        AuthConfig::ApplicationCredential {
            auth_url: "https://keystone.example/v3".into(),
            credential: AppCredentialRef::Id("ac-42".into()),
            secret: Secret::new("appcred-secret"),
        }
    );
    let by_name = load_cloud(&named("appcred-by-name"), &sources).unwrap();
    assert_eq!(
        by_name.auth,
        AuthConfig::ApplicationCredential {
            auth_url: "https://keystone.example/v3".into(),
            credential: AppCredentialRef::Name {
                name: "ci".into(),
                user: UserRef::Name {
                    name: "bob".into(),
                    domain: DomainRef::Name("Example".into()),
                },
            },
            secret: Secret::new("appcred-secret"),
        }
    );
}

#[test]
fn token_and_token_endpoint_clouds() {
    let dir = tempfile::tempdir().unwrap();
    let sources = with_fixtures(dir.path());
    let token = load_cloud(&named("token"), &sources).unwrap();
    assert_eq!(
        token.auth,
        AuthConfig::Token {
            auth_url: "https://keystone.example/v3".into(),
            token: Secret::new("existing-token"),
            scope: Some(Scope::ProjectName {
                name: "demo".into(),
                domain: DomainRef::Id("default".into()),
            }),
        }
    );
    let admin = load_cloud(&named("admin-token"), &sources).unwrap();
    assert_eq!(
        admin.auth,
        AuthConfig::AdminToken {
            endpoint: "http://127.0.0.1:8774/compute/v2.1".into(),
            token: Secret::new("static-token"),
        }
    );
    assert!(admin.tls.insecure);
    assert_eq!(admin.compute_api_version.as_deref(), Some("2.60"));
}

#[test]
fn os_cloud_selects_and_os_cloud_flag_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut sources = with_fixtures(dir.path());
    sources.env.insert("OS_CLOUD".into(), "appcred".into());
    let from_env = load_cloud(&CloudRequest::default(), &sources).unwrap();
    assert_eq!(from_env.name, "appcred");
    let from_flag = load_cloud(&named("token"), &sources).unwrap();
    assert_eq!(from_flag.name, "token");
}

#[test]
fn password_cloud_from_os_variables() {
    let dir = tempfile::tempdir().unwrap();
    let sources = sources_in(
        dir.path(),
        &[
            ("OS_AUTH_URL", "http://127.0.0.1:5000/identity"),
            ("OS_USERNAME", "admin"),
            ("OS_PASSWORD", "pw"),
            ("OS_PROJECT_NAME", "admin"),
            ("OS_USER_DOMAIN_NAME", "Default"),
            ("OS_PROJECT_DOMAIN_ID", "default"),
            ("OS_REGION_NAME", "RegionOne"),
            ("OS_INTERFACE", "internalURL"),
            ("OS_CACERT", "/ca.pem"),
            ("OS_INSECURE", "True"),
            ("OS_STDOUT_CAPTURE", "1"),
        ],
    );
    let cloud = load_cloud(&CloudRequest::default(), &sources).unwrap();
    assert_eq!(
        cloud,
        CloudConfig {
            name: "envvars".into(),
            origin: "the environment (OS_* variables)".into(),
            auth: password_auth("http://127.0.0.1:5000/identity/v3", "admin", "pw", "admin"),
            region_name: Some("RegionOne".into()),
            interface: Interface::Internal,
            tls: TlsOptions {
                cacert: Some("/ca.pem".into()),
                insecure: true,
            },
            compute_endpoint_override: None,
            compute_api_version: None,
        }
    );
}

#[test]
fn application_credential_and_token_clouds_from_os_variables() {
    let dir = tempfile::tempdir().unwrap();
    let appcred = sources_in(
        dir.path(),
        &[
            ("OS_AUTH_TYPE", "v3applicationcredential"),
            ("OS_AUTH_URL", "https://k.example/v3"),
            ("OS_APPLICATION_CREDENTIAL_ID", "ac-1"),
            ("OS_APPLICATION_CREDENTIAL_SECRET", "s"),
        ],
    );
    assert_eq!(
        load_cloud(&CloudRequest::default(), &appcred).unwrap().auth,
        AuthConfig::ApplicationCredential {
            auth_url: "https://k.example/v3".into(),
            credential: AppCredentialRef::Id("ac-1".into()),
            secret: Secret::new("s"),
        }
    );
    let admin_token = sources_in(
        dir.path(),
        &[
            ("OS_AUTH_TYPE", "admin_token"),
            ("OS_TOKEN", "t"),
            ("OS_ENDPOINT", "http://127.0.0.1:8774/compute/v2.1"),
        ],
    );
    assert_eq!(
        load_cloud(&CloudRequest::default(), &admin_token)
            .unwrap()
            .auth,
        AuthConfig::AdminToken {
            endpoint: "http://127.0.0.1:8774/compute/v2.1".into(),
            token: Secret::new("t"),
        }
    );
    let token_no_type = sources_in(
        dir.path(),
        &[
            ("OS_AUTH_URL", "https://k.example/v3"),
            ("OS_TOKEN", "t"),
            ("OS_PROJECT_ID", "p"),
        ],
    );
    assert_eq!(
        load_cloud(&CloudRequest::default(), &token_no_type)
            .unwrap()
            .auth,
        AuthConfig::Token {
            auth_url: "https://k.example/v3".into(),
            token: Secret::new("t"),
            scope: Some(Scope::ProjectId("p".into())),
        }
    );
}

#[test]
fn target_with_token_needs_no_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let sources = sources_in(dir.path(), &[("OS_TOKEN", "env-token")]);
    let request = CloudRequest {
        endpoint_override: Some("http://127.0.0.1:8774/compute/v2.1".into()),
        ..CloudRequest::default()
    };
    let cloud = load_cloud(&request, &sources).unwrap();
    assert_eq!(cloud.name, "target");
    assert_eq!(
        cloud.auth,
        AuthConfig::AdminToken {
            endpoint: "http://127.0.0.1:8774/compute/v2.1".into(),
            token: Secret::new("env-token"),
        }
    );
}

#[test]
fn target_without_token_keeps_the_clouds_auth_and_overrides_the_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let request = CloudRequest {
        endpoint_override: Some("http://127.0.0.1:9/compute/v2.1".into()),
        ..named("password")
    };
    let cloud = load_cloud(&request, &with_fixtures(dir.path())).unwrap();
    assert_eq!(cloud.auth.type_name(), "password");
    assert_eq!(
        cloud.compute_endpoint_override.as_deref(),
        Some("http://127.0.0.1:9/compute/v2.1")
    );
}

#[test]
fn current_directory_wins_over_home_and_yaml_over_yml() {
    let dir = tempfile::tempdir().unwrap();
    let sources = sources_in(dir.path(), &[]);
    let home_dir = dir.path().join("home/.config/openstack");
    std::fs::create_dir_all(&home_dir).unwrap();
    let cloud_yaml = |name: &str| {
        format!(
            "clouds:\n  {name}:\n    auth_type: admin_token\n    auth:\n      token: t\n      \
             endpoint: http://127.0.0.1/compute/v2.1\n"
        )
    };
    std::fs::write(home_dir.join("clouds.yaml"), cloud_yaml("fromhome")).unwrap();
    assert_eq!(
        load_cloud(&CloudRequest::default(), &sources).unwrap().name,
        "fromhome"
    );
    std::fs::write(sources.cwd.join("clouds.yml"), cloud_yaml("fromyml")).unwrap();
    std::fs::write(sources.cwd.join("clouds.yaml"), cloud_yaml("fromyaml")).unwrap();
    let cloud = load_cloud(&CloudRequest::default(), &sources).unwrap();
    assert_eq!(cloud.name, "fromyaml");
    assert_eq!(
        cloud.origin,
        sources.cwd.join("clouds.yaml").display().to_string()
    );
}

#[test]
fn missing_cloud_lists_the_clouds_and_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let err = load_cloud(&named("nope"), &with_fixtures(dir.path())).unwrap_err();
    let clouds = fixture("clouds.yaml");
    assert_eq!(
        err.to_string(),
        format!(
            "failed to find cloud `nope`: defined clouds: admin-token, appcred, appcred-by-name, \
             password, password-secure, token; read {} and {}; looked in {} \
             (OS_CLIENT_CONFIG_FILE)",
            clouds.display(),
            fixture("secure.yaml").display(),
            clouds.display()
        )
    );
}

#[test]
fn no_configuration_at_all_says_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let sources = sources_in(dir.path(), &[]);
    let err = load_cloud(&CloudRequest::default(), &sources).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "failed to choose a cloud: give --os-cloud NAME or set OS_CLOUD or OS_AUTH_URL (no \
             clouds are defined; no clouds.yaml found; looked in {}, {}, {}, /etc/openstack for \
             clouds.yaml, clouds.yml or clouds.json)",
            sources.cwd.display(),
            dir.path().join("home/.config/openstack").display(),
            dir.path().join("xdg/openstack").display(),
        )
    );
}

#[test]
fn malformed_yaml_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("malformed.yaml");
    let sources = sources_in(
        dir.path(),
        &[("OS_CLIENT_CONFIG_FILE", path.to_str().unwrap())],
    );
    let err = load_cloud(&named("broken"), &sources).unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "failed to parse {} at line 5, column ",
            path.display()
        )),
        "{message}"
    );
    assert!(!message.contains("SECRET"), "{message}");
}

#[test]
fn incomplete_clouds_name_the_missing_or_wrong_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("incomplete.yaml");
    let sources = sources_in(
        dir.path(),
        &[("OS_CLIENT_CONFIG_FILE", path.to_str().unwrap())],
    );
    let shown = path.display();
    let cases = [
        (
            "nopass",
            format!(
                "failed to configure cloud `nopass` from {shown}: auth_type `password` needs \
                 `clouds.nopass.auth.password`"
            ),
        ),
        (
            "badtype",
            format!(
                "failed to configure cloud `badtype` from {shown}: auth_type `oidcpassword` \
                 (`clouds.badtype.auth_type`) is not supported; use one of password, v3password, \
                 v3applicationcredential, application_credential, token, v3token, admin_token, \
                 token_endpoint"
            ),
        ),
        (
            "badfield",
            format!(
                "failed to configure cloud `badfield` from {shown}: \
                 `clouds.badfield.auth.username` must be a string, found a list"
            ),
        ),
    ];
    for (cloud, expected) in cases {
        let err = load_cloud(&named(cloud), &sources).unwrap_err();
        assert_eq!(err.to_string(), expected, "{cloud}");
    }
}

#[test]
fn os_variables_missing_a_password_name_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let sources = sources_in(
        dir.path(),
        &[
            ("OS_AUTH_URL", "http://k/v3"),
            ("OS_USERNAME", "u"),
            ("OS_USER_DOMAIN_ID", "default"),
        ],
    );
    let err = load_cloud(&CloudRequest::default(), &sources).unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to configure cloud `envvars` from the environment (OS_* variables): auth_type \
         `password` needs OS_PASSWORD"
    );
}

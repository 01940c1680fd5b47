//! Which cloud, and how to authenticate: `clouds.yaml`, `secure.yaml`, `OS_*` variables and the
//! command line, resolved the way openstacksdk and `openstack` do into a [`CloudConfig`].
//!
//! [`load_cloud`] is the entry point (`load.rs`); the files and their search path are in
//! `files.rs`, the auth section in `auth.rs`, and the resolved shapes in `types.rs`.

mod auth;
mod files;
mod load;
mod types;

pub use files::ConfigSources;
pub use load::{LoadCloudConfigError, load_cloud};
pub use types::{
    AppCredentialRef, AuthConfig, CloudConfig, CloudRequest, DomainRef, Interface, Scope, UserRef,
};

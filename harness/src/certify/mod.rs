//! Certification bundles: `harness certify` writes one, `harness verify` checks one.
//!
//! A bundle is one flat folder a vendor publishes and a reviewer checks, modelled on the
//! Kubernetes conformance submissions (PRODUCT.yaml, the logs, a README with the reproduction
//! command) and the bot that checks them. [`bundle`] writes it, [`product`] reads the vendor's
//! `PRODUCT.yaml`, [`manifest`] hashes every file into `SHA256SUMS`, [`sign`] signs and checks
//! that manifest with `ssh-keygen -Y`, [`environment`] records where the run was made, and
//! [`verify`] re-checks a bundle one named check at a time.

pub mod bundle;
pub mod environment;
pub mod manifest;
pub mod product;
pub mod sign;
pub mod verify;

pub use bundle::{BundleInput, write_bundle};
pub use product::{Product, ProductError, load_product};
pub use verify::{Check, UnreadableBundle, VerifyOptions, verify_bundle};

//! Runs cases against a target.

//! The profiles shipped in `cases/profiles/`, embedded so the binary works from any directory.

use std::path::Path;

use super::profile::{LoadProfileError, Profile};

/// The profile used when none is asked for.
pub const DEFAULT_PROFILE: &str = "ecs-openstack";

/// The built-in profile names, in listing order.
pub const BUILTIN_NAMES: [&str; 3] = ["ecs", "ecs-openstack", "nova"];

/// (name, file label, bytes) of every embedded profile.
const EMBEDDED: [(&str, &str, &str); 3] = [
    (
        "ecs",
        "cases/profiles/ecs.json",
        include_str!("../../../cases/profiles/ecs.json"),
    ),
    (
        "ecs-openstack",
        "cases/profiles/ecs-openstack.json",
        include_str!("../../../cases/profiles/ecs-openstack.json"),
    ),
    (
        "nova",
        "cases/profiles/nova.json",
        include_str!("../../../cases/profiles/nova.json"),
    ),
];

/// Loads a built-in profile by name (`ecs`, `ecs-openstack` or `nova`).
///
/// # Examples
///
/// ```
/// // Arrange and act
/// let ecs = harness::case::builtin_profile("ecs")?;
///
/// // Assert
/// assert_eq!(ecs.vm_states().len(), 8);
/// # Ok::<(), harness::case::LoadProfileError>(())
/// ```
pub fn builtin_profile(name: &str) -> Result<Profile, LoadProfileError> {
    let (_, file, text) = EMBEDDED
        .iter()
        .find(|(builtin, _, _)| *builtin == name)
        .ok_or_else(|| LoadProfileError::UnknownProfile {
            name: name.to_owned(),
        })?;
    Profile::from_slice(file, text.as_bytes())
}

/// All built-in profiles, in [`BUILTIN_NAMES`] order.
///
/// # Panics
///
/// Only if an embedded profile is invalid, which the crate's tests rule out.
///
/// # Examples
///
/// ```
/// let names: Vec<String> = harness::case::builtin_profiles()
///     .iter()
///     .map(|p| p.name().to_owned())
///     .collect();
/// assert_eq!(names, ["ecs", "ecs-openstack", "nova"]);
/// ```
pub fn builtin_profiles() -> Vec<Profile> {
    BUILTIN_NAMES
        .iter()
        .map(|name| {
            builtin_profile(name).unwrap_or_else(|error| {
                panic!("embedded profile {name} is invalid (the tests guard this): {error}")
            })
        })
        .collect()
}

/// Resolves profile arguments: built-in names, `all`, or paths to `.json` files. Each argument
/// may hold several comma-separated names. No argument at all gives [`DEFAULT_PROFILE`].
/// Repeats of the same profile are dropped; two different profiles with one name are an error.
///
/// # Examples
///
/// ```
/// // Arrange
/// let args = vec!["nova".to_owned(), "all".to_owned()];
///
/// // Act
/// let profiles = harness::case::resolve_profiles(&args)?;
///
/// // Assert
/// let names: Vec<&str> = profiles.iter().map(|p| p.name()).collect();
/// assert_eq!(names, ["nova", "ecs", "ecs-openstack"]);
/// # Ok::<(), harness::case::LoadProfileError>(())
/// ```
pub fn resolve_profiles(names: &[String]) -> Result<Vec<Profile>, LoadProfileError> {
    let mut profiles: Vec<Profile> = Vec::new();
    let mut wanted: Vec<&str> = names
        .iter()
        .flat_map(|n| n.split(','))
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if wanted.is_empty() {
        wanted.push(DEFAULT_PROFILE);
    }
    for name in wanted {
        let loaded = if name == "all" {
            builtin_profiles()
        } else if BUILTIN_NAMES.contains(&name) {
            vec![builtin_profile(name)?]
        } else if name.ends_with(".json") || name.contains(std::path::MAIN_SEPARATOR) {
            vec![Profile::from_path(Path::new(name))?]
        } else {
            return Err(LoadProfileError::UnknownProfile {
                name: name.to_owned(),
            });
        };
        for profile in loaded {
            match profiles.iter().find(|p| p.name() == profile.name()) {
                Some(existing) if existing.digest() == profile.digest() => {}
                Some(_) => {
                    return Err(LoadProfileError::DuplicateName {
                        name: profile.name().to_owned(),
                    });
                }
                None => profiles.push(profile),
            }
        }
    }
    Ok(profiles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_profile_loads_and_is_named_after_its_file() {
        for name in BUILTIN_NAMES {
            let profile = builtin_profile(name).unwrap();
            assert_eq!(profile.name(), name);
            assert_eq!(profile.file(), format!("cases/profiles/{name}.json"));
        }
    }

    #[test]
    fn unknown_name_is_an_error_naming_it() {
        let error = resolve_profiles(&["huawei".to_owned()]).unwrap_err();
        assert!(matches!(error, LoadProfileError::UnknownProfile { ref name } if name == "huawei"));
    }

    #[test]
    fn repeated_profile_is_listed_once() {
        let args = ["ecs".to_owned(), "ecs, all".to_owned()];
        let names: Vec<String> = resolve_profiles(&args)
            .unwrap()
            .iter()
            .map(|p| p.name().to_owned())
            .collect();
        assert_eq!(names, ["ecs", "ecs-openstack", "nova"]);
    }

    #[test]
    fn two_different_profiles_with_one_name_are_an_error() {
        let dir = std::env::temp_dir().join(format!("harness-builtin-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ecs-copy.json");
        let text =
            include_str!("../../../cases/profiles/ecs.json").replace("Table 4)", "Table 4) ");
        std::fs::write(&path, text).unwrap();
        let error = resolve_profiles(&["ecs".to_owned(), path.display().to_string()]).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(error, LoadProfileError::DuplicateName { ref name } if name == "ecs"));
    }
}

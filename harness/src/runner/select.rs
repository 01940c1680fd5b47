//! Listing: which cases of which profiles a run executes, in which order.

use super::execute::RunError;
use super::filter::CaseFilter;
use crate::case::{Case, Profile};
use crate::outcome::CaseResult;
use std::collections::HashMap;

/// The cases a run executes: per profile, in enumeration order, only the profiles with at least
/// one selected case.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Each profile with its selected cases.
    pub profiles: Vec<(Profile, Vec<Case>)>,
}

impl Selection {
    /// Selects the cases of `profiles` whose id matches `filters` (every case without filters).
    ///
    /// A malformed pattern is [`RunError::Filter`]; a selection without any case is
    /// [`RunError::NoCases`] (a usage error: nothing would be certified).
    ///
    /// # Examples
    ///
    /// ```
    /// use harness::case::builtin_profile;
    /// use harness::runner::Selection;
    ///
    /// // Arrange
    /// let ecs = builtin_profile("ecs").unwrap();
    ///
    /// // Act
    /// let selection = Selection::new(&[ecs], &["ecs/active/".to_owned()]).unwrap();
    ///
    /// // Assert
    /// assert_eq!(selection.total(), 31);
    /// ```
    pub fn new(profiles: &[Profile], filters: &[String]) -> Result<Selection, RunError> {
        let filter = CaseFilter::new(filters)?;
        Selection::unchecked(profiles, &filter).checked()
    }

    /// The selection before the empty check (profiles without a case are kept, so that cases
    /// added by [`Selection::extend`] can still select them).
    pub(super) fn unchecked(profiles: &[Profile], filter: &CaseFilter) -> Selection {
        let profiles: Vec<(Profile, Vec<Case>)> = profiles
            .iter()
            .map(|p| {
                let cases = p
                    .cases()
                    .into_iter()
                    .filter(|c| filter.matches(c.id.as_str()));
                (p.clone(), cases.collect::<Vec<_>>())
            })
            .collect();
        Selection { profiles }
    }

    /// Adds each profile's extra cases (an adapter's kinds) that `filter` selects.
    pub(super) fn extend(
        &mut self,
        mut extra: impl FnMut(&Profile) -> Vec<Case>,
        filter: &CaseFilter,
    ) {
        for (profile, cases) in &mut self.profiles {
            let more = extra(profile);
            cases.extend(more.into_iter().filter(|c| filter.matches(c.id.as_str())));
        }
    }

    /// Drops the profiles without a selected case; a selection without any case is
    /// [`RunError::NoCases`].
    pub(super) fn checked(mut self) -> Result<Selection, RunError> {
        self.profiles.retain(|(_, cases)| !cases.is_empty());
        if self.total() == 0 {
            return Err(RunError::NoCases);
        }
        Ok(self)
    }

    /// Cases selected across all profiles.
    pub fn total(&self) -> usize {
        self.profiles.iter().map(|(_, c)| c.len()).sum()
    }

    /// The profiles that have selected cases, in order.
    pub fn run_profiles(&self) -> Vec<Profile> {
        self.profiles.iter().map(|(p, _)| p.clone()).collect()
    }

    /// Sorts results into selection order. Reads finish in any order; reports list cases in
    /// enumeration order, so that two runs of the same cases produce the same files.
    pub fn sort(&self, results: &mut [CaseResult]) {
        let order: HashMap<&str, usize> = self
            .profiles
            .iter()
            .flat_map(|(_, cases)| cases.iter())
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        results.sort_by_key(|r| order.get(r.case.id.as_str()).copied().unwrap_or(usize::MAX));
    }
}

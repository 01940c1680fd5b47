//! [`RunPlan`]: what makes a run blind and replayable: a seed, the opaque ids derived from it,
//! the shuffled derive questions and the challenge statuses.

use crate::case::{Case, CaseId, Group, Profile, builtin_profiles};
use std::collections::BTreeSet;

/// A pair as asked: `(vm_state, task_state)`.
pub type Pair = (Option<String>, Option<String>);

/// The per-run randomness, all drawn from one seed (`--seed N` replays a run).
///
/// ```
/// use harness::kinds::RunPlan;
///
/// // Arrange
/// let mut a = RunPlan::new(7);
/// let mut b = RunPlan::new(7);
///
/// // Act / Assert: the same seed gives the same ids and the same question order.
/// assert_eq!(a.next_id(), b.next_id());
/// assert!(a.next_id().starts_with('q'));
/// assert_eq!(RunPlan::new(7).derive_pairs(), RunPlan::new(7).derive_pairs());
/// ```
#[derive(Debug)]
pub struct RunPlan {
    seed: u64,
    nonce: u32,
    sent: u64,
    rng: fastrand::Rng,
}

impl RunPlan {
    /// A plan from a seed.
    pub fn new(seed: u64) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed);
        let nonce = rng.u32(..);
        RunPlan {
            seed,
            nonce,
            sent: 0,
            rng,
        }
    }

    /// A plan from a fresh random seed.
    pub fn random() -> Self {
        RunPlan::new(fastrand::u64(..))
    }

    /// The seed (printed in the reports).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The run's nonce, as 8 hex digits: also names the adapter's fake user.
    pub fn nonce(&self) -> String {
        format!("{:08x}", self.nonce)
    }

    /// The next opaque case id, `q<nonce>-<n>` (n in send order).
    pub fn next_id(&mut self) -> String {
        self.sent += 1;
        format!("q{:08x}-{}", self.nonce, self.sent)
    }

    /// The derive questions: the union of the pairs of every built-in profile (probes
    /// included), deduplicated and shuffled, whatever profiles are judged.
    pub fn derive_pairs(&mut self) -> Vec<Pair> {
        let set: BTreeSet<Pair> = builtin_profiles()
            .iter()
            .flat_map(Profile::cases)
            .map(|c| (c.vm_state, c.task_state))
            .collect();
        let mut pairs: Vec<Pair> = set.into_iter().collect();
        self.rng.shuffle(&mut pairs);
        pairs
    }

    /// Shuffles the order in which a profile's fetch-like questions are sent.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        self.rng.shuffle(items);
    }

    /// The three challenge cases of a profile: a valid pair each, with a status the fake is
    /// told to report instead of the derived one: another status of the profile (1st), a random
    /// string (2nd), either (3rd). The three pairs differ whenever the profile has three valid
    /// pairs, so no two challenges ask the same question.
    pub fn challenges(&mut self, profile: &Profile) -> Vec<Case> {
        let mut valid: Vec<Case> = profile
            .cases()
            .into_iter()
            .filter(|c| c.group == Group::Valid)
            .collect();
        self.rng.shuffle(&mut valid);
        let statuses = profile.statuses();
        (1..=3)
            .filter_map(|n| {
                let base = valid.get((n - 1) % valid.len().max(1))?;
                let others: Vec<&str> = statuses
                    .iter()
                    .copied()
                    .filter(|s| *s != base.expected)
                    .collect();
                let real = n == 1 || (n == 3 && self.rng.bool());
                let status = match others.get(self.rng.usize(..others.len().max(1))) {
                    Some(s) if real => (*s).to_owned(),
                    _ => format!("CHALLENGE_{:08X}", self.rng.u32(..)),
                };
                Some(Case {
                    id: CaseId(format!("{}/challenge/{n}", profile.name())),
                    profile: profile.name().to_owned(),
                    group: Group::Challenge,
                    vm_state: base.vm_state.clone(),
                    task_state: base.task_state.clone(),
                    expected: status,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::builtin_profile;

    #[test]
    fn derive_pairs_are_the_union_of_every_profile_whatever_is_judged() {
        let pairs = RunPlan::new(1).derive_pairs();
        let unique: BTreeSet<&Pair> = pairs.iter().collect();
        assert_eq!(unique.len(), pairs.len());
        for profile in builtin_profiles() {
            for case in profile.cases() {
                assert!(unique.contains(&(case.vm_state, case.task_state)));
            }
        }
        assert_ne!(pairs, RunPlan::new(2).derive_pairs());
    }

    #[test]
    fn ids_are_opaque_and_numbered_in_send_order() {
        let mut plan = RunPlan::new(42);
        let nonce = plan.nonce();
        assert_eq!(plan.next_id(), format!("q{nonce}-1"));
        assert_eq!(plan.next_id(), format!("q{nonce}-2"));
    }

    #[test]
    fn challenges_differ_from_the_derived_status() {
        let profile = builtin_profile("nova").unwrap();
        let cases = RunPlan::new(9).challenges(&profile);
        assert_eq!(cases.len(), 3);
        for c in &cases {
            let derived = profile.expected_status(c.vm_state.as_deref(), c.task_state.as_deref());
            assert_ne!(c.expected, derived, "{}", c.id);
        }
        assert!(cases[1].expected.starts_with("CHALLENGE_"));
        assert_eq!(cases[0].id.as_str(), "nova/challenge/1");
    }

    #[test]
    fn challenges_ask_three_different_pairs() {
        // CI once drew the same pair and the same status for challenges 1 and 3, and the JUnit
        // check refused the duplicate test name. No seed may do that again (unique names for
        // every group: kinds::cases::tests).
        for profile in builtin_profiles() {
            for seed in 0..500 {
                let cases = RunPlan::new(seed).challenges(&profile);
                let pairs: BTreeSet<Pair> = cases
                    .iter()
                    .map(|c| (c.vm_state.clone(), c.task_state.clone()))
                    .collect();
                assert_eq!(pairs.len(), 3, "{} seed {seed}", profile.name());
            }
        }
    }
}

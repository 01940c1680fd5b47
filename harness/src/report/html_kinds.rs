//! The HTML page's section for the adapter kinds of protocol v2: one table per group
//! (challenge, surface, list, wait) and, per wait case, a small inline SVG timeline: one box per
//! poll with the status served, coloured by outcome, and a marker where the waiter returned.

use super::html::esc;
use super::model::RunReport;
use super::timeline::WaitTimeline;
use crate::case::Group;
use crate::outcome::{CaseResult, Outcome};
use std::fmt::Write as _;

/// The groups this section shows, in order.
const GROUPS: [Group; 4] = [Group::Challenge, Group::Surface, Group::List, Group::Wait];

/// Writes the kinds of one profile (nothing when it has none).
pub(super) fn kinds_section(h: &mut String, report: &RunReport, profile: &str) {
    for group in GROUPS {
        let results: Vec<&CaseResult> = report.results_of(profile, Some(group)).collect();
        if results.is_empty() {
            continue;
        }
        let _ = write!(
            h,
            "<h3>{}</h3>\n<table class=\"kinds\"><thead><tr><th>case</th><th>outcome</th>\
             <th>expected</th><th>observed</th><th>detail</th></tr></thead><tbody>\n",
            esc(group.as_str())
        );
        for r in results {
            let _ = writeln!(
                h,
                "<tr class=\"o-{o}\"><td><code>{id}</code></td><td>{o}</td><td>{e}</td><td>{obs}</td><td>{d}</td></tr>",
                o = r.outcome.as_str(),
                id = esc(r.case.id.as_str()),
                e = esc(&r.case.expected),
                obs = esc(r.observed.as_deref().unwrap_or("—")),
                d = esc(r.detail.as_deref().unwrap_or(""))
            );
            if group == Group::Wait
                && let Some(t) = report
                    .timelines
                    .iter()
                    .find(|t| t.case == r.case.id.as_str())
            {
                let _ = writeln!(
                    h,
                    "<tr><td colspan=\"5\">{}</td></tr>",
                    timeline_svg(t, r.outcome)
                );
            }
        }
        h.push_str("</tbody></table>\n");
    }
}

/// One wait case's polls as an inline SVG: a box per poll (status served), the boxes from the
/// timeline's last step on outlined, and the waiter's return marked after the last poll.
///
/// ```
/// use harness::report::{Poll, WaitTimeline, timeline_svg};
/// use harness::outcome::Outcome;
///
/// // Arrange
/// let poll = |s: &str| Poll { status: Some(s.into()), vm_state: None, task_state: None, gone: false };
/// let t = WaitTimeline { case: "nova/wait/x".into(), polls: vec![poll("BUILD"), poll("ERROR")],
///                        outcome: Some("failed".into()), last_step_from_poll: 2 };
///
/// // Act
/// let svg = timeline_svg(&t, Outcome::Pass);
///
/// // Assert
/// assert!(svg.starts_with("<svg"));
/// assert!(svg.contains(">ERROR<") && svg.contains("returned: failed"));
/// ```
pub fn timeline_svg(t: &WaitTimeline, outcome: Outcome) -> String {
    const W: usize = 92;
    const SHOWN: usize = 12;
    let polls = &t.polls;
    // Long waits: the first polls, an ellipsis, the last polls.
    let mut shown: Vec<(usize, String)> = polls
        .iter()
        .enumerate()
        .map(|(i, p)| (i + 1, p.label()))
        .collect();
    if shown.len() > SHOWN {
        let tail = shown.split_off(shown.len() - SHOWN / 2);
        shown.truncate(SHOWN / 2);
        shown.push((0, "…".to_owned()));
        shown.extend(tail);
    }
    let width = W * shown.len() + 150;
    let mut s = format!(
        "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"46\" \
         role=\"img\" aria-label=\"{} polls\">",
        polls.len()
    );
    for (x, (n, label)) in shown.iter().enumerate() {
        let last_step = *n >= t.last_step_from_poll && *n > 0;
        let stroke = if last_step { "#333" } else { "#bbb" };
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"4\" width=\"{}\" height=\"24\" rx=\"3\" fill=\"#f4f4f4\" stroke=\"{stroke}\"/>\
             <text x=\"{}\" y=\"20\" font-size=\"10\" text-anchor=\"middle\">{}</text>\
             <text x=\"{}\" y=\"41\" font-size=\"9\" text-anchor=\"middle\" fill=\"#777\">{}</text>",
            x * W + 2,
            W - 4,
            x * W + W / 2,
            esc(label),
            x * W + W / 2,
            if *n == 0 {
                String::new()
            } else {
                format!("poll {n}")
            }
        );
    }
    let colour = match outcome {
        Outcome::Pass => "#1a7f37",
        Outcome::Fail => "#cf222e",
        Outcome::Error | Outcome::Skip => "#9a6700",
    };
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"20\" font-size=\"11\" fill=\"{colour}\">◀ returned: {}</text></svg>",
        shown.len() * W + 6,
        esc(t.outcome.as_deref().unwrap_or("no answer"))
    );
    s
}

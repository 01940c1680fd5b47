//! `index.html`: one self-contained page (inline CSS, no script, no network) that people read
//! instead of the XML.
//!
//! The page shows the verdict and totals, the run's properties, warnings, profile
//! compatibility, counts per profile and group, a legend, and per profile a grid of vm_states
//! (rows) × task_states (columns, null first). Each grid cell is coloured by outcome
//! (`o-pass`, `o-fail`, `o-error`, `o-skip`; `o-none` for a pair not run) and marked by group
//! (`g-valid` for a pair the profile's table lists, `g-invalid` for the fallback), and shows the
//! expected status and, when it differs, what was observed. Probes get their own, smaller grid
//! (class `g-probe`), and every failure and error is listed with its evidence in a `<details>`
//! block.
//!
//! # Implementation notes
//!
//! The report does not carry the profile's state lists, so row and column order is rebuilt
//! from the cases: each group is enumerated in profile order (see `docs/ARCHITECTURE.md`,
//! "Cases"), and `merge_orders` merges the per-group orders into one that respects both.

use super::Counts;
use super::html_style::STYLE;
use super::model::RunReport;
use super::summary::problem_message;
use crate::case::{Group, state_label};
use crate::outcome::{CaseResult, Outcome};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Renders the run as a standalone HTML page.
///
/// # Examples
///
/// ```
/// use harness::report::{html, testing::sample_report};
///
/// // Arrange
/// let report = sample_report();
///
/// // Act
/// let page = html::to_html(&report);
///
/// // Assert
/// assert!(page.contains(r#"<td class="o-fail g-valid""#));
/// assert!(page.contains("conf-&lt;run&gt;&amp;1"));
/// ```
pub fn to_html(report: &RunReport) -> String {
    let judgement = report.judgement();
    let title = judgement.title();
    let mut h = String::with_capacity(16 * 1024 + report.cases.len() * 200);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Conformance: {} — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&title),
        esc(&report.target)
    );
    let verdict_class = match judgement.verdict {
        super::Verdict::Conformant | super::Verdict::Observed => "v-pass",
        super::Verdict::NotConformant => "v-fail",
        super::Verdict::Errored => "v-error",
        super::Verdict::Incomplete => "v-skip",
    };
    let _ = write!(
        h,
        "<header><h1>Status-derivation conformance <span class=\"verdict {verdict_class}\">{}</span></h1>\
         <p class=\"sub\">{} · harness {} · {}</p></header>\n<main>\n",
        esc(&title),
        esc(&report.target),
        esc(&report.harness_version),
        esc(&report.started.to_rfc3339())
    );
    cards(&mut h, report.totals());
    warnings(&mut h, report);
    h.push_str("<div class=\"two\">\n");
    properties(&mut h, report);
    compatibility(&mut h, report);
    h.push_str("</div>\n");
    counts(&mut h, report);
    legend(&mut h);
    for profile in report.profile_names() {
        profile_section(&mut h, report, profile);
    }
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

fn cards(h: &mut String, totals: Counts) {
    h.push_str("<section class=\"cards\">");
    for (class, label, n) in [
        ("c-total", "cases", totals.total()),
        ("o-pass", "pass", totals.pass),
        ("o-fail", "fail", totals.fail),
        ("o-error", "error", totals.error),
        ("o-skip", "skip", totals.skip),
    ] {
        let _ = write!(
            h,
            "<div class=\"card {class}\"><b>{n}</b><span>{label}</span></div>"
        );
    }
    h.push_str("</section>\n");
}

fn warnings(h: &mut String, report: &RunReport) {
    if report.warnings.is_empty() {
        return;
    }
    h.push_str("<section class=\"warnings\"><h2>Warnings</h2><ul>");
    for warning in &report.warnings {
        let _ = write!(h, "<li>{}</li>", esc(warning));
    }
    h.push_str("</ul></section>\n");
}

fn properties(h: &mut String, report: &RunReport) {
    h.push_str("<section><h2>Run</h2><table class=\"props\">");
    let mut row = |key: &str, value: &str| {
        let _ = write!(h, "<tr><th>{}</th><td>{}</td></tr>", esc(key), esc(value));
    };
    row("target", &report.target);
    row("harness version", &report.harness_version);
    if let Some(i) = &report.implementation {
        row("implementation", &format!("{} {}", i.name, i.version));
        row("language", &i.language);
        if let Some(homepage) = &i.homepage {
            row("homepage", homepage);
        }
    }
    row("started", &report.started.to_rfc3339());
    row("finished", &report.finished.to_rfc3339());
    row(
        "wall time",
        &format!("{:.3} s", report.wall_time().as_secs_f64()),
    );
    row("scope", &super::summary::scope_text(report));
    for p in &report.profiles {
        row(&format!("profile {}", p.name), &p.digest);
    }
    for (key, value) in &report.properties {
        row(key, value);
    }
    h.push_str("</table></section>\n");
}

fn compatibility(h: &mut String, report: &RunReport) {
    if report.compatibility.is_empty() {
        return;
    }
    h.push_str(
        "<section><h2>Profile compatibility</h2><table class=\"counts\">\
         <tr><th>observations</th><th>profile</th><th>conforms</th><th>differences</th></tr>",
    );
    for c in &report.compatibility {
        let (class, word) = match c.conforms {
            Some(true) => ("o-pass", "yes"),
            Some(false) => ("o-fail", "no"),
            None => ("o-skip", super::summary::unknown_reason(c)),
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"{class}\">{word}</td><td class=\"num\">{}</td></tr>",
            esc(&super::summary::scope_label(report, c.scope.as_deref())),
            esc(&c.profile),
            c.differences
        );
    }
    h.push_str("</table></section>\n");
}

fn counts(h: &mut String, report: &RunReport) {
    h.push_str(
        "<section><h2>Counts</h2><table class=\"counts\"><tr><th>profile</th><th>group</th>\
         <th>cases</th><th>pass</th><th>fail</th><th>error</th><th>skip</th></tr>",
    );
    for profile in report.profile_names() {
        for group in Group::ALL {
            let c = report.counts_of(profile, Some(group));
            if c.total() > 0 {
                count_row(h, profile, group.as_str(), c);
            }
        }
    }
    count_row(h, "total", "", report.totals());
    h.push_str("</table></section>\n");
}

fn count_row(h: &mut String, profile: &str, group: &str, c: Counts) {
    let cell = |class: &str, n: usize| {
        let class = if n > 0 { class } else { "zero" };
        format!("<td class=\"num {class}\">{n}</td>")
    };
    let _ = write!(
        h,
        "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td>{}{}{}{}</tr>",
        esc(profile),
        esc(group),
        c.total(),
        cell("o-pass", c.pass),
        cell("o-fail", c.fail),
        cell("o-error", c.error),
        cell("o-skip", c.skip)
    );
}

fn legend(h: &mut String) {
    h.push_str(
        "<section class=\"legend\"><h2>Legend</h2><ul>\
         <li><span class=\"sw o-pass\"></span>pass: observed = expected</li>\
         <li><span class=\"sw o-fail\"></span>fail: expected → observed</li>\
         <li><span class=\"sw o-error\"></span>error: nothing trustworthy observed</li>\
         <li><span class=\"sw o-skip\"></span>skip: not run or declined</li>\
         <li><span class=\"sw o-none\"></span>pair not run</li>\
         <li><span class=\"sw g-valid\"></span>bold frame: pair listed in the profile's table \
         (valid); plain: fallback (invalid)</li></ul>\
         <p>Hover a cell for its case id and detail.</p></section>\n",
    );
}

fn profile_section(h: &mut String, report: &RunReport, profile: &str) {
    let c = report.counts_of(profile, None);
    let _ = writeln!(
        h,
        "<section class=\"profile\" id=\"profile-{id}\"><h2>Profile <code>{name}</code> \
         <small>{} cases · {} pass · {} fail · {} error · {} skip</small></h2>",
        c.total(),
        c.pass,
        c.fail,
        c.error,
        c.skip,
        id = esc(profile),
        name = esc(profile)
    );
    let table: Vec<&CaseResult> = report
        .results_of(profile, None)
        .filter(|r| matches!(r.case.group, Group::Valid | Group::Invalid))
        .collect();
    if !table.is_empty() {
        grid(h, &table);
    }
    let probes: Vec<&CaseResult> = report.results_of(profile, Some(Group::Probe)).collect();
    if !probes.is_empty() {
        h.push_str("<h3>Probes</h3>");
        grid(h, &probes);
    }
    super::html_kinds::kinds_section(h, report, profile);
    problem_list(h, report, profile);
    h.push_str("</section>\n");
}

fn grid(h: &mut String, results: &[&CaseResult]) {
    let per_group = |f: fn(&CaseResult) -> Option<&str>| -> Vec<Vec<Option<&str>>> {
        Group::ALL
            .iter()
            .map(|&g| {
                let mut seen = Vec::new();
                for r in results.iter().filter(|r| r.case.group == g) {
                    if !seen.contains(&f(r)) {
                        seen.push(f(r));
                    }
                }
                seen
            })
            .filter(|seen: &Vec<_>| !seen.is_empty())
            .collect()
    };
    let rows = merge_orders(&per_group(|r| r.case.vm_state.as_deref()));
    let mut cols = merge_orders(&per_group(|r| r.case.task_state.as_deref()));
    if let Some(null) = cols.iter().position(Option::is_none) {
        let null = cols.remove(null);
        cols.insert(0, null);
    }
    let by_pair: HashMap<(Option<&str>, Option<&str>), &CaseResult> = results
        .iter()
        .map(|r| {
            let key = (r.case.vm_state.as_deref(), r.case.task_state.as_deref());
            (key, *r)
        })
        .collect();
    h.push_str("<div class=\"gridwrap\"><table class=\"grid\"><thead><tr>");
    h.push_str("<th class=\"corner\">vm_state \\ task_state</th>");
    for col in &cols {
        let _ = write!(
            h,
            "<th class=\"col\"><span>{}</span></th>",
            esc(&state_label(*col))
        );
    }
    h.push_str("</tr></thead><tbody>\n");
    for row in &rows {
        let _ = write!(h, "<tr><th class=\"row\">{}</th>", esc(&state_label(*row)));
        for col in &cols {
            match by_pair.get(&(*row, *col)) {
                Some(r) => grid_cell(h, r),
                None => h.push_str("<td class=\"o-none\"></td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n");
}

fn grid_cell(h: &mut String, r: &CaseResult) {
    let mut title = r.case.id.to_string();
    if r.outcome != Outcome::Pass {
        title.push_str(" — ");
        title.push_str(&problem_message(r));
    }
    let _ = write!(
        h,
        "<td class=\"{} g-{}\" title=\"{}\"><b>{}</b>",
        outcome_class(r.outcome),
        r.case.group,
        esc(&title),
        status(&r.case.expected)
    );
    observed_note(h, r);
    h.push_str("</td>");
}

/// After the expected status: `→ OBSERVED` for a failure, the outcome word for error/skip.
fn observed_note(h: &mut String, r: &CaseResult) {
    match r.outcome {
        Outcome::Pass => {}
        Outcome::Fail => {
            let observed = r.observed.as_deref().unwrap_or("nothing");
            let _ = write!(h, "<i>→ {}</i>", status(observed));
        }
        Outcome::Error => h.push_str("<i>error</i>"),
        Outcome::Skip => h.push_str("<i>skip</i>"),
    }
}

fn problem_list(h: &mut String, report: &RunReport, profile: &str) {
    let problems: Vec<&CaseResult> = report
        .problems()
        .filter(|r| r.case.profile == profile)
        .collect();
    if problems.is_empty() {
        return;
    }
    let _ = writeln!(
        h,
        "<h3>Failures and errors ({})</h3><div class=\"problems\">",
        problems.len()
    );
    for r in problems {
        let _ = write!(
            h,
            "<details class=\"{}\"><summary><code>{}</code> {}</summary>",
            outcome_class(r.outcome),
            esc(r.case.id.as_str()),
            esc(&problem_message(r))
        );
        match &r.evidence {
            Some(evidence) => {
                let _ = write!(h, "<pre>{}</pre>", esc(evidence));
            }
            None => h.push_str("<p class=\"none\">no evidence recorded</p>"),
        }
        h.push_str("</details>\n");
    }
    h.push_str("</div>\n");
}

fn outcome_class(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "o-pass",
        Outcome::Fail => "o-fail",
        Outcome::Error => "o-error",
        Outcome::Skip => "o-skip",
    }
}

/// Merges sequences that are each in one common (unknown) order into a single order that
/// respects every one of them; where they do not decide, earlier first appearance wins.
pub(crate) fn merge_orders<T: Copy + PartialEq>(lists: &[Vec<T>]) -> Vec<T> {
    let mut nodes: Vec<T> = Vec::new();
    for list in lists {
        for item in list {
            if !nodes.contains(item) {
                nodes.push(*item);
            }
        }
    }
    let index = |item: &T| nodes.iter().position(|n| n == item).unwrap_or(0);
    let mut preds = vec![Vec::new(); nodes.len()];
    for list in lists {
        for pair in list.windows(2) {
            preds[index(&pair[1])].push(index(&pair[0]));
        }
    }
    let mut placed = vec![false; nodes.len()];
    let mut order = Vec::with_capacity(nodes.len());
    while order.len() < nodes.len() {
        // The first unplaced node whose predecessors are all placed; on a cycle (inconsistent
        // inputs) fall back to the first unplaced node, so the function always terminates.
        let ready = (0..nodes.len())
            .find(|&i| !placed[i] && preds[i].iter().all(|&p| placed[p]))
            .or_else(|| (0..nodes.len()).find(|&i| !placed[i]));
        let Some(next) = ready else { break };
        placed[next] = true;
        order.push(nodes[next]);
    }
    order
}

/// Escapes a status and lets long ones (`SHELVED_OFFLOADED`) wrap after underscores, so grid
/// columns stay narrow.
fn status(text: &str) -> String {
    esc(text).replace('_', "_<wbr>")
}

/// Escapes text for HTML element content and double- or single-quoted attributes.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{case, result, sample_report, sample_report_with_unknowns};

    #[test]
    fn grid_cells_carry_outcome_and_group_classes() {
        let page = to_html(&sample_report());
        let rows = [
            (
                "a passing listed pair",
                r#"<td class="o-pass g-valid" title="ecs-openstack/active/null"><b>ACTIVE</b></td>"#,
            ),
            (
                "a failing listed pair shows what was observed",
                r#"<td class="o-fail g-valid" title="ecs-openstack/active/rebooting — expected REBOOT, observed ACTIVE"><b>REBOOT</b><i>→ ACTIVE</i></td>"#,
            ),
            (
                "an errored fallback pair",
                r#"<td class="o-error g-invalid" title="ecs-openstack/building/rebooting — GET /compute/v2.1/servers/s-2 answered HTTP 500"><b>UNKNOWN</b><i>error</i></td>"#,
            ),
            (
                "a failing fallback pair of the second profile",
                r#"<td class="o-fail g-invalid" title="ecs/stopped/rebooting — expected UNKNOWN, observed SHUTOFF"><b>UNKNOWN</b><i>→ SHUTOFF</i></td>"#,
            ),
        ];
        for (name, cell) in rows {
            assert!(page.contains(cell), "{name}: {cell} not in page");
        }
    }

    #[test]
    fn evidence_is_escaped_and_never_raw() {
        let page = to_html(&sample_report());
        assert!(page.contains(
            "<pre>{&quot;server&quot;: {&quot;id&quot;: &quot;s-1&quot;, &quot;name&quot;: \
             &quot;conf-&lt;run&gt;&amp;1&quot;, &quot;status&quot;: &quot;ACTIVE&quot;}}</pre>"
        ));
        assert!(page.contains("<pre>&lt;html&gt;Internal Server Error&lt;/html&gt;</pre>"));
        assert!(!page.contains("<html>Internal"));
        assert!(!page.contains("<run>"));
    }

    #[test]
    fn the_grid_has_null_first_and_fills_unrun_pairs() {
        let page = to_html(&sample_report());
        let ecs = &page[page.find("id=\"profile-ecs\"").expect("ecs section")..];
        let head = &ecs[ecs.find("<thead>").expect("a head")..ecs.find("</thead>").expect("end")];
        assert_eq!(
            head,
            "<thead><tr><th class=\"corner\">vm_state \\ task_state</th>\
             <th class=\"col\"><span>null</span></th><th class=\"col\"><span>rebooting</span></th></tr>"
        );
        assert!(ecs.contains(
            "<tr><th class=\"row\">active</th><td class=\"o-pass g-valid\" title=\"ecs/active/null\">\
             <b>ACTIVE</b></td><td class=\"o-none\"></td></tr>"
        ));
    }

    #[test]
    fn probes_get_their_own_grid_with_labels_for_null_and_empty() {
        let page = to_html(&sample_report());
        let probes = &page[page.find("<h3>Probes</h3>").expect("a probe grid")..];
        let probes = &probes[..probes.find("</table>").expect("its end")];
        assert!(probes.contains(
            "<tr><th class=\"row\">bogus</th><td class=\"o-skip g-probe\" \
             title=\"ecs-openstack/bogus/null — adapter declined: unknown vm_state\">\
             <b>UNKNOWN</b><i>skip</i></td></tr>"
        ));
        assert!(probes.contains(
            "<tr><th class=\"row\">&quot;&quot;</th><td class=\"o-pass g-probe\" \
             title=\"ecs-openstack/&quot;&quot;/null\"><b>UNKNOWN</b></td></tr>"
        ));
    }

    #[test]
    fn long_statuses_may_wrap_after_underscores() {
        assert_eq!(status("SHELVED_OFFLOADED"), "SHELVED_<wbr>OFFLOADED");
        assert_eq!(status("<A_B>"), "&lt;A_<wbr>B&gt;");
    }

    #[test]
    fn the_page_is_self_contained_and_shows_properties_and_warnings() {
        let page = to_html(&sample_report());
        assert!(!page.contains("<script"));
        assert!(!page.contains("http-equiv"));
        assert!(!page.contains("<link"));
        assert!(!page.contains("src="));
        assert!(page.contains("<tr><th>implementation</th><td>openstacksdk 4.1.0</td></tr>"));
        assert!(page.contains("<li>TLS certificate verification is off</li>"));
        assert!(page.contains("<span class=\"verdict v-fail\">not conformant</span>"));
        assert!(page.ends_with("</html>\n"));
    }

    #[test]
    fn an_unknown_compatibility_says_why() {
        let page = to_html(&sample_report_with_unknowns());
        assert!(
            page.contains(
                "<td>ecs-openstack</td><td class=\"o-skip\">unknown (errors or skips)</td>"
            )
        );
        assert!(
            page.contains(
                "<td>ecs</td><td class=\"o-skip\">unknown (no status cases in scope)</td>"
            )
        );
        assert!(page.contains("<td>nova</td><td class=\"o-fail\">no</td>"));
    }

    #[test]
    fn rows_and_columns_follow_the_profile_order_across_groups() {
        // The valid group lists b before c, the invalid group a before b and c before d: the
        // merged order must respect both.
        let lists = vec![vec!["b", "c"], vec!["a", "b", "c", "d"]];
        assert_eq!(merge_orders(&lists), ["a", "b", "c", "d"]);
        let lists = vec![vec!["x", "z"], vec!["y", "z"]];
        assert_eq!(merge_orders(&lists), ["x", "y", "z"]);
        let cyclic = vec![vec!["p", "q"], vec!["q", "p"]];
        assert_eq!(merge_orders(&cyclic), ["p", "q"]);
    }

    #[test]
    fn hostile_state_names_are_escaped_in_headers() {
        let mut report = sample_report();
        report.cases.push(result(
            case("ecs", Group::Invalid, Some("<b>x"), Some("a\"b"), "UNKNOWN"),
            Outcome::Pass,
            Some("UNKNOWN"),
            None,
            None,
            0,
        ));
        let page = to_html(&report);
        assert!(page.contains("<th class=\"row\">&lt;b&gt;x</th>"));
        assert!(page.contains("<th class=\"col\"><span>a&quot;b</span></th>"));
    }
}

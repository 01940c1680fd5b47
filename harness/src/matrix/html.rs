//! `matrix.html`: one self-contained page (inline CSS, no script, no external resource).

use super::model::{DIFFERS_WIDTH, Matrix, Row, State, shorten};
use crate::report::Counts;
use crate::report::html::esc;
use std::fmt::Write as _;

const STYLE: &str = r#"
:root { --pass:#dcf5e6; --pass-fg:#145c32; --fail:#fdd8d8; --fail-fg:#9b1c1c; --error:#feebc8;
  --error-fg:#8a4600; --incomplete:#fff3bf; --incomplete-fg:#7a5b00; --line:#d8dde5; --muted:#6b7280; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #111827; background: #f7f8fa; }
header { background: #1f2937; color: #fff; padding: 16px 24px; }
header h1 { margin: 0; font-size: 21px; font-weight: 600; }
header p { margin: 4px 0 0; color: #cbd5e1; font-size: 13px; }
main { padding: 16px 24px 32px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px;
  margin: 0 0 16px; overflow-x: auto; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: 5px 8px; vertical-align: top; }
thead th { background: #f1f3f6; font-weight: 600; font-size: 12px; text-align: center; }
thead th.profile { font-size: 13px; }
th.impl { text-align: left; white-space: nowrap; }
th.impl small { display: block; color: var(--muted); font-weight: 400; }
td.meta { white-space: nowrap; color: #374151; }
td.cell { text-align: center; min-width: 74px; font-variant-numeric: tabular-nums; }
td.cell a { color: inherit; text-decoration: none; display: block; }
td.cell b { display: block; font-size: 15px; }
td.cell small { display: block; font-size: 11px; }
td.pass { background: var(--pass); color: var(--pass-fg); }
td.fail { background: var(--fail); color: var(--fail-fg); }
td.error { background: var(--error); color: var(--error-fg); }
td.incomplete { background: var(--incomplete); color: var(--incomplete-fg); }
td.empty { color: var(--muted); }
td.differs { font-size: 12px; min-width: 280px; max-width: 460px; }
td.differs ul { margin: 0; padding-left: 16px; }
td.differs .none { color: var(--pass-fg); }
.legend span { display: inline-block; padding: 2px 8px; border-radius: 4px; margin-right: 8px; }
.legend .pass { background: var(--pass); color: var(--pass-fg); }
.legend .fail { background: var(--fail); color: var(--fail-fg); }
.legend .error { background: var(--error); color: var(--error-fg); }
.legend .incomplete { background: var(--incomplete); color: var(--incomplete-fg); }
"#;

/// Renders the matrix as one HTML page; `generated` says when and by what (e.g. the harness
/// version and the time).
///
/// # Examples
///
/// ```
/// use harness::matrix::{Matrix, html::to_html};
/// use harness::report::{json::ResultsRecord, testing::sample_report};
///
/// // Arrange
/// let run = ResultsRecord::from_report(&sample_report());
/// let matrix = Matrix::of(&[("r/results.json".into(), run)]);
///
/// // Act
/// let page = to_html(&matrix, "harness 0.1.0");
///
/// // Assert
/// assert!(page.starts_with("<!DOCTYPE html>"));
/// assert!(!page.contains("<script"));
/// ```
pub fn to_html(matrix: &Matrix, generated: &str) -> String {
    let mut h = String::with_capacity(8_192);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    h.push_str("<title>Status conformance matrix</title><style>");
    h.push_str(STYLE);
    h.push_str("</style></head><body><header><h1>Status conformance matrix</h1>");
    let _ = write!(
        h,
        "<p>{} implementations × {} columns (profile × case kind) · {}</p></header><main><section>",
        matrix.rows.len(),
        matrix.columns.len(),
        esc(generated)
    );
    head(matrix, &mut h);
    h.push_str("<tbody>");
    for row in &matrix.rows {
        body_row(matrix, row, &mut h);
    }
    h.push_str("</tbody></table></section>");
    h.push_str(
        "<section class=\"legend\"><b>Cells</b>: passed / cases of that profile and kind, then \
         any failures, errors and skips. <span class=\"pass\">every case passed</span>\
         <span class=\"fail\">a failure</span><span class=\"error\">an error, no failure</span>\
         <span class=\"incomplete\">skipped cases: incomplete</span> A skip or an error is never \
         counted as a pass. Each cell links to that run's own report.</section>",
    );
    h.push_str("</main></body></html>\n");
    h
}

fn head(matrix: &Matrix, h: &mut String) {
    h.push_str("<table class=\"matrix\"><thead><tr><th rowspan=\"2\">implementation</th>");
    h.push_str("<th rowspan=\"2\">version</th><th rowspan=\"2\">language</th>");
    let mut i = 0;
    while i < matrix.columns.len() {
        let profile = &matrix.columns[i].profile;
        let span = matrix.columns[i..]
            .iter()
            .take_while(|c| &c.profile == profile)
            .count();
        let _ = write!(
            h,
            "<th class=\"profile\" colspan=\"{span}\"><code>{}</code></th>",
            esc(profile)
        );
        i += span;
    }
    h.push_str("<th rowspan=\"2\">what differs</th></tr><tr>");
    for column in &matrix.columns {
        let _ = write!(h, "<th>{}</th>", column.group);
    }
    h.push_str("</tr></thead>");
}

fn body_row(matrix: &Matrix, row: &Row, h: &mut String) {
    let name = match &row.link {
        Some(href) => format!("<a href=\"{}\">{}</a>", esc(href), esc(&row.name)),
        None => esc(&row.name),
    };
    let _ = write!(
        h,
        "<tr id=\"{}\"><th class=\"impl\">{name}<small>{}</small></th><td class=\"meta\">{}</td><td class=\"meta\">{}</td>",
        esc(&row.slug),
        esc(&row.target),
        esc(&row.version),
        esc(&row.language)
    );
    for (column, cell) in matrix.columns.iter().zip(&row.cells) {
        match cell {
            None => h.push_str("<td class=\"cell empty\" title=\"not run\">—</td>"),
            Some(counts) => {
                let inner = cell_text(counts);
                let title = format!(
                    "{} {}: {} pass, {} fail, {} error, {} skip",
                    column.profile,
                    column.group,
                    counts.pass,
                    counts.fail,
                    counts.error,
                    counts.skip
                );
                let body = match &row.link {
                    Some(href) => format!(
                        "<a href=\"{}#profile-{}\">{inner}</a>",
                        esc(href),
                        esc(&column.profile)
                    ),
                    None => inner,
                };
                let _ = write!(
                    h,
                    "<td class=\"cell {}\" title=\"{}\">{body}</td>",
                    State::of(counts).as_str(),
                    esc(&title)
                );
            }
        }
    }
    h.push_str("<td class=\"differs\">");
    if row.differs.is_empty() {
        h.push_str("<span class=\"none\">nothing: every case passed</span>");
    } else {
        h.push_str("<ul>");
        for line in &row.differs {
            let short = shorten(line, DIFFERS_WIDTH);
            if short == *line {
                let _ = write!(h, "<li>{}</li>", esc(line));
            } else {
                let _ = write!(h, "<li title=\"{}\">{}</li>", esc(line), esc(&short));
            }
        }
        if row.more > 0 {
            let _ = write!(h, "<li>… and {} more</li>", row.more);
        }
        h.push_str("</ul>");
    }
    h.push_str("</td></tr>");
}

/// `<b>44/44</b>`, plus a line with the non-zero failures, errors and skips.
fn cell_text(counts: &Counts) -> String {
    let mut text = format!("<b>{}/{}</b>", counts.pass, counts.total());
    let extra = super::markdown::problem_counts(counts);
    if !extra.is_empty() {
        let _ = write!(text, "<small>{extra}</small>");
    }
    text
}

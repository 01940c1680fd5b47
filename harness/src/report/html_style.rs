//! The inline stylesheet of `index.html`, kept apart from the page builder.

/// Inline CSS: system fonts, outcome colours shared by grid cells, cards, counts and legend.
pub(crate) const STYLE: &str = r#"
:root { --pass-bg:#dcf5e6; --pass-fg:#145c32; --fail-bg:#fdd8d8; --fail-fg:#9b1c1c;
  --error-bg:#feebc8; --error-fg:#8a4600; --skip-bg:#e8eaee; --skip-fg:#4b5563;
  --line:#d8dde5; --muted:#6b7280; --ink:#111827; --paper:#f7f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: var(--paper); }
header { background: #1f2937; color: #fff; padding: 18px 28px; }
header h1 { margin: 0; font-size: 22px; font-weight: 600; display: flex; gap: 14px;
  align-items: center; flex-wrap: wrap; }
header .sub { margin: 4px 0 0; color: #cbd5e1; font-size: 13px; }
main { padding: 18px 28px 40px; }
h2 { font-size: 17px; margin: 0 0 10px; }
h2 small { font-weight: 400; color: var(--muted); font-size: 13px; margin-left: 8px; }
h3 { font-size: 14px; margin: 18px 0 8px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: 14px 18px; margin: 0 0 16px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.95em; }
.verdict { font-size: 13px; padding: 3px 10px; border-radius: 999px; font-weight: 600;
  text-transform: uppercase; letter-spacing: .04em; }
.v-pass { background: #16a34a; } .v-fail { background: #dc2626; }
.v-error { background: #d97706; } .v-skip { background: #6b7280; }
.cards { display: flex; gap: 12px; background: none; border: 0; padding: 0; flex-wrap: wrap; }
.card { min-width: 110px; padding: 10px 16px; border-radius: 8px; border: 1px solid var(--line);
  background: #fff; }
.card b { display: block; font-size: 24px; } .card span { color: inherit; opacity: .8; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.two > section { margin: 0 0 16px; }
@media (max-width: 900px) { .two { grid-template-columns: 1fr; } }
table { border-collapse: collapse; }
.props th { text-align: left; color: var(--muted); font-weight: 500; padding: 3px 16px 3px 0;
  vertical-align: top; white-space: nowrap; }
.props td { padding: 3px 0; word-break: break-all; }
.counts th, .counts td { border-bottom: 1px solid var(--line);
  padding: 4px 12px; text-align: left; }
.counts th { color: var(--muted); font-weight: 500; }
.num { text-align: right !important; font-variant-numeric: tabular-nums; }
.zero { color: #c0c6cf; }
.o-pass { background: var(--pass-bg); color: var(--pass-fg); }
.o-fail { background: var(--fail-bg); color: var(--fail-fg); }
.o-error { background: var(--error-bg); color: var(--error-fg); }
.o-skip { background: var(--skip-bg); color: var(--skip-fg); }
.o-none { background: repeating-linear-gradient(45deg, #fff, #fff 4px, #f1f3f6 4px, #f1f3f6 8px); }
.legend ul { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 8px 22px; }
.legend li { display: flex; align-items: center; gap: 7px; }
.legend p { color: var(--muted); margin: 8px 0 0; font-size: 12px; }
.sw { display: inline-block; width: 18px; height: 14px; border-radius: 3px;
  border: 1px solid var(--line); }
.sw.g-valid { border: 2px solid #374151; }
.gridwrap { overflow-x: auto; }
.grid { font-size: 10.5px; }
.grid th.col { vertical-align: bottom; padding: 4px 2px; }
.grid th.col span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap;
  font-family: ui-monospace, Menlo, Consolas, monospace; font-weight: 500; }
.grid th.row { text-align: right; padding: 0 8px 0 0; white-space: nowrap;
  font-family: ui-monospace, Menlo, Consolas, monospace; font-weight: 500; }
.grid th.corner { text-align: left; vertical-align: bottom; color: var(--muted);
  font-weight: 400; padding: 4px 8px 4px 0; white-space: nowrap; }
.grid td { border: 1px solid #fff; min-width: 40px; height: 32px; padding: 2px 2px;
  text-align: center; line-height: 1.15; }
.grid td b { display: block; font-weight: 600; }
.grid td i { display: block; font-style: normal; font-weight: 700; }
.grid td.g-valid { box-shadow: inset 0 0 0 2px currentColor; }
.grid td.g-invalid.o-pass b, .grid td.g-probe.o-pass b { font-weight: 400; opacity: .8;
  font-size: 9.5px; }
.problems details { border-radius: 6px; margin: 0 0 6px; padding: 6px 10px; }
.problems summary { cursor: pointer; }
.problems pre { background: #fff; color: var(--ink); border: 1px solid var(--line);
  border-radius: 4px; padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-all;
  margin: 8px 0 2px; font-size: 12px; }
.problems .none { color: var(--muted); margin: 6px 0 0; }
.warnings { background: #fffbeb; border-color: #f59e0b; }
.warnings ul { margin: 0; padding-left: 20px; }
"#;

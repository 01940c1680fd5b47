#!/usr/bin/env python3
"""Combine the nightly per-cloud reports and compare them with the previous night.

Usage:
    nightly_report.py --current DIR [--previous DIR] [--harness PATH] --out DIR

DIR holds one sub-directory per run, `<cloud>/<mode>/results.json` (mode: observe or
lifecycle), as the nightly workflow's per-cloud jobs write them. The script writes

* OUT/summary.md: a table of clouds x modes x profiles with outcome counts, the runs that left
  no results.json, and, per run, `harness compare` against the previous night's results.json
  (Markdown), for `$GITHUB_STEP_SUMMARY`;
* OUT/index.html: one self-contained page: per profile, a grid of cases (rows) x runs (columns),
  each cell coloured by outcome and showing the observed status;

prints the plain-text comparison of each run to stdout (the job log lists the changed cases), and
exits 1 when any run regressed, 2 when a comparison could not be made (unreadable results) or a
run left no results, 0 otherwise. A run without a previous night (first night, expired
artifact) is reported and not compared.

Only the standard library is used, so the workflow needs nothing but python3.
"""

import argparse
import html
import json
import subprocess
import sys
from pathlib import Path

OUTCOMES = ("pass", "fail", "error", "skip")
COLOURS = {"pass": "#c8e6c9", "fail": "#ffcdd2", "error": "#ffe0b2", "skip": "#eeeeee"}


def find_runs(root):
    """Every `<cloud>/<mode>` directory under root, mapped to its results.json (or None)."""
    runs = {}
    if not root or not root.is_dir():
        return runs
    for cloud in sorted(p for p in root.iterdir() if p.is_dir()):
        for mode in sorted(p for p in cloud.iterdir() if p.is_dir()):
            results = mode / "results.json"
            runs[f"{cloud.name}/{mode.name}"] = results if results.is_file() else None
    return runs


def load(path):
    """The parsed results.json, or an error string naming the file and position."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as err:
        return f"failed to read {path}: {err.strerror}"
    except json.JSONDecodeError as err:
        return f"failed to parse {path}: {err.msg} at line {err.lineno} column {err.colno}"


def counts_table(runs, docs):
    lines = [
        "| run | profile | pass | fail | error | skip | conforms |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for label, doc in docs.items():
        if isinstance(doc, str):
            lines.append(f"| {label} | — | | | | | {doc} |")
            continue
        conforms = {c.get("profile"): c.get("conforms") for c in doc.get("compatibility", [])}
        profiles = []
        for case in doc.get("cases", []):
            if case.get("profile") not in profiles:
                profiles.append(case.get("profile"))
        for profile in profiles:
            n = {o: 0 for o in OUTCOMES}
            for case in doc["cases"]:
                if case.get("profile") == profile and case.get("outcome") in n:
                    n[case["outcome"]] += 1
            verdict = {True: "yes", False: "no", None: "unknown"}.get(conforms.get(profile, "?"), "?")
            lines.append(
                f"| {label} | {profile} | {n['pass']} | {n['fail']} | {n['error']} | {n['skip']} | {verdict} |"
            )
    for label, path in runs.items():
        if path is None:
            lines.append(f"| {label} | — | | | | | no results.json: the run failed, see its job log |")
    return lines


def grid_html(docs):
    """Per profile: cases (rows) x runs (columns). Cases no run observed are left out."""
    labels = [label for label, doc in docs.items() if not isinstance(doc, str)]
    by_profile = {}
    for label in labels:
        for case in docs[label].get("cases", []):
            rows = by_profile.setdefault(case.get("profile"), {})
            rows.setdefault(case.get("id"), {"expected": case.get("expected"), "group": case.get("group")})
            rows[case.get("id")][label] = case
    parts = []
    for profile, rows in by_profile.items():
        shown = {
            case_id: row
            for case_id, row in rows.items()
            if row["group"] == "valid"
            or any(isinstance(row.get(l), dict) and row[l].get("outcome") != "skip" for l in labels)
        }
        head = "".join(f"<th>{html.escape(l)}</th>" for l in labels)
        parts.append(f"<h2>{html.escape(str(profile))}</h2><table><tr><th>case</th><th>expected</th>{head}</tr>")
        for case_id, row in shown.items():
            cells = []
            for label in labels:
                case = row.get(label)
                if case is None:
                    cells.append("<td>—</td>")
                    continue
                outcome = case.get("outcome", "?")
                text = case.get("observed") or outcome
                cells.append(
                    f'<td style="background:{COLOURS.get(outcome, "#fff")}" title="{html.escape(outcome)}">'
                    f"{html.escape(str(text))}</td>"
                )
            parts.append(
                f"<tr><td><code>{html.escape(str(case_id))}</code></td>"
                f"<td>{html.escape(str(row['expected']))}</td>{''.join(cells)}</tr>"
            )
        parts.append("</table>")
    legend = " ".join(
        f'<span style="background:{c};padding:0 .5em">{o}</span>' for o, c in COLOURS.items()
    )
    return (
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Nightly conformance</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:2em}"
        "td,th{border:1px solid #999;padding:2px 6px;font-size:13px}</style></head><body>"
        f"<h1>Nightly conformance</h1><p>Legend: {legend}</p>{''.join(parts)}</body></html>\n"
    )


def compare(harness, previous, current, fmt):
    done = subprocess.run(
        [harness, "compare", str(previous), str(current), "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return done.returncode, done.stdout, done.stderr


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--current", type=Path, required=True)
    parser.add_argument("--previous", type=Path)
    parser.add_argument("--harness", default="harness")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    runs = find_runs(args.current)
    previous = find_runs(args.previous)
    docs = {label: load(path) for label, path in runs.items() if path is not None}
    summary = ["# Nightly conformance", ""]
    summary += counts_table(runs, docs)
    summary += ["", "## Changes since the previous night", ""]
    regressed, broken = [], [label for label, path in runs.items() if path is None]
    broken += [label for label, doc in docs.items() if isinstance(doc, str)]
    if not runs:
        summary.append(f"No runs found under {args.current}.")
        broken.append(str(args.current))
    for label, path in runs.items():
        if path is None or isinstance(docs.get(label), str):
            continue
        before = previous.get(label)
        if before is None:
            summary += [f"### {label}", "", "No previous results (first night, or the artifact expired).", ""]
            print(f"{label}: no previous results to compare with")
            continue
        code, text, err = compare(args.harness, before, path, "text")
        print(f"== {label}\n{text}{err}", end="")
        if code == 1:
            regressed.append(label)
        elif code != 0:
            broken.append(label)
        _, markdown, err = compare(args.harness, before, path, "markdown")
        summary += [f"### {label}", "", (markdown or err).rstrip(), ""]
    if regressed:
        summary += ["## Regressed", ""] + [f"- {label}" for label in regressed] + [""]
    if broken:
        summary += ["## Could not compare", ""] + [f"- {label}" for label in broken] + [""]

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "summary.md").write_text("\n".join(summary).rstrip() + "\n", encoding="utf-8")
    (args.out / "index.html").write_text(grid_html(docs), encoding="utf-8")
    if regressed:
        print(f"regressed: {', '.join(regressed)}")
        return 1
    if broken:
        print(f"could not compare: {', '.join(broken)}")
        return 2
    print("no regressions")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Parity: fake-server (--profile nova) measured against upstream Nova (nova-local), as data.

    nova-local/parity/run [--fake-bin target/debug/fake-server] [--report reports/parity]
                          [--only GLOB] [--quick] [--jobs N] [SCENARIO.json ...]

Runs every scenario of cases/parity/ (or the files given) against both sides, compares them
step by step (compare.py says what is compared) and prints one row per scenario, then every
difference. Differences listed in cases/parity/differences.json are `deliberate` or `open`
(known, not fixed yet), each with its reason; any other is `unexplained`. Writes
REPORT/parity.json (every step of both sides, normalised, and the differences).

A malfunction of a side (a 5xx from nova-local, a server stuck past the poll timeout there, a
cleanup that left servers) is an infrastructure error: that scenario is not judged, its lines
say INFRA, and the run exits 2; after --max-infra of them a side stops running scenarios.

Exit status: 0 no unexplained difference, 1 unexplained differences, 2 set-up, usage or
infrastructure error.
"""

import argparse
import concurrent.futures
import fnmatch
import glob
import json
import os
import sys
import time

from compare import compare_step, normalise, transients_one_side
from steps import CONSTANTS, run_scenario
from targets import ROOT, SetupError, start_fake, start_nova

CASES = os.path.join(ROOT, "cases", "parity")
SCENARIO_KEYS = {"name", "title", "microversion", "user", "exclusive", "quick", "steps"}
STEP_KEYS = {"name", "method", "path", "body", "microversion", "user", "save", "save_after",
             "poll", "until", "compare", "create", "action", "server", "delete"}


def load_scenarios(paths):
    scenarios, names = [], set()
    for path in paths:
        with open(path) as f:
            try:
                data = json.load(f)
            except ValueError as e:
                raise SetupError(f"{path}:{e.lineno}:{e.colno}: not JSON: {e.msg}")
        for i, sc in enumerate(data.get("scenarios", [data])):
            where = f"{path}: scenarios[{i}]"
            for key in ("name", "title", "steps"):
                if key not in sc:
                    raise SetupError(f"{where}: missing `{key}`")
            unknown = set(sc) - SCENARIO_KEYS
            if unknown:
                raise SetupError(f"{where}: unknown field(s) {sorted(unknown)}")
            if not isinstance(sc.get("quick", True), bool):
                raise SetupError(f"{where}.quick: true or false")
            if sc["name"] in names:
                raise SetupError(f"{where}: name `{sc['name']}` is used twice")
            names.add(sc["name"])
            for j, step in enumerate(sc["steps"]):
                unknown = set(step) - STEP_KEYS
                if unknown or "name" not in step:
                    raise SetupError(f"{where}.steps[{j}]: " + (
                        f"unknown field(s) {sorted(unknown)}" if unknown else "missing `name`"))
            sc["file"] = os.path.relpath(path, ROOT)
            scenarios.append(sc)
    return scenarios


def load_known(path):
    with open(path) as f:
        entries = json.load(f)["differences"]
    for i, e in enumerate(entries):
        for key in ("scenario", "kind", "status", "reason"):
            if key not in e:
                raise SetupError(f"{path}: differences[{i}]: missing `{key}`")
        if e["status"] not in ("deliberate", "open"):
            raise SetupError(f"{path}: differences[{i}].status: `deliberate` or `open`")
    return entries


def explain(known, scenario, step, diff):
    text = json.dumps(diff.get("detail"))
    for e in known:
        if (fnmatch.fnmatch(scenario, e["scenario"]) and fnmatch.fnmatch(step, e.get("step", "*"))
                and e["kind"] == diff["kind"] and e.get("contains", "") in text):
            return e
    return None


def infra_of(records):
    return [r["infra"] for r in records if "infra" in r]


def run_side(target, scenarios, jobs, interval_s, max_infra):
    """Every scenario on one side. After ``max_infra`` infrastructure errors the rest are not
    run (a referee that stalls would only produce more of them)."""
    done, infra = [], []

    def one(sc):
        if len(infra) >= max_infra:
            return [{"name": "<infra>", "infra": f"not run: {target.name} had {len(infra)} "
                     "infrastructure errors before"}], {}
        result = run_scenario(target, sc, interval_s)
        infra.extend(infra_of(result[0]))
        done.append(sc["name"])
        if len(done) % 20 == 0 or len(done) == len(scenarios):
            print(f"parity: {target.name}: {len(done)}/{len(scenarios)} scenarios"
                  f"{f', {len(infra)} infrastructure errors' if infra else ''}",
                  file=sys.stderr, flush=True)
        return result

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        futures = {sc["name"]: pool.submit(one, sc) for sc in scenarios if not sc.get("exclusive")}
        results = {name: f.result() for name, f in futures.items()}
    for sc in scenarios:  # list scenarios share listings: one at a time, after the rest
        if sc.get("exclusive"):
            results[sc["name"]] = one(sc)
    return results


def left_behind(target, scenarios):
    """Servers of these scenarios still there after the run (every scenario deletes its own):
    a cleanup that failed silently would slow nova-local down until it stalls."""
    code, body, _ = target.session("admin").call("GET", "/servers?all_tenants=1&limit=1000")
    if code != 200:
        return [f"{target.name}: listing every server answered {code}"]
    prefixes = tuple(sc["name"] + "-" for sc in scenarios)
    names = sorted(s["name"] for s in body["servers"] if s["name"].startswith(prefixes))
    return [f"{target.name}: {len(names)} server(s) left after the run: {', '.join(names[:10])}"
            ] if names else []


def id_names(env):
    return {v: k for k, v in env.items()
            if isinstance(v, str) and len(v) >= 8 and k not in CONSTANTS}


def judge(known, scenario, step, diffs):
    """Gives each difference its verdict from differences.json (and counts the entry used)."""
    for d in diffs:
        e = explain(known, scenario, step, d)
        d["verdict"] = e["status"] if e else "unexplained"
        d.pop("reason", None)
        if e:
            d["reason"] = e["reason"]
            e["used"] = e.get("used", 0) + 1


def diff_scenarios(scenarios, fake, nova, known):
    rows = []
    for sc in scenarios:
        (rf, ef), (rn, en) = fake[sc["name"]], nova[sc["name"]]
        infra = [f"fake: {m}" for m in infra_of(rf)] + [f"nova: {m}" for m in infra_of(rn)]
        if infra:  # a malfunction, not a finding: the scenario is not judged
            rows.append({"scenario": sc["name"], "title": sc["title"], "file": sc["file"],
                         "infra": infra, "steps": []})
            continue
        nf, nn = id_names(ef), id_names(en)
        steps = []
        for i in range(max(len(rf), len(rn))):
            a = rf[i] if i < len(rf) else {"name": "<missing>", "error": "no such step ran"}
            b = rn[i] if i < len(rn) else {"name": "<missing>", "error": "no such step ran"}
            diffs = compare_step(a, b, nf, nn)
            judge(known, sc["name"], a["name"], diffs)
            steps.append({"name": a["name"], "request": a.get("request"),
                          "microversion": a.get("microversion"),
                          "fake": normalise(a, nf), "nova": normalise(b, nn), "differences": diffs,
                          "transients_one_side": transients_one_side(a.get("states"), b.get("states"))})
        rows.append({"scenario": sc["name"], "title": sc["title"], "file": sc["file"],
                     "steps": steps})
    return rows


def print_table(rows, out=sys.stdout):
    count = lambda r, v: sum(d["verdict"] == v for s in r["steps"] for d in s["differences"])  # noqa: E731
    w = max(len(r["scenario"]) for r in rows)
    print(f"{'scenario':<{w}}  steps  same  unexplained  open  deliberate", file=out)
    for r in rows:
        if r.get("infra"):
            print(f"{r['scenario']:<{w}}  not judged: infrastructure error", file=out)
            continue
        same = sum(not s["differences"] for s in r["steps"])
        print(f"{r['scenario']:<{w}}  {len(r['steps']):>5}  {same:>4}  {count(r, 'unexplained'):>11}"
              f"  {count(r, 'open'):>4}  {count(r, 'deliberate'):>10}", file=out)
    for r in rows:
        for m in r.get("infra", []):
            print(f"{'INFRA':<11} {r['scenario']}: {m}", file=out)
        for s in r["steps"]:
            for d in s["differences"]:
                where = f"{r['scenario']} / {s['name']} ({s['request']} @ {s['microversion']})"
                print(f"{d['verdict'].upper():<11} {where}: {d['kind']}"
                      f"{' ' + d['path'] if 'path' in d else ''}: {json.dumps(d['detail'])}", file=out)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="nova-local/parity/run", description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="*", help="scenario files (default: cases/parity/*.json)")
    p.add_argument("--fake-bin", default=os.path.join(ROOT, "target", "debug", "fake-server"))
    p.add_argument("--report", default=os.path.join(ROOT, "reports", "parity"))
    p.add_argument("--only", default="*", help="run only scenarios whose name matches GLOB")
    p.add_argument("--quick", action="store_true",
                   help="leave out scenarios marked \"quick\": false (CI's selection: every "
                        "file, every action and every starting state; see cases/parity/README.md)")
    p.add_argument("--jobs", type=int, default=4, help="scenarios run at once per side (4)")
    p.add_argument("--delay-ms", type=int, default=50, help="nova-local's --delay-ms (50)")
    p.add_argument("--step-ms", type=int, default=40, help="fake-server's --step-ms (40)")
    p.add_argument("--rejudge", metavar="PARITY_JSON",
                   help="run nothing: judge the differences of a saved report again with the "
                        "current differences.json and print its table")
    p.add_argument("--max-infra", type=int, default=3,
                   help="stop running scenarios on a side after this many infrastructure "
                        "errors (3)")
    return p.parse_args(argv)


def summarise(rows, left, known, started, report_dir):
    """Prints the table and totals, writes the report; returns the exit status."""
    print_table(rows)
    total = {v: sum(d["verdict"] == v for r in rows for s in r["steps"] for d in s["differences"])
             for v in ("unexplained", "open", "deliberate")}
    steps = sum(len(r["steps"]) for r in rows)
    not_judged = [r["scenario"] for r in rows if r.get("infra")]
    total["infrastructure"] = len(not_judged) + len(left)
    for m in left:
        print(f"{'INFRA':<11} {m}")
    for e in known:
        if not e.get("used") and any(fnmatch.fnmatch(r["scenario"], e["scenario"]) for r in rows):
            print(f"{'UNUSED':<11} differences.json entry matched nothing here: "
                  f"{e['scenario']} / {e.get('step', '*')} {e['kind']} {e.get('contains', '')!r}")
    print(f"parity: {len(rows)} scenarios, {steps} steps, {total['unexplained']} unexplained, "
          f"{total['open']} open, {total['deliberate']} deliberate differences, "
          f"{len(not_judged)} scenarios not judged (infrastructure errors) "
          f"in {time.monotonic() - started:.1f} s")
    if report_dir:
        os.makedirs(report_dir, exist_ok=True)
        with open(os.path.join(report_dir, "parity.json"), "w") as f:
            json.dump({"format_version": 2, "totals": total, "left_behind": left,
                       "scenarios": rows}, f, indent=1)
        print(f"report: {os.path.join(report_dir, 'parity.json')}")
    if total["infrastructure"]:
        print("parity: infrastructure errors (INFRA lines): the run is not a valid comparison",
              file=sys.stderr)
        return 2
    return 1 if total["unexplained"] else 0


def rejudge(path, known):
    try:
        with open(path) as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        raise SetupError(f"{path}: cannot read the report: {e}")
    rows = report["scenarios"]
    for r in rows:
        for s in r["steps"]:
            judge(known, r["scenario"], s["name"], s["differences"])
    return summarise(rows, report.get("left_behind", []), known, time.monotonic(), None)


def main(argv):
    opts = parse_args(argv)
    known = load_known(os.path.join(CASES, "differences.json"))
    if opts.rejudge:
        return rejudge(opts.rejudge, known)
    files = opts.files or sorted(f for f in glob.glob(os.path.join(CASES, "*.json"))
                                 if not f.endswith("differences.json"))
    scenarios = [s for s in load_scenarios(files) if fnmatch.fnmatch(s["name"], opts.only)
                 and (s.get("quick", True) or not opts.quick)]
    if not scenarios:
        raise SetupError(f"no scenario matches `{opts.only}` in {len(files)} file(s)")
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        fake_f = pool.submit(start_fake, opts.fake_bin, opts.step_ms)
        nova_f = pool.submit(start_nova, opts.delay_ms)
        fake, nova = fake_f.result(), nova_f.result()
    try:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            # Polling is most of nova-local's load: 100 ms there (4 scenarios at once).
            ff = pool.submit(run_side, fake, scenarios, opts.jobs, 0.01, opts.max_infra)
            nf = pool.submit(run_side, nova, scenarios, opts.jobs, 0.1, opts.max_infra)
            fake_res, nova_res = ff.result(), nf.result()
        left = left_behind(fake, scenarios) + left_behind(nova, scenarios)
    finally:
        fake.close()
        nova.close()
    rows = diff_scenarios(scenarios, fake_res, nova_res, known)
    return summarise(rows, left, known, started, opts.report)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except SetupError as e:
        print(f"parity: {e}", file=sys.stderr)
        sys.exit(2)

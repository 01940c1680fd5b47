"""Helpers for .ci/nova-local.sh (run with nova-local's venv python).

    nova-local-check.py seed AUTH_URL            servers moved into every reachable status by real actions
    nova-local-check.py statuses REPORT_DIR STATUS...   the run judged each STATUS, with 0 fail / 0 error
    nova-local-check.py leftovers AUTH_URL       no server left in any project (all_tenants, deleted=True too)
    nova-local-check.py same-statuses DIR_A DIR_B [--known STATUS]...   two runs judged the same statuses, all passed

Each prints what it checked and exits 1 when the check fails.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nova-local", "parity"))

from steps import CONSTANTS, poll, state_of  # noqa: E402
from targets import Target  # noqa: E402

TAG = {"conformance-kit": "ci-observe"}
# name -> actions that take a fresh ACTIVE server there (os-resetState as admin).
SEEDS = {
    "active": [],
    "shutoff": [{"os-stop": None}],
    "paused": [{"pause": None}],
    "suspended": [{"suspend": None}],
    "rescue": [{"rescue": None}],
    "verify-resize": [{"resize": {"flavorRef": CONSTANTS["flavor2"]}}],
    "shelved": [{"shelve": None}],
    "shelved-offloaded": [{"shelve": None}, {"shelveOffload": None}],
    "error": [{"os-resetState": {"state": "error"}}],
    "locked": [{"lock": None}],
    "soft-deleted": ["DELETE"],
}


def admin(auth_url):
    return Target("nova-local", None, auth_url, None).session("admin")


def seed(auth_url):
    s = admin(auth_url)
    ids = {}
    for name in SEEDS:
        code, body, _ = s.call("POST", "/servers", {"server": {
            "name": f"ci-observe-{name}", "flavorRef": CONSTANTS["flavor"],
            "imageRef": CONSTANTS["image"], "networks": "none", "metadata": TAG}},
            microversion="2.96")
        if code != 202:
            sys.exit(f"seed: create {name}: HTTP {code} {body}")
        ids[name] = body["server"]["id"]
    for name, sid in ids.items():
        poll(s, sid, ["ACTIVE"], 0.05, "2.96")
    for name, actions in SEEDS.items():
        for action in actions:
            if action == "DELETE":
                code, body, _ = s.call("DELETE", f"/servers/{ids[name]}")
            else:
                code, body, _ = s.call("POST", f"/servers/{ids[name]}/action", action,
                                       microversion="2.96")
            if code >= 400:
                sys.exit(f"seed: {name}: {action}: HTTP {code} {body}")
            until = ["VERIFY_RESIZE"] if "resize" in str(action) else None
            seen = poll(s, ids[name], until, 0.05, "2.96")
        _, shown, _ = s.call("GET", f"/servers/{ids[name]}", microversion="2.96")
        print(f"seed: ci-observe-{name}: {' '.join(str(x) for x in state_of(shown))}")


def statuses(report_dir, wanted):
    cases = json.load(open(os.path.join(report_dir, "results.json")))["cases"]
    judged = {c["observed"] for c in cases
              if c["group"] in ("valid", "invalid") and c["outcome"] in ("pass", "fail")}
    bad = [f"{c['id']}: {c['outcome']}: {c.get('detail')}" for c in cases
           if c["outcome"] in ("fail", "error")]
    missing = sorted(set(wanted) - judged)
    print(f"statuses judged in {report_dir}: {' '.join(sorted(judged))}")
    for line in bad:
        print(f"  {line}")
    if missing or bad:
        sys.exit(f"not judged: {' '.join(missing) or '-'}; {len(bad)} failed or errored case(s)")


def leftovers(auth_url):
    s = admin(auth_url)
    left = []
    for query in ("all_tenants=1", "all_tenants=1&deleted=True"):
        code, body, _ = s.call("GET", f"/servers/detail?{query}", microversion="2.96")
        if code != 200:
            sys.exit(f"leftovers: GET /servers/detail?{query}: HTTP {code}")
        left += [f"{x['name']} ({x['status']}) [{query}]" for x in body["servers"]
                 if x["status"] != "DELETED"]
    print(f"servers left in any project: {len(left)}")
    if left:
        sys.exit("left: " + "; ".join(left))


def same_statuses(dir_a, dir_b, *known_args):
    """Both runs judged the same statuses with the same outcomes, but for `--known STATUS`
    (a status one side shows and the other cannot, printed as such)."""
    known = {known_args[i + 1] for i in range(0, len(known_args), 2) if known_args[i] == "--known"}

    def judged(d):
        cases = json.load(open(os.path.join(d, "results.json")))["cases"]
        return {(c["observed"], c["outcome"]) for c in cases
                if c["group"] in ("valid", "invalid") and c["outcome"] != "skip"}
    a, b = judged(dir_a), judged(dir_b)
    print(f"{dir_a}: {len(a)} (status, outcome); {dir_b}: {len(b)}")
    for status, outcome in sorted(a ^ b):
        side = dir_a if (status, outcome) in a else dir_b
        print(f"  only in {side}: {status} ({outcome})"
              + (" - known" if status in known else ""))
    if {s for s, _ in a ^ b} - known or any(o != "pass" for _, o in a | b):
        sys.exit("the two runs judged different statuses (or a case failed)")
    print("same statuses judged, all passed: " + " ".join(sorted({s for s, _ in a & b})))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"seed": lambda: seed(*args), "statuses": lambda: statuses(args[0], args[1:]),
     "leftovers": lambda: leftovers(*args), "same-statuses": lambda: same_statuses(*args)}[cmd]()

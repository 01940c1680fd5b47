#!/usr/bin/env python3
"""Checks an adapter run against its known findings: `check-adapter-results.py RESULTS EXPECTED`.

RESULTS is a harness `results.json`. EXPECTED (e.g. adapters/libcloud/expected-outcomes.txt)
lists, one per line, every case that does not pass, as `<outcome> <case id>` (outcome: fail,
error or skip); `#` starts a comment. Every case of RESULTS not listed must pass, and every
listed case must be in RESULTS with that outcome, so a finding that disappears (an SDK fixed, a
case renamed) fails CI as loudly as a new one. Prints the differences and exits 1, or one line
and exits 0; exits 2 on unreadable input.
"""

import json
import sys

OUTCOMES = ("fail", "error", "skip")


def expected_outcomes(path):
    expected = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            outcome, _, case_id = line.partition(" ")
            case_id = case_id.strip()
            if outcome not in OUTCOMES or not case_id:
                raise ValueError(f"{path}:{number}: expected `<{'|'.join(OUTCOMES)}> <case id>`, "
                                 f"got {line!r}")
            if case_id in expected:
                raise ValueError(f"{path}:{number}: {case_id} is listed twice")
            expected[case_id] = outcome
    return expected


def main(results_path, expected_path):
    try:
        with open(results_path, encoding="utf-8") as f:
            cases = json.load(f)["cases"]
        expected = expected_outcomes(expected_path)
    except (OSError, ValueError, KeyError) as exc:
        print(f"check-adapter-results: {exc}", file=sys.stderr)
        return 2
    seen = {case["id"]: case for case in cases}
    problems = []
    for case in cases:
        want = expected.get(case["id"], "pass")
        if case["outcome"] != want:
            detail = f" ({case['detail']})" if case.get("detail") else ""
            problems.append(f"{case['id']}: {case['outcome']}, expected {want}{detail}")
    for case_id, outcome in sorted(expected.items()):
        if case_id not in seen:
            problems.append(f"{case_id}: not in the run, expected {outcome}")
    if problems:
        print(f"{results_path} differs from {expected_path}:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print(f"{results_path}: {len(cases)} cases, {len(expected)} known findings, as expected")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))

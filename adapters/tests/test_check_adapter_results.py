""".ci/check-adapter-results.py: a run's outcomes against an adapter's known findings, both ways."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))), ".ci", "check-adapter-results.py")

CASES = [
    {"id": "nova/surface/ACTIVE", "outcome": "pass"},
    {"id": "nova/wait/delete-soft-deleted", "outcome": "fail", "detail": "waiter still polling"},
    {"id": "nova/wait/pause-to-paused", "outcome": "skip"},
]


class CheckAdapterResults(unittest.TestCase):
    def check(self, expected_text, cases=CASES):
        with tempfile.TemporaryDirectory() as tmp:
            results = os.path.join(tmp, "results.json")
            expected = os.path.join(tmp, "expected-outcomes.txt")
            with open(results, "w") as f:
                json.dump({"format_version": 2, "cases": cases}, f)
            with open(expected, "w") as f:
                f.write(expected_text)
            done = subprocess.run([sys.executable, SCRIPT, results, expected], text=True,
                                  capture_output=True, timeout=30)
        return done.returncode, done.stdout.replace(tmp, "TMP"), done.stderr.replace(tmp, "TMP")

    def test_the_listed_findings_exactly(self):
        self.assertEqual(self.check("# findings\nfail nova/wait/delete-soft-deleted\n"
                                    "skip nova/wait/pause-to-paused  # no waiter\n"),
                         (0, "TMP/results.json: 3 cases, 2 known findings, as expected\n", ""))

    def test_a_new_failure_and_a_vanished_finding_both_fail(self):
        code, out, _ = self.check("fail nova/wait/delete-soft-deleted\nfail nova/list/gone\n")
        self.assertEqual(code, 1)
        self.assertEqual(out.splitlines()[1:], [
            "  nova/wait/pause-to-paused: skip, expected pass",
            "  nova/list/gone: not in the run, expected fail"])

    def test_a_changed_outcome_fails_with_the_detail(self):
        code, out, _ = self.check("skip nova/wait/delete-soft-deleted\n"
                                  "skip nova/wait/pause-to-paused\n")
        self.assertEqual(code, 1)
        self.assertEqual(out.splitlines()[1:], [
            "  nova/wait/delete-soft-deleted: fail, expected skip (waiter still polling)"])

    def test_a_bad_line_is_named(self):
        self.assertEqual(self.check("broken nova/x\n"), (
            2, "", "check-adapter-results: TMP/expected-outcomes.txt:1: expected "
                   "`<fail|error|skip> <case id>`, got 'broken nova/x'\n"))


if __name__ == "__main__":
    unittest.main()

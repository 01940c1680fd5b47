"""Tests of nightly_report.py, run by .ci/run: `python3 -m unittest discover -s .github/scripts`.

`harness compare` itself is tested in harness/tests/compare.rs; here a stub stands in for it
(identical files: exit 0; different files: exit 1; a file that is not JSON: exit 2), so these
tests pin down the script's own job: finding runs, counting, the summary, and the exit code.
"""

import io
import json
import stat
import sys
import tempfile
import unittest
from contextlib import redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nightly_report  # noqa: E402

STUB = """#!/usr/bin/env python3
import json, sys
_, cmd, old, new, _, fmt = sys.argv
try:
    a, b = json.load(open(old)), json.load(open(new))
except ValueError:
    print(f"error: failed to parse results file {new}", file=sys.stderr)
    sys.exit(2)
if a == b:
    print(f"[{fmt}] no regressions")
    sys.exit(0)
print(f"[{fmt}] 1 regression")
sys.exit(1)
"""


def results(cases):
    return {
        "format_version": 1,
        "harness_version": "0.1.0",
        "target": "cloud staging",
        "started": "2025-01-01T00:00:00Z",
        "finished": "2025-01-01T00:01:00Z",
        "profiles": [],
        "implementation": None,
        "compatibility": [{"profile": "ecs", "conforms": False, "differences": 1}],
        "cases": [
            {"id": f"ecs/{vm}/null", "profile": "ecs", "group": group, "vm_state": vm, "task_state": None,
             "expected": exp, "observed": obs, "outcome": outcome, "detail": None}
            for vm, group, exp, obs, outcome in cases
        ],
    }


GOOD = [("active", "valid", "ACTIVE", "ACTIVE", "pass"), ("stopped", "valid", "SHUTOFF", None, "skip"),
        ("bogus", "probe", "UNKNOWN", "ERROR", "fail")]
WORSE = [("active", "valid", "ACTIVE", "ERROR", "fail")] + GOOD[1:]


class NightlyReportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.harness = self.tmp / "harness"
        self.harness.write_text(STUB)
        self.harness.chmod(self.harness.stat().st_mode | stat.S_IEXEC)

    def write(self, night, label, doc):
        path = self.tmp / night / label / "results.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc))

    def run_report(self, previous=True):
        argv = ["--current", str(self.tmp / "current"), "--harness", str(self.harness),
                "--out", str(self.tmp / "out")]
        if previous:
            argv += ["--previous", str(self.tmp / "previous")]
        out = io.StringIO()
        with redirect_stdout(out):
            code = nightly_report.main(argv)
        return code, out.getvalue(), (self.tmp / "out" / "summary.md").read_text()

    def test_a_regressed_cloud_fails_and_is_named(self):
        self.write("previous", "alpha/observe", results(GOOD))
        self.write("previous", "beta/observe", results(GOOD))
        self.write("current", "alpha/observe", results(WORSE))
        self.write("current", "beta/observe", results(GOOD))

        code, log, summary = self.run_report()

        self.assertEqual(code, 1)
        self.assertIn("== alpha/observe\n[text] 1 regression\n", log)
        self.assertIn("== beta/observe\n[text] no regressions\n", log)
        self.assertTrue(log.endswith("regressed: alpha/observe\n"))
        self.assertIn("### alpha/observe\n\n[markdown] 1 regression\n", summary)
        self.assertIn("## Regressed\n\n- alpha/observe\n", summary)

    def test_counts_per_run_and_profile_are_tabulated(self):
        self.write("current", "alpha/lifecycle", results(WORSE))

        code, log, summary = self.run_report(previous=False)

        self.assertEqual(code, 0)
        self.assertIn("| alpha/lifecycle | ecs | 0 | 2 | 0 | 1 | no |", summary)
        self.assertIn("No previous results (first night, or the artifact expired).", summary)
        self.assertEqual(log, "alpha/lifecycle: no previous results to compare with\nno regressions\n")

    def test_a_run_without_results_is_reported_and_exits_2(self):
        (self.tmp / "current" / "gamma" / "observe").mkdir(parents=True)
        self.write("current", "alpha/observe", results(GOOD))
        self.write("previous", "alpha/observe", results(GOOD))

        code, log, summary = self.run_report()

        self.assertEqual(code, 2)
        self.assertIn("| gamma/observe | — | | | | | no results.json: the run failed, see its job log |", summary)
        self.assertTrue(log.endswith("could not compare: gamma/observe\n"))

    def test_unreadable_results_name_the_file_and_position(self):
        self.write("current", "alpha/observe", "{\n  oops\n}")

        code, _, summary = self.run_report(previous=False)

        self.assertEqual(code, 2)
        path = self.tmp / "current" / "alpha" / "observe" / "results.json"
        self.assertIn(f"failed to parse {path}: Expecting property name enclosed in double quotes at line 2 column 3",
                      summary)

    def test_the_grid_shows_observed_rows_and_valid_rows_only(self):
        self.write("current", "alpha/observe", results(GOOD + [("paused", "invalid", "UNKNOWN", None, "skip")]))

        self.run_report(previous=False)

        page = (self.tmp / "out" / "index.html").read_text()
        self.assertIn("<code>ecs/active/null</code>", page)
        self.assertIn("<code>ecs/bogus/null</code>", page)  # a probe that was observed
        self.assertNotIn("ecs/paused/null", page)  # an invalid pair nobody observed
        self.assertIn('<td style="background:#ffcdd2" title="fail">ERROR</td>', page)


if __name__ == "__main__":
    unittest.main()

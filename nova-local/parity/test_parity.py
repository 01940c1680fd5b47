"""Unit tests of the parity runner's judging: what is an infrastructure error and what a
difference. `nova-local/.venv/bin/python -m unittest discover -s nova-local/parity` (CI runs it
in .ci/nova-local.sh).

No server is started: a stub session answers from a script.
"""

import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import compare  # noqa: E402
import parity  # noqa: E402
import steps  # noqa: E402


class StubSession:
    """Answers `call`s from ``answers`` (method, path prefix) -> (status, body); records calls."""

    project_id = "p1"

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def call(self, method, path, body=None, microversion=None, timeout=30):
        self.calls.append((method, path))
        for (m, prefix), answer in self.answers.items():
            if m == method and path.startswith(prefix):
                return answer[0], answer[1], {}
        return 404, {"itemNotFound": {"code": 404}}, {}


class StubTarget:
    def __init__(self, name, referee, answers):
        self.name = name
        self.referee = referee
        self.stub = StubSession(answers)

    def session(self, user):
        return self.stub


LIST_EMPTY = {("GET", "/servers?all_tenants=1"): (200, {"servers": []})}
SCENARIO = {"name": "e-x", "title": "x", "steps": [
    {"name": "show", "method": "GET", "path": "/servers/detail"}]}


class InfraErrors(unittest.TestCase):
    def test_a_5xx_from_nova_is_an_infrastructure_error_not_a_record(self):
        nova = StubTarget("nova", True, {**LIST_EMPTY, ("GET", "/servers/detail"): (500, {})})
        records, _ = steps.run_scenario(nova, SCENARIO, 0)
        self.assertEqual([r["name"] for r in records], ["<infra>"])
        self.assertIn("nova answered 500 to GET /servers/detail", records[0]["infra"])

    def test_a_5xx_from_the_fake_is_recorded_and_compared(self):
        fake = StubTarget("fake", False, {**LIST_EMPTY, ("GET", "/servers/detail"): (500, {})})
        records, _ = steps.run_scenario(fake, SCENARIO, 0)
        self.assertEqual([(r["name"], r["status"]) for r in records], [("show", 500)])

    def test_a_scenario_with_an_infrastructure_error_is_not_judged(self):
        fake = ([{"name": "show", "request": "GET /x", "status": 200, "body": {"a": 1}}], {})
        nova = ([{"name": "<infra>", "infra": "nova answered 503"}], {})
        rows = parity.diff_scenarios([dict(SCENARIO, file="f.json")], {"e-x": fake},
                                     {"e-x": nova}, [])
        self.assertEqual(rows[0]["infra"], ["nova: nova answered 503"])
        self.assertEqual(rows[0]["steps"], [])

    def test_the_cleanup_quotes_its_name_pattern(self):
        # A bare `+` in a query string is a space: the pattern then matched nothing and no
        # scenario's servers were ever deleted (what made nova-local stall).
        nova = StubTarget("nova", True, LIST_EMPTY)
        steps.cleanup(nova, {"name": "m-active-stop"})
        (method, path), = nova.stub.calls
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        self.assertEqual(query["name"], [r"^m\-active\-stop-[^-]+$"])

    def test_servers_the_cleanup_cannot_delete_are_an_infrastructure_error(self):
        stuck = {("GET", "/servers?all_tenants=1"): (200, {"servers": [{"id": "i1"}]}),
                 ("GET", "/servers/i1"): (200, {"server": {"status": "ACTIVE"}}),
                 ("POST", "/servers/i1"): (202, None), ("DELETE", "/servers/i1"): (204, None)}
        nova = StubTarget("nova", True, stuck)
        old, steps.POLL_TIMEOUT_S = steps.POLL_TIMEOUT_S, 0.2
        try:
            with self.assertRaisesRegex(steps.InfraError, r"1 server\(s\) of e-x not gone"):
                steps.cleanup(nova, {"name": "e-x"})
        finally:
            steps.POLL_TIMEOUT_S = old


class Verdicts(unittest.TestCase):
    def test_a_difference_is_explained_by_the_first_matching_entry_and_counted(self):
        known = [{"scenario": "m-*", "step": "rebuild", "kind": "states", "contains": "ACTIVE",
                  "status": "deliberate", "reason": "r"}]
        diffs = [{"kind": "states", "detail": "nova [['ACTIVE', 'active', None]]"},
                 {"kind": "status", "detail": "fake 202, nova 400"}]
        parity.judge(known, "m-shutoff-rebuild", "rebuild", diffs)
        self.assertEqual([d["verdict"] for d in diffs], ["deliberate", "unexplained"])
        self.assertEqual(known[0]["used"], 1)


class UnsortedListings(unittest.TestCase):
    def record(self, request, names):
        return {"request": request, "status": 200, "body": {"servers": []},
                "values": {"servers[].name": names}}

    def test_several_servers_compared_without_a_sort_key_is_a_scenario_difference(self):
        fake = self.record("GET /servers?host={host}", ["x-c", "x-b", "x-a"])
        nova = self.record("GET /servers?host={host}", ["x-c", "x-b", "x-a"])
        diffs = compare.compare_step(fake, nova, {}, {})
        self.assertEqual(diffs, [{"kind": "scenario", "detail":
                                  "compares the order of 3 listed servers without a sort_key; "
                                  "Nova's default order is not stable between runs: add "
                                  "`sort_key=display_name&sort_dir=asc` to the step's path"}])

    def test_a_sorted_listing_or_a_single_server_is_compared_as_usual(self):
        sorted_ = "GET /servers?host={host}&sort_key=display_name&sort_dir=asc"
        self.assertEqual(compare.compare_step(self.record(sorted_, ["x-a", "x-b"]),
                                              self.record(sorted_, ["x-a", "x-b"]), {}, {}), [])
        one = "GET /servers?name=x-c"
        self.assertEqual(compare.compare_step(self.record(one, ["x-c"]),
                                              self.record(one, ["x-c"]), {}, {}), [])


if __name__ == "__main__":
    unittest.main()

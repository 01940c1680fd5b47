"""adapterlib: the protocol loop, version negotiation, routing, guards, client cache, errors.

Run: python3 -m unittest discover -s adapters/tests -p 'test_adapterlib.py'
"""

import io
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import adapterlib  # noqa: E402

IMPLEMENTATION = {"name": "toy", "version": "1.0", "language": "python"}
FETCH = {"compute_url": "http://127.0.0.1:1/compute/v2.1", "auth_url": "http://127.0.0.1:1/v3",
         "token": "t1", "project_id": "p", "server_id": "s1"}
WAIT = {"until": "status", "target": "ACTIVE", "timeout_s": 3.0, "interval_s": 0.05}


class Toy(adapterlib.Adapter):
    """Every kind, with an in-memory 'SDK'."""

    implementation = IMPLEMENTATION
    status_model = adapterlib.STRING_MODEL("toy.Server.status (str)")

    def __init__(self):
        super().__init__()
        self.connects = []

    def derive(self, vm_state, task_state):
        if vm_state == "boom":
            raise ValueError("boom:\n  two lines")
        return "REBOOT" if task_state == "rebooting" else "ACTIVE"

    def connect(self, fetch):
        self.connects.append(fetch["token"])
        return {"s1": ("SHUTOFF", "stopped", None), "s2": (None, None, None)}

    def fetch(self, client, fetch):
        status, vm_state, task_state = client[fetch["server_id"]]
        return {"status": status, "vm_state": vm_state, "task_state": task_state}

    def surface(self, client, fetch):
        return client[fetch["server_id"]][0], "ShutOff"

    def list(self, client, fetch):
        return [{"id": "s1", "status": "SHUTOFF", "typed": "ShutOff"},
                {"id": "s3", "status": "HIBERNATED"}]

    def wait(self, client, fetch, wait):
        return adapterlib.waited("failed", "ERROR", "went\nto ERROR")


class FetchOnly(adapterlib.Adapter):
    implementation = IMPLEMENTATION
    skip = {"wait": "the toy SDK has no waiter"}

    def connect(self, fetch):
        return None

    def fetch(self, client, fetch):
        return {"status": "ACTIVE"}


def converse(adapter, *requests):
    """Feeds request objects to `serve`, returns the decoded answer lines."""
    out = io.StringIO()
    saved, adapterlib._PROTOCOL_OUT = adapterlib._PROTOCOL_OUT, out
    try:
        adapterlib.serve(adapter, [json.dumps(r) + "\n" for r in requests])
    finally:
        adapterlib._PROTOCOL_OUT = saved
    return [json.loads(line) for line in out.getvalue().splitlines()]


def run(adapter, version, **request):
    answers = converse(adapter, {"cmd": "start", "version": version},
                       {"cmd": "run", "seq": 7, "case": {"id": "q1-1"}, **request})
    answer = answers[1]
    answer.get("errored", {}).pop("traceback", None)
    return answer


class Handshake(unittest.TestCase):
    def test_v2_declares_every_implemented_kind_and_the_status_model(self):
        [answer] = converse(Toy(), {"cmd": "start", "version": 2})
        self.assertEqual(answer, {
            "version": 2, "implementation": IMPLEMENTATION,
            "capabilities": ["derive", "fetch", "surface", "list", "wait"],
            "status_model": {"kind": "string", "name": "toy.Server.status (str)",
                             "values": {}, "unknown": None}})

    def test_v1_declares_only_v1_kinds_and_no_status_model(self):
        [answer] = converse(Toy(), {"cmd": "start", "version": 1})
        self.assertEqual(answer, {"version": 1, "implementation": IMPLEMENTATION,
                                  "capabilities": ["derive", "fetch"]})

    def test_a_skipped_kind_is_declared(self):
        [answer] = converse(FetchOnly(), {"cmd": "start", "version": 2})
        self.assertEqual(answer["capabilities"], ["fetch", "wait"])
        self.assertNotIn("status_model", answer)

    def test_an_unknown_version_is_answered_with_the_newest(self):
        [answer] = converse(Toy(), {"cmd": "start", "version": 3})
        self.assertEqual(answer["version"], 2)


class Routing(unittest.TestCase):
    def test_v1_with_fetch_fetches_and_echoes_states(self):
        self.assertEqual(run(Toy(), 1, fetch=FETCH, server={}),
                         {"seq": 7, "status": "SHUTOFF", "vm_state": "stopped",
                          "task_state": None})

    def test_v1_without_fetch_derives(self):
        answer = run(Toy(), 1, case={"id": "q1-1", "vm_state": "active",
                                     "task_state": "rebooting"}, server={})
        self.assertEqual(answer, {"seq": 7, "status": "REBOOT"})

    def test_v1_fetch_guard(self):
        self.assertEqual(run(FetchOnly(), 1, server={}), {"seq": 7, "errored": {
            "message": "toy only fetches: the run request has no `fetch`"}})

    def test_v2_routes_by_kind(self):
        adapter = Toy()
        self.assertEqual(run(adapter, 2, kind="surface", fetch=FETCH),
                         {"seq": 7, "status": "SHUTOFF", "typed": "ShutOff"})
        self.assertEqual(run(adapter, 2, kind="list", fetch={**FETCH, "server_id": None}),
                         {"seq": 7, "servers": [
                             {"id": "s1", "status": "SHUTOFF", "typed": "ShutOff"},
                             {"id": "s3", "status": "HIBERNATED"}]})
        self.assertEqual(run(adapter, 2, kind="wait", fetch=FETCH, wait=WAIT),
                         {"seq": 7, "wait": {"outcome": "failed", "status": "ERROR",
                                             "message": "went to ERROR"}})

    def test_v2_undeclared_kind(self):
        self.assertEqual(run(FetchOnly(), 2, kind="surface", fetch=FETCH), {"seq": 7, "errored": {
            "message": "run kind 'surface' is not declared by this adapter "
                       "(capabilities: fetch, wait)"}})

    def test_v2_skipped_kind(self):
        self.assertEqual(run(FetchOnly(), 2, kind="wait", fetch=FETCH, wait=WAIT),
                         {"seq": 7, "skipped": {"reason": "the toy SDK has no waiter"}})

    def test_v2_fetching_kind_without_fetch(self):
        self.assertEqual(run(Toy(), 2, kind="surface"), {"seq": 7, "errored": {
            "message": "run.fetch is missing or not a dict: None"}})

    def test_v2_fetch_without_server_id(self):
        fetch = {k: v for k, v in FETCH.items() if k != "server_id"}
        self.assertEqual(run(Toy(), 2, kind="fetch", fetch=fetch), {"seq": 7, "errored": {
            "message": "run.fetch.server_id is missing or not a str: None"}})

    def test_v2_wait_request_is_checked(self):
        for wait, message in [
            ({**WAIT, "until": "gone"},
             "run.wait.until must be \"status\" or \"deleted\", not 'gone'"),
            ({**WAIT, "target": None}, "run.wait.target is missing or not a str: None"),
            ({**WAIT, "interval_s": "1"},
             "run.wait.interval_s must be a number of seconds, not '1'"),
            ({**WAIT, "timeout_s": True},
             "run.wait.timeout_s must be a number of seconds, not True"),
        ]:
            with self.subTest(wait=wait):
                self.assertEqual(run(Toy(), 2, kind="wait", fetch=FETCH, wait=wait),
                                 {"seq": 7, "errored": {"message": message}})

    def test_a_delete_wait_needs_no_target(self):
        wait = {**WAIT, "until": "deleted", "target": None}
        self.assertEqual(run(Toy(), 2, kind="wait", fetch=FETCH, wait=wait)["wait"]["outcome"],
                         "failed")


class Errors(unittest.TestCase):
    def test_an_exception_is_one_errored_line_with_its_traceback(self):
        answers = converse(Toy(), {"cmd": "start", "version": 2},
                           {"cmd": "run", "seq": 1, "kind": "derive",
                            "case": {"id": "q1-1", "vm_state": "boom", "task_state": None}})
        errored = answers[1]["errored"]
        self.assertEqual(errored["message"], "ValueError: boom: two lines")
        self.assertIn('raise ValueError("boom:\\n  two lines")', errored["traceback"])
        self.assertTrue(errored["traceback"].endswith("ValueError: boom:\n  two lines\n"))

    def test_an_sdk_that_surfaces_no_status(self):
        self.assertEqual(run(Toy(), 2, kind="fetch", fetch={**FETCH, "server_id": "s2"}),
                         {"seq": 7, "errored": {
                             "message": "the SDK surfaced no status string (got None)"}})

    def test_an_exception_without_message_names_its_type(self):
        self.assertEqual(run(Toy(), 2, kind="fetch", fetch={**FETCH, "server_id": "nope"}),
                         {"seq": 7, "errored": {"message": "KeyError: 'nope'"}})

    def test_waited_rejects_an_unknown_outcome(self):
        with self.assertRaisesRegex(ValueError, "wait outcome 'done' is not one of reached, "
                                                "failed, gone, timeout"):
            adapterlib.waited("done")


class ClientCache(unittest.TestCase):
    def test_one_client_per_key(self):
        adapter = Toy()
        converse(adapter, {"cmd": "start", "version": 2},
                 *[{"cmd": "run", "seq": i, "kind": "fetch", "case": {"id": "q"},
                    "fetch": {**FETCH, "token": token}}
                   for i, token in enumerate(["t1", "t1", "t2", "t1"])])
        self.assertEqual(adapter.connects, ["t1", "t2"])


class Loop(unittest.TestCase):
    def test_stop_ends_the_loop_and_unknown_commands_are_ignored(self):
        answers = converse(Toy(), {"cmd": "start", "version": 2}, {"cmd": "hello"},
                           {"cmd": "stop"}, {"cmd": "start", "version": 1})
        self.assertEqual(len(answers), 1)

    def test_stdout_is_reserved_and_bad_json_exits_2(self):
        script = ("import adapterlib\n"
                  "class A(adapterlib.Adapter):\n"
                  "    implementation = {'name': 'p', 'version': '0', 'language': 'python'}\n"
                  "    def derive(self, vm_state, task_state):\n"
                  "        print('chatter from an SDK')\n"
                  "        return 'ACTIVE'\n"
                  "adapterlib.main(A)\n")
        env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))}
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, text=True, capture_output=True, timeout=30,
            input='{"cmd":"start","version":1}\n'
                  '{"cmd":"run","seq":1,"case":{"id":"q","vm_state":"a","task_state":null}}\n'
                  'not json\n')
        self.assertEqual(done.returncode, 2)
        self.assertEqual(done.stdout.splitlines()[1], '{"seq":1,"status":"ACTIVE"}')
        self.assertIn("chatter from an SDK", done.stderr)
        self.assertIn("adapter: the harness sent a line that is not JSON", done.stderr)


if __name__ == "__main__":
    unittest.main()

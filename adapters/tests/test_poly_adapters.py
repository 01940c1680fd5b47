"""The Rust, Node and Go adapters, driven over protocol v2 against the standalone fake-server.

Each adapter is started once per class through its own `run` (so the first run installs or
builds it) and asked every kind it declares. The expectations are what each SDK really does,
including its non-conformances (pkgcloud surfaces RESCUE as its ERROR bucket, the strict Rust
enums fail a whole listing on one unknown status, ...): a change in an SDK or an adapter shows
up here as a failing assertion.

    python3 -m unittest discover -s adapters/tests -p 'test_poly*' -v
    ADAPTERS=pkgcloud,gophercloud python3 -m unittest discover -s adapters/tests -p 'test_poly*'
    (FAKE_SERVER=target/debug/fake-server to skip `cargo run`; ADAPTER_START_TIMEOUT=1800 when a
    Rust adapter will be built on its first start)

Cases that need a fake-server feature not present in the binary under test (status overrides,
per-poll timelines: DESIGN-v2 §4) are skipped with that reason.
"""

import json
import os
import sys
import unittest
import urllib.error

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from support import ROOT as REPO, AdapterProcess, Fake  # noqa: E402



def first_pairs(profile="ecs-openstack"):
    """Status -> the first (vm_state, task_state) giving it in the profile's generated cases
    (the fake-server's default profile), as the harness seeds its surface cases."""
    with open(os.path.join(REPO, "cases", "generated", f"{profile}.json")) as f:
        cases = json.load(f)["cases"]
    pairs = {}
    for case in cases:
        pairs.setdefault(case["expected"], (case["vm_state"], case["task_state"]))
    return pairs


SURFACE = first_pairs()

# Per adapter: capabilities, status model, exact typed values for a few statuses, what a
# listing with one odd status gives (("errored", substring) or ("listed", typed value)), and
# each wait scenario's outcome.
# rust-openstack's own error: osauth turns reqwest's decode error into its message only, so the
# serde cause ("Unexpected ServerStatus: X") is lost on the way.
RUST_ODD = "find_servers().detailed().all() failed: Error when accessing the server: error decoding response body"
ADAPTERS = {
    "rust-openstack": {
        "capabilities": ["fetch", "surface", "list"],
        "model": ("enum", "!error"),
        "typed": {"SHUTOFF": "ShutOff", "RESCUE": "Rescuing", "PASSWORD": "UpdatingPassword",
                  "SOFT_DELETED": "SoftDeleted", "UNKNOWN": "Unknown", "BUILD": "Building"},
        "odd": {s: ("errored", RUST_ODD) for s in ("HIBERNATED", "active")},
        "wait": {},
    },
    "rust-openstack-sdk": {
        "capabilities": ["fetch", "surface", "list", "wait"],
        "model": ("enum", "!error"),
        "typed": {"SHUTOFF": "Shutoff", "RESCUE": "Rescue", "PASSWORD": "Password",
                  "SOFT_DELETED": "SoftDeleted", "UNKNOWN": "Unknown", "BUILD": "Build"},
        "odd": {s: ("errored", f"unknown variant `{s}`") for s in ("HIBERNATED", "active")},
        # wait_for_status_typed(get_20::Request) reads the SDK's own pointer `/server/status` from
        # a body whose `server` key the query already stripped: no status wait ever ends but by
        # its timeout. wait_deleted works.
        "static_wait": {"active": ("timeout", None), "error": ("timeout", None), "missing": ("gone", None)},
        "wait": {"build-then-error": ("timeout", None), "reboot-then-active": ("timeout", None),
                 "powering-off-then-shutoff": ("timeout", None), "delete-then-gone": ("gone", None)},
    },
    "pkgcloud": {
        "capabilities": ["fetch", "surface", "list", "wait"],
        "model": ("enum", "UNKNOWN"),
        "typed": {"SHUTOFF": "STOPPED", "SUSPENDED": "STOPPED", "RESCUE": "ERROR", "ERROR": "ERROR",
                  "PASSWORD": "UPDATING", "PAUSED": "UNKNOWN", "SOFT_DELETED": "UNKNOWN",
                  "UNKNOWN": "UNKNOWN", "ACTIVE": "RUNNING"},
        # It upper-cases the raw status before mapping: a lower-case `active` reads as RUNNING.
        "odd": {"HIBERNATED": ("listed", "UNKNOWN"), "active": ("listed", "RUNNING")},
        "static_wait": {"active": ("reached", "ACTIVE"), "error": ("timeout", "ERROR"), "missing": ("skipped", None)},
        "wait": {"build-then-error": ("timeout", "ERROR"), "reboot-then-active": ("reached", "ACTIVE"),
                 "powering-off-then-shutoff": ("reached", "ACTIVE"), "delete-then-gone": ("skipped", None)},
    },
    "huaweicloud-node": {
        "capabilities": ["fetch", "surface", "list"],
        "model": ("string", None),
        "typed": {},
        "odd": {"HIBERNATED": ("listed", "HIBERNATED"), "active": ("listed", "active")},
        "wait": {},
    },
    "gophercloud": {
        "capabilities": ["fetch", "surface", "list", "wait"],
        "model": ("string", None),
        "typed": {},
        "odd": {"HIBERNATED": ("listed", "HIBERNATED"), "active": ("listed", "active")},
        "static_wait": {"active": ("reached", "ACTIVE"), "error": ("timeout", None), "missing": ("skipped", None)},
        "wait": {"build-then-error": ("timeout", None), "reboot-then-active": ("reached", "ACTIVE"),
                 "powering-off-then-shutoff": ("reached", "ACTIVE"), "delete-then-gone": ("skipped", None)},
    },
}

# The wait scenarios (cases/scenarios/*.json has the same timelines, with their public reports).
WAITS = {
    "build-then-error": ([{"vm_state": "building", "task_state": "spawning", "polls": 2},
                          {"vm_state": "error", "task_state": None}],
                         {"until": "status", "target": "ACTIVE", "timeout_s": 3}),
    "reboot-then-active": ([{"vm_state": "active", "task_state": "rebooting", "polls": 2},
                            {"vm_state": "active", "task_state": None}],
                           {"until": "status", "target": "ACTIVE", "timeout_s": 4}),
    "powering-off-then-shutoff": ([{"vm_state": "active", "task_state": "powering-off", "polls": 3},
                                   {"vm_state": "stopped", "task_state": None}],
                                  {"until": "status", "target": "ACTIVE", "timeout_s": 2}),
    "delete-then-gone": ([{"vm_state": "active", "task_state": "deleting", "polls": 2}, {"gone": True}],
                         {"until": "deleted", "target": None, "timeout_s": 3}),
}

MISSING_ID = "00000000-0000-4000-8000-000000000000"

# Odd status -> the vm_state the second fake serves with it (`--deviation VM/null=STATUS`).
ODD_VM_STATES = {"HIBERNATED": "odd-hibernated", "active": "odd-lower"}

FAKE = None
ODD_FAKE = None


def setUpModule():
    global FAKE, ODD_FAKE
    FAKE = Fake()
    deviations = []
    for status, vm_state in ODD_VM_STATES.items():
        deviations += ["--deviation", f"{vm_state}/null={status}"]
    ODD_FAKE = Fake(*deviations)


def tearDownModule():
    FAKE.stop()
    ODD_FAKE.stop()


def seed(fake, servers):
    """Seeds control-plane items; returns their ids in order."""
    return [s["id"] for s in fake.seed(*servers)]


def accepts(fake, item):
    """Whether this fake's control plane takes the item (e.g. a `timeline`, DESIGN-v2 §4)."""
    try:
        fake.seed(item)
        return True
    except urllib.error.HTTPError:
        return False


def selected(name):
    wanted = os.environ.get("ADAPTERS")
    return not wanted or name in wanted.split(",")


class AdapterTests:
    """Mixed into one TestCase per adapter (NAME set by `make_case`)."""

    NAME = None

    @classmethod
    def setUpClass(cls):
        cls.spec = ADAPTERS[cls.NAME]
        cls.adapter = AdapterProcess(cls.NAME)
        cls.handshake = cls.adapter.start(2)

    @classmethod
    def tearDownClass(cls):
        cls.adapter.stop()

    def declared(self, status):
        """The typed value the handshake's status model declares for a raw status."""
        model = self.handshake["status_model"]
        if model["kind"] == "string":
            return status
        return model["values"].get(status, model["unknown"])

    def test_handshake_v2_declares_kinds_and_status_model(self):
        self.assertEqual(self.handshake["version"], 2)
        self.assertEqual(self.handshake["capabilities"], self.spec["capabilities"])
        model = self.handshake["status_model"]
        self.assertEqual((model["kind"], model["unknown"]), self.spec["model"])
        for raw, typed in self.spec["typed"].items():
            self.assertEqual(self.declared(raw), typed, raw)

    def test_handshake_v1_answers_v1_with_fetch_only(self):
        other = AdapterProcess(self.NAME)
        try:
            answer = other.start(1)
            self.assertEqual((answer["version"], answer["capabilities"]), (1, ["fetch"]))
            self.assertNotIn("status_model", answer)
            [server] = FAKE.seed({"vm_state": "active", "task_state": "rebooting"})
            case = {"id": "q0123abcd-1", "vm_state": "active", "task_state": "rebooting"}
            self.assertEqual(other.run(fetch=FAKE.fetch(server), case=case)["status"], "REBOOT")
        finally:
            self.assertEqual(other.stop(), 0)

    def test_fetch_answers_the_raw_status(self):
        ids = seed(FAKE, [{"vm_state": v, "task_state": t} for v, t in SURFACE.values()])
        for status, server_id in zip(SURFACE, ids):
            answer = self.adapter.run("fetch", FAKE.fetch({"id": server_id}))
            self.assertEqual(answer.get("status"), status, answer)

    def test_surface_gives_raw_and_declared_typed_value(self):
        ids = seed(FAKE, [{"vm_state": v, "task_state": t} for v, t in SURFACE.values()])
        for status, server_id in zip(SURFACE, ids):
            answer = self.adapter.run("surface", FAKE.fetch({"id": server_id}))
            self.assertEqual(answer, {"status": status, "typed": self.declared(status)}, status)
            if status in self.spec["typed"]:
                self.assertEqual(answer["typed"], self.spec["typed"][status], status)

    def test_list_returns_every_server_once(self):
        # Nova lists neither soft-deleted nor deleted servers (unless an admin asks for them).
        listable = {s: p for s, p in SURFACE.items() if s not in ("SOFT_DELETED", "DELETED")}
        ids = seed(FAKE, [{"vm_state": v, "task_state": t} for v, t in listable.values()])
        answer = self.adapter.run("list", FAKE.fetch())
        self.assertIn("servers", answer, answer)
        listed = [s for s in answer["servers"] if s["id"] in ids]
        self.assertEqual(sorted(s["id"] for s in listed), sorted(ids))
        by_id = {s["id"]: s for s in listed}
        for status, server_id in zip(listable, ids):
            self.assertEqual(by_id[server_id]["status"], status)
            self.assertEqual(by_id[server_id]["typed"], self.declared(status), status)

    def test_list_with_one_odd_status(self):
        # The odd statuses come from `--deviation` on a second fake (a vm_state of our own that
        # the fake serves with that status), which every fake-server build has.
        for odd, (shape, expected) in self.spec["odd"].items():
            with self.subTest(odd=odd):
                ODD_FAKE.control("POST", "reset")
                ids = seed(ODD_FAKE, [{"vm_state": "active", "task_state": None},
                                     {"vm_state": ODD_VM_STATES[odd], "task_state": None},
                                     {"vm_state": "stopped", "task_state": None}])
                answer = self.adapter.run("list", ODD_FAKE.fetch())
                if shape == "errored":
                    self.assertIn(expected, answer["errored"]["message"])
                    continue
                by_id = {s["id"]: s for s in answer["servers"]}
                self.assertEqual(sorted(by_id), sorted(ids))
                self.assertEqual((by_id[ids[1]]["status"], by_id[ids[1]]["typed"]), (odd, expected))
                self.assertEqual((by_id[ids[0]]["status"], by_id[ids[2]]["status"]), ("ACTIVE", "SHUTOFF"))

    def test_wait_on_a_server_that_does_not_change(self):
        """Without timelines: ACTIVE reaches ACTIVE; ERROR must fail fast rather than time out;
        a server that does not exist is gone for a deletion waiter."""
        if "wait" not in self.spec["capabilities"]:
            self.skipTest(f"{self.NAME} declares no `wait`: its SDK has no usable waiter")
        active, error = FAKE.seed({"vm_state": "active", "task_state": None},
                                  {"vm_state": "error", "task_state": None})
        asks = {
            "active": (active, {"until": "status", "target": "ACTIVE", "timeout_s": 2}),
            "error": (error, {"until": "status", "target": "ACTIVE", "timeout_s": 2}),
            "missing": ({"id": MISSING_ID}, {"until": "deleted", "target": None, "timeout_s": 2}),
        }
        for name, (outcome, status) in self.spec["static_wait"].items():
            with self.subTest(server=name):
                server, wait = asks[name]
                answer = self.adapter.run("wait", FAKE.fetch(server), {**wait, "interval_s": 0.05})
                if outcome == "skipped":
                    self.assertIn("reason", answer["skipped"])
                    continue
                self.assertEqual((answer["wait"]["outcome"], answer["wait"]["status"]), (outcome, status), answer)

    def test_wait_scenarios(self):
        if "wait" not in self.spec["capabilities"]:
            self.skipTest(f"{self.NAME} declares no `wait`: its SDK has no usable waiter")
        if not accepts(FAKE, {"vm_state": "active", "task_state": None,
                              "timeline": [{"vm_state": "active", "task_state": None}]}):
            self.skipTest("this fake-server has no per-poll `timeline` (DESIGN-v2 §4)")
        for name, (outcome, status) in self.spec["wait"].items():
            with self.subTest(scenario=name):
                timeline, wait = WAITS[name]
                # Timeline steps advance on GETs by the server's non-admin owner.
                first = {k: timeline[0][k] for k in ("vm_state", "task_state")}
                [server] = FAKE.seed({**first, "user": "alice", "timeline": timeline})
                token, project_id = FAKE.login("alice")
                fetch = {**FAKE.fetch(server), "token": token, "project_id": project_id}
                answer = self.adapter.run("wait", fetch, {**wait, "interval_s": 0.05}, timeout=60)
                if outcome == "skipped":
                    self.assertIn("reason", answer["skipped"])
                    continue
                self.assertEqual((answer["wait"]["outcome"], answer["wait"]["status"]), (outcome, status), answer)


def make_case(name):
    return type(f"Test_{name.replace('-', '_')}", (AdapterTests, unittest.TestCase), {"NAME": name})


for _name in ADAPTERS:
    if selected(_name):
        globals()[f"Test_{_name.replace('-', '_')}"] = make_case(_name)


if __name__ == "__main__":
    unittest.main()


class RuntimeMissing(unittest.TestCase):
    """Without its runtime (and no way to install it), a `run` fails at once with one line."""

    # What the launchers themselves need; node, npm, cargo, rustc, go and apt-get are left out.
    TOOLS = ["sh", "dirname", "cat", "cut", "sha256sum", "flock", "id", "mkdir", "rm"]
    EXPECTED = {
        "pkgcloud": "adapter setup: node is not installed",
        "huaweicloud-node": "adapter setup: node is not installed",
        "rust-openstack": "adapter setup: cargo is not installed",
        "rust-openstack-sdk": "adapter setup: cargo is not installed",
        "gophercloud": "gophercloud adapter: needs Debian's golang-go and",
    }

    def test_each_run_exits_2_with_one_line(self):
        import shutil
        import subprocess
        import tempfile
        with tempfile.TemporaryDirectory() as bin_dir:
            for tool in self.TOOLS:
                os.symlink(shutil.which(tool), os.path.join(bin_dir, tool))
            for name, line in self.EXPECTED.items():
                with self.subTest(adapter=name):
                    done = subprocess.run(
                        [os.path.join(REPO, "adapters", name, "run")],
                        input='{"cmd":"start","version":2}\n', capture_output=True, text=True,
                        timeout=30, env={"PATH": bin_dir, "HOME": os.environ.get("HOME", "/")})
                    self.assertEqual(done.returncode, 2, done.stderr)
                    self.assertEqual(done.stdout, "")
                    [only] = done.stderr.splitlines()
                    self.assertTrue(only.startswith(line), only)

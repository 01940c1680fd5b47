"""Interop checks: real OpenStack clients against a running fake-server.

Usage: python interop.py BASE_URL   (run by .ci/interop/run.sh inside its venv)

The fake must run with `--profile nova --manual-clock --step-ms STEP` (STEP in $INTEROP_STEP_MS,
default 50): action walks then move only when this script advances the clock, so every
transient state a client shows is asserted exactly, however slow a CLI start is.

Seeds servers through the control plane, owned by the user the clients log in as, then runs
python-openstackclient and python-novaclient as commands and openstacksdk in-process
(sdk_checks.py). Prints `ok   <check>` or `FAIL <check>: <why>` per check and a final line
`interop: N passed, M failed`; exits 1 on any failure, 2 when set-up fails.
"""

import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

import sdk_checks

USER = "interop"  # the fake derives the project id from the name; user and project share it
PASSWORD = "interop-pw"
REGION = "RegionOne"
STEP_MS = int(os.environ.get("INTEROP_STEP_MS", "50"))
WORKERS = max(2, os.cpu_count() or 2)  # client commands run this many at a time

# (key, vm_state, task_state, status, power_state): Nova's status for each pair and the power
# state consistent with its vm_state (nova profile).
SEEDS = [
    ("active", "active", None, "ACTIVE", 1),
    ("shutoff", "stopped", None, "SHUTOFF", 4),
    ("paused", "paused", None, "PAUSED", 3),
    ("soft-deleted", "soft-delete", None, "SOFT_DELETED", 4),
    ("password", "active", "updating_password", "PASSWORD", 1),
    ("error", "error", None, "ERROR", 0),
    ("unknown", "bogus", None, "UNKNOWN", 0),
    # Rebooted by the openstacksdk checks, so the osc reboot check has its own server.
    ("sdk-reboot", "active", None, "ACTIVE", 1),
]
# How `openstack server list` (table) and `nova list` name power states.
POWER_NAMES = {0: "NOSTATE", 1: "Running", 3: "Paused", 4: "Shutdown", 6: "Crashed", 7: "Suspended"}


class Seeded:
    """One seeded server and what every client must show for it."""

    def __init__(self, key, vm_state, task_state, status, power_state, server_id):
        self.key = key
        self.vm_state = vm_state
        self.task_state = task_state
        self.status = status
        self.power_state = power_state
        self.id = server_id

    @property
    def name(self):
        return f"interop-{self.key}"


class Checks:
    """Counts and prints check outcomes."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, problems):
        """Record one check; `problems` is a list of strings (empty means it passed)."""
        if problems:
            self.failed += 1
            print(f"FAIL {name}: {'; '.join(problems)}", flush=True)
        else:
            self.passed += 1
            print(f"ok   {name}", flush=True)

    def run(self, name, fn):
        """Run `fn() -> problems`, turning an exception into a failure of this check."""
        try:
            problems = fn()
        except Exception as e:  # a crashing client or script is a failed check, not a crash
            problems = [f"{type(e).__name__}: {e}"]
        self.check(name, problems)

    def run_all(self, named):
        """Run `[(name, fn)]` concurrently (each fn starts a client process), report in order."""
        def guarded(fn):
            try:
                return fn()
            except Exception as e:
                return [f"{type(e).__name__}: {e}"]

        with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
            futures = [(name, pool.submit(guarded, fn)) for name, fn in named]
            for name, future in futures:
                self.check(name, future.result())


def compare(what, got, want):
    """[] when equal, else one problem naming the field."""
    return [] if got == want else [f"{what} is {got!r}, expected {want!r}"]


class Fake:
    """The fake's control plane."""

    def __init__(self, base):
        self.base = base.rstrip("/")

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.base}/_fake{path}", data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=10) as resp:
            text = resp.read()
        return json.loads(text) if text else None

    def seed(self, servers):
        return self._call("POST", "/servers", {"servers": servers})["servers"]

    def advance(self, ms):
        return self._call("POST", "/clock", {"advance_ms": ms})["now_ms"]

    def info(self):
        return self._call("GET", "/")["fake_server"]


class Cli:
    """Runs the real command-line clients with OS_* auth in a clean environment."""

    def __init__(self, base, bindir, workdir, user=USER):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update({f"OS_{k.upper()}": v
                    for k, v in sdk_checks.auth_options(base, user, PASSWORD).items()})
        env.update(OS_IDENTITY_API_VERSION="3", OS_REGION_NAME=REGION)
        self.env = env
        self.bindir = bindir
        self.workdir = workdir  # no clouds.yaml there, so only the env configures the clients

    def run(self, *argv):
        """(returncode, stdout, stderr) of `argv`, the program taken from the venv."""
        cmd = [os.path.join(self.bindir, argv[0]), *argv[1:]]
        p = subprocess.run(
            cmd, env=self.env, cwd=self.workdir, capture_output=True, text=True, timeout=120
        )
        return p.returncode, p.stdout, p.stderr

    def json(self, *argv):
        """Parsed JSON stdout of a successful command; raises naming the command otherwise."""
        rc, out, err = self.run(*argv)
        if rc != 0:
            raise RuntimeError(f"`{' '.join(argv)}` exited {rc}: {err.strip()[-300:]}")
        return json.loads(out)


def table_rows(text):
    """Rows of a prettytable as lists of stripped cells (header first)."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def table_dicts(text):
    rows = table_rows(text)
    return [dict(zip(rows[0], r)) for r in rows[1:]] if rows else []


def check_osc_list_long(checks, cli, seeded, hidden):
    visible = [s for s in seeded if s.status != "SOFT_DELETED"]
    rows = cli.json("openstack", "server", "list", "--long", "-f", "json")
    by_id = {r["ID"]: r for r in rows}
    checks.check(
        "openstack server list --long: lists exactly this project's non-soft-deleted servers",
        compare("IDs listed", sorted(by_id), sorted(s.id for s in visible)),
    )
    for s in visible:
        r = by_id.get(s.id)
        if r is None:
            checks.check(f"openstack server list --long: {s.name} row", ["missing"])
            continue
        checks.check(
            f"openstack server list --long: {s.name} shows {s.status}",
            compare("Status", r.get("Status"), s.status)
            + compare("Task State", r.get("Task State"), s.task_state)
            + compare("Power State", r.get("Power State"), s.power_state),
        )
    for s in seeded:
        if s.status == "SOFT_DELETED":
            checks.check(
                f"openstack server list --long: {s.name} is hidden (SOFT_DELETED, as in Nova)",
                [] if s.id not in by_id else ["listed"],
            )
    checks.check(
        "openstack server list --long: another project's server is not listed",
        [] if hidden.id not in by_id else ["listed"],
    )

    # The table form names power states and shows a null task state as None.
    rc, out, err = cli.run(
        "openstack", "server", "list", "--long", "-c", "ID", "-c", "Status",
        "-c", "Task State", "-c", "Power State",
    )
    problems = [] if rc == 0 else [f"exited {rc}: {err.strip()[-300:]}"]
    table = {r.get("ID"): r for r in table_dicts(out)}
    for s in visible:
        r = table.get(s.id, {})
        want_task = s.task_state if s.task_state is not None else "None"
        problems += compare(f"{s.name} Status", r.get("Status"), s.status)
        problems += compare(f"{s.name} Task State", r.get("Task State"), want_task)
        problems += compare(f"{s.name} Power State", r.get("Power State"), POWER_NAMES[s.power_state])
    checks.check("openstack server list --long (table): statuses and named power states", problems)


def check_osc_show(checks, cli, seeded, hidden):
    named = []
    for s in seeded:
        def one(s=s):
            d = cli.json("openstack", "server", "show", s.id, "-f", "json")
            return (
                compare("status", d.get("status"), s.status)
                + compare("OS-EXT-STS:vm_state", d.get("OS-EXT-STS:vm_state"), s.vm_state)
                + compare("OS-EXT-STS:task_state", d.get("OS-EXT-STS:task_state"), s.task_state)
                + compare("OS-EXT-STS:power_state", d.get("OS-EXT-STS:power_state"), s.power_state)
            )

        named.append((f"openstack server show {s.name}: {s.status} ({s.vm_state}/{s.task_state})", one))
    checks.run_all(named)

    rc, _, err = cli.run("openstack", "server", "show", hidden.id, "-f", "json")
    checks.check(
        "openstack server show: another project's server is not found",
        (compare("exit code", rc, 1) + compare("message", err.strip(), f"No Server found for {hidden.id}")),
    )


# `openstack server list --status S`: the seeded servers Nova returns (by key). Nova filters on
# the vm_state (and task_state) that status maps to, dropping the task filter for a vm_state's
# default status, so ACTIVE also returns the PASSWORD server (active/updating_password); a
# SOFT_DELETED server is hidden from a non-admin's listing even when asked for by status.
STATUS_FILTERS = {
    "SHUTOFF": ["shutoff"],
    "ERROR": ["error"],
    "PAUSED": ["paused"],
    "PASSWORD": ["password"],
    "ACTIVE": ["active", "password", "sdk-reboot"],
    "SOFT_DELETED": [],
}


def check_osc_status_filter(checks, cli, seeded):
    by_id = {s.id: s for s in seeded}
    named = []
    for status, keys in STATUS_FILTERS.items():
        def one(status=status, keys=keys):
            rows = cli.json("openstack", "server", "list", "--status", status, "-f", "json")
            want = sorted(s.id for s in seeded if s.key in keys)
            return compare("IDs", sorted(r["ID"] for r in rows), want) + [
                f"{by_id[r['ID']].name} Status is {r.get('Status')!r}, expected {by_id[r['ID']].status!r}"
                for r in rows
                if r["ID"] in by_id and r.get("Status") != by_id[r["ID"]].status
            ]

        names = ", ".join(f"interop-{k}" for k in keys) or "nothing"
        named.append((f"openstack server list --status {status}: {names}", one))
    checks.run_all(named)


def check_osc_admin_deleted(checks, admin, seeded):
    soft = next(s for s in seeded if s.status == "SOFT_DELETED")

    def one():
        rows = admin.json(
            "openstack", "server", "list", "--all-projects", "--deleted", "--status", "SOFT_DELETED",
            "-f", "json",
        )
        return compare("(ID, Status) rows", [(r["ID"], r.get("Status")) for r in rows],
                       [(soft.id, "SOFT_DELETED")])

    checks.run("openstack server list --all-projects --deleted --status SOFT_DELETED (admin): "
               f"exactly {soft.name}", one)


def show_states(cli, server_id):
    d = cli.json("openstack", "server", "show", server_id, "-f", "json")
    return (
        d.get("status"),
        d.get("OS-EXT-STS:vm_state"),
        d.get("OS-EXT-STS:task_state"),
        d.get("OS-EXT-STS:power_state"),
    )


def check_osc_hard_reboot(checks, cli, fake, server):
    rc, _, err = cli.run("openstack", "server", "reboot", "--hard", server.id)
    checks.check(
        f"openstack server reboot --hard {server.name}: accepted",
        [] if rc == 0 else [f"exited {rc}: {err.strip()[-300:]}"],
    )
    if rc != 0:
        return
    # Poll `openstack server show` until ACTIVE, advancing the fake's clock one step between polls.
    seen = []
    for _ in range(10):
        states = show_states(cli, server.id)
        seen.append(states)
        if states[0] == "ACTIVE" and states[2] is None:
            break
        fake.advance(STEP_MS)
    shown = [f"{st}/{task}" for st, _, task, _ in seen]
    checks.check(
        "openstack server show during the hard reboot: HARD_REBOOT seen",
        [] if any(st == "HARD_REBOOT" for st, *_ in seen) else [f"saw {shown}"],
    )
    # Nova's hard-reboot walk: the API sets rebooting_hard, the compute manager moves it to
    # reboot_pending_hard, then reboot_started_hard, then clears it (vm_state stays active).
    want = [
        ("HARD_REBOOT", "active", "rebooting_hard", 1),
        ("HARD_REBOOT", "active", "reboot_pending_hard", 1),
        ("HARD_REBOOT", "active", "reboot_started_hard", 1),
        ("ACTIVE", "active", None, 1),
    ]
    checks.check(
        "openstack server show during the hard reboot: one poll per step, Nova's task states in order",
        compare("(status, vm_state, task_state, power_state) per poll", seen, want),
    )
    checks.check(
        "openstack server show after the hard reboot: ACTIVE, active, task_state null",
        compare("final states", seen[-1], ("ACTIVE", "active", None, 1)),
    )


def nova_show(cli, server_id):
    rc, out, err = cli.run("nova", "show", server_id)
    if rc != 0:
        raise RuntimeError(f"`nova show` exited {rc}: {err.strip()[-300:]}")
    return {r[0]: r[1] for r in table_rows(out)[1:] if len(r) == 2}


def check_nova(checks, cli, seeded):
    named = []
    for s in seeded:
        def one(s=s):
            d = nova_show(cli, s.id)
            dash = lambda v: "-" if v is None else str(v)  # noqa: E731 - nova prints null as -
            return (
                compare("status", d.get("status"), s.status)
                + compare("OS-EXT-STS:vm_state", d.get("OS-EXT-STS:vm_state"), s.vm_state)
                + compare("OS-EXT-STS:task_state", d.get("OS-EXT-STS:task_state"), dash(s.task_state))
                + compare("OS-EXT-STS:power_state", d.get("OS-EXT-STS:power_state"), dash(s.power_state))
            )

        named.append((f"nova show {s.name}: {s.status}", one))

    def listing():
        rc, out, err = cli.run("nova", "list", "--status", "ERROR")
        if rc != 0:
            return [f"exited {rc}: {err.strip()[-300:]}"]
        rows = [(r["ID"], r["Status"], r["Task State"], r["Power State"]) for r in table_dicts(out)]
        e = next(s for s in seeded if s.status == "ERROR")
        return compare("rows (ID, Status, Task State, Power State)", rows, [(e.id, "ERROR", "-", "NOSTATE")])

    named.append(("nova list --status ERROR: exactly the ERROR server", listing))
    checks.run_all(named)


def main():
    if len(sys.argv) != 2:
        print("usage: interop.py BASE_URL", file=sys.stderr)
        return 2
    base = sys.argv[1].rstrip("/")
    bindir = os.path.dirname(sys.executable)
    fake = Fake(base)
    try:
        info = fake.info()
        if info.get("profile") != "nova" or info.get("clock") != "manual":
            raise RuntimeError(f"the fake must run with --profile nova --manual-clock, got {info}")
        created = fake.seed(
            [
                {"vm_state": vm, "task_state": task, "name": f"interop-{key}", "user": USER}
                for key, vm, task, _, _ in SEEDS
            ]
            + [{"vm_state": "active", "task_state": None, "name": "other-project", "user": "someone-else"}]
        )
    except Exception as e:
        print(f"interop: failed to seed the fake at {base}: {e}", file=sys.stderr)
        return 2
    seeded = [Seeded(*row, c["id"]) for row, c in zip(SEEDS, created)]
    hidden = Seeded("other", "active", None, "ACTIVE", 1, created[-1]["id"])
    by_key = {s.key: s for s in seeded}
    states = [s for s in seeded if s.key != "sdk-reboot"]

    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="interop-") as workdir:
        cli = Cli(base, bindir, workdir)
        check_osc_list_long(checks, cli, seeded, hidden)
        check_osc_show(checks, cli, states, hidden)
        check_osc_status_filter(checks, cli, seeded)
        # The fake gives the user `admin` the admin role (as Nova's policy does for admins).
        check_osc_admin_deleted(checks, Cli(base, bindir, workdir, user="admin"), seeded)
        check_osc_hard_reboot(checks, cli, fake, by_key["active"])
        sdk_checks.run(checks, base, fake, states, by_key["sdk-reboot"], hidden,
                       user=USER, password=PASSWORD, region=REGION, step_ms=STEP_MS)
        check_nova(checks, cli, states)
    print(f"interop: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interop: interrupted", file=sys.stderr)
        sys.exit(130)

"""openstacksdk checks for interop.py: get_server, servers(status=…), reboot_server + wait_for_server.

Runs in-process against the fake (password auth through its Keystone, region RegionOne; no
clouds.yaml or OS_* variables are read).
"""

import threading

import openstack
from openstack import exceptions


def auth_options(base, user, password):
    """Password auth as openstacksdk's options; the clients' OS_* variables are these upper-cased."""
    return dict(
        auth_url=f"{base}/identity/v3",
        username=user,
        password=password,
        project_name=user,
        user_domain_name="Default",
        project_domain_name="Default",
    )


def compare(what, got, want):
    return [] if got == want else [f"{what} is {got!r}, expected {want!r}"]


def states(server):
    return (server.status, server.vm_state, server.task_state, server.power_state)


class Ticker:
    """Advances the fake's manual clock one step every `period` seconds while running."""

    def __init__(self, fake, step_ms, period):
        self.fake = fake
        self.step_ms = step_ms
        self.period = period
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.error = None

    def _loop(self):
        while not self.stop.wait(self.period):
            try:
                self.fake.advance(self.step_ms)
            except Exception as e:  # reported by the check that started the ticker
                self.error = e
                return

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def run(checks, base, fake, seeded, reboot_server, hidden, *, user, password, region, step_ms):
    """Add the openstacksdk checks to `checks` (an interop.Checks)."""
    conn = openstack.connect(
        **auth_options(base, user, password),
        region_name=region,
        load_yaml_config=False,
        load_envvars=False,
    )

    for s in seeded:
        def get(s=s):
            got = conn.compute.get_server(s.id)
            return compare(
                "(status, vm_state, task_state, power_state)",
                states(got),
                (s.status, s.vm_state, s.task_state, s.power_state),
            )

        checks.run(f"openstacksdk get_server {s.name}: {s.status}", get)

    def missing():
        try:
            conn.compute.get_server(hidden.id)
        except exceptions.NotFoundException:
            return []
        return ["another project's server was returned"]

    checks.run("openstacksdk get_server: another project's server raises NotFoundException", missing)

    def listing():
        got = list(conn.compute.servers(status="SHUTOFF"))
        want = [s.id for s in seeded if s.status == "SHUTOFF"]
        return compare("servers(status='SHUTOFF') ids", sorted(x.id for x in got), want) + [
            f"{x.id} status is {x.status!r}" for x in got if x.status != "SHUTOFF"
        ]

    checks.run("openstacksdk servers(status='SHUTOFF'): exactly the SHUTOFF server", listing)

    def error_fails_fast():
        err = next(s for s in seeded if s.status == "ERROR")
        try:
            conn.compute.wait_for_server(conn.compute.get_server(err.id), status="ACTIVE", wait=5)
        except exceptions.ResourceFailure:
            return []
        return ["wait_for_server returned instead of raising ResourceFailure"]

    checks.run("openstacksdk wait_for_server(ERROR server, 'ACTIVE'): ResourceFailure", error_fails_fast)

    s = reboot_server

    def reboot():
        conn.compute.reboot_server(s.id, "SOFT")
        after = conn.compute.get_server(s.id)
        # The manual clock has not moved: the server shows the API's first soft-reboot task state.
        problems = compare(
            "states right after reboot_server", states(after), ("REBOOT", "active", "rebooting", 1)
        )
        with Ticker(fake, step_ms, 0.1) as ticker:
            done = conn.compute.wait_for_server(
                after, status="ACTIVE", interval=0.1, wait=30
            )
        if ticker.error:
            problems.append(f"advancing the fake's clock failed: {ticker.error}")
        problems += compare("states wait_for_server returned", states(done), ("ACTIVE", "active", None, 1))
        problems += compare("states get_server shows afterwards", states(conn.compute.get_server(s.id)),
                            ("ACTIVE", "active", None, 1))
        return problems

    checks.run(f"openstacksdk reboot_server({s.name}, 'SOFT') then wait_for_server('ACTIVE')", reboot)

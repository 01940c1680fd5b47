"""Starting upstream Nova in this process with Nova's own functional-test fixtures.

``start(options)`` builds one ``_IntegratedTestBase`` test case and runs its ``setUp``: sqlite
databases, the ``fake://`` oslo.messaging transport, in-process Placement, Nova's Glance,
Neutron and Cinder fixtures, and the conductor, scheduler and one compute service with the fake
virt driver, all in native threads. What a test case does and a small cloud must not is undone
right after set-up (see ``LocalCloud.setUp``). ``stop(case)`` runs the case's clean-ups.
"""

import contextlib
import functools
import logging
import os
import sys
import time
import unittest.mock
import warnings

from nova import monkey_patch

monkey_patch.patch()

import futurist._thread  # noqa: E402
import nova.conf  # noqa: E402
from nova.tests import fixtures as nova_fixtures  # noqa: E402
from nova.tests.functional import integrated_helpers  # noqa: E402
from nova.virt import fake as fake_virt  # noqa: E402

CONF = nova.conf.CONF

# The fake driver's operations that stand for a guest changing state. Each is slowed by
# --delay-ms, so the task_state set before it is visible to a client that polls.
DELAYED_OPERATIONS = (
    "spawn", "reboot", "power_off", "power_on", "pause", "unpause", "suspend", "resume",
    "rescue", "unrescue", "set_admin_password", "snapshot", "migrate_disk_and_power_off",
    "finish_migration", "finish_revert_migration", "confirm_migration", "destroy",
    "soft_delete", "restore",
)


@contextlib.contextmanager
def _target_cell_without_global_switch(self, context, cell_mapping):
    """CellDatabases' target_cell, minus the process-wide "current cell" switch.

    The fixture points untargeted database access at the last targeted cell, under a
    reader-writer lock; with concurrent requests that lock deadlocks (a reader's scatter-gather
    threads queue behind a waiting writer). A cloud with one cell needs no switch: untargeted
    access stays on the default cell (cell1), as a real compute's [database] points at its cell.
    """
    with self._real_target_cell(context, cell_mapping) as targeted:
        yield targeted


def slow_driver(delay_s):
    """Wraps the fake driver's guest operations so each takes at least ``delay_s`` seconds."""
    for name in DELAYED_OPERATIONS:
        original = getattr(fake_virt.FakeDriver, name)

        @functools.wraps(original)
        def slowed(self, *args, _original=original, **kwargs):
            time.sleep(delay_s)
            return _original(self, *args, **kwargs)

        setattr(fake_virt.FakeDriver, name, slowed)


class LocalCloud(integrated_helpers._IntegratedTestBase):
    """One long-lived 'test' whose set-up is the cloud."""

    # Casts stay casts: the API answers 202 at once and the compute service works afterwards,
    # as in a real cloud (the tests' default, True, makes every action synchronous).
    CAST_AS_CALL = False
    # keystonemiddleware is replaced by our own token check (see front.py), but Nova's real
    # NovaKeystoneContext builds the request context from the headers it would set.
    STUB_KEYSTONE = False
    ADMIN_API = True
    options = None

    def runTest(self):  # unittest needs one test method to build a case
        pass

    def setUp(self):
        opts = self.options
        filters = warnings.filters[:]
        max_idle = futurist._thread.ThreadWorker.MAX_IDLE_FOR
        # Token validation happens in front of the app; auth_token becomes a pass-through.
        auth = unittest.mock.patch("keystonemiddleware.auth_token.filter_factory",
                                   return_value=lambda app: app)
        auth.start()
        self.addCleanup(auth.stop)
        cells = unittest.mock.patch.object(nova_fixtures.CellDatabases, "_wrap_target_cell",
                                           _target_cell_without_global_switch)
        cells.start()
        self.addCleanup(cells.stop)
        super().setUp()
        # The test base turns every warning into an error (a SQLAlchemy deprecation warning
        # becomes a 500) and makes idle worker threads wake every 10 ms; a cloud wants neither.
        warnings.filters[:] = filters
        futurist._thread.ThreadWorker.MAX_IDLE_FOR = max_idle
        self._quiet_logs(opts.log_level)
        self._devstack_flavors()
        self._bootable_images()
        self.neutron.find_resource = self._find_security_group

    def _find_security_group(self, resource, name_or_id, project_id=None, cmd_resource=None,
                             parent_id=None, fields=None):
        """neutronclient's Client.find_resource, which Nova's NeutronFixture lacks.

        Nova looks security groups up by name with it (create with `security_groups`,
        addSecurityGroup, removeSecurityGroup); without it those answer 500.
        """
        from neutronclient.common import exceptions as n_exc
        groups = self.neutron.list_security_groups()["security_groups"]
        found = [g for g in groups if name_or_id in (g["id"], g["name"])]
        if not found:
            raise n_exc.NotFound(
                message=f"Unable to find {resource} with name or id '{name_or_id}'")
        if len(found) > 1:
            raise n_exc.NeutronClientNoUniqueMatch(resource=resource, name=name_or_id)
        return found[0]

    def _bootable_images(self):
        """Drops the fixture's four ephemeral-encryption images (random ids per start).

        The fake driver cannot boot them (no valid host), so a client picking an image from the
        catalog must not find them; the other seven fixture images stay, ids as in Nova's tree.
        """
        for name in ("eph_encryption", "eph_encryption_disabled", "eph_encryption_luks",
                     "eph_encryption_plain"):
            self.glance.images.pop(getattr(self.glance, name)["id"], None)

    def _devstack_flavors(self):
        """The fixture's flavors, less m1.tiny.specs and m1.xlarge, plus devstack's m1.nano (42).

        So the smallest flavor is unambiguous (m1.tiny.specs is m1.tiny's size) and the list is
        fake-server's: m1.tiny (1), m1.small (2), m1.medium (3), m1.large (4), m1.nano (42).
        """
        from nova import context, objects
        ctxt = context.get_admin_context()
        for test_only in ("6", "5"):  # m1.tiny.specs, m1.xlarge (16 GB: fake-server has none)
            objects.Flavor.get_by_flavor_id(ctxt, test_only).destroy()
        objects.Flavor(context=ctxt, memory_mb=128, vcpus=1, root_gb=1, flavorid="42",
                       name="m1.nano", rxtx_factor=1.0, disabled=False, is_public=True,
                       ephemeral_gb=0, swap=0).create()

    def _setup_services(self):
        opts = self.options
        self.flags(compute_driver="fake.FakeDriver")
        self.flags(allow_resize_to_same_host=True)
        self.flags(reclaim_instance_interval=opts.reclaim_interval)
        self.flags(shelved_offload_time=opts.shelved_offload_time)
        for quota in ("instances", "cores", "ram", "key_pairs", "server_groups",
                      "server_group_members"):
            self.flags(**{quota: -1, "group": "quota"})
        paste = os.path.join(sys.prefix, "etc", "nova", "api-paste.ini")
        self.flags(api_paste_config=paste, group="wsgi")
        super()._setup_services()

    def _quiet_logs(self, level):
        """Nova's test logging keeps every line in memory; send WARNING+ (or --log-level) to stderr."""
        root = logging.getLogger()
        handler = root.handlers[0]
        handler.setStream(sys.stderr)
        handler.setLevel(getattr(logging, level))

    def wsgi_app(self):
        """Nova's osapi_compute WSGI application, as its paste pipeline builds it."""
        return self.api_fixture.app()


def start(options):
    """Boots the cloud; returns the set-up test case (call ``stop`` on it)."""
    if options.delay_ms > 0:
        slow_driver(options.delay_ms / 1000.0)
    LocalCloud.options = options
    case = LocalCloud()
    case.setUp()
    return case


def stop(case):
    """Stops the services and undoes every fixture (temporary files included)."""
    logging.disable(logging.WARNING)  # the services narrate their shutdown at INFO and WARNING
    case.doCleanups()

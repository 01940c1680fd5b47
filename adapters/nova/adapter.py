"""Upstream OpenStack Nova's own `status_from_state`: derive and surface.

It answers the status `nova.api.openstack.common.status_from_state(vm_state, task_state)` gives
(nova 34.0.0, signature `(vm_state, task_state='default')`). Nova's API view
(`nova/api/openstack/compute/views/servers.py::_get_vm_status`) first checks the instance's
`deleted` flag and shows DELETED whatever the states say; cases carry no such flag, so this adapter
calls the state map alone, as the `nova` profile does.

* derive: from `case.vm_state` / `case.task_state` only.
* surface: Nova is the server side, so its "typed view" of a server is the status string it
  would put in the body. The adapter reads the server's `OS-EXT-STS:vm_state` and
  `OS-EXT-STS:task_state` (GET {compute_url}/servers/{id}, standard library HTTP, TLS verified)
  and answers `status_from_state` of them, never the body's own `status`.
* No list or wait: Nova has neither a client listing nor a waiter.
"""

import json
import logging
import sys
import urllib.request

import adapterlib

# Nova logs an error for every UNKNOWN ("Bad upgrade or db corrupted?"), which is expected here:
# probes are meant to hit it.
logging.basicConfig(stream=sys.stderr, level=logging.CRITICAL)

from nova.api.openstack.common import status_from_state  # noqa: E402

HTTP_TIMEOUT_S = 30


class Nova(adapterlib.Adapter):
    implementation = adapterlib.python_package(
        "nova", "https://opendev.org/openstack/nova")
    status_model = adapterlib.STRING_MODEL("nova.api.openstack.common.status_from_state (str)")

    def derive(self, vm_state, task_state):
        return status_from_state(vm_state, task_state)

    def connect(self, fetch):
        return urllib.request.build_opener()

    def surface(self, opener, fetch):
        request = urllib.request.Request(
            f"{fetch['compute_url'].rstrip('/')}/servers/{fetch['server_id']}",
            headers={"X-Auth-Token": fetch["token"], "Accept": "application/json"})
        with opener.open(request, timeout=HTTP_TIMEOUT_S) as response:
            server = json.load(response)["server"]
        status = status_from_state(server.get("OS-EXT-STS:vm_state"),
                                   server.get("OS-EXT-STS:task_state"))
        return status, status


if __name__ == "__main__":
    adapterlib.main(Nova)

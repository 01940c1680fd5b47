"""Derive adapter: upstream OpenStack Nova's own `status_from_state`.

It answers the status `nova.api.openstack.common.status_from_state(vm_state, task_state)` gives
(nova 34.0.0, signature `(vm_state, task_state='default')`). Nova's API view
(`nova/api/openstack/compute/views/servers.py::_get_vm_status`) first checks the instance's
`deleted` flag and shows DELETED whatever the states say; cases carry no such flag, so this adapter
calls the state map alone, as the `nova` profile does.

The answer is derived from `case.vm_state` / `case.task_state` only, never from `server.status`.
"""

import logging
import os
import sys
import warnings
from importlib.metadata import version

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import adapterlib  # noqa: E402

# Nova pulls in eventlet, which warns on import; Nova also logs an error for every UNKNOWN
# ("Bad upgrade or db corrupted?"), which is expected here: probes are meant to hit it.
warnings.simplefilter("ignore")
logging.basicConfig(stream=sys.stderr, level=logging.CRITICAL)

from nova.api.openstack.common import status_from_state  # noqa: E402

IMPLEMENTATION = {
    "name": "nova",
    "version": version("nova"),
    "language": "python",
    "homepage": "https://opendev.org/openstack/nova",
}


def answer(request):
    case = request["case"]
    return {"status": status_from_state(case["vm_state"], case["task_state"])}


if __name__ == "__main__":
    adapterlib.serve(IMPLEMENTATION, ["derive"], answer)

"""Fetch adapter: openstacksdk's `conn.compute.get_server(id)` against the fake (or a cloud).

For each case the harness has seeded a server and passes `fetch` = {compute_url, auth_url, token,
project_id, server_id}. The adapter authenticates with the token it was given (keystoneauth's
`admin_token` plugin: `X-Auth-Token` plus a fixed endpoint, so no Keystone round trip) with the
compute endpoint overridden to `compute_url`, fetches the server the way any openstacksdk user
would, and answers the `status`, `vm_state` and `task_state` the SDK surfaced, unchanged.

clouds.yaml and OS_* environment variables are deliberately not read: the harness's `fetch`
object is the whole configuration.
"""

import os
import sys
import warnings
from importlib.metadata import version

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import adapterlib  # noqa: E402

warnings.simplefilter("ignore")

import openstack.config  # noqa: E402
import openstack.connection  # noqa: E402

IMPLEMENTATION = {
    "name": "openstacksdk",
    "version": version("openstacksdk"),
    "language": "python",
    "homepage": "https://docs.openstack.org/openstacksdk/latest/",
}

# One connection per (endpoint, token): the harness usually reuses both for every case, and the
# SDK's version discovery then happens once.
_connections = {}


def connection(fetch):
    key = (fetch["compute_url"], fetch["token"])
    if key not in _connections:
        region = openstack.config.get_cloud_region(
            load_yaml_config=False,
            load_envvars=False,
            auth_type="admin_token",
            auth={"token": fetch["token"], "endpoint": fetch["compute_url"]},
            compute_endpoint_override=fetch["compute_url"],
        )
        _connections[key] = openstack.connection.Connection(config=region)
    return _connections[key]


def answer(request):
    fetch = request.get("fetch")
    if not fetch:
        return adapterlib.errored("openstacksdk only fetches: the run request has no `fetch`")
    server = connection(fetch).compute.get_server(fetch["server_id"])
    return {"status": server.status, "vm_state": server.vm_state, "task_state": server.task_state}


if __name__ == "__main__":
    adapterlib.serve(IMPLEMENTATION, ["fetch"], answer)

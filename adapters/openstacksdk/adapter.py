"""openstacksdk: fetch, surface, list and wait through `openstack.connection.Connection`.

The harness's `fetch` object is the whole configuration (clouds.yaml and OS_* variables are not
read): keystoneauth's `admin_token` plugin sends the harness's token as `X-Auth-Token` to a fixed
endpoint, with the compute endpoint overridden to `fetch.compute_url`, so there is no Keystone
round trip; one connection per (endpoint, token).

* fetch / surface: `conn.compute.get_server(id)`; `Server.status` is a plain `str` (a
  `resource.Body('status')`), so the typed value is the string itself.
* list: `conn.compute.servers(details=True)` (GET /servers/detail, following next links).
* wait: `conn.compute.wait_for_server(server, status=target, interval, wait)` (failures default
  ['ERROR'], compared case-insensitively) and `conn.compute.wait_for_delete(server, ...)`, on a
  `Server` that only has the id, so every poll is the waiter's own.
"""

import re

import adapterlib

import openstack.config
import openstack.connection
from openstack import exceptions
from openstack.compute.v2.server import Server


class OpenStackSdk(adapterlib.Adapter):
    implementation = adapterlib.python_package(
        "openstacksdk", "https://docs.openstack.org/openstacksdk/latest/")
    status_model = adapterlib.STRING_MODEL("openstack.compute.v2.server.Server.status (str)")

    def connect(self, fetch):
        region = openstack.config.get_cloud_region(
            load_yaml_config=False,
            load_envvars=False,
            auth_type="admin_token",
            auth={"token": fetch["token"], "endpoint": fetch["compute_url"]},
            compute_endpoint_override=fetch["compute_url"],
        )
        return openstack.connection.Connection(config=region)

    def fetch(self, conn, fetch):
        server = conn.compute.get_server(fetch["server_id"])
        return {"status": server.status, "vm_state": server.vm_state,
                "task_state": server.task_state}

    def surface(self, conn, fetch):
        server = conn.compute.get_server(fetch["server_id"])
        return server.status, server.status

    def list(self, conn, fetch):
        return [{"id": s.id, "status": s.status, "typed": s.status}
                for s in conn.compute.servers(details=True)]

    def wait(self, conn, fetch, wait):
        server = Server(id=fetch["server_id"])
        timing = {"interval": wait["interval_s"], "wait": wait["timeout_s"]}
        try:
            if wait["until"] == "deleted":
                conn.compute.wait_for_delete(server, **timing)
                return adapterlib.waited("gone", None, "wait_for_delete returned")
            server = conn.compute.wait_for_server(server, status=wait["target"], **timing)
            return adapterlib.waited("reached", server.status)
        except exceptions.ResourceFailure as exc:
            # "Server:ID transitioned to failure state ERROR"; the exception holds no resource.
            seen = re.search(r"failure state (.*)$", str(exc))
            return adapterlib.waited("failed", seen and seen.group(1), f"ResourceFailure: {exc}")
        except exceptions.ResourceTimeout as exc:
            return adapterlib.waited("timeout", None, f"ResourceTimeout: {exc}")
        except exceptions.NotFoundException as exc:
            # wait_for_server re-fetches the server; a 404 surfaces as the SDK's NotFound error.
            return adapterlib.waited("gone", None, f"NotFoundException: {exc}")


if __name__ == "__main__":
    adapterlib.main(OpenStackSdk)

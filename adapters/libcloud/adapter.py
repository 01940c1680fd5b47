"""apache-libcloud's OpenStack compute driver: fetch, surface and list; its NodeState mapping.

The driver (`get_driver(Provider.OPENSTACK)`, libcloud's `OpenStack_2_NodeDriver`) is built from
the harness's `fetch` object alone: `ex_force_auth_token` (the harness's token, sent as
`X-Auth-Token`) with `ex_force_base_url=fetch.compute_url`, so libcloud never authenticates.

libcloud turns a Nova server body into a `Node` whose `state` is one of its own `NodeState`
values, through the driver's `NODE_STATE_MAP` (`NodeState.UNKNOWN` for a status not in it), and
keeps no copy of the raw `status`. The handshake's `status_model` is that dict, read from the
installed package at start-up, so the harness judges libcloud's own table.

To report the raw status beside the Node, the adapter makes the driver's two steps itself, on
the same response: `ex_get_node_details(id)` is `connection.request("/servers/<id>")` then
`_to_node_from_obj(body)`, and `list_nodes()` is `_to_nodes(_paginated_request(
"/servers/detail", "servers", connection))`.

* fetch: the raw `status` libcloud's connection received, with the `vm_state` / `task_state`
  the Node keeps in `extra`. This certifies the transport only; what libcloud's model shows for
  each status is judged by `surface` and `list`.
* surface: (raw status, `node.state`).
* list: every Node of the listing, (id, raw status, `node.state`).
* wait: declared and skipped. libcloud's only waiter, `NodeDriver.wait_until_running`, polls
  `list_nodes` until every node is RUNNING *and* has an IP address: no other target, no failure
  state, no delete waiter.
"""


import adapterlib

from libcloud.compute.providers import get_driver
from libcloud.compute.types import NodeState, Provider

DRIVER = get_driver(Provider.OPENSTACK)


def status_model():
    """libcloud's own table, as the installed driver has it."""
    values = {raw: str(state) for raw, state in DRIVER.NODE_STATE_MAP.items()}
    return {"kind": "enum", "name": f"libcloud.compute.types.NodeState ({DRIVER.__name__}"
                                    ".NODE_STATE_MAP)",
            "values": values, "unknown": str(NodeState.UNKNOWN)}


class Libcloud(adapterlib.Adapter):
    implementation = adapterlib.python_package(
        "apache-libcloud", "https://libcloud.apache.org/")
    status_model = status_model()
    skip = {"wait": "apache-libcloud 3.9.1's only waiter, NodeDriver.wait_until_running, waits "
                    "for RUNNING plus an IP address through list_nodes (no other target, no "
                    "failure state, no delete waiter)"}

    def connect(self, fetch):
        return DRIVER("conformance", "unused", ex_force_auth_token=fetch["token"],
                      ex_force_base_url=fetch["compute_url"],
                      ex_force_auth_url=fetch.get("auth_url"),
                      ex_force_auth_version="3.x_password",
                      ex_tenant_name=fetch["project_id"])

    def _node(self, driver, fetch):
        body = driver.connection.request(f"/servers/{fetch['server_id']}").object
        return body["server"]["status"], driver._to_node_from_obj(body)

    def fetch(self, driver, fetch):
        raw, node = self._node(driver, fetch)
        return {"status": raw, "vm_state": node.extra.get("vm_state"),
                "task_state": node.extra.get("task_state")}

    def surface(self, driver, fetch):
        raw, node = self._node(driver, fetch)
        return raw, node.state

    def list(self, driver, fetch):
        listing = DRIVER._paginated_request("/servers/detail", "servers", driver.connection)
        bodies, nodes = listing["servers"], driver._to_nodes(listing)
        return [{"id": node.id, "status": body["status"], "typed": node.state}
                for body, node in zip(bodies, nodes, strict=True)]


if __name__ == "__main__":
    adapterlib.main(Libcloud)

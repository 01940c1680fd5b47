"""python-novaclient: fetch, surface and list through `novaclient.client.Client`; no waiter.

The client is built from the harness's `fetch` object alone: a keystoneauth session with the
`token_endpoint.Token` plugin (the harness's token, sent as `X-Auth-Token`, no Keystone round
trip) and `endpoint_override=fetch.compute_url`, at novaclient's newest microversion
(`novaclient.API_MAX_VERSION`, 2.96 in 18.13.1), as `nova --os-compute-api-version 2.latest`
would negotiate against a current Nova. One client per (endpoint, token).

* fetch / surface: `nova.servers.get(id)`; `Server` is a `novaclient.base.Resource` whose
  attributes are the body's keys, so `status` is the body's string and the typed value is that
  same string. `OS-EXT-STS:vm_state` / `OS-EXT-STS:task_state` are read with getattr (they are
  not Python identifiers).
* list: `nova.servers.list(detailed=True, limit=-1)`, novaclient's documented "all servers"
  call (it follows markers until an empty page).
* wait: declared and skipped. novaclient's library has no waiter; the only polling loop in the
  package is `novaclient.v2.shell._poll_for_status`, a private helper of the deprecated `nova`
  CLI (`nova boot --poll`): it prints progress to stdout and has no timeout.
"""


import adapterlib

import novaclient
from keystoneauth1 import session, token_endpoint
from novaclient import client as nova_client


class NovaClient(adapterlib.Adapter):
    implementation = adapterlib.python_package(
        "python-novaclient", "https://docs.openstack.org/python-novaclient/latest/")
    status_model = adapterlib.STRING_MODEL("novaclient.v2.servers.Server.status (str)")
    skip = {"wait": "python-novaclient 18.13.1 has no waiter in its library API (the only poll "
                    "loop is the nova CLI's private v2.shell._poll_for_status, with no timeout)"}

    def connect(self, fetch):
        auth = token_endpoint.Token(fetch["compute_url"], fetch["token"])
        return nova_client.Client(novaclient.API_MAX_VERSION.get_string(),
                                  session=session.Session(auth=auth),
                                  endpoint_override=fetch["compute_url"])

    def fetch(self, nova, fetch):
        server = nova.servers.get(fetch["server_id"])
        return {"status": server.status,
                "vm_state": getattr(server, "OS-EXT-STS:vm_state"),
                "task_state": getattr(server, "OS-EXT-STS:task_state")}

    def surface(self, nova, fetch):
        server = nova.servers.get(fetch["server_id"])
        return server.status, server.status

    def list(self, nova, fetch):
        return [{"id": s.id, "status": s.status, "typed": s.status}
                for s in nova.servers.list(detailed=True, limit=-1)]


if __name__ == "__main__":
    adapterlib.main(NovaClient)

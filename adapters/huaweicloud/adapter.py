"""huaweicloudsdkecs: fetch, surface and list through `EcsClient`; no server-status waiter.

Huawei's native ECS API lives at `{origin}/v1/{project_id}/cloudservers/...`, where `origin` is
the scheme, host and port of `fetch.compute_url`. The SDK is pointed there with
`with_endpoint(origin)` and `BasicCredentials` with any AK/SK plus the project id (with a project
id the SDK makes no IAM call; the fake ignores the request signature). Every call goes through
the SDK's own invoker (`show_server_invoker(request).add_header("X-Auth-Token", token).invoke()`,
the same request and response model as `show_server`), so it also carries the harness's token:
ECS accepts IAM tokens, and the fake's journal proves the fetch by that token.

* fetch / surface: `show_server` -> `ServerDetail`; its `status` is a plain `str` (the
  docstring lists 17 values, without RESCUE, PASSWORD or UNKNOWN, but nothing checks them).
* list: `list_servers_details` (GET /v1/{project_id}/cloudservers/detail), page by page
  (`offset` is ECS's page number, `limit` at most 1000) until a short page.
* wait: declared and skipped. huaweicloudsdkecs 3.1.219 has no waiter for a server's status:
  its only polling aid is the generic `SyncInvoker.with_retry(retry_condition, max_retries<=10,
  backoff_strategy)` from huaweicloudsdkcore, which re-sends one request while a caller-written
  condition holds; the target, the failure set and the timeout would all be this adapter's code,
  so it would certify the adapter, not the SDK.
"""

from urllib.parse import urlsplit

import adapterlib

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkecs.v2 import EcsClient, ListServersDetailsRequest, ShowServerRequest

# The SDK wants credentials; the fake accepts any.
ACCESS_KEY = "CONFORMANCE-AK"
SECRET_KEY = "CONFORMANCE-SK"
# ECS pages by page number (`offset`, from 1) and at most 1000 servers a page.
PAGE_SIZE = 1000
MAX_PAGES = 100


def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class HuaweiCloud(adapterlib.Adapter):
    implementation = adapterlib.python_package(
        "huaweicloudsdkecs", "https://github.com/huaweicloud/huaweicloud-sdk-python-v3")
    status_model = adapterlib.STRING_MODEL("huaweicloudsdkecs.v2.ServerDetail.status (str)")
    skip = {"wait": "huaweicloudsdkecs 3.1.219 has no server-status waiter (only the generic "
                    "SyncInvoker.with_retry, whose stop condition the caller writes)"}

    def client_key(self, fetch):
        return (origin(fetch["compute_url"]), fetch["project_id"])

    def connect(self, fetch):
        config = HttpConfig.get_default_config()
        config.timeout = (5, 30)
        credentials = BasicCredentials(ACCESS_KEY, SECRET_KEY, fetch["project_id"])
        return (EcsClient.new_builder()
                .with_credentials(credentials)
                .with_http_config(config)
                .with_endpoint(origin(fetch["compute_url"]))
                .build())

    def _call(self, client, fetch, operation, request):
        """`client.<operation>(request)` through the SDK's invoker, adding the harness's token:
        ECS accepts an IAM token (X-Auth-Token) besides the AK/SK signature, and the token is
        what proves to the harness that this adapter made the request."""
        invoker = getattr(client, f"{operation}_invoker")(request)
        return invoker.add_header("X-Auth-Token", fetch["token"]).invoke()

    def _show(self, client, fetch):
        request = ShowServerRequest(server_id=fetch["server_id"])
        server = self._call(client, fetch, "show_server", request).server
        if server is None:
            raise ValueError("ShowServer answered without a `server`")
        return server

    def fetch(self, client, fetch):
        server = self._show(client, fetch)
        return {"status": server.status, "vm_state": server.os_ext_st_svm_state,
                "task_state": server.os_ext_st_stask_state}

    def surface(self, client, fetch):
        server = self._show(client, fetch)
        return server.status, server.status

    def list(self, client, fetch):
        servers = []
        for page in range(1, MAX_PAGES + 1):
            request = ListServersDetailsRequest(limit=PAGE_SIZE, offset=page)
            batch = self._call(client, fetch, "list_servers_details", request).servers or []
            servers += [{"id": s.id, "status": s.status, "typed": s.status} for s in batch]
            if len(batch) < PAGE_SIZE:
                return servers
        raise RuntimeError(f"list_servers_details still returning full pages after {MAX_PAGES}")


if __name__ == "__main__":
    adapterlib.main(HuaweiCloud)

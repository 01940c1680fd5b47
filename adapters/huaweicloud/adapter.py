"""Fetch adapter: Huawei Cloud's Python SDK, `EcsClient.show_server` (`huaweicloudsdkecs`).

For each case the harness has seeded a server and passes `fetch` = {compute_url, auth_url, token,
project_id, server_id}. Huawei's native ECS API lives at
`{origin}/v1/{project_id}/cloudservers/{server_id}`, where `origin` is the scheme, host and port of
`compute_url`. The SDK is pointed there with `with_endpoint(origin)` and `BasicCredentials` with
any AK/SK plus the project id (with a project id the SDK makes no IAM call; the fake ignores the
request signature). The answer is the `status`, `OS-EXT-STS:vm_state` and `OS-EXT-STS:task_state`
the SDK's `ServerDetail` model surfaced, unchanged.
"""

import os
import sys
import warnings
from importlib.metadata import version
from urllib.parse import urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import adapterlib  # noqa: E402

warnings.simplefilter("ignore")

from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402
from huaweicloudsdkcore.exceptions.exceptions import SdkException  # noqa: E402
from huaweicloudsdkcore.http.http_config import HttpConfig  # noqa: E402
from huaweicloudsdkecs.v2 import EcsClient, ShowServerRequest  # noqa: E402

IMPLEMENTATION = {
    "name": "huaweicloudsdkecs",
    "version": version("huaweicloudsdkecs"),
    "language": "python",
    "homepage": "https://github.com/huaweicloud/huaweicloud-sdk-python-v3",
}

# The SDK wants credentials; the fake accepts any.
ACCESS_KEY = "CONFORMANCE-AK"
SECRET_KEY = "CONFORMANCE-SK"

_clients = {}


def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def client(fetch):
    key = (origin(fetch["compute_url"]), fetch["project_id"])
    if key not in _clients:
        config = HttpConfig.get_default_config()
        config.timeout = (5, 30)
        credentials = BasicCredentials(ACCESS_KEY, SECRET_KEY, fetch["project_id"])
        _clients[key] = (
            EcsClient.new_builder()
            .with_credentials(credentials)
            .with_http_config(config)
            .with_endpoint(key[0])
            .build()
        )
    return _clients[key]


def answer(request):
    fetch = request.get("fetch")
    if not fetch:
        return adapterlib.errored("huaweicloudsdkecs only fetches: the run request has no `fetch`")
    try:
        server = client(fetch).show_server(ShowServerRequest(server_id=fetch["server_id"])).server
    except SdkException as exc:
        # The SDK's exceptions carry the HTTP status and Huawei's error code; keep them in one line.
        return adapterlib.errored(f"{type(exc).__name__}: {exc}")
    if server is None:
        return adapterlib.errored("ShowServer answered without a `server`")
    return {
        "status": server.status,
        "vm_state": server.os_ext_st_svm_state,
        "task_state": server.os_ext_st_stask_state,
    }


if __name__ == "__main__":
    adapterlib.serve(IMPLEMENTATION, ["fetch"], answer)

"""The one HTTP front door: ``/identity`` (Keystone), ``/compute`` (Nova), ``/image`` (Glance).

Requests to Nova's API (``/compute/v2.1/...``, ``/compute/v2/...``) need a live token. The
token's user, project and roles become the headers keystonemiddleware's auth_token sets
(``X-User-Id``, ``X-Project-Id``, ``X-Roles``, ...), and Nova's own NovaKeystoneContext turns
them into the request context, so Nova's real policy rules decide. Identity headers sent by the
client are dropped first, so they cannot be forged.
"""

import re
import socketserver
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from nova_local.keystone import error

_NEEDS_TOKEN = re.compile(r"^/v2(\.1)?/.")
_IDENTITY_HEADERS = re.compile(
    r"^HTTP_X_(USER|PROJECT|ROLES|ROLE|TENANT|DOMAIN|IDENTITY_STATUS|SERVICE|IS_ADMIN|AUTH_USER|"
    r"SYSTEM|SUBJECT|AUTH_PROJECT)")


class Front:
    def __init__(self, identity, images, nova_app):
        self.identity = identity
        self.images = images
        self.nova_app = nova_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        for prefix, app in (("/identity", self.identity.app), ("/image", self.images.app),
                            ("/compute", self._compute)):
            if path == prefix or path.startswith(prefix + "/"):
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
                environ["PATH_INFO"] = path[len(prefix):]
                return app(environ, start_response)
        if path in ("", "/"):
            return self.identity.app(dict(environ, PATH_INFO=""), start_response)
        return error(start_response, 404, "Not Found",
                     f"nothing at {path}: try /identity/v3, /compute/v2.1 or /image")

    def _compute(self, environ, start_response):
        for key in [k for k in environ if _IDENTITY_HEADERS.match(k)]:
            del environ[key]
        if _NEEDS_TOKEN.match(environ["PATH_INFO"]):
            rec = self.identity.validate(environ.get("HTTP_X_AUTH_TOKEN"))
            if rec is None or rec["project"] is None:
                return error(start_response, 401, "Unauthorized",
                             "The request you have made requires authentication.",
                             [("WWW-Authenticate",
                               f'Keystone uri="{self.identity.base_url}/identity"')])
            user, project = rec["user"], rec["project"]
            environ.update({
                "HTTP_X_IDENTITY_STATUS": "Confirmed",
                "HTTP_X_USER_ID": user["id"], "HTTP_X_USER_NAME": user["name"],
                "HTTP_X_USER_DOMAIN_ID": "default", "HTTP_X_USER_DOMAIN_NAME": "Default",
                "HTTP_X_PROJECT_ID": project["id"], "HTTP_X_PROJECT_NAME": project["name"],
                "HTTP_X_PROJECT_DOMAIN_ID": "default", "HTTP_X_PROJECT_DOMAIN_NAME": "Default",
                "HTTP_X_ROLES": ",".join(r["name"] for r in user["roles"]),
            })
        return self.nova_app(environ, start_response)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):  # no access log: it would carry nothing useful to a client
        pass


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # socketserver's default, 5, refuses connections under load


def bind(host, port):
    """Binds (port 0: any free port) before anything else, so the URLs are known early."""
    return _Server((host, port), _QuietHandler)


def serve(server, app):
    """Serves ``app`` on a bound server in a daemon thread."""
    server.set_app(app)
    threading.Thread(target=server.serve_forever, name="nova-local-http", daemon=True).start()

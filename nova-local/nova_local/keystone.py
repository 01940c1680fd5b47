"""A minimal Keystone v3: password (and token) authentication, token validation, a catalog.

Only what OpenStack clients need to talk to one compute endpoint and one image endpoint:
``GET /identity`` and ``/identity/v3`` (version documents), ``POST /identity/v3/auth/tokens``
(methods ``password`` and ``token``, scoped to a project by id or by name and domain),
``GET``/``HEAD``/``DELETE /identity/v3/auth/tokens`` (validate, check, revoke) and
``GET /identity/v3/auth/projects``. Tokens are random, live ``TOKEN_TTL`` seconds, and are never
logged.
"""

import datetime
import hashlib
import json
import secrets
import threading
import uuid

TOKEN_TTL = 3600
DOMAIN = {"id": "default", "name": "Default"}
REGION = "RegionOne"

# name -> (password, project name, roles). Overridable with --users FILE (same format as
# fake-server's: {"users": [{"name", "password", "project", "roles"}]}).
DEFAULT_USERS = [
    {"name": "admin", "password": "admin", "project": "admin", "roles": ["admin", "member", "reader"]},
    {"name": "demo", "password": "demo", "project": "demo", "roles": ["member", "reader"]},
]


def stable_id(kind, name):
    """A Keystone-style 32-hex id that is the same on every start (uuid5 of kind and name)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"nova-local:{kind}:{name}").hex


def _iso(ts):
    return ts.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def json_response(start_response, status, body, headers=()):
    data = json.dumps(body).encode() if body is not None else b""
    hdrs = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    start_response(status, hdrs + list(headers))
    return [data]


def error(start_response, code, title, message, headers=()):
    body = {"error": {"code": code, "title": title, "message": message}}
    return json_response(start_response, f"{code} {title}", body, headers)


class Identity:
    """Users, projects and live tokens; ``app`` is the WSGI application under ``/identity``."""

    def __init__(self, users, base_url):
        self.base_url = base_url
        self.users = {}
        self.projects = {}
        for u in users:
            project = {"id": stable_id("project", u["project"]), "name": u["project"],
                       "domain": dict(DOMAIN)}
            self.projects[project["id"]] = project
            self.users[u["name"]] = {
                "id": stable_id("user", u["name"]), "name": u["name"],
                "password": u["password"], "project": project,
                "roles": [{"id": stable_id("role", r), "name": r} for r in u["roles"]],
            }
        self._tokens = {}
        self._lock = threading.Lock()

    # -- catalog ---------------------------------------------------------------------------
    def catalog(self):
        def service(kind, name, url):
            return {"id": stable_id("service", kind), "type": kind, "name": name,
                    "endpoints": [{"id": stable_id("endpoint", f"{kind}/{i}"), "interface": i,
                                   "region": REGION, "region_id": REGION, "url": url}
                                  for i in ("public", "internal", "admin")]}
        return [
            service("identity", "keystone", f"{self.base_url}/identity"),
            service("compute", "nova", f"{self.base_url}/compute/v2.1"),
            service("image", "glance", f"{self.base_url}/image"),
        ]

    # -- tokens ----------------------------------------------------------------------------
    def validate(self, token):
        """The token's record if it is live, else None."""
        if not token:
            return None
        with self._lock:
            rec = self._tokens.get(token)
        if rec is None or rec["expires"] <= datetime.datetime.now(datetime.timezone.utc):
            return None
        return rec

    def _issue(self, user, project, methods):
        now = datetime.datetime.now(datetime.timezone.utc)
        rec = {"user": user, "project": project, "methods": methods, "issued": now,
               "expires": now + datetime.timedelta(seconds=TOKEN_TTL),
               "audit": secrets.token_urlsafe(16)[:22]}
        token = "gAAAAA" + secrets.token_urlsafe(48)
        with self._lock:
            self._tokens[token] = rec
        return token, rec

    def token_body(self, rec):
        user = rec["user"]
        token = {"methods": rec["methods"], "expires_at": _iso(rec["expires"]),
                 "issued_at": _iso(rec["issued"]), "audit_ids": [rec["audit"]],
                 "user": {"id": user["id"], "name": user["name"], "domain": dict(DOMAIN),
                          "password_expires_at": None}}
        if rec["project"] is not None:
            token.update(project=rec["project"], roles=user["roles"], catalog=self.catalog(),
                         is_domain=False)
        return {"token": token}

    def _find_user(self, spec):
        if "id" in spec:
            return next((u for u in self.users.values() if u["id"] == spec["id"]), None)
        return self.users.get(spec.get("name"))

    def _scope(self, user, scope):
        """The project a scope names, or (None, message) when the user has no role on it."""
        if not scope:
            return None, None
        proj = scope.get("project")
        if not isinstance(proj, dict):
            return None, "only project scope is supported"
        want = user["project"]
        if proj.get("id", want["id"]) != want["id"] or proj.get("name", want["name"]) != want["name"]:
            return None, "You are not authorized to perform the requested action."
        return want, None

    def authenticate(self, body):
        """(token, record) or (None, (code, title, message))."""
        try:
            auth = body["auth"]
            identity = auth["identity"]
            methods = identity["methods"]
        except (KeyError, TypeError):
            return None, (400, "Bad Request", "Expecting to find auth.identity.methods in request body.")
        if "password" in methods:
            spec = identity.get("password", {}).get("user", {})
            user = self._find_user(spec)
            if user is None or not secrets.compare_digest(
                    str(spec.get("password", "")), user["password"]):
                return None, (401, "Unauthorized", "The request you have made requires authentication.")
        elif "token" in methods:
            prior = self.validate(identity.get("token", {}).get("id"))
            if prior is None:
                return None, (401, "Unauthorized", "The request you have made requires authentication.")
            user = prior["user"]
        else:
            return None, (401, "Unauthorized", f"Unsupported auth methods: {methods}")
        project, problem = self._scope(user, auth.get("scope"))
        if problem:
            return None, (401, "Unauthorized", problem)
        return self._issue(user, project, methods)

    # -- WSGI ------------------------------------------------------------------------------
    def app(self, environ, start_response):
        path = environ.get("PATH_INFO", "").rstrip("/")
        method = environ["REQUEST_METHOD"]
        if path in ("", "/v3") and method == "GET":
            return json_response(start_response, "200 OK", self._versions(path))
        if path == "/v3/auth/tokens":
            return self._tokens_endpoint(environ, start_response, method)
        if path == "/v3/auth/projects" and method == "GET":
            rec = self.validate(environ.get("HTTP_X_AUTH_TOKEN"))
            if rec is None:
                return error(start_response, 401, "Unauthorized",
                             "The request you have made requires authentication.")
            return json_response(start_response, "200 OK",
                                 {"projects": [rec["user"]["project"]], "links": {}})
        return error(start_response, 404, "Not Found", f"Could not find: {path or '/'}")

    def _versions(self, path):
        v3 = {"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
              "links": [{"rel": "self", "href": f"{self.base_url}/identity/v3/"}],
              "media-types": [{"base": "application/json",
                               "type": "application/vnd.openstack.identity-v3+json"}]}
        if path == "/v3":
            return {"version": v3}
        return {"versions": {"values": [v3]}}

    def _tokens_endpoint(self, environ, start_response, method):
        if method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = json.loads(environ["wsgi.input"].read(length) or b"null")
            except ValueError:
                return error(start_response, 400, "Bad Request", "Malformed JSON body.")
            token, rec = self.authenticate(body)
            if token is None:
                return error(start_response, *rec)
            return json_response(start_response, "201 Created", self.token_body(rec),
                                 [("X-Subject-Token", token)])
        caller = self.validate(environ.get("HTTP_X_AUTH_TOKEN"))
        if caller is None:
            return error(start_response, 401, "Unauthorized",
                         "The request you have made requires authentication.")
        subject = environ.get("HTTP_X_SUBJECT_TOKEN")
        rec = self.validate(subject)
        if method == "DELETE" and rec is not None:
            with self._lock:
                self._tokens.pop(subject, None)
            start_response("204 No Content", [])
            return [b""]
        if rec is None:
            return error(start_response, 404, "Not Found", "Could not find token.")
        if method == "HEAD":
            start_response("200 OK", [("X-Subject-Token", subject)])
            return [b""]
        return json_response(start_response, "200 OK", self.token_body(rec),
                             [("X-Subject-Token", subject)])


def fingerprint(token):
    """The first 16 hex digits of sha256(token): how a token may appear in logs."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]

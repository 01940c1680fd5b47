"""The two sides of a parity run: fake-server and nova-local, each a process on a loopback port.

``start_fake`` and ``start_nova`` launch them with the same users (``USERS``), wait for their
ready line and return a ``Target``; ``Target.close`` stops the process. ``Target.session(user)``
logs in through the side's own Keystone and returns a ``Session`` for its compute endpoint.
"""

import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import threading
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The same users on both sides: the owner of most scenarios, an admin, and a second project
# that list scenarios use so other scenarios' servers never show up in their listings.
USERS = [
    {"name": "admin", "password": "admin", "project": "admin", "roles": ["admin", "member", "reader"]},
    {"name": "demo", "password": "demo", "project": "demo", "roles": ["member", "reader"]},
    {"name": "lister", "password": "lister", "project": "lister", "roles": ["member", "reader"]},
]


class SetupError(Exception):
    """A side could not be started or reached (exit 2)."""


class Session:
    """One logged-in user of one side: GET/POST/... relative to the compute endpoint."""

    def __init__(self, compute_url, token, project_id):
        self.compute_url = compute_url.rstrip("/")
        self.project_id = project_id
        self.http = requests.Session()
        self.http.headers.update({"X-Auth-Token": token, "Accept": "application/json"})

    def call(self, method, path, body=None, microversion=None, timeout=30):
        headers = {}
        if microversion:
            headers["OpenStack-API-Version"] = f"compute {microversion}"
            headers["X-OpenStack-Nova-API-Version"] = microversion
        if body is not None:
            headers["Content-Type"] = "application/json"
        resp = self.http.request(method, self.compute_url + path, headers=headers,
                                 data=None if body is None else json.dumps(body),
                                 timeout=timeout)
        try:
            parsed = resp.json() if resp.content else None
        except ValueError:
            parsed = {"<non-json>": resp.text[:200]}
        return resp.status_code, parsed, resp.headers


class Target:
    """One side. ``referee`` (nova-local): its 5xx answers and stuck servers are infrastructure
    errors, not differences (see steps.InfraError)."""

    def __init__(self, name, proc, auth_url, tmp, referee=False):
        self.name = name
        self.referee = referee
        self.proc = proc
        self.auth_url = auth_url
        self.tmp = tmp
        self._sessions = {}
        self._lock = threading.Lock()

    def session(self, user):
        with self._lock:
            if user not in self._sessions:
                self._sessions[user] = self._login(user)
            return self._sessions[user]

    def _login(self, user):
        u = next((x for x in USERS if x["name"] == user), None)
        if u is None:
            raise SetupError(f"no user `{user}` (known: {', '.join(x['name'] for x in USERS)})")
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": u["name"], "password": u["password"], "domain": {"name": "Default"}}}},
            "scope": {"project": {"name": u["project"], "domain": {"name": "Default"}}}}}
        resp = requests.post(self.auth_url + "/auth/tokens", json=body, timeout=30)
        if resp.status_code != 201:
            raise SetupError(f"{self.name}: login as {user} answered {resp.status_code}")
        token = resp.json()["token"]
        compute = [e["url"] for s in token.get("catalog", []) if s["type"] == "compute"
                   for e in s["endpoints"] if e["interface"] == "public"]
        if not compute:
            raise SetupError(f"{self.name}: the catalog has no public compute endpoint")
        return Session(compute[0], resp.headers["X-Subject-Token"], token["project"]["id"])

    def close(self):
        """Stops the process and removes its temporary directory (the users file)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _read_ready(proc, name, pattern, timeout):
    """Reads stdout lines until one matches ``pattern``; returns the match."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line.strip())
            m = re.search(pattern, line)
            if m:
                return m
        elif proc.poll() is not None:
            break
    proc.kill()
    raise SetupError(f"{name} did not print its ready line within {timeout} s "
                     f"(exit {proc.poll()}; stdout: {seen[-3:]})")


def _users_file(tmp):
    path = os.path.join(tmp, "users.json")
    with open(path, "w") as f:
        json.dump({"users": USERS}, f)
    return path


def start_fake(binary, step_ms, extra_args=()):
    tmp = tempfile.mkdtemp(prefix="parity-fake-")
    args = [binary, "--listen", "127.0.0.1:0", "--profile", "nova", "--step-ms", str(step_ms),
            "--users", _users_file(tmp), *extra_args]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    m = _read_ready(proc, "fake-server", r"identity=(\S+)", 60)
    return Target("fake", proc, m.group(1), tmp)


def start_nova(delay_ms, extra_args=()):
    tmp = tempfile.mkdtemp(prefix="parity-nova-")
    args = [os.path.join(ROOT, "nova-local", "run"), "--delay-ms", str(delay_ms),
            "--users", _users_file(tmp), *extra_args]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    m = _read_ready(proc, "nova-local", r"^(\{.*\})$", 900)
    info = json.loads(m.group(1))["nova_local"]
    return Target("nova", proc, info["auth_url"], tmp, referee=True)

"""Test support: a standalone fake-server and a protocol driver for one adapter process.

Standard library only. `Fake` starts `cargo run -q -p fake-server -- --listen 127.0.0.1:0` (or
`$FAKE_SERVER`, a path to a built binary) and talks to its control plane; `AdapterProcess`
speaks the adapter protocol (adapters/PROTOCOL.md, DESIGN v2 section 2) to `adapters/NAME/run`
with a timeout on every answer.
"""

import json
import os
import queue
import subprocess
import threading
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ADAPTERS = os.path.join(ROOT, "adapters")
# A first start installs the adapter's venv; later starts take seconds.
START_TIMEOUT_S = float(os.environ.get("ADAPTER_START_TIMEOUT", "600"))
ANSWER_TIMEOUT_S = 60


def _json_request(method, url, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **(headers or {})}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
        return response.headers, (json.loads(text) if text else None)


class Fake:
    """A standalone fake-server on an ephemeral loopback port."""

    def __init__(self, *args):
        binary = os.environ.get("FAKE_SERVER")
        command = ([os.path.abspath(binary)] if binary else
                   ["cargo", "run", "-q", "-p", "fake-server", "--"])
        self.process = subprocess.Popen(
            command + ["--listen", "127.0.0.1:0", *args], cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("fake-server listening on "):
            self.stop()
            raise RuntimeError(f"fake-server did not start: {line!r}")
        self.base = line.split()[3]
        self.compute_url = f"{self.base}/compute/v2.1"
        self.auth_url = f"{self.base}/identity/v3"
        self.token, self.project_id = self.login("admin")

    def login(self, user):
        """(token, project id) of a password login; any user but `admin` is a plain member."""
        headers, body = _json_request("POST", f"{self.auth_url}/auth/tokens", {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": user, "password": "x", "domain": {"name": "Default"}}}}}})
        return headers["X-Subject-Token"], body["token"]["project"]["id"]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stdout.close()

    def control(self, method, path, body=None):
        return _json_request(method, f"{self.base}/_fake/{path}", body)[1]

    def seed(self, *servers):
        """POST /_fake/servers; returns the created servers ({id, name, project_id})."""
        return self.control("POST", "servers", {"servers": list(servers)})["servers"]

    def fetch(self, server=None, login=None):
        """The `fetch` object of a run request (without server_id when `server` is None), with
        the admin token or `login` = (token, project id)."""
        token, project_id = login or (self.token, self.project_id)
        fetch = {"compute_url": self.compute_url, "auth_url": self.auth_url,
                 "token": token, "project_id": project_id}
        if server:
            fetch["server_id"] = server["id"]
        return fetch

    def journal(self, after=None):
        query = "" if after is None else f"?after={after}"
        return self.control("GET", f"journal{query}")["requests"]

    def last_seq(self):
        entries = self.journal()
        return entries[-1]["seq"] if entries else 0

    def served(self, server_id, after):
        """What each GET of one server after journal entry `after` was served: a status, with
        the task_state when one was set (`"ACTIVE/powering-off"`), or 404."""
        polls = []
        for entry in self.journal(after):
            if entry["method"] != "GET" or entry.get("server_id") != server_id:
                continue
            served = entry.get("served")
            if served is None:
                polls.append(entry["status"])
            else:
                task = served["task_state"]
                polls.append(served["status"] + (f"/{task}" if task else ""))
        return polls

    def server_gets(self, server_id):
        """Journal entries for GETs of one server (Nova or ECS path)."""
        return [e for e in self.journal()
                if e["method"] == "GET" and e["path"].endswith(f"/{server_id}")]


class AdapterProcess:
    """One adapter process: `start`, `run`, `stop` as the harness sends them."""

    def __init__(self, name):
        self.name = name
        self.process = subprocess.Popen(
            [os.path.join(ADAPTERS, name, "run")], cwd=ROOT, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self._lines = queue.Queue()
        self._stderr = []
        threading.Thread(target=self._pump, args=(self.process.stdout, self._lines.put, True),
                         daemon=True).start()
        threading.Thread(target=self._pump, args=(self.process.stderr, self._stderr.append),
                         daemon=True).start()
        self.seq = 0

    @staticmethod
    def _pump(stream, sink, mark_eof=False):
        for line in stream:
            sink(line)
        if mark_eof:
            sink(None)

    def send(self, message, timeout=ANSWER_TIMEOUT_S):
        """Writes one request line and returns the decoded answer line."""
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"{self.name}: no answer within {timeout} s to {message}; "
                                 f"stderr: {self.stderr()}") from None
        if line is None:
            raise AssertionError(f"{self.name}: exited before answering; stderr: {self.stderr()}")
        return json.loads(line)

    def start(self, version):
        return self.send({"cmd": "start", "version": version}, timeout=START_TIMEOUT_S)

    def run(self, kind=None, fetch=None, wait=None, case=None, timeout=ANSWER_TIMEOUT_S):
        """A `run`; `kind=None` sends a v1 request. Returns the answer without `seq`, and drops
        an errored answer's traceback (asserted separately) so answers compare exactly."""
        self.seq += 1
        message = {"cmd": "run", "seq": self.seq,
                   "case": case or {"id": f"q0123abcd-{self.seq}"}}
        if kind is not None:
            message["kind"] = kind
        else:
            message["server"] = {"id": (fetch or {}).get("server_id", "s"),
                                 "OS-EXT-STS:vm_state": message["case"].get("vm_state"),
                                 "OS-EXT-STS:task_state": message["case"].get("task_state")}
        if fetch is not None:
            message["fetch"] = fetch
        if wait is not None:
            message["wait"] = wait
        answer = self.send(message, timeout=timeout)
        if answer.pop("seq", None) != self.seq:
            raise AssertionError(f"{self.name}: answer to another seq: {answer}")
        answer.get("errored", {}).pop("traceback", None)
        return answer

    def stop(self):
        """Sends `stop`; returns the exit status."""
        self.process.stdin.write('{"cmd":"stop"}\n')
        self.process.stdin.flush()
        self.process.stdin.close()
        status = self.process.wait(timeout=30)
        self.process.stdout.close()
        self.process.stderr.close()
        return status

    def stderr(self):
        return "".join(line for line in self._stderr if line)[-2000:]

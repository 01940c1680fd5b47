"""A small client for adapter protocol v2 (DESIGN: adapters/PROTOCOL.md) and the standalone fake.

The adapter tests use it to drive each adapter as the harness will, without the harness:
`FakeServer` starts `fake-server` on an ephemeral loopback port and seeds servers through its
control plane; `AdapterProcess` starts an adapter's `run`, performs the handshake and sends
`run` requests of every kind. Standard library only.
"""

import json
import os
import queue
import subprocess
import threading
import urllib.error
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def fake_server_binary():
    """FAKE_SERVER_BIN, else target/debug/fake-server (built with cargo when missing)."""
    explicit = os.environ.get("FAKE_SERVER_BIN")
    if explicit:
        return explicit
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    binary = os.path.join(target, "debug", "fake-server")
    if not os.path.exists(binary):
        subprocess.run(["cargo", "build", "-q", "-p", "fake-server"], cwd=REPO, check=True)
    return binary


class FakeServer:
    """fake-server on 127.0.0.1:<ephemeral>, stopped by `close()`."""

    def __init__(self, *args):
        self.process = subprocess.Popen(
            [fake_server_binary(), "--listen", "127.0.0.1:0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("fake-server listening on "):
            self.close()
            raise RuntimeError(f"fake-server did not print its URL (got {line!r})")
        self.url = line.split()[3]
        self.token, self.project_id = self._login()

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stdout.close()

    def request(self, method, path, body=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                raw = resp.read()
                return resp.status, (json.loads(raw) if raw else None), resp.headers
        except urllib.error.HTTPError as err:
            raw = err.read()
            return err.code, (json.loads(raw) if raw else None), err.headers

    def _login(self):
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "password": "x", "domain": {"name": "Default"}}}}}}
        status, answer, headers = self.request("POST", "/identity/v3/auth/tokens", body)
        if status != 201:
            raise RuntimeError(f"keystone login answered {status}: {answer}")
        return headers["X-Subject-Token"], answer["token"]["project"]["id"]

    def seed(self, servers):
        """Seeds servers (control-plane items) and returns their ids, in order."""
        status, answer, _ = self.request("POST", "/_fake/servers", {"servers": servers})
        if status not in (200, 201):
            raise RuntimeError(f"POST /_fake/servers answered {status}: {answer}")
        return [s["id"] for s in answer["servers"]]

    def accepts(self, item):
        """Whether the control plane accepts this server item (e.g. a `status` override)."""
        status, answer, _ = self.request("POST", "/_fake/servers", {"servers": [item]})
        return status in (200, 201)

    def journal(self):
        return self.request("GET", "/_fake/journal")[1]["requests"]

    def fetch(self, server_id=None):
        """The `fetch` object of a run request, for this fake."""
        fetch = {"compute_url": self.url + "/compute/v2.1",
                 "auth_url": self.url + "/identity/v3",
                 "token": self.token, "project_id": self.project_id}
        if server_id is not None:
            fetch["server_id"] = server_id
        return fetch


class AdapterProcess:
    """One adapter subprocess speaking JSON lines; every answer waits at most `timeout` s."""

    def __init__(self, command, timeout=60.0, startup_timeout=900.0):
        self.timeout = timeout
        self.startup_timeout = startup_timeout
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, cwd=REPO, start_new_session=True)
        self.lines = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._pump, args=(self.process.stdout, self.lines.put, True), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.process.stderr, self.stderr.append, False), daemon=True).start()
        self.seq = 0
        self.case = 0

    @staticmethod
    def _pump(stream, sink, mark_eof):
        for line in stream:
            sink(line)
        if mark_eof:
            sink(None)

    def _send(self, message, timeout):
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no answer within {timeout}s to {message.get('cmd')}; "
                                 f"stderr: {''.join(self.stderr)[-2000:]}") from None
        if line is None:
            raise AssertionError(f"adapter exited ({self.process.wait()}) before answering; "
                                 f"stderr: {''.join(self.stderr)[-2000:]}")
        return json.loads(line)

    def start(self, version=2):
        return self._send({"cmd": "start", "version": version}, self.startup_timeout)

    def run(self, kind, fetch, wait=None, case=None):
        """Sends one v2 `run` of `kind` and returns the answer, after checking its `seq`."""
        self.seq += 1
        self.case += 1
        request = {"cmd": "run", "seq": self.seq, "kind": kind,
                   "case": case or {"id": f"q0badc0de-{self.case}"}, "fetch": fetch}
        if wait is not None:
            request["wait"] = wait
        answer = self._send(request, self.timeout)
        if answer.get("seq") != self.seq:
            raise AssertionError(f"answered seq {answer.get('seq')}, expected {self.seq}")
        return answer

    def run_v1(self, fetch, vm_state, task_state):
        self.seq += 1
        request = {"cmd": "run", "seq": self.seq,
                   "case": {"id": f"q0badc0de-{self.seq}", "vm_state": vm_state, "task_state": task_state},
                   "fetch": fetch}
        return self._send(request, self.timeout)

    def stop(self):
        """Sends `stop` and returns the exit status."""
        try:
            self.process.stdin.write('{"cmd":"stop"}\n')
            self.process.stdin.flush()
        except BrokenPipeError:
            pass
        code = self.process.wait(timeout=30)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            stream.close()
        return code

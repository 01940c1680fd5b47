"""The adapter protocol (versions 1 and 2) for Python adapters, standard library only.

See PROTOCOL.md next to this file. An adapter subclasses `Adapter`, sets its `implementation`
(and, for `surface`/`list`, its `status_model`), implements only the SDK calls its SDK has, and
ends with `adapterlib.main(MyAdapter)`:

    class Sdk(adapterlib.Adapter):
        implementation = adapterlib.python_package("sdk", "https://sdk.example")
        status_model = adapterlib.STRING_MODEL("Server.status (str)")

        def connect(self, fetch):                 # one client per client_key(fetch), cached
            return sdk.Client(fetch["compute_url"], token=fetch["token"])

        def fetch(self, client, fetch):           # -> {"status", "vm_state", "task_state"}
            s = client.get(fetch["server_id"])
            return {"status": s.status, "vm_state": s.vm_state, "task_state": s.task_state}

The library owns everything else: the handshake (it answers the version the harness asks for
when it speaks it, and declares the kinds whose methods the subclass implements, plus those in
`skip`), routing each `run` to its kind, the guard that a fetching kind has a `fetch` object,
the client cache, `seq`, and error reporting: any exception raised by an SDK call becomes one
`errored` answer, `{"message": "<ExceptionType>: <message on one line>", "traceback": ...}`, so
one bad case never kills the adapter. stdout carries protocol lines only (`sys.stdout` is pointed
at stderr on import, so a stray `print` in an SDK cannot corrupt the stream).
"""

import json
import sys
import traceback
import warnings
from importlib.metadata import version as installed_version

SUPPORTED_VERSIONS = (1, 2)
KINDS = ("derive", "fetch", "surface", "list", "wait")
V1_KINDS = ("derive", "fetch")
WAIT_OUTCOMES = ("reached", "failed", "gone", "timeout")

# stdout belongs to the protocol. Keep a private handle on it and point `sys.stdout` at stderr.
_PROTOCOL_OUT = sys.stdout
sys.stdout = sys.stderr
# SDKs warn on import and per call (deprecations, insecure transports); that is noise on stderr,
# which the harness attaches to errored cases. Adapters import this module before their SDK.
warnings.simplefilter("ignore")


def python_package(distribution, homepage):
    """`implementation` for an installed Python distribution: its name and installed version."""
    return {"name": distribution, "version": installed_version(distribution),
            "language": "python", "homepage": homepage}


def STRING_MODEL(name):  # noqa: N802 - reads as a constant in adapters
    """The `status_model` of an SDK whose server status is a plain string, passed through."""
    return {"kind": "string", "name": name, "values": {}, "unknown": None}


class Skip(Exception):
    """Raise from an SDK call to answer `skipped` (the SDK deliberately cannot do this case)."""

    def __init__(self, reason, issue_url=None):
        super().__init__(reason)
        self.reason = reason
        self.issue_url = issue_url


class BadRequest(Exception):
    """The harness sent a `run` this adapter cannot act on (missing field, undeclared kind)."""


def errored(message, tb=None):
    """An `errored` answer: `message` on one line, `tb` an optional traceback."""
    body = {"message": " ".join(str(message).split()) or "error"}
    if tb:
        body["traceback"] = tb
    return {"errored": body}


def errored_from(exc):
    """The one `errored` shape for an exception (SDK error or not): type, message, traceback."""
    text = str(exc)
    message = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return errored(message, tb)


def skipped(reason, issue_url=None):
    """A `skipped` answer."""
    body = {"reason": reason}
    if issue_url:
        body["issue_url"] = issue_url
    return {"skipped": body}


def waited(outcome, status=None, message=None):
    """A `wait` result: `outcome` one of WAIT_OUTCOMES, `status` the last status the SDK saw."""
    if outcome not in WAIT_OUTCOMES:
        raise ValueError(f"wait outcome {outcome!r} is not one of {', '.join(WAIT_OUTCOMES)}")
    body = {"outcome": outcome, "status": status}
    if message:
        body["message"] = " ".join(str(message).split())
    return body


class Adapter:
    """Base class: override `derive` and/or the fetching kinds your SDK has."""

    #: What is under test: {"name", "version", "language", "homepage"?}.
    implementation = None
    #: The SDK's status model (DESIGN v2 §2); required when `surface` or `list` is declared.
    status_model = None
    #: kind -> reason: kinds declared in the handshake and answered `skipped` with that reason.
    skip = {}

    def __init__(self):
        self._clients = {}

    # --- SDK calls (override what the SDK has) -------------------------------------------------

    def derive(self, vm_state, task_state):
        """-> the status string the implementation derives for the pair."""
        raise NotImplementedError

    def connect(self, fetch):
        """-> a new SDK client for `fetch` (cached per `client_key(fetch)`)."""
        raise NotImplementedError

    def client_key(self, fetch):
        """What makes two `fetch` objects share a client; by default endpoint and token."""
        return (fetch["compute_url"], fetch["token"])

    def fetch(self, client, fetch):
        """-> {"status", "vm_state", "task_state"} as the SDK surfaced them."""
        raise NotImplementedError

    def surface(self, client, fetch):
        """-> (raw status the SDK holds, the SDK's typed value rendered as a string)."""
        raise NotImplementedError

    def list(self, client, fetch):
        """-> [{"id", "status", "typed"?}] for every server the SDK's list call returned."""
        raise NotImplementedError

    def wait(self, client, fetch, wait):
        """-> `waited(...)`: the outcome of the SDK's own waiter."""
        raise NotImplementedError

    # --- the protocol ---------------------------------------------------------------------------

    def capabilities(self, version=2):
        """The kinds this adapter declares for protocol `version`."""
        kinds = V1_KINDS if version == 1 else KINDS
        return [k for k in kinds if k in self.skip or _overrides(self, k)]

    def handshake(self, request):
        """The answer to `start`: the version asked for when supported, else the newest."""
        asked = request.get("version")
        version = asked if asked in SUPPORTED_VERSIONS else SUPPORTED_VERSIONS[-1]
        if version != asked:
            print(f"adapter: harness asked for protocol version {asked!r}, "
                  f"answering with {version}", file=sys.stderr)
        answer = {"version": version, "implementation": self.implementation,
                  "capabilities": self.capabilities(version)}
        if version >= 2 and self.status_model is not None:
            answer["status_model"] = self.status_model
        return answer

    def run(self, request, version):
        """The answer to one `run`, without `seq`. Never raises."""
        try:
            kind = self._kind(request, version)
            if kind in self.skip:
                return skipped(self.skip[kind])
            if kind == "derive":
                case = _field(request, "case", dict)
                return _status_answer(self.derive(case.get("vm_state"), case.get("task_state")))
            return self._run_fetching(kind, request)
        except Skip as skip:
            return skipped(skip.reason, skip.issue_url)
        except BadRequest as exc:
            return errored(str(exc))
        except Exception as exc:  # noqa: BLE001 - every failure is a per-case answer
            return errored_from(exc)

    def _kind(self, request, version):
        if version == 1:
            # v1 has no `kind`: a `fetch` object asks a fetching adapter to fetch.
            if request.get("fetch") is not None and "fetch" in self.capabilities(1):
                return "fetch"
            if "derive" in self.capabilities(1):
                return "derive"
            raise BadRequest(f"{self.implementation['name']} only fetches: "
                             "the run request has no `fetch`")
        kind = request.get("kind")
        declared = self.capabilities(version)
        if kind not in declared:
            raise BadRequest(f"run kind {kind!r} is not declared by this adapter "
                             f"(capabilities: {', '.join(declared)})")
        return kind

    def _run_fetching(self, kind, request):
        fetch = _field(request, "fetch", dict)
        needed = ("compute_url", "token", "project_id") + (() if kind == "list" else ("server_id",))
        for key in needed:
            _field(fetch, key, str, where="run.fetch")
        client = self._client(fetch)
        if kind == "fetch":
            server = self.fetch(client, fetch)
            return _status_answer(server["status"], server)
        if kind == "surface":
            raw, typed = self.surface(client, fetch)
            return {**_status_answer(raw), "typed": _typed(typed)}
        if kind == "list":
            return {"servers": [_listed(s) for s in self.list(client, fetch)]}
        return {"wait": self.wait(client, fetch, _wait_request(request))}

    def _client(self, fetch):
        key = self.client_key(fetch)
        if key not in self._clients:
            self._clients[key] = self.connect(fetch)
        return self._clients[key]


def _overrides(adapter, name):
    return getattr(type(adapter), name) is not getattr(Adapter, name)


def _field(obj, key, kind, where="run"):
    value = obj.get(key)
    if not isinstance(value, kind):
        raise BadRequest(f"{where}.{key} is missing or not a {kind.__name__}: {value!r}")
    return value


def _status_answer(status, server=None):
    if not isinstance(status, str):
        raise BadRequest(f"the SDK surfaced no status string (got {status!r})")
    answer = {"status": status}
    for key in ("vm_state", "task_state"):
        if server is not None and key in server:
            answer[key] = server[key]
    return answer


def _typed(value):
    if value is None:
        raise BadRequest("the SDK surfaced no typed status (None)")
    return str(value)


def _listed(server):
    item = {"id": server["id"], "status": server["status"]}
    if server.get("typed") is not None:
        item["typed"] = _typed(server["typed"])
    return item


def _wait_request(request):
    wait = _field(request, "wait", dict)
    until = wait.get("until")
    if until not in ("status", "deleted"):
        raise BadRequest(f"run.wait.until must be \"status\" or \"deleted\", not {until!r}")
    if until == "status":
        _field(wait, "target", str, where="run.wait")
    for key in ("timeout_s", "interval_s"):
        value = wait.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise BadRequest(f"run.wait.{key} must be a number of seconds, not {value!r}")
    return wait


def _send(message):
    _PROTOCOL_OUT.write(json.dumps(message, separators=(",", ":")) + "\n")
    _PROTOCOL_OUT.flush()


def serve(adapter, lines=None):
    """Reads requests (stdin by default) until `stop` or EOF, answering each on stdout."""
    version = None
    for line in sys.stdin if lines is None else lines:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
        except ValueError as exc:
            print(f"adapter: the harness sent a line that is not JSON ({exc}): {line[:200]!r}",
                  file=sys.stderr)
            sys.exit(2)
        cmd = request.get("cmd") if isinstance(request, dict) else None
        if cmd == "start":
            answer = adapter.handshake(request)
            version = answer["version"]
            _send(answer)
        elif cmd == "run":
            _send({"seq": request.get("seq"), **adapter.run(request, version or 1)})
        elif cmd == "stop":
            return
        else:
            print(f"adapter: ignoring unknown command {cmd!r}", file=sys.stderr)


def main(adapter_class):
    """The `__main__` of an adapter: instantiate it and serve until `stop` or EOF."""
    serve(adapter_class())

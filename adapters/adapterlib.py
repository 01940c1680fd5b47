"""The adapter protocol, version 1, for Python adapters (standard library only).

See PROTOCOL.md next to this file. An adapter calls `serve(implementation, capabilities, answer)`
where `answer(request)` gets the decoded `run` request (a dict) and returns the answer without
`seq`: `{"status": ...}` (optionally with "vm_state"/"task_state"), `{"skipped": {...}}` or
`{"errored": {...}}`. An exception raised by `answer` becomes an `errored` answer with its
traceback, so one bad case never kills the adapter.

Only protocol lines are written to stdout; everything else must go to stderr.
"""

import json
import sys
import traceback

PROTOCOL_VERSION = 1

# stdout belongs to the protocol. Keep a private handle on it and point `sys.stdout` at stderr,
# so that a stray `print` in an SDK (or in this adapter) cannot corrupt the stream.
_PROTOCOL_OUT = sys.stdout
sys.stdout = sys.stderr


def _send(message):
    _PROTOCOL_OUT.write(json.dumps(message, separators=(",", ":")) + "\n")
    _PROTOCOL_OUT.flush()


def errored(message, tb=None):
    """An `errored` answer: `message` is one line, `tb` an optional traceback."""
    body = {"message": " ".join(str(message).split()) or "error"}
    if tb:
        body["traceback"] = tb
    return {"errored": body}


def serve(implementation, capabilities, answer):
    """Reads requests from stdin until `stop` or EOF, answering each on stdout."""
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        request = json.loads(line)
        cmd = request.get("cmd")
        if cmd == "start":
            if request.get("version") != PROTOCOL_VERSION:
                print(f"adapter: harness asked for protocol version {request.get('version')!r}, "
                      f"answering with {PROTOCOL_VERSION}", file=sys.stderr)
            _send({"version": PROTOCOL_VERSION, "implementation": implementation,
                   "capabilities": list(capabilities)})
        elif cmd == "run":
            try:
                result = answer(request)
            except Exception as exc:  # noqa: BLE001 - every failure is a per-case answer
                result = errored(f"{type(exc).__name__}: {exc}", traceback.format_exc())
            _send({"seq": request.get("seq"), **result})
        elif cmd == "stop":
            return
        else:
            print(f"adapter: ignoring unknown command {cmd!r}", file=sys.stderr)

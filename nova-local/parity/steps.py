"""Running one scenario's steps against one side and recording what it answered.

A step (see ../../cases/parity/README.md for the format) is one HTTP request, with `{var}`
placeholders filled from values saved by earlier steps. Each record keeps the HTTP status, the
parsed body, the values of the step's `compare` paths, and, for a step with `poll`, the
(status, vm_state, task_state) sequence seen while polling that server until it is stable.
"""

import copy
import re
import time
import urllib.parse

# Nova's fixture images (nova/tests/fixtures/glance.py), which both sides serve.
CONSTANTS = {
    "image": "155d900f-4e14-4e4c-a73d-069cbf4541e6",
    "image2": "70a599e0-31e7-49b7-b260-868f441e862b",
    "flavor": "42",
    "flavor2": "1",
}
POLL_TIMEOUT_S = 60


class StepError(Exception):
    """A scenario that cannot go on (a missing variable, a poll timeout on fake-server)."""


class InfraError(Exception):
    """The referee malfunctioned (a 5xx from nova-local, a server stuck past the poll timeout):
    the scenario says nothing about the fake and is reported apart, never as a difference."""


def fill(value, env):
    """Replaces `{name}` in every string of ``value`` with ``env[name]``."""
    if isinstance(value, str):
        def sub(m):
            if m.group(1) not in env:
                raise StepError(f"no value saved as `{m.group(1)}`")
            return str(env[m.group(1)])
        full = re.fullmatch(r"\{(\w+)\}", value)
        if full and full.group(1) in env and not isinstance(env[full.group(1)], str):
            return env[full.group(1)]
        return re.sub(r"\{(\w+)\}", sub, value)
    if isinstance(value, list):
        return [fill(v, env) for v in value]
    if isinstance(value, dict):
        return {fill(k, env): fill(v, env) for k, v in value.items()}
    return value


def lookup(body, path):
    """Values at a dotted path; `[]` maps over a list (`servers[].name`), a number indexes one
    (`servers.0.id`), `<body>` is the whole body."""
    if path == "<body>":
        return body
    values = [body]
    for part in path.split("."):
        many = part.endswith("[]")
        key = part[:-2] if many else part
        nxt = []
        for v in values:
            if isinstance(v, list) and key.isdigit():
                nxt.extend(v[int(key):int(key) + 1] or ["<absent>"])
            elif isinstance(v, dict) and key in v:
                nxt.extend(v[key] if many and isinstance(v[key], list) else [v[key]])
            elif isinstance(v, dict):
                nxt.append("<absent>")
        values = nxt
    return values if "[]" in path else (values[0] if values else "<absent>")


def expand(step, scenario):
    """Turns the shorthands (`create`, `action`, `delete`) into method, path and body."""
    step = copy.deepcopy(step)
    if "create" in step:
        spec = step.pop("create")
        name = spec.pop("as", "s")
        server = {"name": f"{scenario['name']}-{name}", "flavorRef": "{flavor}",
                  "imageRef": "{image}", "networks": "none"}
        server.update(spec)
        step.setdefault("method", "POST")
        step.setdefault("path", "/servers")
        step.setdefault("body", {"server": server})
        step.setdefault("save", {name: "server.id"})
        step.setdefault("poll", name)
    elif "action" in step:
        server = step.get("server", "s")
        step.setdefault("method", "POST")
        step.setdefault("path", f"/servers/{{{server}}}/action")
        step["body"] = step.pop("action")
        step.setdefault("poll", server)
    elif "delete" in step:
        server = step.pop("delete")
        step.setdefault("method", "DELETE")
        step.setdefault("path", f"/servers/{{{server}}}")
        step.setdefault("poll", server)
        step.setdefault("until", ["SOFT_DELETED"])  # or gone: never an ACTIVE on the way
    return step


def state_of(body):
    s = (body or {}).get("server", {})
    return [s.get("status"), s.get("OS-EXT-STS:vm_state"), s.get("OS-EXT-STS:task_state")]


def transient(state):
    """A state on the way somewhere: a task_state is set, or vm_state building or deleted (the
    row is about to go)."""
    return state[2] is not None or state[1] in ("building", "deleted")


def poll(session, server_id, until, interval_s, microversion, referee=False):
    """(status, vm_state, task_state) until stable (no task, not building) or gone (404).

    With ``until`` (a list of statuses), polls on until one of them shows, for actions such as
    confirmResize whose effect starts after the 2xx with no task_state set by the API.
    """
    seen = []
    deadline = time.monotonic() + POLL_TIMEOUT_S
    while True:
        code, body, _ = session.call("GET", f"/servers/{server_id}", microversion=microversion)
        if code >= 500 and referee:
            raise InfraError(f"nova answered {code} to GET /servers/{server_id}: {str(body)[:300]}")
        now = ["gone", None, None] if code == 404 else state_of(body)
        if not seen or seen[-1] != now:
            seen.append(now)
        stable = now[0] == "gone" or not transient(now)
        if stable and (not until or now[0] in until or now[0] == "gone"):
            return seen
        if time.monotonic() > deadline:
            if referee:
                raise InfraError(f"server {server_id} still {now} after {POLL_TIMEOUT_S} s "
                                 f"(seen: {seen})")
            seen.append(["timeout", None, None])
            return seen
        time.sleep(interval_s)


def checked(target, session):
    """``session.call``, but a 5xx from the referee (nova-local) raises ``InfraError``."""
    def call(method, path, body=None, microversion=None):
        code, parsed, headers = session.call(method, path, body, microversion)
        if code >= 500 and target.referee:
            raise InfraError(f"{target.name} answered {code} to {method} {path}: "
                             f"{str(parsed)[:300]}")
        return code, parsed, headers
    return call


def run_step(target, step, scenario, env, interval_s):
    """Sends one step; returns its record and updates ``env`` with its saved values."""
    step = expand(step, scenario)
    mv = step.get("microversion", scenario.get("microversion", "2.1"))
    session = target.session(step.get("user", scenario.get("user", "demo")))
    call = checked(target, session)
    env.setdefault("project_id", session.project_id)
    path = fill(step["path"], env)
    body = fill(step.get("body"), env)
    before = None
    if step.get("poll") and step["poll"] in env:
        _, shown, _ = call("GET", f"/servers/{env[step['poll']]}", microversion=mv)
        before = state_of(shown)
    code, parsed, _ = call(step["method"], path, body, microversion=mv)
    record = {"name": step["name"], "request": f"{step['method']} {step['path']}",
              "microversion": mv, "status": code, "body": parsed}
    if code < 400:
        for var, where in step.get("save", {}).items():
            found = lookup(parsed, where)
            if found == "<absent>":
                raise StepError(f"step {step['name']}: nothing at `{where}` to save as `{var}`")
            env[var] = found
    if step.get("poll") and code < 400:
        server_id = env.get(step["poll"])
        if server_id is None:
            raise StepError(f"step {step['name']}: no server saved as `{step['poll']}`")
        record["states"] = poll(session, server_id, step.get("until"), interval_s, mv,
                                target.referee)
        record["before"] = before
    if step.get("compare"):
        record["values"] = {p: lookup(parsed, p) for p in step["compare"]}
    for var, where in step.get("save_after", {}).items():
        _, shown, _ = call("GET", fill(where["get"], env), microversion=mv)
        env[var] = lookup(shown, where["at"])
    return record


def cleanup(target, scenario):
    """Deletes every server named `<scenario>-...` in any project (not compared). Servers still
    there after the poll timeout are an ``InfraError`` on the referee, a ``StepError`` on the fake."""
    admin = target.session("admin")
    # `<scenario>-<one word>`: scenario `m-error-shelve` must not delete `m-error-shelve-offload-s`.
    # Quoted: a bare `+` in a query string is a space (the pattern then matched nothing, the
    # servers of every scenario stayed, and nova-local slowed until creates timed out).
    pattern = urllib.parse.quote(f"^{re.escape(scenario['name'])}-[^-]+$", safe="")
    code, body, _ = admin.call("GET", f"/servers?all_tenants=1&name={pattern}", microversion="2.1")
    if code != 200:
        raise (InfraError if target.referee else StepError)(
            f"cleanup: listing {scenario['name']}'s servers answered {code}")
    ids = [s["id"] for s in (body or {}).get("servers", [])] if code == 200 else []
    for sid in ids:
        admin.call("POST", f"/servers/{sid}/action", {"os-resetState": {"state": "active"}})
        admin.call("POST", f"/servers/{sid}/action", {"unlock": None})
        admin.call("DELETE", f"/servers/{sid}")
    deadline = time.monotonic() + POLL_TIMEOUT_S
    left = list(ids)
    while left and time.monotonic() < deadline:
        for sid in list(left):
            code, body, _ = admin.call("GET", f"/servers/{sid}")
            if code == 404:
                left.remove(sid)
            elif state_of(body)[1] == "soft-delete":
                admin.call("POST", f"/servers/{sid}/action", {"forceDelete": None})
        time.sleep(0.05)
    if left:
        error = InfraError if target.referee else StepError
        raise error(f"cleanup: {len(left)} server(s) of {scenario['name']} not gone after "
                    f"{POLL_TIMEOUT_S} s: {left}")


def run_scenario(target, scenario, interval_s):
    """All steps of one scenario on one side: (records, saved values). An `error` record ends
    the scenario (a difference if the sides differ); an `infra` record marks a malfunction of
    the referee (the scenario is not judged)."""
    env = dict(CONSTANTS)
    records = []
    try:
        for step in scenario["steps"]:
            records.append(run_step(target, step, scenario, env, interval_s))
    except Exception as e:  # noqa: BLE001 - recorded and reported as this scenario's error
        if isinstance(e, InfraError) or (target.referee and isinstance(e, OSError)):
            records.append({"name": "<infra>", "infra": f"{type(e).__name__}: {e}"})
        else:
            records.append({"name": "<error>", "error": f"{type(e).__name__}: {e}"})
    finally:
        try:
            cleanup(target, scenario)
        except InfraError as e:
            records.append({"name": "<infra>", "infra": str(e)})
        except Exception as e:  # noqa: BLE001
            records.append({"name": "<cleanup>", "error": f"{type(e).__name__}: {e}"})
    return records, env

#!/usr/bin/env python3
"""Validate the fake's Nova bodies against Nova's own response schemas.

Usage: adapters/nova/.venv/bin/python fake-server/tests/nova_schema.py BASE_URL

Starts nothing: BASE_URL is a running fake-server with its control plane (`/_fake/`). The
script seeds servers in many states (every vm_state of the nova profile, task states, unknown
and null states, error with a fault, locked, soft-deleted, one created through the API with
metadata and a description, servers of a non-admin user), then fetches show, detail, index
and the flavor endpoints at a set of microversions, as the admin and as the owner, and
validates each body with `jsonschema` against the schema nova 34.0.0 registers for that
endpoint and microversion (`@validation.response_body_schema` on the controller methods),
using Nova's own format checker; also the bodies of `PUT /servers/{id}` and the rebuild
action. Exit status 0 when every body is valid, 1 otherwise (each
failure names the request, microversion and JSON path), 2 on setup errors.
"""

import json
import sys
import urllib.error
import urllib.request
import warnings

warnings.filterwarnings("ignore")

import jsonschema  # noqa: E402
from nova.api.openstack import api_version_request as avr  # noqa: E402
from nova.api.openstack.compute import flavors, servers  # noqa: E402
from nova.api.validation import validators  # noqa: E402

MICROVERSIONS = ["2.1", "2.9", "2.16", "2.38", "2.47", "2.69", "2.73", "2.75", "2.90", "2.96"]

VM_STATES = ["active", "building", "paused", "suspended", "stopped", "rescued", "resized",
             "soft-delete", "deleted", "error", "shelved", "shelved_offloaded"]

# (vm_state, task_state, extra seed fields)
SEEDS = [(vm, None, {}) for vm in VM_STATES] + [
    ("active", "rebooting", {}),
    ("active", "resize_prep", {}),
    ("building", "spawning", {}),
    ("stopped", "powering-on", {}),
    ("error", "deleting", {}),
    ("bogus", None, {"power_state": 6}),
    (None, None, {}),
    ("active", "bogus", {}),
    ("ACTIVE", None, {}),
    ("active", None, {"locked": True, "name": "locked one"}),
    ("error", None, {"user": "alice"}),
    ("active", None, {"user": "alice", "locked": True}),
    ("building", "scheduling", {"user": "alice"}),
]


def call(method, url, token=None, mv=None, body=None):
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["X-Auth-Token"] = token
    if mv:
        headers["OpenStack-API-Version"] = f"compute {mv}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            return r.status, dict(r.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, dict(e.headers), json.loads(raw) if raw else None


def token(base, user):
    auth = {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": user, "password": "pw", "domain": {"name": "Default"}}}}}}
    status, headers, _ = call("POST", f"{base}/identity/v3/auth/tokens", body=auth)
    if status != 201:
        raise SystemExit(f"failed to get a token for {user}: HTTP {status}")
    return {k.lower(): v for k, v in headers.items()}["x-subject-token"]


def schema_for(method, mv):
    """The schema nova registers on a controller method for microversion `mv`."""
    want = avr.APIVersionRequest(mv)
    for schema, lo, hi in method.response_body_schemas._schemas:
        if want.matches(lo, hi):
            return schema
    raise SystemExit(f"nova registers no response schema for {method.__qualname__} at {mv}")


def leaves(error):
    """The specific errors under a `oneOf`: those of the full (first) server alternative."""
    if not error.context:
        return [error]
    first = [c for c in error.context if c.schema_path and c.schema_path[0] == 0]
    return [leaf for c in (first or error.context) for leaf in leaves(c)]


def conforms(label, mv, schema, body):
    """Whether `body` validates against `schema`; prints the first failures (FAIL lines) if not."""
    validator = jsonschema.Draft202012Validator(schema, format_checker=validators._FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    for e in errors[:5]:
        for leaf in leaves(e)[:5]:
            path = "/".join(str(p) for p in leaf.absolute_path)
            print(f"FAIL {label} @{mv}: at /{path}: {leaf.message[:300]}")
    return not errors


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    base = sys.argv[1].rstrip("/")
    status, _, info = call("GET", f"{base}/_fake/")
    if status != 200:
        print(f"failed to reach the control plane at {base}/_fake/: HTTP {status}", file=sys.stderr)
        return 2
    compute = info["fake_server"]["compute_url"].rstrip("/")
    seeds = []
    for vm, task, extra in SEEDS:
        seeds.append({"vm_state": vm, "task_state": task, **extra})
    status, _, body = call("POST", f"{base}/_fake/servers", body={"servers": seeds})
    if status != 201:
        print(f"failed to seed servers: HTTP {status} {body}", file=sys.stderr)
        return 2
    ids = [s["id"] for s in body["servers"]]
    admin, alice = token(base, "admin"), token(base, "alice")
    # One server booted through the API with metadata and a description (2.19+).
    status, _, body = call("POST", f"{compute}/servers", admin, "2.19", {"server": {
        "name": "api-made", "flavorRef": "42", "imageRef": "7a1c3c7e-6c0b-4d6f-9d0e-2f6f1f3b9a01",
        "metadata": {"role": "db", "tier": "1"}, "description": "made through the API"}})
    if status != 202:
        print(f"failed to create a server: HTTP {status} {body}", file=sys.stderr)
        return 2
    ids.append(body["server"]["id"])
    alice_ids = [i for i, (_, _, extra) in zip(ids, SEEDS) if extra.get("user") == "alice"]

    S, F = servers.ServersController, flavors.FlavorsController
    checks = []  # (label, controller method, url, token)
    for sid in ids:
        checks.append((f"GET /servers/{sid} (admin)", S.show, f"{compute}/servers/{sid}", admin))
    for sid in alice_ids:
        checks.append((f"GET /servers/{sid} (owner)", S.show, f"{compute}/servers/{sid}", alice))
    checks += [
        ("GET /servers/detail?all_tenants=1 (admin)", S.detail, f"{compute}/servers/detail?all_tenants=1", admin),
        ("GET /servers/detail?deleted=True (admin)", S.detail, f"{compute}/servers/detail?deleted=True", admin),
        ("GET /servers/detail?limit=2 (admin)", S.detail, f"{compute}/servers/detail?limit=2", admin),
        ("GET /servers/detail (owner)", S.detail, f"{compute}/servers/detail", alice),
        ("GET /servers?all_tenants=1 (admin)", S.index, f"{compute}/servers?all_tenants=1", admin),
        ("GET /servers?limit=1 (owner)", S.index, f"{compute}/servers?limit=1", alice),
        ("GET /flavors", F.index, f"{compute}/flavors", alice),
        ("GET /flavors/detail", F.detail, f"{compute}/flavors/detail", alice),
        ("GET /flavors/42", F.show, f"{compute}/flavors/42", alice),
    ]
    failures, validated = 0, 0
    # Update (PUT) and rebuild bodies: one fresh active server per microversion for rebuild.
    status, _, body = call("POST", f"{base}/_fake/servers", body={"servers": [
        {"vm_state": "active", "task_state": None, "user": "alice"} for _ in MICROVERSIONS]})
    if status != 201:
        print(f"failed to seed servers: HTTP {status} {body}", file=sys.stderr)
        return 2
    fresh = [x["id"] for x in body["servers"]]
    for mv, sid in zip(MICROVERSIONS, fresh):
        edits = [
            ("PUT /servers/{id}", S.update, "PUT", f"{compute}/servers/{sid}",
             {"server": {"name": f"renamed-{mv}"}}, 200),
            ("POST /servers/{id}/action rebuild", S._rebuild, "POST",
             f"{compute}/servers/{sid}/action",
             {"rebuild": {"imageRef": "7a1c3c7e-6c0b-4d6f-9d0e-2f6f1f3b9a01"}}, 202),
        ]
        for label, method, verb, url, payload, want in edits:
            status, _, body = call(verb, url, alice, mv, payload)
            if status != want:
                print(f"FAIL {label} @{mv}: HTTP {status} {body}")
                failures += 1
                continue
            validated += 1
            failures += not conforms(label, mv, schema_for(method, mv), body)
    for mv in MICROVERSIONS:
        for label, method, url, tok in checks:
            status, _, body = call("GET", url, tok, mv)
            if status != 200:
                print(f"FAIL {label} @{mv}: HTTP {status} {body}")
                failures += 1
                continue
            validated += 1
            failures += not conforms(label, mv, schema_for(method, mv), body)
    print(f"nova-schema: {validated} bodies at {len(MICROVERSIONS)} microversions, "
          f"{len(ids)} servers, {failures} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

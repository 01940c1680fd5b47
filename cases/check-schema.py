#!/usr/bin/env python3
"""Validate every cases/profiles/*.json against cases/schema/profile.schema.json and every
cases/scenarios/*.json against cases/schema/scenario.schema.json (draft 2020-12).

Also checks that each schema is itself valid and that it rejects a few broken documents, so a
schema that accepts everything cannot pass. Prints 'N passed, N failed' and exits 1 on any failure, 2 on a
set-up failure.

Needs the `jsonschema` package. If the running Python lacks it, the script creates a venv under
`.ci/.cache/schema-venv` (git-ignored), installs a pinned `jsonschema` there once, and re-executes
itself inside it, so CI needs only `python3` with `venv` and PyPI access on the first run.
"""
import copy
import fcntl
import json
import os
import pathlib
import subprocess
import sys

CASES = pathlib.Path(__file__).resolve().parent
CACHE = CASES.parent / ".ci" / ".cache"
VENV = CACHE / "schema-venv"
REQUIREMENT = "jsonschema==4.26.0"


def ensure_jsonschema():
    """Import jsonschema, or install it into a cached venv and re-run this script there."""
    try:
        import jsonschema  # noqa: F401
        return
    except ImportError:
        if pathlib.Path(sys.prefix).resolve() == VENV.resolve():
            print("check-schema: failed to set up: jsonschema missing from its venv", file=sys.stderr)
            sys.exit(2)
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".schema-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        python = VENV / "bin" / "python3"
        stamp = VENV / ".requirement"
        if not (python.exists() and stamp.exists() and stamp.read_text() == REQUIREMENT):
            for cmd in ([sys.executable, "-m", "venv", str(VENV)],
                        [str(python), "-m", "pip", "install", "--quiet",
                         "--disable-pip-version-check", REQUIREMENT]):
                done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                if done.returncode != 0:
                    print(f"check-schema: failed to set up: `{' '.join(cmd)}` exited "
                          f"{done.returncode}:\n{done.stdout}", file=sys.stderr)
                    sys.exit(2)
            stamp.write_text(REQUIREMENT)
    os.execv(str(python), [str(python), str(pathlib.Path(__file__).resolve()), *sys.argv[1:]])


ensure_jsonschema()
from jsonschema import Draft202012Validator  # noqa: E402
schema = json.loads((CASES / "schema" / "profile.schema.json").read_text(encoding="utf-8"))
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)

passed = failed = 0


def report(ok, label, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok: {label}")
    else:
        failed += 1
        print(f"FAIL: {label}{detail}")


def validate_folder(folder, noun, validator):
    """Report each cases/FOLDER/*.json against `validator`; an empty folder is a failure."""
    paths = sorted((CASES / folder).glob("*.json"))
    if not paths:
        report(False, f"cases/{folder}/*.json", f": no {noun} found")
    for path in paths:
        document = json.loads(path.read_text(encoding="utf-8"))
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        detail = "".join(f"\n  {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors)
        report(not errors, f"{path.relative_to(CASES.parent)} validates", detail)


validate_folder("profiles", "profile", validator)

# Negative controls: each mutation of a real profile must be rejected.
base = json.loads((CASES / "profiles" / "ecs.json").read_text(encoding="utf-8"))
nova = json.loads((CASES / "profiles" / "nova.json").read_text(encoding="utf-8"))


def mutated(document, change):
    document = copy.deepcopy(document)
    change(document)
    return document


negatives = {
    "missing rows": mutated(base, lambda d: d.pop("rows")),
    "unknown fallback": mutated(base, lambda d: d.update(fallback="nova")),
    "format_version 2": mutated(base, lambda d: d.update(format_version=2)),
    "unknown top-level field": mutated(base, lambda d: d.update(extra=1)),
    "row without source": mutated(base, lambda d: d["rows"][0].pop("source")),
    "row with empty task_states": mutated(base, lambda d: d["rows"][0].update(task_states=[])),
    "task_state as a number": mutated(base, lambda d: d["rows"][0]["task_states"].append(3)),
    "empty description": mutated(base, lambda d: d["statuses"][0].update(description={})),
    "name with a slash": mutated(base, lambda d: d["vm_states"][0].update(name="a/b")),
    "default_status under fallback unknown": mutated(
        base, lambda d: d["vm_states"][0].update(default_status="BUILD")),
    "vm_state without default_status under vm_state_default": mutated(
        nova, lambda d: d["vm_states"][0].pop("default_status")),
}
for label, document in negatives.items():
    report(not validator.is_valid(document), f"schema rejects: {label}")

# Scenarios.
scenario_schema = json.loads((CASES / "schema" / "scenario.schema.json").read_text(encoding="utf-8"))
Draft202012Validator.check_schema(scenario_schema)
scenario_validator = Draft202012Validator(scenario_schema)
validate_folder("scenarios", "scenario", scenario_validator)

wait = json.loads((CASES / "scenarios" / "build-then-error.json").read_text(encoding="utf-8"))
listing = json.loads((CASES / "scenarios" / "list-future-status.json").read_text(encoding="utf-8"))
scenario_negatives = {
    "wait without timeline": mutated(wait, lambda d: d.pop("timeline")),
    "wait without a default expectation": mutated(wait, lambda d: d["expect"].pop("default")),
    "unknown outcome": mutated(wait, lambda d: d["expect"]["default"].update(outcome="done")),
    "step that is gone and has a state": mutated(wait, lambda d: d["timeline"][1].update(gone=True)),
    "zero polls": mutated(wait, lambda d: d["timeline"][0].update(polls=0)),
    "no public report": mutated(wait, lambda d: d.update(reproduces=[])),
    "http report URL": mutated(wait, lambda d: d["reproduces"][0].update(url="http://example.com")),
    "list with a timeline": mutated(listing, lambda d: d.update(timeline=wait["timeline"])),
    "list without odd": mutated(listing, lambda d: d.pop("odd")),
    "unknown field": mutated(listing, lambda d: d.update(extra=1)),
}
for label, document in scenario_negatives.items():
    report(not scenario_validator.is_valid(document), f"scenario schema rejects: {label}")

# The adapter protocol: every `>`/`<` line of PROTOCOL.md's transcript is a valid message, and
# messages that break the blindness or mix answer shapes are rejected.
protocol = json.loads((CASES.parent / "adapters" / "protocol.schema.json").read_text(encoding="utf-8"))
Draft202012Validator.check_schema(protocol)


def message_valid(name, message):
    return Draft202012Validator({**protocol["$defs"][name], "$defs": protocol["$defs"]}).is_valid(message)


transcript = (CASES.parent / "adapters" / "PROTOCOL.md").read_text(encoding="utf-8").splitlines()
kinds = {"start": "start", "run": "run", "stop": "stop"}
for line in transcript:
    if line.startswith("> "):
        message = json.loads(line[2:])
        name = kinds[message["cmd"]]
    elif line.startswith("< "):
        message = json.loads(line[2:])
        name = "start_response" if "implementation" in message else "run_response"
    else:
        continue
    report(message_valid(name, message), f"protocol schema accepts transcript line {line[:60]}")

fetch = {"compute_url": "c", "auth_url": "a", "token": "t", "project_id": "p", "server_id": "s"}
implementation = {"name": "a", "version": "1", "language": "py"}
protocol_negatives = {
    "a v2 derive question carrying a server body": ("run", {
        "cmd": "run", "seq": 1, "kind": "derive", "server": {"id": "s"},
        "case": {"id": "q1a2b3c4d-1", "vm_state": "active", "task_state": None}}),
    "a v1 server member with a status": ("run", {
        "cmd": "run", "seq": 1, "case": {"id": "q1a2b3c4d-1", "vm_state": "active", "task_state": None},
        "server": {"id": "s", "status": "ACTIVE", "OS-EXT-STS:vm_state": "active", "OS-EXT-STS:task_state": None}}),
    "a case id naming the profile": ("run", {
        "cmd": "run", "seq": 1, "kind": "derive",
        "case": {"id": "ecs/active/null", "vm_state": "active", "task_state": None}}),
    "a fetch question carrying the pair": ("run", {
        "cmd": "run", "seq": 1, "kind": "fetch", "fetch": fetch,
        "case": {"id": "q1a2b3c4d-1", "vm_state": "active", "task_state": None}}),
    "surface declared without a status_model": ("start_response", {
        "version": 2, "implementation": implementation, "capabilities": ["surface"]}),
    "wait declared in a v1 answer": ("start_response", {
        "version": 1, "implementation": implementation, "capabilities": ["wait"]}),
    "a string model with values": ("start_response", {
        "version": 2, "implementation": implementation, "capabilities": ["list"],
        "status_model": {"kind": "string", "name": "s", "values": {"A": "a"}, "unknown": None}}),
    "typed without status": ("run_response", {"seq": 1, "typed": "x"}),
    "status and skipped": ("run_response", {"seq": 1, "status": "A", "skipped": {"reason": "r"}}),
    "an unknown wait outcome": ("run_response", {"seq": 1, "wait": {"outcome": "done"}}),
}
for label, (name, message) in protocol_negatives.items():
    report(not message_valid(name, message), f"protocol schema rejects: {label}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

#!/usr/bin/env python3
"""Validate every cases/profiles/*.json against cases/schema/profile.schema.json (draft 2020-12).

Also checks that the schema is itself valid and that it rejects a few broken profiles, so a schema
that accepts everything cannot pass. Needs the `jsonschema` package (pip install 'jsonschema>=4.18').
Prints 'N passed, N failed' and exits 1 on any failure.
"""
import copy
import json
import pathlib
import sys

from jsonschema import Draft202012Validator

CASES = pathlib.Path(__file__).resolve().parent
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


profiles = sorted((CASES / "profiles").glob("*.json"))
if not profiles:
    report(False, "cases/profiles/*.json", ": no profile found")
for path in profiles:
    document = json.loads(path.read_text(encoding="utf-8"))
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    detail = "".join(f"\n  {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors)
    report(not errors, f"{path.relative_to(CASES.parent)} validates", detail)

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

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

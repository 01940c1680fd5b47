"""Normalising the two sides' records and listing where they differ, step by step.

Compared per step: the HTTP status; for errors, the error body's shape (its top-level key,
e.g. `badRequest`, and `code`); the set of key paths of the body (nested, `[]` for list items;
the keys under free-form maps such as `metadata` are data and compared by value instead); the
normalised values of the step's `compare` paths; and the (status, vm_state, task_state)
sequence polled until stable. For sequences, a transient (task_state set) seen on one side
only is not a difference: polling can miss it. A different final state, a stable state seen on
one side only, or the common states in a different order is.
"""

import re

from steps import transient

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?")
_URL = re.compile(r"https?://[^/\s\"]+")
_REQ = re.compile(r"req-[0-9a-f-]{36}")
# Maps whose keys are data, not schema: their keys are not part of the key set.
FREE_MAPS = {"metadata", "addresses", "extra_specs", "properties"}
# Values that differ by nature between two clouds (hosts, hashes, passwords).
OPAQUE = {"hostId", "adminPass", "OS-EXT-SRV-ATTR:host", "OS-EXT-SRV-ATTR:hypervisor_hostname",
          "OS-EXT-SRV-ATTR:instance_name", "OS-EXT-SRV-ATTR:hostname", "host_status",
          "OS-EXT-SRV-ATTR:reservation_id", "OS-EXT-SRV-ATTR:launch_index", "user_id",
          "tenant_id", "OS-EXT-SRV-ATTR:kernel_id", "OS-EXT-SRV-ATTR:ramdisk_id"}


def key_paths(value, prefix=""):
    """Every key path in a JSON value: `server.flavor.original_name`, `servers[].id`."""
    out = set()
    if isinstance(value, dict):
        for k, v in value.items():
            path = f"{prefix}.{k}" if prefix else k
            out.add(path)
            if k not in FREE_MAPS:
                out |= key_paths(v, path)
    elif isinstance(value, list):
        for item in value:
            out |= key_paths(item, f"{prefix}[]")
    return out


def normalise(value, env_values):
    """Ids saved by the scenario become `{name}`, other ids `<uuid>`, times `<time>`, ..."""
    if isinstance(value, dict):
        return {k: ("<opaque>" if k in OPAQUE else normalise(v, env_values))
                for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v, env_values) for v in value]
    if isinstance(value, str):
        if value in env_values:
            return "{" + env_values[value] + "}"
        value = _REQ.sub("<request-id>", value)
        value = _URL.sub("<base>", value)
        value = _TIME.sub("<time>", value)
        return _UUID.sub("<uuid>", value)
    return value


def error_shape(record):
    body = record.get("body")
    if record.get("status", 0) < 400:
        return None
    if not isinstance(body, dict) or len(body) != 1:
        return {"top": sorted(body) if isinstance(body, dict) else type(body).__name__}
    (top, inner), = body.items()
    return {"top": top, "code": inner.get("code") if isinstance(inner, dict) else None}


def _common_order(a, b):
    common = [s for s in a if s in b]
    return common, [s for s in b if s in a]


def _after(seq, before):
    """The sequence less leading polls that still show the state from before the request (the
    work had not started yet: a state missed by polling on the other side, not a difference)."""
    while before and len(seq) > 1 and seq[0] == before:
        seq = seq[1:]
    return seq


def compare_states(fake, nova, before_f=None, before_n=None):
    """Differences between two polled sequences (None: the same)."""
    if fake is None and nova is None:
        return None
    if fake is None or nova is None:
        return "polled on one side only (the other answered an error)"
    fake, nova = _after(fake, before_f), _after(nova, before_n)
    if fake[-1] != nova[-1]:
        return f"settled differently: fake {fake[-1]}, nova {nova[-1]}"
    stable = lambda seq: [s for s in seq if not transient(s)]  # noqa: E731
    only_f = [s for s in stable(fake) if s not in nova]
    only_n = [s for s in stable(nova) if s not in fake]
    if only_f or only_n:
        return f"stable states on one side only: fake {only_f}, nova {only_n}"
    cf, cn = _common_order(fake, nova)
    if cf != cn:
        return f"common states in a different order: fake {cf}, nova {cn}"
    return None


def transients_one_side(fake, nova):
    """Transient states seen on one side only (information, not differences)."""
    if not fake or not nova:
        return []
    return ([f"fake only: {s}" for s in fake if transient(s) and s not in nova] +
            [f"nova only: {s}" for s in nova if transient(s) and s not in fake])


def unsorted_listing(fake, nova):
    """A `scenario` difference when a step compares the order of several listed servers without
    a `sort_key`: Nova's default order (created_at desc, id desc) is not stable between runs, so
    such a step passes or fails by chance (cases/parity/README.md)."""
    if "sort_key=" in fake.get("request", ""):
        return []
    longest = max((len(v) for rec in (fake, nova) for p, v in (rec.get("values") or {}).items()
                   if p.startswith("servers[]") and isinstance(v, list)), default=0)
    if longest < 2:
        return []
    return [{"kind": "scenario", "detail": f"compares the order of {longest} listed servers "
             "without a sort_key; Nova's default order is not stable between runs: add "
             "`sort_key=display_name&sort_dir=asc` to the step's path"}]


def compare_step(fake, nova, env_f, env_n):
    """A list of {kind, detail} for one step."""
    diffs = []
    if "error" in fake or "error" in nova:
        if fake.get("error") != nova.get("error"):
            diffs.append({"kind": "run", "detail": f"fake: {fake.get('error')}; nova: {nova.get('error')}"})
        return diffs
    if fake["status"] != nova["status"]:
        # Everything else follows from the status (an error body, no polling): one difference.
        return [{"kind": "status", "detail": f"fake {fake['status']}, nova {nova['status']}"}]
    ef, en = error_shape(fake), error_shape(nova)
    if ef != en and ef and en:
        diffs.append({"kind": "error-shape", "detail": f"fake {ef}, nova {en}"})
    if fake["status"] == nova["status"] and not (ef or en):
        kf, kn = key_paths(fake["body"]), key_paths(nova["body"])
        if kf != kn:
            diffs.append({"kind": "keys", "detail": {
                "fake only": sorted(kf - kn), "nova only": sorted(kn - kf)}})
    diffs.extend(unsorted_listing(fake, nova))
    vf = normalise(fake.get("values"), env_f)
    vn = normalise(nova.get("values"), env_n)
    for path in sorted(set(vf or {}) | set(vn or {})):
        a, b = (vf or {}).get(path), (vn or {}).get(path)
        if a != b:
            diffs.append({"kind": "value", "path": path, "detail": f"fake {a!r}, nova {b!r}"})
    sd = compare_states(fake.get("states"), nova.get("states"), fake.get("before"),
                        nova.get("before"))
    if sd:
        diffs.append({"kind": "states", "detail": sd})
    return diffs

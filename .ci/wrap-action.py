#!/usr/bin/env python3
"""Wrap a composite GitHub action in workflows that actionlint can check.

Usage: wrap-action.py ACTION_YML OUT_DIR

actionlint lints workflows only. This writes, under OUT_DIR/.github/workflows/:

* `steps.yml`: a reusable workflow (`on: workflow_call`) whose inputs are the action's inputs
  and whose only job runs the action's steps, so every `${{ inputs.x }}` expression is checked
  and every `run:` block goes through shellcheck;
* `uses.yml`: a workflow calling the action (copied to OUT_DIR under the same path) with its
  required inputs, so actionlint checks the action's metadata as a caller sees it.

It also checks the composite-only rules actionlint cannot know: `runs.using` is `composite`,
every `run:` step has a `shell:`, every input has a description. Problems are printed as
`PATH: message` and the exit code is 1; 2 when the file cannot be read.
"""

import shutil
import sys
from pathlib import Path

import yaml


def main(action_path, out_dir):
    action_file = Path(action_path)
    out = Path(out_dir)
    try:
        action = yaml.safe_load(action_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        print(f"{action_file}: failed to read the action: {err}")
        return 2
    problems = []
    runs = action.get("runs") or {}
    if runs.get("using") != "composite":
        problems.append("runs.using must be `composite`")
    inputs = action.get("inputs") or {}
    for name, spec in inputs.items():
        if not (spec or {}).get("description"):
            problems.append(f"input `{name}` has no description")
    steps = runs.get("steps") or []
    for i, step in enumerate(steps, 1):
        if "run" in step and "shell" not in step:
            problems.append(f"step {i} ({step.get('name', 'unnamed')}) runs a command without `shell:`")
    for problem in problems:
        print(f"{action_file}: {problem}")
    if problems:
        return 1

    workflows = out / ".github" / "workflows"
    workflows.mkdir(parents=True)
    call_inputs = {
        name: {"type": "string", "required": False, "description": (spec or {}).get("description", "")}
        for name, spec in inputs.items()
    }
    steps_workflow = {
        "name": f"steps of {action_file}",
        "on": {"workflow_call": {"inputs": call_inputs}} if call_inputs else {"workflow_call": None},
        "jobs": {"steps": {"runs-on": "ubuntu-latest", "steps": steps}},
    }
    (workflows / "steps.yml").write_text(yaml.safe_dump(steps_workflow, sort_keys=False), encoding="utf-8")

    local = action_file.parent
    (out / local).mkdir(parents=True, exist_ok=True)
    shutil.copy(action_file, out / local / action_file.name)
    required = {
        name: "x" for name, spec in inputs.items() if (spec or {}).get("required") and "default" not in (spec or {})
    }
    use_step = {"uses": f"./{local.as_posix()}"}
    if required:
        use_step["with"] = required
    uses_workflow = {
        "name": f"uses {action_file}",
        "on": "push",
        "jobs": {"use": {"runs-on": "ubuntu-latest", "steps": [{"uses": "actions/checkout@v5"}, use_step]}},
    }
    (workflows / "uses.yml").write_text(yaml.safe_dump(uses_workflow, sort_keys=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))

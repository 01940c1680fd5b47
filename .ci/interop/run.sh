#!/usr/bin/env bash
# Interop test: real OpenStack clients (python-openstackclient, openstacksdk, python-novaclient,
# pinned in requirements.txt) against the standalone fake-server.
#
# Usage: bash .ci/interop/run.sh
#
# 1. A venv under .ci/.cache/interop-venv (git-ignored) holds the clients. A stamp records the
#    sha256 of requirements.txt plus the Python version; a current venv is reused (milliseconds),
#    a stale one is rebuilt. flock keeps two runs from installing at once. INTEROP_PYTHON picks
#    the interpreter (default python3). A client that fails to install fails the set-up (exit 2)
#    with pip's reason: no client is ever dropped silently.
# 2. Builds fake-server and starts it on a free loopback port (port 0: the OS picks) with
#    `--profile nova --manual-clock --step-ms 50`. The manual clock makes action walks wait for
#    interop.py to advance it, so the transient states of a reboot are asserted exactly even
#    though each CLI call takes about a second. A trap stops the fake on exit.
#    INTEROP_FAKE_BIN=/path/to/fake-server uses a prebuilt binary instead of building one;
#    INTEROP_FAKE_ARGS adds fake-server arguments, e.g. `--deviation stopped/null=ERROR` to
#    watch the checks catch a fake that derives one status wrongly.
# 3. Runs interop.py: one `ok   …` / `FAIL …` line per check, then `interop: N passed, M failed`.
#
# Exit status: 0 all checks passed, 1 a check failed, 2 set-up failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

python=${INTEROP_PYTHON:-python3}
step_ms=50
cache="$root/.ci/.cache"
venv="$cache/interop-venv"
req="$here/requirements.txt"
stamp="$venv/.stamp"

fail_setup() {
    echo "interop: failed to set up: $*" >&2
    exit 2
}

want="$(sha256sum "$req" | cut -d' ' -f1) $("$python" -c 'import sys; print(sys.version.split()[0])')" ||
    fail_setup "no usable $python"
mkdir -p "$cache"
# A stamp from an older script may say `missing` on line 2 (python-novaclient was dropped):
# such a venv is stale too, so every client is installed again or the step fails.
current() { [ -f "$stamp" ] && [ "$(head -n1 "$stamp")" = "$want" ] && [ "$(sed -n 2p "$stamp")" = installed ]; }
if ! current; then
    exec 9>"$cache/interop-venv.lock"
    flock 9
    # Another run may have finished the install while this one waited for the lock.
    if ! current; then
        echo "interop: creating $venv (first run, or requirements.txt changed)"
        rm -rf "$venv"
        "$python" -m venv "$venv" || fail_setup "could not create $venv"
        pip=("$venv/bin/python" -m pip install --disable-pip-version-check --quiet)
        if ! pip_log=$("${pip[@]}" -r "$req" 2>&1); then
            printf '%s\n' "$pip_log" >&2
            reason=$(printf '%s\n' "$pip_log" | grep -E '^(ERROR|error):' | head -n3 | tr '\n' ' ')
            fail_setup "could not install every client of $req: ${reason:-see the pip output above}"
        fi
        printf '%s\n%s\n' "$want" installed >"$stamp"
    fi
    exec 9>&-
fi
"$venv/bin/python" - <<'EOF'
import importlib.metadata as m
found = []
for p in ("python-openstackclient", "openstacksdk", "python-novaclient"):
    try:
        found.append(f"{p} {m.version(p)}")
    except m.PackageNotFoundError:
        pass
print("interop: clients: " + ", ".join(found))
EOF

if [ -n "${INTEROP_FAKE_BIN:-}" ]; then
    fake_bin=$INTEROP_FAKE_BIN
else
    cargo build -q -p fake-server || fail_setup "cargo build -p fake-server failed"
    target_dir=$(cargo metadata --format-version 1 --no-deps |
        "$python" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
    fake_bin="$target_dir/debug/fake-server"
fi

# Under the git-ignored cache, not /tmp, so nothing that tidies /tmp can pull it away mid-run.
tmp=$(mktemp -d "$cache/interop-run.XXXXXX")
fake_pid=
# shellcheck disable=SC2329 # invoked by the EXIT trap
cleanup() {
    if [ -n "$fake_pid" ]; then
        kill "$fake_pid" 2>/dev/null || true
        wait "$fake_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck disable=SC2086 # INTEROP_FAKE_ARGS is a list of words on purpose
"$fake_bin" --listen 127.0.0.1:0 --profile nova --manual-clock --step-ms "$step_ms" \
    ${INTEROP_FAKE_ARGS:-} >"$tmp/fake.out" 2>"$tmp/fake.err" &
fake_pid=$!
base=
for _ in $(seq 100); do
    base=$(sed -n 's/^fake-server listening on \(http[^ ]*\) .*/\1/p' "$tmp/fake.out")
    [ -n "$base" ] && break
    kill -0 "$fake_pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$base" ]; then
    cat "$tmp/fake.err" >&2
    if kill -0 "$fake_pid" 2>/dev/null; then
        fail_setup "$fake_bin did not print its URL within 10 s"
    fi
    fake_status=0
    wait "$fake_pid" || fake_status=$?
    fake_pid=
    fail_setup "$fake_bin exited with status $fake_status before printing its URL"
fi
echo "interop: fake-server (pid $fake_pid) at $base, profile nova, manual clock, step ${step_ms} ms"

status=0
TMPDIR=$tmp INTEROP_STEP_MS=$step_ms "$venv/bin/python" "$here/interop.py" "$base" || status=$?
exit "$status"

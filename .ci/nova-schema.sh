#!/usr/bin/env bash
# Validates the fake's Nova bodies against nova 34.0.0's own response schemas
# (fake-server/tests/nova_schema.py), for each built-in profile. Builds the fake, starts it on an
# ephemeral loopback port, reads the base URL from the one line it prints, runs the checker with
# the nova adapter's venv (created on first use), and always stops the fake.
set -euo pipefail
cd "$(dirname "$0")/.."
py=adapters/nova/.venv/bin/python
if [ ! -x "$py" ]; then
    adapters/nova/run </dev/null >/dev/null
fi
cargo build -q -p fake-server
# Where cargo put it: CARGO_TARGET_DIR, build.target-dir, or ./target (.ci/run passes it).
fake_server=${FAKE_SERVER_BIN:-$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/debug/fake-server}
out=$(mktemp)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -f "$out"
}
trap cleanup EXIT
for profile in nova ecs-openstack ecs; do
    "$fake_server" --listen 127.0.0.1:0 --profile "$profile" >"$out" &
    pid=$!
    base=
    for _ in $(seq 100); do
        base=$(sed -nE 's/^fake-server listening on (http:[^ ]+) .*/\1/p' "$out")
        [ -n "$base" ] && break
        sleep 0.1
    done
    if [ -z "$base" ]; then
        echo "fake-server did not print its base URL" >&2
        exit 2
    fi
    echo "profile $profile at $base"
    "$py" fake-server/tests/nova_schema.py "$base"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=
done

#!/bin/sh
# Shared launcher for the Node adapters: `npm-run.sh DIR SCRIPT [ARGS...]`.
#
# On first use it runs `npm ci` in DIR (installing the exact versions of DIR/package-lock.json
# into DIR/node_modules); afterwards it only compares a stamp (DIR/node_modules/.stamp: sha256 of
# package-lock.json plus the Node version). A lock (flock on DIR/.npm.lock) keeps two harnesses
# started at once from installing concurrently. Without node or npm it exits 2 with one line.
#
# Everything this script prints goes to stderr: stdout belongs to the adapter protocol.
set -eu

dir=$1
script=$2
shift 2

fail() {
    echo "adapter setup: $*" >&2
    exit 2
}

command -v node >/dev/null 2>&1 || fail "node is not installed (these adapters need Node 18 or newer; Debian: apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || fail "npm is not installed (Debian: apt-get install npm)"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 18 ] || fail "node $(node --version) is too old (these adapters need Node 18 or newer)"

lock="$dir/package-lock.json"
stamp="$dir/node_modules/.stamp"
want="$(sha256sum "$lock" | cut -d' ' -f1) $(node --version)"

if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    exec 9>"$dir/.npm.lock"
    flock 9
    # Another process may have finished the install while this one waited for the lock.
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "adapter setup: npm ci in $dir (first use)" >&2
        (cd "$dir" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >&2) ||
            fail "npm ci failed in $dir (is the npm registry reachable?)"
        echo "$want" >"$stamp"
        echo "adapter setup: done" >&2
    fi
    exec 9>&-
fi

exec node "$dir/$script" "$@"

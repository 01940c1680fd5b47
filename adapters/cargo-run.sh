#!/bin/sh
# Shared launcher for the Rust adapters: `cargo-run.sh DIR BIN [ARGS...]`.
#
# Each Rust adapter is its own Cargo project (its own Cargo.lock, outside the repository's
# workspace). On first use this builds it with `cargo build --locked` into DIR/.build
# (gitignored); afterwards it only compares a stamp (DIR/.build/.stamp: sha256 of the
# manifest, the lock file and the sources, plus the rustc version and the profile). A lock
# (flock on DIR/.build/.lock) keeps two harnesses started at once from building concurrently.
# ADAPTER_CARGO_PROFILE picks the profile (default `dev`: see adapters/README.md for the build
# times that chose it). Without cargo it exits 2 with one line.
#
# Everything this script prints goes to stderr: stdout belongs to the adapter protocol.
set -eu

dir=$1
bin=$2
shift 2
profile=${ADAPTER_CARGO_PROFILE:-dev}

fail() {
    echo "adapter setup: $*" >&2
    exit 2
}

command -v cargo >/dev/null 2>&1 || fail "cargo is not installed (the Rust adapters are built on first use; install Rust from https://rustup.rs)"

build="$dir/.build"
case $profile in
    dev) out="$build/debug/$bin" ;;
    *) out="$build/$profile/$bin" ;;
esac
sources=$(cd "$dir" && cat Cargo.toml Cargo.lock src/*.rs ../rust-common/*.rs | sha256sum | cut -d' ' -f1)
want="$sources $(rustc --version) $profile"
stamp="$build/.stamp"

if [ ! -x "$out" ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    mkdir -p "$build"
    exec 9>"$build/.lock"
    flock 9
    # Another process may have finished the build while this one waited for the lock.
    if [ ! -x "$out" ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "adapter setup: cargo build ($profile) of $dir (first use; this takes minutes)" >&2
        cargo build --quiet --locked --profile "$profile" --manifest-path "$dir/Cargo.toml" \
            --target-dir "$build" >&2 || fail "cargo build failed in $dir (see above)"
        echo "$want" >"$stamp"
        echo "adapter setup: done" >&2
    fi
    exec 9>&-
fi

exec "$out" "$@"

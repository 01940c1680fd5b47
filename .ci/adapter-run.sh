#!/usr/bin/env bash
# `adapter-run.sh HARNESS NAME [HARNESS ARGS...]`: runs `HARNESS --target adapter:adapters/NAME/run
# ARGS --report-dir reports/ci-NAME` and checks the run against the adapter's known findings.
#
# A run must end in a verdict (exit 0 conformant, 1 non-conformant, 3 incomplete); exit 2 (usage
# or infrastructure) fails at once. Then every case must have exactly the outcome that
# adapters/NAME/expected-outcomes.txt lists for it (pass when not listed; no file: every case
# passes), checked by .ci/check-adapter-results.py, so a new failure and a vanished finding both
# fail CI.
set -uo pipefail
harness=$1
name=$2
shift 2
report="reports/ci-$name"
rm -rf "$report"
"$harness" --target "adapter:adapters/$name/run" "$@" --report-dir "$report"
status=$?
case $status in
0 | 1 | 3) ;;
*)
    echo "adapter-run: $name: the harness exited $status (no verdict); see above" >&2
    exit 1
    ;;
esac
expected="adapters/$name/expected-outcomes.txt"
if [ ! -f "$expected" ]; then expected=/dev/null; fi
python3 "$(dirname "$0")/check-adapter-results.py" "$report/results.json" "$expected"

#!/usr/bin/env bash
# Render a page in a real browser and save a PNG: headless Chromium.
#
# Usage: bash .ci/matrix-screenshot.sh PAGE.html OUT.png [ROWS]
#
# ROWS (default 8) sizes the window: the matrix page takes up to about 120 px per implementation.
# Installs Debian's `chromium` when no chromium is on PATH (apt-get, as root or through sudo).
# When it cannot be installed the script says so loudly and exits 0, so machines without a
# package mirror still run the rest of CI; every other failure (the page missing, Chromium
# failing, no PNG written) exits 1.
set -euo pipefail

page=${1:?usage: matrix-screenshot.sh PAGE.html OUT.png [ROWS]}
out=${2:?usage: matrix-screenshot.sh PAGE.html OUT.png [ROWS]}
rows=${3:-8}

if [ ! -f "$page" ]; then
    echo "matrix-screenshot: $page does not exist" >&2
    exit 1
fi

browser=""
for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null 2>&1; then
        browser=$candidate
        break
    fi
done
if [ -z "$browser" ]; then
    sudo=""
    if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; fi
    echo "matrix-screenshot: no chromium on PATH; installing Debian's chromium (apt-get)"
    if $sudo apt-get update -qq >/dev/null 2>&1 &&
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null 2>&1; then
        browser=chromium
    else
        echo "############################################################################"
        echo "## matrix-screenshot: SKIPPED: chromium is not installed and apt-get could not"
        echo "## install it here. The matrix page was NOT checked in a browser."
        echo "############################################################################"
        exit 0
    fi
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
mkdir -p "$(dirname "$out")"
rm -f "$out"
height=$((240 + 120 * rows))
# Wide enough for every column: the profile headers' colspans add up to the count columns.
columns=$(grep -o 'class="profile" colspan="[0-9]*"' "$page" | grep -o '[0-9]*' | awk '{ s += $1 } END { print s + 0 }')
width=$((1000 + 80 * ${columns:-9}))
if [ "$width" -lt 1400 ]; then width=1400; fi
url="file://$(cd "$(dirname "$page")" && pwd)/$(basename "$page")"
# A fresh profile and no background traffic: the page is self-contained, nothing else is needed.
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
    --user-data-dir="$profile" --window-size="$width,$height" --screenshot="$out" "$url" \
    >"$profile/chromium.log" 2>&1 || {
    echo "matrix-screenshot: $browser failed:" >&2
    tail -n 20 "$profile/chromium.log" >&2
    exit 1
}
if [ ! -s "$out" ]; then
    echo "matrix-screenshot: $browser wrote no screenshot to $out" >&2
    tail -n 20 "$profile/chromium.log" >&2
    exit 1
fi
# The page as the browser parsed it: every implementation row must survive parsing.
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
    --dump-dom "$url" >"$profile/dom.html" 2>>"$profile/chromium.log" || true
want=$(grep -o '<tr id="' "$page" | wc -l)
got=$(grep -o '<tr id="' "$profile/dom.html" | wc -l)
if [ "$want" -eq 0 ] || [ "$got" -ne "$want" ]; then
    echo "matrix-screenshot: the page has $want implementation rows, the browser's DOM $got" >&2
    exit 1
fi
# A PNG starts with \x89PNG.
if [ "$(head -c 4 "$out" | tail -c 3)" != "PNG" ]; then
    echo "matrix-screenshot: $out is not a PNG" >&2
    exit 1
fi
echo "matrix-screenshot: $($browser --version 2>/dev/null | head -n1) rendered $page ($got rows in the DOM) -> $out ($(wc -c <"$out") bytes)"

#!/usr/bin/env python3
"""Runs every shell command of README.md, so that the README cannot rot.

Each ```sh block of README.md runs as one bash script from the repository root, in order. A line
ending in `# exits N` must exit with N; every other line must succeed. `cargo test --workspace` is
not run again here: it is the first step of .ci/run, which calls this script later.

The "real cloud" example (`--os-cloud staging`) needs a cloud: this script starts `fake-server
--no-control` (so it looks like a cloud: no control plane, Keystone auth only) and points
OS_CLIENT_CONFIG_FILE at a clouds.yaml naming it `staging`, then runs README's command unchanged.

Prints one line per block and a final `readme: N passed, M failed`; exits 1 on any failure.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALREADY_RUN = {"cargo test --workspace"}


def blocks(text):
    """Yields (line number, [lines]) for every ```sh block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```sh":
            start = i + 1
            body = []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            yield start + 1, body
        i += 1


def to_script(body):
    out = ["set -euo pipefail"]
    for line in body:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped in ALREADY_RUN:
            out.append(f"echo '(skipped: `{stripped}` is the first step of .ci/run)'")
            continue
        m = re.search(r"#\s*exits\s+(\d+)\s*$", line)
        if m:
            cmd = line[: m.start()].rstrip()
            want = m.group(1)
            out.append(
                f"set +e; {cmd}; rc=$?; set -e; "
                f"if [ $rc -ne {want} ]; then echo \"expected exit {want}, got $rc: {cmd!s}\" >&2; exit 1; fi"
            )
        else:
            out.append(line)
    # Background jobs a block started and did not stop are stopped here.
    out.append("jobs -p | xargs -r kill 2>/dev/null || true")
    return "\n".join(out) + "\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_staging_cloud(tmp):
    """A fake-server without control plane, named `staging` in a clouds.yaml."""
    port = free_port()
    exe = os.path.join(ROOT, "target", "debug", "fake-server")
    if not os.path.exists(exe):
        subprocess.run(["cargo", "build", "-q", "-p", "fake-server"], cwd=ROOT, check=True)
    proc = subprocess.Popen(
        [exe, "--listen", f"127.0.0.1:{port}", "--no-control"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    proc.stdout.readline()  # the one line with its URL: it is listening
    clouds = os.path.join(tmp, "clouds.yaml")
    with open(clouds, "w") as f:
        f.write(
            "clouds:\n"
            "  staging:\n"
            "    auth:\n"
            f"      auth_url: http://127.0.0.1:{port}/identity/v3\n"
            "      username: readme\n"
            "      password: readme-password\n"
            "      project_name: readme\n"
            "      user_domain_name: Default\n"
            "      project_domain_name: Default\n"
            "    region_name: RegionOne\n"
        )
    return proc, clouds


def main():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        cloud, clouds_yaml = start_staging_cloud(tmp)
        env = dict(os.environ, OS_CLIENT_CONFIG_FILE=clouds_yaml, CARGO_TERM_COLOR="never")
        try:
            for line_no, body in blocks(readme):
                script = to_script(body)
                first = next((l.strip() for l in body if l.strip()), "")
                started = time.monotonic()
                # Each block runs in its own process group, killed afterwards, so that a server
                # a block leaves behind cannot hold a port the next block needs.
                proc = subprocess.Popen(
                    ["bash", "-c", script],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    start_new_session=True,
                )
                try:
                    out, _ = proc.communicate(timeout=900)
                finally:
                    try:
                        os.killpg(proc.pid, signal.SIGTERM)
                    except ProcessLookupError:
                        pass
                r = subprocess.CompletedProcess(proc.args, proc.returncode, out)
                took = time.monotonic() - started
                if r.returncode == 0:
                    passed += 1
                    print(f"ok   README.md:{line_no} {first} ({took:.1f} s)")
                else:
                    failed += 1
                    print(f"FAIL README.md:{line_no} {first} (exit {r.returncode})")
                    print("\n".join("     " + l for l in r.stdout.splitlines()[-25:]))
        finally:
            cloud.terminate()
            cloud.wait()
    print(f"readme: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""nova-local: upstream Nova in one process, served on a loopback port (see README.md).

Prints one JSON line on stdout when ready, e.g.
{"nova_local": {"base": "http://127.0.0.1:41234", "auth_url": ".../identity/v3",
 "compute": ".../compute/v2.1", "image": ".../image", "startup_s": 3.9, ...}}
and serves until SIGTERM or SIGINT (or, when stdin is a pipe, until it is closed). On exit the
services are stopped and every temporary file is removed.
"""

import argparse
import json
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time

STARTED = time.monotonic()
STOP_TIMEOUT_S = 20
# Native threads, not eventlet: must be set before nova is imported.
os.environ["OS_NOVA_DISABLE_EVENTLET_PATCHING"] = "1"
# Every temporary file Nova or its fixtures make goes under one directory removed on exit.
TMP = tempfile.mkdtemp(prefix="nova-local-")
os.environ["TMPDIR"] = TMP
tempfile.tempdir = TMP


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="nova-local/run",
        description="Upstream Nova 34.0.0 in one process (fake virt driver, sqlite, in-process "
                    "Placement), with a minimal Keystone v3 and a read-only image service.")
    p.add_argument("--listen", default="127.0.0.1:0",
                   help="HOST:PORT to serve on (default 127.0.0.1:0, any free port)")
    p.add_argument("--delay-ms", type=int, default=200,
                   help="how long each fake-driver guest operation takes (spawn, reboot, "
                        "power_off, ...), so transient task_states are visible (default 200)")
    p.add_argument("--reclaim-interval", type=int, default=0,
                   help="Nova's reclaim_instance_interval: > 0 makes delete soft (SOFT_DELETED, "
                        "restorable); default 0 as in Nova")
    p.add_argument("--shelved-offload-time", type=int, default=0,
                   help="Nova's shelved_offload_time: 0 offloads at once (default), -1 never")
    p.add_argument("--users", metavar="FILE",
                   help='JSON {"users": [{"name", "password", "project", "roles"}]}; default '
                        "admin/admin (project admin, role admin) and demo/demo (project demo)")
    p.add_argument("--clouds-yaml", metavar="FILE",
                   help="also write a clouds.yaml with one entry per user (nova-local-<name>)")
    p.add_argument("--log-level", default="WARNING",
                   choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="Nova's log level (stderr)")
    return p.parse_args(argv)


def load_users(path):
    from nova_local.keystone import DEFAULT_USERS
    if not path:
        return DEFAULT_USERS
    with open(path) as f:
        users = json.load(f).get("users")
    if not isinstance(users, list) or not users:
        sys.exit(f"nova-local: {path}: expected a non-empty `users` list")
    for i, u in enumerate(users):
        missing = [k for k in ("name", "password", "project", "roles") if k not in u]
        if missing:
            sys.exit(f"nova-local: {path}: users[{i}]: missing {', '.join(missing)}")
    return users


def write_clouds_yaml(path, auth_url, users):
    lines = ["clouds:"]
    for u in users:
        lines += [f"  nova-local-{u['name']}:", "    auth:",
                  f"      auth_url: {auth_url}", f"      username: {json.dumps(u['name'])}",
                  f"      password: {json.dumps(u['password'])}",
                  f"      project_name: {json.dumps(u['project'])}",
                  "      user_domain_name: Default", "      project_domain_name: Default",
                  "    region_name: RegionOne", "    identity_api_version: 3"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def wait_for_exit():
    """Blocks until SIGTERM/SIGINT, or EOF on stdin when stdin is a pipe."""
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    try:
        watch_stdin = stat.S_ISFIFO(os.fstat(0).st_mode)
    except OSError:
        watch_stdin = False
    if watch_stdin:
        def read_until_eof():
            while sys.stdin.buffer.read(4096):
                pass
            done.set()
        threading.Thread(target=read_until_eof, daemon=True).start()
    while not done.wait(0.5):
        pass


def main(argv):
    opts = parse_args(argv)
    host, _, port = opts.listen.rpartition(":")
    users = load_users(opts.users)
    from nova_local import front
    server = front.bind(host or "127.0.0.1", int(port))
    base = f"http://{server.server_address[0]}:{server.server_address[1]}"
    from nova_local import boot, glance, keystone
    case = boot.start(opts)
    try:
        identity = keystone.Identity(users, base)
        images = glance.ImageService(case.glance, identity, base)
        front.serve(server, front.Front(identity, images, case.wsgi_app()))
        if opts.clouds_yaml:
            write_clouds_yaml(opts.clouds_yaml, f"{base}/identity/v3", users)
        ready = {"base": base, "auth_url": f"{base}/identity/v3",
                 "compute": f"{base}/compute/v2.1", "image": f"{base}/image",
                 "users": [u["name"] for u in users], "delay_ms": opts.delay_ms,
                 "reclaim_interval": opts.reclaim_interval, "pid": os.getpid(),
                 "startup_s": round(time.monotonic() - STARTED, 2),
                 "startup_cpu_s": round(time.process_time(), 2)}
        if opts.clouds_yaml:
            ready["clouds_yaml"] = os.path.abspath(opts.clouds_yaml)
        print(json.dumps({"nova_local": ready}), flush=True)
        # stdout carries only that line: whatever else is printed (Nova's logging re-attaches
        # to stdout while its fixtures are undone) goes to stderr.
        os.dup2(2, 1)
        wait_for_exit()
    finally:
        server.shutdown()
        # Stopping the services waits for their threads; never wait forever for a stuck one.
        stopper = threading.Thread(target=boot.stop, args=(case,), daemon=True)
        stopper.start()
        stopper.join(STOP_TIMEOUT_S)
        print("nova-local: stopped" if not stopper.is_alive() else
              f"nova-local: services still stopping after {STOP_TIMEOUT_S} s; exiting anyway",
              file=sys.stderr)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    # Nova's services leave non-daemon threads behind; the cloud is stopped, so leave now.
    os._exit(0)

"""Ask one adapter one question against a fresh standalone fake-server, and print the answer.

A one-command reproduction of what an SDK does with one server (or one listing), without the
harness:

    python3 adapters/tests/ask.py pkgcloud surface rescued            # {"status": "RESCUE", "typed": "ERROR"}
    python3 adapters/tests/ask.py rust-openstack list active --odd HIBERNATED
    python3 adapters/tests/ask.py gophercloud wait error --target ACTIVE --timeout 3

VM_STATE[/TASK_STATE] seeds the server (`null` or no TASK_STATE: no task). `--odd STATUS` adds,
for `list`, a second server the fake serves with that status (`--deviation`). `wait` asks the
SDK's waiter for `--target` (or `--deleted`). FAKE_SERVER=path skips `cargo run`.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from support import AdapterProcess, Fake  # noqa: E402

ODD_VM_STATE = "odd-state"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("adapter", help="a folder of adapters/, e.g. pkgcloud")
    parser.add_argument("kind", choices=["fetch", "surface", "list", "wait"])
    parser.add_argument("state", help="VM_STATE[/TASK_STATE] of the seeded server")
    parser.add_argument("--odd", metavar="STATUS", help="list: add a server shown with STATUS")
    parser.add_argument("--target", default="ACTIVE", help="wait: the status to wait for")
    parser.add_argument("--deleted", action="store_true", help="wait until the server is gone")
    parser.add_argument("--timeout", type=float, default=3.0, help="wait: timeout_s")
    args = parser.parse_args()

    vm_state, _, task_state = args.state.partition("/")
    task_state = None if task_state in ("", "null") else task_state
    fake = Fake(*(["--deviation", f"{ODD_VM_STATE}/null={args.odd}"] if args.odd else []))
    adapter = AdapterProcess(args.adapter)
    try:
        print(json.dumps(adapter.start(2)), file=sys.stderr)
        servers = [{"vm_state": vm_state, "task_state": task_state}]
        if args.odd:
            servers.append({"vm_state": ODD_VM_STATE, "task_state": None})
        seeded = fake.seed(*servers)
        if args.kind == "list":
            answer = adapter.run("list", fake.fetch())
        elif args.kind == "wait":
            wait = {"until": "deleted" if args.deleted else "status",
                    "target": None if args.deleted else args.target,
                    "timeout_s": args.timeout, "interval_s": 0.05}
            answer = adapter.run("wait", fake.fetch(seeded[0]), wait, timeout=args.timeout + 30)
        else:
            answer = adapter.run(args.kind, fake.fetch(seeded[0]))
        print(json.dumps(answer))
    finally:
        adapter.stop()
        fake.stop()


if __name__ == "__main__":
    main()

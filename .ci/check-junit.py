#!/usr/bin/env python3
"""Validate JUnit XML reports the way strict CI consumers read them.

Usage: .ci/check-junit.py REPORT.xml [REPORT.xml ...]

For each file this
  1. validates it against the Jenkins xunit schema `junit-10.xsd` (taken from the pytest 9.2.0
     sdist, as docs/ARCHITECTURE.md and the harness issue require), with `xmlschema`;
  2. parses it with `junitparser` (what many GitHub/GitLab tools use);
  3. checks that it holds at least one test case, and that every `testsuite`'s
     `tests`/`failures`/`errors`/`skipped` attributes and the root totals match the test cases
     actually present.

It prints one line per file (`ok PATH: N tests, F failures, E errors, S skipped in K suites` or
`FAIL PATH: reason`) and exits 0 only when every file passes; 2 on a set-up problem (no network
for the first run, pip failure), 1 on an invalid report.

Set-up is idempotent and cached under `.ci/.cache/` (git-ignored): a venv with pinned
`xmlschema` and `junitparser` (or, where the `venv` module is unusable, a `pip install --target`
directory), and the pytest sdist the schema comes from. The script re-executes itself inside the
venv, so CI needs only `python3` with pip and PyPI access on the first run; later runs are
offline.
"""

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

CI_DIR = Path(__file__).resolve().parent
CACHE = CI_DIR / ".cache"
VENV = CACHE / "venv"
REQUIREMENTS = ["xmlschema==4.3.2", "junitparser==5.0.3"]
PYTEST_SDIST = "pytest-9.2.0.tar.gz"
XSD_MEMBER = "pytest-9.2.0/testing/example_scripts/junit-10.xsd"
XSD = CACHE / "junit-10.xsd"
STAMP = VENV / ".requirements"
SITE = CACHE / f"site-py{sys.version_info[0]}{sys.version_info[1]}"

EXIT_INVALID = 1
EXIT_SETUP = 2


def setup_failed(message):
    print(f"check-junit: failed to set up: {message}", file=sys.stderr)
    sys.exit(EXIT_SETUP)


def venv_python():
    return VENV / "bin" / "python3"


def in_venv():
    return Path(sys.prefix).resolve() == VENV.resolve()


def setup_lock():
    """An exclusive lock on the cache, so parallel runs (tests) do not build the venv twice."""
    CACHE.mkdir(parents=True, exist_ok=True)
    handle = open(CACHE / ".lock", "w")
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def run(cmd):
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return done.returncode == 0, f"`{' '.join(map(str, cmd))}` exited {done.returncode}:\n{done.stdout}"


def ensure_deps():
    """Install the pinned checkers once: into the venv, or, where `venv`/`ensurepip` is missing
    (Debian without python3-venv), into a `pip install --target` directory. Returns the mode."""
    wanted = "\n".join(REQUIREMENTS) + "\n"
    if venv_python().exists() and STAMP.exists() and STAMP.read_text() == wanted:
        return "venv"
    site_stamp = SITE / ".requirements"
    if site_stamp.exists() and site_stamp.read_text() == wanted:
        return "site"
    ok, why = run([sys.executable, "-m", "venv", "--clear", str(VENV)])
    if ok:
        ok, why = run([str(venv_python()), "-m", "pip", "install", "--quiet",
                       "--disable-pip-version-check", *REQUIREMENTS])
        if ok:
            STAMP.write_text(wanted)
            return "venv"
        setup_failed(why)
    # No usable venv module: fall back to a private site directory for this interpreter.
    shutil.rmtree(VENV, ignore_errors=True)
    ok, why_site = run([sys.executable, "-m", "pip", "install", "--quiet", "--upgrade",
                        "--disable-pip-version-check", "--target", str(SITE), *REQUIREMENTS])
    if not ok:
        setup_failed(f"{why}\nand the fallback {why_site}")
    site_stamp.write_text(wanted)
    return "site"


def pip_python(mode):
    return str(venv_python()) if mode == "venv" else sys.executable


def ensure_xsd(mode):
    """Fetch the pytest sdist once and extract junit-10.xsd from it."""
    if XSD.exists():
        return
    sdist = CACHE / PYTEST_SDIST
    if not sdist.exists():
        ok, why = run([pip_python(mode), "-m", "pip", "download", "--quiet", "--no-deps",
                   "--no-binary", ":all:", "--disable-pip-version-check",
                       "pytest==9.2.0", "-d", str(CACHE)])
        if not ok:
            setup_failed(why)
    with tarfile.open(sdist) as tar:
        member = tar.extractfile(XSD_MEMBER)
        if member is None:
            setup_failed(f"{sdist} has no {XSD_MEMBER}")
        data = member.read()
    tmp = XSD.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(XSD)


def check_file(path, schema):
    """Returns an error message, or a summary line body when the file is fine."""
    import junitparser
    import xmlschema

    if not path.is_file():
        return False, "no such file"
    try:
        errors = list(schema.iter_errors(str(path)))
    except Exception as exc:  # Malformed XML surfaces here.
        return False, f"not well-formed XML: {exc}"
    if errors:
        first = errors[0]
        where = getattr(first, "path", None) or "?"
        reason = getattr(first, "reason", None) or str(first).splitlines()[0]
        return False, f"does not validate against junit-10.xsd at {where}: {reason}" + (
            f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
    try:
        xml = junitparser.JUnitXml.fromfile(str(path))
    except Exception as exc:
        return False, f"junitparser cannot parse it: {exc}"

    suites = [xml] if isinstance(xml, junitparser.TestSuite) else list(xml)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        counted = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        names = set()
        for case in suite:
            counted["tests"] += 1
            key = (case.classname, case.name)
            if key in names:
                return False, f"suite {suite.name!r} repeats test case {case.name!r}"
            names.add(key)
            for result in case.result:
                if isinstance(result, junitparser.Failure):
                    counted["failures"] += 1
                elif isinstance(result, junitparser.Error):
                    counted["errors"] += 1
                elif isinstance(result, junitparser.Skipped):
                    counted["skipped"] += 1
        for attr, value in counted.items():
            declared = getattr(suite, attr)
            if declared is None and attr == "skipped":
                declared = 0
            if declared != value:
                return False, (f"suite {suite.name!r} declares {attr}={declared} "
                               f"but holds {value}")
            totals[attr] += value
    if isinstance(xml, junitparser.JUnitXml):
        for attr in ("tests", "failures", "errors"):
            raw = xml._elem.get(attr)
            if raw is not None and int(raw) != totals[attr]:
                return False, f"root declares {attr}={raw} but the suites hold {totals[attr]}"
    if totals["tests"] == 0:
        return False, "holds no test case"
    return True, (f"{totals['tests']} tests, {totals['failures']} failures, "
                  f"{totals['errors']} errors, {totals['skipped']} skipped "
                  f"in {len(suites)} suites")


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else EXIT_SETUP
    with setup_lock():
        mode = ensure_deps()
    if mode == "venv" and not in_venv():
        # Re-run inside the venv; the venv interpreter finds this same file.
        os.execv(str(venv_python()), [str(venv_python()), str(Path(__file__).resolve()),
                                      *argv[1:]])
    if mode == "site":
        sys.path.insert(0, str(SITE))
    with setup_lock():
        ensure_xsd(mode)
    import xmlschema

    schema = xmlschema.XMLSchema10(str(XSD))
    digest = hashlib.sha256(XSD.read_bytes()).hexdigest()[:12]
    status = 0
    for arg in argv[1:]:
        ok, text = check_file(Path(arg), schema)
        if ok:
            print(f"ok {arg}: {text} (junit-10.xsd sha256:{digest}…, junitparser)")
        else:
            print(f"FAIL {arg}: {text}")
            status = EXIT_INVALID
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""fundmgr's developer commands: exactly what README and CI run. Needs only Python 3.11+.

    python3 dev.py serve        create .venv, install, migrate, load the demo, serve :8000
    python3 dev.py test [ARGS]  create .venv, install with test tools, run pytest [ARGS]
    python3 dev.py cover [ARGS] the same with coverage: prints the figure, and fails when
                                the pure cores (COVERAGE_FLOOR) fall below their floor
    python3 dev.py lint         ruff check, ruff format --check, mypy, makemigrations --check
    python3 dev.py messages     refresh and compile the translations (needs GNU gettext)
    python3 dev.py help         this text

Dependencies are read from pyproject.toml (the one place they are named) and installed
into .venv only when pyproject.toml changed since the last install.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run(*args, env=None):
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.call([str(a) for a in args], cwd=ROOT, env=env)


def check(*args, env=None):
    code = run(*args, env=env)
    if code:
        sys.exit(code)


def ensure_env(with_tests: bool) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - a plain message, not an ImportError
        sys.exit("fundmgr needs Python 3.11 or newer")
    import tomllib

    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    if with_tests:
        requirements += project["optional-dependencies"]["test"]
    digest = hashlib.sha256("\n".join(requirements).encode()).hexdigest()[:16]
    stamp = VENV / f".installed-{digest}"
    if stamp.exists():
        return
    check(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *requirements)
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()


def manage(*args, env=None):
    check(PY, "manage.py", *args, env=env)


def serve() -> None:
    ensure_env(with_tests=False)
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    manage("migrate", "--noinput", env=env)
    manage("demo", env=env)
    manage("runserver", os.environ.get("FUNDMGR_ADDR", "127.0.0.1:8000"), env=env)


def parallel(args: list[str]) -> list[str]:
    """pytest-xdist on every core, unless the caller chose (-n N, -n 0, -p no:xdist): the
    browser tests are one group (xdist_group, tests/conftest.py) and share one server."""
    chosen = any(a.startswith(("-n", "--numprocesses", "--dist")) or a == "no:xdist" for a in args)
    return [] if chosen else ["-n", "auto", "--dist", "loadgroup"]


def test(args: list[str]) -> None:
    ensure_env(with_tests=True)
    code = run(PY, "-m", "pytest", *parallel(args), *args)
    if code == 5:
        print("pytest collected no tests: that is a failure here", file=sys.stderr)
    sys.exit(code)


# The pure cores are held to a branch-coverage floor (their tests are exhaustive and
# fast); the whole product's figure is printed, not enforced.
PURE_CORES = ["ledger/chain.py", "ledger/merkle.py", "fundmgr/lib/*"]
COVERAGE_FLOOR = 95


def cover(args: list[str]) -> None:
    ensure_env(with_tests=True)
    code = run(PY, "-m", "pytest", "--cov", "--cov-report=", *parallel(args), *args)
    if code:
        if code == 5:
            print("pytest collected no tests: that is a failure here", file=sys.stderr)
        sys.exit(code)
    check(PY, "-m", "coverage", "report", "--format=total")
    print(
        f"^ coverage of fundmgr, ledger and reports (lines and branches), per cent; "
        f"the pure cores, floor {COVERAGE_FLOOR} %:",
        flush=True,
    )
    check(
        PY,
        "-m",
        "coverage",
        "report",
        "--show-missing",
        f"--include={','.join(PURE_CORES)}",
        f"--fail-under={COVERAGE_FLOOR}",
    )


def lint() -> None:
    ensure_env(with_tests=True)
    check(PY, "-m", "ruff", "check", ".")
    check(PY, "-m", "ruff", "format", "--check", ".")
    env = {**os.environ, "DEBUG": "1"}  # mypy's Django plugin reads the settings
    check(PY, "-m", "mypy", env=env)
    manage("makemigrations", "--check", "--dry-run", env=env)


def messages() -> None:
    ensure_env(with_tests=False)
    env = {**os.environ, "DEBUG": "1"}
    ignore = ["-i", ".venv", "-i", "tests", "-i", "var", "-i", "bench"]
    manage("makemessages", "-l", "zh_Hans", "-l", "en", "--no-obsolete", *ignore, env=env)
    manage("compilemessages", *ignore, env=env)


def main(argv: list[str]) -> None:
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "serve":
        serve()
    elif command == "test":
        test(rest)
    elif command == "cover":
        cover(rest)
    elif command == "lint":
        lint()
    elif command == "messages":
        messages()
    else:
        print(__doc__)
        sys.exit(0 if command in {"help", "-h", "--help"} else 2)


if __name__ == "__main__":
    main(sys.argv[1:])

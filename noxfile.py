"""CI's sessions, each in a fresh virtual environment with the versions of constraints/ci.txt.

``.ci/run`` runs them all (``python -m nox``); one alone: ``python -m nox -s checks``.

- ``coverage``: on Python 3.11, the README's test command, as the README writes it (read from
  README.md, so the two cannot drift apart): install the ``test`` extra, run the whole suite
  under coverage, enforce the coverage floor;
- ``tests``: on Python 3.12 and 3.13, the whole suite (``pytest -n 2``: the docs' examples
  keep each page on one worker, see docs/conftest.py);
- both, on every Python: the virtual-time benchmark, which fails when a goal is missed
  (``bench_dht.py --only=virtual-time --check``: 1,000 sequential awaited operations in under
  0.5 s, 10,000 concurrent in under 2 s, the best of three runs, each spending exactly the
  simulated time it should; here about 10 and 4 to 6 times under their goals, so not a narrow
  window; the other benchmarks' ratios are run by hand, see docs/performance.md);
- ``checks``: ruff, mypy, the layering contracts (lint-imports) and the docs build with
  warnings as errors, once, on Python 3.11;
- ``libp2p``: on each Python, with the ``libp2p`` extra too, the contract suite on both
  backends (real py-libp2p hosts on 127.0.0.1) with the libp2p backend's own tests, and the
  plugin's tests of choosing it (``CONTRACT_BACKENDS=memory,libp2p``: see
  tests/contract/conftest.py), then the example suite of docs/examples on the libp2p
  backend; the other sessions run without py-libp2p, as most users do;
- ``constraints`` (only when asked for: ``python -m nox -s constraints``): write
  constraints/ci.txt anew from the newest releases, to refresh the pins on purpose.
"""

from __future__ import annotations

import re
from pathlib import Path

import nox

ROOT = Path(__file__).parent
CONSTRAINTS = ROOT / "constraints" / "ci.txt"
# The virtual-time goals, checked on every Python (see the module's docstring).
VIRTUAL_TIME_BENCHMARK = ("python", "benchmarks/bench_dht.py", "--only=virtual-time", "--check")
# The Python versions the package declares (its classifiers), each tested by CI.
PYTHONS = ["3.11", "3.12", "3.13"]
# Packages a virtual environment may bring along that nothing here installs or needs.
UNPINNED = {"setuptools", "wheel"}

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = False  # a fresh environment for every session
nox.options.error_on_missing_interpreters = True  # a Python that is not there fails CI


def readme_test_command() -> str:
    """The README's command that installs the ``test`` extra and runs the suite."""
    blocks = re.findall(r"```console\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    commands = [line for block in blocks for line in block.splitlines() if '".[test]"' in line]
    if len(commands) != 1:
        raise RuntimeError(f"expected one test command in README.md, found {commands!r}")
    return commands[0]


def pinned() -> dict[str, str]:
    """constraints/ci.txt as {normalised name: version}."""
    pins = {}
    for line in CONSTRAINTS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[normalise(name)] = version.strip()
    return pins


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def install_pinned(session: nox.Session, extras: str = "test") -> None:
    """Install the project with its ``extras``, every version from constraints/ci.txt."""
    # Every pip call of the session is constrained, the README's own included, and so is the
    # build backend that pip installs to build the project.
    session.env["PIP_CONSTRAINT"] = str(CONSTRAINTS)
    session.env["PIP_BUILD_CONSTRAINT"] = str(CONSTRAINTS)
    session.install("--quiet", "-c", str(CONSTRAINTS), "pip")
    session.install("--quiet", "-c", str(CONSTRAINTS), "-e", f".[{extras}]")
    frozen = session.run(
        "python", "-m", "pip", "freeze", "--all", "--exclude-editable", silent=True
    )
    pins = pinned()
    unpinned = sorted(
        line
        for line in str(frozen).splitlines()
        if "==" in line
        and normalise(line.split("==")[0]) not in UNPINNED
        and pins.get(normalise(line.split("==")[0])) != line.split("==")[1].strip()
    )
    if unpinned:
        session.error(
            f"installed but not pinned in {CONSTRAINTS.relative_to(ROOT)}: {', '.join(unpinned)}; "
            "refresh it on purpose with: python -m nox -s constraints"
        )


@nox.session(python=PYTHONS[:1])
def coverage(session: nox.Session) -> None:
    """The README's test command: the whole suite under coverage, with its floor."""
    install_pinned(session)
    session.run("bash", "-c", readme_test_command(), external=True)
    session.run(*VIRTUAL_TIME_BENCHMARK)


@nox.session(python=PYTHONS[1:])
def tests(session: nox.Session) -> None:
    """The whole suite, on the other Pythons the package declares."""
    install_pinned(session)
    session.run("python", "-m", "pytest", "-n", "2", *session.posargs)
    session.run(*VIRTUAL_TIME_BENCHMARK)


@nox.session(python=PYTHONS[:1])
def checks(session: nox.Session) -> None:
    """Lint, format, types, the layering contracts and the docs build (warnings are errors)."""
    install_pinned(session)
    session.run("python", "-m", "ruff", "check", ".")
    session.run("python", "-m", "ruff", "format", "--check", ".")
    session.run("python", "-m", "mypy")
    session.run("lint-imports")
    session.run(
        "python",
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-q",
        "-b",
        "html",
        "docs",
        "docs/_build/html",
    )


PYTEST_IN_PARALLEL = ("python", "-m", "pytest", "-n", "2", "-p", "no:cacheprovider")
"""pytest on two workers, with no cache to write in the checkout."""


@nox.session(python=PYTHONS)
def libp2p(session: nox.Session) -> None:
    """The contract suite on the mock and on real py-libp2p hosts; the libp2p backend's tests."""
    install_pinned(session, "test,libp2p")
    session.env["CONTRACT_BACKENDS"] = "memory,libp2p"
    session.run(
        *PYTEST_IN_PARALLEL, "tests/contract", "tests/test_libp2p_plugin.py", *session.posargs
    )
    # The example suite as users write it, on real hosts: tests that need the simulation say so
    # (@pytest.mark.bzzz(backend="memory")) and run on it; every other runs on libp2p.
    session.run(*PYTEST_IN_PARALLEL, "--bzzz-backend=libp2p", "docs/examples")


@nox.session(python=PYTHONS[:1], default=False)
def constraints(session: nox.Session) -> None:
    """Write constraints/ci.txt anew: the newest releases of all that CI installs."""
    session.install("--quiet", "--upgrade", "pip")
    session.install("--quiet", "-e", ".[test,libp2p]", "nox", "hatchling")
    frozen = session.run(
        "python", "-m", "pip", "freeze", "--all", "--exclude-editable", silent=True
    )
    lines = sorted(
        (line for line in str(frozen).splitlines() if "==" in line),
        key=lambda line: normalise(line.split("==")[0]),
    )
    kept = [line for line in lines if normalise(line.split("==")[0]) not in UNPINNED]
    header = [line for line in CONSTRAINTS.read_text().splitlines() if line.startswith("#")]
    CONSTRAINTS.write_text("\n".join([*header, *kept]) + "\n")
    session.log(f"wrote {len(kept)} pins to {CONSTRAINTS.relative_to(ROOT)}")

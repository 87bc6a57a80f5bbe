"""nox sessions: they only arrange environments (from the lock) and call the project's own entry points."""

from __future__ import annotations

import nox

nox.options.sessions = ["build", "tests"]
nox.options.reuse_existing_virtualenvs = True
PYTHON = "3.11"


def install(session: nox.Session) -> None:
    session.install("-r", "requirements.lock")
    session.install("--no-deps", "-e", ".")


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """Build the edition into dist/ (PDF, EPUB, HTML, SHA256SUMS). Extra args go to `editio build`."""
    install(session)
    session.run("python", "-m", "editio", "build", *session.posargs)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite (unit, golden, end-to-end, reproducibility, epubcheck, bad input, browser), one worker
    per core; args replace the defaults (e.g. `nox -s tests -- -m "not e2e"` for the quick loop)."""
    install(session)
    session.run("python", "-m", "pytest", *(session.posargs or ["-n", "auto", "--dist", "loadfile"]))


@nox.session(python=PYTHON)
def golden(session: nox.Session) -> None:
    """Rewrite the golden files (tests/cases/) of the tests named in the args, or of all; review the diff
    (git diff tests/cases) before committing."""
    install(session)
    session.run("python", "-m", "pytest", "-q", "-m", "not e2e", "--update-goldens", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Static checks: ruff (rules and format, see pyproject.toml) and mypy --strict on the core modules.
    `nox -s lint -- mypy` runs only the type check (the pre-commit hook)."""
    session.install("ruff==0.17.6", "mypy==2.4.1", "types-PyYAML==6.0.12.20261122")
    if session.posargs != ["mypy"]:
        session.run("ruff", "check", *LINTED)
        session.run("ruff", "format", "--check", *LINTED)
    session.run("mypy")


LINTED = ("src", "filters", "tests", "tools", "noxfile.py")


@nox.session(python=PYTHON)
def lock(session: nox.Session) -> None:
    """Re-resolve requirements.lock from pyproject.toml (needs the registry)."""
    session.install("uv")
    session.run(
        "uv",
        "pip",
        "compile",
        "pyproject.toml",
        "--extra",
        "test",
        "--python-version",
        PYTHON,
        "--generate-hashes",
        "-o",
        "requirements.lock",
    )


@nox.session(python=PYTHON)
def preview(session: nox.Session) -> None:
    """Serve the HTML on 127.0.0.1 with live reload; rebuilds on change (args: --port, --manuscript, --out)."""
    install(session)
    session.run("python", "-m", "editio.preview", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Measure clean builds against the bare pandoc+typst floor, peak RSS, the cached rebuild and a 10x manuscript."""
    install(session)
    session.run("python", "-m", "editio.bench", *session.posargs)

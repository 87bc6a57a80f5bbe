"""The bibliography checks: each problem found with its code and line, in one run."""

from __future__ import annotations

from pathlib import Path

from editio.bibliography import check_citations, parse_bibliography
from editio.errors import DiagnosticLog
from editio.sources import SourceTexts

BIB = """@book{good2000,
  author = {A, B},
  title = {T},
  year = {2000},
}

@book{uncited1999,
  author = {C, D},
  title = {U},
  year = {1999},
}

@article{notitle2001,
  journal = {J},
  year = {2001},
}
"""


def test_all_problems_reported_with_lines(tmp_path: Path):
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    log = DiagnosticLog()
    entries = parse_bibliography(bib, "refs.bib", log)
    sources = SourceTexts()
    sources.add("a.md", "Text.\n\nMore [@good2000, p. 1] and [@missing2020].\n")
    check_citations({"good2000", "missing2020", "notitle2001"}, entries, sources, "refs.bib", log)
    found = {(d.code, d.file, d.line, d.severity) for d in log.items}
    assert ("BIB003", "refs.bib", 13, "error") in found  # the cited article without a title
    assert ("BIB004", "a.md", 3, "error") in found  # cited but not defined, at its manuscript line
    assert ("BIB005", "refs.bib", 7, "warning") in found  # defined but never cited
    assert len(log.errors) == 2


def test_clean_bibliography_has_no_diagnostics(tmp_path: Path):
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB.split("@book{uncited1999")[0], encoding="utf-8")
    log = DiagnosticLog()
    entries = parse_bibliography(bib, "refs.bib", log)
    check_citations({"good2000"}, entries, SourceTexts(), "refs.bib", log)
    assert log.items == []


def test_real_bibliography_is_clean():
    root = Path(__file__).resolve().parent.parent
    log = DiagnosticLog()
    entries = parse_bibliography(root / "references.bib", "references.bib", log)
    assert log.errors == [], log.errors
    for entry in entries.values():
        assert entry.fields.get("langid"), f"{entry.key} lacks langid"
        assert entry.fields.get("verified") in ("full", "partial", "none"), entry.key

"""Foreign works are marked with their language in the bibliography and in citations (WCAG 3.1.2)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import panflute as pf

from editio.filters import load_filter
from conftest import ROOT

FILTER = load_filter(ROOT / "filters" / "reference_languages.py")


def _doc(bib: Path) -> pf.Doc:
    cite = pf.Cite(pf.Str("John,"), pf.Space(), pf.Str("2016"), citations=[pf.Citation("john2016")])
    own = pf.Cite(pf.Str("Щелчков,"), pf.Space(), pf.Str("2016"), citations=[pf.Citation("shchelchkov2016")])
    doc = pf.Doc(pf.Para(cite, pf.Space(), own),
                 pf.Div(pf.Para(pf.Str("John")), identifier="ref-john2016", classes=["csl-entry"]),
                 pf.Div(pf.Para(pf.Str("Щелчков")), identifier="ref-shchelchkov2016", classes=["csl-entry"]),
                 metadata={"lang": "ru", "bibliography": str(bib)}, format="html5")
    return doc


def test_foreign_entries_and_citations_get_their_language(tmp_path: Path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@book{john2016, title={T}, langid={spanish}}\n@book{shchelchkov2016, title={Т}, langid={russian}}\n",
                   encoding="utf-8")
    doc = FILTER.main(_doc(bib))
    para, foreign, own = doc.content
    assert foreign.attributes.get("lang") == "es"
    assert "lang" not in own.attributes
    first, _, second = para.content
    assert isinstance(first.content[0], pf.Span) and first.content[0].attributes["lang"] == "es"
    assert not isinstance(second.content[0], pf.Span)


def test_edition_marks_foreign_references(edition_dist: Path):
    html = next(edition_dist.glob("*.html")).read_text(encoding="utf-8")
    assert re.search(r'<div id="ref-john2016"[^>]* lang="es"', html)
    assert re.search(r'<div id="ref-shchelchkov2016"(?![^>]*lang=)[^>]*>', html)
    with zipfile.ZipFile(next(edition_dist.glob("*.epub"))) as epub:
        text = "".join(epub.read(n).decode("utf-8") for n in epub.namelist() if n.endswith(".xhtml"))
    assert 'xml:lang="es"' in text and 'xml:lang="fr"' in text

"""Foreign works are marked with their language in the bibliography and in citations (WCAG 3.1.2): the
reference_languages filter (editio.filters.reference_languages) after citeproc, through the real load and filter
stage, in each format, as a pandoc filter and in the flagship edition.

Golden case: tests/cases/reference_languages/citeproc/ (``input.md``, ``references.bib``), built with the
filters ``citations``, ``citeproc`` and ``reference_languages`` and the edition's CSL style;
``expected.{typst,html,epub}`` are the bodies pandoc writes. ``pytest --update-goldens`` rewrites them: review the diff.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from helpers import assert_matches_golden, pandoc_with_filter, prepare, render

from editio.ast import get, identifier, iter_nodes, stringify
from editio.build import lowered
from editio.load.pandoc import write

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "tests" / "cases" / "reference_languages" / "citeproc"
STYLE = {
    "manuscript/styles/edition.csl": (ROOT / "manuscript" / "styles" / "gost-r-7-0-5-2008-edition.csl").read_text(
        encoding="utf-8"
    )
}
BIB = (CASE / "references.bib").read_text(encoding="utf-8")


def languages_edition(
    markdown: str,
    lang: str = "ru",
    bib: str | None = BIB,
    filters: tuple[str, ...] = ("citations", "citeproc", "reference_languages"),
):
    config = {"filters": list(filters), "lang": lang, "csl": "styles/edition.csl"}
    files = dict(STYLE)
    if bib is not None:
        config["bibliography"] = "references.bib"
        files["manuscript/references.bib"] = bib
    return prepare(markdown, config, files)


def entry_languages(edition) -> dict[str, str | None]:
    """The ``lang`` of each bibliography entry, by key."""
    return {
        identifier(div)[len("ref-") :]: get(div, "lang")
        for div in iter_nodes(edition.doc["blocks"], ("Div",))
        if identifier(div).startswith("ref-")
    }


def citation_languages(edition) -> list[tuple[str, str | None]]:
    """Each citation's keys and the ``lang`` of the Span around its text (None: not wrapped)."""
    found = []
    for cite in iter_nodes(edition.doc["blocks"], ("Cite",)):
        keys = " ".join(c["citationId"] for c in cite["c"][0])
        inner = cite["c"][1]
        wrapped = len(inner) == 1 and inner[0]["t"] == "Span"
        found.append((keys, get(inner[0], "lang") if wrapped else None))
    return found


def case_edition(lang: str = "ru"):
    return languages_edition((CASE / "input.md").read_text(encoding="utf-8"), lang)


# --- the filter on the neutral AST -------------------------------------------------------------------------


def test_foreign_entries_and_citations_get_their_language():
    edition = case_edition()
    assert entry_languages(edition) == {
        "anon1953": None,
        "broue1971": "fr",
        "john2016": "es",
        "lora1978": "es",
        "shchelchkov2016": None,
    }
    assert citation_languages(edition) == [
        ("john2016", "es"),
        ("broue1971", "fr"),
        ("john2016 lora1978", "es"),
        ("john2016 shchelchkov2016", None),
        ("shchelchkov2016", None),
        ("anon1953", None),
    ]


def test_the_citation_text_is_kept_inside_its_span():
    edition = case_edition()
    first = next(iter_nodes(edition.doc["blocks"], ("Cite",)))
    assert stringify(first["c"][1]) == "John, 2016, p.\u00a05"


def test_in_an_english_edition_russian_works_are_the_foreign_ones():
    edition = case_edition("en")
    assert entry_languages(edition)["shchelchkov2016"] == "ru"
    assert entry_languages(edition)["john2016"] == "es"
    assert ("shchelchkov2016", "ru") in citation_languages(edition)


def test_a_language_given_by_hand_is_kept():
    markdown = "[@john2016].\n\n::: {#refs}\n:::\n\n::: {#ref-john2016 .csl-entry lang=es-BO}\nJohn.\n:::\n"
    edition = languages_edition(markdown, bib=BIB, filters=("reference_languages",))
    assert [
        get(div, "lang") for div in iter_nodes(edition.doc["blocks"], ("Div",)) if identifier(div) == "ref-john2016"
    ] == ["es-BO"]


def test_without_a_bibliography_nothing_changes():
    markdown = "Текст.\n\n::: {#ref-john2016 .csl-entry}\nJohn.\n:::\n"
    without = languages_edition(markdown, bib=None, filters=("reference_languages",))
    assert entry_languages(without) == {"john2016": None}


def test_only_bibliography_entries_are_marked():
    markdown = "[@john2016].\n\n::: {#john2016}\nНе запись.\n:::\n"
    edition = languages_edition(markdown, filters=("reference_languages",))
    assert [get(div, "lang") for div in iter_nodes(edition.doc["blocks"], ("Div",))] == [None]


# --- goldens ----------------------------------------------------------------------------------------------


def body(edition, fmt: str) -> str:
    """The body for ``fmt``; typst as the PDF writer writes it (``typst-citations``: citeproc's text, not typst's
    own citations, which helpers.render's plain ``typst`` would print for every Cite)."""
    if fmt != "typst":
        return render(edition, fmt)
    return write(lowered(edition, "pdf"), "typst-citations", ["--wrap=none"], what="typst writer")


@pytest.mark.parametrize("fmt", ["typst", "html", "epub"])
def test_golden(fmt):
    assert_matches_golden(body(case_edition(), fmt), CASE / f"expected.{fmt}")


# --- as a plain pandoc filter -----------------------------------------------------------------------------


def test_runs_as_pandoc_filter_after_citeproc():
    proc = pandoc_with_filter(
        "reference_languages",
        *("-f", "markdown", "-t", "html5", "--wrap=none", "--metadata", "lang=ru"),
        *("--metadata", "bibliography=references.bib", "--citeproc"),
        input=(CASE / "input.md").read_text("utf-8"),
        cwd=CASE,
    )
    assert proc.returncode == 0, proc.stderr
    assert re.search(r'<div id="ref-john2016"[^>]* lang="es"', proc.stdout)
    assert re.search(r'<div id="ref-shchelchkov2016"(?![^>]*lang=)[^>]*>', proc.stdout)
    assert '<span lang="fr">' in proc.stdout


# --- the flagship edition ---------------------------------------------------------------------------------


def test_edition_marks_foreign_references(edition_dist: Path):
    html = next(edition_dist.glob("*.html")).read_text(encoding="utf-8")
    assert re.search(r'<div id="ref-john2016"[^>]* lang="es"', html)
    assert re.search(r'<div id="ref-shchelchkov2016"(?![^>]*lang=)[^>]*>', html)
    with zipfile.ZipFile(next(edition_dist.glob("*.epub"))) as epub:
        text = "".join(epub.read(n).decode("utf-8") for n in epub.namelist() if n.endswith(".xhtml"))
    assert 'xml:lang="es"' in text and 'xml:lang="fr"' in text

"""Tests of the citations filter (editio.filters.citations) and the edition's CSL style: the pure helpers, the
filter on small documents through the real load and filter stage, golden renderings, the pandoc-filter path.

Golden cases live in tests/cases/citations/<case>/: ``input.md`` with its ``references.bib`` is built with the
filters ``citations`` and ``citeproc`` and the edition's style (manuscript/styles/); ``expected.html`` is the
body pandoc writes for HTML. ``pytest --update-goldens`` rewrites them: review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import assert_matches_golden, pandoc_with_filter, prepare, render

from editio.ast import iter_nodes, stringify
from editio.bibliography import language_code
from editio.errors import EditionError
from editio.filters.citations import locator_label, rewrite_suffix

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases" / "citations"
STYLE = {
    "manuscript/styles/edition.csl": (ROOT / "manuscript" / "styles" / "gost-r-7-0-5-2008-edition.csl").read_text(
        encoding="utf-8"
    )
}
MINI_BIB = (CASES / "mini" / "references.bib").read_text(encoding="utf-8")
NBSP = "\u00a0"


def citations_edition(
    markdown: str,
    bib: str = MINI_BIB,
    options: dict | None = None,
    filters: tuple[str, ...] = ("citations",),
    lang: str = "ru",
):
    """The edition of ``markdown`` with ``bib`` as its bibliography, the edition's CSL style and ``filters``."""
    config = {"filters": list(filters), "bibliography": "references.bib", "csl": "styles/edition.csl", "lang": lang}
    if options is not None:
        config["citations"] = options
    return prepare(markdown, config, {"manuscript/references.bib": bib, **STYLE})


def suffixes(markdown: str, **kwargs) -> list[tuple[str, str]]:
    """Every citation's key and suffix (as plain text) after the citations filter, before citeproc."""
    edition = citations_edition(markdown, **kwargs)
    return [
        (c["citationId"], stringify(c["citationSuffix"]))
        for cite in iter_nodes(edition.doc["blocks"], ("Cite",))
        for c in cite["c"][0]
    ]


def notes(edition) -> list[str]:
    """The text of each footnote after citeproc, in order."""
    return [stringify(note["c"]).strip() for note in iter_nodes(edition.doc["blocks"], ("Note",))]


def bibliography(edition) -> dict[str, str]:
    """The rendered bibliography entries by key."""
    from editio.ast import identifier

    return {
        identifier(div)[len("ref-") :]: stringify(div["c"][1]).strip()
        for div in iter_nodes(edition.doc["blocks"], ("Div",))
        if identifier(div).startswith("ref-")
    }


# ---------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    "value, code",
    [
        ("russian", "ru"),
        ("Spanish", "es"),
        ("en-US", "en"),
        ("ru_RU", "ru"),
        ("ngerman", "de"),
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_language_code(value, code):
    assert language_code(value) == code


@pytest.mark.parametrize(
    "label, parsed, expected",
    [
        ("p.", True, "с."),
        ("pp.", True, "с."),
        ("P.", True, "с."),
        ("p.", False, "p."),
        ("pp.", False, "p."),
        ("P.", False, "P."),
        ("Pp.", False, "P."),
    ],
)
def test_locator_label(label, parsed, expected):
    assert locator_label(label, parsed, "с.") == expected


def test_locator_label_without_a_page_term_stays_english():
    assert (locator_label("pp.", True, None), locator_label("P.", True, "")) == ("p.", "P.")


def words(*pieces: str) -> list[dict]:
    """A citation suffix as pandoc reads `, p. 12`: a "," Str, a Space, then the words given."""
    out: list[dict] = [{"t": "Str", "c": ","}]
    for piece in pieces:
        out += [{"t": "Space"}, {"t": "Str", "c": piece}]
    return out


def test_rewrite_suffix_joined_by_nbsp():
    suffix = words(f"p.{NBSP}12–14")
    assert rewrite_suffix(suffix, True, "с.")
    assert suffix[2] == {"t": "Str", "c": f"с.{NBSP}12–14"}


def test_rewrite_suffix_label_as_its_own_word_and_glued_comma():
    suffix = words("pp.", "7-8")
    assert rewrite_suffix(suffix, False, "с.")
    assert stringify(suffix) == ", p. 7-8"
    glued = [{"t": "Str", "c": ",p.12"}]  # `[@key,p.12]` is read as one Str
    assert rewrite_suffix(glued, True, "с.")
    assert glued == [{"t": "Str", "c": ",с.12"}]


def test_rewrite_suffix_leaves_other_suffixes():
    for pieces in (["и", "далее"], ["passim"], ["pag.", "12"], ["p"], ["pages", "3"]):
        suffix = words(*pieces)
        before = json.dumps(suffix)
        assert not rewrite_suffix(suffix, True, "с.")
        assert json.dumps(suffix) == before
    assert not rewrite_suffix([], True, "с.")
    assert not rewrite_suffix([{"t": "Str", "c": ","}, {"t": "Space"}], True, "с.")
    unchanged = words("p.", "5")
    assert not rewrite_suffix(unchanged, False, "с.")  # already the label it should have


# ---------------------------------------------------------------- the filter on small documents


def test_russian_entry_gets_the_locale_term_and_foreign_keeps_p():
    found = suffixes("Т[^1].\n\n[^1]: [@perez1990, p. 5; @smith2000, pp. 7-8; @smith2000, P. 9].\n")
    # pandoc's reader ties the abbreviations "p." and "pp." (not "P.") to their number with a no-break space
    assert found == [("perez1990", f", с.{NBSP}5"), ("smith2000", f", p.{NBSP}7-8"), ("smith2000", ", P. 9")]


def test_entry_without_langid_and_bare_citation_left_alone():
    bib = MINI_BIB + "\n@book{nolang, author = {Doe, Jane}, title = {Sans}, year = {2001}}\n"
    found = suffixes("Т[^1].\n\n[^1]: [@nolang, pp. 5; @perez1990].\n", bib=bib)
    assert found == [("nolang", f", pp.{NBSP}5"), ("perez1990", "")]


def test_unknown_key_is_an_error_at_its_line():
    # The old filter left a citation of an unknown key alone; the load stage now refuses it (BIB004).
    with pytest.raises(EditionError) as caught:
        citations_edition("Т.\n\nТ[^1].\n\n[^1]: [@nokey, p. 5; @perez1990].\n")
    (d,) = caught.value.diagnostics
    assert (d.code, d.file, d.line) == ("BIB004", "manuscript/01-text.md", 5) and "'nokey'" in d.message


def test_parsed_languages_option():
    found = suffixes(
        "Т[^1].\n\n[^1]: [@perez1990, p. 5; @smith2000, p. 7].\n", options={"parsed-languages": ["english"]}
    )
    assert found == [("perez1990", f", p.{NBSP}5"), ("smith2000", f", с.{NBSP}7")]


def test_page_term_option():
    found = suffixes("Т[^1].\n\n[^1]: [@perez1990, p. 5].\n", options={"page-term": "стр."})
    assert found == [("perez1990", f", стр.{NBSP}5")]


def test_page_term_comes_from_the_catalogue_of_the_documents_language():
    # An English edition parses English locators with its own term and keeps «p.» literal for Russian works.
    found = suffixes("T[^1].\n\n[^1]: [@perez1990, pp. 5; @smith2000, P. 7].\n", lang="en")
    assert found == [("perez1990", f", p.{NBSP}5"), ("smith2000", ", p. 7")]


def test_options_removed_from_metadata():
    edition = citations_edition("Т [@perez1990].\n", options={"page-term": "с."})
    assert "citations" not in edition.doc["meta"]


@pytest.mark.parametrize(
    "options, message",
    [
        (["ru"], "`citations` must be a map of options"),
        ({"parsed-languages": "ru"}, "`citations.parsed-languages` must be a list of"),
        ({"page-label": "с."}, "unknown option `citations.page-label`"),
    ],
)
def test_bad_options_are_reported_at_their_line(options, message):
    with pytest.raises(EditionError) as caught:
        citations_edition("Т.\n", options=options)
    (d,) = caught.value.diagnostics
    assert d.code == "CFG012" and message in d.message
    assert d.file == "manuscript/edition.yaml" and d.line is not None and d.line > 1


def test_missing_bibliography_file_is_reported():
    with pytest.raises(EditionError) as caught:
        prepare("Т [@x, p. 1].\n", {"filters": ["citations"], "bibliography": "nowhere.bib"})
    (d,) = caught.value.diagnostics
    assert d.code == "CFG004" and "nowhere.bib" in d.message and d.file == "manuscript/edition.yaml" and d.line


# ---------------------------------------------------------------- golden renderings with the edition's style

CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "input.md").is_file())


def case_edition(case: Path):
    return citations_edition(
        (case / "input.md").read_text(encoding="utf-8"),
        bib=(case / "references.bib").read_text(encoding="utf-8"),
        filters=("citations", "citeproc"),
    )


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_golden(case):
    assert_matches_golden(render(case_edition(case), "html"), case / "expected.html")


def test_mini_locator_labels_per_language():
    assert notes(case_edition(CASES / "mini")) == [
        f"См. Smith, 2000, p.{NBSP}12–14.",
        f"Пересов, 1990, с.{NBSP}5; Smith, 2000, p.{NBSP}7-8.",
        f"Пересов, 1990, с.{NBSP}9, и далее.",
    ]


def test_without_the_filter_russian_works_keep_the_english_label():
    # What the filter is for: without it a Russian edition's citeproc does not parse «p.», so a Russian work
    # keeps the English label and «pp.» stays as typed.
    edition = citations_edition((CASES / "mini" / "input.md").read_text(encoding="utf-8"), filters=("citeproc",))
    assert notes(edition)[1:] == [
        f"Пересов, 1990, p.{NBSP}5; Smith, 2000, pp.{NBSP}7-8.",
        "Пересов, 1990, P. 9, и далее.",
    ]


def test_kinds_volume_archive_newspaper_web():
    edition = case_edition(CASES / "kinds")
    rendered, entries = notes(edition), bibliography(edition)
    assert rendered[0].startswith(f"Lora, 1978, т.{NBSP}3, p.")  # volume in the citation
    assert entries["lora1978t3"].endswith("Lora G. Historia del POR. Т. 3. 1978.")  # and in the list
    assert rendered[1] == "Embajada de México en Bolivia. Informe de 5 de junio de 1952, 1952."
    assert entries["sre1952a"].endswith(  # archive and shelf mark
        "Informe de 5 de junio de 1952 // Archivo Histórico Genaro Estrada. Informes políticos reglamentarios. "
        "1952. F. III, l. 1259, exp. 7."
    )
    assert rendered[3] == "El Diario, 24.07.1953."  # newspaper by title and date
    assert entries["eldiario1953"].endswith("// El Diario. La Paz. 24.07.1953.")
    assert entries["cano2009"].endswith("URL: https://cedema.org/digital_items/4997 (дата обращения: 01.05.2024).")
    assert entries["lora1963"].endswith("jun00.htm.")  # no access date without urldate
    assert sum("дата обращения" in e for e in entries.values()) == 1
    assert rendered[6] == f"См. Щелчков, 2016, с.{NBSP}280–305."
    text = " ".join([*rendered, *entries.values()])
    assert "1952a" not in text and "[Embajada" not in text  # no year suffix, no brackets


# ---------------------------------------------------------------- as a plain pandoc filter


def test_runs_as_pandoc_filter():
    case = CASES / "mini"
    proc = pandoc_with_filter(
        "citations",
        *("-f", "markdown", "-t", "json", "--metadata", "lang=ru", "--metadata", "bibliography=references.bib"),
        input=(case / "input.md").read_text("utf-8"),
        cwd=case,
    )
    assert proc.returncode == 0, proc.stderr
    found = [
        (c["citationId"], stringify(c["citationSuffix"]))
        for cite in iter_nodes(json.loads(proc.stdout)["blocks"], ("Cite",))
        for c in cite["c"][0]
    ]
    assert found == [
        ("smith2000", f", p.{NBSP}12–14"),
        ("perez1990", f", с.{NBSP}5"),
        ("smith2000", f", p.{NBSP}7-8"),
        ("perez1990", ", с. 9, и далее"),
    ]

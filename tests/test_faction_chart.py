"""Tests of the faction-chart filter (editio.filters.faction_chart): the neutral figure and text alternative,
goldens per format, numbering among the document's figures, words and plurals from the catalogue, FAC021 and
data errors with file and line, the pandoc-filter entry point, and a real PDF in which the chart and its
heading share a page. The chart drawing itself is tested in tests/test_chart.py.

Golden cases: tests/cases/faction_chart/<case>/expected.<typst|html|epub> (``pytest --update-goldens``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from helpers import ROOT, assert_matches_golden, make_project, prepare, render

from editio.ast import classes, get, has_class, identifier, iter_nodes, stringify
from editio.errors import EditionError
from editio.filters.faction_chart import alt_text, catalogue_words
from editio.i18n import catalogue

CASES = ROOT / "tests" / "cases" / "faction_chart"
MINI = ROOT / "tests" / "fixtures" / "mini" / "factions.yaml"
TEXT = "До.\n\n::: faction-chart\nСхема *партий*\n:::\n\nПосле.\n"


def chart_edition(text: str = TEXT, config: dict | None = None, factions: str | None = None, files: dict | None = None):
    return prepare(
        text,
        {"filters": ["faction_chart"], **(config or {})},
        {"manuscript/factions.yaml": factions or MINI.read_text(encoding="utf-8"), **(files or {})},
    )


def figure_and_alternative(edition) -> tuple[dict, dict]:
    blocks = edition.doc["blocks"]
    index = next(i for i, b in enumerate(blocks) if b["t"] == "Figure" and has_class(b, "faction-chart"))
    return blocks[index], blocks[index + 1]


@pytest.mark.parametrize("fmt", ["typst", "html", "epub"])
def test_golden(fmt):
    assert_matches_golden(render(chart_edition(), fmt), CASES / "mini" / f"expected.{fmt}")


def test_the_div_becomes_a_numbered_figure_and_a_text_alternative():
    edition = chart_edition()
    figure, alternative = figure_and_alternative(edition)
    assert identifier(figure) == "fig-faction-chart-1" and classes(figure) == ["faction-chart"]
    assert stringify(figure["c"][1][1]) == "Рис.\u00a01. Схема партий"
    (image,) = iter_nodes(figure["c"][2], ("Image",))
    assert image["c"][2][0] == "media/faction-chart-wide.svg"
    assert get(image, "narrow") == "media/faction-chart-narrow.svg"
    assert stringify(image["c"][1]) == (
        "Схема: 3 организации на временной оси и 2 связи между ними; те же данные приведены текстом ниже."
    )
    assert classes(alternative) == ["chart-alt"]
    assert stringify(alternative["c"][1][0]).startswith("Текстовая версия рис.\u00a01:")
    items = alternative["c"][1][1]["c"]
    assert [stringify(item[0]["c"][0]) for item in items] == [
        "Интернационал (INT)",
        "Рабочая партия (RP)",
        "Партия-наследница",
    ]
    assert "связана с: INT (1946–1954)" in stringify(items[1])  # the catalogue's words, both directions
    media = edition.loaded.ctx.media
    assert sorted(media) == ["faction-chart-narrow.svg", "faction-chart-wide.svg"]
    assert all(
        svg.startswith(b"<svg") and '<title id="chart-title">Схема партий</title>' in svg.decode("utf-8")
        for svg in media.values()
    )


def test_the_number_counts_the_figures_before_it_and_the_layout_attribute_picks_the_drawing():
    text = "![Фото](photo.svg)\n\n::: {#my-chart .faction-chart layout=narrow}\nСхема.\n:::\n"
    edition = chart_edition(text, files={"manuscript/photo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>'})
    figure, _alternative = figure_and_alternative(edition)
    assert identifier(figure) == "my-chart" and stringify(figure["c"][1][1]) == "Рис.\u00a02. Схема."
    (image,) = iter_nodes(figure["c"][2], ("Image",))
    assert image["c"][2][0] == "media/faction-chart-narrow.svg"


def test_bad_layout_is_fac021_at_its_line():
    with pytest.raises(EditionError) as caught:
        chart_edition("До.\n\n::: {.faction-chart layout=tall}\nСхема.\n:::\n")
    (d,) = caught.value.diagnostics
    assert (d.code, d.file, d.line) == ("FAC021", "manuscript/01-text.md", 3) and "'tall'" in d.message


def test_data_errors_have_the_data_file_and_line_and_no_drawing_is_made():
    broken = MINI.read_text(encoding="utf-8").replace("to: intl", "to: nowhere")
    with pytest.raises(EditionError) as caught:
        chart_edition(factions=broken)
    assert [(d.code, d.file, d.line) for d in caught.value.diagnostics] == [("FAC006", "manuscript/factions.yaml", 27)]


def test_no_chart_in_the_text_reads_no_data():
    edition = chart_edition("Только текст.\n", factions="organisations: [")  # broken, but never read
    assert edition.loaded.ctx.media == {}


def test_other_languages_take_the_catalogue_words():
    edition = chart_edition(config={"lang": "en"})
    figure, alternative = figure_and_alternative(edition)
    assert stringify(figure["c"][1][1]).startswith("Figure\u00a01. ")
    (image,) = iter_nodes(figure["c"][2], ("Image",))
    assert stringify(image["c"][1]).startswith("Chart: 3 organisations on a timeline and 2 relations")
    assert "affiliated with: INT (1946–1954)" in stringify(alternative)


@pytest.mark.parametrize(
    "lang, organisations, relations, expected",
    [
        ("ru", 1, 2, "Схема: 1 организация на временной оси и 2 связи между ними"),
        ("ru", 5, 21, "Схема: 5 организаций на временной оси и 21 связь между ними"),
        ("ru", 23, 11, "Схема: 23 организации на временной оси и 11 связей между ними"),
        ("en", 1, 1, "Chart: 1 organisation on a timeline and 1 relation between them"),
    ],
)
def test_counts_take_the_plural_the_language_needs(lang, organisations, relations, expected):
    data = SimpleNamespace(organisations=[None] * organisations, relations=[None] * relations)
    messages = catalogue(lang)
    assert alt_text(data, messages.text, messages.plural).startswith(expected)
    description = catalogue_words(data, messages.text, messages.plural)["description"]
    assert "{first}" in description and "{bands}" in description  # left for editio.chart to fill


def test_html_gives_phones_the_narrow_drawing_and_epub_the_plain_image():
    edition = chart_edition()
    html = render(edition, "html")
    assert (
        '<picture><source media="(max-width: 40em)" srcset="media/faction-chart-narrow.svg" '
        'type="image/svg+xml" /><img src="media/faction-chart-wide.svg" alt="Схема: 3 организации'
    ) in html
    epub = render(edition, "epub")
    assert "<picture" not in epub and "narrow" not in epub
    assert '<img src="media/faction-chart-wide.svg" alt="Схема: 3 организации' in epub


def test_typst_figure_keeps_the_alt_text_and_its_own_number():
    typst = render(chart_edition(), "typst")
    assert (
        '#figure(image("media/faction-chart-wide.svg", alt: "Схема: 3 организации на временной оси и 2 связи '
        'между ними; те же данные приведены текстом ниже.", width: 100%), numbering: none, caption: '
        "[Рис.~1. Схема #emph[партий]]) <fig-faction-chart-1>"
    ) in typst


def test_runs_as_a_pandoc_filter(tmp_path):
    from pypandoc import get_pandoc_path

    (tmp_path / "factions.yaml").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    source = subprocess.run(
        [get_pandoc_path(), "-f", "markdown", "-t", "json", "-M", "lang=ru"],
        input="::: faction-chart\nПодпись.\n:::\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run(
        [sys.executable, "-m", "editio.filters.pandoc_filter", "faction_chart", "html"],
        input=source,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    blocks = json.loads(out.stdout)["blocks"]
    assert [b["t"] for b in blocks] == ["Figure", "Div"]
    assert "<picture>" in json.dumps(blocks, ensure_ascii=False)


def test_pdf_chart_fits_the_page_of_its_heading(tmp_path):
    """Issue 11.1: the chart is whole on its page and its heading is not left alone."""
    from pypdf import PdfReader

    from editio.build import build

    text = (
        "# Текст\n\n"
        + ("Абзац текста, который занимает место на странице. " * 40 + "\n\n") * 3
        + "# Схема организаций\n\n::: faction-chart\nГенеалогия партий и фракций (по данным статьи и указанных "
        "источников; неизвестные даты показаны размытыми концами полос).\n:::\n\n# После\n\nТекст.\n"
    )
    manuscript = make_project(
        tmp_path,
        text,
        {"filters": ["faction_chart"], "pdf-standards": ["ua-1"]},
        {"manuscript/factions.yaml": (ROOT / "manuscript" / "factions.yaml").read_text(encoding="utf-8")},
    )
    build(manuscript, tmp_path / "dist", ("pdf",), tmp_path)  # typst refuses PDF/UA-1 for an image without alt
    pages = [page.extract_text() for page in PdfReader(tmp_path / "dist" / "test.pdf").pages]
    (page,) = [text for text in pages if "Рис.\u00a01." in text]
    assert page.startswith("Схема организаций") and "концами полос)." in page  # heading, drawing, whole caption
    years = [line for line in page.splitlines() if line.startswith("1935 ")]
    assert len(years) == 2, page  # the axis above and below the lanes: the drawing is whole

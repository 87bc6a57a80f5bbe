"""Tests of the chronology filter (editio.filters.chronology) and editio.chronology: goldens per format, dates
from the message catalogue, anchors across marks and in notes with their original pages, validation with
codes and lines, the flagship's real data, the pandoc-filter entry point and the typst page in a real PDF.

Golden cases live in tests/cases/chronology/<case>/ (``input.md``, ``chronology.yaml``, ``references.bib``,
``expected.<typst|html|epub>``); ``pytest --update-goldens`` rewrites them (review the diff).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, assert_matches_golden, make_project, prepare, render

from editio.ast import get, has_class, identifier, iter_nodes, stringify
from editio.ast.text import normalise
from editio.chronology import date_words, parse_date, parse_events, whole_word_matches
from editio.errors import DiagnosticLog, EditionError
from editio.i18n import catalogue
from editio.yamlfile import load_yaml

CASES = ROOT / "tests" / "cases" / "chronology"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "input.md").is_file())
MANUSCRIPT = ROOT / "manuscript"


def case_edition(case: str, text: str | None = None, config: dict | None = None, events: str | None = None):
    folder = CASES / case
    files = {
        "manuscript/chronology.yaml": events or (folder / "chronology.yaml").read_text(encoding="utf-8"),
        "manuscript/references.bib": (folder / "references.bib").read_text(encoding="utf-8"),
    }
    return prepare(
        text or (folder / "input.md").read_text(encoding="utf-8"),
        {"filters": ["chronology"], "bibliography": "references.bib", **(config or {})},
        files,
    )


@pytest.mark.parametrize("fmt", ["typst", "html", "epub"])
@pytest.mark.parametrize("case", CASE_NAMES)
def test_golden(case, fmt):
    assert_matches_golden(render(case_edition(case), fmt), CASES / case / f"expected.{fmt}")


# --- dates and phrases ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, parts, text",
    [
        ("ru", (1954,), "1954\u00a0г."),
        ("ru", (1946, 11), "ноябрь 1946\u00a0г."),
        ("ru", (1952, 4, 9), "9\u00a0апреля 1952\u00a0г."),
        ("ru", (1964, 5, 1), "1\u00a0мая 1964\u00a0г."),
        ("en", (1946, 11), "November 1946"),
        ("de", (1952, 4, 9), "9.\u00a0April 1952"),
    ],
)
def test_dates_in_the_document_language(lang, parts, text):
    assert date_words(parts, catalogue(lang).text) == text


@pytest.mark.parametrize(
    "value, parts",
    [
        ("1952", (1952,)),
        (1952, (1952,)),
        ("1952-04", (1952, 4)),
        ("1952-04-09", (1952, 4, 9)),
        ("1952-13", None),
        ("1952-02-30", None),
        ("9.4.1952", None),
        ("52", None),
        (True, None),
    ],
)
def test_parse_date(value, parts):
    assert parse_date(value) == parts


def test_phrases_compare_spaces_dashes_and_quotes_loosely_and_match_whole_words():
    assert normalise("Х. Лечин — «Masas»") == normalise("Х.Лечин\u00a0- Masas") == "Х.Лечин - Masas"
    assert whole_word_matches("В 1954 г.партия; 19540", "1954") == [2]
    assert whole_word_matches("в 1951 г.Лора", "1951 г.") == [2]  # ends with a stop: anything may follow


# --- anchors ---------------------------------------------------------------------------------------


def anchors_and_list(edition) -> tuple[dict, list]:
    """Each chron anchor with the word after it; the list's (date, target, screen text) rows."""
    anchors = {}
    for holder in iter_nodes(edition.doc["blocks"], ("Para", "Plain", "Span", "Emph")):
        inlines = holder["c"][1] if holder["t"] == "Span" else holder["c"]
        for index, node in enumerate(inlines):
            if node["t"] == "Span" and has_class(node, "anchor") and identifier(node).startswith("chron-"):
                anchors[identifier(node)] = stringify(inlines[index + 1]) if index + 1 < len(inlines) else ""
    rows = []
    listing = next(n for n in iter_nodes(edition.doc["blocks"], ("Div",)) if has_class(n, "chronology-list"))
    for term, definitions in listing["c"][1][0]["c"]:
        for definition in definitions:
            ref = next(n for n in iter_nodes(definition, ("Span",)) if has_class(n, "pageref"))
            rows.append((stringify(term), get(ref, "target"), stringify(ref), get(ref, "label")))
    return anchors, rows


def test_anchors_across_marks_and_in_notes_with_their_original_pages():
    anchors, rows = anchors_and_list(case_edition("basic"))
    # Date order: 1946 (from the note), 1946-11 (phrase across Emph), 1952-04-09, then two events of 1954.
    assert anchors == {
        "chron-01": "Тезисы",
        "chron-02": "В",
        "chron-03": "Восстание",
        "chron-04": "В",
        "chron-05": "вышла",
    }
    assert rows == [
        ("1946\u00a0г.", "chron-01", "с.\u00a05", "с."),
        ("ноябрь 1946\u00a0г.", "chron-02", "с.\u00a05", "с."),
        ("9\u00a0апреля 1952\u00a0г.", "chron-03", "с.\u00a05", "с."),
        ("1954\u00a0г.", "chron-04", "с.\u00a06", "с."),
        ("1954\u00a0г.", "chron-05", "с.\u00a06", "с."),
    ]


def test_anchor_found_after_other_filters_marked_the_text():
    """The name index may have wrapped a name inside the phrase in a Span before the chronology runs."""
    text = (
        (CASES / "basic" / "input.md")
        .read_text(encoding="utf-8")
        .replace("Тезисы написал Г. Лора", "Тезисы написал [Г. Лора]{#name-lora-1 .name-ref}")
    )
    anchors, _rows = anchors_and_list(case_edition("basic", text))
    assert "chron-01" in anchors


def test_no_page_marker_before_the_anchor_gives_the_text_link_and_options_replace_the_words():
    text = "В 1954 г. партия раскололась.\n\n::: chronology\n:::\n"
    events = 'events:\n  - date: "1954"\n    text: "Раскол."\n    anchor: "В 1954 г. партия"\n'
    _anchors, rows = anchors_and_list(case_edition("basic", text, events=events))
    assert rows == [("1954\u00a0г.", "chron-01", "в тексте", "с.")]
    edition = case_edition(
        "basic",
        "[]{.pg at=7}" + text,
        events=events,
        config={"chronology": {"page-class": "pg", "page-attribute": "at", "page-prefix": "S.", "text-link": "hier"}},
    )
    assert anchors_and_list(edition)[1] == [("1954\u00a0г.", "chron-01", "S.\u00a07", "S.")]


def test_the_catalogue_gives_the_words_in_another_language():
    text = "[]{.page n=3}In November 1946 the congress met.\n\n::: chronology\n:::\n"
    events = 'events:\n  - date: "1946-11"\n    text: "Congress."\n    anchor: "In November 1946"\n'
    edition = case_edition("basic", text, events=events, config={"lang": "en"})
    assert anchors_and_list(edition)[1] == [("November 1946", "chron-01", "p.\u00a03", "p.")]


def test_typst_anchor_and_page_query():
    typst = render(case_edition("basic"), "typst")
    assert '#metadata("anchor")<chron-03>Восстание' in typst
    assert (
        '#strong[9~апреля 1952~г.]~--- Восстание 9 апреля.~---~#link(<chron-03>)[#"с."~#context '
        "counter(page).at(<chron-03>).first()];" in typst
    )
    assert typst.count("hanging-indent: 1.2em") == 1


def test_html_and_epub_link_to_the_original_page():
    for fmt in ("html", "epub"):
        html = render(case_edition("basic"), fmt)
        assert '<span id="chron-03"></span>Восстание 9 апреля' in html
        assert '<p>Восстание 9 апреля.\u00a0—\u00a0<a href="#chron-03">с.\u00a05</a></p>' in html


# --- bad input -------------------------------------------------------------------------------------

BAD_EVENTS = """\
events:
  - date: "1952-13"
    text: "Плохой месяц."
    anchor: "Восстание"
  - date: "1952-04"
    precision: day
    text: "Точность не та."
    anchor: "Восстание"
  - date: "1950"
    anchor: "нет текста"
  - date: "1953"
    text: "Нет в тексте."
    anchor: "этой фразы нет"
  - date: "1940"
    text: "Дважды."
    anchor: "В 1954 г."
"""


def events_from(tmp_path: Path, text: str, log: DiagnosticLog):
    path = tmp_path / "chronology.yaml"
    path.write_text(text, encoding="utf-8")
    return parse_events(load_yaml(path, "chronology.yaml"), "chronology.yaml", log)


def test_every_data_problem_reported_with_code_and_line(tmp_path):
    log = DiagnosticLog()
    events = events_from(tmp_path, BAD_EVENTS, log)
    assert {(d.code, d.line) for d in log.errors} == {("CHR003", 2), ("CHR004", 5), ("CHR002", 9)}
    assert [(d.code, d.line) for d in log.warnings] == [("CHR007", 14)]
    assert [e.date for e in events] == ["1953", "1940"]


def test_data_problems_fail_the_build_together_with_anchor_problems():
    with pytest.raises(EditionError) as caught:
        case_edition("basic", events=BAD_EVENTS)
    found = {(d.code, d.line, d.file) for d in caught.value.diagnostics}
    assert found == {
        ("CHR003", 2, "manuscript/chronology.yaml"),
        ("CHR004", 5, "manuscript/chronology.yaml"),
        ("CHR002", 9, "manuscript/chronology.yaml"),
        ("CHR005", 11, "manuscript/chronology.yaml"),
    }


def test_anchor_missing_or_repeated_fails_with_the_line():
    events = (
        'events:\n  - date: "1953"\n    text: "Нет в тексте."\n    anchor: "этой фразы нет"\n'
        '  - date: "1954"\n    text: "Дважды."\n    anchor: "1954 г."\n'
    )
    with pytest.raises(EditionError) as caught:
        case_edition("basic", events=events)
    assert {(d.code, d.line) for d in caught.value.diagnostics} == {("CHR005", 2), ("CHR006", 5)}
    assert all(d.file == "manuscript/chronology.yaml" for d in caught.value.diagnostics)
    assert "occurs 2 times" in str(caught.value)


def test_not_a_chronology_file(tmp_path):
    log = DiagnosticLog()
    assert events_from(tmp_path, "- 1952\n", log) == []
    assert [(d.code, d.line) for d in log.errors] == [("CHR001", 1)]


def test_unknown_field_and_missing_list_are_warnings_in_the_build_report():
    events = 'events:\n  - date: "1954"\n    text: "Раскол."\n    anchor: "В 1954 г. партия"\n    colour: red\n'
    edition = case_edition("basic", "В 1954 г. партия раскололась.\n", events=events)
    warnings = [(d.code, d.line) for d in edition.loaded.ctx.log.warnings if d.code.startswith("CHR")]
    assert warnings == [("CHR009", 2), ("CHR008", None)]


def test_unknown_option_is_cfg012():
    with pytest.raises(EditionError) as caught:
        case_edition("basic", config={"chronology": {"class": "chronik"}})
    assert [d.code for d in caught.value.diagnostics] == ["CFG012"]


# --- the real data -------------------------------------------------------------------------------


def test_every_event_of_the_real_chronology_is_anchored_once(tmp_path):
    """CHR005/CHR006 would fail the build for an anchor not found or found twice."""
    from editio.build import prepare as prepare_edition

    shutil.copytree(MANUSCRIPT, tmp_path / "manuscript")
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    config_file = tmp_path / "manuscript" / "edition.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["filters"] = ["chronology"]
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    edition = prepare_edition(tmp_path / "manuscript", tmp_path)
    log = DiagnosticLog()
    events = parse_events(load_yaml(MANUSCRIPT / "chronology.yaml"), "chronology.yaml", log)
    assert not log.errors
    anchors, rows = anchors_and_list(edition)
    assert set(anchors) == {f"chron-{n:02d}" for n in range(1, len(events) + 1)}
    assert sorted(target for _date, target, _text, _label in rows) == sorted(anchors)
    assert all(re.fullmatch(r"с.\u00a0\d+", text) for _date, _target, text, _label in rows)


# --- pandoc --filter and the PDF ---------------------------------------------------------------------


def test_runs_as_a_pandoc_filter():
    from pypandoc import get_pandoc_path

    folder = CASES / "basic"
    source = subprocess.run(
        [get_pandoc_path(), "input.md", "-t", "json", "-M", "lang=ru"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run(
        [sys.executable, "-m", "editio.filters.pandoc_filter", "chronology", "html"],
        input=source,
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    html = subprocess.run(
        [get_pandoc_path(), "-f", "json", "-t", "html", "--wrap=none"],
        input=out.stdout,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert '<span id="chron-03"></span>Восстание 9 апреля' in html
    assert '<a href="#chron-03">с.\u00a05</a>' in html
    assert "chronology" not in json.loads(out.stdout)["meta"]


def test_pdf_chronology_gives_the_typst_page_of_each_event(tmp_path):
    from pypdf import PdfReader

    from editio.build import build

    CASES / "basic"
    text = (
        "# Один\n\nВ ноябре 1946 г. в поселке Пулакайо состоялся конгресс.\n\n# Два\n\n"
        "В 1954 г. партия раскололась.\n\n# Хроника событий\n\n::: chronology\n:::\n"
    )
    events = (
        'events:\n  - date: "1954"\n    text: "Раскол партии."\n    anchor: "В 1954 г. партия"\n'
        '  - date: "1946-11"\n    text: "Конгресс в Пулакайо."\n    anchor: "В ноябре 1946 г."\n'
    )
    manuscript = make_project(tmp_path, text, {"filters": ["chronology"]}, {"manuscript/chronology.yaml": events})
    build(manuscript, tmp_path / "dist", ("pdf",), tmp_path)
    pages = [page.extract_text() for page in PdfReader(tmp_path / "dist" / "test.pdf").pages]
    listing = next(text for text in pages if "Хроника событий" in text)
    for phrase, event in [("В ноябре 1946 г.", "Конгресс в Пулакайо."), ("В 1954 г. партия", "Раскол партии.")]:
        page = next(i + 1 for i, text in enumerate(pages) if phrase in text)
        assert re.search(re.escape(event) + r"\s*—\s*с\.\s*" + str(page) + r"\b", listing), (event, page, listing)
    assert len({next(i for i, t in enumerate(pages) if p in t) for p in ("Пулакайо", "раскололась")}) == 2

"""Tests of filters/chronology.py and editio.chronology: goldens, dates in Russian, validation, the real data.

Golden cases live in tests/cases/chronology/<case>/ (``input.md``, ``chronology.yaml``, ``expected.<format>.md``);
regenerate with ``EDITIO_SAVE_GOLDEN=1`` and review the diff. The end-to-end build is the one of
tests/test_name_index.py (its fixture project has a chronology too).
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from pathlib import Path

import panflute as pf
import pytest

from editio.chronology import parse_date, parse_events, russian_date
from editio.errors import DiagnosticLog, EditionError
from editio.yamlfile import load_yaml
from test_name_index import (MANUSCRIPT, ROOT, index_dist, load_filter, manuscript_markdown, pandoc, pdf_pages,  # noqa: F401
                             read_doc, to_markdown)

CASES = ROOT / "tests" / "cases" / "chronology"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "input.md").is_file())
FORMATS = ("html5", "typst")

chronology = load_filter("chronology")


def events_from(tmp_path: Path, text: str, log: DiagnosticLog):
    path = tmp_path / "chronology.yaml"
    path.write_text(text, encoding="utf-8")
    return parse_events(load_yaml(path, "chronology.yaml"), "chronology.yaml", log)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASE_NAMES)
def test_golden(case, fmt):
    folder = CASES / case
    doc = read_doc((folder / "input.md").read_text(encoding="utf-8"), fmt, folder)
    actual = to_markdown(chronology.main(doc))
    expected_file = folder / f"expected.{fmt}.md"
    if os.environ.get("EDITIO_SAVE_GOLDEN") == "1":
        expected_file.write_text(actual, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"{case}/{expected_file.name}", f"{case} (actual)"))
        pytest.fail(f"chronology output differs from the golden file (EDITIO_SAVE_GOLDEN=1 regenerates it):\n{diff}")


@pytest.mark.parametrize("parts, text", [
    ((1954,), "1954\u00a0г."),
    ((1946, 11), "ноябрь 1946\u00a0г."),
    ((1952, 4, 9), "9\u00a0апреля 1952\u00a0г."),
    ((1964, 5, 1), "1\u00a0мая 1964\u00a0г."),
])
def test_russian_dates(parts, text):
    assert russian_date(parts) == text


@pytest.mark.parametrize("value, parts", [
    ("1952", (1952,)), (1952, (1952,)), ("1952-04", (1952, 4)), ("1952-04-09", (1952, 4, 9)),
    ("1952-13", None), ("1952-02-30", None), ("9.4.1952", None), ("52", None), (True, None),
])
def test_parse_date(value, parts):
    assert parse_date(value) == parts


def test_anchors_across_elements_and_in_notes_with_pages():
    folder = CASES / "basic"
    doc = chronology.main(read_doc((folder / "input.md").read_text(encoding="utf-8"), "html5", folder))
    anchors = {}
    page = [None]

    def visit(elem, d):
        if isinstance(elem, pf.Span) and "page" in elem.classes:
            page[0] = elem.attributes["n"]
        elif isinstance(elem, pf.Span) and "chron-anchor" in elem.classes:
            following = elem.next
            anchors[elem.identifier] = (page[0], pf.stringify(following) if following else "")

    doc.walk(visit)
    # Date order: 1946 (from the note), 1946-11 (phrase across Emph), 1952-04-09, then two events of 1954.
    assert anchors == {"chron-01": ("5", "Тезисы"), "chron-02": ("5", "В"), "chron-03": ("5", "Восстание"),
                       "chron-04": ("6", "В"), "chron-05": ("6", "вышла")}
    listing = next(e for e in doc.content if isinstance(e, pf.Div) and "chronology" in e.classes)
    items = listing.content[0].content
    assert [pf.stringify(pf.Plain(*item.term)) for item in items] == [
        "1946\u00a0г.", "ноябрь 1946\u00a0г.", "9\u00a0апреля 1952\u00a0г.", "1954\u00a0г."]
    assert len(items[-1].definitions) == 2  # one date, two events
    links = []
    listing.walk(lambda e, d: links.append((e.url, pf.stringify(e))) if isinstance(e, pf.Link) else None)
    assert links[0] == ("#chron-01", "с.\u00a05") and links[-1] == ("#chron-05", "с.\u00a06")


def test_anchor_found_after_other_filters_marked_the_text():
    """The name index may have wrapped a name inside the phrase in a Span before the chronology runs."""
    folder = CASES / "basic"
    doc = read_doc((folder / "input.md").read_text(encoding="utf-8").replace(
        "Тезисы написал Г. Лора", "Тезисы написал [Г. Лора]{#name-lora-1 .name-ref}"), "html5", folder)
    chronology.main(doc)
    assert "chron-01" in to_markdown(doc)


def test_typst_anchor_and_page_query():
    folder = CASES / "basic"
    doc = chronology.main(read_doc((folder / "input.md").read_text(encoding="utf-8"), "typst", folder))
    raw = []
    doc.walk(lambda e, d: raw.append(e.text) if isinstance(e, (pf.RawInline, pf.RawBlock)) else None)
    assert '#metadata("chron-03")<chron-03>' in raw
    assert "#link(<chron-03>)[с.\u00a0#context counter(page).at(<chron-03>).first()]" in raw


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


def test_every_data_problem_reported_with_code_and_line(tmp_path):
    log = DiagnosticLog()
    events = events_from(tmp_path, BAD_EVENTS, log)
    assert {(d.code, d.line) for d in log.errors} == {("CHR003", 2), ("CHR004", 5), ("CHR002", 9)}
    assert [(d.code, d.line) for d in log.warnings] == [("CHR007", 14)]
    assert [e.date for e in events] == ["1953", "1940"]


def test_anchor_missing_or_repeated_fails_with_the_line(tmp_path):
    (tmp_path / "chronology.yaml").write_text(
        'events:\n  - date: "1953"\n    text: "Нет в тексте."\n    anchor: "этой фразы нет"\n'
        '  - date: "1954"\n    text: "Дважды."\n    anchor: "1954 г."\n', encoding="utf-8")
    doc = read_doc((CASES / "basic" / "input.md").read_text(encoding="utf-8"), "html5", tmp_path)
    with pytest.raises(EditionError) as caught:
        chronology.main(doc)
    assert {(d.code, d.line) for d in caught.value.diagnostics} == {("CHR005", 2), ("CHR006", 5)}
    assert all(d.file == f"{tmp_path.name}/chronology.yaml" for d in caught.value.diagnostics)
    assert "occurs 2 times" in str(caught.value)


def test_not_a_chronology_file(tmp_path):
    log = DiagnosticLog()
    assert events_from(tmp_path, "- 1952\n", log) == []
    assert [(d.code, d.line) for d in log.errors] == [("CHR001", 1)]


# --- the real data -----------------------------------------------------------------------------

def test_every_event_of_the_real_chronology_is_anchored_once():
    doc = read_doc(manuscript_markdown() + "\n\n::: chronology\n:::\n", "html5", MANUSCRIPT)
    chronology.main(doc)  # raises CHR005/CHR006 for an anchor not found or found twice
    log = DiagnosticLog()
    events = parse_events(load_yaml(MANUSCRIPT / "chronology.yaml"), "chronology.yaml", log)
    assert not log.errors
    ids = set()
    doc.walk(lambda e, d: ids.add(e.identifier) if isinstance(e, pf.Span) and "chron-anchor" in e.classes else None)
    assert ids == {f"chron-{n:02d}" for n in range(1, len(events) + 1)}
    links = []
    doc.content[-1].walk(lambda e, d: links.append(e.url[1:]) if isinstance(e, pf.Link) else None)
    assert sorted(links) == sorted(ids)


# --- pandoc --filter and the end-to-end build ------------------------------------------------

def test_runs_as_a_pandoc_filter():
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    html = pandoc(["-f", "markdown", "-t", "html", "--wrap=none", "--filter", str(ROOT / "filters" / "chronology.py")],
                  (CASES / "basic" / "input.md").read_text(encoding="utf-8"), cwd=CASES / "basic", env=env)
    assert '<span id="chron-03" class="chron-anchor"></span>Восстание 9 апреля' in html
    assert '<a href="#chron-03">с.\u00a05</a>' in html


def test_pdf_chronology_gives_the_page_of_each_event(index_dist):  # noqa: F811
    pages = pdf_pages(index_dist / "names.pdf")
    listing = next(text for text in pages if "Хроника событий\n" in text and "Раскол." in text)
    for phrase, event in [("В ноябре 1946 г.", "Тезисы Пулакайо."), ("Восстание 9 апреля", "Восстание."),
                          ("В 1954 г. партия", "Раскол.")]:
        page = next(i + 1 for i, text in enumerate(pages) if phrase in text)
        assert re.search(re.escape(event) + r"\s*—\s*с\.\s*" + str(page) + r"\b", listing), (event, page)


def test_html_chronology_links_to_the_original_pages(index_dist):  # noqa: F811
    html = (index_dist / "names.html").read_text(encoding="utf-8")
    assert re.search(r'Раскол\.\s*—\s*<a href="#chron-03">с\.\s*203</a>', html)
    assert '<span id="chron-03" class="chron-anchor"></span>' in html

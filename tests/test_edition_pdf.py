"""The flagship's PDF as a reader and a text extractor meet it (issue 11, points 2–7): words never run together
in the text layer, no line ends on a one-letter Russian word, a blank page is really blank and no page holds only
a heading, the text is black, the document info and XMP carry the metadata as written."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
import yaml
from conftest import ROOT
from helpers import text_fill_colours

EDITION = yaml.safe_load((ROOT / "manuscript" / "edition.yaml").read_text(encoding="utf-8"))
NOTES = yaml.safe_load((ROOT / "manuscript" / "editorial-notes.yaml").read_text(encoding="utf-8"))
# a one-letter Russian word ending a line; a thin space before the letter marks an editor's-note call instead
ONE_LETTER_AT_END = re.compile(r"(?:^|[ \u00a0(«„\"])[а-яёА-ЯЁ]$")


@pytest.fixture(scope="module")
def pdf(edition_dist: Path) -> pypdf.PdfReader:
    (path,) = edition_dist.glob("*.pdf")
    return pypdf.PdfReader(path)


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    return [page.extract_text() or "" for page in pdf.pages]


def flat(pages: list[str]) -> str:
    """The text layer as one line: typst's hyphenation joined, line breaks as spaces."""
    text = "\n".join(pages)
    text = re.sub(r"[\u00ad-]\n", "", text).replace("\u00ad", "")
    return re.sub(r"\s+", " ", text)


def test_page_markers_keep_the_word_space(pages):
    text = flat(pages)
    assert text.count("|") >= 20  # the markers are there
    assert not re.findall(r".{12}\w\|\w.{12}", text)


def test_editors_note_letters_stand_apart_from_the_word(pages, edition_dist):
    """«Лечин б», never «Лечинб»: the letter of each call follows the last word of its anchor after a space (an
    author's note number may follow the letter: «COB к54»)."""
    (html,) = edition_dist.glob("*.html")
    letters = dict(
        re.findall(
            r'href="#ed-([^"]+)" id="ed-ref-[^"]+" class="ednote-ref"[^>]*><sup>(\w)</sup>',
            html.read_text(encoding="utf-8"),
        )
    )
    text = flat(pages)
    missing = []
    for note in NOTES:
        if note["id"] not in letters:
            continue
        last = re.findall(r"\w+", note["anchor"])[-1]
        if not re.search(rf"{re.escape(last)}[^\w\s]*\s{letters[note['id']]}(?![^\W\d])", text):
            missing.append((note["id"], last, letters[note["id"]]))
    assert len(letters) >= 10 and missing == []


def test_no_line_ends_with_a_one_letter_russian_word(pages):
    found = [
        (number, line[-40:])
        for number, text in enumerate(pages, 1)
        for line in text.split("\n")
        if len(line.strip()) > 1 and ONE_LETTER_AT_END.search(line.rstrip())
    ]
    assert found == []


def test_blank_pages_are_blank_and_no_page_holds_only_a_heading(pages):
    """A page is either empty (no running head, no folio) or holds more than its head, its folio and one line."""
    near_empty = []
    for number, text in enumerate(pages, 1):
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        if lines and re.fullmatch(r"\d+ .+|.+ \d+", lines[0]):  # the running head with the folio
            lines = lines[1:]
        if lines and lines[-1].isdigit():  # a folio at the foot (a chapter's first page)
            lines = lines[:-1]
        if text.strip() and len(lines) <= 1:
            near_empty.append((number, text.strip()[:60]))
    assert near_empty == []


def test_text_is_black(pdf):
    """Links and glossary terms are told apart by an underline, not by colour: no chromatic text anywhere, and
    all but the greys of the page markers and the chart is black."""
    colours = text_fill_colours(pdf)
    chromatic = {c for c in colours if len(c) == 3 and len(set(c)) > 1}
    assert not chromatic
    black = [c for c in colours if c in ((0.0,), (0.0, 0.0, 0.0), (0.0, 0.0, 0.0, 1.0))]
    assert len(black) >= 0.8 * len(colours)  # the chart's labels are dark grey


def test_document_info_and_xmp_carry_the_metadata_as_written(pdf):
    info = pdf.metadata
    assert info["/Title"] == EDITION["title"] and info["/Author"] == EDITION["author"]
    xmp = pdf.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert EDITION["title"] in xmp and EDITION["author"] in xmp
    assert "\\" not in str(dict(info)) and "\\[" not in xmp

"""Tests of the editor's notes (editio.filters.editorial_notes) through the real load and filter stage: calls
lettered in text order and set inside a word run, each note's text once in its Div, the lowering in each
format (a lettered footnote in print that leaves the author's numbering alone, a list with back links on
screen), EDN001–EDN003 with the data file's line, the pandoc-filter path, and the flagship: every note called
in the built HTML, and the author's footnotes still 1…79 in the PDF source with the editor's notes between.

The golden case is tests/cases/editorial_notes/basic/: ``input.md`` with its ``notes.yaml`` (the ``data``
option), written as each format's body (``expected.typst``, ``expected.html``, ``expected.epub``). ``pytest
--update-goldens`` rewrites them: review the diff.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, assert_matches_golden, pandoc_with_filter, prepare, render

from editio.ast import get, has_class, iter_nodes, stringify
from editio.errors import EditionError

CASE = ROOT / "tests" / "cases" / "editorial_notes" / "basic"
NOTES = """\
- id: one
  anchor: "Х.Лечин"
  text: "Профсоюзный лидер. См.: <https://example.org/a>"
  source: https://example.org/a
- id: two
  anchor: "первая фраза"
  text: "Пояснение [@john2016, p. 5]."
  source: john2016
"""
TEXT = "Это первая фраза, а дальше Х.Лечин[^1] сказал.\n\n[^1]: Авторская сноска про Х.Лечин.\n"
THIRD = '- id: three\n  anchor: "{anchor}"\n  text: "{text}"\n  source: {source}\n'  # on line 9 after NOTES
# typst's own count of each footnote, shown as its mark: digits for the author's, the letter for the editor's
PROBE = """
#context [#metadata(query(footnote).map(f => (
  if type(f.numbering) == str { str(counter(footnote).at(f.location()).first()) }
  else { numbering(f.numbering, counter(footnote).at(f.location()).first()) }
)))<footnote-marks>]
"""


def annotated(text: str = TEXT, data: str = NOTES, config: dict | None = None):
    return prepare(text, {"filters": ["editorial_notes"], **(config or {})}, {"manuscript/editorial-notes.yaml": data})


def failure(text: str = TEXT, data: str = NOTES) -> list[tuple[str, str | None, int | None, str]]:
    with pytest.raises(EditionError) as caught:
        annotated(text, data)
    return [(d.code, d.file, d.line, d.message) for d in caught.value.diagnostics]


def footnote_marks(source: Path, root: Path) -> list[str]:
    import typst

    source.write_text(source.read_text(encoding="utf-8") + PROBE, encoding="utf-8")
    marks = json.loads(
        typst.query(
            str(source),
            "<footnote-marks>",
            field="value",
            one=True,
            root=str(root),
            ignore_system_fonts=True,
            font_paths=[],
        )
    )
    return [mark.strip() for mark in marks]  # a letter comes after a thin space


# --- marks and their lowering ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["typst", "html", "epub"])
def test_golden(fmt):
    edition = prepare(
        (CASE / "input.md").read_text(encoding="utf-8"),
        {"filters": ["editorial_notes"], "editorial-notes": {"data": "notes.yaml"}},
        {"manuscript/notes.yaml": (CASE / "notes.yaml").read_text(encoding="utf-8")},
    )
    assert_matches_golden(render(edition, fmt), CASE / f"expected.{fmt}")


def test_calls_are_lettered_in_text_order_and_split_the_word():
    edition = annotated()
    para = edition.doc["blocks"][0]["c"]
    calls = [
        (i, n["c"][0][0], get(n, "target"), get(n, "letter"))
        for i, n in enumerate(para)
        if n["t"] == "Span" and has_class(n, "ednote-call")
    ]
    assert [c[1:] for c in calls] == [("ed-ref-two", "ed-two", "а"), ("ed-ref-one", "ed-one", "б")]
    (first, *_), (second, *_) = calls
    assert [para[first - 1]["c"], para[first + 1]["c"]] == ["фраза", ","]  # «фраза,» split after the anchor
    assert para[second - 1]["c"] == "Х.Лечин" and para[second + 1]["t"] == "Note"  # before the author's note
    assert all(n["c"][1] == [] for i, n in enumerate(para) if i in (first, second))  # the call holds no text


def test_anchors_are_found_in_terms_and_verse_lines_too():
    text = "Это первая фраза\n:   Определение.\n\n| строка стиха\n| Х.Лечин сказал\n"
    edition = annotated(text)
    terms, lines = edition.doc["blocks"][0]["c"][0][0], edition.doc["blocks"][1]["c"][1]
    assert [n["c"][0][0] for n in terms if n["t"] == "Span"] == ["ed-ref-two"]
    assert [n["c"][0][0] for n in lines if n["t"] == "Span"] == ["ed-ref-one"]


def test_each_note_text_is_in_the_document_once_in_its_div():
    edition = annotated()
    [listing] = [n for n in iter_nodes(edition.doc["blocks"], ("Div",)) if has_class(n, "editorial-notes")]
    assert listing is edition.doc["blocks"][-1]  # no Div in the text: appended at the end
    heading, *notes = listing["c"][1]
    assert (heading["t"], heading["c"][1][0], stringify(heading)) == (
        "Header",
        "editorial-notes",
        "Примечания редактора",
    )
    assert [(n["c"][0][0], get(n, "letter"), get(n, "ref")) for n in notes] == [
        ("ed-two", "а", "ed-ref-two"),
        ("ed-one", "б", "ed-ref-one"),
    ]
    assert stringify(edition.doc["blocks"]).count("Профсоюзный лидер") == 1


def test_screen_lists_the_notes_with_back_links():
    html = render(annotated(), "html")
    assert html.count("ednote-ref") == 2 and html.count('role="doc-backlink" title="к месту в тексте">↩︎</a>') == 2
    assert re.search(
        r'Х\.Лечин<a href="#ed-one" id="ed-ref-one" class="ednote-ref" role="doc-noteref" '
        r'title="Примечание редактора"><sup>б</sup></a><a href="#fn1" class="footnote-ref"',
        html,
    )
    assert '<div id="ed-one" class="ednote">\n<p><strong>б)</strong> Профсоюзный лидер.' in html


def test_print_puts_each_note_in_a_lettered_footnote_that_keeps_the_author_counter():
    typst = render(annotated(), "typst")
    assert typst.count('#footnote(numbering: _ => "\u2009а")[Пояснение') == 1
    assert typst.count('#footnote(numbering: _ => "\u2009б")[Профсоюзный лидер.') == 1
    assert typst.count("~--- #emph[Прим. ред.]]#counter(footnote).update(n => n - 1);") == 2
    assert "Примечания редактора" not in typst  # the list is on screen only


def test_typst_counts_the_author_notes_without_the_editors(tmp_path):
    from editio.lower.typst import LIBRARY

    text = "Один[^1] два, первая фраза[^2] и Х.Лечин[^3] конец.\n\n[^1]: А.\n\n[^2]: Б.\n\n[^3]: В.\n"
    source = tmp_path / "doc.typ"
    data = NOTES.replace("[@john2016, p. 5].", "<https://example.org/b>")  # typst here has no bibliography
    source.write_text(LIBRARY.read_text("utf-8") + "\n" + render(annotated(text, data), "typst"), encoding="utf-8")
    assert footnote_marks(source, tmp_path) == ["1", "а", "2", "б", "3"]


def test_letters_and_title_follow_the_language_and_the_options():
    english = annotated(config={"lang": "en"})
    assert [get(n, "letter") for n in iter_nodes(english.doc["blocks"], ("Span",)) if has_class(n, "ednote-call")] == [
        "a",
        "b",
    ]
    assert "Editor’s notes" in render(english, "html")
    custom = annotated(config={"editorial-notes": {"letters": "αβγ", "title": "Комментарий"}})
    html = render(custom, "html")
    assert "<sup>α</sup>" in html and "<sup>β</sup>" in html and "<h1>Комментарий</h1>" in html


def test_a_note_on_the_article_itself_needs_no_source():
    edition = annotated(data=NOTES + THIRD.format(anchor="сказал", text="Ср. начало статьи.", source="article"))
    assert edition.loaded.ctx.log.items == []


# --- diagnostics -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "anchor, text, found",
    [
        ("нет такой фразы", TEXT, "is not found in the main text"),
        ("Авторская сноска", TEXT, "is not found in the main text"),  # the author's notes are not searched
        ("Это", TEXT + "\nЭто снова.\n", "occurs 2 times"),
    ],
)
def test_bad_anchor_is_edn001_with_the_yaml_line(anchor, text, found):
    data = NOTES + THIRD.format(anchor=anchor, text="Текст <https://example.org>", source="x")
    [(code, file, line, message)] = failure(text, data)
    assert (code, file, line) == ("EDN001", "manuscript/editorial-notes.yaml", 9)
    assert f"anchor of note 'three' {found}" in message


@pytest.mark.parametrize(
    "data, line, says",
    [
        (NOTES + "- id: bad id\n  anchor: x\n  text: y\n  source: z\n", 9, "id 'bad id' must be Latin letters"),
        (NOTES + "- id: three\n  anchor: сказал\n  text: y\n", 9, "entry 'three' lacks source"),
        (NOTES + "- id: one\n  anchor: сказал\n  text: y <https://x.org>\n  source: z\n", 9, "duplicate id 'one'"),
        ("id: one\n", 1, "must be a list of entries"),
    ],
)
def test_malformed_entry_is_edn002_with_its_line(data, line, says):
    [(code, file, at, message)] = failure(data=data)
    assert (code, file, at) == ("EDN002", "manuscript/editorial-notes.yaml", line) and says in message


def test_more_notes_than_letters_is_edn002():
    with pytest.raises(EditionError) as caught:
        annotated(config={"editorial-notes": {"letters": "а"}})
    assert [d.code for d in caught.value.diagnostics] == ["EDN002"]
    assert "2 notes but only 1 letters" in caught.value.diagnostics[0].message


def test_text_without_a_source_is_an_edn003_warning_with_its_line():
    edition = annotated(data=NOTES + THIRD.format(anchor="сказал", text="Без источника.", source="somewhere"))
    assert [(w.code, w.file, w.line) for w in edition.loaded.ctx.log.warnings] == [
        ("EDN003", "manuscript/editorial-notes.yaml", 9)
    ]
    assert "ednote-call" in json.dumps(edition.doc)  # a warning only: the notes are still placed


# --- plain pandoc ----------------------------------------------------------------------------------------


def test_runs_as_a_pandoc_filter(tmp_path):
    (tmp_path / "editorial-notes.yaml").write_text(NOTES, encoding="utf-8")
    proc = pandoc_with_filter(
        "editorial_notes", "-t", "html5", "--wrap=none", "-M", "lang=ru", input=TEXT, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert '<a href="#ed-one" id="ed-ref-one" class="ednote-ref"' in proc.stdout
    assert '<div id="ed-one" class="ednote">' in proc.stdout


# --- the flagship ----------------------------------------------------------------------------------------


def test_every_note_of_the_edition_is_called_once_in_order(edition_dist):
    """The real data against the real text (a missing anchor would have failed the build): 8–15 notes, each
    called once, lettered in text order, each list entry linking back to its call."""
    data = yaml.safe_load((ROOT / "manuscript" / "editorial-notes.yaml").read_text(encoding="utf-8"))
    [html_file] = edition_dist.glob("*.html")
    html = html_file.read_text(encoding="utf-8")
    calls = re.findall(r'<a href="#ed-([\w-]+)" id="ed-ref-\1" class="ednote-ref"[^>]*><sup>(\w)</sup></a>', html)
    assert 8 <= len(calls) <= 15
    assert sorted(note for note, _ in calls) == sorted(entry["id"] for entry in data)
    letters = "абвгдежиклмнпрстуфхцшщэюя"
    assert [letter for _, letter in calls] == list(letters[: len(calls)])
    for note, _ in calls:
        assert re.search(
            rf'<div id="ed-{note}" class="ednote">.*?<a href="#ed-ref-{note}" role="doc-backlink"', html, re.S
        ), note


@pytest.mark.e2e
@pytest.mark.edition
def test_pdf_keeps_author_footnotes_1_to_79(tmp_path, monkeypatch):
    """The flagship's PDF source as the build writes it (typst.compile stubbed), asked by typst for each
    footnote's mark: the author's notes count 1…79 with the editor's lettered notes between them."""
    from editio.build import _build_format
    from editio.build import prepare as prepare_edition

    edition = prepare_edition(ROOT / "manuscript", ROOT)
    for name, data in edition.loaded.ctx.media.items():
        (tmp_path / "media" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "media" / name).write_bytes(data)
    monkeypatch.setattr("editio.writers.pdf.typst.compile", lambda *args, **kwargs: b"")
    _build_format(edition, "pdf", tmp_path)
    monkeypatch.undo()
    marks = footnote_marks(tmp_path / f"{edition.loaded.config.name}.typ", tmp_path)
    author = [m for m in marks if m.isdigit()]
    editor = [m for m in marks if not m.isdigit()]
    assert author == [str(n) for n in range(1, 80)]
    assert editor == list("абвгдежиклмнпрстуфхцшщэюя"[: len(editor)]) and len(editor) >= 8
    assert marks.index(editor[-1]) < marks.index("79")  # the editor's notes stand between the author's

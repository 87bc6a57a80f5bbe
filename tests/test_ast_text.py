"""Tests of the text runs (editio.ast.text) and the page tracker (editio.ast.pages) the filters share."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from editio.ast import Emph, Note, Para, Plain, Space, Span, Str, stringify
from editio.ast.pages import PageTracker, page_markers
from editio.ast.reading import reading_parts
from editio.ast.text import DASHES, IGNORABLE, QUOTES, TextRun, insert_at, normalise, split_run

# Words with every kind of character the normal form treats specially.
_WORDS = st.text(alphabet=st.sampled_from("аб.z-\u2014«»\u00a0\u00ad '"), min_size=0, max_size=6)
_RUNS = st.lists(st.one_of(_WORDS.map(Str), st.just(Space())), max_size=8)


def _page(number: str) -> dict:
    return Span([], classes=["page"], attributes={"n": number})


@settings(max_examples=300, deadline=None)
@given(_RUNS)
def test_normal_form_of_a_run_is_the_normal_form_of_its_text(run):
    text = TextRun().add(run).text
    assert text.rstrip(" ") == normalise("".join(n["c"] if n["t"] == "Str" else " " for n in run))


@settings(max_examples=300, deadline=None)
@given(_RUNS)
def test_every_character_remembers_its_origin(run):
    text_run = TextRun().add(run)
    for position, char in enumerate(text_run.text):
        origin = text_run.origin(position)
        assert origin.holder is run
        node = run[origin.index]
        if origin.offset is None:
            assert node["t"] == "Space" and char == " "
        else:
            original = node["c"][origin.offset]
            assert original not in QUOTES and original not in IGNORABLE
            assert char == (" " if original in " \u00a0" else DASHES.get(original, original))


def test_a_run_crosses_containers_and_asks_about_the_rest():
    note = Note([Para([Str("сноска")])])
    inlines = [Str("«В"), Emph([Str("Ла"), Space(), Str("Пас")]), note, Str("»")]
    seen = []
    run = TextRun().add(inlines, lambda node: seen.append(node["t"]) or node["t"] == "Note")
    assert run.text == "ВЛа Пас"
    assert seen == ["Emph", "Note"]  # a container is offered first; the Note taken, so its words are not added
    assert run.origin(0).holder is inlines and run.origin(0).offset == 1  # the quote before «В» is not in the text
    assert run.origin(2).holder is inlines[1]["c"] and (run.origin(2).index, run.origin(2).offset) == (0, 1)


def test_verbatim_run_keeps_every_character():
    run = TextRun(verbatim=True).add([Str("«а\u00a0б»"), Space(), Space(), Str("x\u2014y")])
    assert run.text == "«а б»  x\u2014y"
    assert run.origin(6).offset is None


def test_split_run_and_insert_at():
    run = [Str("до"), Space(), Str("Лечина,"), Space(), Str("после")]
    text = TextRun().add(run)
    start = text.text.index("Лечин")
    before, matched, after = split_run(run, text.origin(start - 2), text.origin(start + 4))
    assert stringify(before) == "д" and stringify(matched) == "о Лечин" and stringify(after) == "а, после"
    holder = [Str("абв")]
    insert_at(TextRun().add(holder).origin(1), Str("|"))
    assert stringify(holder) == "а|бв"
    insert_at(TextRun().add(holder).origin(3), Str("!"), after=True)
    assert stringify(holder) == "а|бв!"


def test_page_tracker():
    pages = PageTracker()
    assert pages.page is None
    assert not pages.see(Str("12"))
    assert pages.see(_page("12")) and pages.page == "12"
    assert pages.see(Span([], classes=["page"])) and pages.page == "12"  # no number: the page goes on
    pages.follow([Para([Emph([_page("13")]), Note([Para([_page("14")])])])])
    assert pages.page == "14"
    other = PageTracker("folio", "no")
    other.follow([_page("1"), Span([], classes=["folio"], attributes={"no": "7"})])
    assert other.page == "7"
    assert [m["c"][0][2] for m in page_markers([Para([_page("1"), Str("x"), _page("2")])])] == [
        [["n", "1"]],
        [["n", "2"]],
    ]


def test_reading_parts_in_reading_order():
    caption = [None, [Plain([Str("подпись")])]]
    body = [Para([Str("тело")])]
    figure = {"t": "Figure", "c": [["", [], []], caption, body]}
    read = [(kind, stringify(part)) for kind, part in reading_parts(figure)]
    assert read == [("blocks", "подписьтело")]
    assert [(kind, stringify(part)) for kind, part in reading_parts(figure, captions=False)] == [
        ("caption", "подпись"),
        ("blocks", "тело"),
    ]
    items = {"t": "DefinitionList", "c": [[[Str("термин")], [[Para([Str("а")])], [Para([Str("б")])]]]]}
    assert [(kind, stringify(part)) for kind, part in reading_parts(items)] == [
        ("inlines", "термин"),
        ("blocks", "а"),
        ("blocks", "б"),
    ]
    assert list(reading_parts({"t": "CodeBlock", "c": [["", [], []], "x"]})) == []

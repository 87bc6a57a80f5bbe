"""Property-based tests on every filter in filters/: for generated documents (panflute ASTs built directly,
no pandoc) with valid data files, a filter never crashes (EditionError is the only exception allowed, and
with valid data it must not come either) and never loses text: the words of the input, in order, are a
subsequence of the words of the output. Filters add text (links, back references, index entries, marks);
they must not drop or reorder the author's words. Words are compared after normalising NBSP, dashes and
quotes, as runs of letters and digits; citation elements are left out (citeproc and the citations filter
rewrite their text on purpose).

Every filter file is found by listing filters/, so a new filter without a property test fails here.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
from pathlib import Path

import panflute as pf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import MINI, ROOT
from editio.errors import EditionError
from editio.filters import load_filter

CASES = ROOT / "tests" / "cases"
SETTINGS = settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "50")), deadline=None,
                    derandomize=os.environ.get("PROPERTY_RANDOM") != "1",
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large])

# Words that the data files below know (glossary forms and stems, person forms, emendation readings),
# typographic material (initials, numbers, ranges, dashes, quotes, abbreviations), and words that look
# like markup or code to some writer.
POOL = ["COB", "СОВ", "POR", "ПОР", "POR-LO", "паблистов", "паблизм", "энтризм", "entryism", "IV", "Интернационал",
        "Интернационала", "рабочий", "контроль", "с", "правом", "вето", "Рабочего", "центра", "Лора", "Лоры",
        "Гильермо", "Х.Лечин", "Х.Лечином", "Мольер", "Э.", "Моллер", "Г.", "кратrой", "краткой", "г.", "в.",
        "1952", "1952-1964", "1952–1964", "-", "–", "—", "«слово»", "„внутри“", '"прямые"', "т.", "е.", "№",
        "5", "с.", "p.", "12–14", "https://example.org/a", "и", "в", "на", "Боливия", "1946", "ноябре",
        "#read(\"x\")", "*звёздочка*", "<b>", "\\", "$", "[]", "{}", "@key", "ё", "Ё", "Ï", "ſ", "ﬁ"]
ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp", "Co", "Cn"))
WORD = st.one_of(st.sampled_from(POOL), st.text(ALPHABET, min_size=1, max_size=8))

CHRONOLOGY_ANCHOR = "Восстание девятого апреля"
EDITORIAL_ANCHOR = "особая фраза редактора"
EMENDATION_KEYS = ["por-lo", "kratkoj", "lora-1978"]


def _words_inline(draw, size: int) -> list[pf.Inline]:
    inlines: list[pf.Inline] = []
    for word in draw(st.lists(WORD, min_size=1, max_size=size)):
        if inlines:
            inlines.append(pf.Space())
        inlines.append(pf.Str(word))
    return inlines


@st.composite
def inline_run(draw, depth: int = 0) -> list[pf.Inline]:
    """A run of inlines: words with spaces, sometimes wrapped in Emph/Strong/Quoted/Span/Note/Cite."""
    out: list[pf.Inline] = []
    for _ in range(draw(st.integers(1, 6))):
        if out:
            out.append(draw(st.sampled_from([pf.Space(), pf.SoftBreak()])))
        kind = draw(st.sampled_from(["words"] * 5 + ["emph", "strong", "quoted", "span", "note", "cite",
                                                      "emendation", "page", "code", "link"]))
        words = _words_inline(draw, 5)
        if kind == "words":
            out += words
        elif kind == "emph":
            out.append(pf.Emph(*words))
        elif kind == "strong":
            out.append(pf.Strong(*words))
        elif kind == "quoted":
            out.append(pf.Quoted(*words, quote_type=draw(st.sampled_from(["DoubleQuote", "SingleQuote"]))))
        elif kind == "span":
            out.append(pf.Span(*words, classes=draw(st.sampled_from([[], ["nogls"], ["noindex"]])),
                               attributes=draw(st.sampled_from([{}, {"lang": "es"}]))))
        elif kind == "note" and depth == 0:
            out.append(pf.Note(pf.Para(*draw(inline_run(depth=1)))))
        elif kind == "cite":
            key = draw(st.sampled_from(["smith2000", "perez1990"]))
            citation = pf.Citation(key, suffix=[pf.Str(","), pf.Space(), pf.Str("p."), pf.Space(), pf.Str("12–14")])
            out.append(pf.Cite(pf.Str(f"[@{key},"), pf.Space(), pf.Str("p."), pf.Space(), pf.Str("12–14]"),
                               citations=[citation]))
        elif kind == "emendation":
            out.append(pf.Span(*words, classes=["emendation"],
                               attributes={"key": draw(st.sampled_from(EMENDATION_KEYS))}))
        elif kind == "page":
            out.append(pf.Span(classes=["page"], attributes={"n": "0"}))  # numbered in document order below
        elif kind == "code":
            out.append(pf.Code(draw(st.sampled_from(['#read("x")', "x = 1", "COB"]))))
        else:
            out.append(pf.Link(*words, url="https://example.org/b"))
    return out


@st.composite
def documents(draw) -> list[pf.Block]:
    """Body blocks: headings, paragraphs, block quotes and lists of generated inlines."""
    blocks: list[pf.Block] = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["para"] * 4 + ["header", "quote", "list"]))
        if kind == "header":
            blocks.append(pf.Header(*_words_inline(draw, 4), level=draw(st.integers(1, 3))))
        elif kind == "quote":
            blocks.append(pf.BlockQuote(pf.Para(*draw(inline_run()))))
        elif kind == "list":
            blocks.append(pf.BulletList(*(pf.ListItem(pf.Plain(*draw(inline_run()))) for _ in range(2))))
        else:
            blocks.append(pf.Para(*draw(inline_run())))
    return blocks


def _number_pages(doc: pf.Doc) -> None:
    pages = []
    doc.walk(lambda e, _d: pages.append(e) if isinstance(e, pf.Span) and "page" in e.classes else None)
    for number, span in enumerate(pages, 119):
        span.attributes["n"] = str(number)


# --- the words of a document ------------------------------------------------------------------------------

_SEPARATORS = (pf.Space, pf.SoftBreak, pf.LineBreak, pf.RawInline, pf.RawBlock, pf.Code, pf.CodeBlock,
               pf.Math, pf.Cite, pf.HorizontalRule)
_NORMAL = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2011": "-", "\u2013": "-",
                         "\u2014": "-", "«": '"', "»": '"', "„": '"', "“": '"', "”": '"', "\u00ad": ""})


def _collect(elem, out: list[str]) -> None:
    if isinstance(elem, pf.Str):
        out.append(elem.text)
    elif isinstance(elem, _SEPARATORS):
        out.append(" ")
    elif isinstance(elem, (pf.Note, pf.Block, pf.Superscript, pf.Subscript)) or not hasattr(elem, "content"):
        # blocks, notes and note calls (a superscript letter or number glued to the word it follows)
        out.append(" ")
        for child in getattr(elem, "content", []) or []:
            _collect(child, out)
        out.append(" ")
    else:  # inline containers: no boundary, a filter may wrap part of a run
        for child in elem.content:
            _collect(child, out)


def words(blocks) -> list[str]:
    out: list[str] = []
    for block in blocks:
        _collect(block, out)
    return re.findall(r"\w+", "".join(out).translate(_NORMAL))


def is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(any(word == other for other in it) for word in needle)


def test_is_subsequence():
    assert is_subsequence(["a", "c"], ["a", "b", "c"]) and not is_subsequence(["c", "a"], ["a", "b", "c"])


# --- the data each filter reads ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("property-data") / "manuscript"
    folder.mkdir()
    shutil.copy(CASES / "glossary" / "glossary.yaml", folder / "glossary.yaml")
    shutil.copy(CASES / "name_index" / "basic" / "persons.yaml", folder / "persons.yaml")
    shutil.copy(CASES / "emendations" / "basic" / "emendations.yaml", folder / "emendations.yaml")
    shutil.copy(MINI / "factions.yaml", folder / "factions.yaml")
    (folder / "chronology.yaml").write_text(
        f'events:\n  - date: "1952-04-09"\n    precision: day\n    text: "Восстание."\n'
        f'    anchor: "{CHRONOLOGY_ANCHOR}"\n', encoding="utf-8")
    (folder / "editorial-notes.yaml").write_text(
        f'- id: ed-one\n  anchor: "{EDITORIAL_ANCHOR}"\n  text: "Пояснение. См.: <https://example.org/a>"\n'
        "  source: https://example.org/a\n", encoding="utf-8")
    (folder / "01-text.md").write_text("Текст.\n", encoding="utf-8")
    (folder.parent / "media").mkdir()
    return folder


def _document(blocks: list[pf.Block], fmt: str, data: Path) -> pf.Doc:
    fixed_words = f"Здесь {CHRONOLOGY_ANCHOR} и {EDITORIAL_ANCHOR} конец".split()
    fixed = [pf.Para(*[x for w in fixed_words for x in (pf.Str(w), pf.Space())][:-1])]
    back = [pf.Header(pf.Str("Глоссарий"), level=1, identifier="glossary"), pf.Div(classes=["glossary"]),
            pf.Header(pf.Str("Указатель"), level=1, identifier="names"), pf.Div(classes=["name-index"]),
            pf.Header(pf.Str("Хронология"), level=1, identifier="chron"), pf.Div(classes=["chronology"]),
            pf.Div(classes=["emendations"]), pf.Div(classes=["editorial-notes"]),
            pf.Div(pf.Para(pf.Str("Схема")), classes=["faction-chart"]), pf.Div(classes=["colophon"])]
    meta = {"lang": "ru", "manuscript-dir": str(data), "media-dir": str(data.parent / "media"),
            "media-prefix": "media", "source-files": [str(data / "01-text.md")],
            "bibliography": str(MINI / "references.bib"), "source-revision": "abc", "build-date": "2024-01-01",
            "tool-versions": "editio", "identifier": "urn:uuid:x", "licence-text": "CC BY 4.0"}
    doc = pf.Doc(*fixed, *blocks, *back, metadata=meta, format=fmt)
    _number_pages(doc)
    return doc


FILTERS = sorted(p.stem for p in (ROOT / "filters").glob("*.py") if not p.name.startswith("_"))


def test_every_filter_is_covered():
    assert FILTERS, "no filters found"
    for name in FILTERS:
        module = load_filter(ROOT / "filters" / f"{name}.py")
        assert callable(module.main) and callable(getattr(module, "configure", None)), name


@pytest.mark.parametrize("name", FILTERS)
def test_filter_never_crashes_and_never_loses_words(name: str, data_dir: Path, capsys):
    module = load_filter(ROOT / "filters" / f"{name}.py")

    @SETTINGS
    @given(blocks=documents(), fmt=st.sampled_from(["html5", "typst", "epub3"]))
    def check(blocks, fmt):
        doc = _document(copy.deepcopy(blocks), fmt, data_dir)
        before = words(doc.content)
        try:
            result = module.main(doc)
        except EditionError as problem:  # valid data and text: no error may come
            pytest.fail(f"{name} raised on valid input: {problem}")
        doc = result if isinstance(result, pf.Doc) else doc
        after = words(doc.content)
        assert is_subsequence(before, after), (name, fmt, before, after)
        assert "Traceback" not in capsys.readouterr().err

    check()


def test_the_property_catches_a_lost_or_moved_word(data_dir: Path):
    """The harness itself: dropping one word, or swapping two, breaks the subsequence property."""
    doc = _document([pf.Para(pf.Str("раз"), pf.Space(), pf.Str("два"), pf.Space(), pf.Str("три"))], "html5", data_dir)
    before = words(doc.content)
    dropped = copy.deepcopy(doc)
    dropped.content[1].content[2].text = ""
    assert not is_subsequence(before, words(dropped.content))
    swapped = copy.deepcopy(doc)
    swapped.content[1].content[0].text, swapped.content[1].content[4].text = "три", "раз"
    assert not is_subsequence(before, words(swapped.content))
    grown = copy.deepcopy(doc)
    grown.content[1].content.append(pf.Note(pf.Para(pf.Str("добавлено"))))
    assert is_subsequence(before, words(grown.content))


# --- invalid data: EditionError only ----------------------------------------------------------------------

YAML_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 3000), st.text(ALPHABET, max_size=12),
              st.sampled_from(["COB", "1952", "1952-04-09", "day", "year", "typo", "lora", "party", "intl"])),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(
                                   ["id", "term", "forms", "stems", "definition", "entries", "persons", "heading",
                                    "events", "date", "precision", "text", "anchor", "source", "edition", "kind",
                                    "why", "organisations", "relations", "name", "founded", "type", "from", "to",
                                    "year", "born", "died", "variants", "seed-line"]), children, max_size=5)),
    max_leaves=12)
DATA_FILES = {"glossary": "glossary.yaml", "name_index": "persons.yaml", "chronology": "chronology.yaml",
              "emendations": "emendations.yaml", "editorial_notes": "editorial-notes.yaml",
              "faction_chart": "factions.yaml"}


@pytest.mark.parametrize("name", sorted(DATA_FILES))
def test_filter_with_arbitrary_data_raises_only_edition_error(name: str, tmp_path: Path):
    import yaml

    module = load_filter(ROOT / "filters" / f"{name}.py")
    folder = tmp_path / "manuscript"
    folder.mkdir()
    (folder / "01-text.md").write_text("Текст.\n", encoding="utf-8")
    (tmp_path / "media").mkdir()

    @settings(SETTINGS, max_examples=max(1, SETTINGS.max_examples * 3 // 5))
    @given(value=YAML_VALUES, blocks=documents())
    def check(value, blocks):
        (folder / DATA_FILES[name]).write_text(yaml.safe_dump(value, allow_unicode=True), encoding="utf-8")
        doc = _document(copy.deepcopy(blocks), "html5", folder)
        try:
            module.main(doc)
        except EditionError as problem:
            assert all(d.code and d.message for d in problem.diagnostics)

    check()

"""Property-based tests on every built-in filter (editio.filters.BUILTIN): for generated Markdown with valid data
files, run through the real load and filter stage (helpers.prepare), a filter never fails (no exception at all:
with valid data and text not even an EditionError) and never loses text: the words of the input, in order, are a
subsequence of the words of the filtered document. Filters add text (links, back references, index entries,
lists, notes); they must not drop or reorder the author's words. Words are compared after normalising
no-break spaces, dashes and quotes, as runs of letters and digits; citation elements are left out (citations
and citeproc rewrite their text on purpose). With arbitrary YAML in its data file a filter raises nothing but
an EditionError whose diagnostics have a code, a message and a file.

The number of examples is ``PROPERTY_EXAMPLES`` (default 8, so the module runs in a few seconds; raise it for
a longer hunt); ``PROPERTY_RANDOM=1`` draws new examples instead of the fixed derandomised ones.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import re
import string

import pytest
import yaml
from helpers import ROOT, prepare
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editio.errors import EditionError
from editio.filters import BUILTIN, filter_class
from editio.load.pandoc import PandocSession

CASES = ROOT / "tests" / "cases"
MINI = ROOT / "tests" / "fixtures" / "mini"
SETTINGS = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "8")),
    deadline=None,
    derandomize=os.environ.get("PROPERTY_RANDOM") != "1",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Words that the data files below know (glossary forms and stems, person forms, emendation readings),
# typographic material (initials, numbers, ranges, dashes, quotes, abbreviations), and words that look
# like markup or code to some writer.
POOL = [
    "COB",
    "СОВ",
    "POR",
    "ПОР",
    "POR-LO",
    "паблистов",
    "паблизм",
    "энтризм",
    "entryism",
    "IV",
    "Интернационал",
    "Интернационала",
    "рабочий",
    "контроль",
    "с",
    "правом",
    "вето",
    "Рабочего",
    "центра",
    "Лора",
    "Лоры",
    "Гильермо",
    "Х.Лечин",
    "Х.Лечином",
    "Мольер",
    "Э.",
    "Моллер",
    "Г.",
    "кратrой",
    "краткой",
    "г.",
    "в.",
    "1952",
    "1952-1964",
    "1952–1964",
    "-",
    "–",
    "—",
    "«слово»",
    "„внутри“",
    '"прямые"',
    "т.",
    "е.",
    "№",
    "5",
    "с.",
    "p.",
    "12–14",
    "https://example.org/a",
    "и",
    "в",
    "на",
    "Боливия",
    "1946",
    "ноябре",
    '#read("x")',
    "*звёздочка*",
    "<b>",
    "\\",
    "$",
    "[]",
    "{}",
    "@key",
    "ё",
    "Ё",
    "Ï",
    "ſ",
    "ﬁ",
]
ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp", "Co", "Cn"))
WORD = st.one_of(st.sampled_from(POOL), st.text(ALPHABET, min_size=1, max_size=8))

CHRONOLOGY_ANCHOR = "Восстание девятого апреля"
EDITORIAL_ANCHOR = "особая фраза редактора"
EMENDATION_KEYS = ["por-lo", "kratkoj", "lora-1978"]
PAGE = "\x00page\x00"  # numbered in document order once the text is complete


# --- generated Markdown -------------------------------------------------------------------------------------


def escaped(word: str) -> str:
    """``word`` as Markdown that pandoc reads back as the same text: every ASCII punctuation mark escaped."""
    return "".join("\\" + c if c in string.punctuation else c for c in word)


def _words(draw, size: int) -> str:
    return " ".join(escaped(w) for w in draw(st.lists(WORD, min_size=1, max_size=size)))


@st.composite
def inline_run(draw, depth: int = 0) -> str:
    """A run of inlines: words, sometimes emphasised, quoted, in a span, a note, a citation, an emendation, a
    page start, code or a link."""
    out: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(
            st.sampled_from(
                ["words"] * 5
                + ["emph", "strong", "quoted", "span", "note", "cite", "emendation", "page", "code", "link"]
            )
        )
        words = _words(draw, 5)
        if kind == "words":
            # a line break only before plain words: escaped, they cannot open a block
            out.append(("\n" if out and draw(st.booleans()) else "") + words)
        elif kind == "emph":
            out.append(f"*{words}*")
        elif kind == "strong":
            out.append(f"**{words}**")
        elif kind == "quoted":
            out.append(draw(st.sampled_from(['"{}"', "'{}'"])).format(words))
        elif kind == "span":
            out.append(f"[{words}]" + draw(st.sampled_from(["{}", "{.nogls}", "{.noindex}", "{lang=es}"])))
        elif kind == "note" and depth == 0:
            out.append(f"^[{draw(inline_run(depth=1))}]")
        elif kind == "cite":
            out.append(f"[@{draw(st.sampled_from(['smith2000', 'perez1990']))}, p. 12–14]")
        elif kind == "emendation":
            out.append(f"[{words}]{{.emendation key={draw(st.sampled_from(EMENDATION_KEYS))}}}")
        elif kind == "page":
            out.append(f"[]{{.page n={PAGE}}}")
        elif kind == "code":
            out.append("`" + draw(st.sampled_from(['#read("x")', "x = 1", "COB"])) + "`")
        else:
            out.append(f"[{words}](https://example.org/b)")
    return " ".join(out).replace(" \n", "\n")


@st.composite
def documents(draw) -> str:
    """Body blocks: headings, paragraphs, block quotes and lists of generated inlines."""
    blocks: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["para"] * 4 + ["header", "quote", "list"]))
        if kind == "header":
            blocks.append("#" * draw(st.integers(1, 3)) + " " + _words(draw, 4))
        elif kind == "quote":
            blocks.append("> " + draw(inline_run()).replace("\n", "\n> "))
        elif kind == "list":
            blocks.append("\n".join("- " + draw(inline_run()).replace("\n", "\n  ") for _ in range(2)))
        else:
            blocks.append(draw(inline_run()))
    return "\n\n".join(blocks)


# The fixed frame round the generated body: the anchors the chronology and the editor's notes look for, and the
# Divs the filters fill.
OPENING = f"Здесь {CHRONOLOGY_ANCHOR} и {EDITORIAL_ANCHOR} конец.\n\n"
BACK_MATTER = """

# Глоссарий {#glossary}

::: glossary
:::

# Указатель {#names}

::: name-index
:::

# Хронология {#chron}

::: chronology
:::

::: emendations
:::

::: editorial-notes
:::

::: faction-chart
Схема
:::

::: colophon
:::

::: {#refs}
:::
"""


def manuscript(body: str) -> str:
    pages = iter(range(119, 10_000))
    return re.sub(re.escape(PAGE), lambda _m: str(next(pages)), OPENING + body + BACK_MATTER)


# --- the words of a document --------------------------------------------------------------------------------

BLOCKS = {
    "Plain",
    "Para",
    "LineBlock",
    "CodeBlock",
    "RawBlock",
    "BlockQuote",
    "OrderedList",
    "BulletList",
    "DefinitionList",
    "Header",
    "HorizontalRule",
    "Table",
    "Figure",
    "Div",
}
_SEPARATORS = {
    "Space",
    "SoftBreak",
    "LineBreak",
    "RawInline",
    "RawBlock",
    "Code",
    "CodeBlock",
    "Math",
    "Cite",
    "HorizontalRule",
}
_NORMAL = str.maketrans(
    {
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u2011": "-",
        "\u2013": "-",
        "\u2014": "-",
        "«": '"',
        "»": '"',
        "„": '"',
        "“": '"',
        "”": '"',
        "\u00ad": "",
    }
)


def _collect(node, out: list[str]) -> None:
    if isinstance(node, list):
        for child in node:
            _collect(child, out)
    elif isinstance(node, dict) and "t" in node:
        kind = node["t"]
        if kind == "Str":
            out.append(node["c"])
        elif kind in _SEPARATORS:
            out.append(" ")
        elif kind in BLOCKS or kind in ("Note", "Superscript", "Subscript"):
            # blocks, notes and note calls (a superscript letter or number glued to the word it follows)
            out.append(" ")
            _collect(node.get("c"), out)
            out.append(" ")
        else:  # inline containers: no boundary, a filter may wrap part of a run
            _collect(node.get("c"), out)


def words(blocks: list) -> list[str]:
    out: list[str] = []
    _collect(blocks, out)
    return re.findall(r"\w+", "".join(out).translate(_NORMAL))


def is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(any(word == other for other in it) for word in needle)


@pytest.fixture(scope="module")
def reader():
    """pandoc's Markdown reader, once for the module: the words of a text before any filter."""
    with PandocSession() as session:
        yield lambda text: session.read(text, "generated")["blocks"]


def test_is_subsequence():
    assert is_subsequence(["a", "c"], ["a", "b", "c"]) and not is_subsequence(["c", "a"], ["a", "b", "c"])


def test_the_property_catches_a_lost_or_moved_word(reader):
    """The harness itself: dropping one word, or swapping two, breaks the subsequence property."""
    blocks = reader(manuscript("раз два три"))
    before = words(blocks)
    para = blocks[1]["c"]
    assert [n.get("c") for n in para[::2]] == ["раз", "два", "три"]
    dropped = copy.deepcopy(blocks)
    dropped[1]["c"][2]["c"] = ""
    assert not is_subsequence(before, words(dropped))
    swapped = copy.deepcopy(blocks)
    swapped[1]["c"][0]["c"], swapped[1]["c"][4]["c"] = "три", "раз"
    assert not is_subsequence(before, words(swapped))
    grown = copy.deepcopy(blocks)
    grown[1]["c"].append({"t": "Note", "c": [{"t": "Para", "c": [{"t": "Str", "c": "добавлено"}]}]})
    assert is_subsequence(before, words(grown))


def test_generated_markdown_reads_back_as_its_words(reader):
    """Escaped words stay words: pandoc reads each generated word as text, not as markup."""
    tricky = [
        "*звёздочка*",
        '#read("x")',
        "1952.",
        "-",
        "+",
        "1.",
        "[]",
        "{}",
        "@key",
        "<b>",
        "\\",
        "https://example.org/a",
    ]
    blocks = reader(" ".join(escaped(w) for w in tricky))
    assert [b["t"] for b in blocks] == ["Para"]
    assert "".join(n["c"] for n in blocks[0]["c"] if n["t"] == "Str") == "".join(tricky)


# --- the data each filter reads -----------------------------------------------------------------------------

CHRONOLOGY = (
    f'events:\n  - date: "1952-04-09"\n    precision: day\n    text: "Восстание."\n    anchor: "{CHRONOLOGY_ANCHOR}"\n'
)
EDITORIAL_NOTES = (
    f'- id: ed-one\n  anchor: "{EDITORIAL_ANCHOR}"\n  text: "Пояснение. См.: <https://example.org/a>"\n'
    "  source: https://example.org/a\n"
)
DATA = {
    "glossary.yaml": (CASES / "glossary" / "glossary.yaml").read_text(encoding="utf-8"),
    "persons.yaml": (CASES / "name_index" / "basic" / "persons.yaml").read_text(encoding="utf-8"),
    "emendations.yaml": (CASES / "emendations" / "basic" / "emendations.yaml").read_text(encoding="utf-8"),
    "factions.yaml": (MINI / "factions.yaml").read_text(encoding="utf-8"),
    "chronology.yaml": CHRONOLOGY,
    "editorial-notes.yaml": EDITORIAL_NOTES,
    "references.bib": (MINI / "references.bib").read_text(encoding="utf-8"),
}
# The data file of each filter that reads one, by the name its `data` option defaults to.
DATA_FILES = {
    "glossary": "glossary.yaml",
    "name_index": "persons.yaml",
    "chronology": "chronology.yaml",
    "emendations": "emendations.yaml",
    "editorial_notes": "editorial-notes.yaml",
    "faction_chart": "factions.yaml",
}


def filtered(text: str, name: str, data: dict[str, str] | None = None):
    """The document after ``name`` alone, built from ``text`` with the data files above (``data`` replacing
    some)."""
    files = {f"manuscript/{file}": body for file, body in {**DATA, **(data or {})}.items()}
    return prepare(text, {"filters": [name], "bibliography": "references.bib"}, files).doc


def test_every_filter_and_data_file_is_covered():
    """A new built-in filter is run by the properties below; one that reads a data file must be listed in
    DATA_FILES with the file its `data` option names by default."""
    assert len(BUILTIN) >= 13
    for name in BUILTIN:
        options = {f.name: f.default for f in dataclasses.fields(filter_class(name).Options)}
        if "data" in options:
            assert DATA_FILES.get(name) == options["data"], name
    assert set(DATA_FILES) <= set(BUILTIN)


@pytest.mark.parametrize("name", BUILTIN)
def test_filter_never_fails_and_never_loses_words(name: str, reader):
    @SETTINGS
    @given(body=documents())
    def check(body):
        text = manuscript(body)
        before = words(reader(text))
        try:
            after = words(filtered(text, name)["blocks"])
        except EditionError as problem:  # valid data and text: no error may come
            pytest.fail(f"{name} raised on valid input: {problem}\n--- input ---\n{text}")
        assert is_subsequence(before, after), (name, text, before, after)

    check()


# --- invalid data: EditionError only ------------------------------------------------------------------------

YAML_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 3000),
        st.text(ALPHABET, max_size=12),
        st.sampled_from(["COB", "1952", "1952-04-09", "day", "year", "typo", "lora", "party", "intl"]),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "term",
                    "forms",
                    "stems",
                    "definition",
                    "entries",
                    "persons",
                    "heading",
                    "events",
                    "date",
                    "precision",
                    "text",
                    "anchor",
                    "source",
                    "edition",
                    "kind",
                    "why",
                    "organisations",
                    "relations",
                    "name",
                    "founded",
                    "type",
                    "from",
                    "to",
                    "year",
                    "born",
                    "died",
                    "variants",
                    "seed-line",
                ]
            ),
            children,
            max_size=5,
        ),
    ),
    max_leaves=12,
)


@pytest.mark.parametrize("name", sorted(DATA_FILES))
def test_filter_with_arbitrary_data_raises_only_edition_error(name: str):
    @SETTINGS
    @given(value=YAML_VALUES, body=documents())
    def check(value, body):
        data = {DATA_FILES[name]: yaml.safe_dump(value, allow_unicode=True)}
        try:
            filtered(manuscript(body), name, data)
        except EditionError as problem:
            assert problem.diagnostics
            assert all(d.code and d.message and d.file for d in problem.diagnostics), problem.diagnostics

    check()

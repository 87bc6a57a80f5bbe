"""Tests of the typography filter (editio.filters.typography, rules in editio.typography) as the build runs it:
golden cases, idempotence, the language of each stretch of text, metadata, options, the pandoc-filter path and
properties of whole paragraphs (the rules on plain text are tests/test_typography_rules.py's).

Golden cases live in tests/cases/typography/<case>/: ``input.md`` (with ``config.yaml`` for keys added to
edition.yaml, and tests/cases/typography/references.bib as the bibliography) goes through the real load and the
``typography`` filter; ``expected.md`` is the filtered document written back by pandoc as ``markdown-smart``
(with the metadata keys the case sets) with U+00A0 shown as "⍽", U+202F as "⸱" and U+2011 as "⸗".
``pytest --update-goldens`` rewrites them: review the diff.
"""

from __future__ import annotations

import copy
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import assert_matches_golden, pandoc_with_filter, prepare, render
from hypothesis import given, settings
from hypothesis import strategies as st

from editio.ast import iter_nodes, stringify
from editio.errors import EditionError
from editio.filters import run
from editio.filters.typography import Options, Typography
from editio.i18n import catalogue
from editio.load.context import Context, Project
from editio.load.pandoc import write

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases" / "typography"
BIB = (CASES / "references.bib").read_text(encoding="utf-8")
SHOWN = {"\u00a0": "⍽", "\u202f": "⸱", "\u2011": "⸗"}
NBSP = "\u00a0"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "input.md").is_file())


def shown(text: str) -> str:
    for char, sign in SHOWN.items():
        text = text.replace(char, sign)
    return text


def typography_edition(markdown: str, config: dict | None = None):
    """``markdown`` through the load stage and the typography filter, with the cases' bibliography."""
    return prepare(
        markdown,
        {"filters": ["typography"], "bibliography": "references.bib", **(config or {})},
        {"manuscript/references.bib": BIB},
    )


def case_config(case: str) -> dict:
    path = CASES / case / "config.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}


def case_edition(case: str):
    return typography_edition((CASES / case / "input.md").read_text(encoding="utf-8"), case_config(case))


def as_markdown(doc: dict, meta_keys=()) -> str:
    """The document as pandoc Markdown without smart punctuation (the filter's characters as they are), with
    only the metadata keys given (the others hold build dates and revisions)."""
    doc = {**doc, "meta": {k: v for k, v in doc["meta"].items() if k in meta_keys}}
    return write(doc, "markdown-smart", ["--wrap=none", "--standalone"], what="markdown writer")


def paragraph(text: str, lang: str = "ru") -> str:
    """One paragraph typeset by the filter as the build runs it, as plain text."""
    return stringify(typography_edition(text + "\n", {"lang": lang}).doc["blocks"])


# --- golden cases ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASE_NAMES)
def test_golden(case):
    meta_keys = [k for k in case_config(case) if k != "allow-raw"]
    actual = shown(as_markdown(case_edition(case).doc, meta_keys))
    assert_matches_golden(actual, CASES / case / "expected.md")


@pytest.mark.parametrize("case", CASE_NAMES)
def test_idempotent_on_golden_input(case):
    edition = case_edition(case)
    ctx = edition.loaded.ctx
    (typography,) = edition.loaded.filters
    once = copy.deepcopy(edition.doc)
    twice = run(copy.deepcopy(once), [Typography(ctx, typography.options)], ctx)
    assert twice == once


def test_a_short_word_binds_across_an_empty_mark():
    """A page marker or an anchor between two words has no word of its own: «с» still binds to «правом»."""
    edition = typography_edition("контроль с []{.page n=145}правом вето и []{#x}создание\n")
    text = render(edition, "html")
    assert f'с{NBSP}<span id="page-145"' in text and f'и{NBSP}<span id="x">' in text, text


def test_no_break_spaces_reach_every_format():
    edition = typography_edition("Г. Лора – 1952 г.\n")
    assert "Г.~Лора~--- 1952~г." in render(edition, "typst")  # typst's --- is the em dash
    for fmt in ("html", "epub"):
        assert f"Г.{NBSP}Лора{NBSP}— 1952{NBSP}г." in render(edition, fmt)


# --- single rules through the filter, as the golden files might hide them ------------------------------


@pytest.mark.parametrize(
    "source, expected",
    [
        ("Г. Лора", "Г.⍽Лора"),
        ("Х.Лечин", "Х.⍽Лечин"),
        ("А. А. Щелчков", "А.⍽А.⍽Щелчков"),
        ("1952 г.", "1952⍽г."),
        ("№ 47", "№⍽47"),
        ("XX в.", "XX⍽в."),
        ("30-е гг.", "30⸗е⍽гг."),  # new: the hyphen of a number's ending does not break
        ("MNR – боливийским", "MNR⍽— боливийским"),
        ("1952-1964", "1952–1964"),
        ("2138 – 2140", "2138–2140"),
        ("P. 20-21", "P.⍽20–21"),
        ("буржуазно-демократической", "буржуазно-демократической"),
        ('"Вся власть COB!"', "«Вся власть COB!»"),
        ("«газета «Масас» вышла»", "«газета „Масас“ вышла»"),
        # the dialogue dash is now bound to its first word as well (it never ends a line)
        ("– Да, – сказал он.", "—⍽Да,⍽— сказал он."),
        # new in the per-language rules: short words bound to the next one
        ("в Боливии и на Кубе", "в⍽Боливии и⍽на⍽Кубе"),
        ("в 1960-х", "в⍽1960⸗х"),
        ("XIX-XX вв.", "XIX–XX⍽вв."),  # a range of Roman numerals binds like one
    ],
)
def test_rule(source, expected):
    assert shown(paragraph(source)) == expected


def test_letters_never_change():
    source = 'Х.Лечин – «Масас» "COB" 1952-1964 гг. № 47 XIX-XX вв. А.А.Щелчков'
    result = paragraph(source)
    assert re.sub(r"[^\w]", "", result) == re.sub(r"[^\w]", "", source)


# --- the language of each stretch of text ----------------------------------------------------------------


def test_language_of_spans_and_divs():
    markdown = (
        'Текст - "ру".\n\n[Text - "en" 1952-1964]{lang=en}\n\n::: {lang=de}\nText - "de".\n\n'
        '[текст - "ру"]{lang=ru}\n:::\n\n[Testo - "it"]{lang=it}\n'
    )
    paragraphs = [shown(stringify(p)) for p in iter_nodes(typography_edition(markdown).doc["blocks"], ("Para",))]
    assert paragraphs == [
        "Текст⍽— «ру».",
        "Text — “en” 1952–1964",
        "Text⍽– „de“.",
        "текст⍽— «ру»",
        "Testo - “it”",
    ]  # Italian has no table: left as written, its quotation still Quoted
    italian = list(iter_nodes(typography_edition(markdown).doc["blocks"], ("Para",)))[-1]
    assert [n["t"] for n in iter_nodes(italian)][:4] == ["Para", "Span", "Str", "Space"]
    assert "Quoted" in [n["t"] for n in iter_nodes(italian)]


def test_document_language_without_rules_leaves_the_text_alone():
    markdown = 'Testo - "tra virgolette" 1952-1964 a p. 12, [в "Боливии" - там]{lang=ru}.\n'
    untouched = prepare(markdown, {"lang": "it"}).doc["blocks"]
    typeset = typography_edition(markdown, {"lang": "it"}).doc["blocks"]
    assert typeset[0]["c"][:-2] == untouched[0]["c"][:-2]
    assert shown(stringify(typeset[0]["c"][-2:])) == "в⍽«Боливии»⍽— там."  # a Russian span keeps its rules


def test_notes_are_typeset_as_blocks_of_their_own():
    edition = typography_edition("Текст[^1] – дальше.\n\n[^1]: См. с. 5 – и «a «b»».\n")
    (note,) = iter_nodes(edition.doc["blocks"], ("Note",))
    assert shown(stringify(note["c"])) == "См. с.⍽5⍽— и⍽«a „b“»."


def test_definition_terms_are_typeset():
    edition = typography_edition('Термин - "t"\n:   Определение - "d".\n\n::: {lang=en}\nTerm - "t"\n:   Def.\n:::\n')
    terms = [
        shown(stringify(term)) for dl in iter_nodes(edition.doc["blocks"], ("DefinitionList",)) for term, _ in dl["c"]
    ]
    assert terms == ["Термин⍽— «t»", "Term — “t”"]


# --- metadata and options --------------------------------------------------------------------------------


def test_metadata_fields_by_default_and_abstract_en_in_english():
    edition = case_edition("metadata")
    meta = {k: shown(stringify(edition.doc["meta"][k])) for k in ("title", "subtitle", "keywords", "abstract-en")}
    assert meta == {
        "title": "Троцкизм в⍽Боливии 1952–1964⍽гг.⍽— «очерк»",
        "subtitle": "Ещё одна «часть»",
        "keywords": "не трогать - 1952-1964",  # not in `typography.metadata`
        "abstract-en": "An “abstract” — in English, 1952–1964.",
    }


def test_title_page_fields_are_typeset_by_default():
    edition = typography_edition(
        "Текст.\n",
        {
            "cite-as": "Статья // Альманах. 2025. С. 118-145. Автор не проверен",
            "original-statement": "Впервые: по тексту источника",
        },
    )
    meta = {k: shown(stringify(edition.doc["meta"][k])) for k in ("cite-as", "original-statement")}
    assert meta == {
        "cite-as": "Статья // Альманах. 2025. С.⍽118–145. Автор не⍽проверен",
        "original-statement": "Впервые: по⍽тексту источника",
    }


def test_metadata_option_chooses_the_fields():
    edition = typography_edition(
        "Текст.\n",
        {"title": 'Заглавие - "в"', "subtitle": 'Подзаголовок - "в"', "typography": {"metadata": ["subtitle"]}},
    )
    assert edition.doc["meta"]["title"]["c"][-1]["t"] == "Quoted"  # as pandoc read it: not typeset
    assert shown(stringify(edition.doc["meta"]["title"])) == "Заглавие - “в”"
    assert shown(stringify(edition.doc["meta"]["subtitle"])) == "Подзаголовок⍽— «в»"
    assert "typography" not in edition.doc["meta"]


@pytest.mark.parametrize(
    "options, message",
    [
        (["a", "b"], "`typography` must be a map of options"),
        # the quote marks and the dash are no longer options: they come from the language's table
        ({"quotes": "«» „“"}, "unknown option `typography.quotes`"),
        ({"dash": "–"}, "unknown option `typography.dash`"),
        ({"metadata": "title"}, "`typography.metadata` must be a list of"),
    ],
)
def test_bad_options_are_reported_at_their_line(options, message):
    with pytest.raises(EditionError) as caught:
        typography_edition("текст\n", {"typography": options})
    (d,) = caught.value.diagnostics
    assert d.code == "CFG012" and message in d.message
    assert d.file == "manuscript/edition.yaml" and d.line is not None and d.line > 1


# --- as a plain pandoc filter ----------------------------------------------------------------------------


def pandoc_filter(source: str, *args: str) -> subprocess.CompletedProcess:
    return pandoc_with_filter(
        "typography", "-f", "markdown", "-t", "markdown-smart", "--wrap=none", *args, input=source, cwd=CASES
    )


def test_runs_as_a_pandoc_filter():
    source = (CASES / "dashes" / "input.md").read_text(encoding="utf-8")
    result = pandoc_filter(source, "--metadata", "lang=ru")
    assert result.returncode == 0, result.stderr
    assert shown(result.stdout) == (CASES / "dashes" / "expected.md").read_text(encoding="utf-8")
    assert f"MNR){NBSP}— национал" in result.stdout


def test_bad_options_fail_the_pandoc_filter_without_traceback():
    result = pandoc_filter("---\ntypography: 3\n---\n\nтекст\n")
    assert result.returncode != 0
    assert "error CFG012" in result.stderr and "Traceback" not in result.stderr


# --- properties of whole paragraphs ----------------------------------------------------------------------

PROJECT = Project(ROOT, ROOT, ROOT / "edition.yaml")  # as the pandoc-filter adapter makes it
# Characters the filter may change: spaces, quote marks, apostrophes, hyphens and dashes.
CHANGEABLE = re.compile("[ \n\u00a0\u202f\"'«»„“”‚‘’\\-\u2011\u2013\u2014]")

# Typed “ and ” are left out: in German “ both closes „…“ and opens an English-style quotation, and a lone one
# inside a Quoted element is not yet a fixed point (test_german_lone_curly_quote_inside_quoted below).
WORDS = [
    "в",
    "и",
    "с",
    "на",
    "бы",
    "Г.",
    "Лора",
    "Х.Лечин",
    "1952",
    "г.",
    "гг.",
    "с.",
    "280",
    "№",
    "47",
    "XX",
    "в.",
    "26",
    "января",
    "1952-1964",
    "-",
    "–",
    "—",
    '"',
    "«",
    "»",
    "„",
    "'",
    "COB!",
    "MNR",
    "(",
    ")",
    "https://example.org/a-b",
    "l'été",
    "Lora",
]


def _text(words: list[str]) -> list[dict]:
    out: list[dict] = []
    for word in words:
        if out:
            out.append({"t": "Space"})
        out.append({"t": "Str", "c": word})
    return out


_runs = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(_text)
_inline = st.one_of(
    _runs,
    _runs.map(lambda c: [{"t": "Emph", "c": c}]),
    _runs.map(lambda c: [{"t": "Quoted", "c": [{"t": "DoubleQuote"}, c]}]),
    st.tuples(st.sampled_from(["en", "de", "fr", "es", "it", "ru-RU"]), _runs).map(
        lambda lc: [{"t": "Span", "c": [["", [], [["lang", lc[0]]]], lc[1]]}]
    ),
    _runs.map(lambda c: [{"t": "Note", "c": [{"t": "Para", "c": c}]}]),
    st.just([{"t": "Code", "c": [["", [], []], '1952 - 1964 "x"']}]),
)
paragraphs = st.lists(_inline, min_size=1, max_size=6).map(
    lambda parts: [node for i, part in enumerate(parts) for node in ([{"t": "Space"}] if i else []) + part]
)


def _filtered(inlines: list[dict], lang: str) -> dict:
    doc = {"pandoc-api-version": [1, 23, 1], "meta": {}, "blocks": [{"t": "Para", "c": copy.deepcopy(inlines)}]}
    ctx = Context(project=PROJECT, lang=lang, messages=catalogue(lang))
    return run(doc, [Typography(ctx, Options())], ctx)


def _shape(tree) -> list[str]:
    """The elements other than text, in order: what the filter must never add, drop or reorder."""
    return [
        n["t"]
        for n in iter_nodes(tree)
        if n["t"] not in ("Str", "Space", "SoftBreak", "Quoted", "DoubleQuote", "SingleQuote")
    ]


def _letters(tree) -> str:
    return CHANGEABLE.sub(
        "", "".join(n["c"] if n["t"] == "Str" else n["c"][1] if n["t"] == "Code" else "" for n in iter_nodes(tree))
    )


@settings(max_examples=200, deadline=None)
@given(paragraphs, st.sampled_from(["ru", "en", "de", "fr"]))
def test_property_text_kept_structure_kept_and_idempotent(inlines, lang):
    once = _filtered(inlines, lang)
    assert _letters(once["blocks"]) == _letters([{"t": "Para", "c": inlines}])
    assert _shape(once["blocks"]) == _shape([{"t": "Para", "c": inlines}])
    assert not list(iter_nodes(once["blocks"], ("Quoted",)))  # quotation marks are characters now
    assert _filtered(once["blocks"][0]["c"], lang) == once


@pytest.mark.xfail(
    strict=True,
    reason="known: the typed “ closes the Quoted element's „ early; the element's own "
    "end then prints a German “, which opens on the next run",
)
def test_german_lone_curly_quote_inside_quoted():
    once = _filtered([{"t": "Quoted", "c": [{"t": "DoubleQuote"}, [{"t": "Str", "c": "“"}]]}], "de")
    assert _filtered(once["blocks"][0]["c"], "de") == once

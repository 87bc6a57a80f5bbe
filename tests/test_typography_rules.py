"""Tests of src/editio/typography.py: goldens per language, each Russian rule of issue 11.7, pandoc-JSON inlines,
and properties (letters never change, a fixed point, other languages untouched by the Russian rules).

Goldens: tests/cases/typography_rules/<lang>/input.txt, one paragraph a line, typeset with that language's rules;
expected.txt shows U+00A0 as "⍽", U+202F as "⸱" and U+2011 as "⸗" so they can be reviewed. A missing golden fails;
EDITIO_SAVE_GOLDEN=1 writes it (review the diff).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from editio import typography as T
from editio.i18n import TypographyRules, _typography_rules, load_file
from editio.typography import NBSP, NNBSP, bind_space, typeset, typeset_inlines

CASES = Path(__file__).parent / "cases" / "typography_rules"
SHOWN = {NBSP: "⍽", NNBSP: "⸱", T.NB_HYPHEN: "⸗"}


def shown(text: str) -> str:
    for char, sign in SHOWN.items():
        text = text.replace(char, sign)
    return text


def typeset_lines(text: str, lang: str) -> str:
    return "\n".join(shown(typeset(line, lang)) if line else "" for line in text.splitlines()) + "\n"


@pytest.mark.parametrize("lang", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_golden(lang):
    case = CASES / lang
    actual = typeset_lines((case / "input.txt").read_text(encoding="utf-8"), lang)
    expected_path = case / "expected.txt"
    if os.environ.get("EDITIO_SAVE_GOLDEN") == "1":
        expected_path.write_text(actual, encoding="utf-8")
    assert expected_path.exists(), f"{expected_path} is missing (EDITIO_SAVE_GOLDEN=1 writes it; review it)"
    expected = expected_path.read_text(encoding="utf-8")
    diff = "\n".join(
        difflib.unified_diff(expected.splitlines(), actual.splitlines(), "expected", "actual", lineterm="")
    )
    assert actual == expected, f"{lang}: typeset text differs from {expected_path}:\n{diff}"


# --- the Russian rules of issue 11.7, one by one -------------------------------------------------------------


@pytest.mark.parametrize(
    "source, expected",
    [
        ("живёт в Боливии", "живёт в⍽Боливии"),
        ("и с тех пор", "и⍽с⍽тех пор"),
        ("А вот на Кубе", "А⍽вот на⍽Кубе"),
        ("(в скобках)", "(в⍽скобках)"),
        ("«и кавычки»", "«и⍽кавычки»"),
        ("не за что", "не⍽за⍽что"),
        ("из-за этого", "из-за этого"),  # a compound preposition is one word: nothing to bind
        ("пункт а, затем", "пункт а, затем"),  # a one-letter word before a comma binds nothing
        ("пришёл бы он", "пришёл⍽бы он"),
        ("он же, она ли", "он⍽же, она⍽ли"),
        ("дал; ли кто", "дал; ли кто"),  # after punctuation «ли» opens a clause: nothing before it binds
        ("- Реплика, - сказал он.", "—⍽Реплика,⍽— сказал он."),
        ("26 января 1952", "26⍽января 1952"),
        ("10–11 июня 1944", "10–11⍽июня 1944"),  # a range of days binds to its month like one day
        ("Рис. 1", "Рис.⍽1"),
        ("т. 3, с. 280", "т.⍽3, с.⍽280"),
        ("№ 47 и №48", "№⍽47 и⍽№⍽48"),
        ("в 1952 г.", "в⍽1952⍽г."),
        ("ХХ в.", "ХХ⍽в."),
        ("Арамайо К. В.", "Арамайо⍽К.⍽В."),
        ("К. В. Арамайо", "К.⍽В.⍽Арамайо"),
        ("Х.Лечин", "Х.⍽Лечин"),
        ("IV Интернационал", "IV⍽Интернационал"),
        ("в 1960-х", "в⍽1960⸗х"),
        ("т. е. так", "т.⍽е. так"),
        ("2 329 голосов", "2⍽329 голосов"),
        ("слово - слово", "слово⍽— слово"),
        ("1952-1964", "1952–1964"),
        ("ISBN 978-5-02-0", "ISBN 978-5-02-0"),
    ],
)
def test_russian_rule(source, expected):
    assert shown(typeset(source, "ru")) == expected


@pytest.mark.parametrize(
    "left, right, bound",
    [
        ("в", "Боливии", True),
        ("В", "Боливии", True),
        ("(в", "скобках)", True),
        ("в,", "Боливии", False),
        ("Боливии", "в", False),
        ("слово", "бы", True),
        ("слово", "«бы»", False),
        ("с.", "280", True),
        ("с.", "Боливии", False),
        ("1952", "г.,", True),
        ("1952", "года", False),
        ("9", "апреля", True),
        ("99", "апреля", False),
        ("Лора", "Г.", True),
        ("POR", "Г.", False),
        ("Г.", "Лора", True),
        ("IV", "Интернационал", True),
        ("IIII", "Интернационал", False),
        ("12", "345", True),
        ("1234", "567", False),
        ("в\u00a01952", "г.", True),
        ("в\u00a01952\u00a0г.", "в", False),
        ("слово", "бы\u00a0он", True),
    ],
)
def test_bind_space(left, right, bound):
    assert bind_space("ru", left, right) is bound


# --- quotes and apostrophes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, source, expected",
    [
        ("ru", '"внешние "внутренние" снова"', "«внешние „внутренние“ снова»"),
        ("en", '"outer "inner "third" x" y"', "“outer ‘inner “third” x’ y”"),
        ("de", '"außen "innen" außen"', "„außen ‚innen‘ außen“"),
        ("fr", '"dehors "dedans" dehors"', "«⸱dehors “dedans” dehors⸱»"),
        ("es", '"uno "dos "tres" dos" uno"', "«uno “dos ‘tres’ dos” uno»"),
    ],
)
def test_nested_quotes_per_language(lang, source, expected):
    assert shown(typeset(source, lang)) == expected


@pytest.mark.parametrize("lang", ["ru", "en", "de", "es", "fr"])
@pytest.mark.parametrize(
    "source, expected",
    [
        ("1's", "1’s"),
        ("rock 'n' roll", "rock ’n’ roll"),
        ("l'été", "l’été"),
        ("the '90s", "the ’90s"),
        ("O'Brien", "O’Brien"),
    ],
)
def test_apostrophes_never_become_primes(lang, source, expected):
    result = typeset(source, lang)
    assert "\u2032" not in result and result == expected


@pytest.mark.parametrize(
    "lang, source, expected",
    [
        ("de", "\"a 'b 'c' b' a\"", "„a ‚b „c“ b‘ a“"),  # hypothesis found «„ „ 'y'» not a fixed point
        ("de", "„ „ 'y'", "„ ‚ „y“"),
    ],
)
def test_single_quote_inside_the_single_pair_takes_the_pair_of_its_depth(lang, source, expected):
    once = typeset(source, lang)
    assert once == expected
    assert typeset(once, lang) == once


def test_french_spaces_before_high_punctuation_and_inside_guillemets():
    assert shown(typeset("Quoi ? Oui; non! Voici: «mot»", "fr")) == "Quoi⸱? Oui⸱; non⸱! Voici⍽: «⸱mot⸱»"
    assert typeset("à 10:30 et 2:1", "fr") == "à 10:30 et 2:1"


def test_language_without_rules_is_left_as_written():
    text = '"Ciao" - disse - nel 1952-1964 a p. 12'
    assert typeset(text, "it") == text
    assert typeset(text, None) == text


def test_regional_tags_use_the_language_rules():
    assert typeset("в Боливии", "ru-RU") == "в\u00a0Боливии"
    assert T.rules_for("ru-RU") is T.rules_for("ru") is T.rules_for("RU")


# --- the rules are data -----------------------------------------------------------------------------------------

ENGINE = [Path(T.__file__), Path(T.__file__).parent / "filters" / "typography.py"]


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: p.name if p.parent.name == "editio" else "filters/" + p.name)
def test_the_engine_knows_no_language(path):
    """Every word, letter and sign a language's rules name is in its catalogue: the engine's source has no
    letter outside ASCII (no Cyrillic, no accented Latin), so no word list of any language fits in it."""
    source = path.read_text(encoding="utf-8")
    letters = sorted({c for c in source if ord(c) > 127 and unicodedata.category(c).startswith("L")})
    assert letters == [], f"{path.name} has letters of some language: {''.join(letters)}"
    assert not re.search(r"\bRULES\b|_RU_", source)


@pytest.mark.parametrize("lang", ["ru", "en", "de", "es", "fr"])
def test_rules_are_the_catalogue_typography(lang):
    rules, data = T.rules_for(lang), load_file(lang).typography
    assert rules.language == lang
    assert all(getattr(rules, f.name) == getattr(data, f.name) for f in dataclasses.fields(TypographyRules))


def test_a_language_without_a_typography_section_is_left_as_written(monkeypatch):
    monkeypatch.setattr(T, "typography_rules", lambda language: None)
    assert T._rules.__wrapped__("ru") is None
    assert T.rules_for("xx") is None  # and one without a catalogue


def test_an_invented_language_is_typeset_by_its_data_alone():
    data = _typography_rules(
        "xx",
        {
            "quotes": ["‚ ‘", "« »"],
            "single": "« »",
            "opening": "‚«",
            "closing": "‘»",
            "dash": "~",
            "nbsp-before-dash": True,
            "bind-after": "zo",
            "bind-before": "qa",
            "before-number": "pg.",
            "months": "moon",
            "day-suffixes": "th",
            "initials": "QZ",
            "roman-numerals": True,
            "roman-lookalikes": {"j": "I"},
            "nbsp-after-sign": "#",
            "elisions": "zz",
        },
    )
    rules = T.LanguageRules.from_data("xx", data)
    assert shown(typeset('"zo "tu" ta" - zo word', rules)) == "‚zo⍽«tu» ta‘⍽~ zo⍽word"
    assert (
        shown(typeset("word qa, pg. 12, 3th moon, Q. Z. Name, jjj walk, #4", rules))
        == "word⍽qa, pg.⍽12, 3th⍽moon, Q.⍽Z.⍽Name, jjj⍽walk, #⍽4"
    )
    assert typeset("a 'zz b", rules) == "a ’zz b"
    assert typeset("a 'zo' b", rules) == "a «zo» b"


# --- pandoc-JSON inlines --------------------------------------------------------------------------------------


def words(text: str) -> list[dict]:
    out = []
    for piece in re.split(r"( )", text):
        if piece == " ":
            out.append({"t": "Space"})
        elif piece:
            out.append({"t": "Str", "c": piece})
    return out


def test_inlines_quoted_elements_become_the_language_marks():
    quoted = {
        "t": "Quoted",
        "c": [
            {"t": "DoubleQuote"},
            words("внешние ") + [{"t": "Quoted", "c": [{"t": "DoubleQuote"}, words("внутренние")]}],
        ],
    }
    out = typeset_inlines(words("Он сказал ") + [quoted], "ru")
    assert out == words("Он сказал «внешние „внутренние“»")


def test_inlines_bind_across_emphasis_and_keep_code_and_urls():
    inlines = (
        words("в ")
        + [{"t": "Emph", "c": words("Боливии")}]
        + words(" см. https://example.org/a-b и ")
        + [{"t": "Code", "c": [["", [], []], "a - b"]}]
    )
    out = typeset_inlines(inlines, "ru")
    assert out[0] == {"t": "Str", "c": "в\u00a0"}
    assert {"t": "Str", "c": "https://example.org/a-b"} in out
    assert out[-1] == {"t": "Code", "c": [["", [], []], "a - b"]}
    assert {"t": "Str", "c": "и\u00a0"} in out  # bound to the code that follows


def test_inlines_span_in_another_language_gets_its_own_rules():
    span = {"t": "Span", "c": [["", [], [["lang", "en"]]], words('"a" - c')]}
    out = typeset_inlines(words('"цитата" и ') + [span], "ru")
    assert out[0] == {"t": "Str", "c": "«цитата»"}
    assert "".join(n.get("c", " ") for n in out[-1]["c"][1]) == "“a” — c"


def test_inlines_note_content_is_left_to_the_block_walk():
    note = {"t": "Note", "c": [{"t": "Para", "c": words("в Боливии")}]}
    out = typeset_inlines(words("текст") + [note], "ru")
    assert out[-1] == note


def test_inlines_input_is_not_changed():
    inlines = words("в Боливии")
    typeset_inlines(inlines, "ru")
    assert inlines == words("в Боливии")


# --- properties -----------------------------------------------------------------------------------------------

TOKENS = [
    "в",
    "и",
    "с",
    "К.",
    "В.",
    "Арамайо",
    "Боливии",
    "бы",
    "же",
    "1952",
    "г.",
    "с.",
    "280",
    "26",
    "января",
    "IV",
    "Интернационал",
    "1960-х",
    "-",
    "–",
    "—",
    '"',
    "'",
    "«",
    "»",
    "„",
    "“",
    "”",
    "‘",
    "’",
    "(",
    ")",
    "word",
    "l'été",
    "1's",
    "p.",
    "12-14",
    "?",
    ";",
    ":",
    "!",
    "z.",
    "B.",
    "S.",
    "Nr.",
    "2",
    "329",
    "№",
    "«a»",
    '"x"',
    "'y'",
    "Х.Лечин",
    "т.",
    "е.",
    "10:30",
]
LANGS = ["ru", "en", "de", "es", "fr"]
# Characters a rule may change: spaces, quote marks, apostrophes, hyphens and dashes.
CHANGEABLE = re.compile("[ \n\u00a0\u202f\"'«»„“”‚‘’\\-\u2011\u2013\u2014]")

texts = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=14).map(" ".join) | st.text(
    alphabet="ав ис.К-—\"'«»„“1952г:;?!x\n", max_size=40
)


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from(LANGS))
def test_letters_digits_and_other_punctuation_never_change(text, lang):
    assert CHANGEABLE.sub("", typeset(text, lang)) == CHANGEABLE.sub("", text)


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from(LANGS))
def test_typesetting_is_a_fixed_point(text, lang):
    once = typeset(text, lang)
    assert typeset(once, lang) == once


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "в",
                "и",
                "с",
                "к",
                "о",
                "у",
                "а",
                "на",
                "по",
                "не",
                "бы",
                "же",
                "ли",
                "Боливии",
                "января",
                "слово",
                "К.",
                "В.",
                ",",
                ".",
            ]
        ),
        min_size=1,
        max_size=12,
    ).map(" ".join),
    st.sampled_from(["en", "de", "es", "it"]),
)
def test_russian_rules_never_apply_to_other_languages(text, lang):
    assert typeset(text, lang) == text

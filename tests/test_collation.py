"""Tests of alphabetical order (editio.collation) per language, with real words: the rules come from the
catalogues' ``collation:`` sections; the glossary and the index of names sort and group by the document's language."""

from __future__ import annotations

import pytest
from helpers import prepare

from editio.ast import get, has_class, iter_nodes, stringify
from editio.collation import Collation, collation, drop_leading_punctuation
from editio.glossary import Entry, sort_key
from editio.i18n import CollationRules, available_languages, load_file


def ordered(lang: str, words: list[str]) -> list[str]:
    # reversed input: an order that merely kept the input would fail
    return sorted(reversed(words), key=collation(lang).key)


def groups(lang: str, words: list[str]) -> list[str]:
    return [collation(lang).group(word) for word in words]


# --- Russian ---------------------------------------------------------------------------------------------


def test_russian_yo_sorts_with_ye_and_after_it_on_a_tie():
    assert ordered("ru", ["елка", "ёлка", "Елкин", "Ёлкин", "ель", "Еремеев", "ёрш", "есть", "ёж", "жена"]) == [
        "ёж",
        "елка",
        "ёлка",
        "Елкин",
        "Ёлкин",
        "ель",
        "Еремеев",
        "ёрш",
        "есть",
        "жена",
    ]
    assert groups("ru", ["Ёлкин", "ёж", "Еремеев", "Эскобар"]) == ["Е", "Е", "Е", "Э"]


def test_russian_short_i_and_hard_sign_are_letters_of_their_own():
    # й is и with a breve to Unicode (NFD) but a letter of its own; ъ/ы/ь sort in the alphabet's order
    assert ordered("ru", ["йод", "иной", "Ильин", "ион", "съезд", "сыр", "сэр", "сын"]) == [
        "Ильин",
        "иной",
        "ион",
        "йод",
        "съезд",
        "сын",
        "сыр",
        "сэр",
    ]
    assert groups("ru", ["йод", "иной"]) == ["Й", "И"]


def test_russian_cyrillic_words_before_latin_ones_and_latin_accents_ignored():
    assert ordered("ru", ["MNR", "энтризм", "Catavi", "Ábaco", "айлью", "Zamora", "Agirre", "Яковлев"]) == [
        "айлью",
        "энтризм",
        "Яковлев",
        "Ábaco",
        "Agirre",
        "Catavi",
        "MNR",
        "Zamora",
    ]
    assert groups("ru", ["Ábaco", "Élan"]) == ["A", "E"]


def test_russian_case_is_ignored_and_breaks_only_ties():
    assert ordered("ru", ["Бланко", "агирре", "Агирре", "бланк"]) == ["Агирре", "агирре", "бланк", "Бланко"]


# --- German (DIN 5007-1) ---------------------------------------------------------------------------------


def test_german_umlauts_are_their_vowels_and_sharp_s_is_ss():
    assert ordered("de", ["Müller", "Muller", "Mueller", "Mull", "Mütze", "Mutter"]) == [
        "Mueller",
        "Mull",
        "Muller",
        "Müller",
        "Mutter",
        "Mütze",
    ]
    assert ordered("de", ["Masse", "Maße", "Maßstab", "Mast", "Masuren"]) == [
        "Masse",
        "Maße",
        "Maßstab",
        "Mast",
        "Masuren",
    ]
    assert ordered("de", ["Äpfel", "Apfel", "Ähre", "Affe", "Öl", "Ober", "Ofen", "Zucker"]) == [
        "Affe",
        "Ähre",
        "Apfel",
        "Äpfel",
        "Ober",
        "Ofen",
        "Öl",
        "Zucker",
    ]
    assert groups("de", ["Äpfel", "Öl", "Überfall", "Zucker"]) == ["A", "O", "U", "Z"]


# --- Spanish ----------------------------------------------------------------------------------------------


def test_spanish_enye_is_a_letter_after_n_and_accents_are_ignored():
    assert ordered(
        "es", ["ñandú", "nube", "oso", "Núñez", "Nunez", "nupcial", "Ñuflo", "Ángel", "ángulo", "anguila", "zorro"]
    ) == ["Ángel", "anguila", "ángulo", "nube", "Nunez", "Núñez", "nupcial", "ñandú", "Ñuflo", "oso", "zorro"]
    assert groups("es", ["Ñuflo", "Núñez", "Ángel", "Úrsula"]) == ["Ñ", "N", "A", "U"]


def test_spanish_digraphs_are_no_longer_letters():
    # since the 1994 reform «ch» and «ll» sort as c+h and l+l
    assert ordered("es", ["chocolate", "cuna", "cebolla", "llama", "luz", "lima"]) == [
        "cebolla",
        "chocolate",
        "cuna",
        "lima",
        "llama",
        "luz",
    ]


# --- French and English ------------------------------------------------------------------------------------


def test_french_accents_break_ties_only_in_reading_order():
    assert ordered("fr", ["côté", "côte", "coté", "cote", "cotte"]) == ["cote", "coté", "côte", "côté", "cotte"]
    assert ordered("fr", ["élève", "élevé", "elevage", "Émile", "être", "étude", "zèbre"]) == [
        "elevage",
        "élevé",
        "élève",
        "Émile",
        "être",
        "étude",
        "zèbre",
    ]
    assert groups("fr", ["Émile", "Ça", "Œuvre"]) == ["E", "C", "O"]


def test_french_ligatures_sort_as_two_letters():
    assert ordered("fr", ["cœur", "coeur", "cofondateur", "code", "Œdipe", "odeur"]) == [
        "code",
        "coeur",
        "cœur",
        "cofondateur",
        "odeur",
        "Œdipe",
    ]


def test_english_case_and_accents_ignored_then_the_exact_text():
    assert ordered("en", ["resume", "résumé", "Resume", "rest", "Rescue", "apple", "Banana", "cherry"]) == [
        "apple",
        "Banana",
        "cherry",
        "Rescue",
        "rest",
        "Resume",
        "resume",
        "résumé",
    ]


def test_english_latin_first_then_other_scripts():
    assert ordered("en", ["Москва", "Zulu", "Athens", "Αθήνα", "zebra"]) == [
        "Athens",
        "zebra",
        "Zulu",
        "Αθήνα",
        "Москва",
    ]
    assert groups("en", ["Москва", "Αθήνα", "école"]) == ["\u041c", "\u0391", "E"]  # Cyrillic Em, Greek Alpha


# --- rules every language shares ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, words",
    [
        ("en", ["New-Haven", "New York", "Newark", "Newcastle"]),
        ("ru", ["Лоры Мольера", "Лоры-Мольера", "Лорымольера", "Лорье"]),
        ("de", ["Bad Ems", "Bad-Godesberg", "Baden", "Badewanne"]),
    ],
)
def test_word_by_word_a_space_or_dash_before_any_letter(lang, words):
    assert ordered(lang, words) == words


@pytest.mark.parametrize("lang", ["ru", "en", "de", "es", "fr"])
def test_leading_punctuation_is_ignored(lang):
    rules = collation(lang)
    assert rules.key("«Искра»") == rules.key("Искра»")
    assert rules.key('"Avanti!"')[0] == rules.key("Avanti")[0]
    assert rules.key("(Che) Guevara")[0] == rules.key("Che Guevara")[0]
    assert rules.group("«Masas»") == "M" and rules.group("„Über“") == "U"
    assert ordered(lang, ["«Masas»", "Lucha", "„Nueva“"]) == ["Lucha", "«Masas»", "„Nueva“"]


def test_digits_before_letters_and_punctuation_inside_ignored():
    assert ordered("en", ["POR (T)", "POR", "POR-LO", "1952 Revolution", "Pulacayo"]) == [
        "1952 Revolution",
        "POR",
        "POR-LO",
        "POR (T)",
        "Pulacayo",
    ]
    assert drop_leading_punctuation("«…»") == ""
    assert collation("en").key("«…»") == ((), (), "") and collation("en").group("«…»") == ""


def test_region_tags_use_their_language_and_others_fall_back_to_english():
    assert collation("de-AT") is collation("de") and collation("es-BO").language == "es"
    assert collation("pt").language == "en"  # no Portuguese catalogue


# --- the glossary's own rules ------------------------------------------------------------------------------


def glossary_order(lang: str, *terms: str | tuple[str, str]) -> list[str]:
    entries = [
        Entry(f"e{n}", t, "d", forms=(t,))
        if isinstance(t, str)
        else Entry(f"e{n}", t[0], "d", forms=(t[0],), sort_as=t[1])
        for n, t in enumerate(terms)
    ]
    return [e.term for e in sorted(reversed(entries), key=lambda entry: sort_key(entry, collation(lang)))]


def test_glossary_roman_numeral_prefix_moves_to_the_end():
    assert glossary_order("ru", "IV Интернационал", "Интернационалист", "Интернационал", "Искра", "MNR") == [
        "Интернационал",
        "IV Интернационал",
        "Интернационалист",
        "Искра",
        "MNR",
    ]
    assert glossary_order("en", "IV International", "International", "Internationalism", "Iskra", "Ivan") == [
        "International",
        "IV International",
        "Internationalism",
        "Iskra",
        "Ivan",
    ]


def test_glossary_sort_as_replaces_the_term_and_ties_fall_to_the_id():
    assert glossary_order("de", ("The Times", "Times"), "Tageblatt", "Zeit", "Tünnes") == [
        "Tageblatt",
        "The Times",
        "Tünnes",
        "Zeit",
    ]
    same = [Entry("b", "Masas", "d", forms=("Masas",)), Entry("a", "Masas", "d", forms=("Masas",))]
    assert [e.id for e in sorted(same, key=lambda e: sort_key(e, collation("es")))] == ["a", "b"]


# --- the data ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", available_languages())
def test_every_catalogue_has_valid_collation_rules(language):
    rules = load_file(language).collation
    assert rules.scripts and all(script.isalpha() for script in rules.scripts)
    Collation(language, rules)  # raises ValueError on a malformed alphabet or fold


@pytest.mark.parametrize(
    "rules, problem",
    [
        (CollationRules(("Latin",), ("a", "b", "a")), "'a' must be a lower-case letter listed once"),
        (CollationRules(("Latin",), ("a", "B")), "'B' must be a lower-case letter"),
        (CollationRules(("Latin",), (), {"ß": "s1"}), "must map a letter to letters"),
    ],
)
def test_malformed_rules_are_refused(rules, problem):
    with pytest.raises(ValueError, match=problem):
        Collation("xx", rules)


# --- through the filters -------------------------------------------------------------------------------------

PERSONS = """persons:
  - {id: oehler, heading: Öhler H., forms: [Öhler]}
  - {id: ott, heading: Ott K., forms: [Ott]}
  - {id: ohm, heading: Ohm G., forms: [Ohm], born: 1789, died: 1854, dates-source: NDB}
  - {id: nuflo, heading: Ñuflo R., forms: [Ñuflo]}
  - {id: nagel, heading: Nagel E., forms: [Nagel], born: 1901, dates-source: NDB}
"""


def index_groups(lang: str) -> list[tuple[str, list[str]]]:
    edition = prepare(
        "Öhler, Ott, Ohm, Ñuflo und Nagel.\n\n# Index\n\n::: name-index\n:::\n",
        {"filters": ["name_index"], "lang": lang},
        {"manuscript/persons.yaml": PERSONS},
    )
    index = next(n for n in iter_nodes(edition.doc["blocks"], ("Div",)) if has_class(n, "name-index"))
    return [
        (get(g, "letter"), [stringify(b).split("\u00a0—")[0].replace("\u00a0", " ") for b in g["c"][1]])
        for g in index["c"][1]
        if has_class(g, "name-index-group")
    ]


def test_name_index_sorts_groups_and_dates_in_the_documents_language():
    # German: Ñ is N with a tilde (Nagel, Ñuflo under N); Spanish: Ñ is a letter of its own after N
    assert index_groups("de") == [
        ("N", ["Nagel E. (geb. 1901)", "Ñuflo R."]),
        ("O", ["Öhler H.", "Ohm G. (1789–1854)", "Ott K."]),
    ]
    assert index_groups("es") == [
        ("N", ["Nagel E. (n. 1901)"]),
        ("Ñ", ["Ñuflo R."]),
        ("O", ["Öhler H.", "Ohm G. (1789-1854)", "Ott K."]),
    ]


def test_glossary_filter_sorts_in_the_documents_language():
    data = (
        "entries:\n"
        "  - {id: n, term: nube, definition: d, forms: [nube]}\n"
        "  - {id: enye, term: ñandú, definition: d, forms: [ñandú]}\n"
        "  - {id: o, term: oso, definition: d, forms: [oso]}\n"
    )
    orders = {}
    for lang in ("es", "en"):
        edition = prepare(
            "nube, ñandú, oso.\n\n# Glosario\n\n::: glossary\n:::\n",
            {"filters": ["glossary"], "lang": lang},
            {"manuscript/glossary.yaml": data},
        )
        orders[lang] = [
            get(n, "entry") for n in iter_nodes(edition.doc["blocks"], ("Div",)) if has_class(n, "gls-entry")
        ]
    assert orders == {"es": ["n", "enye", "o"], "en": ["enye", "n", "o"]}

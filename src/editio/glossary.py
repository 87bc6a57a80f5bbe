"""The glossary: data model, validation of `glossary.yaml`, matching of terms in text, sort order.

Pure code (no pandoc, no panflute): the glossary filter walks the document and uses this module to find
where terms occur; `writers/epub_glossary.py` uses the entries for the EPUB search key map.

The data file (`glossary.yaml`) is a mapping with ``entries``, a list of mappings:

``id`` (required)
    Lower-case ASCII letters, digits and hyphens; the anchor is ``gls-<id>``.
``term`` (required), ``definition`` (required)
    The headword and the editors' definition (plain text).
``expansion``, ``original``, ``original-lang``, ``category``, ``sources``
    Optional: what an abbreviation stands for (in the document's language), the original-language form
    (printed in italics with ``original-lang`` as its language when given), a free category, where the
    definition comes from (printed nowhere; kept for the editors).
``forms``
    Exact surface forms: case-sensitive, whole words; a space in a form matches any space in the text
    (a plain space, a line break or a non-breaking space).
``stems``
    Stems of inflected words: the stem followed by 0–4 lower-case letters of the stem's own script makes a
    whole word («паблист» matches «паблисты», «паблистов»). Case-sensitive like forms.
``occurs``
    ``false`` declares that the term is not expected to occur in the text (it is defined for the reader
    only). A term that never occurs is a warning either way; the warning says whether it was declared.
``sort-as``
    Optional sort key replacing the term for ordering (see :func:`sort_key`).

Whole word: the character before a match is not a letter or digit, nor a hyphen joined to a word before
it («Лоры-Мольера»); likewise after. So «POR» does not match inside «POR-LO» or «PORы».
Overlaps: at one position the longest match wins, and matches never overlap (leftmost first).

Validation codes: GLS001 malformed data, GLS002 duplicate id, GLS003 one form or stem claimed by two
entries (all errors, with the line in glossary.yaml); GLS004–GLS008 are reported by the filter.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .collation import Collation, drop_leading_punctuation
from .errors import DiagnosticLog
from .textsearch import trie_pattern
from .yamlfile import line_of, load_yaml

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KNOWN_KEYS = {
    "id",
    "term",
    "expansion",
    "original",
    "original-lang",
    "category",
    "forms",
    "stems",
    "definition",
    "sources",
    "occurs",
    "sort-as",
}
STEM_ENDING_LETTERS = 4
# Spaces of any kind as the filter presents them (SoftBreak, Space and U+00A0 all become " ").
SPACE_CLASS = "[ \u00a0]"
_LEFT = r"(?<!\w)(?<!\w-)"
_RIGHT = r"(?!\w)(?!-\w)"
_WORD = re.compile(r"\w+")
_STEM = re.compile(r"[^\W\d_](?:[^\W\d_]|[- ])*")


@dataclass(frozen=True)
class Entry:
    id: str
    term: str
    definition: str
    expansion: str | None = None
    original: str | None = None
    original_lang: str | None = None
    category: str | None = None
    forms: tuple[str, ...] = ()
    stems: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    occurs: bool = True
    sort_as: str | None = None
    line: int | None = None

    @property
    def anchor(self) -> str:
        return f"gls-{self.id}"


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entry: Entry


@dataclass
class Glossary:
    """The validated entries and a matcher built from their forms and stems."""

    entries: list[Entry]
    file: str = "glossary.yaml"
    _patterns: list[tuple[re.Pattern, Entry]] = field(default_factory=list, repr=False)
    # Where a pattern can start: at a word of the text equal to its first word (forms, stems of several
    # words), or at a word beginning with the stem (one-word stems); the rest is tried everywhere.
    _by_word: dict[str, list[tuple[int, re.Pattern, Entry]]] = field(default_factory=dict, repr=False)
    _by_prefix: dict[int, dict[str, list[tuple[re.Pattern, Entry]]]] = field(default_factory=dict, repr=False)
    _anywhere: list[tuple[re.Pattern, Entry]] = field(default_factory=list, repr=False)
    _heads: frozenset[str] = frozenset()  # the first letters of one-word stems: a quick gate for each word
    _head: int = 0

    def __post_init__(self):
        for entry in self.entries:
            for form in entry.forms:
                self._index(form, form_pattern(form), entry, stem=False)
            for stem in entry.stems:
                self._index(stem, stem_pattern(stem), entry, stem=True)
        self._head = min([2, *self._by_prefix])
        self._heads = frozenset(s[: self._head] for stems in self._by_prefix.values() for s in stems)
        self._by_prefix = dict(sorted(self._by_prefix.items()))
        # The words a match can start with, found by one regex (whole first words, or stems as prefixes).
        starts = [
            rf"(?:{trie_pattern(self._by_word)})(?!\w)" if self._by_word else "",
            trie_pattern(s for stems in self._by_prefix.values() for s in stems),
        ]
        self._starts = re.compile(r"(?<!\w)(?:" + "|".join(p for p in starts if p) + ")") if any(starts) else None

    def _index(self, text: str, pattern: re.Pattern, entry: Entry, stem: bool) -> None:
        self._patterns.append((pattern, entry))
        first = _WORD.search(text)
        if first is None:
            self._anywhere.append((pattern, entry))
        elif stem and first.group() == text:
            self._by_prefix.setdefault(len(text), {}).setdefault(text, []).append((pattern, entry))
        else:
            self._by_word.setdefault(first.group(), []).append((first.start(), pattern, entry))

    @property
    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}

    def find(self, text: str) -> list[Match]:
        """Non-overlapping matches in ``text``: leftmost first, the longest at one position.

        Every match starts at a word of the text (the whole-word rule), so only the patterns indexed under
        that word are tried there: linear in the words of the text, not in the number of forms."""
        candidates = []
        by_word, by_prefix = self._by_word, self._by_prefix
        for begin in self._starts.finditer(text) if self._starts is not None else ():
            start = begin.start()
            token = _WORD.match(text, start).group()
            for offset, pattern, entry in by_word.get(token, ()):
                m = pattern.match(text, start - offset) if start >= offset else None
                if m:
                    candidates.append(Match(m.start(), m.end(), entry))
            if token[: self._head] not in self._heads:
                continue
            for length, stems in by_prefix.items():
                if length <= len(token) <= length + STEM_ENDING_LETTERS:
                    for pattern, entry in stems.get(token[:length], ()):
                        m = pattern.match(text, start)
                        if m:
                            candidates.append(Match(m.start(), m.end(), entry))
        for pattern, entry in self._anywhere:
            for m in pattern.finditer(text):
                candidates.append(Match(m.start(), m.end(), entry))
        candidates.sort(key=lambda m: (m.start, -(m.end - m.start), m.entry.id))
        chosen: list[Match] = []
        end = -1
        for match in candidates:
            if match.start >= end:
                chosen.append(match)
                end = match.end
        return chosen

    def entry_for_text(self, text: str) -> Entry | None:
        """The entry one whole text matches exactly (for `[…]{.gls}` without a key)."""
        text = " ".join(text.replace("\u00a0", " ").split())
        for match in self.find(text):
            if match.start == 0 and match.end == len(text):
                return match.entry
        return None

    def sorted(self, collation: Collation) -> list[Entry]:
        """The entries in the glossary's order for a language (:func:`sort_key`)."""
        return sorted(self.entries, key=lambda entry: sort_key(entry, collation))


def form_pattern(form: str) -> re.Pattern:
    words = [re.escape(w) for w in form.split()]
    return re.compile(_LEFT + (SPACE_CLASS + "+").join(words) + _RIGHT)


def stem_pattern(stem: str) -> re.Pattern:
    words = [re.escape(w) for w in stem.split()]
    ending = f"[{_lower_letters(_script(stem))}]{{0,{STEM_ENDING_LETTERS}}}"
    return re.compile(_LEFT + (SPACE_CLASS + "+").join(words) + ending + _RIGHT)


def _script(word: str) -> str:
    """The script of the word's last letter as Unicode names it (CYRILLIC, LATIN, GREEK …)."""
    letter = next((c for c in reversed(word) if c.isalpha()), "a")
    return unicodedata.name(letter, "LATIN").split()[0]


@functools.cache
def _lower_letters(script: str) -> str:
    """Every lower-case letter of a script (Basic Multilingual Plane), escaped for a character class."""
    letters = (chr(code) for code in range(0x41, 0x3000))
    return "".join(re.escape(c) for c in letters if c.islower() and unicodedata.name(c, "").startswith(script + " "))


# ----------------------------------------------------------------------------------------------- sort order
_ROMAN_PREFIX = re.compile(r"^(?=[IVXLC])M*(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})\s+(?=\w)")


def sort_key(entry: Entry, collation: Collation) -> tuple:
    """The entry's place in the glossary: the language's alphabetical order (:mod:`editio.collation`) of its term.

    The glossary's own rules come first: (1) ``sort-as`` replaces the term when given; (2) leading punctuation
    («, ", () is ignored; (3) a leading Roman numeral is moved to the end («IV Internationale» sorts as
    «Internationale IV»). Ties in the collation are broken by the id.
    """
    text = drop_leading_punctuation(entry.sort_as or entry.term)
    roman = _ROMAN_PREFIX.match(text)
    if roman:
        text = text[roman.end() :] + " " + roman.group(0).strip()
    return collation.key(text), entry.id


# -------------------------------------------------------------------------------------------- loading data
def load_glossary(path: Path, display: str, log: DiagnosticLog) -> Glossary:
    """Read and validate a glossary file; problems go to ``log`` (the caller raises)."""
    data = load_yaml(path, display)
    return parse_glossary(data, display, log)


def _entry_problems(raw: dict, entry_id: str | None) -> tuple[list[str], dict[str, tuple[str, ...]]]:
    """What is wrong with one entry's fields, and its lists (forms, stems, sources) as far as they are usable."""
    problems = []
    for key in ("id", "term", "definition"):
        if not isinstance(raw.get(key), str) or not raw.get(key).strip():
            problems.append(f"`{key}` is required and must be a non-empty string")
    unknown = sorted(set(raw) - KNOWN_KEYS)
    if unknown:
        problems.append(f"unknown key(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(KNOWN_KEYS))}")
    if entry_id is not None and not ID_PATTERN.match(entry_id):
        problems.append(f"id {entry_id!r} must be lower-case ASCII letters, digits and single hyphens")
    lists = {}
    for key in ("forms", "stems", "sources"):
        value = raw.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            problems.append(f"`{key}` must be a list of non-empty strings")
            value = []
        lists[key] = tuple(v.strip() for v in value)
    for key in ("expansion", "original", "original-lang", "category", "sort-as"):
        if raw.get(key) is not None and not isinstance(raw.get(key), str):
            problems.append(f"`{key}` must be a string")
    for stem in lists["stems"]:
        if not _STEM.fullmatch(stem):
            problems.append(
                f"stem {stem!r} must be letters (spaces and hyphens between words); put other words in `forms`"
            )
    if "occurs" in raw and not isinstance(raw["occurs"], bool):
        problems.append("`occurs` must be true or false")
    if not lists["forms"] and not lists["stems"] and raw.get("occurs", True) is not False:
        problems.append("no `forms` and no `stems`: the term can never be linked (say `occurs: false` if meant)")
    return problems, lists


def parse_glossary(data, display: str, log: DiagnosticLog) -> Glossary:
    entries: list[Entry] = []
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        log.add("GLS001", "the glossary must be a mapping with a list `entries:`", display, line_of(data, 1))
        return Glossary([], display)
    seen_ids: dict[str, int | None] = {}
    claimed: dict[str, tuple[str, int | None]] = {}
    for raw in data["entries"]:
        line = line_of(raw)
        if not isinstance(raw, dict):
            log.add(
                "GLS001",
                "each glossary entry must be a mapping with `id`, `term` and `definition`",
                display,
                line_of(data["entries"]),
            )
            continue
        entry_id = raw.get("id") if isinstance(raw.get("id"), str) else None
        problems, lists = _entry_problems(raw, entry_id)
        name = f"entry {entry_id!r}" if entry_id else "entry"
        for problem in problems:
            log.add("GLS001", f"{name}: {problem}", display, line)
        if entry_id is None:
            continue
        if entry_id in seen_ids:
            log.add(
                "GLS002",
                f"duplicate id {entry_id!r} (first on line {seen_ids[entry_id]}); give each entry its own id",
                display,
                line,
            )
            continue
        seen_ids[entry_id] = line
        for kind, values in (("form", lists["forms"]), ("stem", lists["stems"])):
            for value in values:
                key = f"{kind}:{' '.join(value.split())}"
                if key in claimed and claimed[key][0] != entry_id:
                    other, other_line = claimed[key]
                    log.add(
                        "GLS003",
                        f"{kind} {value!r} of {entry_id!r} is already claimed by {other!r} (line "
                        f"{other_line}); a {kind} must belong to one entry",
                        display,
                        line,
                    )
                claimed.setdefault(key, (entry_id, line))
        if problems:
            continue
        entries.append(
            Entry(
                id=entry_id,
                term=raw["term"].strip(),
                definition=" ".join(raw["definition"].split()),
                expansion=raw.get("expansion"),
                original=raw.get("original"),
                original_lang=raw.get("original-lang") or None,
                category=raw.get("category"),
                forms=lists["forms"],
                stems=lists["stems"],
                sources=lists["sources"],
                occurs=raw.get("occurs", True),
                sort_as=raw.get("sort-as"),
                line=line,
            )
        )
    return Glossary(entries, display)

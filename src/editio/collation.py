"""Alphabetical order and index letters for one language, from the ``collation:`` section of its message catalogue.

``collation(lang).key(text)`` compares, in order: the letters with case, accents and the language's foldings
ignored, word by word (a space or a dash sorts before any letter and digits before letters; other punctuation
and leading punctuation are ignored), the letters of the catalogue's ``scripts`` before those of any other script;
then the accents and foldings (Russian yo after ye, German ä after a); then the exact text.
``collation(lang).group(text)`` is the letter an index groups the text under (Russian yo under ye, Ä under A, Ñ apart).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping

from .i18n import CollationRules, load_file, resolve_language

# A space or any dash separates words: «POR-LO» sorts as «POR LO», before «PORLO».
_WORD_BREAKS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
_WORD_BREAK = (0, 0, 0, 0)
_NO_TIE = (0, "")


def drop_leading_punctuation(text: str) -> str:
    """``text`` from its first letter or digit on (``«Masas»`` → ``Masas»``)."""
    for index, char in enumerate(text):
        if char.isalnum():
            return text[index:]
    return ""


def script_of(letter: str) -> str:
    """The script Unicode names a letter by (``CYRILLIC``, ``LATIN``, ``GREEK`` …); ``""`` for a non-letter."""
    return unicodedata.name(letter, "").split(" ")[0] if letter.isalpha() else ""


class Collation:
    """The order of one language: built from its catalogue's :class:`editio.i18n.CollationRules`."""

    def __init__(self, language: str, rules: CollationRules):
        self.language = language
        self.scripts = tuple(script.upper() for script in rules.scripts)
        # letter → (its place in the alphabet, its rank among the letters equal to it on the first pass)
        self.letters: dict[str, tuple[int, int]] = {}
        self._heads: dict[int, str] = {}  # a place in the alphabet → the letter an index heading shows for it
        for place, equal in enumerate(rules.alphabet):
            for rank, letter in enumerate(equal):
                if not letter.isalpha() or letter != letter.lower() or letter in self.letters:
                    raise ValueError(
                        f"{language}: collation alphabet: {letter!r} must be a lower-case letter listed once"
                    )
                self.letters[letter] = (place, rank)
                self._heads.setdefault(place, letter.upper())
        self.fold: Mapping[str, str] = dict(rules.fold)
        for source, target in self.fold.items():
            if len(source) != 1 or not source.isalpha() or not target.isalpha():
                raise ValueError(f"{language}: collation fold {source!r}: {target!r} must map a letter to letters")

    def __repr__(self) -> str:
        return f"Collation({self.language!r})"

    def _script_rank(self, letter: str) -> int:
        script = script_of(letter)
        return self.scripts.index(script) if script in self.scripts else len(self.scripts)

    def _letter(self, letter: str, folded: bool) -> tuple[tuple[int, int, int, int], tuple[int, str]]:
        """The first-pass weight of a lower-case letter and its weight on a tie."""
        if letter in self.letters:
            place, rank = self.letters[letter]
            return (2, self._script_rank(letter), 0, place), (int(folded) + rank, "")
        decomposed = unicodedata.normalize("NFD", letter)
        base, marks = decomposed[0], decomposed[1:]
        if base in self.letters:
            place, rank = self.letters[base]
            return (2, self._script_rank(base), 0, place), (int(folded) + rank, marks)
        return (2, self._script_rank(base), 1, ord(base)), (int(folded), marks)

    def key(self, text: str) -> tuple[tuple[tuple[int, int, int, int], ...], tuple[tuple[int, str], ...], str]:
        """A sort key: the letters (case, accents, foldings ignored), then the accents and foldings, then the text."""
        text = drop_leading_punctuation(unicodedata.normalize("NFC", text))
        first: list[tuple[int, int, int, int]] = []
        ties: list[tuple[int, str]] = []
        for char in text.lower():
            if char.isspace() or char in _WORD_BREAKS:
                if first and first[-1] != _WORD_BREAK:
                    first.append(_WORD_BREAK)
                    ties.append(_NO_TIE)
            elif char.isdigit():
                first.append((1, unicodedata.digit(char, 0), ord(char), 0))
                ties.append(_NO_TIE)
            elif char.isalpha():
                folded = char in self.fold
                for letter in self.fold.get(char, char):
                    weight, tie = self._letter(letter, folded)
                    first.append(weight)
                    ties.append(tie)
        while first and first[-1] == _WORD_BREAK:
            first.pop()
            ties.pop()
        return tuple(first), tuple(ties), text

    def group(self, text: str) -> str:
        """The letter an index groups ``text`` under: its first letter (or digit) as a capital, with accents and
        foldings dropped unless the letter is one of the alphabet's own (Ä under A, Spanish Ñ under Ñ)."""
        text = drop_leading_punctuation(unicodedata.normalize("NFC", text))
        if not text:
            return ""
        char = text[0].lower()
        if char not in self.letters:
            char = unicodedata.normalize("NFD", self.fold.get(char, char))[0]
        return self._heads[self.letters[char][0]] if char in self.letters else char.upper()


def collation(lang: str) -> Collation:
    """The collation for a BCP 47 tag (``ru-RU`` → ``ru``; a language without a catalogue → English)."""
    return _collation(resolve_language(lang))


@functools.cache
def _collation(language: str) -> Collation:
    return Collation(language, load_file(language).collation)

"""Finding many phrases in running text fast: whole-word regexes, a trie of literal words, and a matcher whose
time grows with the words of the text, not with the number of phrases. Texts and phrases are compared in the
normal form of :mod:`editio.ast.text`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .ast.text import INVISIBLE

_WORD = re.compile(r"\w+")


def words_pattern(phrases: list[str]) -> re.Pattern:
    """One regex matching any of ``phrases`` (already normalised) as whole words, the longest first.

    A phrase that begins or ends with a letter or digit must not continue a word there; one that ends
    with punctuation («1951 г.») may be followed by anything (the normal form drops the space after a
    full stop)."""
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    return re.compile("|".join(_bounded(p) for p in ordered))


def _bounded(phrase: str) -> str:
    head = r"(?<!\w)" if re.match(r"\w", phrase) else ""
    tail = r"(?!\w)" if re.search(r"\w$", phrase) else ""
    return head + re.escape(phrase) + tail


def trie_pattern(words: Iterable[str]) -> str:
    """A regex alternation of literal ``words`` with their common prefixes merged, so that the regex engine
    tries a place in time proportional to the word's length, not to the number of words."""
    trie: dict = {}
    for word in set(words):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def alternation(node: dict) -> str:
        branches = [re.escape(char) + alternation(child) for char, child in sorted(node.items()) if char]
        optional = "" in node
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not optional else "(?:" + "|".join(branches) + ")"
        if optional:
            body = (body if body.startswith("(?:") else "(?:" + body + ")") + "?"
        return body

    return alternation(trie)


class PhraseMatcher:
    """Many normalised phrases found as whole words in normalised text, as ``words_pattern`` finds them
    (leftmost first, the longest at one place, no overlaps), but in time linear in the words of the text:
    a candidate is only tried where a word of the text equals the phrase's first word."""

    def __init__(self, phrases: Iterable[str]):
        self.by_first: dict[str, list[tuple[int, str]]] = {}
        slow: list[str] = []
        for phrase in sorted(set(phrases), key=lambda p: (-len(p), p)):
            first = _WORD.match(phrase)
            if first is None:
                slow.append(phrase)  # a phrase starting with punctuation: found by a regex
                continue
            self.by_first.setdefault(first.group(), []).append((0, phrase))
        self.slow = words_pattern(slow) if slow else None
        first_words = trie_pattern(self.by_first)
        self.first_word = re.compile(rf"(?<!\w)(?:{first_words})(?!\w)") if first_words else None

    def may_match(self, raw: str) -> bool:
        """A quick test on text that is not normalised yet: False means :meth:`finditer` finds nothing."""
        if self.slow is not None:
            return True
        # Text that normalises to a match holds a first word once quotes and invisible characters are gone.
        return self.first_word is not None and self.first_word.search(INVISIBLE.sub("", raw)) is not None

    def finditer(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, phrase) of every match."""
        found: list[tuple[int, int, str]] = []
        for word in self.first_word.finditer(text) if self.first_word is not None else ():
            candidates = self.by_first[word.group()]
            start = word.start()
            for _, phrase in candidates:
                end = start + len(phrase)
                if text.startswith(phrase, start) and not (_is_word_char(phrase[-1]) and _continues(text, end)):
                    found.append((start, end, phrase))
                    break
        if self.slow is not None:
            found += [(m.start(), m.end(), m.group()) for m in self.slow.finditer(text)]
            found.sort(key=lambda m: (m[0], m[0] - m[1]))
        chosen: list[tuple[int, int, str]] = []
        end = -1
        for match in found:
            if match[0] >= end:
                chosen.append(match)
                end = match[1]
        return chosen


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _continues(text: str, end: int) -> bool:
    """Whether a word character follows ``end`` (the phrase would stop inside a word)."""
    return end < len(text) and _is_word_char(text[end])

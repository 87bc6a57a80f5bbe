"""Finding phrases in running text: a normal form that earlier filters cannot disturb, a fast matcher of many
phrases, and the cutting of a match out of a run of pandoc inlines (plain JSON dicts).

The normal form: any run of spaces (Space, SoftBreak, no-break space) is one space, a space after a full stop
is dropped (so «Х.Лечин» and «Х. Лечин» are one form), dashes and hyphens are one hyphen, quote characters,
soft hyphens and zero-width characters are ignored. Every character of the normal form can remember the
element and offset it came from, so a match can be cut out of, or marked in, the original elements.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

SPACES = frozenset(" \t\n\u00a0\u202f\u2009")
DASHES = {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"}
QUOTES = frozenset("«»„“”\"'‘’‚")
# Invisible characters typography or a text extraction may leave inside a word.
IGNORABLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
# Character classes as regexes: str.translate with a mapping is an order of magnitude slower on Cyrillic text.
_INVISIBLE = re.compile("[" + re.escape("".join(sorted(QUOTES | IGNORABLE))) + "]")
_DASH = re.compile("[" + re.escape("".join(sorted(DASHES))) + "]")
_SPACE = re.compile("[" + re.escape("".join(sorted(SPACES - {" "}))) + "]")
_EXTRA_SPACE = re.compile(r"(?<=[ .]) +|^ +| +$")
_WORD = re.compile(r"\w+")

# Inline containers whose words are part of the running text (pandoc element types).
TEXT_CONTAINER_TYPES = frozenset(
    ("Span", "Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Quoted", "Superscript", "Subscript")
)
TEXT_TYPES = frozenset(("Str", "Space", "SoftBreak"))


@dataclass
class Normalised:
    """Text in normal form and, for each of its characters, where it came from (``origins[i]``)."""

    text: str = ""
    origins: list = field(default_factory=list)

    def append(self, char: str, origin) -> None:
        if char in QUOTES or char in IGNORABLE:
            return
        char = DASHES.get(char, char)
        if char in SPACES:
            if not self.text or self.text[-1] in " .":
                return
            char = " "
        self.text += char
        self.origins.append(origin)

    def finish(self) -> Normalised:
        """Drop a trailing space (it matches nothing and must not begin a match)."""
        if self.text.endswith(" "):
            self.text = self.text[:-1]
            self.origins.pop()
        return self


def normalise(text: str) -> str:
    """The normal form of a plain string (a form or an anchor phrase from a data file)."""
    return _EXTRA_SPACE.sub("", _unified(_INVISIBLE.sub("", text)))


def _unified(text: str) -> str:
    """Every dash a hyphen, every space an ordinary space (lengths unchanged)."""
    return _SPACE.sub(" ", _DASH.sub("-", text))


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
        return self.first_word is not None and self.first_word.search(_INVISIBLE.sub("", raw)) is not None

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


# --- runs of pandoc inlines (plain JSON dicts) ----------------------------------------------------------


def is_text_node(node: dict) -> bool:
    return node.get("t") in TEXT_TYPES


_DROPPED = "\x00"


@dataclass
class RunText:
    """The normal form of a run of inlines and the way back from each of its characters to the run."""

    text: str
    places: list[int]  # normal-form index → offset in the run's raw text
    starts: list[int]  # offset in the raw text where each element of the run begins

    def origin(self, index: int) -> tuple[int, int]:
        """(position in the run, offset in that element) of the normal form's character ``index``."""
        place = self.places[index]
        position = bisect.bisect_right(self.starts, place) - 1
        return position, place - self.starts[position]


def run_text_nodes(run: list[dict]) -> RunText:
    """Normal form of consecutive Str/Space/SoftBreak elements (the same as :func:`normalise` of their text),
    built with string methods rather than character by character: most runs are never matched."""
    pieces = [node["c"] if node["t"] == "Str" else " " for node in run]
    starts = list(itertools.accumulate((len(p) for p in pieces[:-1]), initial=0))
    marked = _unified(_INVISIBLE.sub(_DROPPED, "".join(pieces)))
    if _DROPPED in marked:
        kept = [i for i, c in enumerate(marked) if c != _DROPPED]
        marked = marked.replace(_DROPPED, "")
    else:
        kept = list(range(len(marked)))
    text_parts, places, previous = [], [], 0
    for extra in _EXTRA_SPACE.finditer(marked):
        text_parts.append(marked[previous : extra.start()])
        places += kept[previous : extra.start()]
        previous = extra.end()
    text_parts.append(marked[previous:])
    places += kept[previous:]
    return RunText("".join(text_parts), places, starts)


def split_run_nodes(
    run: list[dict], start: tuple[int, int], end: tuple[int, int]
) -> tuple[list[dict], list[dict], list[dict]]:
    """Cut a run of Str/Space elements into (before, matched, after) at the original positions ``start``
    (inclusive) and ``end`` (inclusive, the last matched character)."""
    (first, first_offset), (last, last_offset) = start, end
    before, matched, after = list(run[:first]), [], list(run[last + 1 :])
    for position in range(first, last + 1):
        node = run[position]
        if node["t"] != "Str":
            matched.append(node)
            continue
        text = node["c"]
        lo = first_offset if position == first else 0
        hi = last_offset + 1 if position == last else len(text)
        if lo > 0:
            before.append({"t": "Str", "c": text[:lo]})
        matched.append({"t": "Str", "c": text[lo:hi]} if (lo, hi) != (0, len(text)) else node)
        if hi < len(text):
            after.insert(0, {"t": "Str", "c": text[hi:]})
    return before, matched, after

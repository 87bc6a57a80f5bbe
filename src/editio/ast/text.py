"""Text runs: the words of a list of pandoc inlines as one string in which phrases can be found, each character
remembering the element and offset it came from, so that a match can be cut out of, or marked in, the elements.

The normal form makes the text immune to other filters' marks: any run of spaces (Space, SoftBreak, LineBreak,
no-break and thin spaces) is one space, a space after a full stop is dropped (so «Х.Лечин» and «Х. Лечин» are
one form), dashes and hyphens are one hyphen, quote characters, soft hyphens and zero-width characters are
ignored. A verbatim run keeps every character as written, with blanks as spaces.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from . import Node, Str

SPACES = frozenset(" \t\n\u00a0\u202f\u2009")
DASHES = {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"}
QUOTES = frozenset("«»„“”\"'‘’‚")
# Invisible characters typography or a text extraction may leave inside a word.
IGNORABLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
# Character classes as regexes: str.translate with a mapping is an order of magnitude slower on Cyrillic text.
INVISIBLE = re.compile("[" + re.escape("".join(sorted(QUOTES | IGNORABLE))) + "]")
_DASH = re.compile("[" + re.escape("".join(sorted(DASHES))) + "]")
_SPACE = re.compile("[" + re.escape("".join(sorted(SPACES - {" "}))) + "]")
_EXTRA_SPACE = re.compile(r"(?<=[ .]) +|^ +| +$")
_SPECIAL = re.compile("[" + re.escape("".join(sorted(SPACES | QUOTES | IGNORABLE | set(DASHES)))) + "]")
# Blanks a verbatim run reads as spaces.
_BLANKS = re.compile("[\u00a0\u202f\n\t]")

# Inline containers whose words belong to the run (their content list is at c[1] or c).
CONTAINERS: dict[str, int | None] = {
    "Emph": None,
    "Strong": None,
    "Underline": None,
    "Strikeout": None,
    "SmallCaps": None,
    "Superscript": None,
    "Subscript": None,
    "Span": 1,
    "Link": 1,
    "Quoted": 1,
}
SPACE_TYPES = frozenset(("Space", "SoftBreak", "LineBreak"))


def normalise(text: str) -> str:
    """The normal form of a plain string (a form or an anchor phrase from a data file)."""
    return _EXTRA_SPACE.sub("", unified(INVISIBLE.sub("", text)))


def unified(text: str) -> str:
    """Every dash a hyphen, every space an ordinary space (lengths unchanged)."""
    return _SPACE.sub(" ", _DASH.sub("-", text))


@dataclass(frozen=True)
class Origin:
    """Where a character of a run comes from: ``holder[index]`` is its element, ``offset`` the character in
    it (None for a space element)."""

    holder: list[Node]
    index: int
    offset: int | None


# (start in the run's text, holder, index, offsets in the Str or None when they are the identity, is a Str)
_Segment = tuple[int, list[Node], int, list[int] | None, bool]


class TextRun:
    """The text of inlines, built an element at a time (normal form unless ``verbatim``); ``origin(i)`` says
    where character ``i`` came from (kept per element, not per character: most words are copied unchanged)."""

    def __init__(self, verbatim: bool = False) -> None:
        self.verbatim = verbatim
        self.parts: list[str] = []
        self.length = 0
        self.last = ""  # the last character so far ("" at the start)
        self.segments: list[_Segment] = []
        self._starts: list[int] = []
        self._text: str | None = None

    def add(self, inlines: list[Node], other: Callable[[Node], bool] | None = None) -> TextRun:
        """Add the words of ``inlines``, descending into containers; any other element, and first a container,
        goes to ``other``, which returns True when it took care of it (its words are then not added)."""
        for index, node in enumerate(inlines):
            t = node["t"]
            if t == "Str":
                self.add_word(inlines, index)
            elif t in SPACE_TYPES:
                self.add_space(inlines, index)
            elif other is not None and other(node):
                continue
            elif t in CONTAINERS:
                where = CONTAINERS[t]
                self.add(node["c"] if where is None else node["c"][where], other)
        return self

    def add_word(self, holder: list[Node], index: int) -> None:
        """Add the Str ``holder[index]``."""
        word: str = holder[index]["c"]
        if not word:
            return
        if self.verbatim:
            self._append(_BLANKS.sub(" ", word), (self.length, holder, index, None, True))
            return
        if not _SPECIAL.search(word):
            self._append(word, (self.length, holder, index, None, True))
            return
        chars, offsets = [], []
        last = self.last
        for offset, char in enumerate(word):
            if char in QUOTES or char in IGNORABLE:
                continue
            char = DASHES.get(char, char)
            if char in SPACES:
                if last in ("", " ", "."):
                    continue
                char = " "
            chars.append(char)
            offsets.append(offset)
            last = char
        if chars:
            self._append("".join(chars), (self.length, holder, index, offsets, True))

    def add_space(self, holder: list[Node], index: int) -> None:
        """Add the space element ``holder[index]``."""
        if self.verbatim or self.last not in ("", " ", "."):
            self._append(" ", (self.length, holder, index, None, False))

    def _append(self, text: str, segment: _Segment) -> None:
        self.parts.append(text)
        self.segments.append(segment)
        self.length += len(text)
        self.last = text[-1]
        self._text = None

    @property
    def text(self) -> str:
        """The run's text (in normal form a trailing space may stay: it never begins a match)."""
        if self._text is None:
            self._text = "".join(self.parts)
            self._starts = [segment[0] for segment in self.segments]
        return self._text

    def origin(self, position: int) -> Origin:
        """Where character ``position`` of :attr:`text` comes from."""
        _ = self.text
        start, holder, index, offsets, is_str = self.segments[bisect.bisect_right(self._starts, position) - 1]
        if not is_str:
            return Origin(holder, index, None)
        return Origin(holder, index, position - start if offsets is None else offsets[position - start])


def split_run(run: list[Node], start: Origin, end: Origin) -> tuple[list[Node], list[Node], list[Node]]:
    """Cut a flat run of Str and space elements into (before, matched, after) at ``start`` (inclusive) and
    ``end`` (inclusive, the last matched character), both origins in ``run``."""
    first, first_offset, last, last_offset = start.index, start.offset or 0, end.index, end.offset or 0
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
            before.append(Str(text[:lo]))
        matched.append(Str(text[lo:hi]) if (lo, hi) != (0, len(text)) else node)
        if hi < len(text):
            after.insert(0, Str(text[hi:]))
    return before, matched, after


def insert_at(origin: Origin, node: Node, after: bool = False) -> None:
    """Put ``node`` right before (or ``after``) the character at ``origin``, splitting its Str when needed.
    Insert at later places of one list first, so an earlier origin still points at its character."""
    holder, index = origin.holder, origin.index
    word = holder[index]["c"] if origin.offset is not None else " "
    cut = (origin.offset or 0) + (1 if after else 0)
    if cut == 0:
        holder.insert(index, node)
    elif cut == len(word):
        holder.insert(index + 1, node)
    else:
        holder[index : index + 1] = [Str(word[:cut]), node, Str(word[cut:])]

"""Finding phrases in the running text of a pandoc AST, across Str, Space and SoftBreak elements.

Text is compared in a normal form that earlier filters cannot disturb: any run of spaces (Space, SoftBreak,
no-break space) is one space, a space after a full stop is dropped (so «Х.Лечин» and «Х. Лечин» are one
form), dashes are one dash and quote characters are ignored. Every character of the normal form remembers
the element and offset it came from, so a match can be cut out of, or marked in, the original elements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import panflute as pf

SPACES = frozenset(" \t\n\u00a0\u202f\u2009")
DASHES = {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"}
QUOTES = frozenset("«»„“”\"'‘’‚")

# Inline containers whose words are part of the running text.
TEXT_CONTAINERS = (pf.Span, pf.Emph, pf.Strong, pf.Underline, pf.Strikeout, pf.SmallCaps, pf.Quoted,
                   pf.Superscript, pf.Subscript)


@dataclass
class Normalised:
    """Text in normal form and, for each of its characters, where it came from (``origins[i]``)."""

    text: str = ""
    origins: list = field(default_factory=list)

    def append(self, char: str, origin) -> None:
        if char in QUOTES:
            return
        char = DASHES.get(char, char)
        if char in SPACES:
            if not self.text or self.text[-1] in " .":
                return
            char = " "
        self.text += char
        self.origins.append(origin)

    def finish(self) -> "Normalised":
        """Drop a trailing space (it matches nothing and must not begin a match)."""
        if self.text.endswith(" "):
            self.text = self.text[:-1]
            self.origins.pop()
        return self


def normalise(text: str) -> str:
    """The normal form of a plain string (a form or an anchor phrase from a data file)."""
    result = Normalised()
    for index, char in enumerate(text.strip()):
        result.append(char, index)
    return result.finish().text


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


def is_text(elem: pf.Element) -> bool:
    return isinstance(elem, (pf.Str, pf.Space, pf.SoftBreak))


def run_text(run: list[pf.Element]) -> Normalised:
    """Normal form of consecutive Str/Space/SoftBreak elements; origins are (position in run, offset)."""
    result = Normalised()
    for position, elem in enumerate(run):
        if isinstance(elem, pf.Str):
            for offset, char in enumerate(elem.text):
                result.append(char, (position, offset))
        else:
            result.append(" ", (position, 0))
    return result.finish()


def deep_text(inlines, skip=(pf.Note, pf.Cite, pf.Code, pf.Math, pf.RawInline, pf.Image),
              skip_classes: frozenset[str] = frozenset({"page"})) -> Normalised:
    """Normal form of the words of an inline list, descending into Span, Emph, Link …; origins are
    (element, offset) pairs. Notes, citations, code, maths, raw output, images and Spans of
    ``skip_classes`` (a page marker that already shows its number) add nothing."""
    result = Normalised()

    def walk(items) -> None:
        for elem in items:
            if isinstance(elem, pf.Span) and skip_classes.intersection(elem.classes):
                continue
            if isinstance(elem, pf.Str):
                for offset, char in enumerate(elem.text):
                    result.append(char, (elem, offset))
            elif isinstance(elem, (pf.Space, pf.SoftBreak, pf.LineBreak)):
                result.append(" ", (elem, 0))
            elif isinstance(elem, skip):
                continue
            elif isinstance(elem, TEXT_CONTAINERS + (pf.Link,)):
                walk(elem.content)

    walk(inlines)
    return result.finish()


def split_run(run: list[pf.Element], start: tuple[int, int], end: tuple[int, int]):
    """Cut a run of Str/Space elements into (before, matched, after) at the original positions
    ``start`` (inclusive) and ``end`` (inclusive, the last matched character)."""
    (first, first_offset), (last, last_offset) = start, end
    before, matched, after = list(run[:first]), [], list(run[last + 1:])
    for position in range(first, last + 1):
        elem = run[position]
        if not isinstance(elem, pf.Str):
            matched.append(elem)
            continue
        text = elem.text
        lo = first_offset if position == first else 0
        hi = last_offset + 1 if position == last else len(text)
        if lo > 0:
            before.append(pf.Str(text[:lo]))
        matched.append(pf.Str(text[lo:hi]))
        if hi < len(text):
            after.insert(0, pf.Str(text[hi:]))
    return before, matched, after


def insert_before(origin: tuple[pf.Element, int], new: pf.Element) -> None:
    """Insert ``new`` into the document right before the character at ``origin`` (splitting a Str)."""
    elem, offset = origin
    container = elem.container
    index = next(i for i, item in enumerate(container) if item is elem)
    if isinstance(elem, pf.Str) and offset > 0:
        tail = pf.Str(elem.text[offset:])
        elem.text = elem.text[:offset]
        container.insert(index + 1, tail)
        index += 1
    container.insert(index, new)

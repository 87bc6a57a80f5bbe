"""The chronology's data file (`chronology.yaml`): checking (CHR001–CHR004, CHR007, CHR009), dates in the
document's language, and finding each event's anchor phrase in the running text of a pandoc JSON AST (plain dicts).

Each event has a ``date`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), a ``precision`` that agrees with it
(``year``, ``month``, ``day``; optional, read from the date when absent), the ``text`` the chronology prints
and an ``anchor``: a phrase that occurs exactly once in the text, where the event is told.
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .ast.pages import PageTracker
from .ast.reading import reading_parts
from .ast.text import Origin, TextRun
from .errors import DiagnosticLog
from .yamlfile import line_of

DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
PRECISIONS = ("year", "month", "day")
FIELDS = frozenset({"date", "precision", "text", "anchor", "source", "note"})


@dataclass(frozen=True)
class Event:
    date: str
    parts: tuple[int, ...]
    precision: str
    text: str
    anchor: str
    line: int | None = None


def date_words(parts: tuple[int, ...], text: Callable[..., str]) -> str:
    """A date exactly as precise as ``parts``, in words from the message catalogue (``text(key, **fields)``):
    ``date-year``, ``date-month``, ``date-day`` (``date-day-first`` for the first of a month), with
    ``month-N`` and ``month-genitive-N``: «1954 г.», «ноябрь 1946 г.», «9 апреля 1952 г.»."""
    if len(parts) == 1:
        return text("date-year", year=parts[0])
    names = {"month": text(f"month-{parts[1]}"), "month_genitive": text(f"month-genitive-{parts[1]}")}
    if len(parts) == 2:
        return text("date-month", year=parts[0], **names)
    return text("date-day-first" if parts[2] == 1 else "date-day", year=parts[0], day=parts[2], **names)


def parse_date(value) -> tuple[int, ...] | None:
    """(year,), (year, month) or (year, month, day) from an ISO date string; None when it is not one."""
    if isinstance(value, datetime.date):  # an unquoted YAML date
        value = value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    match = DATE.match(value.strip())
    if not match:
        return None
    parts = tuple(int(p) for p in match.groups() if p is not None)
    try:
        datetime.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return None
    return parts


def parse_events(data, display: str, log: DiagnosticLog) -> list[Event]:
    """Check the parsed YAML and return the events in the file's order; problems go to ``log``."""
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        log.add("CHR001", "expected a mapping with a list `events:`", display, line_of(data, 1))
        return []
    events: list[Event] = []
    for number, entry in enumerate(data["events"], start=1):
        line = line_of(entry, line_of(data["events"]))
        if not isinstance(entry, dict):
            log.add("CHR001", f"event {number} is not a mapping", display, line)
            continue
        where = f"event {number}"
        for key in sorted(set(entry) - FIELDS, key=str):
            log.add("CHR009", f"{where}: unknown field `{key}` is ignored", display, line, severity="warning")
        problems = False
        for key in ("date", "text", "anchor"):
            value = entry.get(key)
            if value is None:
                log.add("CHR002", f"{where}: missing `{key}`; add it", display, line)
                problems = True
            elif key != "date" and (not isinstance(value, str) or not value.strip()):
                log.add("CHR002", f"{where}: `{key}` must be a non-empty string", display, line)
                problems = True
        parts = parse_date(entry.get("date")) if entry.get("date") is not None else None
        if entry.get("date") is not None and parts is None:
            log.add(
                "CHR003",
                f"{where}: date {entry.get('date')!r} is not a real date written YYYY, YYYY-MM or YYYY-MM-DD",
                display,
                line,
            )
            problems = True
        precision = entry.get("precision")
        if parts is not None:
            implied = PRECISIONS[len(parts) - 1]
            if precision is None:
                precision = implied
            elif precision not in PRECISIONS:
                log.add(
                    "CHR004", f"{where}: precision {precision!r} is not one of {', '.join(PRECISIONS)}", display, line
                )
                problems = True
            elif precision != implied:
                log.add(
                    "CHR004",
                    f"{where}: precision {precision!r} does not agree with date {entry.get('date')!r} ({implied})",
                    display,
                    line,
                )
                problems = True
        if not problems:
            date = "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))
            events.append(Event(date, parts, precision, entry["text"].strip(), entry["anchor"].strip(), line))
    for earlier, later in zip(events, events[1:], strict=False):
        if later.parts < earlier.parts[: len(later.parts)]:
            log.add(
                "CHR007",
                f"event dated {later.date} follows {earlier.date}; the file is out of date order "
                "(the chronology is sorted anyway)",
                display,
                later.line,
                severity="warning",
            )
    return events


def in_date_order(events: list[Event]) -> list[Event]:
    """Sorted by date; a year before its months, events of one date in the file's order."""
    return sorted(events, key=lambda e: e.parts)


# --- finding anchor phrases in the running text (pandoc JSON as plain dicts) ---------------------------------
# Text is compared in the normal form of editio.ast.text, which other filters' marks cannot disturb (spaces,
# dashes, quotes and invisible characters compared loosely), but across Span, Link and emphasis boundaries and
# with every occurrence counted (an anchor must occur once). Each character of the normal form remembers the
# Str it came from, so an anchor can be put there.

_SILENT = frozenset(("Cite", "Code", "Math", "RawInline", "Image"))  # add no words
_UNSEARCHED = frozenset(("Header", "CodeBlock", "RawBlock", "HorizontalRule"))


@dataclass(frozen=True)
class Place:
    """Where a character of the running text stands, and the original page current there."""

    origin: Origin
    page: str | None


@dataclass
class PagedRun:
    """One searchable inline list and the pages in it: ``pages`` holds (start in the text, page from there)."""

    run: TextRun
    pages: list[tuple[int, str | None]]

    def place(self, position: int) -> Place:
        index = bisect.bisect_right(self.pages, position, key=lambda change: change[0]) - 1
        return Place(self.run.origin(position), self.pages[index][1])


def _word_character(char: str) -> bool:
    return char.isalnum() or char == "_"


def whole_word_matches(text: str, phrase: str) -> list[int]:
    """Where ``phrase`` begins in ``text`` as whole words: a phrase that begins or ends with a letter or digit
    must not continue a word there; one that ends with punctuation («1951 г.») may be followed by anything."""
    found = []
    open_start, open_end = _word_character(phrase[0]), _word_character(phrase[-1])
    position = text.find(phrase)
    while position >= 0:
        end = position + len(phrase)
        if not (open_start and position > 0 and _word_character(text[position - 1])) and not (
            open_end and end < len(text) and _word_character(text[end])
        ):
            found.append(position)
        position = text.find(phrase, position + 1)
    return found


@dataclass
class TextScanner:
    """The running text of a document as searchable inline lists, in reading order (an author's note after the
    words before its call), each character with the original page current where it stands.

    Not searched: headings, code, raw output, citations, images, and Divs whose id or a class is in ``skip``; a
    page-start Span (class ``page_class``, number in ``page_attribute``) adds no words but sets the page."""

    skip: frozenset[str]
    page_class: str = "page"
    page_attribute: str = "n"
    texts: list[PagedRun] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.pages = PageTracker(self.page_class, self.page_attribute)

    def scan(self, blocks: list) -> list[PagedRun]:
        self._blocks(blocks)
        return self.texts

    def _blocks(self, blocks: Iterable[dict]) -> None:
        for block in blocks:
            attr = block["c"][0] if block["t"] == "Div" else None
            if block["t"] in _UNSEARCHED or (attr and (attr[0] in self.skip or self.skip.intersection(attr[1]))):
                self.pages.follow(block)
                continue
            for kind, part in reading_parts(block, captions=False):
                if kind == "inlines":
                    self._search(part)
                elif kind == "blocks":
                    self._blocks(part)
                else:
                    self.pages.follow(part)

    def _search(self, inlines: list) -> None:
        paged = PagedRun(TextRun(), [(0, self.pages.page)])
        self.texts.append(paged)

        def other(node: dict) -> bool:
            t = node["t"]
            if self.pages.see(node):
                pass
            elif t == "Note":
                self._blocks(node["c"])
            elif t in _SILENT:
                self.pages.follow(node["c"])
            else:
                return False
            if self.pages.page != paged.pages[-1][1]:
                paged.pages.append((paged.run.length, self.pages.page))
            return True

        paged.run.add(inlines, other)


def find_phrases(texts: list[PagedRun], phrases: Iterable[str]) -> dict[str, list[Place]]:
    """For each normalised phrase, the places where it begins in the running texts (in reading order)."""
    found: dict[str, list[Place]] = {}
    phrases = [phrase for phrase in phrases if phrase]
    for paged in texts:
        text = paged.run.text
        for phrase in phrases:
            for position in whole_word_matches(text, phrase):
                found.setdefault(phrase, []).append(paged.place(position))
    return found

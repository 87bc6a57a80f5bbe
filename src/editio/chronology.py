"""The chronology's data file (`chronology.yaml`): loading, checking (CHR001–CHR004, CHR007) and dates in Russian.

Each event has a ``date`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), a ``precision`` that agrees with it
(``year``, ``month``, ``day``; optional, read from the date when absent), the ``text`` the chronology prints
and an ``anchor``: a phrase that occurs exactly once in the text, where the event is told.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from .errors import DiagnosticLog
from .yamlfile import line_of

DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
PRECISIONS = ("year", "month", "day")
FIELDS = frozenset({"date", "precision", "text", "anchor", "source", "note"})
MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
          "ноябрь", "декабрь")
MONTHS_GENITIVE = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                   "октября", "ноября", "декабря")
NBSP = "\u00a0"


@dataclass(frozen=True)
class Event:
    date: str
    parts: tuple[int, ...]
    precision: str
    text: str
    anchor: str
    line: int | None = None


def russian_date(parts: tuple[int, ...]) -> str:
    """«1954 г.», «ноябрь 1946 г.», «9 апреля 1952 г.» (no-break spaces inside)."""
    year = f"{parts[0]}{NBSP}г."
    if len(parts) == 1:
        return year
    if len(parts) == 2:
        return f"{MONTHS[parts[1] - 1]} {year}"
    return f"{parts[2]}{NBSP}{MONTHS_GENITIVE[parts[1] - 1]} {year}"


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
            log.add("CHR002", f"{where}: unknown field `{key}` is ignored", display, line, severity="warning")
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
            log.add("CHR003", f"{where}: date {entry.get('date')!r} is not a real date written YYYY, YYYY-MM or "
                    "YYYY-MM-DD", display, line)
            problems = True
        precision = entry.get("precision")
        if parts is not None:
            implied = PRECISIONS[len(parts) - 1]
            if precision is None:
                precision = implied
            elif precision not in PRECISIONS:
                log.add("CHR004", f"{where}: precision {precision!r} is not one of {', '.join(PRECISIONS)}",
                        display, line)
                problems = True
            elif precision != implied:
                log.add("CHR004", f"{where}: precision {precision!r} does not agree with date "
                        f"{entry.get('date')!r} ({implied})", display, line)
                problems = True
        if not problems:
            date = "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))
            events.append(Event(date, parts, precision, entry["text"].strip(), entry["anchor"].strip(), line))
    for earlier, later in zip(events, events[1:]):
        if later.parts < earlier.parts[: len(later.parts)]:
            log.add("CHR007", f"event dated {later.date} follows {earlier.date}; the file is out of date order "
                    "(the chronology is sorted anyway)", display, later.line, severity="warning")
    return events


def in_date_order(events: list[Event]) -> list[Event]:
    """Sorted by date; a year before its months, events of one date in the file's order."""
    return sorted(events, key=lambda e: e.parts)

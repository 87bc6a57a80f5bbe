"""Dates as authors write them («January 2015», «20. Juli 2025», «July 17, 2006», «2025-07-20») read into the
W3C date form an EPUB's ``dc:date`` needs (``2025-07-20``, ``2015-01``, ``2015``), with month names from the
message catalogues of every language editio knows; Quarto's ``today``/``now``/``last-modified`` name the
build date."""

from __future__ import annotations

import re
from functools import lru_cache

BUILD_DATE_WORDS = frozenset(("today", "now", "last-modified"))
_ISO = re.compile(r"\A\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*\Z")
_NUMERIC = re.compile(r"\A\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*\Z")  # 20.07.2025 (day first)
_US = re.compile(r"\A\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*\Z")  # 07/20/2025 (pandoc's own reading of slashes)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_DAY = re.compile(r"(?<!\d)(\d{1,2})(?!\d)")


@lru_cache(maxsize=1)
def month_names() -> dict[str, int]:
    """Every month name and its first three letters in every catalogue (lower case) → the month's number."""
    from ..i18n import available_languages, load_file

    names: dict[str, int] = {}
    for language in available_languages():
        messages = load_file(language).messages
        for number in range(1, 13):
            for key in (f"month-{number}", f"month-genitive-{number}"):
                name = str(messages.get(key, "")).strip().lower().rstrip(".")
                if name:
                    names.setdefault(name, number)
                    names.setdefault(name[:3], number)
    return names


def w3c_date(text: str) -> str | None:
    """``text`` as YYYY-MM-DD, YYYY-MM or YYYY; None when it holds no year."""
    match = _ISO.match(text)
    if match:
        year, month, day = match.groups()
        return "-".join(p for p in (year, month, day) if p)
    for pattern, day_group, month_group in ((_US, 2, 1), (_NUMERIC, 1, 2)):
        match = pattern.match(text)
        if match:
            day, month = int(match.group(day_group)), int(match.group(month_group))
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"{match.group(3)}-{month:02d}-{day:02d}"
    years = _YEAR.findall(text)
    if not years:
        return None
    year = years[0]
    rest = text.replace(year, " ", 1)
    words = re.findall(r"[^\W\d_]+\.?", rest.lower())
    month = next((month_names()[w.rstrip(".")] for w in words if w.rstrip(".") in month_names()), None)
    if month is None:
        return year
    days = [int(d) for d in _DAY.findall(rest) if 1 <= int(d) <= 31]
    return f"{year}-{month:02d}-{days[0]:02d}" if days else f"{year}-{month:02d}"

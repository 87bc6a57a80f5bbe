"""The index of names' data file (`persons.yaml`): loading and checking (NAM001–NAM010).

Each person has an ``id``, a ``heading`` (how the index prints the name), the exact ``forms`` the text
uses, optionally ``variants`` (other spellings that get a «see» entry), ``original``, ``description`` and
life dates (``born``/``died``), which print only when ``dates-source`` says where they were read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .ast.text import normalise
from .errors import DiagnosticLog
from .yamlfile import line_of, load_yaml

ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FIELDS = frozenset(
    {
        "id",
        "heading",
        "full-name",
        "original",
        "original-verified",
        "original-source",
        "born",
        "died",
        "dates-source",
        "dates-note",
        "description",
        "forms",
        "variants",
        "variant-note",
        "note",
    }
)


@dataclass(frozen=True)
class Person:
    id: str
    heading: str
    forms: tuple[str, ...]
    original: str | None = None
    born: int | None = None
    died: int | None = None
    dates_source: str | None = None
    description: str | None = None
    variants: tuple[str, ...] = ()
    line: int | None = None

    def life_dates(self, text: Callable[..., str]) -> str | None:
        """«1922–2009», «b. 1934», «d. 1947», or None; only dates a source was given for. ``text(key, **fields)``
        gives the words from the message catalogue (keys ``life-span``, ``life-born``, ``life-died``)."""
        if not self.dates_source:
            return None
        if self.born is not None and self.died is not None:
            return text("life-span", born=self.born, died=self.died)
        if self.born is not None:
            return text("life-born", year=self.born)
        if self.died is not None:
            return text("life-died", year=self.died)
        return None


def _text(
    entry: dict, key: str, required: bool, display: str, log: DiagnosticLog, line: int | None, where: str
) -> str | None:
    value = entry.get(key)
    if value is None:
        if required:
            log.add("NAM002", f"{where}: missing `{key}`; add it", display, line)
        return None
    if not isinstance(value, str) or not value.strip():
        log.add("NAM002", f"{where}: `{key}` must be a non-empty string, got {type(value).__name__}", display, line)
        return None
    return value.strip()


def _strings(entry: dict, key: str, display: str, log: DiagnosticLog, line: int | None, where: str) -> tuple[str, ...]:
    value = entry.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        log.add("NAM002", f"{where}: `{key}` must be a list of non-empty strings", display, line)
        return ()
    return tuple(v.strip() for v in value)


def _year(entry: dict, key: str, display: str, log: DiagnosticLog, line: int | None, where: str) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        log.add("NAM010", f"{where}: `{key}` must be a year (an integer), got {value!r}", display, line)
        return None
    return value


def parse_persons(data, display: str, log: DiagnosticLog) -> list[Person]:
    """Check the parsed YAML and return the persons; every problem goes to ``log``."""
    if not isinstance(data, dict) or not isinstance(data.get("persons"), list):
        log.add("NAM001", "expected a mapping with a list `persons:`", display, line_of(data, 1))
        return []
    persons: list[Person] = []
    ids: dict[str, int | None] = {}
    forms: dict[str, tuple[str, int | None]] = {}
    for number, entry in enumerate(data["persons"], start=1):
        line = line_of(entry, line_of(data["persons"]))
        if not isinstance(entry, dict):
            log.add("NAM001", f"person {number} is not a mapping", display, line)
            continue
        pid = entry.get("id")
        where = f"person {pid!r}" if pid else f"person {number}"
        if not isinstance(pid, str) or not ID.match(pid):
            log.add("NAM008", f"{where}: `id` must be lower-case ASCII words joined by hyphens", display, line)
            pid = None
        elif pid in ids:
            log.add("NAM003", f"duplicate id {pid!r} (first on line {ids[pid]}); ids must be unique", display, line)
        else:
            ids[pid] = line
        for key in sorted(set(entry) - FIELDS, key=str):
            log.add("NAM009", f"{where}: unknown field `{key}` is ignored", display, line, severity="warning")
        heading = _text(entry, "heading", True, display, log, line, where)
        original = _text(entry, "original", False, display, log, line, where)
        description = _text(entry, "description", False, display, log, line, where)
        dates_source = _text(entry, "dates-source", False, display, log, line, where)
        person_forms = _strings(entry, "forms", display, log, line, where)
        if "forms" not in entry:
            log.add("NAM002", f"{where}: missing `forms` (the exact spellings the text uses)", display, line)
        variants = _strings(entry, "variants", display, log, line, where)
        born = _year(entry, "born", display, log, line, where)
        died = _year(entry, "died", display, log, line, where)
        if born is not None and died is not None and born > died:
            log.add("NAM005", f"{where}: born {born} is after died {died}; check the dates", display, line)
        if (born is not None or died is not None) and not dates_source:
            log.add(
                "NAM006",
                f"{where}: life dates without `dates-source`; give the source they were read "
                "from or remove them (unverified dates must not print)",
                display,
                line,
            )
        for form in person_forms:
            key = normalise(form)
            owner = forms.get(key)
            if owner and owner[0] != pid:
                log.add(
                    "NAM004",
                    f"{where}: form {form!r} is also claimed by {owner[0]!r} (line {owner[1]}); "
                    "a form must name one person",
                    display,
                    line,
                )
            elif not owner:
                forms[key] = (pid, line)
        if pid and heading and person_forms:
            persons.append(
                Person(pid, heading, person_forms, original, born, died, dates_source, description, variants, line)
            )
    return persons


def load_persons(path: Path, display: str, log: DiagnosticLog) -> list[Person]:
    """Read and check a persons file (YAML errors raise YML001 at once; data errors go to ``log``)."""
    return parse_persons(load_yaml(path, display), display, log)

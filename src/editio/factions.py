"""The faction chart's data: organisations and their relations, read from `factions.yaml` and validated.

Every problem becomes a Diagnostic with a stable code (FAC001…), the file and the line, and all of them are
reported together in one EditionError. The schema is documented at the top of `manuscript/factions.yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import DiagnosticLog, EditionError, error
from .sources import read_text

KINDS = ("party", "faction", "bloc", "union", "international", "periodical-group")
BANDS = ("international", "trotskyist", "left", "mnr", "labour")
DEFAULT_BAND = {"international": "international", "union": "labour", "party": "trotskyist",
                "faction": "trotskyist", "bloc": "trotskyist", "periodical-group": "trotskyist"}
PRECISIONS = ("year", "month", "day", "approx", "unknown")
RELATION_TYPES = ("split-from", "faction-of", "entered", "renamed-to", "merged-into", "affiliated-with",
                  "recognised-by", "organ-of")
# Chains that must not loop back on themselves: a body cannot split from, or be renamed into, its own past.
ACYCLIC_TYPES = ("split-from", "renamed-to")

ORG_KEYS = {"id", "name", "label", "abbreviation", "original", "kind", "band", "founded", "ended", "leaders",
            "newspaper", "source", "note"}
ORG_REQUIRED = ("id", "name", "kind", "founded", "ended", "source")
REL_KEYS = {"type", "from", "to", "period", "source", "note"}
REL_REQUIRED = ("type", "from", "to", "source")
DATE_KEYS = {"year", "precision", "date", "after", "before", "note"}

CODES = {
    "FAC001": "YAML syntax error",
    "FAC002": "wrong type",
    "FAC003": "missing required field",
    "FAC004": "value not allowed",
    "FAC005": "duplicate id",
    "FAC006": "unknown organisation id in a relation",
    "FAC007": "missing source",
    "FAC008": "ended before founded",
    "FAC009": "relation period outside an organisation's lifetime",
    "FAC010": "cycle in split-from / renamed-to",
    "FAC011": "inconsistent date",
    "FAC012": "unknown key",
    "FAC013": "file cannot be read",
}

_ISO = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


@dataclass(frozen=True)
class DatePoint:
    """A founding or end date as precise as the sources allow; `precision == "unknown"` keeps only bounds."""

    precision: str
    year: int | None = None
    date: str | None = None
    after: int | None = None
    before: int | None = None
    note: str | None = None

    @property
    def known(self) -> bool:
        return self.precision != "unknown" and self.year is not None

    @property
    def uncertain(self) -> bool:
        return self.precision in ("approx", "unknown")

    @property
    def earliest(self) -> float:
        """The earliest year the event can have happened (``-inf`` when unbounded)."""
        if self.known:
            return self.year - (1 if self.precision == "approx" else 0)
        return self.after if self.after is not None else float("-inf")

    @property
    def latest(self) -> float:
        """The latest year the event can have happened (``inf`` when unbounded)."""
        if self.known:
            return self.year + (1 if self.precision == "approx" else 0)
        return self.before if self.before is not None else float("inf")

    def words(self) -> str:
        """The date in Russian words, never more precise than the data."""
        if self.known:
            if self.precision == "approx":
                return f"ок. {self.year}"
            if self.precision == "day" and self.date:
                y, m, d = self.date.split("-")
                return f"{int(d)}.{m}.{y}"
            if self.precision == "month" and self.date:
                y, m = self.date.split("-")[:2]
                return f"{m}.{y}"
            return str(self.year)
        if self.after is not None and self.before is not None:
            return f"{self.after}–{self.before}" if self.before - self.after == 1 else \
                f"между {self.after} и {self.before}"
        if self.after is not None:
            return f"не ранее {self.after}"
        if self.before is not None:
            return f"не позднее {self.before}"
        return "дата неизвестна"


UNKNOWN = DatePoint("unknown")


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    kind: str
    band: str
    founded: DatePoint
    ended: DatePoint
    sources: tuple[str, ...]
    label: str = ""
    abbreviation: str | None = None
    original: str | None = None
    leaders: tuple[str, ...] = ()
    newspaper: str | None = None
    note: str | None = None
    line: int | None = None

    @property
    def chart_label(self) -> str:
        """The Russian label drawn on the chart, with the abbreviation when the label lacks it."""
        base = self.label or self.name
        if self.abbreviation and self.abbreviation not in base:
            return f"{base} — {self.abbreviation}"
        return base


@dataclass(frozen=True)
class Relation:
    type: str
    source_id: str  # the organisation the relation starts from (YAML `from`)
    target_id: str  # YAML `to`
    sources: tuple[str, ...]
    start: int | None = None
    end: int | None = None
    note: str | None = None
    line: int | None = None

    @property
    def year(self) -> int | None:
        """The year a connector is drawn at: the start of the period, else its end."""
        return self.start if self.start is not None else self.end


@dataclass(frozen=True)
class FactionData:
    organisations: tuple[Organisation, ...]
    relations: tuple[Relation, ...]
    file: str = "factions.yaml"
    by_id: dict[str, Organisation] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id.update({o.id: o for o in self.organisations})


# ---- YAML with lines ---------------------------------------------------------------------------------------

class _Map(dict):
    """A YAML mapping that remembers its own line and the line of each key (1-based)."""

    line: int | None = None
    key_lines: dict


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records where each mapping and each of its keys starts."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _line(node: Any, key: str | None = None) -> int | None:
    if isinstance(node, _Map):
        if key is not None and key in node.key_lines:
            return node.key_lines[key]
        return node.line
    return None


# ---- parsing ---------------------------------------------------------------------------------------------------

class _Parser:
    def __init__(self, file: str):
        self.file = file
        self.log = DiagnosticLog()

    def err(self, code: str, message: str, line: int | None) -> None:
        self.log.add(code, message, self.file, line)

    def check_keys(self, node: _Map, allowed: set[str], what: str) -> None:
        for key in sorted(set(node) - allowed, key=str):
            self.err("FAC012", f"unknown key {key!r} in {what}; allowed keys: {', '.join(sorted(allowed))}",
                     _line(node, key))

    def string(self, node: _Map, key: str, what: str, required: bool = False) -> str | None:
        if key not in node or node[key] is None:
            if required:
                code = "FAC007" if key == "source" else "FAC003"
                self.err(code, f"{what} has no {key!r}; add it", _line(node))
            return None
        value = node[key]
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.err("FAC002", f"{what}: {key!r} must be a string, not {type(value).__name__}", _line(node, key))
            return None
        return str(value)

    def strings(self, node: _Map, key: str, what: str, required: bool = False) -> tuple[str, ...]:
        value = node.get(key)
        if value is None or value == [] or value == "":
            if required:
                code = "FAC007" if key == "source" else "FAC003"
                self.err(code, f"{what} has no {key!r}; add it (a note number, seed line, @bibkey or URL)"
                         if key == "source" else f"{what} has no {key!r}; add it", _line(node, key))
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
            return tuple(str(v) for v in value)
        self.err("FAC002", f"{what}: {key!r} must be a string or a list of strings", _line(node, key))
        return ()

    def date(self, node: _Map, key: str, what: str) -> DatePoint:
        value = node.get(key)
        line = _line(node, key)
        label = f"{what}: {key!r}"
        if value == "unknown":
            return UNKNOWN
        if not isinstance(value, _Map):
            self.err("FAC002", f"{label} must be a mapping {{year, precision}} or 'unknown', "
                     f"not {type(value).__name__}", line)
            return UNKNOWN
        self.check_keys(value, DATE_KEYS, label)
        precision = value.get("precision", "year" if "year" in value else None)
        if precision not in PRECISIONS:
            self.err("FAC004", f"{label}: precision {precision!r} is not one of {', '.join(PRECISIONS)}",
                     _line(value, "precision"))
            return UNKNOWN
        ints = {}
        for k in ("year", "after", "before"):
            v = value.get(k)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int)):
                self.err("FAC002", f"{label}: {k!r} must be a whole year, not {v!r}", _line(value, k))
                v = None
            ints[k] = v
        iso = value.get("date")
        if iso is not None:
            iso = str(iso)
            m = _ISO.match(iso)
            if not m:
                self.err("FAC011", f"{label}: date {iso!r} is not ISO (YYYY, YYYY-MM or YYYY-MM-DD)",
                         _line(value, "date"))
                iso = None
            elif ints["year"] is not None and int(m.group(1)) != ints["year"]:
                self.err("FAC011", f"{label}: date {iso} does not match year {ints['year']}", _line(value, "date"))
        note = value.get("note")
        if precision == "unknown":
            if ints["year"] is not None:
                self.err("FAC011", f"{label}: precision 'unknown' with a year; give bounds (after/before) "
                         "instead, or the precision of the year", _line(value, "year"))
            if ints["after"] is not None and ints["before"] is not None and ints["after"] > ints["before"]:
                self.err("FAC011", f"{label}: after {ints['after']} is later than before {ints['before']}",
                         _line(value))
            return DatePoint("unknown", after=ints["after"], before=ints["before"], note=note)
        if ints["year"] is None:
            self.err("FAC003", f"{label}: precision {precision!r} needs a 'year'", _line(value))
            return UNKNOWN
        return DatePoint(precision, ints["year"], iso, note=note)

    def organisation(self, node: Any, index: int) -> Organisation | None:
        if not isinstance(node, _Map):
            self.err("FAC002", f"organisation #{index + 1} must be a mapping", None)
            return None
        what = f"organisation {node.get('id', '#' + str(index + 1))!r}"
        self.check_keys(node, ORG_KEYS, what)
        for key in ORG_REQUIRED:
            if key not in node and key != "source":
                self.err("FAC003", f"{what} has no {key!r}; add it", _line(node))
        org_id = self.string(node, "id", what)
        name = self.string(node, "name", what)
        kind = self.string(node, "kind", what)
        if kind is not None and kind not in KINDS:
            self.err("FAC004", f"{what}: kind {kind!r} is not one of {', '.join(KINDS)}", _line(node, "kind"))
        band = self.string(node, "band", what) or DEFAULT_BAND.get(kind or "", "trotskyist")
        if band not in BANDS:
            self.err("FAC004", f"{what}: band {band!r} is not one of {', '.join(BANDS)}", _line(node, "band"))
        founded = self.date(node, "founded", what) if "founded" in node else UNKNOWN
        ended = self.date(node, "ended", what) if "ended" in node else UNKNOWN
        sources = self.strings(node, "source", what, required=True)
        if founded.earliest > ended.latest or (founded.known and ended.known and founded.year > ended.year):
            self.err("FAC008", f"{what} ends ({ended.words()}) before it is founded ({founded.words()})",
                     _line(node, "ended"))
        if org_id is None or name is None:
            return None
        return Organisation(
            id=org_id, name=name, kind=kind or "party", band=band, founded=founded, ended=ended, sources=sources,
            label=self.string(node, "label", what) or "", abbreviation=self.string(node, "abbreviation", what),
            original=self.string(node, "original", what), leaders=self.strings(node, "leaders", what),
            newspaper=self.string(node, "newspaper", what), note=self.string(node, "note", what),
            line=_line(node))

    def relation(self, node: Any, index: int) -> Relation | None:
        if not isinstance(node, _Map):
            self.err("FAC002", f"relation #{index + 1} must be a mapping", None)
            return None
        what = f"relation #{index + 1} ({node.get('from')} {node.get('type')} {node.get('to')})"
        self.check_keys(node, REL_KEYS, what)
        for key in REL_REQUIRED:
            if key not in node and key != "source":
                self.err("FAC003", f"{what} has no {key!r}; add it", _line(node))
        rtype = self.string(node, "type", what)
        if rtype is not None and rtype not in RELATION_TYPES:
            self.err("FAC004", f"{what}: type {rtype!r} is not one of {', '.join(RELATION_TYPES)}",
                     _line(node, "type"))
        source_id = self.string(node, "from", what)
        target_id = self.string(node, "to", what)
        sources = self.strings(node, "source", what, required=True)
        start = end = None
        period = node.get("period")
        if period is not None:
            if not isinstance(period, _Map):
                self.err("FAC002", f"{what}: 'period' must be a mapping {{start, end}}", _line(node, "period"))
            else:
                self.check_keys(period, {"start", "end"}, f"{what} period")
                for k in ("start", "end"):
                    v = period.get(k)
                    if v is not None and (isinstance(v, bool) or not isinstance(v, int)):
                        self.err("FAC002", f"{what}: period {k} must be a whole year, not {v!r}", _line(period, k))
                        v = None
                    if k == "start":
                        start = v
                    else:
                        end = v
                if start is not None and end is not None and end < start:
                    self.err("FAC011", f"{what}: period ends ({end}) before it starts ({start})", _line(period))
        if rtype is None or source_id is None or target_id is None:
            return None
        return Relation(rtype, source_id, target_id, sources, start, end, self.string(node, "note", what),
                        _line(node))


def _check_graph(data: FactionData, p: _Parser) -> None:
    by_id = data.by_id
    for rel in data.relations:
        what = f"relation {rel.source_id} {rel.type} {rel.target_id}"
        missing = [i for i in (rel.source_id, rel.target_id) if i not in by_id]
        for i in missing:
            p.err("FAC006", f"{what}: no organisation has id {i!r}; check the spelling or add it", rel.line)
        if missing:
            continue
        for org_id in (rel.source_id, rel.target_id):
            org = by_id[org_id]
            for year, which in ((rel.start, "starts"), (rel.end, "ends")):
                if year is None:
                    continue
                if year < org.founded.earliest or year > org.ended.latest:
                    p.err("FAC009", f"{what}: the period {which} in {year}, outside the lifetime of {org_id!r} "
                          f"({org.founded.words()} – {org.ended.words()})", rel.line)
    # cycles in split-from / renamed-to, found by depth-first search in sorted order (deterministic message)
    edges: dict[str, list[Relation]] = {}
    for rel in data.relations:
        if rel.type in ACYCLIC_TYPES and rel.source_id in by_id and rel.target_id in by_id:
            edges.setdefault(rel.source_id, []).append(rel)
    state: dict[str, int] = {}
    reported: set[frozenset] = set()

    def visit(node: str, path: list[Relation]) -> None:
        state[node] = 1
        for rel in sorted(edges.get(node, []), key=lambda r: (r.target_id, r.line or 0)):
            nxt = rel.target_id
            if state.get(nxt) == 1:
                start = next((i for i, r in enumerate(path) if r.source_id == nxt), len(path))
                loop = path[start:] + [rel]
                key = frozenset((r.source_id, r.target_id) for r in loop)
                if key not in reported:
                    reported.add(key)
                    chain = " → ".join([r.source_id for r in loop] + [nxt])
                    p.err("FAC010", f"cycle in split-from/renamed-to: {chain}; one of these relations is reversed",
                          rel.line)
            elif state.get(nxt, 0) == 0:
                visit(nxt, path + [rel])
        state[node] = 2

    for node in sorted(edges):
        if state.get(node, 0) == 0:
            visit(node, [])


def parse_factions(text: str, file: str = "factions.yaml") -> FactionData:
    """Parse and validate the YAML text of a factions file; raise EditionError listing every problem."""
    p = _Parser(file)
    try:
        raw = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        p.log.add("FAC001", f"invalid YAML: {exc.problem or exc.context}; fix the syntax there", file,
                  mark.line + 1 if mark else None, mark.column + 1 if mark else None)
        p.log.raise_if_errors()
    if not isinstance(raw, _Map):
        p.err("FAC002", "the file must be a mapping with 'organisations' and 'relations'", 1)
        p.log.raise_if_errors()
    p.check_keys(raw, {"organisations", "relations"}, "the top level")
    orgs_raw = raw.get("organisations")
    rels_raw = raw.get("relations") or []
    if not isinstance(orgs_raw, list):
        p.err("FAC002" if orgs_raw is not None else "FAC003", "'organisations' must be a list of mappings",
              _line(raw, "organisations") or 1)
        orgs_raw = []
    if not isinstance(rels_raw, list):
        p.err("FAC002", "'relations' must be a list of mappings", _line(raw, "relations"))
        rels_raw = []
    orgs: list[Organisation] = []
    seen: dict[str, int | None] = {}
    for i, node in enumerate(orgs_raw):
        org = p.organisation(node, i)
        if org is None:
            continue
        if org.id in seen:
            p.err("FAC005", f"organisation id {org.id!r} is used twice (first on line {seen[org.id]}); "
                  "ids must be unique", org.line)
            continue
        seen[org.id] = org.line
        orgs.append(org)
    rels = [r for r in (p.relation(node, i) for i, node in enumerate(rels_raw)) if r is not None]
    data = FactionData(tuple(orgs), tuple(rels), file)
    _check_graph(data, p)
    p.log.raise_if_errors()
    return data


def load_factions(path: str | Path, display: str | None = None) -> FactionData:
    """Read and validate a factions file; the file name in diagnostics is `display` or the path as given."""
    name = display or str(path)
    try:
        text = read_text(Path(path), display=name)
    except EditionError as exc:
        if exc.diagnostics[0].code != "SRC002":
            raise
        raise error("FAC013", "cannot read the factions file (not found); check the 'data' path", name) from None
    except OSError as exc:
        raise error("FAC013", f"cannot read the factions file ({exc.strerror}); check the 'data' path",
                    name) from None
    return parse_factions(text, name)

"""The faction chart's data: organisations and their relations, read from `factions.yaml` and validated.

Every problem becomes a Diagnostic with a stable code (FAC001…), the file and the line, and all of them are
reported together in one EditionError. The schema is documented at the top of `manuscript/factions.yaml`; the
optional `chart:` map (time range, axis segments, bands, words) is read into ChartSettings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from .errors import DiagnosticLog, EditionError, error
from .sources import read_text
from .yamlfile import LineDict as _Map
from .yamlfile import check_limits, load_with_lines

KINDS = ("party", "faction", "bloc", "union", "international", "periodical-group")
PRECISIONS = ("year", "month", "day", "approx", "unknown")
RELATION_TYPES = (
    "split-from",
    "faction-of",
    "entered",
    "renamed-to",
    "merged-into",
    "affiliated-with",
    "recognised-by",
    "organ-of",
)
# Chains that must not loop back on themselves: a body cannot split from, or be renamed into, its own past.
ACYCLIC_TYPES = ("split-from", "renamed-to")

ORG_KEYS = {
    "id",
    "name",
    "label",
    "short",
    "abbreviation",
    "original",
    "kind",
    "band",
    "founded",
    "ended",
    "leaders",
    "newspaper",
    "source",
    "note",
}
ORG_REQUIRED = ("id", "name", "kind", "founded", "ended", "source")
REL_KEYS = {"type", "from", "to", "period", "source", "note"}
REL_REQUIRED = ("type", "from", "to", "source")
DATE_KEYS = {"year", "precision", "date", "after", "before", "note"}
CHART_KEYS = {"years", "axis", "bands", "words"}
AXIS_KEYS = {"from", "to", "share", "title"}
BAND_KEYS = {"id", "title"}

# Every string the chart and its text alternative print, in English; `chart: words:` in the data file (or a
# catalogue the caller passes) replaces any of them. Placeholders in braces are filled by editio.chart.
DEFAULT_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "title": "Organisations on a time axis",
        "description": "Time axis {first}–{last}. Organisations: {organisations}, one lane each, in groups: {bands}. "
        "Relations: {relations}; splits, renamings, mergers and entries are vertical connectors, ties "
        "to international bodies are the colour and pattern of a bar; a pale bar end means an unknown "
        "or approximate date. The same data follow as text.",
        "legend.no-tie": "no tie to an international body",
        "legend.uncertain": "date unknown or approximate",
        "legend.continues": "still exists after {year}",
        "relation.split-from": "split (arrow to the new body)",
        "relation.renamed-to": "became, renamed",
        "relation.merged-into": "merged into, joined",
        "relation.entered": "entry (entrism) into a party",
        "relation.faction-of": "faction inside",
        "relation.organ-of": "organ of",
        "relation.affiliated-with": "tie, affiliation",
        "relation.recognised-by": "recognised by",
        "table.split-from.from": "split from: {other}",
        "table.split-from.to": "{other} split from it",
        "table.faction-of.from": "faction inside: {other}",
        "table.faction-of.to": "faction inside it: {other}",
        "table.entered.from": "entered (entrism): {other}",
        "table.entered.to": "entered by (entrism): {other}",
        "table.renamed-to.from": "became: {other}",
        "table.renamed-to.to": "arose from: {other}",
        "table.merged-into.from": "merged into: {other}",
        "table.merged-into.to": "joined by: {other}",
        "table.affiliated-with.from": "tied to: {other}",
        "table.affiliated-with.to": "tied to it: {other}",
        "table.recognised-by.from": "recognised by: {other}",
        "table.recognised-by.to": "recognised: {other}",
        "table.organ-of.from": "organ of: {other}",
        "table.organ-of.to": "its organ: {other}",
        "period.range": "{start}–{end}",
        "period.since": "from {start}",
        "period.until": "until {end}",
        "period.none": "year not given",
        "lifetime": "{founded} – {ended}",
        "date.approx": "c. {year}",
        "date.day": "{year}-{month}-{day:02d}",
        "date.month": "{year}-{month}",
        "date.span": "{after}–{before}",
        "date.between": "between {after} and {before}",
        "date.not-before": "not before {after}",
        "date.not-after": "not after {before}",
        "date.unknown": "date unknown",
        "axis.compressed": "compressed scale",
    }
)

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

    def words(self, words: Mapping[str, str] | None = None) -> str:
        """The date in words (English unless `words` gives the `date.*` strings), never more precise than the data."""
        w = DEFAULT_WORDS if words is None else words
        if self.known:
            if self.precision == "approx":
                return w["date.approx"].format(year=self.year)
            if self.precision == "day" and self.date:
                y, m, d = self.date.split("-")
                return w["date.day"].format(year=y, month=m, day=int(d))
            if self.precision == "month" and self.date:
                y, m = self.date.split("-")[:2]
                return w["date.month"].format(year=y, month=m)
            return str(self.year)
        if self.after is not None and self.before is not None:
            key = "date.span" if self.before - self.after == 1 else "date.between"
            return w[key].format(after=self.after, before=self.before)
        if self.after is not None:
            return w["date.not-before"].format(after=self.after)
        if self.before is not None:
            return w["date.not-after"].format(before=self.before)
        return w["date.unknown"]


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
    short: str = ""
    abbreviation: str | None = None
    original: str | None = None
    leaders: tuple[str, ...] = ()
    newspaper: str | None = None
    note: str | None = None
    line: int | None = None

    @property
    def chart_label(self) -> str:
        """The label drawn on the wide chart, with the abbreviation when the label lacks it."""
        base = self.label or self.name
        if self.abbreviation and self.abbreviation not in base:
            return f"{base} — {self.abbreviation}"
        return base

    @property
    def short_label(self) -> str:
        """The label drawn on the narrow chart and in the legend: `short`, else the abbreviation, else the label."""
        return self.short or self.abbreviation or self.label or self.name


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
class AxisSegment:
    """A stretch of the time axis, [start, end) in years, drawn over `share` of the plot width."""

    start: int
    end: int
    share: float
    title: str = ""


@dataclass(frozen=True)
class Band:
    """A group of lanes with the title drawn above it."""

    id: str
    title: str


@dataclass(frozen=True)
class ChartSettings:
    """The optional `chart:` map; what is missing is computed from the data by editio.chart."""

    years: tuple[int, int] | None = None
    axis: tuple[AxisSegment, ...] = ()
    bands: tuple[Band, ...] = ()
    words: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FactionData:
    organisations: tuple[Organisation, ...]
    relations: tuple[Relation, ...]
    file: str = "factions.yaml"
    chart: ChartSettings = field(default_factory=ChartSettings)
    by_id: dict[str, Organisation] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id.update({o.id: o for o in self.organisations})


# ---- YAML with lines ---------------------------------------------------------------------------------------


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
        self.band_lines: dict[str, int | None] = {}

    def err(self, code: str, message: str, line: int | None) -> None:
        self.log.add(code, message, self.file, line)

    def check_keys(self, node: _Map, allowed: set[str], what: str) -> None:
        for key in sorted(set(node) - allowed, key=str):
            self.err(
                "FAC012", f"unknown key {key!r} in {what}; allowed keys: {', '.join(sorted(allowed))}", _line(node, key)
            )

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
                self.err(
                    code,
                    f"{what} has no {key!r}; add it (a note number, seed line, @bibkey or URL)"
                    if key == "source"
                    else f"{what} has no {key!r}; add it",
                    _line(node, key),
                )
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
            self.err(
                "FAC002",
                f"{label} must be a mapping {{year, precision}} or 'unknown', not {type(value).__name__}",
                line,
            )
            return UNKNOWN
        self.check_keys(value, DATE_KEYS, label)
        precision = value.get("precision", "year" if "year" in value else None)
        if precision not in PRECISIONS:
            self.err(
                "FAC004",
                f"{label}: precision {precision!r} is not one of {', '.join(PRECISIONS)}",
                _line(value, "precision"),
            )
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
                self.err(
                    "FAC011", f"{label}: date {iso!r} is not ISO (YYYY, YYYY-MM or YYYY-MM-DD)", _line(value, "date")
                )
                iso = None
            elif ints["year"] is not None and int(m.group(1)) != ints["year"]:
                self.err("FAC011", f"{label}: date {iso} does not match year {ints['year']}", _line(value, "date"))
        note = value.get("note")
        if precision == "unknown":
            if ints["year"] is not None:
                self.err(
                    "FAC011",
                    f"{label}: precision 'unknown' with a year; give bounds (after/before) "
                    "instead, or the precision of the year",
                    _line(value, "year"),
                )
            if ints["after"] is not None and ints["before"] is not None and ints["after"] > ints["before"]:
                self.err(
                    "FAC011", f"{label}: after {ints['after']} is later than before {ints['before']}", _line(value)
                )
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
        # without a band, lanes group by kind; declared bands are checked once all organisations are read
        band = self.string(node, "band", what) or kind or "party"
        if isinstance(node.get("id"), str):
            self.band_lines[node["id"]] = _line(node, "band") or _line(node)
        founded = self.date(node, "founded", what) if "founded" in node else UNKNOWN
        ended = self.date(node, "ended", what) if "ended" in node else UNKNOWN
        sources = self.strings(node, "source", what, required=True)
        if founded.earliest > ended.latest or (founded.known and ended.known and founded.year > ended.year):
            self.err(
                "FAC008",
                f"{what} ends ({ended.words()}) before it is founded ({founded.words()})",
                _line(node, "ended"),
            )
        if org_id is None or name is None:
            return None
        return Organisation(
            id=org_id,
            name=name,
            kind=kind or "party",
            band=band,
            founded=founded,
            ended=ended,
            sources=sources,
            label=self.string(node, "label", what) or "",
            short=self.string(node, "short", what) or "",
            abbreviation=self.string(node, "abbreviation", what),
            original=self.string(node, "original", what),
            leaders=self.strings(node, "leaders", what),
            newspaper=self.string(node, "newspaper", what),
            note=self.string(node, "note", what),
            line=_line(node),
        )

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
            self.err("FAC004", f"{what}: type {rtype!r} is not one of {', '.join(RELATION_TYPES)}", _line(node, "type"))
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
        return Relation(rtype, source_id, target_id, sources, start, end, self.string(node, "note", what), _line(node))

    def year(self, node: _Map, key: str, what: str) -> int | None:
        value = node.get(key)
        if value is None:
            self.err("FAC003", f"{what} has no {key!r}; add it", _line(node))
        elif isinstance(value, bool) or not isinstance(value, int):
            self.err("FAC002", f"{what}: {key!r} must be a whole year, not {value!r}", _line(node, key))
        else:
            return value
        return None

    def chart(self, node: Any, line: int | None) -> ChartSettings:
        """The `chart:` map: years [first, last], axis segments with shares, bands with titles, words."""
        if node is None:
            return ChartSettings()
        if not isinstance(node, _Map):
            self.err("FAC002", f"'chart' must be a mapping with {', '.join(sorted(CHART_KEYS))}", line)
            return ChartSettings()
        self.check_keys(node, CHART_KEYS, "chart")
        years = None
        raw_years = node.get("years")
        if raw_years is not None:
            if (
                not isinstance(raw_years, list)
                or len(raw_years) != 2
                or any(isinstance(v, bool) or not isinstance(v, int) for v in raw_years)
            ):
                self.err(
                    "FAC002",
                    f"chart: 'years' must be two whole years [first, last], not {raw_years!r}",
                    _line(node, "years"),
                )
            elif raw_years[0] >= raw_years[1]:
                self.err(
                    "FAC004",
                    f"chart: 'years' must rise: {raw_years[0]} is not before {raw_years[1]}",
                    _line(node, "years"),
                )
            else:
                years = (raw_years[0], raw_years[1])
        axis = self.axis(node, years)
        if years is None and axis:
            years = (axis[0].start, axis[-1].end)
        return ChartSettings(years, axis, self.bands(node), self.words(node))

    def axis(self, node: _Map, years: tuple[int, int] | None) -> tuple[AxisSegment, ...]:
        raw = node.get("axis")
        if raw is None:
            return ()
        if not isinstance(raw, list) or not raw:
            self.err("FAC002", "chart: 'axis' must be a list of {from, to, share} segments", _line(node, "axis"))
            return ()
        segments: list[AxisSegment] = []
        lines: list[int | None] = []
        for i, seg in enumerate(raw):
            what = f"chart axis segment #{i + 1}"
            if not isinstance(seg, _Map):
                self.err("FAC002", f"{what} must be a mapping {{from, to, share}}", _line(node, "axis"))
                return ()
            self.check_keys(seg, AXIS_KEYS, what)
            start, end = self.year(seg, "from", what), self.year(seg, "to", what)
            share = seg.get("share")
            if share is None:
                self.err("FAC003", f"{what} has no 'share' (the fraction of the width it gets); add it", _line(seg))
            elif isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
                self.err(
                    "FAC004",
                    f"{what}: 'share' must be a number above 0 and at most 1, not {share!r}",
                    _line(seg, "share"),
                )
                share = None
            title = self.string(seg, "title", what) or ""
            if start is None or end is None or share is None:
                return ()
            if end <= start:
                self.err("FAC014", f"{what}: 'to' ({end}) must be after 'from' ({start})", _line(seg, "to"))
                return ()
            if segments and start != segments[-1].end:
                self.err(
                    "FAC014",
                    f"{what} starts in {start} but the segment before ends in {segments[-1].end}; "
                    "segments must follow each other without gaps",
                    _line(seg, "from"),
                )
                return ()
            segments.append(AxisSegment(start, end, float(share), title))
            lines.append(_line(seg))
        total = sum(s.share for s in segments)
        if abs(total - 1.0) > 1e-6:
            self.err("FAC014", f"chart: the axis shares add up to {total:g}, not 1; adjust them", _line(node, "axis"))
            return ()
        if years is not None and (segments[0].start, segments[-1].end) != years:
            self.err(
                "FAC014",
                f"chart: the axis runs {segments[0].start}–{segments[-1].end} but 'years' is "
                f"{years[0]}–{years[1]}; make them agree",
                _line(node, "axis"),
            )
            return ()
        return tuple(segments)

    def bands(self, node: _Map) -> tuple[Band, ...]:
        raw = node.get("bands")
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.err("FAC002", "chart: 'bands' must be a list of {id, title}", _line(node, "bands"))
            return ()
        bands: list[Band] = []
        seen: dict[str, int | None] = {}
        for i, item in enumerate(raw):
            what = f"chart band #{i + 1}"
            if not isinstance(item, _Map):
                self.err("FAC002", f"{what} must be a mapping {{id, title}}", _line(node, "bands"))
                continue
            self.check_keys(item, BAND_KEYS, what)
            band_id = self.string(item, "id", what, required=True)
            title = self.string(item, "title", what)
            if band_id is None:
                continue
            if band_id in seen:
                self.err("FAC005", f"band id {band_id!r} is used twice (first on line {seen[band_id]})", _line(item))
                continue
            seen[band_id] = _line(item)
            bands.append(Band(band_id, title if title is not None else band_id))
        return tuple(bands)

    def words(self, node: _Map) -> dict[str, str]:
        raw = node.get("words")
        if raw is None:
            return {}
        if not isinstance(raw, _Map):
            self.err("FAC002", "chart: 'words' must be a mapping of word keys to strings", _line(node, "words"))
            return {}
        words = {}
        for key, value in raw.items():
            if key not in DEFAULT_WORDS:
                self.err(
                    "FAC012",
                    f"unknown key {key!r} in chart words; see DEFAULT_WORDS in editio.factions for the keys",
                    _line(raw, key),
                )
            elif not isinstance(value, str):
                self.err(
                    "FAC002", f"chart words: {key!r} must be a string, not {type(value).__name__}", _line(raw, key)
                )
            else:
                words[key] = value
        return words


def _check_bands(data: FactionData, p: _Parser) -> None:
    """With declared bands, every organisation's band must be one of them."""
    declared = [b.id for b in data.chart.bands]
    if not declared:
        return
    for org in data.organisations:
        if org.band not in declared:
            p.err(
                "FAC004",
                f"organisation {org.id!r}: band {org.band!r} is not one of the chart's bands "
                f"({', '.join(declared)}); declare it under chart: bands or change the band",
                p.band_lines.get(org.id, org.line),
            )


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
                    p.err(
                        "FAC009",
                        f"{what}: the period {which} in {year}, outside the lifetime of {org_id!r} "
                        f"({org.founded.words()} – {org.ended.words()})",
                        rel.line,
                    )
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
                    p.err(
                        "FAC010",
                        f"cycle in split-from/renamed-to: {chain}; one of these relations is reversed",
                        rel.line,
                    )
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
        check_limits(text, file)
        raw = load_with_lines(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        p.log.add(
            "FAC001",
            f"invalid YAML: {exc.problem or exc.context}; fix the syntax there",
            file,
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
        )
        p.log.raise_if_errors()
    if not isinstance(raw, _Map):
        p.err("FAC002", "the file must be a mapping with 'organisations' and 'relations'", 1)
        p.log.raise_if_errors()
    p.check_keys(raw, {"organisations", "relations", "chart"}, "the top level")
    orgs_raw = raw.get("organisations")
    rels_raw = raw.get("relations") or []
    if not isinstance(orgs_raw, list):
        p.err(
            "FAC002" if orgs_raw is not None else "FAC003",
            "'organisations' must be a list of mappings",
            _line(raw, "organisations") or 1,
        )
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
            p.err(
                "FAC005",
                f"organisation id {org.id!r} is used twice (first on line {seen[org.id]}); ids must be unique",
                org.line,
            )
            continue
        seen[org.id] = org.line
        orgs.append(org)
    rels = [r for r in (p.relation(node, i) for i, node in enumerate(rels_raw)) if r is not None]
    chart = p.chart(raw.get("chart"), _line(raw, "chart"))
    data = FactionData(tuple(orgs), tuple(rels), file, chart)
    _check_bands(data, p)
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
        raise error("FAC013", f"cannot read the factions file ({exc.strerror}); check the 'data' path", name) from None
    return parse_factions(text, name)

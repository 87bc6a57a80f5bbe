"""The faction chart as pure functions: FactionData → layout (lanes, bars, connectors, legend) → SVG text.

One lane per organisation on a time axis, grouped in bands; affiliations to international bodies colour the
bars; splits, renamings, mergers and entries are connectors. Output is deterministic (fixed number format, data
order, no random ids) and keeps all text as <text>. `faction_chart_table` gives the same data as rows of words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from .factions import BANDS, DatePoint, FactionData, Organisation, Relation

FONT_FAMILY = "Libertinus Serif, serif"
BAND_TITLES = {
    "international": "Международные организации",
    "trotskyist": "Боливийские троцкисты",
    "left": "Другие партии левого фланга",
    "mnr": "MNR",
    "labour": "Профсоюзы",
}
# Okabe–Ito colours (distinguishable with colour-blindness), given to international bodies in lane order;
# the light blue, orange and yellow darkened to reach 3:1 against white (WCAG 1.4.11 non-text contrast).
PALETTE = ("#1F4E79", "#0072B2", "#3A8FC7", "#009E73", "#B07800", "#CC79A7", "#D55E00", "#8C7B00")
NEUTRAL = "#8A8A8A"
INK = "#222222"
GRID = "#DDDDDD"
FADE_YEARS = 2.0
# types drawn as connectors; affiliated-with / recognised-by / organ-of to an international body become colour
CONNECTOR_STYLE = {
    # type: (dash pattern, stroke width, arrow head at, word for the legend)
    "split-from": ("", 0.8, "from", "раскол: выделение"),
    "renamed-to": ("", 1.4, "to", "преобразование, переименование"),
    "merged-into": ("", 0.8, "to", "слияние, вхождение в состав"),
    "entered": ("2.2 1.4", 0.8, "to", "энтризм (вхождение в партию)"),
    "faction-of": ("0.6 1.2", 0.7, None, "фракция, орган, связь"),
    "organ-of": ("0.6 1.2", 0.7, None, "фракция, орган, связь"),
    "affiliated-with": ("0.6 1.2", 0.7, None, "фракция, орган, связь"),
    "recognised-by": ("0.6 1.2", 0.7, None, "фракция, орган, связь"),
}
COLOUR_TYPES = ("affiliated-with", "recognised-by", "organ-of")


@dataclass(frozen=True)
class Geometry:
    """Sizes in points (1/72 in). `breaks` maps years to fractions of the plot width (a piecewise scale)."""

    width: float
    breaks: tuple[tuple[float, float], ...]
    margin: float = 4.0
    label_size: float = 7.0
    small_size: float = 6.0
    bar_height: float = 5.0
    lane_gap: float = 2.8
    first_year: int = 1935
    last_year: int = 1965


LAYOUTS = {
    # wide: the text width of an A5 page (about 110 mm)
    "wide": Geometry(width=312.0, breaks=((1935, 0.0), (1950, 0.27), (1965, 1.0))),
    # narrow: for phone screens; the same font in a narrower box reads larger when scaled to the screen
    "narrow": Geometry(width=220.0, breaks=((1935, 0.0), (1950, 0.2), (1965, 1.0))),
}


# ---- text metrics ------------------------------------------------------------------------------------------

_WIDE_CHARS = set("МШЩЖЮФЫmwMWЩ—@%")
_NARROW_CHARS = set(" .,:;'!|ilj()[]‘’")


def char_advance(ch: str) -> float:
    """A conservative advance width in em for Libertinus Serif (real glyphs are narrower, never wider)."""
    if ch in _WIDE_CHARS:
        return 1.0
    if ch in _NARROW_CHARS:
        return 0.36
    if ch.isdigit():
        return 0.56
    if ch.isupper():
        return 0.78
    return 0.6


def text_width(text: str, size: float) -> float:
    return sum(char_advance(c) for c in text) * size


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: "Box") -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


@dataclass(frozen=True)
class TextItem:
    x: float
    y: float  # baseline
    text: str
    size: float
    anchor: str = "start"  # start | middle | end
    style: str = ""  # "", "italic", "bold"
    colour: str = INK
    role: str = "label"  # label | axis | band | legend

    @property
    def box(self) -> Box:
        w = text_width(self.text, self.size)
        x0 = {"start": self.x, "middle": self.x - w / 2, "end": self.x - w}[self.anchor]
        return Box(x0, self.y - 0.8 * self.size, x0 + w, self.y + 0.25 * self.size)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    opacity: float = 1.0


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    width: float
    dash: str = ""


@dataclass(frozen=True)
class Polygon:
    points: tuple[tuple[float, float], ...]
    fill: str


@dataclass
class Lane:
    org: Organisation
    top: float
    bar_y: float
    x_start: float  # where the bar (including a faded start) begins
    x_end: float
    colour: str


@dataclass
class ChartLayout:
    width: float
    height: float
    title: str
    desc: str
    lanes: list[Lane] = field(default_factory=list)
    texts: list[TextItem] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    polygons: list[Polygon] = field(default_factory=list)
    grid: list[Line] = field(default_factory=list)


# ---- scale --------------------------------------------------------------------------------------------------

def year_x(year: float, g: Geometry) -> float:
    """The x of a (fractional) year on the piecewise-linear axis, clamped to the axis."""
    plot = g.width - 2 * g.margin
    (y0, f0) = g.breaks[0]
    if year <= y0:
        return g.margin + f0 * plot
    for (ya, fa), (yb, fb) in zip(g.breaks, g.breaks[1:]):
        if year <= yb:
            return g.margin + (fa + (fb - fa) * (year - ya) / (yb - ya)) * plot
    return g.margin + g.breaks[-1][1] * plot


def _mid(d: DatePoint) -> float:
    """The point in time an exactly dated event is drawn at: mid-year, mid-month, or the day."""
    if d.precision == "day" and d.date:
        _, m, day = (int(p) for p in d.date.split("-"))
        return d.year + (m - 1 + (day - 0.5) / 31) / 12
    if d.precision == "month" and d.date:
        return d.year + (int(d.date.split("-")[1]) - 0.5) / 12
    return d.year + 0.5


@dataclass(frozen=True)
class Span:
    """A lifetime in years: solid from `solid0` to `solid1`, faded from `fade0` / to `fade1`."""

    fade0: float
    solid0: float
    solid1: float
    fade1: float
    continues: bool


def lifetime_span(org: Organisation, relations: tuple[Relation, ...], g: Geometry) -> Span:
    """Where to draw an organisation's bar; uncertain ends fade over FADE_YEARS instead of showing a guess."""
    f, e = org.founded, org.ended
    anchors = sorted(y + 0.5 for r in relations if org.id in (r.source_id, r.target_id)
                     for y in (r.start, r.end) if y is not None)
    if f.known and f.precision != "approx":
        fade0 = solid0 = _mid(f)
    elif f.precision == "approx":
        fade0, solid0 = f.year - 0.5, f.year + 1.5
    elif f.before is not None:
        solid0 = f.before + 0.5
        fade0 = f.after + 0.5 if f.after is not None else solid0 - FADE_YEARS
    elif f.after is not None:
        fade0 = f.after + 0.5
        solid0 = fade0 + FADE_YEARS
    else:
        solid0 = anchors[0] if anchors else g.first_year + FADE_YEARS
        fade0 = solid0 - FADE_YEARS
    continues = False
    if e.known and e.precision != "approx":
        solid1 = fade1 = _mid(e)
    elif e.precision == "approx":
        solid1, fade1 = e.year - 0.5, e.year + 1.5
    elif e.after is not None and e.after >= g.last_year - 1 and e.before is None:
        solid1 = fade1 = float(g.last_year)
        continues = True
    elif e.after is not None:
        solid1 = e.after + 0.5
        fade1 = e.before + 0.5 if e.before is not None else solid1 + FADE_YEARS
    else:
        solid1 = max([solid0] + anchors)
        fade1 = solid1 + FADE_YEARS
    solid1 = max(solid1, solid0)
    lo, hi = float(g.first_year), float(g.last_year)
    clamp = lambda v: min(max(v, lo), hi)  # noqa: E731
    return Span(clamp(fade0), clamp(solid0), clamp(solid1), clamp(fade1), continues)


# ---- layout -------------------------------------------------------------------------------------------------

def _wrap(text: str, size: float, width: float) -> list[str]:
    """Break a label at spaces into lines no wider than `width` (a single long word stays whole)."""
    words: list[str] = []
    for word in text.split(" "):
        # never separate an initial from the name that follows it ("У. Гонсалес")
        if words and len(words[-1]) <= 3 and words[-1].endswith(".") and words[-1][0].isupper():
            words[-1] += " " + word
        else:
            words.append(word)
    lines, current = [], ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines


def international_colours(data: FactionData) -> dict[str, str]:
    """A colour for each international body, in lane order."""
    intl = [o for o in data.organisations if o.band == "international"]
    return {o.id: PALETTE[i % len(PALETTE)] for i, o in enumerate(intl)}


def ordered_organisations(data: FactionData) -> list[Organisation]:
    """Lanes in band order; within a band, in the order of the data file."""
    rank = {b: i for i, b in enumerate(BANDS)}
    return sorted(data.organisations, key=lambda o: rank[o.band])  # sorted() is stable


def layout_chart(data: FactionData, variant: str = "wide", title: str = "") -> ChartLayout:
    """Place every lane, bar, connector, axis label and legend item for one layout variant."""
    g = LAYOUTS[variant]
    colours = international_colours(data)
    orgs = ordered_organisations(data)
    title = title or "Схема организаций на временной оси"
    out = ChartLayout(g.width, 0.0, title, chart_description(data, g))
    line_h = g.label_size * 1.2
    plot_x0, plot_x1 = g.margin, g.width - g.margin
    y = g.margin + g.small_size  # baseline of the top axis labels
    axis_top = _axis(out, g, y, above=True)
    y = axis_top + 4.0
    lanes_top = y
    band = None
    for org in orgs:
        if org.band != band:
            band = org.band
            y += 3.0
            out.lines.append(Line(plot_x0, y, plot_x1, y, "#BBBBBB", 0.4))
            y += g.small_size + 1.5
            out.texts.append(TextItem(plot_x0, y, BAND_TITLES.get(band, band), g.small_size, style="italic",
                                      colour="#555555", role="band"))
            y += 2.5
        span = lifetime_span(org, data.relations, g)
        x0, x1 = year_x(span.fade0, g), year_x(span.fade1, g)
        colour = colours.get(org.id, NEUTRAL)
        label = org.chart_label
        width = text_width(label, g.label_size)
        right_end = x1 + (4.0 if span.continues else 0.0)
        if width + 3.0 <= x0 - plot_x0 or right_end + 3.0 + width <= plot_x1:
            # one line: the label beside the bar, on its centre line
            bar_y = y + 2.0
            baseline = bar_y + g.bar_height / 2 + 0.3 * g.label_size
            if width + 3.0 <= x0 - plot_x0:
                out.texts.append(TextItem(x0 - 3.0, baseline, label, g.label_size, anchor="end"))
            else:
                out.texts.append(TextItem(right_end + 3.0, baseline, label, g.label_size))
            out.lanes.append(Lane(org, y, bar_y, x0, x1, colour))
        else:
            lines = _wrap(label, g.label_size, plot_x1 - plot_x0)
            widest = max(text_width(t, g.label_size) for t in lines)
            label_x = min(max(x0, plot_x0), plot_x1 - widest)
            top = y
            for t in lines:
                y += line_h
                out.texts.append(TextItem(label_x, y - 0.2 * g.label_size, t, g.label_size))
            bar_y = y + 1.0
            out.lanes.append(Lane(org, top, bar_y, x0, x1, colour))
        _bar(out, g, span, bar_y, colour)
        y = bar_y + g.bar_height + g.lane_gap
    lanes_bottom = y
    _affiliations(out, data, g, colours)
    _connectors(out, data, g)
    for tick in range(g.first_year, g.last_year + 1, 5):
        x = year_x(tick, g)
        out.grid.append(Line(x, lanes_top, x, lanes_bottom, GRID, 0.4))
    y = _axis(out, g, lanes_bottom + 2.0, above=False)
    y = _legend(out, data, g, colours, y + 6.0)
    out.height = math.ceil(y + g.margin)
    return out


def _axis(out: ChartLayout, g: Geometry, y: float, above: bool) -> float:
    """Year labels every five years and a tick every year; returns the y of the axis line."""
    if above:
        line_y = y + 3.0
        _tick_labels(out, g, y)
    else:
        line_y = y
        label_y = y + 3.0 + g.small_size
        _tick_labels(out, g, label_y)
    out.lines.append(Line(year_x(g.first_year, g), line_y, year_x(g.last_year, g), line_y, INK, 0.5))
    for year in range(g.first_year, g.last_year + 1):
        major = year % 5 == 0
        dy = 2.0 if major else 1.0
        out.lines.append(Line(year_x(year, g), line_y - (dy if above else 0), year_x(year, g),
                              line_y + (0 if above else dy), INK, 0.4))
    return line_y if above else label_y


def _tick_labels(out: ChartLayout, g: Geometry, y: float) -> None:
    """A label every five years, dropping one that would touch its neighbour where the scale is compressed."""
    kept: list[TextItem] = []
    ticks = list(range(g.first_year, g.last_year + 1, 5))
    for tick in ticks:
        item = TextItem(year_x(tick, g), y, str(tick), g.small_size, anchor=_tick_anchor(tick, g), role="axis")
        grown = Box(item.box.x0 - 2, item.box.y0, item.box.x1 + 2, item.box.y1)
        if kept and grown.overlaps(kept[-1].box):
            if tick != ticks[-1]:
                continue
            kept.pop()
        kept.append(item)
    out.texts.extend(kept)


def _tick_anchor(tick: int, g: Geometry) -> str:
    """Edge labels align inward so they stay inside the picture."""
    if tick == g.first_year:
        return "start"
    return "end" if tick == g.last_year else "middle"


def _bar(out: ChartLayout, g: Geometry, span: Span, bar_y: float, colour: str) -> None:
    steps = (0.75, 0.5, 0.3, 0.15)
    if span.solid0 > span.fade0:
        a, b = year_x(span.fade0, g), year_x(span.solid0, g)
        w = (b - a) / len(steps)
        for i, op in enumerate(reversed(steps)):
            out.rects.append(Rect(a + i * w, bar_y, w, g.bar_height, colour, op))
    a, b = year_x(span.solid0, g), year_x(span.solid1, g)
    out.rects.append(Rect(a, bar_y, max(b - a, 1.0), g.bar_height, colour))
    if span.fade1 > span.solid1:
        a, b = year_x(span.solid1, g), year_x(span.fade1, g)
        w = (b - a) / len(steps)
        for i, op in enumerate(steps):
            out.rects.append(Rect(a + i * w, bar_y, w, g.bar_height, colour, op))
    if span.continues:
        x = year_x(span.solid1, g)
        h = g.bar_height
        out.polygons.append(Polygon(((x, bar_y - 1.0), (x + 3.0, bar_y + h / 2), (x, bar_y + h + 1.0)), colour))


def _lane(out: ChartLayout, org_id: str) -> Lane:
    return next(lane for lane in out.lanes if lane.org.id == org_id)


def _affiliations(out: ChartLayout, data: FactionData, g: Geometry, colours: dict[str, str]) -> None:
    """Stripes inside a bar, in the colour of the international body, for the years of the tie."""
    ties: dict[str, list[Relation]] = {}
    for rel in data.relations:
        if rel.type in COLOUR_TYPES and rel.target_id in colours and rel.year is not None:
            ties.setdefault(rel.source_id, []).append(rel)
    for org_id in sorted(ties):
        lane = _lane(out, org_id)
        rels = sorted(ties[org_id], key=lambda r: (list(colours).index(r.target_id), r.start or 0))
        h = g.bar_height / len(rels)
        span = lifetime_span(lane.org, data.relations, g)
        for i, rel in enumerate(rels):
            start = rel.start + 0.5 if rel.start is not None else span.solid0
            end = rel.end + 0.5 if rel.end is not None else span.fade1
            a, b = year_x(max(start, span.fade0), g), year_x(min(end, span.fade1), g)
            if b > a:
                out.rects.append(Rect(a, lane.bar_y + i * h, b - a, h, colours[rel.target_id]))


def _connectors(out: ChartLayout, data: FactionData, g: Geometry) -> None:
    """Vertical connectors between lanes at the year of the relation; ties of one year are spread apart."""
    colours = international_colours(data)
    drawn = [r for r in data.relations if r.year is not None
             and not (r.type in COLOUR_TYPES and r.target_id in colours)]
    by_year: dict[int, list[Relation]] = {}
    for rel in drawn:
        by_year.setdefault(rel.year, []).append(rel)
    order = {lane.org.id: i for i, lane in enumerate(out.lanes)}
    for year in sorted(by_year):
        group = sorted(by_year[year], key=lambda r: (min(order[r.source_id], order[r.target_id]),
                                                     order[r.source_id], order[r.target_id], r.type))
        for i, rel in enumerate(group):
            x = year_x(year + 0.5, g) + (i - (len(group) - 1) / 2) * 2.0
            a, b = _lane(out, rel.source_id), _lane(out, rel.target_id)
            dash, width, head, _ = CONNECTOR_STYLE[rel.type]
            ya = a.bar_y + g.bar_height / 2
            yb = b.bar_y + g.bar_height / 2
            out.lines.append(Line(x, ya, x, yb, INK, width, dash))
            if head is not None:
                tip_y = ya if head == "from" else yb
                other_y = yb if head == "from" else ya
                direction = 1 if tip_y > other_y else -1
                base = tip_y - direction * (g.bar_height / 2 + 2.4)
                tip = tip_y - direction * g.bar_height / 2
                out.polygons.append(Polygon(((x - 1.3, base), (x + 1.3, base), (x, tip)), INK))


def _legend(out: ChartLayout, data: FactionData, g: Geometry, colours: dict[str, str], y: float) -> float:
    """A flowing legend: affiliation colours, connector styles, bar ends. Returns the bottom y."""
    size = g.small_size
    items: list[tuple[str, object]] = []
    for org_id, colour in colours.items():
        org = data.by_id[org_id]
        items.append((org.abbreviation or org.label or org.name, ("swatch", colour)))
    items.append(("без международной связи", ("swatch", NEUTRAL)))
    used = {r.type for r in data.relations if r.year is not None}
    seen_words: set[str] = set()
    for rtype, (dash, width, head, words) in CONNECTOR_STYLE.items():
        if rtype in used and words not in seen_words and not (rtype in COLOUR_TYPES and rtype != "faction-of"):
            seen_words.add(words)
            items.append((words, ("line", dash, width, head)))
    items.append(("дата неизвестна или приблизительна", ("fade",)))
    items.append(("существует и после 1964", ("continues",)))
    items.append((f"шкала {g.breaks[0][0]}–{g.breaks[1][0]} сжата", ("none",)))
    swatch_w, gap = 10.0, 6.0
    x, row_y = g.margin, y + size
    for text, sym in items:
        w = (swatch_w + 2.5 if sym[0] != "none" else 0) + text_width(text, size)
        if x > g.margin and x + w > g.width - g.margin:
            x, row_y = g.margin, row_y + size * 1.5
        cy = row_y - size * 0.3
        if sym[0] == "swatch":
            out.rects.append(Rect(x, cy - 2.0, swatch_w, 4.0, sym[1]))
        elif sym[0] == "line":
            _, dash, width, head = sym
            out.lines.append(Line(x, cy, x + swatch_w, cy, INK, width, dash))
            if head is not None:
                out.polygons.append(Polygon(((x + swatch_w - 2.4, cy - 1.3), (x + swatch_w - 2.4, cy + 1.3),
                                             (x + swatch_w, cy)), INK))
        elif sym[0] == "fade":
            for i, op in enumerate((0.75, 0.5, 0.3, 0.15)):
                out.rects.append(Rect(x + i * swatch_w / 4, cy - 2.0, swatch_w / 4, 4.0, NEUTRAL, op))
        elif sym[0] == "continues":
            out.rects.append(Rect(x, cy - 2.0, swatch_w - 3.0, 4.0, NEUTRAL))
            out.polygons.append(Polygon(((x + swatch_w - 3.0, cy - 3.0), (x + swatch_w, cy),
                                         (x + swatch_w - 3.0, cy + 3.0)), NEUTRAL))
        tx = x + (swatch_w + 2.5 if sym[0] != "none" else 0)
        out.texts.append(TextItem(tx, row_y, text, size, role="legend",
                                  style="italic" if sym[0] == "none" else ""))
        x += w + gap
    return row_y + size * 0.4


# ---- words ----------------------------------------------------------------------------------------------------

RELATION_WORDS = {
    # type: (as seen from `from`, as seen from `to`); the subject is «организация» (feminine)
    "split-from": ("выделилась из: {other}", "от неё отделилась: {other}"),
    "faction-of": ("фракция в составе: {other}", "фракция внутри неё: {other}"),
    "entered": ("вошла (энтризм) в: {other}", "в неё вошла (энтризм): {other}"),
    "renamed-to": ("преобразована в: {other}", "возникла из: {other}"),
    "merged-into": ("влилась в: {other}", "в неё влилась: {other}"),
    "affiliated-with": ("связана с: {other}", "с ней связана: {other}"),
    "recognised-by": ("признана организацией: {other}", "признала: {other}"),
    "organ-of": ("орган организации: {other}", "её орган: {other}"),
}


def short_name(org: Organisation) -> str:
    return org.abbreviation or org.label or org.name


def period_words(rel: Relation) -> str:
    if rel.start is not None and rel.end is not None:
        return f"{rel.start}–{rel.end}" if rel.end != rel.start else str(rel.start)
    if rel.start is not None:
        return f"с {rel.start}"
    if rel.end is not None:
        return f"до {rel.end}"
    return "год не указан"


def lifetime_words(org: Organisation) -> str:
    founded = org.founded.words()
    ended = org.ended.words()
    if org.ended.precision == "unknown" and org.ended.after is not None and org.ended.before is None:
        ended = f"существует и после {org.ended.after}"
    return f"{founded} – {ended}"


@dataclass(frozen=True)
class TableRow:
    """One organisation in words, for readers who cannot see the chart."""

    id: str
    name: str
    original: str
    years: str
    relations: tuple[str, ...]


def faction_chart_table(data: FactionData) -> list[TableRow]:
    """The chart's data as rows, in lane order: name, years, relations in words (both directions)."""
    rows = []
    for org in ordered_organisations(data):
        parts = []
        for rel in data.relations:
            if rel.source_id == org.id:
                phrase = RELATION_WORDS[rel.type][0].format(other=short_name(data.by_id[rel.target_id]))
            elif rel.target_id == org.id:
                phrase = RELATION_WORDS[rel.type][1].format(other=short_name(data.by_id[rel.source_id]))
            else:
                continue
            parts.append(f"{phrase} ({period_words(rel)})")
        name = org.name + (f" ({org.abbreviation})" if org.abbreviation and org.abbreviation not in org.name else "")
        rows.append(TableRow(org.id, name, org.original or "", lifetime_words(org), tuple(parts)))
    return rows


def plural_ru(n: int, forms: tuple[str, str, str]) -> str:
    """`n` with the Russian noun form it needs: (1 организация, 2 организации, 5 организаций)."""
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} {forms[0]}"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return f"{n} {forms[1]}"
    return f"{n} {forms[2]}"


ORGANISATIONS = ("организация", "организации", "организаций")
RELATIONS = ("связь", "связи", "связей")


def chart_description(data: FactionData, g: Geometry) -> str:
    return (f"Временная ось {g.first_year}–{g.last_year}: {plural_ru(len(data.organisations), ORGANISATIONS)}, по одной полосе "
            f"на каждую, сгруппированных: {', '.join(BAND_TITLES[b].lower() if b != 'mnr' else 'MNR' for b in BANDS if any(o.band == b for o in data.organisations))}. "
            f"{plural_ru(len(data.relations), RELATIONS)}: расколы, преобразования, слияния и энтризм показаны вертикальными "
            "линиями, связь с международными организациями — цветом полосы; бледный конец полосы означает "
            "неизвестную или приблизительную дату. Те же данные даны текстом под рисунком.")


# ---- SVG ------------------------------------------------------------------------------------------------------

def _n(v: float) -> str:
    """Fixed, locale-free number format: two decimals, trailing zeros dropped."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def render_svg(layout: ChartLayout) -> str:
    w, h = layout.width, layout.height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title chart-desc" '
        f'width="{_n(w)}pt" height="{_n(h)}pt" viewBox="0 0 {_n(w)} {_n(h)}" '
        f'font-family="{FONT_FAMILY}">',
        f'<title id="chart-title">{escape(layout.title)}</title>',
        f'<desc id="chart-desc">{escape(layout.desc)}</desc>',
        f'<rect x="0" y="0" width="{_n(w)}" height="{_n(h)}" fill="#FFFFFF"/>',
        '<g id="grid">',
    ]
    for ln in layout.grid:
        out.append(_line(ln))
    out.append('</g>\n<g id="bars">')
    for r in layout.rects:
        op = "" if r.opacity >= 1 else f' fill-opacity="{_n(r.opacity)}"'
        out.append(f'<rect x="{_n(r.x)}" y="{_n(r.y)}" width="{_n(r.w)}" height="{_n(r.h)}" '
                   f'fill="{r.fill}"{op}/>')
    out.append('</g>\n<g id="connectors">')
    for ln in layout.lines:
        out.append(_line(ln))
    for p in layout.polygons:
        pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in p.points)
        out.append(f'<polygon points="{pts}" fill="{p.fill}"/>')
    out.append('</g>\n<g id="labels" stroke="#FFFFFF" stroke-width="1.6" stroke-linejoin="round" '
               'paint-order="stroke">')
    for t in layout.texts:
        attrs = f'x="{_n(t.x)}" y="{_n(t.y)}" font-size="{_n(t.size)}" fill="{t.colour}"'
        if t.anchor != "start":
            attrs += f' text-anchor="{t.anchor}"'
        if t.style == "italic":
            attrs += ' font-style="italic"'
        elif t.style == "bold":
            attrs += ' font-weight="bold"'
        out.append(f"<text {attrs}>{escape(t.text)}</text>")
    out.append("</g>\n</svg>\n")
    return "\n".join(out)


def _line(ln: Line) -> str:
    dash = f' stroke-dasharray="{ln.dash}"' if ln.dash else ""
    return (f'<line x1="{_n(ln.x1)}" y1="{_n(ln.y1)}" x2="{_n(ln.x2)}" y2="{_n(ln.y2)}" stroke="{ln.stroke}" '
            f'stroke-width="{_n(ln.width)}"{dash}/>')


def faction_chart_svg(data: FactionData, variant: str = "wide", title: str = "") -> str:
    """The chart as a standalone SVG document (deterministic: same data, same bytes)."""
    return render_svg(layout_chart(data, variant, title))

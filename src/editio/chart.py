"""The faction chart as pure functions: FactionData → layout (label column, lanes, bars, connectors, axis, legend)
→ SVG text.

Labels sit in a column left of the plot, so no connector can cross them; the time range, axis segments, bands
and every printed word come from the data's `chart:` map (or the caller's `words`), with defaults computed
from the data. Output is deterministic (fixed number format, data order, no random ids) and keeps text as <text>.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from xml.sax.saxutils import escape

from .factions import DEFAULT_WORDS, AxisSegment, Band, DatePoint, FactionData, Organisation, Relation

FONT_FAMILY = "Libertinus Serif, serif"
# Okabe–Ito colours (distinguishable with colour-blindness), darkened to 3:1 against white (WCAG 1.4.11), given
# to international bodies in lane order; each also gets its own white pattern so classes stay apart in greyscale.
PALETTE = ("#1F4E79", "#0072B2", "#009E73", "#B07800", "#CC79A7", "#D55E00", "#3A8FC7", "#8C7B00")
PATTERNS = ("solid", "hatch", "dots", "horizontal", "cross", "back-hatch", "vertical", "grid")
NEUTRAL = "#8A8A8A"
INK = "#222222"
GREY_TEXT = "#555555"
RULE = "#BBBBBB"
GRID = "#E2E2E2"
FADE_STEPS = (0.75, 0.5, 0.3, 0.15)
FADE_YEARS = 2.0
# relation types that draw no connector when their target is an international body: they colour the bar instead
COLOUR_TYPES = ("affiliated-with", "recognised-by", "organ-of")


@dataclass(frozen=True)
class ConnectorStyle:
    """How one relation type is drawn: a dash pattern, a width and a marker at each end (see `_marker`)."""

    dash: str
    width: float
    from_marker: str  # at the end of the organisation in the relation's `from`
    to_marker: str


# Every type has its own dash pattern or markers, so no two kinds look alike in black and white print.
CONNECTOR_STYLE = {
    "split-from": ConnectorStyle("", 0.8, "arrow", "dot"),  # from the parent (dot) to the new body
    "renamed-to": ConnectorStyle("", 1.5, "none", "arrow"),
    "merged-into": ConnectorStyle("3.2 1.2", 0.8, "bar", "arrow"),
    "entered": ConnectorStyle("1.6 1.1", 0.8, "none", "open"),
    "faction-of": ConnectorStyle("0.5 1", 0.7, "none", "diamond"),
    "organ-of": ConnectorStyle("0.5 1", 0.7, "none", "bar"),
    "affiliated-with": ConnectorStyle("2.5 1 0.5 1", 0.7, "none", "none"),
    "recognised-by": ConnectorStyle("2.5 1 0.5 1", 0.7, "none", "open"),
}


@dataclass(frozen=True)
class Geometry:
    """Sizes in points (1/72 in) for one layout variant; `max_height` is the box the chart must fit (or None)."""

    width: float
    max_height: float | None
    label_share: float  # the label column's part of the inner width
    label_size: float
    small_size: float
    bar_height: float
    lane_gap: float
    margin: float = 4.0
    short_labels: bool = False
    legend_column: float = 140.0  # the narrowest a legend column may be

    def scaled(self, factor: float) -> Geometry:
        return replace(
            self,
            label_size=self.label_size * factor,
            small_size=self.small_size * factor,
            bar_height=self.bar_height * factor,
            lane_gap=self.lane_gap * factor,
        )


LAYOUTS = {
    # wide: the text block of an A5 page (114 mm = 323 pt wide), a page of its own: at most 440 pt tall, which
    # leaves room for a three-line caption in the 487 pt text block
    "wide": Geometry(
        width=323.0, max_height=440.0, label_share=0.40, label_size=6.5, small_size=6.0, bar_height=4.6, lane_gap=1.6
    ),
    # narrow: phones; 216 pt shown 360 px wide puts 7 pt text at about 11.7 px
    "narrow": Geometry(
        width=216.0,
        max_height=None,
        label_share=0.36,
        label_size=7.0,
        small_size=6.8,
        bar_height=5.0,
        lane_gap=1.8,
        short_labels=True,
    ),
}
FIT_FACTORS = (1.0, 0.96, 0.92, 0.88, 0.84)


# ---- text metrics ------------------------------------------------------------------------------------------

# glyphs about 1 em wide in Libertinus Serif: Latin m w M W, the Cyrillic capitals Em, Sha, Shcha, Zhe, Yu, Ef,
# Yeru, Lje, Nje, the ligatures AE and OE, W circumflex, the numero sign, the em dash (a font metric, not a
# language choice)
_WIDE_CHARS = set("mwMW—@%\u041c\u0428\u0429\u0416\u042e\u0424\u042b\u0409\u040a\u00c6\u0152\u0174\u2116")
# lower-case glyphs up to 0.85 em: Cyrillic sha, shcha, zhe, yu, yeru, nje; oe, w circumflex, the ellipsis;
# in italic also Cyrillic te (drawn like an m); and up to 0.71 em: Cyrillic em, ef, lje, ae, the ampersand
_BROAD_CHARS = set("\u0448\u0449\u0436\u044e\u044b\u045a\u0153\u0175…")
_BROAD_ITALIC_CHARS = set("\u0442")
_MEDIUM_CHARS = set("\u043c\u0444\u0459\u00e6&")
_NARROW_CHARS = set(" .,:;'!|ilj()[]‘’")


def char_advance(ch: str, italic: bool = False) -> float:
    """A conservative advance width in em for Libertinus Serif (real glyphs are narrower, never wider; checked
    against the font for Latin and Cyrillic in tests/test_chart.py)."""
    if ch in _WIDE_CHARS:
        return 1.0
    if ch in _BROAD_CHARS or (italic and ch in _BROAD_ITALIC_CHARS):
        return 0.86
    if ch in _MEDIUM_CHARS:
        return 0.72
    if ch in _NARROW_CHARS:
        return 0.36
    if ch.isdigit():
        return 0.56
    if ch.isupper():
        return 0.78
    return 0.6


def text_width(text: str, size: float, italic: bool = False) -> float:
    return sum(char_advance(c, italic) for c in text) * size


# ---- primitives ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def crossed_by(self, x1: float, y1: float, x2: float, y2: float) -> bool:
        """Whether the segment (x1, y1)–(x2, y2) passes through the box (Liang–Barsky clipping)."""
        t0, t1 = 0.0, 1.0
        dx, dy = x2 - x1, y2 - y1
        for p, q in ((-dx, x1 - self.x0), (dx, self.x1 - x1), (-dy, y1 - self.y0), (dy, self.y1 - y1)):
            if p == 0:
                if q < 0:
                    return False
            else:
                t = q / p
                if p < 0:
                    t0 = max(t0, t)
                else:
                    t1 = min(t1, t)
                if t0 > t1:
                    return False
        return True


@dataclass(frozen=True)
class TextItem:
    x: float
    y: float  # baseline
    text: str
    size: float
    anchor: str = "start"  # start | middle | end
    style: str = ""  # "", "italic"
    colour: str = INK
    role: str = "label"  # label | axis | band | legend

    @property
    def box(self) -> Box:
        w = text_width(self.text, self.size, self.style == "italic")
        x0 = {"start": self.x, "middle": self.x - w / 2, "end": self.x - w}[self.anchor]
        return Box(x0, self.y - 0.8 * self.size, x0 + w, self.y + 0.25 * self.size)


@dataclass(frozen=True)
class Fill:
    """A bar's paint: a colour and a white pattern over it (``solid`` for none)."""

    colour: str
    pattern: str = "solid"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: Fill
    opacity: float = 1.0

    @property
    def box(self) -> Box:
        return Box(self.x, self.y, self.x + self.w, self.y + self.h)


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    width: float
    dash: str = ""
    role: str = "rule"  # rule | axis | grid | guide | connector | legend
    relation: str = ""  # the relation type of a connector


@dataclass(frozen=True)
class Polygon:
    points: tuple[tuple[float, float], ...]
    fill: str
    stroke: str = ""
    role: str = "marker"

    @property
    def box(self) -> Box:
        xs, ys = [p[0] for p in self.points], [p[1] for p in self.points]
        return Box(min(xs), min(ys), max(xs), max(ys))


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float
    fill: str

    @property
    def box(self) -> Box:
        return Box(self.cx - self.r, self.cy - self.r, self.cx + self.r, self.cy + self.r)


@dataclass
class Lane:
    org: Organisation
    top: float
    bar_y: float
    x_start: float  # where the bar (including a faded start) begins
    x_end: float
    fill: Fill


@dataclass
class ChartLayout:
    width: float
    height: float
    title: str
    desc: str
    geometry: Geometry
    scale: Scale
    plot_x0: float = 0.0
    lanes: list[Lane] = field(default_factory=list)
    texts: list[TextItem] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    polygons: list[Polygon] = field(default_factory=list)
    circles: list[Circle] = field(default_factory=list)
    grid: list[Line] = field(default_factory=list)


# ---- settings from the data, with defaults ------------------------------------------------------------------


def chart_words(data: FactionData, words: Mapping[str, str] | None = None) -> dict[str, str]:
    """English defaults, then the caller's catalogue, then the data file's `chart: words` (most specific wins)."""
    return {**DEFAULT_WORDS, **(words or {}), **data.chart.words}


def _data_years(data: FactionData) -> list[int]:
    years: list[int] = []
    for org in data.organisations:
        for d in (org.founded, org.ended):
            years += [y for y in (d.year, d.after, d.before) if y is not None]
    for rel in data.relations:
        years += [y for y in (rel.start, rel.end) if y is not None]
    return years


def chart_years(data: FactionData) -> tuple[int, int]:
    """The axis runs from the start of `first` to the start of `last`: declared, or the data's span."""
    if data.chart.years is not None:
        return data.chart.years
    years = _data_years(data)
    if not years:
        return (0, 1)
    return (min(years), max(years) + 1)


def chart_axis(data: FactionData) -> tuple[AxisSegment, ...]:
    """The declared axis segments, or one linear segment over the whole range."""
    if data.chart.axis:
        return data.chart.axis
    first, last = chart_years(data)
    return (AxisSegment(first, last, 1.0),)


def chart_bands(data: FactionData) -> tuple[Band, ...]:
    """The declared bands that have lanes, in their order; else the bands in order of first use, titled by id."""
    used = list(dict.fromkeys(o.band for o in data.organisations))
    if data.chart.bands:
        return tuple(b for b in data.chart.bands if b.id in used)
    return tuple(Band(b, b) for b in used)


def ordered_organisations(data: FactionData) -> list[Organisation]:
    """Lanes in band order; within a band, in the order of the data file."""
    rank = {b.id: i for i, b in enumerate(chart_bands(data))}
    return sorted(data.organisations, key=lambda o: rank.get(o.band, len(rank)))  # sorted() is stable


def colour_classes(data: FactionData) -> dict[str, Fill]:
    """A colour and a pattern for each international body, in lane order."""
    intl = [o for o in ordered_organisations(data) if o.kind == "international"]
    # past the eighth body the pairs repeat their patterns with another colour (the greyscale limit is eight)
    return {
        o.id: Fill(PALETTE[(i + i // len(PATTERNS)) % len(PALETTE)], PATTERNS[i % len(PATTERNS)])
        for i, o in enumerate(intl)
    }


@dataclass(frozen=True)
class Scale:
    """A piecewise-linear time axis: each segment gets its share of the plot width [x0, x1]."""

    first: int
    last: int
    segments: tuple[AxisSegment, ...]
    x0: float
    x1: float

    def x(self, year: float) -> float:
        """The x of a (fractional) year, clamped to the axis."""
        year = min(max(year, self.first), self.last)
        done = 0.0
        for seg in self.segments:
            if year <= seg.end or seg is self.segments[-1]:
                done += seg.share * (year - seg.start) / (seg.end - seg.start)
                break
            done += seg.share
        return self.x0 + done * (self.x1 - self.x0)

    def density(self, seg: AxisSegment) -> float:
        """Points per year in a segment."""
        return seg.share * (self.x1 - self.x0) / (seg.end - seg.start)


def year_x(year: float, scale: Scale) -> float:
    return scale.x(year)


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


def lifetime_span(org: Organisation, relations: tuple[Relation, ...], first: int, last: int) -> Span:
    """Where to draw an organisation's bar; uncertain ends fade over FADE_YEARS instead of showing a guess."""
    f, e = org.founded, org.ended
    anchors = sorted(
        y + 0.5 for r in relations if org.id in (r.source_id, r.target_id) for y in (r.start, r.end) if y is not None
    )
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
        solid0 = anchors[0] if anchors else first + FADE_YEARS
        fade0 = solid0 - FADE_YEARS
    continues = False
    if e.known and e.precision != "approx":
        solid1 = fade1 = _mid(e)
    elif e.precision == "approx":
        solid1, fade1 = e.year - 0.5, e.year + 1.5
    elif e.after is not None and e.after >= last - 1 and e.before is None:
        solid1 = fade1 = float(last)
        continues = True
    elif e.after is not None:
        solid1 = e.after + 0.5
        fade1 = e.before + 0.5 if e.before is not None else solid1 + FADE_YEARS
    else:
        solid1 = max([solid0] + anchors)
        fade1 = solid1 + FADE_YEARS
    solid1 = max(solid1, solid0)
    clamp = lambda v: min(max(v, float(first)), float(last))  # noqa: E731
    return Span(clamp(fade0), clamp(solid0), clamp(solid1), clamp(fade1), continues)


# ---- layout -------------------------------------------------------------------------------------------------


def _wrap(text: str, size: float, width: float, italic: bool = False) -> list[str]:
    """Break a label at spaces into lines no wider than `width` (a single long word stays whole)."""
    words: list[str] = []
    for word in text.split(" "):
        # never separate an initial from the name that follows it
        initial = words[-1].lstrip('(«"') if words else ""
        if initial and len(initial) <= 3 and initial.endswith(".") and initial[0].isupper():
            words[-1] += " " + word
        else:
            words.append(word)
    lines, current = [], ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, size, italic) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines


def _text_block(
    out: ChartLayout, lines: list[str], x: float, centre_y: float, size: float, line_h: float, **style
) -> None:
    """Lines of text whose boxes together are centred on `centre_y`."""
    total = (len(lines) - 1) * line_h + 1.05 * size
    top = centre_y - total / 2
    for i, t in enumerate(lines):
        out.texts.append(TextItem(x, top + 0.8 * size + i * line_h, t, size, **style))


def layout_chart(
    data: FactionData, variant: str = "wide", title: str = "", words: Mapping[str, str] | None = None
) -> ChartLayout:
    """Place every lane, bar, connector, axis label and legend item; shrink the type a little if the box needs it."""
    base = LAYOUTS[variant]
    out = None
    for factor in FIT_FACTORS:
        out = _layout(data, base.scaled(factor), title, chart_words(data, words))
        if base.max_height is None or out.height <= base.max_height:
            break
    return out


def _layout(data: FactionData, g: Geometry, title: str, words: dict[str, str]) -> ChartLayout:
    first, last = chart_years(data)
    inner_x0, inner_x1 = g.margin, g.width - g.margin
    label_w = (inner_x1 - inner_x0) * g.label_share
    plot_x0 = inner_x0 + label_w + 4.0
    plot_x1 = inner_x1 - 4.0  # room for the arrow of a lane that continues past the axis
    scale = Scale(first, last, chart_axis(data), plot_x0, plot_x1)
    fills = colour_classes(data)
    out = ChartLayout(g.width, 0.0, title or words["title"], chart_description(data, words), g, scale, plot_x0)
    line_h = g.label_size * 1.1
    y = _axis(out, g, g.margin, above=True)
    lanes_top = y
    by_band: dict[str, list[Organisation]] = {}
    for org in ordered_organisations(data):
        by_band.setdefault(org.band, []).append(org)
    for band in chart_bands(data):
        y += 3.0
        out.lines.append(Line(inner_x0, y, inner_x1, y, RULE, 0.4))
        y += 1.5
        band_lines = _wrap(band.title, g.small_size, label_w, italic=True)
        band_h = (len(band_lines) - 1) * g.small_size * 1.15 + 1.05 * g.small_size
        _text_block(
            out,
            band_lines,
            inner_x0,
            y + band_h / 2,
            g.small_size,
            g.small_size * 1.15,
            style="italic",
            colour=GREY_TEXT,
            role="band",
        )
        y += band_h + 1.5
        for org in by_band[band.id]:
            y = _lane(out, data, g, org, fills, y, label_w, line_h)
    lanes_bottom = y + 1.0
    _affiliations(out, data, fills)
    _connectors(out, data)
    y = _axis(out, g, lanes_bottom, above=False)
    for x in _grid_xs(out):
        out.grid.append(Line(x, lanes_top, x, lanes_bottom, GRID, 0.4, role="grid"))
    y = _segment_titles(out, g, words, y)
    y = _legend(out, data, g, fills, words, y + 5.0)
    out.height = math.ceil(y + g.margin)
    return out


def _lane(
    out: ChartLayout,
    data: FactionData,
    g: Geometry,
    org: Organisation,
    fills: dict[str, Fill],
    y: float,
    label_w: float,
    line_h: float,
) -> float:
    """One organisation: its label in the column, a guide to its bar, the bar. Returns the next lane's top."""
    scale = out.scale
    label = org.short_label if g.short_labels else org.chart_label
    # a word longer than the column is set smaller rather than let it reach into the plot
    size = min([g.label_size] + [label_w / text_width(w, 1.0) for w in label.split(" ") if w])
    lines = _wrap(label, size, label_w)
    block_h = (len(lines) - 1) * line_h + 1.05 * size
    core = max(block_h, g.bar_height + 1.0)
    centre = y + core / 2
    _text_block(out, lines, g.margin, centre, size, line_h)
    span = lifetime_span(org, data.relations, scale.first, scale.last)
    x0, x1 = scale.x(span.fade0), scale.x(span.fade1)
    fill = fills.get(org.id, Fill(NEUTRAL))
    bar_y = centre - g.bar_height / 2
    if x0 - out.plot_x0 > 2.0:
        out.lines.append(Line(out.plot_x0, centre, x0 - 1.0, centre, RULE, 0.4, "0.4 1.2", role="guide"))
    out.lanes.append(Lane(org, y, bar_y, x0, x1, fill))
    _bar(out, g, span, bar_y, fill)
    return y + core + g.lane_gap


def _bar(out: ChartLayout, g: Geometry, span: Span, bar_y: float, fill: Fill) -> None:
    x = out.scale.x
    if span.solid0 > span.fade0:
        a, b = x(span.fade0), x(span.solid0)
        w = (b - a) / len(FADE_STEPS)
        for i, op in enumerate(reversed(FADE_STEPS)):
            out.rects.append(Rect(a + i * w, bar_y, w, g.bar_height, fill, op))
    a, b = x(span.solid0), x(span.solid1)
    out.rects.append(Rect(a, bar_y, max(b - a, 1.0), g.bar_height, fill))
    if span.fade1 > span.solid1:
        a, b = x(span.solid1), x(span.fade1)
        w = (b - a) / len(FADE_STEPS)
        for i, op in enumerate(FADE_STEPS):
            out.rects.append(Rect(a + i * w, bar_y, w, g.bar_height, fill, op))
    if span.continues:
        e = x(span.solid1)
        h = g.bar_height
        out.polygons.append(
            Polygon(((e, bar_y - 1.0), (e + 3.0, bar_y + h / 2), (e, bar_y + h + 1.0)), fill.colour, role="continues")
        )


def _lane_of(out: ChartLayout, org_id: str) -> Lane:
    return next(lane for lane in out.lanes if lane.org.id == org_id)


def _affiliations(out: ChartLayout, data: FactionData, fills: dict[str, Fill]) -> None:
    """Stripes inside a bar in the fill of the international body, for the years of the tie; ties that overlap
    in time share the bar's height, the others use all of it."""
    g, scale = out.geometry, out.scale
    ties: dict[str, list[Relation]] = {}
    for rel in data.relations:
        if rel.type in COLOUR_TYPES and rel.target_id in fills and rel.year is not None:
            ties.setdefault(rel.source_id, []).append(rel)
    order = list(fills)
    for org_id in sorted(ties):
        lane = _lane_of(out, org_id)
        span = lifetime_span(lane.org, data.relations, scale.first, scale.last)
        spans = []
        for rel in ties[org_id]:
            start = rel.start + 0.5 if rel.start is not None else span.solid0
            end = rel.end + 0.5 if rel.end is not None else span.fade1
            spans.append((max(start, span.fade0), min(end, span.fade1), order.index(rel.target_id), rel))
        spans.sort(key=lambda s: (s[0], s[2]))
        row_ends: list[float] = []
        rows = []
        for start, end, _, rel in spans:
            row = next((i for i, e in enumerate(row_ends) if e <= start), None)
            if row is None:
                row_ends.append(end)
                row = len(row_ends) - 1
            row_ends[row] = end
            rows.append((row, start, end, rel))
        # an international body keeps its own fill in the upper half of its bar, so the legend still finds it
        top = g.bar_height / 2 if org_id in fills else 0.0
        h = (g.bar_height - top) / len(row_ends)
        for row, start, end, rel in rows:
            a, b = scale.x(start), scale.x(end)
            if b > a:
                out.rects.append(Rect(a, lane.bar_y + top + row * h, b - a, h, fills[rel.target_id]))


def _connectors(out: ChartLayout, data: FactionData) -> None:
    """Vertical connectors between bars at the middle of the relation's year; ties of one year are spread."""
    g, scale = out.geometry, out.scale
    fills = colour_classes(data)
    drawn = [
        r
        for r in data.relations
        if r.year is not None and r.type in CONNECTOR_STYLE and not (r.type in COLOUR_TYPES and r.target_id in fills)
    ]
    by_year: dict[int, list[Relation]] = {}
    for rel in drawn:
        by_year.setdefault(rel.year, []).append(rel)
    order = {lane.org.id: i for i, lane in enumerate(out.lanes)}
    step = 2.4 * g.bar_height / 4.6
    for year in sorted(by_year):
        group = sorted(
            by_year[year],
            key=lambda r: (min(order[r.source_id], order[r.target_id]), order[r.source_id], order[r.target_id], r.type),
        )
        for i, rel in enumerate(group):
            x = scale.x(year + 0.5) + (i - (len(group) - 1) / 2) * step
            x = min(max(x, scale.x0 + 1.5), scale.x1 - 1.5)
            src, dst = _lane_of(out, rel.source_id), _lane_of(out, rel.target_id)
            style = CONNECTOR_STYLE[rel.type]
            down = order[rel.source_id] < order[rel.target_id]  # the line runs down from the `from` lane
            y_src = src.bar_y + (g.bar_height if down else 0.0)
            y_dst = dst.bar_y + (0.0 if down else g.bar_height)
            _connector(out, x, y_src, x, y_dst, style, rel.type, role="connector")


def _connector(
    out: ChartLayout, xa: float, ya: float, xb: float, yb: float, style: ConnectorStyle, rtype: str, role: str
) -> None:
    """A line from a to b with the style's markers; the line stops where an open marker begins."""
    length = math.hypot(xb - xa, yb - ya) or 1.0
    ux, uy = (xb - xa) / length, (yb - ya) / length
    size = out.geometry.bar_height / 4.6
    trim_a = MARKER_LENGTH["open"] * size if style.from_marker == "open" else 0.0
    trim_b = MARKER_LENGTH["open"] * size if style.to_marker == "open" else 0.0
    out.lines.append(
        Line(
            xa + ux * trim_a,
            ya + uy * trim_a,
            xb - ux * trim_b,
            yb - uy * trim_b,
            INK,
            style.width,
            style.dash,
            role=role,
            relation=rtype,
        )
    )
    _marker(out, style.from_marker, xa, ya, -ux, -uy, size, role)
    _marker(out, style.to_marker, xb, yb, ux, uy, size, role)


MARKER_LENGTH = {"arrow": 2.6, "open": 2.8, "dot": 2.4, "diamond": 3.0, "bar": 0.0, "none": 0.0}


def _marker(out: ChartLayout, kind: str, x: float, y: float, ux: float, uy: float, size: float, role: str) -> None:
    """A marker whose tip is at (x, y), pointing along (ux, uy)."""

    def at(u: float, v: float) -> tuple[float, float]:
        # u along the direction (negative = back along the line), v across it
        return (x + (u * ux - v * uy) * size, y + (u * uy + v * ux) * size)

    if kind == "arrow":
        out.polygons.append(Polygon((at(0, 0), at(-2.6, 1.35), at(-2.6, -1.35)), INK, role=role))
    elif kind == "open":
        out.polygons.append(Polygon((at(0, 0), at(-2.8, 1.5), at(-2.8, -1.5)), "#FFFFFF", INK, role=role))
    elif kind == "diamond":
        out.polygons.append(Polygon((at(0, 0), at(-1.5, 1.25), at(-3.0, 0), at(-1.5, -1.25)), INK, role=role))
    elif kind == "dot":
        cx, cy = at(-1.2, 0)
        out.circles.append(Circle(cx, cy, 1.2 * size, INK))
    elif kind == "bar":
        (xa, ya), (xb, yb) = at(0, -1.8), at(0, 1.8)
        out.lines.append(Line(xa, ya, xb, yb, INK, 0.8, role=role))


# ---- the time axis ------------------------------------------------------------------------------------------

LABEL_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)


def _axis_years(out: ChartLayout) -> list[int]:
    """The years that get a label: the first of each segment and the last year always, then every `step`-th
    year of a segment, the step being the smallest that leaves room for the label; clashing labels are dropped,
    the lower-ranked first."""
    g, scale = out.geometry, out.scale
    need = text_width("0000", g.small_size) + 3.0
    candidates: list[tuple[int, int]] = [(0, seg.start) for seg in scale.segments] + [(0, scale.last - 1)]
    for seg in scale.segments:
        density = scale.density(seg)
        step = next((s for s in LABEL_STEPS if s * density >= need), LABEL_STEPS[-1])
        candidates += [(1, y) for y in range(seg.start, seg.end) if y % step == 0]
        # where the step's years clash with the segment's ends, a round year halfway between may still fit
        if step % 2 == 0 and step // 2 in LABEL_STEPS:
            candidates += [(2, y) for y in range(seg.start, seg.end) if y % step and y % (step // 2) == 0]
    kept: dict[int, Box] = {}
    for _, year in sorted(set(candidates)):
        if year in kept:
            continue
        box = _year_label(out, year, 0.0).box
        box = Box(box.x0 - 1.5, box.y0, box.x1 + 1.5, box.y1)
        if not any(box.overlaps(other) for other in kept.values()):
            kept[year] = box
    return sorted(kept)


def _year_label(out: ChartLayout, year: int, baseline: float) -> TextItem:
    """A year's label centred on the year; at the picture's edges aligned inward so it stays inside."""
    g = out.geometry
    x = out.scale.x(year + 0.5)
    w = text_width(str(year), g.small_size)
    anchor = "start" if x - w / 2 < g.margin else "end" if x + w / 2 > g.width - g.margin else "middle"
    if anchor == "start":
        x = max(x - w / 2, g.margin)
    elif anchor == "end":
        x = min(x + w / 2, g.width - g.margin)
    return TextItem(x, baseline, str(year), g.small_size, anchor=anchor, role="axis")


def _grid_xs(out: ChartLayout) -> list[float]:
    scale = out.scale
    return [scale.x(y) for y in _axis_years(out) if y > scale.first] + [scale.x(s.start) for s in scale.segments[1:]]


def _axis(out: ChartLayout, g: Geometry, y: float, above: bool) -> float:
    """Year labels (each centred on its year), a tick at every year boundary where there is room, and a break
    mark where the scale changes. Above the lanes `y` is the top; below, the axis line. Returns the y after."""
    scale = out.scale
    size = g.small_size
    years = _axis_years(out)
    if above:
        baseline = y + 0.8 * size
        line_y = baseline + 0.25 * size + 3.2
    else:
        line_y = y
        baseline = line_y + 3.2 + 0.8 * size
    out.texts += [_year_label(out, year, baseline) for year in years]
    out.lines.append(Line(scale.x0, line_y, scale.x1, line_y, INK, 0.5, role="axis"))
    sign = -1 if above else 1
    labelled = set(years) | {y + 1 for y in years}
    for seg in scale.segments:
        every_year = scale.density(seg) >= 1.5
        for year in range(seg.start, seg.end + 1):
            if every_year or year in labelled:
                dy = 2.2 if year in labelled else 1.1
                x = scale.x(year)
                out.lines.append(Line(x, line_y, x, line_y + sign * dy, INK, 0.4, role="axis"))
    densities = [scale.density(s) for s in scale.segments]
    for i, seg in enumerate(scale.segments[1:], start=1):
        if abs(densities[i] - densities[i - 1]) > 1e-6:
            x = scale.x(seg.start)
            for dx in (-1.1, 1.1):
                out.lines.append(Line(x + dx - 0.8, line_y + 2.0, x + dx + 0.8, line_y - 2.0, INK, 0.5, role="axis"))
    if above:
        return line_y + 2.0
    return baseline + 0.25 * size


def _segment_titles(out: ChartLayout, g: Geometry, words: dict[str, str], y: float) -> float:
    """Under the axis, a bracket and a title for each segment that has one; a segment drawn at less than 60 %
    of the densest scale is called compressed when it has no title. Returns the y after."""
    scale = out.scale
    densest = max(scale.density(s) for s in scale.segments)
    titled = []
    for seg in scale.segments:
        title = seg.title or (words["axis.compressed"] if scale.density(seg) < 0.6 * densest else "")
        if title:
            titled.append((seg, title))
    if not titled:
        return y
    size = g.small_size
    bracket_y = y + 2.5
    bottom = bracket_y
    for seg, title in titled:
        a, b = scale.x(seg.start) + 0.8, scale.x(seg.end) - 0.8
        out.lines.append(Line(a, bracket_y, b, bracket_y, GREY_TEXT, 0.4, role="axis"))
        for x in (a, b):
            out.lines.append(Line(x, bracket_y, x, bracket_y - 1.8, GREY_TEXT, 0.4, role="axis"))
        # the first segment's title may reach left into the space under the labels, the last one's right
        lo = g.margin if seg is scale.segments[0] else a
        hi = g.width - g.margin if seg is scale.segments[-1] else b
        width = max(hi - lo, max(text_width(w, size, italic=True) for w in title.split(" ")))
        lines = _wrap(title, size, width, italic=True)
        widest = max(text_width(t, size, italic=True) for t in lines)
        centre = min(max((a + b) / 2, lo + widest / 2), hi - widest / 2)
        for i, t in enumerate(lines):
            base = bracket_y + 1.5 + 0.8 * size + i * size * 1.15
            out.texts.append(
                TextItem(centre, base, t, size, anchor="middle", style="italic", colour=GREY_TEXT, role="axis")
            )
            bottom = max(bottom, base + 0.25 * size)
    return bottom


# ---- legend -------------------------------------------------------------------------------------------------


def _legend(
    out: ChartLayout, data: FactionData, g: Geometry, fills: dict[str, Fill], words: dict[str, str], y: float
) -> float:
    """The legend: the fills of the international bodies in narrow columns, then the connector kinds in use and
    the bar ends in wider ones. Returns the bottom y."""
    bodies: list[tuple[str, tuple]] = [(data.by_id[i].short_label, ("fill", f)) for i, f in fills.items()]
    bodies.append((words["legend.no-tie"], ("fill", Fill(NEUTRAL))))
    kinds: list[tuple[str, tuple]] = []
    used = {
        r.type for r in data.relations if r.year is not None and not (r.type in COLOUR_TYPES and r.target_id in fills)
    }
    kinds += [(words[f"relation.{t}"], ("connector", t)) for t in CONNECTOR_STYLE if t in used]
    kinds.append((words["legend.uncertain"], ("fade",)))
    if any(lifetime_span(o, data.relations, out.scale.first, out.scale.last).continues for o in data.organisations):
        kinds.append((words["legend.continues"].format(year=out.scale.last - 1), ("continues",)))
    y = _legend_rows(out, g, bodies, g.legend_column * 0.75, y)
    return _legend_rows(out, g, kinds, g.legend_column, y + 1.5)


def _legend_rows(out: ChartLayout, g: Geometry, items: list[tuple[str, tuple]], min_column: float, y: float) -> float:
    size = g.small_size
    inner = g.width - 2 * g.margin
    columns = max(1, int(inner // min_column))
    col_w = inner / columns
    symbol_w, gap = 12.0, 3.0
    line_h = size * 1.1
    row_y = y
    for start in range(0, len(items), columns):
        row_h = 0.0
        for col, (text, symbol) in enumerate(items[start : start + columns]):
            x = g.margin + col * col_w
            lines = _wrap(text, size, col_w - symbol_w - gap - 4.0)
            block_h = (len(lines) - 1) * line_h + 1.05 * size
            centre = row_y + max(block_h, 5.0) / 2
            first_centre = row_y + 1.05 * size / 2 if len(lines) > 1 else centre
            _symbol(out, symbol, x, first_centre, symbol_w)
            _text_block(out, lines, x + symbol_w + gap, centre, size, line_h, role="legend")
            row_h = max(row_h, block_h, 5.0)
        row_y += row_h + 2.0
    return row_y


def _symbol(out: ChartLayout, symbol: tuple, x: float, cy: float, w: float) -> None:
    kind = symbol[0]
    h = 4.4
    if kind == "fill":
        out.rects.append(Rect(x, cy - h / 2, w, h, symbol[1]))
    elif kind == "connector":
        style = CONNECTOR_STYLE[symbol[1]]
        _connector(out, x + 0.5, cy, x + w, cy, style, symbol[1], role="legend")
    elif kind == "fade":
        step = w / len(FADE_STEPS)
        for i, op in enumerate(FADE_STEPS):
            out.rects.append(Rect(x + i * step, cy - h / 2, step, h, Fill(NEUTRAL), op))
    elif kind == "continues":
        out.rects.append(Rect(x, cy - h / 2, w - 3.0, h, Fill(NEUTRAL)))
        out.polygons.append(
            Polygon(
                ((x + w - 3.0, cy - h / 2 - 1.0), (x + w, cy), (x + w - 3.0, cy + h / 2 + 1.0)), NEUTRAL, role="legend"
            )
        )


# ---- words ----------------------------------------------------------------------------------------------------


def short_name(org: Organisation) -> str:
    return org.abbreviation or org.label or org.name


def period_words(rel: Relation, words: Mapping[str, str] = DEFAULT_WORDS) -> str:
    if rel.start is not None and rel.end is not None:
        return words["period.range"].format(start=rel.start, end=rel.end) if rel.end != rel.start else str(rel.start)
    if rel.start is not None:
        return words["period.since"].format(start=rel.start)
    if rel.end is not None:
        return words["period.until"].format(end=rel.end)
    return words["period.none"]


def lifetime_words(org: Organisation, words: Mapping[str, str] = DEFAULT_WORDS) -> str:
    founded = org.founded.words(words)
    ended = org.ended.words(words)
    if org.ended.precision == "unknown" and org.ended.after is not None and org.ended.before is None:
        ended = words["legend.continues"].format(year=org.ended.after)
    return words["lifetime"].format(founded=founded, ended=ended)


@dataclass(frozen=True)
class TableRow:
    """One organisation in words, for readers who cannot see the chart."""

    id: str
    name: str
    original: str
    years: str
    relations: tuple[str, ...]


def faction_chart_table(data: FactionData, words: Mapping[str, str] | None = None) -> list[TableRow]:
    """The chart's data as rows, in lane order: name, years, relations in words (both directions)."""
    w = chart_words(data, words)
    rows = []
    for org in ordered_organisations(data):
        parts = []
        for rel in data.relations:
            if rel.source_id == org.id:
                phrase = w[f"table.{rel.type}.from"].format(other=short_name(data.by_id[rel.target_id]))
            elif rel.target_id == org.id:
                phrase = w[f"table.{rel.type}.to"].format(other=short_name(data.by_id[rel.source_id]))
            else:
                continue
            parts.append(f"{phrase} ({period_words(rel, w)})")
        name = org.name + (f" ({org.abbreviation})" if org.abbreviation and org.abbreviation not in org.name else "")
        rows.append(TableRow(org.id, name, org.original or "", lifetime_words(org, w), tuple(parts)))
    return rows


def chart_description(data: FactionData, words: Mapping[str, str] | None = None) -> str:
    """The SVG's <desc>: the chart's range, counts and groups, from the `description` template."""
    w = chart_words(data, words)
    first, last = chart_years(data)
    return w["description"].format(
        first=first,
        last=last - 1,
        organisations=len(data.organisations),
        relations=len(data.relations),
        bands="; ".join(b.title for b in chart_bands(data)),
    )


# ---- SVG ------------------------------------------------------------------------------------------------------


def _n(v: float) -> str:
    """Fixed, locale-free number format: two decimals, trailing zeros dropped."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _pattern(pid: str, fill: Fill) -> str:
    """A white pattern over the fill's colour, 2 pt repeat, in user space so stripes line up across bars."""
    marks = {
        "hatch": ("rotate(45)", '<rect x="0" y="0" width="0.8" height="2" fill="#FFFFFF"/>'),
        "back-hatch": ("rotate(-45)", '<rect x="0" y="0" width="0.8" height="2" fill="#FFFFFF"/>'),
        "horizontal": ("", '<rect x="0" y="0" width="2" height="0.7" fill="#FFFFFF"/>'),
        "vertical": ("", '<rect x="0" y="0" width="0.7" height="2" fill="#FFFFFF"/>'),
        "dots": ("", '<circle cx="1" cy="1" r="0.55" fill="#FFFFFF"/>'),
        "cross": (
            "rotate(45)",
            '<rect x="0" y="0" width="0.55" height="2" fill="#FFFFFF"/>'
            '<rect x="0" y="0" width="2" height="0.55" fill="#FFFFFF"/>',
        ),
        "grid": (
            "",
            '<rect x="0" y="0" width="0.5" height="2" fill="#FFFFFF"/>'
            '<rect x="0" y="0" width="2" height="0.5" fill="#FFFFFF"/>',
        ),
    }[fill.pattern]
    transform = f' patternTransform="{marks[0]}"' if marks[0] else ""
    return (
        f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="2" height="2"{transform}>'
        f'<rect x="0" y="0" width="2" height="2" fill="{fill.colour}"/>{marks[1]}</pattern>'
    )


def render_svg(layout: ChartLayout) -> str:
    w, h = layout.width, layout.height
    patterns: dict[Fill, str] = {}
    for r in layout.rects:
        if r.fill.pattern != "solid" and r.fill not in patterns:
            patterns[r.fill] = f"fill-{len(patterns) + 1}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title chart-desc" '
        f'width="{_n(w)}pt" height="{_n(h)}pt" viewBox="0 0 {_n(w)} {_n(h)}" '
        f'font-family="{FONT_FAMILY}">',
        f'<title id="chart-title">{escape(layout.title)}</title>',
        f'<desc id="chart-desc">{escape(layout.desc)}</desc>',
    ]
    if patterns:
        out.append("<defs>")
        out += [_pattern(pid, fill) for fill, pid in patterns.items()]
        out.append("</defs>")
    out += [f'<rect x="0" y="0" width="{_n(w)}" height="{_n(h)}" fill="#FFFFFF"/>', '<g id="grid">']
    out += [_line(ln) for ln in layout.grid]
    out.append('</g>\n<g id="rules">')
    out += [_line(ln) for ln in layout.lines if ln.role in ("rule", "guide", "axis")]
    out.append('</g>\n<g id="bars">')
    for r in layout.rects:
        paint = f"url(#{patterns[r.fill]})" if r.fill in patterns else r.fill.colour
        op = "" if r.opacity >= 1 else f' fill-opacity="{_n(r.opacity)}"'
        out.append(f'<rect x="{_n(r.x)}" y="{_n(r.y)}" width="{_n(r.w)}" height="{_n(r.h)}" fill="{paint}"{op}/>')
    out += [_polygon(p) for p in layout.polygons if p.role == "continues"]
    out.append('</g>\n<g id="connectors">')
    for ln in layout.lines:
        if ln.role in ("connector", "legend"):
            if ln.role == "connector" and ln.relation:
                # a white casing shows where a connector passes over a bar rather than ending at it
                out.append(_line(replace(ln, stroke="#FFFFFF", width=ln.width + 1.0, dash="")))
            out.append(_line(ln))
    out += [_polygon(p) for p in layout.polygons if p.role != "continues"]
    for c in layout.circles:
        out.append(f'<circle cx="{_n(c.cx)}" cy="{_n(c.cy)}" r="{_n(c.r)}" fill="{c.fill}"/>')
    out.append('</g>\n<g id="labels">')
    for t in layout.texts:
        attrs = f'x="{_n(t.x)}" y="{_n(t.y)}" font-size="{_n(t.size)}" fill="{t.colour}"'
        if t.anchor != "start":
            attrs += f' text-anchor="{t.anchor}"'
        if t.style == "italic":
            attrs += ' font-style="italic"'
        out.append(f"<text {attrs}>{escape(t.text)}</text>")
    out.append("</g>\n</svg>\n")
    return "\n".join(out)


def _line(ln: Line) -> str:
    dash = f' stroke-dasharray="{ln.dash}"' if ln.dash else ""
    return (
        f'<line x1="{_n(ln.x1)}" y1="{_n(ln.y1)}" x2="{_n(ln.x2)}" y2="{_n(ln.y2)}" stroke="{ln.stroke}" '
        f'stroke-width="{_n(ln.width)}"{dash}/>'
    )


def _polygon(p: Polygon) -> str:
    pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in p.points)
    stroke = f' stroke="{p.stroke}" stroke-width="0.5" stroke-linejoin="round"' if p.stroke else ""
    return f'<polygon points="{pts}" fill="{p.fill}"{stroke}/>'


def faction_chart_svg(
    data: FactionData, variant: str = "wide", title: str = "", words: Mapping[str, str] | None = None
) -> str:
    """The chart as a standalone SVG document (deterministic: same data, same bytes)."""
    return render_svg(layout_chart(data, variant, title, words))

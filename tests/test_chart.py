"""The faction chart drawing (editio.chart): geometry invariants (no label crossed, fits its box, greyscale-safe
styles, declared axis shares), the text metric against the real font, settings and words from the data,
deterministic bytes and the golden SVGs (tests/cases/faction_chart/mini/expected.<layout>.svg). The filter that
puts the chart into the document is tested in tests/test_faction_chart.py."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from helpers import ROOT, assert_matches_golden

from editio.chart import (
    CONNECTOR_STYLE,
    LAYOUTS,
    NEUTRAL,
    char_advance,
    chart_bands,
    chart_description,
    chart_years,
    colour_classes,
    faction_chart_svg,
    faction_chart_table,
    layout_chart,
)
from editio.factions import RELATION_TYPES, load_factions, parse_factions

MINI = ROOT / "tests" / "fixtures" / "mini" / "factions.yaml"
REAL = ROOT / "manuscript" / "factions.yaml"
GOLDEN = ROOT / "tests" / "cases" / "faction_chart" / "mini"  # the drawings of the mini data, expected.<layout>.svg
CHART_PY = ROOT / "src" / "editio" / "chart.py"

# Another century, made-up bands, a declared axis and words: nothing of the flagship's period or groups.
CENTURY = """\
chart:
  years: [1800, 1850]
  axis:
    - {from: 1800, to: 1830, share: 0.3, title: early years}
    - {from: 1830, to: 1850, share: 0.7}
  bands:
    - {id: north, title: Northern leagues}
    - {id: south, title: Southern guilds}
  words:
    legend.no-tie: unaffiliated
organisations:
  - {id: hub, name: Grand Lodge, kind: international, band: north, founded: {year: 1802, precision: year},
     ended: {precision: unknown, after: 1849}, source: s}
  - {id: other-hub, name: Rival Lodge, kind: international, band: north, founded: {year: 1831, precision: year},
     ended: {year: 1845, precision: year}, source: s}
  - {id: a, name: Weavers of the northern valley and their many friends, kind: union, band: south,
     founded: {year: 1810, precision: approx}, ended: {year: 1840, precision: year}, source: s}
  - {id: b, name: Spinners, kind: union, band: south, founded: {year: 1833, precision: year},
     ended: unknown, source: s}
  - {id: c, name: Dyers, kind: party, band: north, founded: {precision: unknown, after: 1820, before: 1825},
     ended: {year: 1838, precision: year}, source: s}
relations:
  - {type: affiliated-with, from: a, to: hub, period: {start: 1815, end: 1835}, source: s}
  - {type: affiliated-with, from: a, to: other-hub, period: {start: 1832, end: 1838}, source: s}
  - {type: split-from, from: b, to: a, period: {start: 1833}, source: s}
  - {type: merged-into, from: c, to: b, period: {start: 1838}, source: s}
  - {type: split-from, from: other-hub, to: hub, period: {start: 1831}, source: s}
"""


@pytest.fixture(scope="module", params=["mini", "real", "century"])
def data(request):
    if request.param == "century":
        return parse_factions(CENTURY, "century.yaml")
    return load_factions({"mini": MINI, "real": REAL}[request.param])


@pytest.mark.parametrize("variant", sorted(LAYOUTS))
def test_every_organisation_has_a_lane_and_its_label(data, variant):
    layout = layout_chart(data, variant)
    assert [lane.org.id for lane in layout.lanes] == [r.id for r in faction_chart_table(data)]
    labels = " ".join(t.text for t in layout.texts if t.role == "label")
    for org in data.organisations:
        label = org.short_label if LAYOUTS[variant].short_labels else org.chart_label
        assert label.split(" ")[0] in labels


@pytest.mark.parametrize("variant", sorted(LAYOUTS))
def test_no_label_overlaps_another_or_is_crossed_by_a_line(data, variant):
    layout = layout_chart(data, variant)
    boxes = [t.box for t in layout.texts]
    shapes = layout.rects + layout.polygons + layout.circles
    connectors = [ln for ln in layout.lines if ln.role == "connector"]
    assert connectors or data is not None
    for i, a in enumerate(boxes):
        what = layout.texts[i].text
        assert a.x0 >= 0 and a.x1 <= layout.width and a.y0 >= 0 and a.y1 <= layout.height, what
        for j in range(i + 1, len(boxes)):
            assert not a.overlaps(boxes[j]), (what, layout.texts[j].text)
        for ln in layout.lines + layout.grid:
            assert not a.crossed_by(ln.x1, ln.y1, ln.x2, ln.y2), (what, ln)
        for shape in shapes:
            assert not a.overlaps(shape.box), (what, shape)


def test_crossing_check_can_fail():
    from editio.chart import Box

    box = Box(10, 10, 20, 20)
    assert box.crossed_by(15, 0, 15, 30) and box.crossed_by(0, 0, 30, 30)
    assert not box.crossed_by(25, 0, 25, 30) and not box.crossed_by(0, 9, 30, 9)


@pytest.mark.parametrize("variant", sorted(LAYOUTS))
def test_chart_fits_its_declared_box(data, variant):
    g = LAYOUTS[variant]
    svg = faction_chart_svg(data, variant)
    root = ElementTree.fromstring(svg)
    assert root.get("width") == f"{g.width:g}pt"
    height = float(root.get("height").removesuffix("pt"))
    assert root.get("viewBox") == f"0 0 {g.width:g} {height:g}"
    if g.max_height is not None:
        assert height <= g.max_height
    layout = layout_chart(data, variant)
    assert max(t.box.y1 for t in layout.texts) <= height
    # type is never shrunk below 5.5 pt to make it fit
    assert min(t.size for t in layout.texts) >= 5.5


def test_the_flagship_chart_keeps_its_print_size():
    layout = layout_chart(load_factions(REAL), "wide")
    assert layout.geometry.label_size >= 6.0, "the wide chart had to shrink its type below 6 pt to fit"


def test_every_relation_kind_has_its_own_line_style():
    assert set(CONNECTOR_STYLE) == set(RELATION_TYPES)
    signatures = [(s.dash, s.from_marker, s.to_marker, s.width) for s in CONNECTOR_STYLE.values()]
    assert len(set(signatures)) == len(signatures)
    # split and merge in particular must not share their look (they did once: one arrow for both)
    split, merge = CONNECTOR_STYLE["split-from"], CONNECTOR_STYLE["merged-into"]
    assert split.dash != merge.dash and (split.from_marker, split.to_marker) != (merge.from_marker, merge.to_marker)


def test_drawn_connectors_carry_their_kind(data):
    layout = layout_chart(data, "wide")
    for ln in layout.lines:
        if ln.role == "connector" and ln.relation:
            assert ln.dash == CONNECTOR_STYLE[ln.relation].dash


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_colour_classes_stay_apart_in_greyscale():
    # eight international bodies: each pair differs by pattern or clearly by luminance, and none is plain grey
    orgs = "\n".join(
        f"  - {{id: i{n}, name: I{n}, kind: international, founded: {{year: 1900, precision: year}}, "
        f"ended: {{year: 1910, precision: year}}, source: s}}"
        for n in range(8)
    )
    fills = list(colour_classes(parse_factions("organisations:\n" + orgs)).values())
    assert len(fills) == 8
    neutral = type(fills[0])(NEUTRAL)
    for a, b in itertools.combinations(fills + [neutral], 2):
        assert a.pattern != b.pattern or abs(_luminance(a.colour) - _luminance(b.colour)) >= 0.1, (a, b)


def test_declared_axis_share_is_drawn():
    layout = layout_chart(load_factions(REAL), "wide")
    scale = layout.scale
    plot = scale.x1 - scale.x0
    assert scale.x(1952) - scale.x0 == pytest.approx(0.25 * plot, abs=0.01)
    assert scale.x(1965) - scale.x(1952) == pytest.approx(0.75 * plot, abs=0.01)
    century = layout_chart(parse_factions(CENTURY), "narrow").scale
    assert century.x(1830) - century.x0 == pytest.approx(0.3 * (century.x1 - century.x0), abs=0.01)
    # the axis says so: a title under the compressed segment
    texts = [t.text for t in layout.texts if t.role == "axis"]
    assert any("1935–1951" in t for t in texts) and any("1952–1964" in t for t in texts)


def test_nothing_of_the_flagship_is_in_the_chart_code():
    code = CHART_PY.read_text(encoding="utf-8")
    assert not re.search(r"\b1[5-9]\d\d\b", code), "a year in chart.py"
    assert not re.search(r"[А-Яа-яЁё]", code), "Russian text in chart.py"
    for band in ("trotskyist", "mnr", "labour", 'left"'):
        assert band not in code


def test_another_century_with_made_up_bands():
    data = parse_factions(CENTURY, "century.yaml")
    assert chart_years(data) == (1800, 1850)
    layout = layout_chart(data, "wide")
    years = sorted(int(t.text) for t in layout.texts if t.role == "axis" and t.text.isdigit())
    assert years[0] == 1800 and years[-1] == 1849 and 1830 in years
    assert [t.text for t in layout.texts if t.role == "band"] == ["Northern leagues", "Southern guilds"]
    assert [lane.org.id for lane in layout.lanes] == ["hub", "other-hub", "c", "a", "b"]
    assert "unaffiliated" in [t.text for t in layout.texts if t.role == "legend"]
    assert "early years" in [t.text for t in layout.texts if t.role == "axis"]
    a = next(lane for lane in layout.lanes if lane.org.id == "a")
    assert layout.scale.x(1809.5) <= a.x_start <= layout.scale.x(1810.5)


def test_defaults_come_from_the_data():
    text = CENTURY[CENTURY.index("organisations:") :]
    data = parse_factions(text)
    assert chart_years(data) == (1802, 1850)  # earliest date to the year after the latest
    assert [(b.id, b.title) for b in chart_bands(data)] == [("north", "north"), ("south", "south")]
    layout = layout_chart(data, "wide")
    assert len(layout.scale.segments) == 1 and layout.scale.segments[0].share == 1.0
    assert "no tie to an international body" in " ".join(t.text for t in layout.texts if t.role == "legend")
    assert chart_description(data).startswith("Time axis 1802–1849. Organisations: 5")


def test_caller_words_are_used_and_the_data_file_wins():
    data = parse_factions(CENTURY)
    catalogue = {"legend.no-tie": "from the catalogue", "legend.uncertain": "vague"}
    texts = [t.text for t in layout_chart(data, "wide", words=catalogue).texts]
    assert "vague" in texts and "unaffiliated" in texts and "from the catalogue" not in texts


# ---- the text metric against the real font (issue #14) ----------------------------------------------------------

# The letters of the catalogue's languages and their neighbours (Basic Latin, Latin-1, Latin Extended-A, Cyrillic)
# and the punctuation labels use.
ALPHABET = sorted(
    {chr(c) for c in [*range(0x21, 0x7F), *range(0xC0, 0x180), *range(0x400, 0x460)]} | set("–—‘’“”„«»…№")
)
MEASURE = """#let texts = json("texts.json")
#context [#metadata(texts.map(((body, style)) => {
  let set-in(top, bottom) = measure(text(font: "Libertinus Serif", fallback: false, size: 100pt, style: style,
                                         top-edge: top, bottom-edge: bottom, body))
  (set-in("baseline", "baseline").width / 100pt, set-in("bounds", "baseline").height / 100pt,
   set-in("baseline", "bounds").height / 100pt)
})) <measured>]
"""


def measured(folder: Path, texts: list[tuple[str, str]]) -> list[tuple[float, float, float]]:
    """(advance width, ascent, descent) in em of each (text, "normal" | "italic") set in Libertinus Serif by typst:
    the font and the shaper that draw the chart in the PDF (kerning included, no fallback font)."""
    (folder / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    (folder / "measure.typ").write_text(MEASURE, encoding="utf-8")
    import typst

    result = json.loads(
        typst.query(
            str(folder / "measure.typ"),
            "<measured>",
            field="value",
            one=True,
            root=str(folder),
            ignore_system_fonts=True,
            font_paths=[],
        )
    )
    assert len(result) == len(texts)
    return [tuple(m) for m in result]


def test_text_metric_is_never_narrower_than_a_glyph(tmp_path):
    """The layout keeps labels apart with ``char_advance``; it must not underestimate any glyph it may meet."""
    texts = [(c, style) for c in ALPHABET for style in ("normal", "italic")]
    too_narrow = [
        f"{c!r} {style}: {width:.3f} em > {char_advance(c, style == 'italic'):.2f} em"
        for (c, style), (width, _, _) in zip(texts, measured(tmp_path, texts), strict=False)
        if width > char_advance(c, style == "italic")
    ]
    assert not too_narrow, too_narrow


def test_every_drawn_text_lies_inside_its_box(tmp_path):
    """The boxes the overlap tests above compare hold the real glyphs of every text of every chart drawn here."""
    items = {
        (t.text, t.style or "normal", t.size): t
        for data in (load_factions(MINI), load_factions(REAL), parse_factions(CENTURY))
        for variant in LAYOUTS
        for t in layout_chart(data, variant).texts
    }
    texts = sorted({(text, style) for text, style, _ in items})
    metrics = dict(zip(texts, measured(tmp_path, texts), strict=False))
    outside = []
    for (text, style, size), item in sorted(items.items()):
        width, ascent, descent = metrics[text, style]
        box = item.box
        if (
            width * size > box.x1 - box.x0 + 0.01
            or item.y - ascent * size < box.y0 - 0.01
            or item.y + descent * size > box.y1 + 0.01
        ):
            outside.append(
                f"{text!r} at {size} pt: {width * size:.2f} × {(ascent + descent) * size:.2f} pt, its box "
                f"{box.x1 - box.x0:.2f} × {box.y1 - box.y0:.2f} pt"
            )
    assert not outside, outside


def test_same_bytes_twice_and_valid_svg(data):
    a, b = faction_chart_svg(data, "wide", "T"), faction_chart_svg(data, "wide", "T")
    assert a == b
    root = ElementTree.fromstring(a)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img" and root.get("viewBox")
    assert root.find(f"{ns}title").text == "T" and root.find(f"{ns}desc").text
    assert root.findall(f".//{ns}text") and not root.findall(f".//{ns}image")
    assert "href" not in a and "<image" not in a
    assert not re.search(r"\d\.\d{3,}", a), "numbers must have at most two decimals"
    for ref in re.findall(r"url\(#([\w-]+)\)", a):
        assert root.find(f".//{ns}pattern[@id='{ref}']") is not None


def test_typst_draws_the_svg(tmp_path):
    typst = pytest.importorskip("typst")
    (tmp_path / "chart.svg").write_text(faction_chart_svg(load_factions(REAL), "wide"), encoding="utf-8")
    (tmp_path / "doc.typ").write_text(
        '#set page(width: 330pt, height: 460pt, margin: 2pt)\n#image("chart.svg")\n', encoding="utf-8"
    )
    pdf = typst.compile(str(tmp_path / "doc.typ"), ignore_system_fonts=True, root=str(tmp_path))
    # one page, and the chart's text set in Libertinus Serif (text stays text)
    assert b"/Type/Pages/Count 1" in pdf and b"LibertinusSerif" in pdf


@pytest.mark.parametrize("variant", sorted(LAYOUTS))
def test_golden_svg(variant):
    svg = faction_chart_svg(load_factions(MINI), variant, "Мини-схема")
    assert_matches_golden(svg, GOLDEN / f"expected.{variant}.svg")


def test_table_rows_in_words():
    rows = faction_chart_table(load_factions(MINI))
    assert [r.id for r in rows] == ["intl", "party", "split"]
    party = rows[1]
    assert party.years == "c. 1940 – 1954"
    assert "tied to: INT (1946–1954)" in party.relations
    assert "Партия-наследница split from it (from 1954)" in party.relations


def test_flagship_words_come_from_its_data_file():
    rows = {r.id: r for r in faction_chart_table(load_factions(REAL))}
    assert rows["por-lo"].years == "1954 – существует и после 1963"
    assert "выделилась из: POR-LO (с 1962)" in rows["por-t"].relations

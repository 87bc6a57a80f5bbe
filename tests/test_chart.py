"""The faction chart: layout invariants, deterministic bytes, the golden SVG, and the pandoc filter."""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import panflute as pf
import pytest

from editio.chart import LAYOUTS, faction_chart_svg, faction_chart_table, layout_chart, text_width, year_x
from editio.factions import load_factions
from editio.filters import load_filter

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini" / "factions.yaml"
REAL = ROOT / "manuscript" / "factions.yaml"
GOLDEN = ROOT / "tests" / "cases" / "faction_chart"
FILTER = ROOT / "filters" / "faction_chart.py"


@pytest.fixture(scope="module", params=[MINI, REAL], ids=["mini", "real"])
def data(request):
    return load_factions(request.param)


@pytest.mark.parametrize("variant", sorted(LAYOUTS))
def test_every_organisation_has_a_lane_and_its_label(data, variant):
    layout = layout_chart(data, variant)
    assert [lane.org.id for lane in layout.lanes] == [r.id for r in faction_chart_table(data)]
    labels = " ".join(t.text for t in layout.texts)
    for org in data.organisations:
        assert org.chart_label.split(" ")[0] in labels


@pytest.mark.parametrize("variant", sorted(LAYOUTS))
def test_no_two_labels_overlap_and_all_inside(data, variant):
    layout = layout_chart(data, variant)
    boxes = [t.box for t in layout.texts]
    for i, a in enumerate(boxes):
        assert 0 <= a.x0 and a.x1 <= layout.width and 0 <= a.y0 and a.y1 <= layout.height, layout.texts[i]
        for j in range(i + 1, len(boxes)):
            assert not a.overlaps(boxes[j]), (layout.texts[i].text, layout.texts[j].text)


def test_time_axis_is_monotonic_and_bars_follow_dates(data):
    g = LAYOUTS["wide"]
    xs = [year_x(y, g) for y in range(1935, 1966)]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    layout = layout_chart(data, "wide")
    for lane in layout.lanes:
        assert lane.x_start <= lane.x_end
    known = sorted((lane.org.founded.year, lane.x_start) for lane in layout.lanes
                   if lane.org.founded.known and lane.org.founded.precision != "approx")
    assert [x for _, x in known] == sorted(x for _, x in known)


def test_text_metric_is_conservative():
    # Libertinus Serif's widest Cyrillic capitals are under 1 em, lower case under 0.6 em
    assert text_width("Ш", 10) >= 9.0 and text_width("a", 10) >= 5.0


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


@pytest.mark.parametrize("variant", sorted(LAYOUTS))
def test_golden_svg(variant):
    svg = faction_chart_svg(load_factions(MINI), variant, "Мини-схема")
    golden = GOLDEN / f"mini-{variant}.svg"
    if os.environ.get("EDITIO_SAVE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(svg, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    if svg != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), svg.splitlines(True),
                                            str(golden), "generated"))
        pytest.fail(f"SVG differs from the golden file (EDITIO_SAVE_GOLDEN=1 regenerates it):\n{diff}")


def test_table_rows_in_words():
    rows = faction_chart_table(load_factions(MINI))
    assert [r.id for r in rows] == ["intl", "party", "split"]
    party = rows[1]
    assert party.years == "ок. 1940 – 1954"
    assert "связана с: INT (1946–1954)" in party.relations
    assert "от неё отделилась: Партия-наследница (с 1954)" in party.relations


# ---- the filter ---------------------------------------------------------------------------------------------

def _filter_module():
    return load_filter(FILTER)


def _doc(tmp_path: Path, fmt: str) -> pf.Doc:
    meta = {"manuscript-dir": str(MINI.parent),
            "faction-chart": {"data": "factions.yaml", "media-dir": str(tmp_path / "media"),
                              "media-prefix": "media"}}
    doc = pf.Doc(pf.Para(pf.Str("До.")),
                 pf.Div(pf.Para(pf.Str("Схема"), pf.Space(), pf.Emph(pf.Str("партий"))), classes=["faction-chart"]),
                 metadata=meta, format=fmt)
    return doc


def test_filter_in_process_html(tmp_path):
    doc = _filter_module().main(_doc(tmp_path, "html"))
    assert "faction-chart" not in doc.metadata.content
    fig = doc.content[1]
    assert isinstance(fig, pf.Figure)
    assert pf.stringify(fig.caption).startswith("Рис. 1. Схема партий")
    image = fig.content[0].content[0]
    assert image.url == "media/faction-chart-wide.svg" and pf.stringify(image).startswith("Схема: 3 организации")
    alt = doc.content[2]
    assert "chart-alt" in alt.classes and len(alt.content[1].content) == 3
    assert (tmp_path / "media" / "faction-chart-wide.svg").read_text().startswith("<svg")


def test_filter_in_process_typst(tmp_path):
    doc = _filter_module().main(_doc(tmp_path, "typst"))
    raw = doc.content[1].content[0]
    assert isinstance(raw, pf.RawInline) and raw.format == "typst"
    assert raw.text.startswith('#figure(image("media/faction-chart-wide.svg", alt: "Схема: 3 организации')


def test_filter_as_pandoc_filter(tmp_path):
    from pypandoc import get_pandoc_path

    (tmp_path / "in.md").write_text(
        f"---\nmanuscript-dir: {MINI.parent}\nfaction-chart:\n  media-dir: {tmp_path / 'media'}\n---\n\n"
        "::: faction-chart\nПодпись.\n:::\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    out = subprocess.run([get_pandoc_path(), "in.md", "--filter", str(FILTER), "-t", "json"], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    blocks = json.loads(out.stdout)["blocks"]
    assert [b["t"] for b in blocks] == ["Figure", "Div"]
    assert "faction-chart" not in json.loads(out.stdout)["meta"]


def test_filter_reports_data_errors(tmp_path):
    bad = tmp_path / "factions.yaml"
    bad.write_text(MINI.read_text(encoding="utf-8").replace("to: intl", "to: nowhere"), encoding="utf-8")
    doc = _doc(tmp_path, "html")
    doc.metadata["manuscript-dir"] = pf.MetaString(str(tmp_path))
    from editio.errors import EditionError
    with pytest.raises(EditionError) as info:
        _filter_module().main(doc)
    assert info.value.diagnostics[0].code == "FAC006" and info.value.diagnostics[0].line == 27
    assert not (tmp_path / "media").exists()

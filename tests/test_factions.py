"""Validation of faction data: each error has its stable code and the line it points at."""

from __future__ import annotations

from pathlib import Path

import pytest

from editio.errors import EditionError
from editio.factions import DEFAULT_WORDS, load_factions, parse_factions

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini" / "factions.yaml"

GOOD = """\
organisations:
  - id: a
    name: А
    kind: party
    founded: {year: 1940, precision: year}
    ended: {year: 1950, precision: year}
    source: note:1
  - id: b
    name: Б
    kind: party
    founded: {year: 1945, precision: year}
    ended: unknown
    source: note:2
relations:
  - {type: split-from, from: b, to: a, period: {start: 1945}, source: note:3}
"""


def codes(text: str) -> list[tuple[str, int | None]]:
    with pytest.raises(EditionError) as info:
        parse_factions(text, "f.yaml")
    return [(d.code, d.line) for d in info.value.diagnostics]


def test_good_data_loads():
    data = parse_factions(GOOD)
    assert [o.id for o in data.organisations] == ["a", "b"]
    assert data.relations[0].year == 1945
    assert data.organisations[1].ended.words() == "date unknown"


def test_mini_fixture_and_real_data_are_valid():
    assert len(load_factions(MINI).organisations) == 3
    real = load_factions(ROOT / "manuscript" / "factions.yaml")
    assert len(real.organisations) >= 15
    assert all(o.sources for o in real.organisations) and all(r.sources for r in real.relations)


def test_yaml_syntax_error_has_line():
    assert codes("organisations:\n  - id: a\n    name: [unclosed\n")[0][0] == "FAC001"
    code, line = codes("organisations:\n  - id: a\n    name: x\n   bad: : :\n")[0]
    assert code == "FAC001" and line == 4


def test_unknown_id_in_relation():
    text = GOOD.replace("to: a,", "to: zz,")
    assert codes(text) == [("FAC006", 15)]


def test_cycle_in_split_chain():
    text = GOOD + "  - {type: split-from, from: a, to: b, period: {start: 1945}, source: note:4}\n"
    found = codes(text)
    assert [c for c, _ in found] == ["FAC010"] and found[0][1] in (15, 16)  # a line of the loop


def test_ended_before_founded():
    text = GOOD.replace("ended: {year: 1950", "ended: {year: 1930")
    assert ("FAC008", 6) in codes(text)


def test_relation_outside_lifetime():
    text = GOOD.replace("period: {start: 1945}", "period: {start: 1960}")
    assert codes(text) == [("FAC009", 15)]


def test_missing_source_on_node_and_relation():
    text = GOOD.replace("    source: note:2\n", "").replace(", source: note:3", "")
    assert codes(text) == [("FAC007", 8), ("FAC007", 14)]


def test_wrong_types_and_unknown_values():
    text = GOOD.replace("kind: party\n    founded: {year: 1945", "kind: sect\n    founded: {year: '1945'")
    found = codes(text)
    assert ("FAC004", 10) in found and ("FAC002", 11) in found


def test_unknown_key_and_duplicate_id():
    text = GOOD.replace("    source: note:2\n", "    source: note:2\n    soruce: x\n").replace("id: b", "id: a")
    found = codes(text)
    assert ("FAC012", 14) in found and ("FAC005", 8) in found


def test_all_problems_reported_in_one_run():
    text = GOOD.replace("to: a,", "to: zz,").replace("ended: {year: 1950", "ended: {year: 1930")
    assert {c for c, _ in codes(text)} == {"FAC006", "FAC008"}


def test_unknown_dates_keep_bounds():
    text = GOOD.replace("ended: unknown", "ended: {precision: unknown, after: 1950, before: 1955}")
    b = parse_factions(text).by_id["b"]
    assert (b.ended.earliest, b.ended.latest) == (1950, 1955)
    assert b.ended.words() == "between 1950 and 1955"
    assert b.ended.words({**DEFAULT_WORDS, "date.between": "{after}/{before}"}) == "1950/1955"


# ---- the chart: map ---------------------------------------------------------------------------------------

CHART = """\
chart:
  years: [1940, 1960]
  axis:
    - {from: 1940, to: 1945, share: 0.2}
    - {from: 1945, to: 1960, share: 0.8, title: later}
  bands:
    - {id: p, title: Parties}
  words:
    legend.no-tie: none
"""


def test_chart_settings_are_read():
    data = parse_factions(CHART + GOOD.replace("kind: party\n", "kind: party\n    band: p\n"))
    chart = data.chart
    assert chart.years == (1940, 1960) and [s.share for s in chart.axis] == [0.2, 0.8]
    assert chart.axis[1].title == "later" and chart.bands[0].title == "Parties"
    assert chart.words == {"legend.no-tie": "none"}


def test_chart_axis_errors_have_lines():
    text = CHART.replace("share: 0.8", "share: 0.7") + GOOD.replace("kind: party\n", "kind: party\n    band: p\n")
    assert codes(text) == [("FAC014", 3)]  # the shares add up to 0.9
    text = CHART.replace("{from: 1945, to: 1960", "{from: 1946, to: 1960") + GOOD
    assert ("FAC014", 5) in codes(text)  # a gap between segments
    text = CHART.replace("years: [1940, 1960]", "years: [1960, 1940]")
    assert ("FAC004", 2) in codes(text + GOOD)


def test_chart_words_bands_and_keys_are_checked():
    good = GOOD.replace("kind: party\n", "kind: party\n    band: p\n")
    found = codes(CHART.replace("legend.no-tie: none", "legend.no-ti: none") + good)
    assert found == [("FAC012", 9)]
    found = codes(CHART.replace("legend.no-tie: none", "legend.no-tie: [x]") + good)
    assert found == [("FAC002", 9)]
    found = codes(
        CHART
        + GOOD.replace("kind: party\n", "kind: party\n    band: q\n", 1).replace(
            "kind: party\n    founded: {year: 1945", "kind: party\n    band: p\n    founded: {year: 1945"
        )
    )
    assert found == [("FAC004", 14)]  # the undeclared band of the first organisation
    found = codes(CHART.replace("chart:\n", "chart:\n  colours: x\n") + good)
    assert found == [("FAC012", 2)]


def test_without_bands_an_organisation_groups_by_kind():
    data = parse_factions(
        GOOD.replace("kind: party\n    founded: {year: 1945", "kind: union\n    founded: {year: 1945")
    )
    assert [o.band for o in data.organisations] == ["party", "union"]

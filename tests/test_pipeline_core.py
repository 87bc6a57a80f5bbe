"""The new core: fused traversal semantics, options checking, order checking, the pandoc session, lowering."""

from __future__ import annotations

import pytest
from helpers import prepare, render

from editio.ast import Span, Str, iter_nodes
from editio.ast.walk import Traversal
from editio.errors import EditionError


def test_later_filters_see_nodes_that_earlier_ones_create_and_nothing_twice():
    seen: list[str] = []

    def wrap(node, path):
        if node["c"] == "a":
            return Span([Str("a"), Str("new")], classes=["w"])
        return None

    def count(node, path):
        seen.append(node["c"])

    blocks = [{"t": "Para", "c": [Str("a"), Str("b")]}]
    Traversal([{"Str": wrap}, {"Str": count}]).run(blocks)
    assert sorted(seen) == ["a", "b", "new"]  # "a" counted once: it was walked before the wrapper was made
    assert blocks[0]["c"][0]["t"] == "Span"


def test_hooks_get_the_ancestor_path():
    paths = []
    Traversal([{"Str": lambda n, p: paths.append([a["t"] for a in p])}]).run(
        [{"t": "Para", "c": [{"t": "Emph", "c": [Str("x")]}]}]
    )
    assert paths == [["Para", "Emph"]]


def test_pagination_mark_is_lowered_for_each_format():
    edition = prepare("Один []{.page n=12}два.\n", {"filters": ["pagination"]})
    assert '#edition-page-marker("12", label: "с.");' in render(edition, "typst")
    assert 'role="doc-pagebreak"' in render(edition, "html")
    assert 'epub:type="pagebreak"' in render(edition, "epub")


def test_unknown_option_is_an_error_at_its_line():
    with pytest.raises(EditionError) as caught:
        prepare("x\n", {"filters": ["pagination"], "pagination": {"lable": "p."}})
    (d,) = caught.value.diagnostics
    assert d.code == "CFG012" and "lable" in d.message and d.file == "manuscript/edition.yaml" and d.line


def test_wrong_order_is_a_config_error():
    with pytest.raises(EditionError) as caught:
        prepare("x\n", {"filters": ["reference_languages", "citeproc"]})
    assert [d.code for d in caught.value.diagnostics] == ["CFG013"]


def test_unknown_filter_and_filter_outside_the_project():
    with pytest.raises(EditionError) as caught:
        prepare("x\n", {"filters": ["nonesuch", "/etc/evil.py"]})
    assert [d.code for d in caught.value.diagnostics] == ["CFG006", "CFG003"]


def test_one_pandoc_session_parses_many_texts():
    from editio.load.pandoc import PandocSession

    with PandocSession() as session:
        docs = [session.read(f"*{i}*", "t") for i in range(20)]
    assert [next(iter_nodes(d["blocks"], ("Str",)))["c"] for d in docs] == [str(i) for i in range(20)]

"""The crossref filter: pandoc-crossref and Quarto labels numbered alike in every format, references as links,
unknown labels reported with their line (an error under `strict`), lists of figures and tables, and the load
stage that never takes a cross-reference for a citation."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import ROOT, assert_matches_golden, prepare, render

from editio.errors import EditionError

CASES = ROOT / "tests" / "cases" / "crossref"
EN = {"lang": "en"}

TEXT = """\
# Method {#sec:method}

See @fig:square, [@tbl:data; @eq:energy], -@fig:square, @Fig:square and @sec:method.

![A square](square.svg){#fig:square}

$$ E = mc^2 $$ {#eq:energy}

| a | b |
|---|---|
| 1 | 2 |

: Numbers {#tbl:data}
"""
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
FILES = {"manuscript/square.svg": SVG}


def _warnings(edition) -> list:
    return edition.loaded.ctx.log.warnings


@pytest.mark.parametrize("fmt", ["typst", "html", "epub"])
def test_numbers_and_links_in_every_format(fmt):
    edition = prepare(TEXT, {**EN, "filters": ["crossref"]}, FILES)
    assert_matches_golden(render(edition, fmt), CASES / "basic" / f"expected.{fmt}")


def test_references_read_as_the_catalogue_says():
    html = render(prepare(TEXT, EN, FILES), "html")
    assert '<a href="#fig:square" class="xref">Figure\u00a01</a>' in html
    assert "Table\u00a01</a>, <a" in html and "Equation\u00a0(1)</a>" in html
    assert '<a href="#fig:square" class="xref">1</a>' in html  # -@fig:square: the number alone
    assert '<span class="caption-label">Figure\u00a01</span>. A square' in html
    assert '<a href="#sec:method" class="xref">Method</a>' in html  # headings unnumbered: the title


def test_russian_labels():
    html = render(prepare(TEXT, {"lang": "ru"}, FILES), "html")
    assert ">рис.\u00a01</a>" in html and ">Рис.\u00a01</a>" in html  # @Fig:x capitalises
    assert "Таблица\u00a01</span>" in html


def test_added_automatically_and_never_a_citation():
    """No `filters:` and no bibliography: the references are still references, not BIB004."""
    edition = prepare(TEXT, EN, FILES)
    assert [f.name for f in edition.loaded.filters] == ["crossref"]
    assert not any(n.get("t") == "Cite" for n in _iter(edition.doc["blocks"]))


def test_unknown_label_is_a_warning_with_its_line_and_reads_qq():
    edition = prepare("Intro.\n\nSee @fig:nowhere here.\n", EN)
    [warning] = _warnings(edition)
    assert (warning.code, warning.file, warning.line) == ("XRF001", "manuscript/01-text.md", 3)
    assert '<span class="xref unresolved">??</span>' in render(edition, "html")
    assert "#strong[??]" in render(edition, "typst")


def test_unknown_label_is_an_error_when_strict():
    with pytest.raises(EditionError) as caught:
        prepare("Intro.\n\nSee @tbl:nowhere.\n", {**EN, "crossref": {"strict": True}})
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.file, diagnostic.line) == ("XRF001", "manuscript/01-text.md", 3)


def test_duplicate_label():
    text = "![a](s.svg){#fig:x}\n\n![b](s.svg){#fig:x}\n"
    with pytest.raises(EditionError) as caught:
        prepare(text, EN, {"manuscript/s.svg": SVG})
    assert caught.value.diagnostics[0].code == "XRF002"


def test_unknown_option_is_cfg012():
    with pytest.raises(EditionError) as caught:
        prepare(TEXT, {**EN, "crossref": {"strcit": True}}, FILES)
    assert caught.value.diagnostics[0].code == "CFG012"


def test_quarto_syntax():
    text = (
        "See @fig-a, @tbl-b and @eq-c.\n\n![Alpha](s.svg){#fig-a}\n\n$$x$$ {#eq-c}\n\n"
        "| a |\n|---|\n| 1 |\n\n: Beta {#tbl-b}\n\n::: {#fig-d}\n![inner](s.svg)\n\nDelta\n:::\n\nAnd @fig-d.\n"
    )
    html = render(prepare(text, EN, {"manuscript/s.svg": SVG}), "html")
    for expected in (
        'href="#fig-a" class="xref">Figure\u00a01<',
        'href="#tbl-b" class="xref">Table\u00a01<',
        'href="#eq-c" class="xref">Equation\u00a0(1)<',
        'href="#fig-d" class="xref">Figure\u00a02<',
        '<figure id="fig-d"',
        "Figure\u00a02</span>. Delta</figcaption>",
    ):
        assert expected in html, expected


def test_subfigures_are_lettered():
    text = "See @fig:b.\n\n::: {#fig:all}\n![one](s.svg)\n\n![two](s.svg){#fig:b}\n\nBoth\n:::\n"
    html = render(prepare(text, EN, {"manuscript/s.svg": SVG}), "html")
    assert ">Figure\u00a01b</a>" in html and "(b)</span> two" in html and "Figure\u00a01</span>. Both" in html


def test_numbered_sections_and_mixed_citation(tmp_path):
    text = "# One\n\n## Two {#sec:two}\n\nSee @sec:two and [@fig:none; @doe].\n"
    bib = "@book{doe, author={Doe, J.}, title={T}, year={2000}}\n"
    edition = prepare(
        text, {**EN, "bibliography": "../refs.bib", "crossref": {"number-sections": True}}, {"refs.bib": bib}
    )
    html = render(edition, "html")
    assert '<span class="section-number">1.1</span> Two' in html
    assert ">Section\u00a01.1</a>" in html
    cites = [n for n in _iter(edition.doc["blocks"]) if n.get("t") == "Cite"]
    assert [c["citationId"] for n in cites for c in n["c"][0]] == ["doe"]  # citeproc still gets the citation


def test_list_of_figures_from_latex_command_in_safe_mode_and_option():
    text = "![A](s.svg){#fig:a}\n\n| a |\n|---|\n| 1 |\n\n: T {#tbl:t}\n\n\\listoffigures\n"
    edition = prepare(text, {**EN, "crossref": {"list-of-tables": True}}, {"manuscript/s.svg": SVG})
    html = render(edition, "html")
    figures = html.index('list-of-figures"')
    assert html.index("List of Figures", figures) < html.index(
        'href="#fig:a" class="xref">Figure\u00a01</a>. A', figures
    )
    assert html.rindex("List of Tables") > figures  # appended at the end
    assert 'href="#tbl:t" class="xref">Table\u00a01</a>. T' in html


def test_equation_number_and_label_in_typst():
    typst = render(prepare(TEXT, EN, FILES), "typst")
    assert '#[#set math.equation(alt: "E = mc^2", numbering: _ => "(1)"); $ E = m c^2 $ <eq:energy>]' in typst
    assert "#link(<eq:energy>)[Equation~(1)]" in typst


def test_as_a_pandoc_filter():
    from editio.load.pandoc import PandocSession

    with PandocSession() as session:
        doc = session.read("See @fig:x.\n\n![A](a.png){#fig:x}\n", "doc")
    doc["meta"]["lang"] = {"t": "MetaString", "c": "en"}
    proc = subprocess.run(
        [sys.executable, "-m", "editio.filters.pandoc_filter", "crossref", "html"],
        input=json.dumps(doc),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    links = [n for n in _iter(out["blocks"]) if n.get("t") == "Link"]
    assert links and links[0]["c"][2][0] == "#fig:x"


def _iter(tree):
    from editio.ast import iter_nodes

    return iter_nodes(tree)

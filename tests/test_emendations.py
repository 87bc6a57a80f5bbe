"""Tests of the emendation apparatus: the edition's data against the seed and the manuscript, the filter
(editio.filters.emendations) through the real load and filter stage, its lowering in each format (and the page
numbers typst prints), every diagnostic with its file and line, and the plain pandoc --filter path.

The golden case is tests/cases/emendations/basic/: ``input.md`` with its ``emendations.yaml``, filtered and
written as each format's body (``expected.typst``, ``expected.html``, ``expected.epub``). ``pytest
--update-goldens`` rewrites them: review the diff.
"""

from __future__ import annotations

import io
import re

import pytest
import yaml
from helpers import ROOT, assert_matches_golden, pandoc_with_filter, prepare, render

from editio.ast import get, has_class, iter_nodes, stringify
from editio.errors import EditionError
from editio.filters.emendations import sentence_tail

CASE = ROOT / "tests" / "cases" / "emendations" / "basic"
DATA = (CASE / "emendations.yaml").read_text(encoding="utf-8")
SEED = ROOT.parent / "shared" / "seed" / "000_a974b76ebbe85e66.txt"
LIST = "\n\n::: emendations\n:::\n"


def data_of(*ids: str) -> str:
    """The entries ``ids`` of the case's data file."""
    return "".join(e for e in re.split(r"(?m)^(?=- id: )", DATA) if e and e.split()[2] in ids)


def emended(text: str, data: str = DATA, config: dict | None = None):
    return prepare(text, {"filters": ["emendations"], **(config or {})}, {"manuscript/emendations.yaml": data})


def case_edition():
    return emended((CASE / "input.md").read_text(encoding="utf-8"))


def marks(edition) -> list[dict]:
    return [n for n in iter_nodes(edition.doc["blocks"], ("Span",)) if has_class(n, "emendation")]


def diagnostics(edition) -> list[tuple[str, str | None, int | None]]:
    return [(d.code, d.file, d.line) for d in edition.loaded.ctx.log.items]


# --- the edition's own data ------------------------------------------------------------------------


def entries() -> list[dict]:
    return yaml.safe_load((ROOT / "manuscript" / "emendations.yaml").read_text(encoding="utf-8"))


def manuscript_spans() -> dict[str, str]:
    """Each emendation key in the manuscript with the raw Markdown of its reading."""
    spans = {}
    for path in sorted((ROOT / "manuscript").glob("*.md")):
        for reading, key in re.findall(
            r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\{\.emendation key=([\w-]+)\}", path.read_text(encoding="utf-8")
        ):
            spans[key] = reading
    return spans


@pytest.mark.edition
@pytest.mark.skipif(not SEED.is_file(), reason="the seed text is not mounted")
def test_every_source_reading_is_in_the_seed_at_its_line():
    seed = SEED.read_text(encoding="utf-8").splitlines()
    for entry in entries():
        around = " ".join(seed[max(0, entry["seed-line"] - 2) : entry["seed-line"] + 1])
        joined = around.replace("-\n", "").replace("- ", "")
        assert entry["source"] in around or entry["source"] in joined, (entry["id"], entry["seed-line"])


@pytest.mark.edition
def test_every_edition_reading_is_in_the_manuscript():
    spans = manuscript_spans()
    for entry in entries():
        assert entry["id"] in spans, f"{entry['id']} is not used in the manuscript"
        reading = spans[entry["id"]]
        if "@" in reading:  # a corrected citation: the reading is a pandoc citation, not the text
            continue
        assert reading == entry["edition"], (entry["id"], reading)


# --- the marks and their lowering ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["typst", "html", "epub"])
def test_golden(fmt):
    assert_matches_golden(render(case_edition(), fmt), CASE / f"expected.{fmt}")


def test_numbered_in_text_order_with_titles_and_targets():
    edition = case_edition()
    assert [(n["c"][0][0], get(n, "target"), get(n, "title"), stringify(n)) for n in marks(edition)] == [
        ("emd-ref-1", "emd-1", "в источнике: кратrой", "краткой"),
        ("emd-ref-2", "emd-2", "в источнике: POT-LO", "POR-LO"),
        ("emd-ref-3", "emd-3", "в источнике: Lora, 1078", "Lora, 1978"),  # in the author's note, at its call
        ("emd-ref-1-2", "emd-1", "в источнике: кратrой", "краткой"),
    ]  # the same slip again: entry 1, a new id
    assert diagnostics(edition) == []


def test_list_lines_read_edition_source_kind_and_why_with_a_way_back():
    html = render(case_edition(), "html")
    items = re.findall(r"<li>(.*?)</li>", html.split('<div class="emendations">')[1])
    assert items[0].startswith(
        '<span id="emd-1"></span><em>краткой</em>\u00a0] кратrой (опечатка: латинская r набрана '
        "вместо кириллической к) "
    )
    assert re.findall(r'href="#([^"]+)" role="doc-backlink"', items[0]) == ["emd-ref-1", "emd-ref-1-2"]
    assert "(опечатка: T — опечатка вместо R)" in items[1]  # a letter's name keeps its capital
    assert len(items) == 3


def test_every_link_of_the_apparatus_resolves():
    html = render(case_edition(), "html")
    ids = re.findall(r'id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert {h for h in re.findall(r'href="#([^"]+)"', html) if h.startswith("emd")} <= set(ids)


def test_typst_marks_with_a_label_and_lists_the_page():
    typst = render(case_edition(), "typst")
    assert '#underline(stroke: (thickness: 0.45pt, dash: "dotted"' in typst
    assert ']#metadata("emendation")<emd-ref-1>' in typst and ']#metadata("emendation")<emd-ref-1-2>' in typst
    assert '#link(<emd-ref-3>)[#"с."~#context counter(page).at(<emd-ref-3>).first()];' in typst


def test_print_lists_the_page_of_each_place(tmp_path):
    """Compiled by typst: the list gives the page each marked place stands on (2, then 2 and 3 for the slip
    that recurs)."""
    import typst
    from pypdf import PdfReader

    from editio.lower.typst import LIBRARY

    page_break = "\n\n```{=typst}\n#pagebreak()\n```\n\n"
    text = (
        f"Первая страница.{page_break}Партия [POR-LO]{{.emendation key=por-lo}} и [краткой]{{.emendation "
        f"key=kratkoj}}.{page_break}Снова [краткой]{{.emendation key=kratkoj}}.{page_break}# Исправления{LIST}"
    )
    edition = emended(text, data_of("por-lo", "kratkoj"), {"allow-raw": True})
    source = tmp_path / "doc.typ"
    source.write_text(LIBRARY.read_text("utf-8") + "\n" + render(edition, "typst"), encoding="utf-8")
    last = PdfReader(io.BytesIO(typst.compile(str(source)))).pages[-1].extract_text()
    lines = re.sub(r"\s+", " ", last)
    assert re.search(r"POR-LO \] POT-LO .*?— с\.\s2\b", lines), lines
    assert re.search(r"краткой \] кратrой .*?— с\.\s2 — с\.\s3\b", lines), lines


def test_a_reading_that_holds_a_link_keeps_it_on_screen():
    edition = emended("Партия [[POR-LO](https://example.org)]{.emendation key=por-lo}." + LIST, data_of("por-lo"))
    html = render(edition, "html")
    assert (
        '<span id="emd-ref-1" class="emendation"><a href="https://example.org">POR-LO</a></span>'
        '<a href="#emd-1" class="emendation" title="в источнике: POT-LO"><sup>*</sup></a>'
    ) in html


def test_kinds_and_page_label_from_the_options_else_the_catalogue():
    text = "During the [краткой]{.emendation key=kratkoj} war." + LIST
    english = emended(text, data_of("kratkoj"), {"lang": "en"})
    assert "(typo: латинская r набрана вместо кириллической к)" in render(english, "html")
    assert '[#"p."~#context' in render(english, "typst")
    options = {"kinds": {"typo": "опечатка набора"}, "page-label": "стр."}
    custom = emended(text, data_of("kratkoj"), {"emendations": options})
    assert "(опечатка набора: латинская" in render(custom, "html")
    assert '[#"стр."~#context' in render(custom, "typst")


@pytest.mark.parametrize(
    "why, clause",
    [
        ("Латинская r набрана вместо к.", "латинская r набрана вместо к"),
        ("T — опечатка вместо R.", "T — опечатка вместо R"),
        ("Г. Лора пишет иначе.", "Г. Лора пишет иначе"),
        ("POR-LO — так в других местах.", "POR-LO — так в других местах"),
        ("«одну из старейших».", "«одну из старейших»"),
        ("Так и было...", "так и было..."),
    ],
)
def test_the_reason_reads_as_a_clause_after_the_colon(why, clause):
    assert sentence_tail(why) == clause


# --- diagnostics -----------------------------------------------------------------------------------


def test_unknown_key_is_emd001_with_manuscript_file_and_line():
    with pytest.raises(EditionError) as caught:
        emended("Строка.\n\nЕще [слово]{.emendation key=nope} тут.\n" + LIST)
    assert [(d.code, d.file, d.line) for d in caught.value.diagnostics] == [("EMD001", "manuscript/01-text.md", 3)]
    assert "key='nope' names no entry of manuscript/emendations.yaml" in caught.value.diagnostics[0].message


def test_span_without_key_is_emd001_at_its_line():
    with pytest.raises(EditionError) as caught:
        emended("Строка.\n\nЕще [слово]{.emendation} тут.\n" + LIST)
    assert [(d.code, d.file, d.line) for d in caught.value.diagnostics] == [("EMD001", "manuscript/01-text.md", 3)]
    assert "has no key" in caught.value.diagnostics[0].message


def test_unused_entries_are_emd002_warnings_with_data_lines():
    edition = emended("Во время [краткой]{.emendation key=kratkoj} войны.\n" + LIST)
    assert diagnostics(edition) == [
        ("EMD002", "manuscript/emendations.yaml", 1),
        ("EMD002", "manuscript/emendations.yaml", 11),
    ]
    assert "emendation 'por-lo' is not used in the text" in edition.loaded.ctx.log.warnings[0].message


def test_malformed_entries_are_emd003_each_with_its_line():
    with pytest.raises(EditionError) as caught:
        emended(
            "Текст.\n",
            "- id: a\n  source: x\n- id: b\n  source: x\n  edition: y\n  kind: spelling\n  why: z\n"
            "- id: b\n  source: x\n  edition: y\n  kind: typo\n  why: z\n",
        )
    assert [(d.code, d.line) for d in caught.value.diagnostics] == [("EMD003", 1), ("EMD003", 3), ("EMD003", 8)]
    assert [
        m
        for d in caught.value.diagnostics
        for m in re.findall(r"lacks [\w, ]+|kind 'spelling'|duplicate id 'b'", d.message)
    ] == ["lacks edition, kind, why", "kind 'spelling'", "duplicate id 'b'"]


def test_without_the_div_the_list_is_appended_with_emd004():
    edition = emended("Во время [краткой]{.emendation key=kratkoj} войны.\n", data_of("kratkoj"))
    assert diagnostics(edition) == [("EMD004", None, None)]
    html = render(edition, "html")
    assert '<section id="emendations" class="emendations">\n<h1>Исправления</h1>\n<ol type="1">' in html


# --- plain pandoc ----------------------------------------------------------------------------------


def test_runs_as_a_pandoc_filter(tmp_path):
    (tmp_path / "emendations.yaml").write_text(DATA, encoding="utf-8")
    proc = pandoc_with_filter(
        "emendations", "-t", "html5", "--wrap=none", "-M", "lang=ru", str(CASE / "input.md"), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert '<a href="#emd-1" id="emd-ref-1" class="emendation" title="в источнике: кратrой">краткой</a>' in proc.stdout
    assert '<span id="emd-1"></span><em>краткой</em>' in proc.stdout

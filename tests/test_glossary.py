"""Tests of the glossary: matching (editio.glossary), the filter (editio.filters.glossary) through the real load
and filter stage, its lowering in each format, diagnostics, the EPUB search keys and the pandoc-filter path.

Golden cases live in tests/cases/glossary/<case>/: ``input.md`` (with ``options.yaml`` for the ``glossary``
options when given) is filtered with tests/cases/glossary/glossary.yaml. Matching cases compare the HTML of the
text (``expected.html``, the glossary Div emptied); the ``structure`` case compares the whole body in each format
(``expected.typst``, ``expected.html``, ``expected.epub``). ``pytest --update-goldens`` rewrites them: review the
diff.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import assert_matches_golden, prepare, render

from editio.ast import has_class, iter_nodes, stringify
from editio.collation import collation
from editio.errors import DiagnosticLog, EditionError
from editio.glossary import Entry, Glossary, parse_glossary, sort_key
from editio.load.pandoc import pandoc_path
from editio.writers.epub_glossary import keys_from_ast, search_key_map

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases" / "glossary"
DATA = (CASES / "glossary.yaml").read_text(encoding="utf-8")
PLACEHOLDER = "\n\n# Глоссарий {#glossary}\n\n::: glossary\n:::\n"
BIB = "@book{cob1990, author = {Lora, Guillermo}, title = {Historia}, year = {1990}, langid = {spanish}}\n"
MATCHING = ["every", "explicit", "inflections", "multiword", "notes", "scripts", "sections", "skipped", "suppression"]


def glossary_edition(markdown: str, options: dict | None = None, data: str = DATA):
    config = {"filters": ["glossary"], "bibliography": "../references.bib"}
    if options is not None:
        config["glossary"] = options
    return prepare(markdown, config, {"manuscript/glossary.yaml": data, "references.bib": BIB})


# --- golden cases ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", MATCHING)
def test_matching_golden(case):
    folder = CASES / case
    options_file = folder / "options.yaml"
    options = yaml.safe_load(options_file.read_text("utf-8")) if options_file.exists() else None
    edition = glossary_edition((folder / "input.md").read_text("utf-8") + PLACEHOLDER, options)
    for div in iter_nodes(edition.doc["blocks"], ("Div",)):
        if has_class(div, "glossary"):
            div["c"][1] = []
    assert_matches_golden(render(edition, "html"), folder / "expected.html")


@pytest.mark.parametrize("fmt", ["typst", "html", "epub"])
def test_structure_golden(fmt):
    edition = glossary_edition((CASES / "structure" / "input.md").read_text("utf-8"))
    assert_matches_golden(render(edition, fmt), CASES / "structure" / f"expected.{fmt}")


def test_neutral_marks():
    edition = glossary_edition("COB и паблисты." + PLACEHOLDER)
    links = [n for n in iter_nodes(edition.doc["blocks"], ("Link",)) if has_class(n, "gls")]
    assert [(n["c"][0][0], n["c"][2][0], dict(n["c"][0][2])["entry"], stringify(n)) for n in links] == [
        ("gls-cob-1", "#gls-cob", "cob", "COB"),
        ("gls-pablism-1", "#gls-pablism", "pablism", "паблисты"),
    ]
    entries = [n for n in iter_nodes(edition.doc["blocks"], ("Div",)) if has_class(n, "gls-entry")]
    assert [dict(n["c"][0][2])["entry"] for n in entries][:2] == ["fi", "pablism"]  # Cyrillic order, IV moved
    heading = next(n for n in iter_nodes(edition.doc["blocks"], ("Header",)) if n["c"][1][0] == "glossary")
    assert "glossary-heading" in heading["c"][1][1]


def test_headword_stays_with_its_definition_in_print(tmp_path):
    """However much text comes before, the page that ends with a headword also holds its definition."""
    import typst
    from pypdf import PdfReader

    from editio.lower.typst import LIBRARY

    typ = render(glossary_edition("COB." + PLACEHOLDER), "typst")
    assert re.search(r'#edition-glossary-entry\[\n#metadata\("cob"\)<gls-cob>#strong\[COB\]', typ)
    source = tmp_path / "doc.typ"
    stranded = []
    for lines in range(1, 16):
        filler = "\n\n".join(f"Строка {n}." for n in range(lines))
        source.write_text(
            f"{LIBRARY.read_text('utf-8')}\n#set page(width: 8cm, height: 5cm, margin: 5mm)\n{filler}\n\n{typ}",
            encoding="utf-8",
        )
        pages = [p.extract_text() for p in PdfReader(io.BytesIO(typst.compile(str(source)))).pages]
        head = next(i for i, p in enumerate(pages) if re.search(r"^COB —", p, re.M))
        if "Профсоюзный" not in pages[head]:
            stranded.append(lines)
    assert stranded == []


def test_foreign_language_is_the_documents_not_russian():
    # In an English edition Russian text is foreign and English text is searched.
    data = "entries:\n  - {id: cob, term: COB, definition: d, forms: [COB]}\n"
    edition = prepare(
        "COB here, [COB там]{lang=ru}." + PLACEHOLDER,
        {"filters": ["glossary"], "lang": "en"},
        {"manuscript/glossary.yaml": data},
    )
    links = [stringify(n) for n in iter_nodes(edition.doc["blocks"], ("Link",)) if has_class(n, "gls")]
    assert links == ["COB"]
    assert "In the text:" in render(edition, "html")


# --- matching --------------------------------------------------------------------------------------------


def glossary(*entries: Entry) -> Glossary:
    return Glossary(list(entries))


def found(g: Glossary, text: str) -> list[tuple[str, str]]:
    return [(text[m.start : m.end], m.entry.id) for m in g.find(text)]


def test_longest_match_and_word_boundaries():
    g = glossary(
        Entry("por", "POR", "d", forms=("POR",)),
        Entry("por-lo", "POR-LO", "d", forms=("POR-LO",)),
        Entry("cob", "COB", "d", forms=("COB",)),
    )
    assert found(g, "POR-LO, POR, PORы, COB-овцы, xCOB, «COB».") == [
        ("POR-LO", "por-lo"),
        ("POR", "por"),
        ("COB", "cob"),
    ]


def test_stems_take_up_to_four_lower_case_letters_of_their_script():
    g = glossary(Entry("p", "паблизм", "d", stems=("паблист",)), Entry("e", "entrism", "d", stems=("entrist",)))
    assert found(g, "паблист паблисты паблистами паблистского Паблисты паблист-X паблистX паблистs") == [
        ("паблист", "p"),
        ("паблисты", "p"),
        ("паблистами", "p"),
    ]
    assert found(g, "entrists entristic entristsы Entrists") == [("entrists", "e"), ("entristic", "e")]


def test_multiword_forms_match_any_space():
    g = glossary(Entry("v", "вето", "d", forms=("контроль с правом вето",)))
    assert found(g, "контроль с\u00a0правом  вето") == [("контроль с\u00a0правом  вето", "v")]


def test_matching_is_linear_and_agrees_with_trying_every_pattern():
    data = yaml.safe_load((ROOT / "manuscript" / "glossary.yaml").read_text("utf-8"))
    g = parse_glossary(data, "glossary.yaml", DiagnosticLog())
    text = (ROOT / "manuscript" / "03-split-and-entrism.md").read_text("utf-8").replace("\n", " ")
    everything = sorted(
        ((m.start(), -(m.end() - m.start()), e.id, m.end()) for p, e in g._patterns for m in p.finditer(text))
    )
    chosen, end = [], -1
    for start, _, entry_id, stop in everything:
        if start >= end:
            chosen.append((start, stop, entry_id))
            end = stop
    assert [(m.start, m.end, m.entry.id) for m in g.find(text)] == chosen and len(chosen) > 20


def test_russian_sort_order_latin_after_cyrillic():
    terms = ["MNR", "энтризм", "IV Интернационал", "«черный передел»", "ёж", "етти", "Catavi", "Ábaco", "айлью"]
    ordered = sorted(
        (Entry(f"e{i}", t, "d", forms=(t,)) for i, t in enumerate(terms)),
        key=lambda entry: sort_key(entry, collation("ru")),
    )
    assert [e.term for e in ordered] == [
        "айлью",
        "ёж",
        "етти",
        "IV Интернационал",
        "«черный передел»",
        "энтризм",
        "Ábaco",
        "Catavi",
        "MNR",
    ]


# --- diagnostics -----------------------------------------------------------------------------------------


def load(text: str) -> tuple[Glossary, DiagnosticLog]:
    from editio.yamlfile import _LineLoader

    log = DiagnosticLog()
    return parse_glossary(yaml.load(text, Loader=_LineLoader), "glossary.yaml", log), log  # noqa: S506


def test_duplicate_ids_and_shared_forms_are_errors_with_lines():
    _, log = load(
        "entries:\n"
        "  - {id: cob, term: COB, definition: d, forms: [COB]}\n"
        "  - {id: cob, term: COB2, definition: d, forms: [X]}\n"
        "  - {id: other, term: O, definition: d, forms: [COB]}\n"
        "  - {id: Bad_Id, term: B, definition: d, forms: [B], colour: red}\n"
    )
    shown = [str(d) for d in log.errors]
    assert "glossary.yaml:3: error GLS002: duplicate id 'cob' (first on line 2); give each entry its own id" in shown
    assert any(
        s.startswith("glossary.yaml:4: error GLS003: form 'COB' of 'other' is already claimed by 'cob'") for s in shown
    )
    assert any(s.startswith("glossary.yaml:5: error GLS001: entry 'Bad_Id': unknown key(s) 'colour'") for s in shown)
    assert any("GLS001" in s and "lower-case" in s for s in shown)


def test_missing_fields_and_stems_that_are_not_words():
    _, log = load("entries:\n  - {id: x, term: X, stems: [ab1]}\n")
    assert [d.code for d in log.errors] == ["GLS001", "GLS001"]
    assert all(d.line == 2 for d in log.errors)


def test_unknown_key_names_manuscript_file_and_line():
    with pytest.raises(EditionError) as caught:
        glossary_edition("Строка.\n\nСм. [центр]{.gls key=cobb} и [нечто]{.gls}." + PLACEHOLDER)
    shown = [str(d) for d in caught.value.diagnostics]
    assert shown[0].startswith("manuscript/01-text.md:3: error GLS004: unknown glossary key 'cobb'")
    assert shown[1].startswith("manuscript/01-text.md:3: error GLS005: [нечто]{.gls} has no key")


def test_glossary_errors_raise_together():
    data = (
        "entries:\n  - {id: a, term: A, definition: d, forms: [A]}\n  - {id: a, term: B, definition: d, forms: [A]}\n"
    )
    with pytest.raises(EditionError) as caught:
        glossary_edition("A" + PLACEHOLDER, data=data)
    assert [d.code for d in caught.value.diagnostics] == ["GLS002"]


def test_unused_entry_is_a_warning_labelled_when_declared():
    data = (
        "entries:\n  - {id: a, term: A, definition: d, forms: [Аа]}\n"
        "  - {id: b, term: B, definition: d, forms: [Бб], occurs: false}\n"
        "  - {id: c, term: C, definition: d, forms: [Вв]}\n"
    )
    edition = glossary_edition("Вв." + PLACEHOLDER, data=data)
    warnings = [str(w) for w in edition.loaded.ctx.log.warnings]
    assert any(
        w.startswith(
            "manuscript/glossary.yaml:2: warning GLS006: glossary entry 'a' never occurs in the text; add a form"
        )
        for w in warnings
    )
    assert (
        "manuscript/glossary.yaml:3: warning GLS006: glossary entry 'b' never occurs in the text (declared "
        "`occurs: false`)" in warnings
    )
    assert 'id="gls-a"' in render(edition, "html")  # still listed in the glossary


def test_bad_link_mode_and_missing_data():
    with pytest.raises(EditionError) as caught:
        glossary_edition("COB" + PLACEHOLDER, {"link": "sometimes"})
    assert caught.value.diagnostics[0].code == "GLS007"
    with pytest.raises(EditionError) as caught:
        glossary_edition("COB" + PLACEHOLDER, {"data": "missing.yaml"})
    assert caught.value.diagnostics[0].code == "GLS007"


def test_links_without_glossary_div():
    with pytest.raises(EditionError) as caught:
        glossary_edition("COB")
    assert caught.value.diagnostics[0].code == "GLS008"


def test_no_glossary_data_leaves_document_alone():
    edition = prepare("COB и [POR]{.nogls}.", {"filters": ["glossary"]})
    assert render(edition, "html").strip() == "<p>COB и POR.</p>"


# --- PDF (typst) -----------------------------------------------------------------------------------------


def test_typst_output_compiles_with_page_numbers(tmp_path):
    import typst
    from pypdf import PdfReader

    from editio.lower.typst import LIBRARY

    text = "COB в начале.\n\n```{=typst}\n#pagebreak()\n```\n\n# Второй\n\nCOB потом." + PLACEHOLDER
    edition = prepare(text, {"filters": ["glossary"], "allow-raw": True}, {"manuscript/glossary.yaml": DATA})
    source = tmp_path / "doc.typ"
    source.write_text(LIBRARY.read_text("utf-8") + "\n" + render(edition, "typst"), encoding="utf-8")
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(typst.compile(str(source)))).pages]
    glossary_text = next(p for p in pages if "Профсоюзный центр." in p)
    assert re.search(r"Профсоюзный центр\. В\sтексте: с\.\s*1, 2", glossary_text), glossary_text


# --- EPUB ------------------------------------------------------------------------------------------------


def test_epub_search_keys_and_glossary_semantics():
    edition = glossary_edition((CASES / "structure" / "input.md").read_text("utf-8"))
    from editio.build import lowered

    keys = keys_from_ast(lowered(edition, "epub"))
    assert ("gls-cob", "COB", ["СОВ", "Central Obrera Boliviana", "Рабочий центр", "Рабочего центра"]) in keys
    assert ("gls-pablism", "паблизм", ["паблисты"]) in keys
    xhtml = render(edition, "epub")
    assert '<section id="glossary" epub:type="glossary">' in xhtml
    assert '<dd epub:type="glossdef">' in xhtml and '<dfn epub:type="glossterm"><span id="gls-cob">' in xhtml
    assert "glossterm" not in render(edition, "html") and "epub:type" not in render(edition, "html")


def test_search_key_map_escapes():
    skm = search_key_map([("gls-a", 'A & "B"', ["<c>"])], "text/ch.xhtml", "ru")
    assert '<match value="A &amp; &quot;B&quot;">' in skm and '<value value="&lt;c&gt;"/>' in skm


# --- as a pandoc filter ----------------------------------------------------------------------------------


def test_runs_as_a_pandoc_filter(tmp_path):
    (tmp_path / "glossary.yaml").write_text(DATA, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}

    def run(markdown: str) -> subprocess.CompletedProcess:
        doc = subprocess.run(
            [pandoc_path(), "-f", "markdown", "-t", "json"], input=markdown, capture_output=True, text=True, check=True
        ).stdout
        return subprocess.run(
            [sys.executable, "-m", "editio.filters.pandoc_filter", "glossary", "html"],
            input=doc,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
        )

    proc = run("---\nlang: ru\n---\nCOB и паблисты." + PLACEHOLDER)
    assert proc.returncode == 0, proc.stderr
    html = subprocess.run(
        [pandoc_path(), "-f", "json", "-t", "html5"], input=proc.stdout, capture_output=True, text=True, check=True
    ).stdout
    assert '<a href="#gls-cob" id="gls-cob-1" class="gls"' in html
    assert '<dfn><span id="gls-cob"><strong>COB</strong></span></dfn>' in html
    assert "glossary-search-keys" in json.loads(proc.stdout)["meta"]
    bad = run("[x]{.gls key=nope}" + PLACEHOLDER)
    assert bad.returncode == 1 and "GLS004" in bad.stderr and "Traceback" not in bad.stderr

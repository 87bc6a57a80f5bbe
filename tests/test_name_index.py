"""Tests of filters/name_index.py and editio.persons: goldens, validation, the real data, one end-to-end build.

Golden cases live in tests/cases/name_index/<case>/: ``input.md`` and ``persons.yaml`` go through the filter
in-process for HTML and for typst; the result, written as Markdown, must equal ``expected.<format>.md``.
Regenerate with ``EDITIO_SAVE_GOLDEN=1`` and review the diff. The end-to-end build (also used by
tests/test_chronology.py) runs the real command line on tests/cases/name_index/project.
"""

from __future__ import annotations

import difflib
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import panflute as pf
import pytest
from pypandoc import get_pandoc_path
from pypdf import PdfReader

from editio.errors import DiagnosticLog, EditionError
from editio.persons import Person, parse_persons, sort_key
from editio.textsearch import normalise
from editio.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases" / "name_index"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "input.md").is_file())
PROJECT = CASES / "project"
MANUSCRIPT = ROOT / "manuscript"
PANDOC = get_pandoc_path()
FORMATS = ("html5", "typst")


def load_filter(name: str):
    spec = importlib.util.spec_from_file_location(f"{name}_filter", ROOT / "filters" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


name_index = load_filter("name_index")


def pandoc(args: list[str], text: str, cwd: Path | None = None, env: dict | None = None) -> str:
    return subprocess.run([PANDOC, *args], input=text, capture_output=True, text=True, check=True,
                          encoding="utf-8", cwd=cwd, env=env).stdout


def read_doc(markdown: str, fmt: str, manuscript_dir: Path | None) -> pf.Doc:
    doc = pf.load(io.StringIO(pandoc(["-f", "markdown", "-t", "json"], markdown)))
    doc.format = fmt
    if manuscript_dir is not None:
        doc.metadata["manuscript-dir"] = pf.MetaString(str(manuscript_dir))
    return doc


def to_markdown(doc: pf.Doc) -> str:
    buffer = io.StringIO()
    pf.dump(doc, buffer)
    return pandoc(["-f", "json", "-t", "markdown-smart", "--wrap=none"], buffer.getvalue())


def manuscript_markdown() -> str:
    """The real manuscript's text files, in the order edition.yaml lists them."""
    files = load_yaml(MANUSCRIPT / "edition.yaml")["files"]
    return "\n\n".join((MANUSCRIPT / name).read_text(encoding="utf-8") for name in files)


def persons_from(text: str, log: DiagnosticLog) -> list[Person]:
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"persons-{os.getpid()}.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        return parse_persons(load_yaml(path, "persons.yaml"), "persons.yaml", log)
    finally:
        path.unlink()


# --- golden cases ------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASE_NAMES)
def test_golden(case, fmt):
    folder = CASES / case
    doc = read_doc((folder / "input.md").read_text(encoding="utf-8"), fmt, folder)
    actual = to_markdown(name_index.main(doc))
    expected_file = folder / f"expected.{fmt}.md"
    if os.environ.get("EDITIO_SAVE_GOLDEN") == "1":
        expected_file.write_text(actual, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"{case}/{expected_file.name}", f"{case} (actual)"))
        pytest.fail(f"name index output differs from the golden file (EDITIO_SAVE_GOLDEN=1 regenerates it):\n{diff}")


def test_marks_text_and_notes_but_not_headings_citations_links_code_or_glossary():
    folder = CASES / "basic"
    doc = name_index.main(read_doc((folder / "input.md").read_text(encoding="utf-8"), "html5", folder))
    marked = []
    doc.walk(lambda e, d: marked.append((e.identifier, pf.stringify(e)))
             if isinstance(e, pf.Span) and "name-ref" in e.classes else None)
    assert dict(marked) == {
        "name-lora-guillermo-1": "Гильермо Лора", "name-lechin-juan-1": "Х.Лечин", "name-lora-guillermo-2": "Лора",
        "name-lechin-juan-2": "Х. Лечином", "name-yolkin-1": "Ёлкин", "name-moller-edwin-1": "Э. Моллер",
        "name-moller-edwin-2": "Мольер", "name-eremeev-1": "Еремеев", "name-lora-guillermo-3": "Лоры"}
    # The heading «Глава о Лоре…» and the glossary Div keep their text unmarked.
    header = doc.content[0]
    assert not any(isinstance(e, pf.Span) for e in header.content)


def test_index_entry_format_order_and_cross_reference():
    folder = CASES / "basic"
    doc = name_index.main(read_doc((folder / "input.md").read_text(encoding="utf-8"), "html5", folder))
    index = next(e for e in doc.content if isinstance(e, pf.Div) and "name-index" in e.classes)
    lines = [pf.stringify(block).strip().replace("\u00a0", " ") for block in index.content]
    assert lines == [
        "Е", "Ёлкин А. — 10", "Еремеев Б. — 11",
        "Л", "Лечин Х. (Juan Lechín, ум. 2001) — 10", "Лора Г. (Guillermo Lora, 1922–2009), лидер POR — 10, 11",
        "М", "Моллер см. Мольер Э.",
        "Мольер Э. (Edwin Moller), лидер POR в COB; в тексте также Моллер — 10, 11",
    ]
    links = []
    index.walk(lambda e, d: links.append(e.url) if isinstance(e, pf.Link) else None)
    # Two mentions of Лора on page 10 give one link, to the first of them.
    assert "#name-lora-guillermo-1" in links and "#name-lora-guillermo-2" not in links
    assert "#person-moller-edwin" in links


def test_numbered_links_without_page_markers():
    doc = read_doc("Лора и снова Лора.\n\n::: name-index\n:::\n", "html5", CASES / "basic")
    name_index.main(doc)
    assert pf.stringify(doc.content[-1]).strip().endswith("лидер POR\u00a0—\u00a01, 2")


def test_typst_marks_are_invisible_metadata_and_the_index_queries_them():
    folder = CASES / "basic"
    doc = name_index.main(read_doc((folder / "input.md").read_text(encoding="utf-8"), "typst", folder))
    raw = []
    doc.walk(lambda e, d: raw.append(e.text) if isinstance(e, (pf.RawInline, pf.RawBlock)) else None)
    assert raw.count('#metadata("lora-guillermo")<name-ref>') == 3
    assert '#name-index-pages("lora-guillermo")' in raw
    assert any("query(<name-ref>).filter(m => m.value == key)" in r for r in raw)


@pytest.mark.parametrize("form, text, found", [
    ("Х.Лечин", "Х. Лечин", True),
    ("Х. Лечином", "Х.\u00a0Лечином", True),
    ("Лора", "Лоран", False),
    ("Лора", "Г.Лора", True),
])
def test_forms_match_loosely_on_spaces_but_only_whole_words(form, text, found):
    from editio.textsearch import words_pattern

    assert bool(words_pattern([normalise(form)]).search(normalise(text))) is found


def test_russian_sort_order():
    headings = ["Ёлкин", "Агирре", "Еремеев", "Эскобар", "Бланко", "Ellis", "Яковлев"]
    assert sorted(headings, key=sort_key) == ["Агирре", "Бланко", "Ёлкин", "Еремеев", "Эскобар", "Яковлев", "Ellis"]


# --- validation --------------------------------------------------------------------------------

BAD_PERSONS = """\
persons:
  - id: lora
    heading: Лора Г.
    forms: [Лора]
  - id: lora
    heading: Лора Г.
    forms: [Гильермо Лора]
  - id: other
    heading: Другой
    forms: [Лора]
  - id: late
    heading: Поздний
    born: 1950
    died: 1900
    dates-source: https://example.org
    forms: [Поздний]
  - id: unsourced
    heading: Без источника
    born: 1900
    forms: [Безысточников]
  - id: Bad Id
    heading: Плохой
    forms: [Плохой]
  - id: noheading
    forms: [Безымянный]
  - id: badyear
    heading: Год
    born: "около 1900"
    dates-source: https://example.org
    forms: [Годов]
"""


def test_every_data_problem_reported_with_code_and_line():
    log = DiagnosticLog()
    persons_from(BAD_PERSONS, log)
    found = {(d.code, d.line) for d in log.errors}
    assert found == {("NAM003", 5), ("NAM004", 8), ("NAM005", 11), ("NAM006", 17), ("NAM008", 21),
                     ("NAM002", 24), ("NAM010", 26)}
    assert all(d.file == "persons.yaml" for d in log.errors)
    assert "unverified dates must not print" in next(str(d) for d in log.errors if d.code == "NAM006")


def test_not_a_persons_file():
    log = DiagnosticLog()
    assert persons_from("- just a list\n", log) == []
    assert [(d.code, d.line) for d in log.errors] == [("NAM001", 1)]


def test_bad_data_fails_the_filter_with_file_and_line(tmp_path):
    (tmp_path / "persons.yaml").write_text(BAD_PERSONS, encoding="utf-8")
    doc = read_doc("Лора.\n", "html5", tmp_path)
    with pytest.raises(EditionError) as caught:
        name_index.main(doc)
    assert f"{tmp_path.name}/persons.yaml:5: error NAM003" in str(caught.value)


def test_person_never_named_is_a_warning(tmp_path, capsys):
    (tmp_path / "persons.yaml").write_text("persons:\n  - id: absent\n    heading: Никто\n    forms: [Никто]\n",
                                           encoding="utf-8")
    name_index.main(read_doc("Лора.\n\n::: name-index\n:::\n", "html5", tmp_path))
    assert f"{tmp_path.name}/persons.yaml:2: warning NAM007" in capsys.readouterr().err


def test_bad_options_are_reported(tmp_path):
    doc = read_doc("---\nname-index: {colour: red, data: [1]}\n---\nЛора.\n", "html5", tmp_path)
    with pytest.raises(EditionError) as caught:
        name_index.main(doc)
    assert [d.code for d in caught.value.diagnostics] == ["NAM001", "NAM001"]


# --- the real data -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_index():
    doc = read_doc(manuscript_markdown() + "\n\n::: name-index\n:::\n", "html5", MANUSCRIPT)
    log = DiagnosticLog()
    persons = parse_persons(load_yaml(MANUSCRIPT / "persons.yaml"), "persons.yaml", log)
    assert not log.errors
    return name_index.main(doc), persons


def test_every_person_of_the_real_data_is_found_in_the_text(real_index, capsys):
    doc, persons = real_index
    anchors = set()
    doc.walk(lambda e, d: anchors.add(e.identifier) if isinstance(e, pf.Span) and "name-ref" in e.classes else None)
    for person in persons:
        assert f"name-{person.id}-1" in anchors, f"{person.id} is never found in the text"


def test_every_form_of_the_real_data_occurs_in_the_manuscript():
    text = normalise(manuscript_markdown() + (MANUSCRIPT / "edition.yaml").read_text(encoding="utf-8"))
    log = DiagnosticLog()
    for person in parse_persons(load_yaml(MANUSCRIPT / "persons.yaml"), "persons.yaml", log):
        for form in person.forms:
            assert normalise(form) in text, f"{person.id}: form {form!r} is not in the manuscript"


def test_real_index_links_resolve(real_index):
    doc, _ = real_index
    ids, urls = set(), []

    def collect(elem, d):
        if getattr(elem, "identifier", ""):
            ids.add(elem.identifier)
        if isinstance(elem, pf.Link) and elem.url.startswith("#"):
            urls.append(elem.url[1:])

    doc.walk(collect)
    assert len(urls) > 100
    assert [u for u in urls if u not in ids] == []


# --- pandoc --filter and the end-to-end build ------------------------------------------------

def test_runs_as_a_pandoc_filter():
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    source = (CASES / "basic" / "input.md").read_text(encoding="utf-8")
    html = pandoc(["-f", "markdown", "-t", "html", "--wrap=none", "--filter", str(ROOT / "filters" / "name_index.py")],
                  source, cwd=CASES / "basic", env=env)
    assert '<span id="name-lora-guillermo-1" class="name-ref">Гильермо Лора</span>' in html
    assert '<a href="#name-lora-guillermo-1">10</a>' in html
    typst = pandoc(["-f", "markdown", "-t", "typst", "--wrap=none", "--filter", str(ROOT / "filters" / "name_index.py")],
                   source, cwd=CASES / "basic", env=env)
    assert 'Гильермо Лора#metadata("lora-guillermo")<name-ref>' in typst


@pytest.fixture(scope="session")
def index_dist(tmp_path_factory) -> Path:
    """The end-to-end fixture project built once: manuscript with persons and chronology, the real filters."""
    from conftest import run_build

    project = tmp_path_factory.mktemp("names") / "project"
    shutil.copytree(PROJECT, project)
    shutil.copytree(ROOT / "filters", project / "filters")
    proc = run_build(project / "manuscript", project / "dist", cwd=project)
    assert proc.returncode == 0, proc.stderr
    return project / "dist"


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_pdf_index_shows_the_pages_the_names_stand_on(index_dist):
    pages = pdf_pages(index_dist / "names.pdf")
    index_page = next(i for i, text in enumerate(pages) if "Указатель имён\n" in text and "Лора Г." in text)
    forms = {"Лора Г.": ["Лора"], "Лечин Х.": ["Х.Лечин"], "Мольер Э.": ["Мольер", "Э. Моллер"]}
    for heading, person_forms in forms.items():
        line = next(line for line in pages[index_page].splitlines() if line.startswith(heading))
        printed = [int(n) for n in re.findall(r"\d+", line.split("—")[-1])]
        expected = [i + 1 for i, text in enumerate(pages[:index_page])
                    if any(form in text for form in person_forms) and i > 3]
        assert printed == expected, (heading, line)
    assert "Моллер см. Мольер Э." in pages[index_page]


def test_html_and_epub_index_links_resolve(index_dist):
    html = (index_dist / "names.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'id="([^"]+)"', html))
    hrefs = re.findall(r'href="#((?:name|person|chron)-[^"]+)"', html)
    assert {"name-lora-guillermo-1", "person-moller-edwin"} <= set(hrefs)
    assert [h for h in hrefs if h not in ids] == []
    assert re.search(r'Лора Г\. \(Guillermo Lora, 1922–2009\)\s*—\s*<a href="#name-lora-guillermo-1">201</a>, '
                     r'<a href="#name-lora-guillermo-2">202</a>', html)
    with zipfile.ZipFile(index_dist / "names.epub") as epub:
        files = {Path(n).name: epub.read(n).decode("utf-8") for n in epub.namelist() if n.endswith(".xhtml")}
    targets = {(name, i) for name, text in files.items() for i in re.findall(r'id="([^"]+)"', text)}
    links = [(Path(f).name, i) for text in files.values()
             for f, i in re.findall(r'href="([^"#]+)#((?:name|person|chron)-[^"]+)"', text)]
    assert len(links) >= 8
    assert [link for link in links if link not in targets] == []

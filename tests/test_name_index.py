"""Tests of the index of names: editio.persons (data), editio.textsearch (matching), the filter
(editio.filters.name_index) through the real load and filter stage, its lowering per format, the real data.

Golden case: tests/cases/name_index/basic/ (``input.md``, ``persons.yaml``) rendered as ``expected.typst``,
``expected.html`` and ``expected.epub``; ``pytest --update-goldens`` rewrites them (review the diff).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import assert_matches_golden, prepare, render

from editio.ast import get, has_class, iter_nodes, stringify
from editio.ast.text import normalise
from editio.collation import collation
from editio.errors import DiagnosticLog, EditionError
from editio.load.pandoc import pandoc_path
from editio.persons import Person, parse_persons
from editio.textsearch import PhraseMatcher, words_pattern
from editio.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parent.parent
BASIC = ROOT / "tests" / "cases" / "name_index" / "basic"
MANUSCRIPT = ROOT / "manuscript"
BIB = "@book{lora1978, author = {Lora, Guillermo}, title = {Historia}, year = {1978}, langid = {spanish}}\n"
INDEX = "\n\n# Указатель имён\n\n::: name-index\n:::\n"


def index_edition(markdown: str, persons: str | None = None, options: dict | None = None, filters=("name_index",)):
    config = {"filters": list(filters), "bibliography": "../references.bib"}
    if options is not None:
        config["name-index"] = options
    persons = persons if persons is not None else (BASIC / "persons.yaml").read_text(encoding="utf-8")
    return prepare(markdown, config, {"manuscript/persons.yaml": persons, "references.bib": BIB})


@pytest.fixture(scope="module")
def basic():
    return index_edition((BASIC / "input.md").read_text(encoding="utf-8"))


def marks(doc: dict) -> dict[str, str]:
    return {n["c"][0][0]: stringify(n) for n in iter_nodes(doc["blocks"], ("Span",)) if has_class(n, "name-ref")}


# --- golden case and marks -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["typst", "html", "epub"])
def test_golden(basic, fmt):
    assert_matches_golden(render(basic, fmt), BASIC / f"expected.{fmt}")


def test_marks_text_and_notes_but_not_headings_citations_links_code_or_glossary(basic):
    assert marks(basic.doc) == {
        "name-lora-guillermo-1": "Гильермо Лора",
        "name-lechin-juan-1": "Х.Лечин",
        "name-lora-guillermo-2": "Лора",
        "name-lechin-juan-2": "Х. Лечином",
        "name-yolkin-1": "Ёлкин",
        "name-moller-edwin-1": "Э. Моллер",
        "name-moller-edwin-2": "Мольер",
        "name-eremeev-1": "Еремеев",
        "name-lora-guillermo-3": "Лоры",
    }
    header = basic.doc["blocks"][0]
    assert header["t"] == "Header" and not any(n["t"] == "Span" for n in header["c"][2])
    assert all(get(n, "person") for n in iter_nodes(basic.doc["blocks"], ("Span",)) if has_class(n, "name-ref"))


def test_index_entry_format_order_and_cross_reference(basic):
    index = next(n for n in iter_nodes(basic.doc["blocks"], ("Div",)) if has_class(n, "name-index"))
    groups = [
        (get(g, "letter"), get(g, "level"), [stringify(b).replace("\u00a0", " ") for b in g["c"][1]])
        for g in index["c"][1]
        if has_class(g, "name-index-group")
    ]
    assert groups == [
        ("Е", "2", ["Ёлкин А. — 10", "Еремеев Б. — 11"]),
        (
            "Л",
            "2",
            ["Лечин Х. (Juan Lechín, ум. 2001) — 10", "Лора Г. (Guillermo Lora, 1922–2009), лидер POR — 10, 11"],
        ),
        (
            "М",
            "2",
            ["Моллер см. Мольер Э.", "Мольер Э. (Edwin Moller), лидер POR в COB; в тексте также Моллер — 10, 11"],
        ),
    ]
    links = [n["c"][2][0] for n in iter_nodes(index, ("Link",))]
    # Two mentions of Лора on page 10 give one link, to the first of them.
    assert "#name-lora-guillermo-1" in links and "#name-lora-guillermo-2" not in links
    assert "#person-moller-edwin" in links


def test_numbered_links_without_page_markers():
    edition = index_edition("Лора и снова Лора." + INDEX)
    assert re.search(r"лидер POR\u00a0—\u00a0<a [^>]*>1</a>, <a [^>]*>2</a>", render(edition, "html"))


def test_typst_marks_are_invisible_metadata_and_the_index_queries_them(basic):
    typst = render(basic, "typst")
    assert typst.count('#metadata("lora-guillermo")<name-ref>') == 3
    assert '#edition-name-index-pages("lora-guillermo")' in typst
    assert "#block(sticky: true)[*Л*]" in typst


def test_epub_has_index_semantics(basic):
    xhtml = render(basic, "epub")
    assert '<section class="name-index" epub:type="index" role="doc-index">' in xhtml
    assert '<section epub:type="index-group">\n<h2>Л</h2>\n<ul epub:type="index-entry-list">' in xhtml
    assert (
        '<li epub:type="index-entry" id="person-lora-guillermo">\n<span epub:type="index-term">Лора Г.</span>' in xhtml
    )
    assert '<a href="#name-lora-guillermo-1" epub:type="index-locator">10</a>' in xhtml
    assert re.search(
        r'<span epub:type="index-term">Моллер</span> <span epub:type="index-xref-preferred"><em>см\.'
        r'</em> <a href="#person-moller-edwin" epub:type="index-term">',
        xhtml,
    )  # epubcheck: an xref holds a term
    assert "epub:type" not in render(basic, "html").split('<div class="name-index">')[1]


def test_a_mention_before_the_first_page_marker_gets_no_page_locator():
    """A preface the original did not print is on no original page: «1» there would read as a page."""
    text = "Предисловие: Мольер.\n\n# Статья\n\n[]{.page n=10}Мольер и Лора.\n\n[]{.page n=11}Снова Мольер." + INDEX
    html = render(index_edition(text), "html")
    assert list(marks(index_edition(text).doc).values()).count("Мольер") == 3
    assert re.search(
        r'Мольер Э\. .*\u00a0—\u00a0<a href="#name-moller-edwin-2">10</a>, '
        r'<a href="#name-moller-edwin-3">11</a></p>',
        html,
    )
    assert 'name-moller-edwin-1">' not in html.split('<div class="name-index">')[1]
    unpaginated = render(index_edition("Мольер.\n\nИ снова Мольер." + INDEX), "html")
    assert re.search(r'<a href="#name-moller-edwin-1">1</a>, <a href="#name-moller-edwin-2">2</a>', unpaginated)


def test_editors_notes_are_indexed_on_the_page_of_their_call():
    notes = "- id: x\n  anchor: начало\n  text: Об этом писал Мольер.\n  source: article\n"
    text = (
        "[]{.page n=10}Здесь начало.\n\n[]{.page n=11}Дальше.\n\n# Примечания редактора\n\n"
        "::: editorial-notes\n:::\n" + INDEX
    )
    edition = prepare(
        text,
        {"filters": ["editorial_notes", "name_index"]},
        {
            "manuscript/persons.yaml": (BASIC / "persons.yaml").read_text("utf-8"),
            "manuscript/editorial-notes.yaml": notes,
        },
    )
    assert list(marks(edition.doc).values()) == ["Мольер"]
    assert re.search(r'Мольер Э\. .*\u00a0—\u00a0<a href="#name-moller-edwin-1">10</a>', render(edition, "html"))


# --- matching --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "form, text, found",
    [
        ("Х.Лечин", "Х. Лечин", True),
        ("Х. Лечином", "Х.\u00a0Лечином", True),
        ("Лора", "Лоран", False),
        ("Лора", "Г.Лора", True),
        ("Мольера", "Лоры-Мольера", True),
        ("Мольера", "Лоры\u2011Мольера", True),
        ("Мольера", "Лоры-Моль\u00adера", True),
        ("Лоры", "Лоры-Мольера", True),
        ("Мольер", "Мольера", False),
    ],
)
def test_forms_match_loosely_on_spaces_but_only_whole_words(form, text, found):
    assert bool(words_pattern([normalise(form)]).search(normalise(text))) is found
    assert bool(PhraseMatcher([normalise(form)]).finditer(normalise(text))) is found


def test_a_hyphenated_pair_of_names_indexes_both():
    persons = (
        "persons:\n  - {id: lora, heading: Лора Г., forms: [Лоры]}\n"
        "  - {id: moller, heading: Мольер Э., forms: [Мольер, Мольера]}\n"
    )
    edition = index_edition("Фракция Лоры-Мольера ушла, фракция Лоры\u2011Моль\u00adера тоже." + INDEX, persons)
    assert marks(edition.doc) == {
        "name-lora-1": "Лоры",
        "name-moller-1": "Мольера",
        "name-lora-2": "Лоры",
        "name-moller-2": "Моль\u00adера",
    }


def test_russian_sort_order():
    headings = ["Ёлкин", "Агирре", "Еремеев", "Эскобар", "Бланко", "Ellis", "Яковлев"]
    assert sorted(headings, key=collation("ru").key) == [
        "Агирре",
        "Бланко",
        "Ёлкин",
        "Еремеев",
        "Эскобар",
        "Яковлев",
        "Ellis",
    ]


# --- validation --------------------------------------------------------------------------------------------

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


def persons_from(text: str, log: DiagnosticLog) -> list[Person]:
    from editio.yamlfile import _LineLoader

    return parse_persons(yaml.load(text, Loader=_LineLoader), "persons.yaml", log)  # noqa: S506


def test_every_data_problem_reported_with_code_and_line():
    log = DiagnosticLog()
    persons_from(BAD_PERSONS, log)
    found = {(d.code, d.line) for d in log.errors}
    assert found == {
        ("NAM003", 5),
        ("NAM004", 8),
        ("NAM005", 11),
        ("NAM006", 17),
        ("NAM008", 21),
        ("NAM002", 24),
        ("NAM010", 26),
    }
    assert all(d.file == "persons.yaml" for d in log.errors)
    assert "unverified dates must not print" in next(str(d) for d in log.errors if d.code == "NAM006")


def test_not_a_persons_file():
    log = DiagnosticLog()
    assert persons_from("- just a list\n", log) == []
    assert [(d.code, d.line) for d in log.errors] == [("NAM001", 1)]


def test_bad_data_fails_the_build_with_file_and_line():
    with pytest.raises(EditionError) as caught:
        index_edition("Лора." + INDEX, persons=BAD_PERSONS)
    assert "manuscript/persons.yaml:5: error NAM003" in str(caught.value)


def test_person_never_named_is_a_warning():
    edition = index_edition(
        "Лора." + INDEX, persons="persons:\n  - id: absent\n    heading: Никто\n    forms: [Никто]\n"
    )
    assert any(str(w).startswith("manuscript/persons.yaml:2: warning NAM007") for w in edition.loaded.ctx.log.warnings)


def test_bad_options_are_config_errors_at_their_line():
    with pytest.raises(EditionError) as caught:
        index_edition("Лора." + INDEX, options={"colour": "red", "data": [1]})
    assert [d.code for d in caught.value.diagnostics] == ["CFG012", "CFG012"]
    assert all(d.file == "manuscript/edition.yaml" and d.line for d in caught.value.diagnostics)


def test_words_come_from_the_catalogue_of_the_documents_language():
    edition = prepare(
        "Lora met Lora." + INDEX,
        {"filters": ["name_index"], "lang": "en"},
        {
            "manuscript/persons.yaml": "persons:\n  - id: lora\n    heading: Lora G.\n    born: 1922\n"
            "    dates-source: https://example.org\n    forms: [Lora]\n    variants: [Llora]\n"
        },
    )
    html = render(edition, "html")
    assert "Lora G. (b.\u00a01922); also in the text as Llora" in html and "<em>see</em>" in html


# --- the real data -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_edition(tmp_path_factory):
    """The flagship manuscript with only the filters the index depends on (editor's notes, glossary)."""
    from editio.build import prepare as prepare_edition

    project = tmp_path_factory.mktemp("flagship")
    shutil.copytree(MANUSCRIPT, project / "manuscript")
    shutil.copy(ROOT / "references.bib", project / "references.bib")
    config_file = project / "manuscript" / "edition.yaml"
    config = config_file.read_text(encoding="utf-8")
    config = re.sub(r"(?m)^filters: \[.*\]$", "filters: [editorial_notes, glossary, name_index]", config)
    config_file.write_text(config, encoding="utf-8")
    return prepare_edition(project / "manuscript", project)


def test_every_person_of_the_real_data_is_found_in_the_text(real_edition):
    log = DiagnosticLog()
    persons = parse_persons(load_yaml(MANUSCRIPT / "persons.yaml"), "persons.yaml", log)
    assert not log.errors
    anchors = set(marks(real_edition.doc))
    for person in persons:
        assert f"name-{person.id}-1" in anchors, f"{person.id} is never found in the text"


def test_moller_is_indexed_in_the_hyphenated_pair(real_edition):
    for para in iter_nodes(real_edition.doc["blocks"], ("Para",)):
        if "фракции Лоры-Мольера" in stringify(para):
            found = {get(n, "person") for n in iter_nodes(para, ("Span",)) if has_class(n, "name-ref")}
            assert {"lora-guillermo", "moller-edwin"} <= found
            break
    else:
        pytest.fail("«фракции Лоры-Мольера» is not in the manuscript any more")


def test_every_form_of_the_real_data_occurs_in_the_manuscript():
    files = load_yaml(MANUSCRIPT / "edition.yaml")["files"]
    text = normalise(
        "\n\n".join((MANUSCRIPT / name).read_text(encoding="utf-8") for name in files)
        + (MANUSCRIPT / "edition.yaml").read_text(encoding="utf-8")
        + (MANUSCRIPT / "editorial-notes.yaml").read_text(encoding="utf-8")
    )
    log = DiagnosticLog()
    for person in parse_persons(load_yaml(MANUSCRIPT / "persons.yaml"), "persons.yaml", log):
        for form in person.forms:
            assert normalise(form) in text, f"{person.id}: form {form!r} is not in the manuscript"


def test_real_index_links_resolve(real_edition):
    html = render(real_edition, "html")
    ids = set(re.findall(r'id="([^"]+)"', html))
    hrefs = re.findall(r'href="#((?:name|person)-[^"]+)"', html)
    assert len(hrefs) > 100
    assert [h for h in hrefs if h not in ids] == []


# --- PDF pages and the pandoc-filter path -----------------------------------------------------------------------


def test_pdf_index_shows_the_pages_the_names_stand_on(tmp_path):
    import typst
    from pypdf import PdfReader

    from editio.lower.typst import LIBRARY

    text = (
        "Лора на первой.\n\n```{=typst}\n#pagebreak()\n```\n\nНа второй никого.\n\n```{=typst}\n#pagebreak()\n"
        "```\n\nЛора и Э. Моллер на третьей." + INDEX
    )
    edition = prepare(
        text,
        {"filters": ["name_index"], "allow-raw": True},
        {"manuscript/persons.yaml": (BASIC / "persons.yaml").read_text("utf-8")},
    )
    source = tmp_path / "doc.typ"
    source.write_text(LIBRARY.read_text("utf-8") + "\n" + render(edition, "typst"), encoding="utf-8")
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(typst.compile(str(source)))).pages]
    index_text = pages[-1]
    assert re.search(r"Лора Г\..*—\s*1, 3", index_text), index_text
    assert re.search(r"Мольер Э\..*—\s*3", index_text), index_text


def test_runs_as_a_pandoc_filter():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    source = (BASIC / "input.md").read_text(encoding="utf-8").replace("[@lora1978, p. 5]", "(1978)")
    doc = subprocess.run(
        [pandoc_path(), "-f", "markdown", "-t", "json", "-M", "lang=ru"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    outputs = {}
    for target in ("html", "typst"):
        proc = subprocess.run(
            [sys.executable, "-m", "editio.filters.pandoc_filter", "name_index", target],
            input=doc,
            capture_output=True,
            text=True,
            cwd=BASIC,
            env=env,
        )
        assert proc.returncode == 0, proc.stderr
        outputs[target] = subprocess.run(
            [pandoc_path(), "-f", "json", "-t", target, "--wrap=none"],
            input=proc.stdout,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    assert '<span id="name-lora-guillermo-1" class="name-ref">Гильермо Лора</span>' in outputs["html"]
    assert '<a href="#name-lora-guillermo-1">10</a>' in outputs["html"]
    assert 'Гильермо Лора#metadata("lora-guillermo")<name-ref>' in outputs["typst"]

"""Tests of filters/citations.py and the edition's CSL style: small ASTs, golden renderings, pandoc --filter.

Golden cases live in tests/cases/citations/<case>/: ``input.md`` is filtered in-process, run through
`pandoc --citeproc` with the edition's CSL style and written as plain text; ``expected.txt`` is the
result. Regenerate with ``EDITIO_SAVE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import difflib
import importlib.util
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import panflute as pf
import pytest
from pypandoc import get_pandoc_path

from editio.errors import EditionError

ROOT = Path(__file__).resolve().parent.parent
FILTER = ROOT / "filters" / "citations.py"
CSL = ROOT / "manuscript" / "styles" / "gost-r-7-0-5-2008-edition.csl"
CASES = ROOT / "tests" / "cases" / "citations"
PANDOC = get_pandoc_path()


def _load_filter():
    spec = importlib.util.spec_from_file_location("citations_filter", FILTER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


citations = _load_filter()


def pandoc(args: list[str], text: str, cwd: Path | None = None, env: dict | None = None) -> str:
    return subprocess.run([PANDOC, *args], input=text, capture_output=True, text=True, check=True,
                          encoding="utf-8", cwd=cwd, env=env).stdout


def read_doc(markdown: str, cwd: Path | None = None) -> pf.Doc:
    return pf.load(io.StringIO(pandoc(["-f", "markdown", "-t", "json"], markdown, cwd=cwd)))


def doc_json(doc: pf.Doc) -> str:
    buffer = io.StringIO()
    pf.dump(doc, buffer)
    return buffer.getvalue()


def render(case: Path) -> str:
    """The case's document after the filter (in-process) and citeproc with the edition's style."""
    doc = read_doc((case / "input.md").read_text(encoding="utf-8"))
    doc.metadata["manuscript-dir"] = pf.MetaString(str(case))
    citations.main(doc)
    bibliography = case / doc.get_metadata("bibliography")
    return pandoc(["-f", "json", "-t", "plain", "--wrap=none", "--citeproc", f"--csl={CSL}",
                   f"--bibliography={bibliography}"], doc_json(doc))


def suffix_of(markdown: str, doc_meta: str = "lang: ru\nbibliography: ../../fixtures/mini/references.bib\n"):
    """The citation suffixes of a one-paragraph document after the filter, as plain strings."""
    doc = read_doc(f"---\n{doc_meta}---\n{markdown}\n")
    doc.metadata["manuscript-dir"] = pf.MetaString(str(CASES))
    citations.main(doc)
    found = []

    def collect(elem, _doc):
        if isinstance(elem, pf.Cite):
            found.extend((c.id, "".join(pf.stringify(i) for i in c.suffix)) for c in elem.citations)

    doc.walk(collect)
    return found


# ---------------------------------------------------------------- pure helpers

@pytest.mark.parametrize("value, code", [("russian", "ru"), ("Spanish", "es"), ("en-US", "en"), ("ru_RU", "ru"),
                                         ("ngerman", "de"), ("", None), (None, None)])
def test_language_code(value, code):
    assert citations.language_code(value) == code


@pytest.mark.parametrize("label, parsed, expected", [("p.", True, "с."), ("pp.", True, "с."), ("P.", True, "с."),
                                                     ("p.", False, "p."), ("pp.", False, "p."), ("P.", False, "P."),
                                                     ("Pp.", False, "P.")])
def test_locator_label(label, parsed, expected):
    assert citations.locator_label(label, parsed, "с.") == expected


def test_rewrite_suffix_joined_by_nbsp():
    suffix = [pf.Str(","), pf.Space(), pf.Str("p.\u00a012–14")]
    assert citations.rewrite_suffix(suffix, True, "с.")
    assert suffix[2].text == "с.\u00a012–14"


def test_rewrite_suffix_leaves_other_suffixes():
    for words in (["и", "далее"], ["passim"], ["pag.", "12"], ["p"]):
        suffix = [pf.Str(","), pf.Space(), *[pf.Str(w) for w in words]]
        before = [s.text if isinstance(s, pf.Str) else " " for s in suffix]
        assert not citations.rewrite_suffix(suffix, True, "с.")
        assert [s.text if isinstance(s, pf.Str) else " " for s in suffix] == before


# ---------------------------------------------------------------- the filter on small documents

def test_russian_entry_gets_the_locale_term_and_foreign_keeps_p():
    found = suffix_of("Т[^1].\n\n[^1]: [@perez1990, p. 5; @smith2000, pp. 7-8; @smith2000, P. 9].")
    # pandoc's reader ties only the known abbreviation "p." to its number with a no-break space
    assert found == [("perez1990", ", с.\u00a05"), ("smith2000", ", p.\u00a07-8"), ("smith2000", ", P. 9")]


def test_unknown_key_and_bare_citation_left_alone():
    found = suffix_of("Т[^1].\n\n[^1]: [@nokey, p. 5; @perez1990].")
    assert found == [("nokey", ", p.\u00a05"), ("perez1990", "")]


def test_parsed_languages_option():
    meta = "lang: ru\nbibliography: ../../fixtures/mini/references.bib\ncitations:\n  parsed-languages: [english]\n"
    found = suffix_of("Т[^1].\n\n[^1]: [@perez1990, p. 5; @smith2000, p. 7].", meta)
    assert found == [("perez1990", ", p.\u00a05"), ("smith2000", ", с.\u00a07")]


def test_options_removed_from_metadata():
    doc = read_doc("---\nlang: ru\ncitations:\n  page-term: с.\n---\nТ.\n")
    citations.main(doc)
    assert "citations" not in doc.metadata.content


def test_bad_options_are_reported():
    doc = read_doc("---\nlang: ru\ncitations: [ru]\n---\nТ.\n")
    with pytest.raises(EditionError) as caught:
        citations.main(doc)
    assert caught.value.diagnostics[0].code == "CIT001"
    assert "'citations' must be a map" in caught.value.diagnostics[0].message


def test_missing_bibliography_file_is_reported():
    doc = read_doc("---\nlang: ru\nbibliography: nowhere.bib\n---\nТ [@x, p. 1].\n")
    doc.metadata["manuscript-dir"] = pf.MetaString(str(CASES))
    with pytest.raises(EditionError) as caught:
        citations.main(doc)
    assert caught.value.diagnostics[0].code == "CIT003"
    assert "nowhere.bib" in caught.value.diagnostics[0].message


# ---------------------------------------------------------------- golden renderings

CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "input.md").is_file())


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_golden(case):
    actual = render(case)
    expected_file = case / "expected.txt"
    if os.environ.get("EDITIO_SAVE_GOLDEN") == "1" or not expected_file.exists():
        expected_file.write_text(actual, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                        "expected.txt", "actual"))
    assert actual == expected, diff


def notes(text: str) -> dict[int, str]:
    """The rendered footnotes of a plain-text output, by number."""
    found = {}
    for line in text.splitlines():
        if line.startswith("[") and "] " in line:
            number, _, body = line.partition("] ")
            if number[1:].isdigit():
                found[int(number[1:])] = body
    return found


def test_mini_locator_labels_per_language():
    rendered = notes(render(CASES / "mini"))
    assert rendered[1] == "См. Smith, 2000, p.\u00a012–14."
    assert rendered[2] == "Пересов, 1990, с.\u00a05; Smith, 2000, p.\u00a07-8."
    assert rendered[3] == "Пересов, 1990, с.\u00a09, и далее."


def test_kinds_volume_archive_newspaper_web():
    text = render(CASES / "kinds")
    rendered = notes(text)
    assert rendered[1].startswith("Lora, 1978, т.\u00a03, p.")                     # volume in the citation
    assert "Lora G. Historia del POR. Т. 3. 1978." in text                          # and in the list
    assert rendered[2] == "Embajada de México en Bolivia. Informe de 5 de junio de 1952, 1952."
    assert ("Informe de 5 de junio de 1952 // Archivo Histórico Genaro Estrada. Informes políticos "
            "reglamentarios. 1952. F. III, l. 1259, exp. 7.") in text                # archive and shelf mark
    assert rendered[4] == "El Diario, 24.07.1953."                                  # newspaper by title and date
    assert "// El Diario. La Paz. 24.07.1953." in text
    assert "URL: https://cedema.org/digital_items/4997 (дата обращения: 01.05.2024)." in text
    assert "jun00.htm." in text and text.count("дата обращения") == 1               # only with urldate
    assert rendered[7] == "См. Щелчков, 2016, с.\u00a0280–305."
    assert "1952a" not in text and "[" + "Embajada" not in text                     # no year suffix, no brackets


# ---------------------------------------------------------------- as a plain pandoc filter

def test_runs_as_pandoc_filter():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    case = CASES / "mini"
    out = pandoc(["-f", "markdown", "-t", "json", f"--filter={FILTER}"], (case / "input.md").read_text("utf-8"),
                 cwd=case, env=env)
    text = json.dumps(json.loads(out), ensure_ascii=False)
    assert '"с.\u00a05"' in text and '"p.\u00a012–14"' in text

"""Tests of filters/typography.py: golden cases, idempotence, the pandoc --filter path, a property test.

Golden cases live in tests/cases/typography/<case>/: ``input.md`` is read by pandoc, filtered in-process
and written back as Markdown; ``expected.md`` is that Markdown with every U+00A0 shown as "⍽" so the
non-breaking spaces can be reviewed. Regenerate with ``EDITIO_SAVE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import difflib
import importlib.util
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import panflute as pf
import pytest
from hypothesis import given, settings, strategies as st
from pypandoc import get_pandoc_path

from editio.errors import EditionError

ROOT = Path(__file__).resolve().parent.parent
FILTER = ROOT / "filters" / "typography.py"
CASES = ROOT / "tests" / "cases" / "typography"
NBSP_SHOWN = "⍽"
PANDOC = get_pandoc_path()
# Markdown without smart punctuation, so the writer prints the filter's characters as they are.
WRITER = ["-t", "markdown-smart", "--wrap=none", "--standalone"]


def _load_filter():
    spec = importlib.util.spec_from_file_location("typography_filter", FILTER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


typography = _load_filter()


def pandoc(args: list[str], text: str) -> str:
    return subprocess.run([PANDOC, *args], input=text, capture_output=True, text=True, check=True,
                          encoding="utf-8").stdout


def read_doc(markdown: str) -> pf.Doc:
    return pf.load(io.StringIO(pandoc(["-f", "markdown", "-t", "json"], markdown)))


def doc_json(doc: pf.Doc) -> str:
    buffer = io.StringIO()
    pf.dump(doc, buffer)
    return buffer.getvalue()


def to_markdown(doc: pf.Doc) -> str:
    return pandoc(["-f", "json", *WRITER], doc_json(doc))


def filtered(markdown: str) -> pf.Doc:
    return typography.main(read_doc(markdown))


def shown(text: str) -> str:
    return text.replace("\u00a0", NBSP_SHOWN)


def para(text: str) -> pf.Doc:
    """A one-paragraph document built without pandoc: words as Str, single spaces as Space."""
    inlines = []
    for piece in re.split(r"( )", text):
        if piece == " ":
            inlines.append(pf.Space())
        elif piece:
            inlines.append(pf.Str(piece))
    return pf.Doc(pf.Para(*inlines), metadata={"lang": pf.MetaString("ru")})


def typeset(text: str) -> str:
    return pf.stringify(typography.main(para(text)).content[0])[:-2]  # stringify ends a block with "\n\n"


# --- golden cases ----------------------------------------------------------------------------------

CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "input.md").is_file())


@pytest.mark.parametrize("case", CASE_NAMES)
def test_golden(case):
    folder = CASES / case
    actual = shown(to_markdown(filtered((folder / "input.md").read_text(encoding="utf-8"))))
    expected_file = folder / "expected.md"
    if os.environ.get("EDITIO_SAVE_GOLDEN") == "1":
        expected_file.write_text(actual, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"{case}/expected.md", f"{case} (actual)"))
        pytest.fail(f"typography output differs from the golden file "
                    f"(EDITIO_SAVE_GOLDEN=1 regenerates it):\n{diff}")


@pytest.mark.parametrize("case", CASE_NAMES)
def test_idempotent_on_golden_input(case):
    once = filtered((CASES / case / "input.md").read_text(encoding="utf-8"))
    once_json = doc_json(once)
    twice = typography.main(pf.load(io.StringIO(once_json)))
    assert doc_json(twice) == once_json


def test_runs_as_a_pandoc_filter():
    source = (CASES / "dashes" / "input.md").read_text(encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    result = subprocess.run([PANDOC, "-f", "markdown", *WRITER, "--filter", str(FILTER)], input=source,
                            capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert shown(result.stdout) == shown(to_markdown(filtered(source)))
    assert "MNR)\u00a0— национал" in result.stdout


# --- single rules, as the golden files might hide them ---------------------------------------------

@pytest.mark.parametrize("source, expected", [
    ("Г. Лора", "Г.\u00a0Лора"),
    ("Х.Лечин", "Х.\u00a0Лечин"),
    ("А. А. Щелчков", "А.\u00a0А.\u00a0Щелчков"),
    ("1952 г.", "1952\u00a0г."),
    ("№ 47", "№\u00a047"),
    ("XX в.", "XX\u00a0в."),
    ("30-е гг.", "30-е\u00a0гг."),
    ("MNR – боливийским", "MNR\u00a0— боливийским"),
    ("1952-1964", "1952–1964"),
    ("2138 – 2140", "2138–2140"),
    ("P. 20-21", "P.\u00a020–21"),
    ("буржуазно-демократической", "буржуазно-демократической"),
    ('"Вся власть COB!"', "«Вся власть COB!»"),
    ("«газета «Масас» вышла»", "«газета „Масас“ вышла»"),
    ("– Да, – сказал он.", "— Да,\u00a0— сказал он."),
])
def test_rule(source, expected):
    assert typeset(source) == expected


def test_letters_never_change():
    source = "Х.Лечин – «Масас» \"COB\" 1952-1964 гг. № 47 XIX-XX вв. А.А.Щелчков"
    result = typeset(source)
    assert re.sub(r"[^\w]", "", result) == re.sub(r"[^\w]", "", source)


# --- configuration -----------------------------------------------------------------------------------

def test_configure_reads_defaults_and_removes_the_key():
    doc = read_doc("---\nlang: ru-RU\ntypography:\n  dash: \"–\"\n---\n\nа - б\n")
    config = typography.configure(doc)
    assert config == typography.Config(lang="ru-RU", quotes="«»„“", dash="–")
    assert "typography" not in doc.metadata.content


def test_configured_quotes_and_dash_are_used():
    doc = read_doc('---\nlang: ru\ntypography:\n  quotes: "‹› <>"\n  dash: "–"\n---\n\n«а «б» в» - г\n')
    assert pf.stringify(typography.main(doc).content[0]).strip() == "‹а <б> в›\u00a0– г"


@pytest.mark.parametrize("metadata, message", [
    ("typography: [a, b]", "'typography' must be a map"),
    ("typography:\n  quotes: «»", "'typography.quotes' must be four quote characters"),
    ("typography:\n  dash: ab", "'typography.dash' must be one character"),
    ("typography:\n  metadata: title", "'typography.metadata' must be a list"),
])
def test_bad_configuration_is_an_edition_error(metadata, message):
    doc = read_doc(f"---\n{metadata}\n---\n\nтекст\n")
    with pytest.raises(EditionError) as raised:
        typography.configure(doc)
    assert raised.value.diagnostics[0].code == "TYP001"
    assert message in str(raised.value)


def test_bad_configuration_fails_the_pandoc_filter_without_traceback():
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    result = subprocess.run([PANDOC, "-t", "markdown", "--filter", str(FILTER)],
                            input="---\ntypography: 3\n---\n\nтекст\n", capture_output=True, text=True,
                            encoding="utf-8", env=env, cwd=ROOT)
    assert result.returncode != 0
    assert "TYP001" in result.stderr and "Traceback" not in result.stderr


# --- property: no text lost, idempotent ---------------------------------------------------------------

RUSSIANISH = st.text(alphabet="абвгдеёжзГЛХАПРТСВNXIVP0123456789 -–«»\".№", max_size=60)


def _skeleton(text: str) -> str:
    """The text with the filter's freedoms undone: quote, dash and space variants are all one."""
    text = re.sub("[«»„“”\"]", '"', text)
    text = re.sub("[–—-]", "-", text)
    return re.sub(r"\s+", "", text.replace("\u00a0", " "))


@settings(max_examples=400, deadline=None)
@given(RUSSIANISH)
def test_property_no_text_lost_and_idempotent(text):
    once = typeset(text)
    assert _skeleton(once) == _skeleton(text)
    # Spaces may only appear or vanish next to a dash, after an initial, or after «№».
    assert re.sub(r"\s*-\s*", "-", re.sub(r"[.№]\s*", ".", _spaces(once))) == \
        re.sub(r"\s*-\s*", "-", re.sub(r"[.№]\s*", ".", _spaces(text)))
    assert typeset(once) == once


def _spaces(text: str) -> str:
    text = re.sub("[«»„“”\"]", '"', text.replace("\u00a0", " "))
    return re.sub(" +", " ", re.sub("[–—-]", "-", text)).strip()

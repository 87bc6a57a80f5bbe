"""Tests of filters/emendations.py: the edition's data against the seed and the manuscript, the golden
case, every diagnostic with its file and line, and the plain pandoc --filter path.

The golden case lives in tests/cases/emendations/basic/: ``input.md`` and its ``emendations.yaml``, filtered
for each format and written back as Markdown to ``expected-<format>.md``. ``EDITIO_SAVE_GOLDEN=1``
regenerates them; review the diff.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import panflute as pf
import pytest
import yaml
from pypandoc import get_pandoc_path

from editio.filters import load_filter
from editio.errors import EditionError

ROOT = Path(__file__).resolve().parent.parent
FILTER = ROOT / "filters" / "emendations.py"
CASE = ROOT / "tests" / "cases" / "emendations" / "basic"
SEED = ROOT.parent / "shared" / "seed" / "000_a974b76ebbe85e66.txt"
PANDOC = get_pandoc_path()


emendations = load_filter(FILTER)


def read_doc(path: Path, fmt: str, folder: Path) -> pf.Doc:
    out = subprocess.run([PANDOC, "-f", "markdown", "-t", "json", str(path)], capture_output=True, text=True,
                         check=True).stdout
    doc = pf.load(io.StringIO(out))
    doc.format = fmt
    doc.metadata["manuscript-dir"] = pf.MetaString(str(folder))
    doc.metadata["source-files"] = pf.MetaList(pf.MetaString(str(path)))
    return doc


def to_markdown(doc: pf.Doc) -> str:
    buffer = io.StringIO()
    pf.dump(doc, buffer)
    return subprocess.run([PANDOC, "-f", "json", "-t", "markdown-smart", "--wrap=none"], input=buffer.getvalue(),
                          capture_output=True, text=True, check=True).stdout


def entries() -> list[dict]:
    return yaml.safe_load((ROOT / "manuscript" / "emendations.yaml").read_text(encoding="utf-8"))


def manuscript_spans() -> dict[str, str]:
    """Each emendation key in the manuscript with the raw Markdown of its reading."""
    spans = {}
    for path in sorted((ROOT / "manuscript").glob("*.md")):
        for reading, key in re.findall(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\{\.emendation key=([\w-]+)\}",
                                       path.read_text(encoding="utf-8")):
            spans[key] = reading
    return spans


# --- the edition's own data ------------------------------------------------------------------------

@pytest.mark.skipif(not SEED.is_file(), reason="the seed text is not mounted")
def test_every_source_reading_is_in_the_seed_at_its_line():
    seed = SEED.read_text(encoding="utf-8").splitlines()
    for entry in entries():
        around = " ".join(seed[max(0, entry["seed-line"] - 2): entry["seed-line"] + 1])
        joined = around.replace("-\n", "").replace("- ", "")
        assert entry["source"] in around or entry["source"] in joined, (entry["id"], entry["seed-line"])


def test_every_edition_reading_is_in_the_manuscript():
    spans = manuscript_spans()
    for entry in entries():
        assert entry["id"] in spans, f"{entry['id']} is not used in the manuscript"
        reading = spans[entry["id"]]
        if "@" in reading:  # a corrected citation: the reading is a pandoc citation, not the text
            continue
        assert reading == entry["edition"], (entry["id"], reading)


# --- golden case -----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["html5", "typst"])
def test_golden(fmt):
    actual = to_markdown(emendations.main(read_doc(CASE / "input.md", fmt, CASE)))
    expected_file = CASE / f"expected-{fmt}.md"
    if os.environ.get("EDITIO_SAVE_GOLDEN") == "1":
        expected_file.write_text(actual, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            expected_file.name, "actual"))
        pytest.fail(f"emendations output differs (EDITIO_SAVE_GOLDEN=1 regenerates it):\n{diff}")


def test_numbered_in_text_order_with_titles_and_backlinks():
    doc = emendations.main(read_doc(CASE / "input.md", "html5", CASE))
    links = []
    doc.walk(lambda e, _d: links.append(e) if isinstance(e, pf.Link) and "emendation" in e.classes else None)
    assert [(l.url, l.identifier, l.title) for l in links] == [
        ("#emd-1", "emd-ref-1", "в источнике: кратrой"), ("#emd-2", "emd-ref-2", "в источнике: POT-LO"),
        ("#emd-3", "emd-ref-3", "в источнике: Lora, 1078")]
    items = [pf.stringify(item) for item in doc.content[-1].content[0].content]
    assert items[0].startswith("краткой\u00a0] кратrой (опечатка:") and items[0].rstrip().endswith("↩\ufe0e")


def test_typst_marks_with_a_label_and_lists_the_page():
    doc = emendations.main(read_doc(CASE / "input.md", "typst", CASE))
    raws = []
    doc.walk(lambda e, _d: raws.append(e.text) if isinstance(e, pf.RawInline) else None)
    assert any(r.startswith("#underline(") for r in raws)
    assert ']#metadata("emendation")<emd-ref-1>' in raws
    assert any("counter(page).at(<emd-ref-3>)" in r for r in raws)


# --- diagnostics -----------------------------------------------------------------------------------

def _project(tmp_path: Path, text: str, data: str) -> Path:
    (tmp_path / "emendations.yaml").write_text(data, encoding="utf-8")
    source = tmp_path / "01-text.md"
    source.write_text(text, encoding="utf-8")
    return source


def test_unknown_key_is_emd001_with_manuscript_file_and_line(tmp_path):
    source = _project(tmp_path, "Строка.\n\nЕще [слово]{.emendation key=nope} тут.\n",
                      (CASE / "emendations.yaml").read_text(encoding="utf-8"))
    with pytest.raises(EditionError) as caught:
        emendations.main(read_doc(source, "html5", tmp_path))
    codes = [(d.code, Path(d.file).name, d.line) for d in caught.value.diagnostics]
    assert ("EMD001", "01-text.md", 3) in codes


def test_unused_entry_is_emd002_warning_with_data_line(tmp_path, capsys):
    source = _project(tmp_path, "Во время [краткой]{.emendation key=kratkoj} войны.\n",
                      (CASE / "emendations.yaml").read_text(encoding="utf-8"))
    emendations.main(read_doc(source, "html5", tmp_path))
    err = capsys.readouterr().err
    assert re.search(r"emendations\.yaml:1: warning EMD002: emendation 'por-lo'", err)
    assert re.search(r"emendations\.yaml:11: warning EMD002: emendation 'lora-1978'", err)


def test_malformed_entries_are_emd003_each_with_its_line(tmp_path):
    source = _project(tmp_path, "Текст.\n", "- id: a\n  source: x\n- id: b\n  source: x\n  edition: y\n"
                                            "  kind: spelling\n  why: z\n")
    with pytest.raises(EditionError) as caught:
        emendations.main(read_doc(source, "html5", tmp_path))
    assert [(d.code, d.line) for d in caught.value.diagnostics] == [("EMD003", 1), ("EMD003", 3)]


def test_runs_as_a_pandoc_filter():
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    out = subprocess.run([PANDOC, "-t", "html5", "--filter", str(FILTER), "-M", f"manuscript-dir={CASE}",
                          str(CASE / "input.md")], capture_output=True, text=True, env=env, check=True).stdout
    assert 'class="emendation"' in out and 'id="emd-1"' in out

"""Tests of filters/editorial_notes.py: anchors in the real manuscript, the call inserted inside a word run,
EDN001–EDN003 with the data file's line, the lettered series in each format, and — in the real PDF
source — that the author's footnotes still count 1…79 with the editor's notes between them.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import panflute as pf
import pytest
from pypandoc import get_pandoc_path

from editio.filters import load_filter
from editio.errors import EditionError
from tests.wired import wired_copy

ROOT = Path(__file__).resolve().parent.parent
FILTER = ROOT / "filters" / "editorial_notes.py"
PANDOC = get_pandoc_path()


editorial_notes = load_filter(FILTER)


def read_doc(markdown: str, fmt: str, folder: Path) -> pf.Doc:
    out = subprocess.run([PANDOC, "-f", "markdown", "-t", "json"], input=markdown, capture_output=True,
                         text=True, check=True).stdout
    doc = pf.load(io.StringIO(out))
    doc.format = fmt
    doc.metadata["manuscript-dir"] = pf.MetaString(str(folder))
    return doc


def project(tmp_path: Path, data: str) -> Path:
    (tmp_path / "editorial-notes.yaml").write_text(data, encoding="utf-8")
    return tmp_path


NOTES = """\
- id: one
  anchor: "Х.Лечин"
  text: "Профсоюзный лидер. См.: <https://example.org/a>"
  source: https://example.org/a
- id: two
  anchor: "первая фраза"
  text: "Пояснение [@john2016, p. 5]."
  source: john2016
"""
TEXT = "Это первая фраза, а дальше Х.Лечин[^1] сказал.\n\n[^1]: Авторская сноска про Х.Лечин.\n"


def test_calls_are_lettered_in_text_order_and_split_the_word(tmp_path):
    doc = editorial_notes.main(read_doc(TEXT, "html5", project(tmp_path, NOTES)))
    para = doc.content[0]
    calls = [e for e in para.content if isinstance(e, pf.Link) and "ednote-ref" in e.classes]
    assert [(pf.stringify(c), c.url) for c in calls] == [("а", "#ed-two"), ("б", "#ed-one")]
    words = [pf.stringify(e) for e in para.content]
    assert words[words.index("б") - 1] == "Х.Лечин"  # the call follows the anchor, before the author's note
    listing = doc.content[-1]
    assert "editorial-notes" in listing.classes and pf.stringify(listing).count("↩") == 2


def test_typst_footnote_keeps_the_author_counter(tmp_path):
    doc = editorial_notes.main(read_doc(TEXT, "typst", project(tmp_path, NOTES)))
    raws = []
    doc.walk(lambda e, _d: raws.append(e.text) if isinstance(e, pf.RawInline) else None)
    assert raws.count('#footnote(numbering: _ => "а")[') == 1
    assert raws.count("]#counter(footnote).update(n => n - 1);") == 2


@pytest.mark.parametrize("anchor, found", [("нет такой фразы", "is not found"), ("Это", None)])
def test_bad_anchor_is_edn001_with_the_yaml_line(tmp_path, anchor, found):
    data = NOTES + f'- id: three\n  anchor: "{anchor}"\n  text: "Текст <https://example.org>"\n  source: x\n'
    text = TEXT + "\nЭто снова.\n" if found is None else TEXT
    with pytest.raises(EditionError) as caught:
        editorial_notes.main(read_doc(text, "html5", project(tmp_path, data)))
    diagnostic = caught.value.diagnostics[0]
    assert (diagnostic.code, diagnostic.line, Path(diagnostic.file).name) == ("EDN001", 9, "editorial-notes.yaml")
    assert (found or "occurs 2 times") in diagnostic.message


def test_malformed_entry_is_edn002_and_sourceless_text_edn003(tmp_path, capsys):
    data = NOTES + '- id: bad id\n  anchor: x\n  text: y\n  source: z\n- id: four\n  anchor: "сказал"\n' \
                   '  text: "Без источника."\n  source: somewhere\n'
    with pytest.raises(EditionError) as caught:
        editorial_notes.main(read_doc(TEXT, "html5", project(tmp_path, data)))
    assert [(d.code, d.line) for d in caught.value.diagnostics] == [("EDN002", 9)]
    assert "editorial-notes.yaml:13: warning EDN003" in capsys.readouterr().err


def test_the_edition_notes_all_anchor_once():
    """The real data against the real manuscript: every anchor found once, 8–15 notes, each grounded."""
    files = [ROOT / "manuscript" / name for name in sorted(os.listdir(ROOT / "manuscript"))
             if name[:2].isdigit() and name.endswith(".md")]
    markdown = "\n\n".join(p.read_text(encoding="utf-8") for p in files)
    doc = editorial_notes.main(read_doc(markdown, "html5", ROOT / "manuscript"))
    calls = []
    doc.walk(lambda e, _d: calls.append(e) if isinstance(e, pf.Link) and "ednote-ref" in e.classes else None)
    assert 8 <= len(calls) <= 15


def test_runs_as_a_pandoc_filter(tmp_path):
    project(tmp_path, NOTES)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    out = subprocess.run([PANDOC, "-t", "html5", "--filter", str(FILTER), "-M", f"manuscript-dir={tmp_path}"],
                         input=TEXT, capture_output=True, text=True, env=env, check=True).stdout
    assert 'class="ednote-ref"' in out and 'id="ed-one"' in out


# --- the author's numbering in the real PDF source ---------------------------------------------------

PROBE = """
#context [#metadata(query(footnote).map(f => (
  if type(f.numbering) == str { str(counter(footnote).at(f.location()).first()) }
  else { numbering(f.numbering, counter(footnote).at(f.location()).first()) }
)))<footnote-marks>]
"""


def test_pdf_keeps_author_footnotes_1_to_79(tmp_path):
    import typst

    from editio.build import load_manuscript, render
    from editio.writers.pdf import ast_to_typst

    manuscript = wired_copy(tmp_path / "project")
    loaded = load_manuscript(manuscript, manuscript.parent)
    stage = tmp_path / "stage"
    stage.mkdir()
    source = stage / "edition.typ"
    source.write_text(ast_to_typst(render(loaded, "pdf", stage)) + PROBE, encoding="utf-8")
    marks = json.loads(typst.query(str(source), "<footnote-marks>", field="value", one=True,
                                   root=str(stage)))
    author = [m for m in marks if m.isdigit()]
    editor = [m for m in marks if not m.isdigit()]
    assert author == [str(n) for n in range(1, 80)]
    assert editor == list("абвгдежиклмнпрстуфхцшщэюя"[: len(editor)]) and len(editor) >= 8

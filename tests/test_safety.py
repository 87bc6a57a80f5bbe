"""Safety: a manuscript cannot run code in the typesetter or read files outside the project.

- Raw typst/HTML/LaTeX in a manuscript file is SAF001 with the file and line, unless edition.yaml says
  `allow-raw: true`.
- Every path edition.yaml gives (files, bibliography, csl, the filters' data files) and every image path must
  stay inside the project root: CFG003 (SRC004 for images) with the line that names it.
- Text that looks like typst code (`#read("…")`, `#import`) is typeset literally: pandoc's typst writer
  escapes it, which the PDF's text proves.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import panflute as pf
import pypdf
import pytest

from conftest import MINI, ROOT, run_build
from editio.errors import EditionError
from editio.filters import load_filter
from editio.pandoc import markdown_to_json

# --- raw content -----------------------------------------------------------------------------------------

RAW = {
    "typst-block": ("Текст.\n\n```{=typst}\n#read(\"/etc/passwd\")\n```\n", "typst", 4),
    "typst-inline": ("Текст.\n\nСм. `#read(\"/etc/passwd\")`{=typst} здесь.\n", "typst", 3),
    "html-script": ("Текст.\n\n<script>alert(1)</script>\n", "html", 3),
    "html-inline": ("Текст.\n\nАбзац с <img src=x onerror=alert(1)> внутри.\n", "html", 3),
    "latex-input": ("Текст.\n\nАбзац \\input{/etc/passwd} дальше.\n", "tex", 3),
    "html-block-attribute": ("Текст.\n\n```{=html}\n<iframe src=\"https://example.org\"></iframe>\n```\n", "html", 4),
}


@pytest.mark.parametrize("case", sorted(RAW))
def test_raw_content_is_refused_with_its_line(case: str):
    text, fmt, line = RAW[case]
    with pytest.raises(EditionError) as caught:
        markdown_to_json(text, "manuscript/01-text.md")
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.file, diagnostic.line) == ("SAF001", "manuscript/01-text.md", line)
    assert f"raw {fmt}" in diagnostic.message and "allow-raw" in diagnostic.message


@pytest.mark.parametrize("case", sorted(RAW))
def test_allow_raw_lets_raw_content_through(case: str):
    text, fmt, _ = RAW[case]
    ast = markdown_to_json(text, "manuscript/01-text.md", allow_raw=True)
    assert re.search(rf'"t": "Raw(Block|Inline)", "c": \["{fmt}"', __import__("json").dumps(ast))


def test_every_raw_piece_is_reported_and_comments_and_escapes_are_text():
    text = "<!-- a comment is fine -->\n\nОдин \\<b> и \\\\input и `code`.\n\nДва <b>жирный</b>.\n\n```{=typst}\n#x\n```\n"
    with pytest.raises(EditionError) as caught:
        markdown_to_json(text, "m.md")
    assert [(d.code, d.line) for d in caught.value.diagnostics] == [("SAF001", 5), ("SAF001", 5), ("SAF001", 8)]
    markdown_to_json("<!-- only a comment -->\n\nОдин \\<b> и \\\\input и `#read(\"x\")`.\n", "m.md")


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(MINI, project)
    shutil.copytree(ROOT / "filters", project / "filters", ignore=shutil.ignore_patterns("__pycache__"))
    return project


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _error(proc, code: str, file: str) -> int:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    match = re.search(rf"^{re.escape(file)}:(\d+)(?::\d+)?: error {code}: .+$", proc.stderr, re.M)
    assert match, f"expected {file}:<line>: error {code} in:\n{proc.stderr}"
    return int(match.group(1))


def test_raw_typst_fails_the_build_unless_allowed(tmp_path: Path):
    project = _project(tmp_path)
    text = project / "manuscript" / "01-text.md"
    _edit(text, "# Текст\n", "# Текст\n\n`#read(\"/etc/passwd\")`{=typst} и <b>жирный</b>\n")
    proc = run_build(project / "manuscript", project / "dist", cwd=project, formats="html")
    assert _error(proc, "SAF001", "manuscript/01-text.md") == 3
    assert not (project / "dist" / "mini.html").exists()
    _edit(project / "manuscript" / "edition.yaml", "toc: true", "toc: true\nallow-raw: true")
    proc = run_build(project / "manuscript", project / "dist", cwd=project, formats="html")
    assert proc.returncode == 0, proc.stderr
    assert "<b>жирный</b>" in (project / "dist" / "mini.html").read_text(encoding="utf-8")


# --- paths that leave the project --------------------------------------------------------------------------

CONFIG_PATHS = {
    "files": ("  - 01-text.md\n", "  - 01-text.md\n  - ../../etc/hostname\n", "../../etc/hostname"),
    "bibliography": ("bibliography: ../references.bib", "bibliography: ../../outside.bib", "../../outside.bib"),
    "csl": ("csl: gost-r-7-0-5-2008", "csl: ../../outside.csl", "../../outside.csl"),
    "glossary.data": ("glossary: {data: glossary.yaml", "glossary: {data: ../../outside.yaml", "../../outside.yaml"),
    "faction-chart.data": ("faction-chart: {data: ../factions.yaml}", "faction-chart: {data: /etc/hostname}",
                           "/etc/hostname"),
}


@pytest.mark.parametrize("key", sorted(CONFIG_PATHS))
def test_edition_yaml_paths_cannot_leave_the_project(tmp_path: Path, key: str):
    project = _project(tmp_path)
    for name in ("outside.bib", "outside.csl", "outside.yaml"):  # they exist: only the place is wrong
        shutil.copy(MINI / ("references.bib" if name.endswith(".bib") else "manuscript/glossary.yaml"), tmp_path / name)
    (tmp_path / "outside.csl").write_text((ROOT / "manuscript" / "styles" / "gost-r-7-0-5-2008-edition.csl")
                                          .read_text(encoding="utf-8"), encoding="utf-8")
    old, new, value = CONFIG_PATHS[key]
    config = project / "manuscript" / "edition.yaml"
    _edit(config, old, new)
    proc = run_build(project / "manuscript", project / "dist", cwd=project, formats="html")
    line = _error(proc, "CFG003", "manuscript/edition.yaml")
    assert value in config.read_text(encoding="utf-8").splitlines()[line - 1], proc.stderr


FILTER_DATA = {  # filter → (edition.yaml key, the option's line)
    "glossary": "glossary", "faction_chart": "faction-chart", "name_index": "name-index",
    "chronology": "chronology", "emendations": "emendations", "editorial_notes": "editorial-notes",
}


@pytest.mark.parametrize("value", ["../../etc/passwd", "/etc/passwd", "sub/../../../x.yaml"])
@pytest.mark.parametrize("name", sorted(FILTER_DATA))
def test_filter_data_paths_cannot_leave_the_project(tmp_path: Path, name: str, value: str):
    key = FILTER_DATA[name]
    manuscript = tmp_path / "project" / "manuscript"
    manuscript.mkdir(parents=True)
    (manuscript / "edition.yaml").write_text(f"title: T\nlang: ru\n{key}:\n  data: {value}\n", encoding="utf-8")
    doc = pf.Doc(pf.Para(pf.Str("Текст.")), metadata={"manuscript-dir": str(manuscript), "lang": "ru",
                                                        key: {"data": value}}, format="html5")
    with pytest.raises(EditionError) as caught:
        load_filter(ROOT / "filters" / f"{name}.py").configure(doc)
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.file, diagnostic.line) == ("CFG003", "manuscript/edition.yaml", 4)
    assert value in diagnostic.message


def test_image_outside_the_project_is_refused(tmp_path: Path):
    project = _project(tmp_path)
    _edit(project / "manuscript" / "01-text.md", "# Текст\n", "# Текст\n\n![x](../../../etc/hostname)\n")
    proc = run_build(project / "manuscript", project / "dist", cwd=project, formats="html")
    assert _error(proc, "SRC004", "manuscript/01-text.md") == 3
    assert "outside the project" in proc.stderr


# --- typst code in text is text ---------------------------------------------------------------------------

def test_typst_code_in_text_is_typeset_literally(tmp_path: Path):
    project = _project(tmp_path)
    secret = tmp_path / "project" / "secret.txt"
    secret.write_text("SECRET-CONTENT-42\n", encoding="utf-8")
    _edit(project / "manuscript" / "01-text.md", "# Текст\n",
          '# Текст\n\nКод #read("secret.txt") и #import "x.typ" и #eval("1+1") и $x$ и \\#set и ]#strong[x] '
          "и \\<lbl> остаются текстом.\n")
    proc = run_build(project / "manuscript", project / "dist", cwd=project, formats="pdf")
    assert proc.returncode == 0, proc.stderr
    pages = pypdf.PdfReader(project / "dist" / "mini.pdf").pages
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))
    assert "SECRET-CONTENT-42" not in text
    text = re.sub("[«»“”„]", '"', text)
    for literal in ('#read("secret.txt")', '#import "x.typ"', '#eval("1+1")', "#set", "]#strong[x]", "<lbl>"):
        assert literal in text, (literal, text[:2000])

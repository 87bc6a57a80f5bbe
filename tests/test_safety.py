"""Safety with untrusted manuscripts, end to end through the real command line (docs/security.md is the threat
model; tests/test_threat_model.py checks that each of its lines names a test that exists).

- Raw typst/HTML/LaTeX in a manuscript file is SAF001 with the file and line, unless `allow-raw: true`.
- Every page and content document a build writes passes the allowlist sanitiser: no handler, no script, no
  script URL reaches a reader, with or without allow-raw; the template's own script survives by its nonce.
- Metadata is data; paths stay inside the project; signals, OS errors and oversized input are diagnostics.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest

from conftest import MINI, ROOT, run_build
from editio.errors import EditionError
from editio.load.manuscript import refuse_raw
from editio.load.pandoc import PandocSession
from helpers import make_project, prepare

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def session():
    with PandocSession() as running:
        yield running


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(MINI, project)
    return project


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _error(proc, code: str, file: str) -> int:
    """The line of the one `file:line: error CODE` the failed build printed (and no traceback)."""
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    match = re.search(rf"^{re.escape(file)}:(\d+)(?::\d+)?: error {code}: .+$", proc.stderr, re.M)
    assert match, f"expected {file}:<line>: error {code} in:\n{proc.stderr}"
    return int(match.group(1))


def _snapshot(dist: Path) -> dict[str, bytes]:
    return {p.relative_to(dist).as_posix(): p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file()}


def _line(path: Path, needle: str) -> int:
    return next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in text)


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
def test_raw_content_is_refused_with_its_line(session, case: str):
    text, fmt, line = RAW[case]
    with pytest.raises(EditionError) as caught:
        refuse_raw(session.read(text, "manuscript/01-text.md"), text, "manuscript/01-text.md")
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.file, diagnostic.line) == ("SAF001", "manuscript/01-text.md", line)
    assert f"raw {fmt}" in diagnostic.message and "allow-raw" in diagnostic.message


@pytest.mark.parametrize("case", sorted(RAW))
def test_allow_raw_lets_raw_content_through(case: str):
    text, fmt, _ = RAW[case]
    with pytest.raises(EditionError):
        prepare(text)
    edition = prepare(text, {"allow-raw": True})
    if fmt != "tex":  # raw LaTeX reaches no output format: the filters drop it
        assert re.search(rf'"t": "Raw(Block|Inline)", "c": \["{fmt}"', json.dumps(edition.doc))


def test_every_raw_piece_is_reported_and_comments_and_escapes_are_text(session):
    text = "<!-- a comment is fine -->\n\nОдин \\<b> и \\\\input и `code`.\n\nДва <b>жирный</b>.\n\n```{=typst}\n#x\n```\n"
    with pytest.raises(EditionError) as caught:
        refuse_raw(session.read(text, "m.md"), text, "m.md")
    assert [(d.code, d.line) for d in caught.value.diagnostics] == [("SAF001", 5), ("SAF001", 5), ("SAF001", 8)]
    harmless = "<!-- only a comment -->\n\nОдин \\<b> и \\\\input и `#read(\"x\")`.\n"
    refuse_raw(session.read(harmless, "m.md"), harmless, "m.md")


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


# --- what reaches a reader: the sanitiser on every page the build writes ----------------------------------

HOSTILE_TEXT = """# Глава {#ch}

[сфокусируй]{tabindex=0 autofocus="" onfocus="alert('focus')"} и [нажми]{onclick="alert('click')"}
и [накрой]{style="position:fixed;top:0;left:0;width:100%;height:100%;background:red"}.

[ссылка](javascript:alert('link')) и [данные](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
и [vb](vbscript:msgbox) и [почта](mailto:a@example.org) и [сайт](https://example.org/).

::: {onload="alert('load')" onmouseover="alert('over')"}
Абзац в блоке.
:::

![Рисунок](drawing.svg)
"""
HOSTILE_RAW = """

<img src="x" onerror="alert('raw-img')"> <svg onload="alert('raw-svg')"><a href="javascript:alert('raw-a')">a</a></svg>

<script>alert('raw-script')</script><iframe src="https://example.org/"></iframe>

<a href="jav&#x61;script:alert('encoded')">encoded</a> <p style="position:fixed">cover</p>
"""
DRAWING = ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert("svg-script")</script>'
           '<rect width="10" height="10" onclick="alert(\'svg-click\')"/></svg>\n')


class _Markup(HTMLParser):
    """Every start tag with its attributes, as a browser's tokeniser reads them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)

    def handle_endtag(self, tag):
        self._in_script = False


def _reader_documents(dist: Path) -> dict[str, str]:
    """Every document a reader's software parses as markup: the HTML page, the SVG media, each EPUB entry."""
    found = {p.relative_to(dist).as_posix(): p.read_text(encoding="utf-8")
             for p in sorted(dist.rglob("*")) if p.suffix in (".html", ".svg")}
    for epub in dist.glob("*.epub"):
        with zipfile.ZipFile(epub) as archive:
            for name in archive.namelist():
                if name.endswith((".xhtml", ".svg", ".html")):
                    found[f"{epub.name}!{name}"] = archive.read(name).decode("utf-8")
    return found


def _assert_no_script_reaches_a_reader(dist: Path) -> None:
    documents = _reader_documents(dist)
    assert any(name.endswith(".html") for name in documents) and any("!" in name for name in documents)
    for name, text in documents.items():
        assert "alert(" not in text and "msgbox" not in text, name
        parsed = _Markup()
        parsed.feed(text)
        for tag, attrs in parsed.tags:
            assert tag not in ("iframe", "object", "embed"), (name, tag)
            for attr, value in attrs:
                assert not attr.startswith("on"), (name, tag, attr)
                assert attr not in ("autofocus", "data-editio-nonce"), (name, tag, attr)
                assert not (attr == "style" and "fixed" in (value or "")), (name, tag, value)
                if attr in ("href", "src", "xlink:href"):
                    assert not re.match(r"\s*(javascript|vbscript|data|file):", value or "", re.I), (name, value)
        if name.endswith(".html"):  # the template's own script, and nothing else
            assert len(parsed.scripts) == 1 and "Enhancement only" in parsed.scripts[0], name
        else:
            assert not parsed.scripts, name


@pytest.mark.parametrize("allow_raw", [False, True], ids=["default", "allow-raw"])
def test_hostile_markup_never_reaches_a_reader(tmp_path: Path, allow_raw: bool):
    text = HOSTILE_TEXT + (HOSTILE_RAW if allow_raw else "")
    manuscript = make_project(tmp_path, text, {"allow-raw": True} if allow_raw else {},
                              files={"manuscript/drawing.svg": DRAWING})
    proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="epub,html")
    assert proc.returncode == 0, proc.stderr
    _assert_no_script_reaches_a_reader(tmp_path / "dist")
    page = (tmp_path / "dist" / "test.html").read_text(encoding="utf-8")
    # what a manuscript may do stays: the text, safe links, a box that takes focus without moving it
    assert "сфокусируй" in page and 'href="mailto:a@example.org"' in page and 'href="https://example.org/"' in page
    assert "Абзац в блоке." in page and "media/drawing-" in page

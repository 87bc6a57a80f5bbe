"""Safety with untrusted manuscripts, end to end through the real command line (docs/security.md is the threat
model; tests/test_threat_model.py checks that each of its lines names a test that exists).

- Raw typst/HTML/LaTeX in a manuscript file is SAF001 with the file and line, unless `allow-raw: true`.
- Every page and content document a build writes passes the allowlist sanitiser: no handler, no script, no
  script URL reaches a reader, with or without allow-raw; the template's own script survives by its nonce.
- Metadata is data; paths stay inside the project; signals, OS errors and oversized input are diagnostics.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest
from conftest import MINI, ROOT, run_build
from helpers import make_project, prepare
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editio.errors import EditionError
from editio.load.manuscript import refuse_raw
from editio.load.pandoc import PandocSession

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
    "typst-block": ('Текст.\n\n```{=typst}\n#read("/etc/passwd")\n```\n', "typst", 4),
    "typst-inline": ('Текст.\n\nСм. `#read("/etc/passwd")`{=typst} здесь.\n', "typst", 3),
    "html-script": ("Текст.\n\n<script>alert(1)</script>\n", "html", 3),
    "html-inline": ("Текст.\n\nАбзац с <img src=x onerror=alert(1)> внутри.\n", "html", 3),
    "latex-input": ("Текст.\n\nАбзац \\input{/etc/passwd} дальше.\n", "tex", 3),
    "html-block-attribute": ('Текст.\n\n```{=html}\n<iframe src="https://example.org"></iframe>\n```\n', "html", 4),
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
    text = (
        "<!-- a comment is fine -->\n\nОдин \\<b> и \\\\input и `code`.\n\nДва <b>жирный</b>.\n\n```{=typst}\n#x\n```\n"
    )
    with pytest.raises(EditionError) as caught:
        refuse_raw(session.read(text, "m.md"), text, "m.md")
    assert [(d.code, d.line) for d in caught.value.diagnostics] == [("SAF001", 5), ("SAF001", 5), ("SAF001", 8)]
    harmless = '<!-- only a comment -->\n\nОдин \\<b> и \\\\input и `#read("x")`.\n'
    refuse_raw(session.read(harmless, "m.md"), harmless, "m.md")


def test_raw_typst_fails_the_build_unless_allowed(tmp_path: Path):
    project = _project(tmp_path)
    text = project / "manuscript" / "01-text.md"
    _edit(text, "# Текст\n", '# Текст\n\n`#read("/etc/passwd")`{=typst} и <b>жирный</b>\n')
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
и [накрой]{style="position:fixed;top:0;left:0;width:100%;height:100%;background:red"}
и [префикс]{xlink:href="javascript:alert('xlink')" epub:type="noteref"}.

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
DRAWING = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert("svg-script")</script>'
    '<rect width="10" height="10" onclick="alert(\'svg-click\')"/></svg>\n'
)


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
    found = {
        p.relative_to(dist).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(dist.rglob("*"))
        if p.suffix in (".html", ".svg")
    }
    for epub in dist.glob("*.epub"):
        with zipfile.ZipFile(epub) as archive:
            for name in archive.namelist():
                if name.endswith((".xhtml", ".svg", ".html")):
                    found[f"{epub.name}!{name}"] = archive.read(name).decode("utf-8")
    return found


def _assert_no_script_reaches_a_reader(dist: Path, text_too: bool = True) -> None:
    """No handler, no script element but the template's, no script or local URL in any document a reader opens;
    with ``text_too`` not even the hostile words as text (the manuscript wrote them only in markup)."""
    documents = _reader_documents(dist)
    assert any(name.endswith(".html") for name in documents) and any("!" in name for name in documents)
    for name, text in documents.items():
        assert not text_too or ("alert(" not in text and "msgbox" not in text), name
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
    manuscript = make_project(
        tmp_path, text, {"allow-raw": True} if allow_raw else {}, files={"manuscript/drawing.svg": DRAWING}
    )
    proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="epub,html")
    assert proc.returncode == 0, proc.stderr
    _assert_no_script_reaches_a_reader(tmp_path / "dist")
    page = (tmp_path / "dist" / "test.html").read_text(encoding="utf-8")
    # what a manuscript may do stays: the text, safe links, a box that takes focus without moving it
    assert "сфокусируй" in page and 'href="mailto:a@example.org"' in page and 'href="https://example.org/"' in page
    assert "Абзац в блоке." in page and "media/drawing-" in page


def test_allow_raw_html_never_makes_the_build_fetch_or_embed_a_file(tmp_path: Path):
    """pandoc's EPUB writer fetches and embeds what a raw <img src> names: a loopback server must see no request,
    and no file from outside the project may land in the EPUB."""
    import http.server
    import threading

    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"\x89PNG\r\n\x1a\n")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"SECRET-OUTSIDE-THE-PROJECT")
    text = (
        "# Глава\n\nТекст.\n\n"
        f'<img src="http://127.0.0.1:{server.server_port}/x.png" alt="a"> <img src="file://{secret}" alt="b">'
        f' <img src="{secret}" alt="c"> <img src="../../secret.png" alt="d"> <img src="..%2F..%2Fsecret.png">'
        f' <img srcset="../../secret.png 2x" alt="e">\n'
    )
    try:
        manuscript = make_project(tmp_path / "project", text, {"allow-raw": True})
        proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="epub,html")
    finally:
        server.shutdown()
    assert proc.returncode == 0, proc.stderr
    assert requests == []
    with zipfile.ZipFile(tmp_path / "dist" / "test.epub") as archive:
        assert not any(b"SECRET-OUTSIDE" in archive.read(name) for name in archive.namelist())
        assert not [name for name in archive.namelist() if "/media/" in name]


def test_allow_raw_typst_reads_nothing_outside_the_stage(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-OUTSIDE-THE-PROJECT", encoding="utf-8")
    for path in (str(secret), "../" * 12 + str(secret).lstrip("/")):
        text = f'# Глава\n\n```{{=typst}}\n#read("{path}")\n```\n'
        manuscript = make_project(tmp_path / "project", text, {"allow-raw": True})
        proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="pdf")
        assert proc.returncode == 1 and "error PDF001" in proc.stderr, proc.stderr
        assert "SECRET-OUTSIDE" not in proc.stderr and not (tmp_path / "dist").exists()


HOSTILE_VALUES = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "jav&#x61;script:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:x",
    "alert(1)",
    'x" onmouseover="alert(1)',
    "position:fixed;inset:0",
    "expression(alert(1))",
    "url(javascript:alert(1))",
]
HOSTILE_NAMES = [
    "onclick",
    "onfocus",
    "ONLOAD",
    "onmouseover",
    "style",
    "autofocus",
    "tabindex",
    "href",
    "src",
    "formaction",
    "srcdoc",
    "xlink:href",
    "data-x",
    "title",
]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    attributes=st.lists(
        st.tuples(st.sampled_from(HOSTILE_NAMES), st.sampled_from(HOSTILE_VALUES)), min_size=1, max_size=4
    ),
    url=st.sampled_from([v for v in HOSTILE_VALUES if ":" in v]),
    kind=st.sampled_from(["span", "div", "link"]),
)
def test_property_hostile_attributes_and_urls_never_reach_a_reader(tmp_path_factory, attributes, url, kind):
    """hypothesis-chosen attributes and URLs in the Markdown, built into the HTML page and the EPUB by the writers."""
    from editio.build import _build_format
    from editio.build import prepare as prepare_edition

    folder = tmp_path_factory.mktemp("property")
    pairs = " ".join(f'{name}="{value.replace(chr(34), "&quot;")}"' for name, value in attributes)
    text = {
        "span": f"# Глава\n\n[слово]{{{pairs}}} и текст.\n",
        "div": f"# Глава\n\n::: {{{pairs}}}\nАбзац.\n:::\n",
        "link": f"# Глава\n\n[ссылка](<{url}>){{{pairs}}} и ![рисунок](<{url}>) здесь.\n",
    }[kind]
    manuscript = make_project(folder, text)
    try:
        edition = prepare_edition(manuscript, folder)
    except EditionError as refused:  # an image URL (SAF010), raw HTML pandoc reads in a URL (SAF001): nothing built
        assert {d.code for d in refused.diagnostics} <= {"SAF001", "SAF010", "SAF011", "SAF012", "SAF016", "SRC004"}
        return
    stage = folder / "dist"
    (stage / "media").mkdir(parents=True)
    for fmt in ("html", "epub"):
        _build_format(edition, fmt, stage)
    _assert_no_script_reaches_a_reader(stage, text_too=False)  # what pandoc does not read as markup is text


# --- metadata is data ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["header-includes", "include-before", "include-after"])
def test_raw_inclusion_metadata_is_refused_unless_allow_raw(tmp_path: Path, key: str):
    value = "<script>alert(1)</script>"
    manuscript = make_project(tmp_path, "# Глава\n\nТекст.\n", {key: value})
    config = manuscript / "edition.yaml"
    proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="html")
    assert _error(proc, "CFG016", "manuscript/edition.yaml") == _line(config, f"{key}:")
    assert not (tmp_path / "dist").exists()
    # in a manuscript file's front matter: reported there
    (manuscript / "01-text.md").write_text(f"---\n{key}: '{value}'\n---\n\n# Глава\n\nТекст.\n", encoding="utf-8")
    _edit(config, f"{key}:", "unrelated:")
    proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="html")
    assert _error(proc, "CFG016", "manuscript/01-text.md") == 2
    # allowed, it reaches the page only through the sanitiser
    _edit(config, "title:", "allow-raw: true\ntitle:")
    proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="html")
    assert proc.returncode == 0, proc.stderr
    assert "alert(1)" not in (tmp_path / "dist" / "test.html").read_text(encoding="utf-8")


HONEST = 'Ann "The Hammer" Smith'
INJECTION = 'a ", str(calc.pow(6,2)), " b'
TITLE = 'Back\\1 [brackets] #set text(red) #read("/etc/hostname") "quoted" } ]'


def test_metadata_prints_as_written_in_the_pdf_text_and_its_info(tmp_path: Path):
    manuscript = make_project(
        tmp_path, "# Глава\n\nТекст.\n", {"author": [HONEST, INJECTION], "title": TITLE, "lang": "en"}
    )
    proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="pdf")
    assert proc.returncode == 0, proc.stderr
    reader = pypdf.PdfReader(tmp_path / "dist" / "test.pdf")
    assert reader.metadata.author == f"{HONEST}, {INJECTION}"
    assert reader.metadata.title == TITLE
    text = reader.pages[0].extract_text()
    for literal in (HONEST, INJECTION, TITLE):  # as written, but for curly quotes and the spaces beside them
        assert _bare(literal) in _bare(text), (literal, text[:500])
    assert "36" not in text


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", re.sub("[“”„«»]", '"', text))


def test_raw_markup_in_metadata_is_refused_unless_allow_raw(tmp_path: Path):
    title = 'T `#read("/etc/hostname")`{=typst} \\slash'
    manuscript = make_project(tmp_path, "# Глава\n\nТекст.\n", {"title": title})
    proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="pdf")
    assert _error(proc, "SAF001", "manuscript/edition.yaml") == _line(manuscript / "edition.yaml", "title:")
    assert "raw typst" in proc.stderr and "raw tex" in proc.stderr
    (manuscript / "01-text.md").write_text("---\nsubtitle: '<b>x</b>'\n---\n\n# Глава\n\nТекст.\n", encoding="utf-8")
    _edit(manuscript / "edition.yaml", "title: ", "title: Safe\nold-title: ")
    proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="pdf")
    assert _error(proc, "SAF001", "manuscript/01-text.md") == 2


# --- paths stay inside the project --------------------------------------------------------------------------

CONFIG_PATHS = {  # case → (old, new text of edition.yaml, the refused value, code)
    "files": ("  - 01-text.md\n", "  - 01-text.md\n  - ../../etc/hostname\n", "../../etc/hostname", "SAF012"),
    "bibliography": (
        "bibliography: ../references.bib",
        "bibliography: ../../outside.bib",
        "../../outside.bib",
        "SAF012",
    ),
    "csl": ("csl: gost-r-7-0-5-2008", "csl: ../../outside.csl", "../../outside.csl", "SAF012"),
    "glossary.data": (
        "glossary: {data: glossary.yaml",
        "glossary: {data: ../../outside.yaml",
        "../../outside.yaml",
        "SAF012",
    ),
    "faction-chart.data": (
        "faction-chart: {data: ../factions.yaml}",
        "faction-chart: {data: /etc/hostname}",
        "/etc/hostname",
        "SAF011",
    ),
    "cover-image": ("toc: true", "toc: true\ncover-image: /etc/passwd", "/etc/passwd", "SAF011"),
    "css": ("toc: true", "toc: true\ncss: [file:///etc/passwd]", "file:///etc/passwd", "SAF010"),
    "bibliography-url": (
        "bibliography: ../references.bib",
        "bibliography: https://example.org/r.bib",
        "https://example.org/r.bib",
        "SAF010",
    ),
}


@pytest.mark.parametrize("key", sorted(CONFIG_PATHS))
def test_edition_yaml_paths_cannot_leave_the_project(tmp_path: Path, key: str):
    project = _project(tmp_path)
    for name in ("outside.bib", "outside.csl", "outside.yaml"):  # they exist: only the place is wrong
        shutil.copy(MINI / ("references.bib" if name.endswith(".bib") else "manuscript/glossary.yaml"), tmp_path / name)
    old, new, value, code = CONFIG_PATHS[key]
    config = project / "manuscript" / "edition.yaml"
    _edit(config, old, new)
    proc = run_build(project / "manuscript", project / "dist", cwd=project, formats="epub,html")
    line = _error(proc, code, "manuscript/edition.yaml")
    assert value in config.read_text(encoding="utf-8").splitlines()[line - 1], proc.stderr
    assert not (project / "dist").exists()


def test_a_manuscript_stylesheet_needs_allow_style_and_loads_nothing_from_outside(tmp_path: Path):
    own = "p { margin: 0 }\n"
    manuscript = make_project(tmp_path, "# Глава\n\nТекст.\n", {"css": "own.css"}, files={"manuscript/own.css": own})
    config = manuscript / "edition.yaml"
    proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="epub")
    assert _error(proc, "CFG018", "manuscript/edition.yaml") == _line(config, "css:")
    _edit(config, "css:", "allow-style: true\ncss:")
    (manuscript / "own.css").write_text('@import url("https://example.org/track.css");\n' + own, encoding="utf-8")
    proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="epub")
    assert _error(proc, "CFG018", "manuscript/edition.yaml") == _line(config, "css:")
    (manuscript / "own.css").write_text(own, encoding="utf-8")
    proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="epub")
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(tmp_path / "dist" / "test.epub") as archive:
        assert any(archive.read(n) == own.encode() for n in archive.namelist() if n.endswith(".css"))


@pytest.mark.parametrize(
    "target, code", [("/etc/passwd", "SAF013"), ("/dev/zero", "SAF013"), ("fifo", "SAF014"), ("folder", "SAF014")]
)
def test_a_listed_file_must_be_a_regular_file_inside(tmp_path: Path, target: str, code: str):
    project = _project(tmp_path)
    manuscript = project / "manuscript"
    if target == "fifo":
        __import__("os").mkfifo(manuscript / "02-more.md")
    elif target == "folder":
        (manuscript / "02-more.md").mkdir()
    else:
        (manuscript / "02-more.md").symlink_to(target)
    _edit(manuscript / "edition.yaml", "  - 01-text.md\n", "  - 01-text.md\n  - 02-more.md\n")
    proc = run_build(manuscript, project / "dist", cwd=project, formats="html")  # a FIFO or /dev/zero would hang
    assert _error(proc, code, "manuscript/edition.yaml") == _line(manuscript / "edition.yaml", "02-more.md")


FILTER_DATA = {
    "glossary": "glossary",
    "faction_chart": "faction-chart",
    "name_index": "name-index",
    "chronology": "chronology",
    "emendations": "emendations",
    "editorial_notes": "editorial-notes",
}


@pytest.mark.parametrize(
    "value, code",
    [
        ("../../etc/passwd", "SAF012"),
        ("/etc/passwd", "SAF011"),
        ("sub/../../../x.yaml", "SAF012"),
        ("file:///etc/passwd", "SAF010"),
    ],
)
@pytest.mark.parametrize("name", sorted(FILTER_DATA))
def test_filter_data_paths_cannot_leave_the_project(tmp_path: Path, name: str, value: str, code: str):
    from editio.build import prepare as prepare_edition

    key = FILTER_DATA[name]
    manuscript = make_project(
        tmp_path, "# Глава\n\nТекст.\n\n::: faction-chart\n:::\n", {"filters": [name], key: {"data": value}}
    )
    with pytest.raises(EditionError) as caught:
        prepare_edition(manuscript, tmp_path)
    [diagnostic] = [d for d in caught.value.diagnostics if d.code.startswith("SAF")]
    assert (diagnostic.code, diagnostic.file) == (code, "manuscript/edition.yaml")
    lines = (manuscript / "edition.yaml").read_text(encoding="utf-8").splitlines()
    assert value in lines[diagnostic.line - 1], (diagnostic, lines)


def test_a_project_filter_outside_the_project_is_never_imported(tmp_path: Path):
    marker = tmp_path / "imported"
    evil = tmp_path / "evil_filter.py"
    evil.write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    manuscript = make_project(tmp_path / "project", "# Глава\n\nТекст.\n", {"filters": ["filters/linked.py"]})
    (tmp_path / "project" / "filters").mkdir()
    (tmp_path / "project" / "filters" / "linked.py").symlink_to(evil)
    for filters in (["filters/linked.py"], [str(evil)], ["../evil_filter.py"]):
        _edit(manuscript / "edition.yaml", "filters:", "filters:")
        text = (manuscript / "edition.yaml").read_text(encoding="utf-8")
        (manuscript / "edition.yaml").write_text(
            re.sub(r"filters:\n(- .*\n)+", f"filters:\n- {filters[0]}\n", text), encoding="utf-8"
        )
        proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="html")
        assert _error(proc, "CFG003", "manuscript/edition.yaml")
        assert not marker.exists(), filters


def test_image_outside_the_project_is_refused(tmp_path: Path):
    project = _project(tmp_path)
    _edit(project / "manuscript" / "01-text.md", "# Текст\n", "# Текст\n\n![x](../../../etc/hostname)\n")
    proc = run_build(project / "manuscript", project / "dist", cwd=project, formats="html")
    assert _error(proc, "SAF012", "manuscript/01-text.md") == 3


# --- typst code in text is text ---------------------------------------------------------------------------


def test_typst_code_in_text_is_typeset_literally(tmp_path: Path):
    project = _project(tmp_path)
    secret = tmp_path / "project" / "secret.txt"
    secret.write_text("SECRET-CONTENT-42\n", encoding="utf-8")
    _edit(
        project / "manuscript" / "01-text.md",
        "# Текст\n",
        '# Текст\n\nКод #read("secret.txt") и #import "x.typ" и #eval("1+1") и $x$ и \\#set и ]#strong[x] '
        "и \\<lbl> остаются текстом.\n",
    )
    proc = run_build(project / "manuscript", project / "dist", cwd=project, formats="pdf")
    assert proc.returncode == 0, proc.stderr
    pages = pypdf.PdfReader(project / "dist" / "mini.pdf").pages
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))
    assert "SECRET-CONTENT-42" not in text
    text = re.sub("[«»“”„]", '"', text)
    for literal in ('#read("secret.txt")', '#import "x.typ"', '#eval("1+1")', "#set", "]#strong[x]", "<lbl>"):
        assert literal in text, (literal, text[:2000])


# --- signals, OS errors, input the build cannot take --------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists() or not hasattr(os, "fork"), reason="needs /proc and fork")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_build_cleanly(tmp_path: Path, signum: int):
    """While the formats are being made (the PDF here, EPUB and HTML in forked children, each running pandoc):
    one diagnostic line, exit 128 + the signal, every worker gone, no stage folder, dist/ as it was."""
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "earlier.txt").write_text("earlier", encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "EDITIO_NO_CACHE": "1",
        "EDITIO_JOBS": "3",
        "SOURCE_DATE_EPOCH": "1700000000",
    }
    build = subprocess.Popen(
        [sys.executable, "-m", "editio", "build", "--manuscript", str(ROOT / "manuscript"), "--out", str(dist)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while time.monotonic() < deadline and build.poll() is None:
        children = _children(build.pid)
        grandchildren = {g for c in children for g in _children(c)}
        if any(tmp_path.glob(".dist.stage-*")) and len(children) >= 2 and grandchildren:
            workers = set(children) | grandchildren
            break
        time.sleep(0.02)
    assert workers, "the build never reached its format workers"
    build.send_signal(signum)
    _, stderr = build.communicate(timeout=60)
    assert build.returncode == 128 + signum, stderr
    assert (
        stderr.strip().splitlines() == [stderr.strip()]
        and f"error SIG001: interrupted by {signal.Signals(signum).name}" in stderr
    ), stderr
    gone = time.monotonic() + 5  # "within seconds"
    while any(_running(pid) for pid in workers) and time.monotonic() < gone:
        time.sleep(0.05)
    assert [(pid, Path(f"/proc/{pid}/cmdline").read_text()[:80]) for pid in workers if _running(pid)] == []
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]
    assert _snapshot(dist) == {"earlier.txt": b"earlier"}


def test_an_interrupt_between_the_two_renames_of_a_publish_waits_for_the_second(tmp_path: Path, monkeypatch):
    """Between moving the old dist/ aside and moving the new one in, dist/ does not exist: a Ctrl-C there is held
    back until both renames are done, so the old set or the new set is there, never neither."""
    import editio.publish as publishing

    out = tmp_path / "dist"
    out.mkdir()
    (out / "old.txt").write_text("old", encoding="utf-8")
    new = tmp_path / "new.txt"
    new.write_text("new", encoding="utf-8")
    real = os.replace

    def replace(source, target):
        real(source, target)
        if Path(source) == out:  # the old folder has just gone aside
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(publishing.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        publishing.publish([("new.txt", new)], out)
    assert sorted(p.name for p in out.iterdir()) == ["SHA256SUMS", "new.txt"]


def test_an_output_folder_that_cannot_be_written_is_out001(tmp_path: Path):
    manuscript = make_project(tmp_path, "# Глава\n\nТекст.\n")
    (tmp_path / "file").write_text("a file, not a folder", encoding="utf-8")
    proc = run_build(manuscript, tmp_path / "file" / "dist", cwd=tmp_path, formats="html")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert re.search(r"^<build>: error OUT001: cannot write the output folder: .+", proc.stderr, re.M), proc.stderr


def test_a_full_disk_is_out001_and_leaves_dist_as_it_was(tmp_path: Path):
    """A file-size limit makes every write past 64 KB fail as a full disk does (EFBIG instead of ENOSPC); the
    fonts the HTML writer copies are larger."""
    import resource

    manuscript = make_project(tmp_path, "# Глава\n\nТекст.\n")
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "earlier.txt").write_text("earlier", encoding="utf-8")
    limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))  # noqa: E731
    proc = run_build(manuscript, dist, formats="html", preexec_fn=limit)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert re.search(r"^<build>: error OUT001: cannot write the output folder: File too large", proc.stderr, re.M), (
        proc.stderr
    )
    assert _snapshot(dist) == {"earlier.txt": b"earlier"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "manuscript"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_is_out001(tmp_path: Path):
    manuscript = make_project(tmp_path / "project", "# Глава\n\nТекст.\n")
    parent = tmp_path / "readonly"
    (parent / "dist").mkdir(parents=True)
    parent.chmod(0o555)
    try:
        proc = run_build(manuscript, parent / "dist", cwd=tmp_path, formats="html")
    finally:
        parent.chmod(0o755)
    assert proc.returncode == 1 and "error OUT001" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_thousands_of_nested_quotes_are_src009_at_their_line(tmp_path: Path):
    text = "# Глава\n\nТекст.\n\n" + "> " * 3000 + "глубоко\n"
    manuscript = make_project(tmp_path, text)
    proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="html")
    assert _error(proc, "SRC009", "manuscript/01-text.md") == 5


def test_running_out_of_memory_is_one_line(monkeypatch, capsys):
    import editio.build
    from editio import cli

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(editio.build, "build", exhausted)
    monkeypatch.setenv("EDITIO_NO_CACHE", "1")
    assert cli.main(["build", "--manuscript", str(MINI / "manuscript")]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "<build>: error SYS002: out of memory; the output folder was left as it was (is a manuscript file "
        "unusually large?)"
    ]


def test_a_manuscript_file_over_the_limit_is_refused_at_once(tmp_path: Path):
    manuscript = make_project(tmp_path, {"01-text.md": "# Глава\n\nТекст.\n", "02-big.md": "Слово. " * 200})
    proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="html", env={"EDITIO_MAX_FILE_BYTES": "1000"})
    assert _error(proc, "SAF015", "manuscript/edition.yaml") == _line(manuscript / "edition.yaml", "02-big.md")
    assert "over the limit of 1,000" in proc.stderr


def test_listed_files_over_the_limit_together_are_refused_at_once(tmp_path: Path):
    texts = {f"{n:02}-part.md": f"# Часть {n}\n\n" + "Слово. " * 60 for n in range(1, 4)}
    manuscript = make_project(tmp_path, texts)
    proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="html", env={"EDITIO_MAX_FILE_BYTES": "1000"})
    assert _error(proc, "SAF015", "manuscript/edition.yaml") == _line(manuscript / "edition.yaml", "files:")
    assert "together" in proc.stderr and proc.stderr.count("error SAF015") == 1


BOMB = "".join(f"  {b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdef", "bcdefg", strict=False))
BOMB = '  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + BOMB


@pytest.mark.parametrize("where", ["edition.yaml", "front matter"])
def test_a_yaml_alias_bomb_is_refused_at_once_also_by_the_cached_build(tmp_path: Path, where: str):
    manuscript = make_project(tmp_path, "# Глава\n\nТекст.\n")
    if where == "edition.yaml":
        with open(manuscript / "edition.yaml", "a", encoding="utf-8") as config:
            config.write("bomb:\n" + BOMB)
        shown, line = "manuscript/edition.yaml", _line(manuscript / "edition.yaml", "g: &g")
    else:
        (manuscript / "01-text.md").write_text("---\nbomb:\n" + BOMB + "---\n\n# Глава\n\nТекст.\n", encoding="utf-8")
        shown, line = "manuscript/01-text.md", _line(manuscript / "01-text.md", "g: &g")
    proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="html", env={"EDITIO_NO_CACHE": "0"})
    assert _error(proc, "YML003", shown) == line


def test_devices_fifos_and_odd_names_beside_the_manuscript_do_not_hang_the_cached_build(tmp_path: Path):
    manuscript = make_project(tmp_path, "# Глава\n\nТекст.\n")
    (manuscript / "zero.md").symlink_to("/dev/zero")
    os.mkfifo(manuscript / "pipe.md")
    with open(os.fsencode(manuscript) + b"/caf\xe9.md", "wb") as odd:  # a name that is not UTF-8
        odd.write(b"# x\n")
    proc = subprocess.run(
        [sys.executable, "-m", "editio", "build", str(tmp_path), "--format", "html"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "EDITIO_NO_CACHE": "0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr


def test_formats_not_built_this_time_leave_no_stale_artefact(tmp_path: Path):
    manuscript = make_project(tmp_path, "# Глава\n\nТекст.\n")
    dist = tmp_path / "dist"
    assert run_build(manuscript, dist, cwd=tmp_path, formats="pdf,html").returncode == 0
    assert (dist / "test.pdf").exists()
    assert run_build(manuscript, dist, cwd=tmp_path, formats="epub,html").returncode == 0
    listed = {line.split("  ", 1)[1] for line in (dist / "SHA256SUMS").read_text(encoding="utf-8").splitlines()}
    on_disk = {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert on_disk == listed and "test.pdf" not in on_disk and "test.epub" in on_disk


def test_an_invalid_lang_is_cfg017_at_its_line(tmp_path: Path):
    manuscript = make_project(tmp_path, "# Глава\n\nТекст.\n", {"lang": "ru RU"})
    proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="html")
    assert _error(proc, "CFG017", "manuscript/edition.yaml") == _line(manuscript / "edition.yaml", "lang:")


# --- what a tired author writes --------------------------------------------------------------------------


def test_a_nested_note_keeps_its_text_and_no_id_repeats():
    from helpers import render

    edition = prepare("# Глава\n\nТекст^[Внешняя сноска^[внутренняя сноска] конец.] дальше.\n")
    [warning] = edition.loaded.ctx.log.warnings
    assert (warning.code, warning.file, warning.line) == ("SRC012", "manuscript/01-text.md", 3)
    for fmt in ("html", "epub", "typst"):
        page = render(edition, fmt)
        assert "Внешняя сноска (внутренняя сноска) конец." in re.sub(r"<[^>]+>|\\", "", page), (fmt, page)
        ids = re.findall(r'\bid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), (fmt, ids)


def test_a_citation_in_a_glossary_definition_is_formatted(tmp_path: Path):
    bib = "@book{smith2000,\n  author = {Smith, John},\n  title = {A Book},\n  year = {2000},\n}\n"
    glossary = (
        "entries:\n  - id: cob\n    term: COB\n    forms: [COB]\n    definition: Объединение, см. [@smith2000, p. 5].\n"
    )
    manuscript = make_project(
        tmp_path,
        "# Глава\n\nТекст про COB и [@smith2000].\n\n::: glossary\n:::\n",
        {
            "filters": ["glossary", "citeproc"],
            "glossary": {"data": "glossary.yaml"},
            "bibliography": "references.bib",
            "lang": "en",
        },
        files={"manuscript/references.bib": bib, "manuscript/glossary.yaml": glossary},
    )
    proc = run_build(manuscript, tmp_path / "dist", cwd=tmp_path, formats="html")
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "dist" / "test.html").read_text(encoding="utf-8")
    definition = re.search(r"Объединение, см\. (.*?)</p>", page).group(1)
    assert "@smith2000" not in definition and "Smith" in definition and "5" in definition, definition


def test_bibtex_keys_that_differ_only_in_case_are_warned_about():
    bib = "@book{smith2000,\n  author = {Smith, John},\n  title = {A},\n  year = {2000},\n}\n\n"
    edition = prepare(
        "# Глава\n\nТекст [@smith2000] и [@Smith2000].\n",
        {"bibliography": "references.bib"},
        files={"manuscript/references.bib": bib + bib.replace("smith2000", "Smith2000")},
    )
    [warning] = [w for w in edition.loaded.ctx.log.warnings if w.code == "BIB007"]
    assert (warning.file, warning.line) == ("manuscript/references.bib", 7)
    assert "'Smith2000'" in warning.message and "'smith2000'" in warning.message


def test_the_author_is_told_what_the_sanitiser_takes_out_with_the_line():
    edition = prepare(HOSTILE_TEXT, files={"manuscript/drawing.svg": DRAWING})
    found = {(w.code, w.line) for w in edition.loaded.ctx.log.warnings if w.code.startswith("SAN")}
    assert found == {("SAN002", 3), ("SAN004", 4), ("SAN003", 7), ("SAN003", 8), ("SAN002", 10)}, found
    allowed = prepare(HOSTILE_TEXT, {"allow-style": True}, files={"manuscript/drawing.svg": DRAWING})
    assert "SAN004" not in {w.code for w in allowed.loaded.ctx.log.warnings}

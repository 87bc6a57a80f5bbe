"""The gallery (issue 12): manuscripts written the way authors write them - a pandoc thesis with metadata.yml,
LaTeX page breaks and a CSL-JSON bibliography, a German Vorlage with \\label/\\ref and a free-form date, a
Quarto article with its front matter and CSL-YAML references, raw HTML and LaTeX in the manner of pandoc's test
suite - each built once per session by the real command line, in all three formats.

Third-party manuscripts are not kept in this repository: ``tests/fixtures/gallery-upstream/<name>/`` holds the
edition.yaml and SOURCE.md of each (see the README there). When a folder with the authors' files
(``<folder>/<name>/``) is named by ``EDITIO_GALLERY_UPSTREAM`` or lies at ``../shared/gallery``, every test here
builds those manuscripts too, with that edition.yaml added and nothing else changed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import EPOCH, ROOT
from helpers import epubcheck

GALLERY = ROOT / "tests" / "fixtures" / "gallery"
OURS = ("thesis-en", "arbeit-de", "article-qmd", "raw-content")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def upstream_projects() -> dict[str, tuple[Path, Path]]:
    """The third-party manuscripts that are there: name → (the authors' folder, our edition.yaml)."""
    given = os.environ.get("EDITIO_GALLERY_UPSTREAM", "").strip()
    folder = Path(given) if given else ROOT.parent / "shared" / "gallery"
    configs = sorted((ROOT / "tests" / "fixtures" / "gallery-upstream").glob("*/edition.yaml"))
    return {
        f"upstream-{c.parent.name}": (folder / c.parent.name, c) for c in configs if (folder / c.parent.name).is_dir()
    }


UPSTREAM = upstream_projects()
PROJECTS = {name: GALLERY / name for name in OURS} | {name: folder for name, (folder, _) in UPSTREAM.items()}


def edition_yaml(name: str) -> str:
    return (UPSTREAM[name][1] if name in UPSTREAM else PROJECTS[name] / "edition.yaml").read_text(encoding="utf-8")


class Built:
    """One gallery manuscript built by the command line: its output folder, the CLI's answer, the time."""

    def __init__(self, name: str, project: Path, out: Path, proc: subprocess.CompletedProcess, seconds: float):
        self.name, self.project, self.out, self.proc, self.seconds = name, project, out, proc, seconds

    def artefact(self, suffix: str) -> Path:
        found = sorted(self.out.glob(f"*.{suffix}"))
        assert len(found) == 1, f"{self.name}: {suffix} artefacts {found}\n{self.proc.stderr}"
        return found[0]

    def html(self) -> str:
        return self.artefact("html").read_text(encoding="utf-8")

    def epub_text(self) -> str:
        with zipfile.ZipFile(self.artefact("epub")) as book:
            return "\n".join(
                book.read(n).decode("utf-8") for n in book.namelist() if n.endswith((".xhtml", ".opf", ".ncx"))
            )

    def pdf_text(self) -> str:
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(self.artefact("pdf")).pages)


def _command(project: Path, out: Path) -> tuple[list[str], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
        SOURCE_DATE_EPOCH=EPOCH,
        EDITIO_NO_CACHE="1",
    )
    return [sys.executable, "-m", "editio", "build", str(project), "--out", str(out)], env


@pytest.fixture(scope="session")
def gallery(tmp_path_factory) -> dict[str, Built]:
    """Every gallery manuscript, copied and built once, the builds running side by side."""
    base = tmp_path_factory.mktemp("gallery")
    running = {}
    for name, source in PROJECTS.items():
        project = base / name
        shutil.copytree(source, project)
        if name in UPSTREAM:  # our edition.yaml (and any other file of ours) laid over the author's files
            for ours in UPSTREAM[name][1].parent.iterdir():
                if ours.name != "SOURCE.md":
                    shutil.copyfile(ours, project / ours.name)
        args, env = _command(project, base / f"{name}-dist")
        running[name] = (
            project,
            time.perf_counter(),
            subprocess.Popen(
                args, env=env, cwd=base, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8"
            ),
        )
    built = {}
    for name, (project, started, popen) in running.items():
        stdout, stderr = popen.communicate(timeout=600)
        proc = subprocess.CompletedProcess(popen.args, popen.returncode, stdout, stderr)
        built[name] = Built(name, project, base / f"{name}-dist", proc, time.perf_counter() - started)
    return built


@pytest.mark.parametrize("name", PROJECTS)
def test_builds_in_all_three_formats(gallery, name):
    built = gallery[name]
    assert built.proc.returncode == 0, built.proc.stderr
    for suffix in ("pdf", "epub", "html"):
        assert built.artefact(suffix).stat().st_size > 0


def test_every_epub_passes_epubcheck(gallery):
    """epubcheck, all books in one JVM: no fatal error, error or warning."""
    books = [built.artefact("epub") for built in gallery.values() if built.proc.returncode == 0]
    assert epubcheck(*books) == {book: [] for book in books}


@pytest.mark.parametrize("name", [n for n in PROJECTS if n != "raw-content"])
def test_images_reach_all_three_formats(gallery, name):
    built = gallery[name]
    media = sorted(p.name for p in (built.out / "media").iterdir()) if (built.out / "media").is_dir() else []
    if not media:
        pytest.skip(f"{name} has no images")
    shown = [m for m in media if not m.endswith(".pdf")]  # a PDF figure is placed in print only (SRC006)
    html = built.html()
    assert all(f'src="media/{m}"' in html for m in shown), (shown, re.findall(r'src="[^"]*"', html))
    with zipfile.ZipFile(built.artefact("epub")) as book:  # pandoc renames the files it puts in a book
        inside = {book.read(n) for n in book.namelist() if n.startswith("EPUB/media/")}
    assert all((built.out / "media" / m).read_bytes() in inside for m in shown)
    from pypdf import PdfReader

    placed = sum(len(page.images) for page in PdfReader(built.artefact("pdf")).pages)
    drawn = sum(1 for m in media if m.endswith((".svg", ".pdf")))  # vector: drawn, not an image XObject
    assert placed >= len(media) - drawn


@pytest.mark.parametrize("name", PROJECTS)
def test_no_russian_interface_word_in_a_build_in_another_language(gallery, name):
    built = gallery[name]
    for what, text in (("PDF", built.pdf_text()), ("EPUB", built.epub_text()), ("HTML", built.html())):
        assert not CYRILLIC.findall(text), f"{name} {what}: {sorted(set(CYRILLIC.findall(text)))}"


# --- the pandoc thesis -------------------------------------------------------------------------------------


def test_thesis_metadata_comes_from_its_metadata_file(gallery):
    built = gallery["thesis-en"]
    assert "<title>Tidal Mills of the North Sea Coast" in built.html()
    opf = built.epub_text()
    assert "<dc:date" in opf and ">2015-01-01</dc:date>" in opf  # «January 2015»: a valid dc:date
    assert "January 2015" in opf  # and the title page prints the author's words


def test_thesis_latex_is_read_not_lost(gallery):
    built = gallery["thesis-en"]
    text = built.pdf_text()
    assert "I confirm that the work presented in this thesis is my own." in text  # \textit{…}
    assert "CO2 was not measured" in text.replace("\n", " ")  # CO\textsubscript{2}
    assert "<sub>2</sub>" in built.html()
    assert "Page break" not in text and "\\newpage" not in text
    # what is left out is named, with its line: the layout commands of the declaration's paragraph
    assert "01_front.md:11: warning SRC007: raw LaTeX '\\\\noindent \\\\vspace*" in built.proc.stdout


def test_a_formula_pandoc_cannot_convert_is_named_with_its_line(gallery):
    out = gallery["thesis-en"].proc.stdout
    assert "02_chapter.md:13: warning SRC013: the formula '\\\\argmin_h Q' cannot be converted from TeX" in out


def test_thesis_citations_from_csl_json_and_crossrefs(gallery):
    text = " ".join(gallery["thesis-en"].pdf_text().split())
    assert "(Miller 2001)" in text and "Hansen 2019, 12" in text
    assert "Section 2 describes the survey, Figure 1 shows a mill pond and Table 1 lists the sites" in text
    assert "Equation (1)" in text and "??" not in text
    assert "Listing 1 counts them" in text and "Listing 1. The counting script." in text  # codeBlockCaptions


def test_the_bibliography_stays_under_the_authors_closing_heading(gallery):
    """citeproc appends the bibliography; the list of figures the edition asks for goes before the author's
    closing «References» heading, not between it and the entries."""
    html = gallery["thesis-en"].html()
    assert html.index("List of Figures") < html.index(">References</h1>") < html.index("Hansen, Ida. 2019")


def test_thesis_definition_list_and_code(gallery):
    built = gallery["thesis-en"]
    html, epub = built.html(), built.epub_text()
    for markup in (html, epub):
        assert re.search(r"<dl>\s*<dt>API</dt>\s*<dd>\s*(<p>)?Application Programming Interface", markup)
        assert 'class="sourceCode python"' in markup and '<span class="kw">def</span>' in markup
    text = built.pdf_text()
    assert "def mills(sites):" in text
    assert "API — Application Programming Interface" in text  # the term runs in, no break after it


def test_a_footnotes_heading_keeps_its_own_id(gallery):
    for name in ("thesis-en", "raw-content"):
        html = gallery[name].html()
        ids = re.findall(r'\bid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
        assert re.search(
            r'<section id="footnotes-1"[^>]*>\s*<h1[^>]*>(<span class="section-number">\d+</span> )?'
            r"Footnotes</h1>",
            html,
        )


# --- the German Vorlage --------------------------------------------------------------------------------------


def test_german_labels_refs_dates_and_words(gallery):
    built = gallery["arbeit-de"]
    text = " ".join(built.pdf_text().split())
    assert "Wie Abbildung 1 zeigt" in text and "Tabelle 1 nennt" in text  # \ref{fig:graph}, \ref{tab:orte}
    assert "Abbildungsverzeichnis" in text and "Tabellenverzeichnis" in text
    assert "Erstellungsdatum: 2023-11-14." in text  # the build date's label, in German
    opf = built.epub_text()
    assert ">2025-07-20</dc:date>" in opf and "20. Juli 2025" in opf
    assert "Contents" not in built.html() and "Figure" not in text


def test_an_incomplete_entry_nothing_cites_is_a_warning(gallery):
    out = gallery["arbeit-de"].proc.stdout
    assert "references.bib:10: warning BIB003: entry 'weber_unvollstaendig_????'" in out


# --- the Quarto article ---------------------------------------------------------------------------------------


def test_quarto_front_matter_is_the_metadata(gallery):
    built = gallery["article-qmd"]
    words = " ".join(re.sub(r"<[^>]+>", "", built.html()).split())
    assert "Mill ponds as habitats" in words and "Lee Example" in words and "brackish water (Ames 2020)" in words
    opf = built.epub_text()
    assert "<dc:format" not in opf  # Quarto's `format:` is a rendering instruction, not metadata
    assert ">2023-11-14</dc:date>" in opf  # `date: last-modified` is the build date (SOURCE_DATE_EPOCH)
    text = " ".join(built.pdf_text().split())
    assert "Figure 1 shows one; Equation (1) gives the salinity and Table 1 the counts" in text
    assert "Listing 1 reads the counts." in text and "Listing 1. Reading the counts." in text  # lst-cap


# --- raw content ------------------------------------------------------------------------------------------------


def test_raw_content_is_reported_with_file_and_line(gallery):
    out = gallery["raw-content"].proc.stdout
    for expected in (
        "text.md:21: warning SRC008: raw HTML: <script> is not published",
        "text.md:27: warning SRC008: raw HTML: id 'bar' is used twice",
        "text.md:15: warning SRC007: raw HTML '<table>' (lines 15–19) is shown in EPUB and HTML, not",
        "text.md:23: warning SRC007: raw HTML '<hr>' is shown in EPUB and HTML, not in the PDF",
        "text.md:31: warning SRC007: raw LaTeX '\\\\cite[22-23]{smith.1899}' is shown in no format",
        "text.md:7: warning SRC010: link to the path '/url/'",
        "text.md:52: warning SRC007: raw LaTeX \\begin{tabular} could not be read as a table",
    ):
        assert expected in out, out


def test_raw_html_reaches_html_and_epub_as_xhtml(gallery):
    built = gallery["raw-content"]
    html, epub = built.html(), built.epub_text()
    assert "never published" not in html and "never published" not in epub
    assert '<hr class="foo" id="bar" />' in epub and epub.count('id="bar"') == 1
    assert "<td>This is <em>emphasized</em></td>" in epub.replace("\n", "")
    assert "Animal" in built.pdf_text()  # the LaTeX tabular, read as a table


def test_raw_content_is_refused_with_file_and_line_in_safe_mode(tmp_path):
    project = tmp_path / "raw"
    shutil.copytree(GALLERY / "raw-content", project)
    config = project / "edition.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("allow-raw: true", "allow-raw: false"), encoding="utf-8"
    )
    args, env = _command(project, tmp_path / "dist")
    proc = subprocess.run(args, env=env, capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 1
    assert "text.md:15: error SAF001: raw html '<table>'" in proc.stderr
    assert "text.md:31: error SAF001: raw tex '\\\\cite[22-23]{smith.1899}'" in proc.stderr
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize(
    "name", [n for n in PROJECTS if "ua-1" in (yaml.safe_load(edition_yaml(n)).get("pdf-standards") or [])]
)
def test_pdf_is_pdf_ua_1(gallery, name):
    """typst refuses to write PDF/UA-1 with an image or equation that lacks alt text, a missing title or
    language: that the build passed is most of the test; the file must also say that it conforms."""
    pdf = gallery[name].artefact("pdf").read_bytes()
    assert re.search(rb"<pdfuaid:part>1</pdfuaid:part>|pdfuaid:part=\"1\"", pdf)


def test_a_pdf_figure_in_a_pdf_ua_edition_is_refused_at_its_line(tmp_path):
    """typst cannot embed a PDF page in PDF/UA-1: the build says so at the manuscript's line, not the typst
    source's."""
    project = tmp_path / "thesis"
    shutil.copytree(GALLERY / "thesis-en", project)
    (project / "plan.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    chapter = project / "03_chapter.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n![A site plan.](plan.pdf)\n", encoding="utf-8")
    line = chapter.read_text(encoding="utf-8").splitlines().index("![A site plan.](plan.pdf)") + 1
    args, env = _command(project, tmp_path / "dist")
    proc = subprocess.run(args, env=env, capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 1
    assert f"03_chapter.md:{line}: error SRC011: image 'plan.pdf' is a PDF" in proc.stderr


@pytest.mark.parametrize(
    "text, line",
    [
        ("# Chapter\n\nSome text.\n\n![](square.png)\n", 5),  # PDF/UA-1: an image without alt text
        ("# Chapter\n\nHere is a sentence with `#nonexistent()`{=typst} inside.\n", 3),  # the author's raw typst
    ],
)
def test_a_typst_failure_points_at_the_manuscript_line(tmp_path, text, line):
    """typst reports a line of the generated .typ file; the build finds it in the manuscript (an image by its
    file name, else the words around the failure) and reports that file and line."""
    (tmp_path / "text.md").write_text(text, encoding="utf-8")
    shutil.copyfile(GALLERY / "raw-content" / "square.png", tmp_path / "square.png")
    (tmp_path / "edition.yaml").write_text(
        "title: T\nlang: en\nfiles: [text.md]\nallow-raw: true\n"
        "identifier: urn:uuid:00000000-0000-4000-8000-000000000001\n"
        "pdf-standards: [ua-1]\n",
        encoding="utf-8",
    )
    args, env = _command(tmp_path, tmp_path / "dist")
    proc = subprocess.run([*args, "--format", "pdf"], env=env, capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"text.md:{line}: error PDF001: typst could not compile"), proc.stderr


def test_a_pdf_figure_is_redrawn_for_the_screen(tmp_path):
    """A figure that is a PDF page: placed as it is in the PDF, redrawn as SVG (by typst) for HTML and EPUB,
    and used as SVG in the PDF too when the edition is PDF/UA-1, where typst cannot embed a PDF."""
    import typst

    project = tmp_path / "thesis"
    shutil.copytree(GALLERY / "thesis-en", project)
    (project / "plan.typ").write_text(
        "#set page(width: 6cm, height: 3cm)\n#rect(width: 100%)[Site plan]\n", encoding="utf-8"
    )
    (project / "plan.pdf").write_bytes(typst.compile(str(project / "plan.typ"), ignore_system_fonts=True))
    chapter = project / "03_chapter.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n![A site plan.](plan.pdf)\n", encoding="utf-8")
    for standards, placed in (("[]", ".pdf"), ("[ua-1]", ".svg")):  # what the PDF places
        config = project / "edition.yaml"
        config.write_text(re.sub(r"pdf-standards: .*", f"pdf-standards: {standards}", config.read_text()))
        args, env = _command(project, tmp_path / f"dist{standards}")
        proc = subprocess.run(args, env=env, capture_output=True, text=True, encoding="utf-8")
        assert proc.returncode == 0, proc.stderr
        assert "SRC006" not in proc.stdout
        out = tmp_path / f"dist{standards}"
        html = (out / "thesis.html").read_text(encoding="utf-8")
        assert re.search(r'<img src="media/plan-[0-9a-f]{8}\.svg"[^>]*alt="A site plan\."', html)
        with zipfile.ZipFile(out / "thesis.epub") as book:
            assert any(n.startswith("EPUB/media/") and n.endswith(".svg") for n in book.namelist())
        media = sorted(p.name for p in (out / "media").iterdir() if p.name.startswith("plan-"))
        assert {m[-4:] for m in media} == ({".pdf", ".svg"} if placed == ".pdf" else {".svg"}), media


# --- the pieces, on small inputs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, w3c",
    [
        ("January 2015", "2015-01"),
        ("20. Juli 2025", "2025-07-20"),
        ("July 17, 2006", "2006-07-17"),
        ("2025-07-20", "2025-07-20"),
        ("20.07.2025", "2025-07-20"),
        ("1er juillet 2024", "2024-07-01"),
        ("20 июля 2025 г.", "2025-07-20"),
        ("Spring 2019", "2019"),
        ("TT. Monat JJJJ", None),
        ("2024-03-01T10:00:00Z", "2024-03-01"),
    ],
)
def test_free_form_dates_in_w3c_form(written, w3c):
    from editio.load.dates import w3c_date

    assert w3c_date(written) == w3c


def test_front_matter_keys_keep_their_lines_and_title_blocks_split_authors():
    from editio.load.frontmatter import title_block, yaml_block

    values, lines = yaml_block("---\ntitle: T\n\nbibliography: refs.json\n...\n\n# A\n", "a.md")
    assert values == {"title": "T", "bibliography": "refs.json"} and lines == {"title": 2, "bibliography": 4}
    assert yaml_block("# No front matter\n\n---\ntitle: later\n---\n", "a.md") is None
    values, lines = title_block("% A Title\n  continued\n% Ann; Bob\n% July 17, 2006\n\nText.\n")
    assert values == {"title": "A Title continued", "author": ["Ann", "Bob"], "date": "July 17, 2006"}
    assert lines == {"title": 1, "author": 3, "date": 4}


def test_broken_front_matter_and_csl_json_are_reported_once_at_their_lines(tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: X\nlang: [en\n---\n\n# A\n", encoding="utf-8")
    (tmp_path / "edition.yaml").write_text(
        "files: [a.md]\nidentifier: urn:uuid:00000000-0000-4000-8000-000000000001\n", encoding="utf-8"
    )
    args, env = _command(tmp_path, tmp_path / "dist")
    proc = subprocess.run(args, env=env, capture_output=True, text=True, encoding="utf-8")
    assert proc.stderr.splitlines()[0].startswith("a.md:4: error YML001: front matter: invalid YAML")
    assert "CFG011" not in proc.stderr  # the title is there, in the block that could not be read
    (tmp_path / "a.md").write_text(
        "---\ntitle: X\nlang: en\nbibliography: refs.json\n---\n\nText [@a].\n", encoding="utf-8"
    )
    (tmp_path / "refs.json").write_text('[{"id": "a", "title": "T"},\n {"id": "b" "title": "U"}]\n', encoding="utf-8")
    proc = subprocess.run(args, env=env, capture_output=True, text=True, encoding="utf-8")
    assert (
        proc.stderr.splitlines()[0] == "refs.json:2: error BIB001: invalid CSL-JSON: Expecting ',' delimiter; "
        "fix the syntax there"
    )
    assert "BIB004" not in proc.stderr  # no citation can be checked against a file that cannot be read


def test_raw_html_becomes_xhtml_piece_by_piece():
    from editio.load.raw import _XhtmlWriter

    ids: set[str] = set()
    out = []
    for piece in (
        '<hr class=foo id="bar">',
        "<td>",
        "AT&T",
        "<br>",
        '<img src=x.png alt="a">',
        "</td>",
        '<hr id="bar">',
        "<script>alert(1)</script>",
        '<a href="#x" onclick="evil()">',
    ):
        writer = _XhtmlWriter(ids)
        writer.feed(piece)
        writer.close()
        out.append("".join(writer.out))
    assert out == [
        '<hr class="foo" id="bar" />',
        "<td>",
        "AT&amp;T",
        "<br />",
        '<img src="x.png" alt="a" />',
        "</td>",
        "<hr />",
        "",
        '<a href="#x">',
    ]


def test_heading_ids_unique_across_files_and_clear_of_the_writers_ids():
    from editio.ast import Header, Link, Para, Str
    from editio.load.identifiers import unique_heading_ids

    one = [Header(1, [Str("Introduction")], identifier="introduction")]
    two = [
        Header(1, [Str("Introduction")], identifier="introduction"),
        Para([Link([Str("back")], "#introduction")]),
        Header(1, [Str("Footnotes")], identifier="footnotes"),
    ]
    unique_heading_ids([one, two])
    assert [h["c"][1][0] for h in (one[0], two[0], two[2])] == ["introduction", "introduction-1", "footnotes-1"]
    assert two[1]["c"][0]["c"][2][0] == "#introduction-1"  # a link in the same file follows its heading

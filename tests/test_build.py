"""End to end: the command line builds every format, with checksums and a report, for any manuscript."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pypdf
import pytest
from conftest import MINI, run_build


def test_mini_builds_all_formats(mini_dist: Path):
    for name in ("mini.pdf", "mini.epub", "mini.html", "edition.css", "SHA256SUMS"):
        assert (mini_dist / name).is_file(), name
    assert not any(p.name.startswith(".stage-") for p in mini_dist.iterdir())


def test_checksums_match_files(mini_dist: Path):
    lines = (mini_dist / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert lines, "SHA256SUMS is empty"
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((mini_dist / name).read_bytes()).hexdigest() == digest, name


def test_report_lists_each_artefact(tmp_path: Path):
    proc = run_build(MINI / "manuscript", tmp_path / "dist", formats="html")
    assert proc.returncode == 0, proc.stderr
    assert "mini.html" in proc.stdout and "sha256" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1].startswith("built ")
    assert not (tmp_path / "dist" / "mini.pdf").exists()


def test_pdf_metadata_language_and_tags(mini_dist: Path):
    reader = pypdf.PdfReader(mini_dist / "mini.pdf")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "ru"
    assert "/StructTreeRoot" in root
    assert reader.metadata.title == "Малое тестовое издание"
    assert "И. И. Иванов" in reader.metadata.author
    assert reader.outline, "the PDF has no outline"
    for page in reader.pages:
        for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            descriptor = descriptor.get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]


def test_citations_resolved_in_every_format(mini_dist: Path):
    text = pypdf.PdfReader(mini_dist / "mini.pdf").pages
    pdf_text = "\n".join(p.extract_text() for p in text)
    html = (mini_dist / "mini.html").read_text(encoding="utf-8")
    with zipfile.ZipFile(mini_dist / "mini.epub") as epub:
        epub_text = "\n".join(epub.read(n).decode("utf-8") for n in epub.namelist() if n.endswith(".xhtml"))
    for name, body in (("pdf", pdf_text), ("html", html), ("epub", epub_text)):
        assert "???" not in body, name
        assert "[@" not in body, name
        assert "Пересов" in body and "Smith" in body, name


def test_epub_language_and_navigation(mini_dist: Path):
    with zipfile.ZipFile(mini_dist / "mini.epub") as epub:
        names = epub.namelist()
        assert names[0] == "mimetype"
        opf = epub.read("EPUB/content.opf").decode("utf-8")
        nav = epub.read("EPUB/nav.xhtml").decode("utf-8")
    assert "<dc:language>ru</dc:language>" in opf
    assert 'epub:type="toc"' in nav


@pytest.mark.parametrize("fmt", ["pdf", "epub", "html"])
def test_real_edition_builds(edition_dist: Path, fmt: str):
    produced = list(edition_dist.glob(f"*.{fmt}"))
    assert len(produced) == 1 and produced[0].stat().st_size > 10_000


def test_real_edition_has_no_unresolved_citations(edition_dist: Path):
    html = next(edition_dist.glob("*.html")).read_text(encoding="utf-8")
    pdf_text = "\n".join(p.extract_text() for p in pypdf.PdfReader(next(edition_dist.glob("*.pdf"))).pages)
    with zipfile.ZipFile(next(edition_dist.glob("*.epub"))) as epub:
        epub_text = "\n".join(epub.read(n).decode("utf-8") for n in epub.namelist() if n.endswith(".xhtml"))
    for name, body in (("pdf", pdf_text), ("html", html), ("epub", epub_text)):
        assert "???" not in body, name
        assert "[@" not in body, name
        assert "Литература" in body, name


def test_default_relative_out_folder(project_copy: Path):
    """The README's command: `--out dist` relative to the project, the way `nox -s build` runs it."""
    proc = run_build(Path("manuscript"), Path("dist"), cwd=project_copy, formats="pdf,epub,html")
    assert proc.returncode == 0, proc.stderr
    for name in ("mini.pdf", "mini.epub", "mini.html", "SHA256SUMS"):
        assert (project_copy / "dist" / name).is_file(), name

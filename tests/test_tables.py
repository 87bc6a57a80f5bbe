"""Tables: numbered captions in every format, a scrolling box of their own in EPUB (HTML gets it from its
writer), and a table wider than the page fitted to the text block in the PDF."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from helpers import ROOT, prepare, render

EN = {"lang": "en"}
TABLE = "| a | b |\n|---|---|\n| 1 | 2 |\n\n: Small numbers {#tbl:small}\n\nSee @tbl:small.\n"


def test_caption_is_numbered_in_every_format():
    edition = prepare(TABLE, EN)
    assert "caption: [Table~1. Small numbers]" in render(edition, "typst")
    for fmt in ("html", "epub"):
        assert '<caption><span class="caption-label">Table\u00a01</span>. Small numbers</caption>' in render(
            edition, fmt
        )


def test_epub_tables_scroll_in_their_own_box():
    epub = render(prepare(TABLE, EN), "epub")
    assert re.search(r'<div class="table-scroll" tabindex="0">\s*<table id="tbl:small"', epub)
    assert "table-scroll" not in render(prepare(TABLE, EN), "html")  # the HTML writer adds it to the page


def test_unlabelled_table_keeps_its_caption_unnumbered():
    typst = render(prepare("| a |\n|---|\n| 1 |\n\n: Plain caption\n", EN), "typst")
    assert "caption: [Plain caption]" in typst


@pytest.fixture(scope="module")
def gallery_pdf(tmp_path_factory):
    from editio.build import build

    project = tmp_path_factory.mktemp("tables") / "features"
    shutil.copytree(ROOT / "tests/fixtures/gallery/features", project)
    os.environ.setdefault("EDITIO_JOBS", "1")
    build(project, project.parent / "dist", ("pdf",), root=project)
    return project.parent / "dist" / "features.pdf"


def test_wide_table_stays_inside_the_text_block(gallery_pdf):
    """Every word of the page with the wide table lies inside the page's margins (pdftotext -bbox)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    xhtml = subprocess.run(["pdftotext", "-bbox", str(gallery_pdf), "-"], capture_output=True, text=True).stdout
    pages = xhtml.split("<page ")[1:]
    [page] = [p for p in pages if "Berlin" in p]
    width = float(re.search(r'width="([\d.]+)"', page).group(1))
    right = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', page))
    left = min(float(x) for x in re.findall(r'xMin="([\d.]+)"', page))
    assert left > 30 and right < width - 30, (left, right, width)

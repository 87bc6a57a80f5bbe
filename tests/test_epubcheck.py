"""epubcheck 5 (Java) reports no error and no warning for the EPUBs we build: both books in one JVM."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import epubcheck


@pytest.fixture(scope="module")
def reports(mini_dist: Path, edition_dist: Path) -> dict[Path, list[str]]:
    return epubcheck(mini_dist / "mini.epub", *edition_dist.glob("*.epub"))


def test_mini_epub_passes_epubcheck(reports, mini_dist: Path):
    assert reports[mini_dist / "mini.epub"] == []


def test_edition_epub_passes_epubcheck(reports, edition_dist: Path):
    (epub,) = edition_dist.glob("*.epub")
    assert reports[epub] == []


def test_epubcheck_finds_a_broken_book(tmp_path: Path, mini_dist: Path):
    """The harness itself: a book with a dangling link must not pass."""
    import zipfile

    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(mini_dist / "mini.epub") as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith(".xhtml"):
                data = data.replace(b"</body>", b'<p><a href="nowhere.xhtml">x</a></p></body>', 1)
            compress = zipfile.ZIP_STORED if item.filename == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(item, data, compress_type=compress)
    assert epubcheck(broken)[broken] != []

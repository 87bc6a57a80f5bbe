"""epubcheck 5 (Java) reports no error and no warning for the EPUBs we build (all books of the session are checked
in one JVM: conftest.epubcheck_reports)."""

from __future__ import annotations


def test_mini_epub_passes_epubcheck(epubcheck_reports):
    assert epubcheck_reports["mini"] == []


def test_edition_epub_passes_epubcheck(epubcheck_reports):
    assert epubcheck_reports["edition"] == []


def test_epubcheck_finds_a_broken_book(epubcheck_reports):
    """The harness itself: a book with a dangling link must not pass."""
    assert epubcheck_reports["broken"] != []

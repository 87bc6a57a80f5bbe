"""Front, body and back matter: the ``epub:type`` of each content document's body, and section types by id.

pandoc marks every chapter file ``bodymatter`` unless its first heading carries a front- or back-matter
``epub:type``, which the manuscript's headings do not. :func:`matter` classifies each content document by its
first section:

* front matter: a section whose ``epub:type`` (or id, when the id is an EPUB structural term such as
  ``preface``) is a front-matter term;
* back matter: a back-matter term, or a block a built-in filter writes (``BACK_MATTER_CLASSES``: the glossary,
  the name index, the chronology, the emendations list, the colophon, the editorial notes, the bibliography);
  once the back matter begins, every later document belongs to it.

A section whose id is such a term and which has no ``epub:type`` gets it (``#preface`` → ``preface``,
``#bibliography`` → ``bibliography``, ``#colophon`` → ``colophon``), so the accessibility step adds the
matching ARIA role and the landmarks. Terms: EPUB 3 Structural Semantics Vocabulary,
https://www.w3.org/TR/epub-ssv-11/ (sections "Document partitions" and "Document divisions").
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .epub_xhtml import EPUB_TYPE, Book, add_epub_type, classes, epub_types, local

FRONT_MATTER_TYPES = frozenset(
    {
        "titlepage",
        "halftitlepage",
        "seriespage",
        "frontispiece",
        "abstract",
        "copyright-page",
        "dedication",
        "epigraph",
        "foreword",
        "preface",
        "prologue",
        "acknowledgments",
        "imprint",
        "imprimatur",
        "contributors",
        "other-credits",
        "errata",
        "revision-history",
        "toc",
        "landmarks",
        "loi",
        "lot",
        "loa",
        "lov",
    }
)
BACK_MATTER_TYPES = frozenset(
    {"appendix", "afterword", "colophon", "glossary", "bibliography", "index", "endnotes", "rearnotes"}
)
# Section ids taken as structural terms: those a reader would put on the heading of such a section.
ID_TYPES = frozenset(
    {
        "preface",
        "foreword",
        "prologue",
        "dedication",
        "epigraph",
        "acknowledgments",
        "abstract",
        "appendix",
        "afterword",
        "colophon",
        "glossary",
        "bibliography",
        "index",
        "errata",
    }
)
BACK_MATTER_CLASSES = frozenset(
    {"glossary", "name-index", "chronology", "emendations", "colophon", "editorial-notes", "references", "csl-bib-body"}
)


def _top_sections(body: ET.Element) -> list[ET.Element]:
    return [child for child in body if local(child) == "section"]


def _kind(body: ET.Element, back_classes: frozenset[str]) -> str | None:
    """'frontmatter', 'backmatter' or None (body matter) for one document, typing sections by id on the way."""
    kinds = []
    for section in _top_sections(body):
        if not section.get(EPUB_TYPE) and section.get("id") in ID_TYPES:
            add_epub_type(section, section.get("id"))
        types = set(epub_types(section))
        marks = set(classes(section)).union(*(classes(child) for child in section))
        if types & FRONT_MATTER_TYPES:
            kinds.append("frontmatter")
        elif types & BACK_MATTER_TYPES or marks & back_classes:
            kinds.append("backmatter")
        else:
            kinds.append(None)
    if kinds and all(k == "frontmatter" for k in kinds):
        return "frontmatter"
    if kinds and kinds[0] == "backmatter":
        return "backmatter"
    return None


def matter(book: Book, back_classes: frozenset[str] = BACK_MATTER_CLASSES) -> dict[str, str]:
    """Set each content document's body ``epub:type``; returns {document: frontmatter|bodymatter|backmatter}."""
    result: dict[str, str] = {}
    in_back = False
    for name in book.spine:
        body = book.document(name).body
        current = epub_types(body)
        if "frontmatter" in current and not in_back:  # pandoc's title page
            result[name] = "frontmatter"
            continue
        if not any(t in current for t in ("frontmatter", "bodymatter", "backmatter")):
            continue  # the navigation document
        kind = _kind(body, back_classes)
        in_back = in_back or kind == "backmatter"
        kind = "backmatter" if in_back else (kind or "bodymatter")
        others = [t for t in current if t not in ("frontmatter", "bodymatter", "backmatter")]
        new = " ".join([kind, *others])
        if body.get(EPUB_TYPE) != new:
            body.set(EPUB_TYPE, new)
        book.touch(name)  # section types by id may have changed too
        result[name] = kind
    return result


def add_matter(epub: bytes, back_classes: frozenset[str] = BACK_MATTER_CLASSES) -> bytes:
    """The EPUB with front, body and back matter marked (see the module docstring)."""
    book = Book(epub)
    matter(book, back_classes)
    return book.bytes()

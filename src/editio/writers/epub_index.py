"""EPUB Indexes 1.0 (https://idpf.org/epub/idx/): the package names the content documents that hold an index.

The EPUB lowering (:mod:`editio.lower.epub`) writes the name index with the EPUB Indexes content model
(``section`` of ``epub:type="index"``, ``index-group``, ``index-entry-list``, ``index-entry`` with its
``index-term`` and ``index-locator`` links, ``index-xref-preferred`` for «see» entries); which chapter file
the index lands in is known only after pandoc has split the book, so the manifest property ``index`` that
EPUB Indexes 2.3.2 requires on that document is added here.
"""

from __future__ import annotations

import re
from posixpath import dirname, join, normpath

from .epub_xhtml import Book, epub_types

_ITEM = re.compile(r"<item\b[^>]*/>")


def index_semantics(book: Book) -> list[str]:
    """Declare every spine document holding an element of ``epub:type="index"``; returns their names."""
    holding = [name for name in book.spine if any("index" in epub_types(e) for e in book.document(name).root.iter())]
    if holding:
        _declare(book, holding)
    return holding


def _declare(book: Book, names: list[str]) -> None:
    """The manifest property ``index`` on every content document that holds an index (EPUB Indexes 2.3.2)."""
    package = book.files[book.opf].decode("utf-8")
    for item in _ITEM.findall(package):
        href = re.search(r'\bhref="([^"]+)"', item)
        if not href or normpath(join(dirname(book.opf), href.group(1))) not in names:
            continue
        found = re.search(r'\bproperties="([^"]*)"', item)
        if found and "index" in found.group(1).split():
            continue
        new = (
            item.replace(found.group(0), f'properties="{found.group(1)} index"')
            if found
            else item[:-2].rstrip() + ' properties="index" />'
        )
        package = package.replace(item, new, 1)
    book.files[book.opf] = package.encode("utf-8")
    book.changed.add(book.opf)


def add_index_semantics(epub: bytes) -> bytes:
    """The EPUB with every document that holds an index declared in the package (unchanged without one)."""
    book = Book(epub)
    index_semantics(book)
    return book.bytes()

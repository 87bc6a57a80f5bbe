"""Heading ids that stay unique once the manuscript's files are joined, and never take an id the writers make.

pandoc names each heading after its text, file by file: two chapter files with an «Introduction» both get
``introduction``, and a heading «Footnotes» gets ``footnotes``, the id of the notes section pandoc's HTML
writer adds. A later duplicate becomes ``introduction-1`` (pandoc's own scheme), a reserved id gets a suffix
the same way, and links inside the same file follow their heading.
"""

from __future__ import annotations

import re

from ..ast import iter_nodes

# Ids the writers and editio's own sections use (pandoc's notes, bibliography, contents, title block, EPUB
# navigation; editio's abstract, citation, notes and matter).
RESERVED = frozenset(
    (
        "footnotes",
        "footnotes-title",
        "refs",
        "toc",
        "TOC",
        "landmarks",
        "page-list",
        "title-block-header",
        "title-block",
        "list-of-figures-title",
        "list-of-tables-title",
        "abstract",
        "abstract-title",
        "abstract-en",
        "abstract-en-title",
        "cite-as",
        "cite-as-title",
        "editio-notes-title",
        "cover",
        "cover-image",
        "note",
        "emendations",
        "editorial-notes",
    )
)
_GENERATED = re.compile(r"(fn|fnref|ref-)\d+\Z")


def unique_heading_ids(files: list[list[dict]]) -> None:
    """Rename, in place, every heading id that an earlier file already used or that is reserved; links in
    the heading's own file that pointed at the old id follow it."""
    taken: set[str] = set()
    for blocks in files:
        renamed: dict[str, str] = {}
        for node in iter_nodes(blocks, ("Header",)):
            ident = node["c"][1][0]
            if not ident:
                continue
            if ident in taken or ident in RESERVED or _GENERATED.match(ident):
                new = _free(ident, taken)
                renamed.setdefault(ident, new)
                node["c"][1][0] = new
                ident = new
            taken.add(ident)
        if renamed:
            for link in iter_nodes(blocks, ("Link",)):
                target = link["c"][2][0]
                if target.startswith("#") and target[1:] in renamed:
                    link["c"][2][0] = "#" + renamed[target[1:]]


def _free(ident: str, taken: set[str]) -> str:
    number = 1
    while f"{ident}-{number}" in taken or f"{ident}-{number}" in RESERVED:
        number += 1
    return f"{ident}-{number}"

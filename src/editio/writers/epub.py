"""EPUB 3: pandoc's writer with a fixed identifier and SOURCE_DATE_EPOCH, so the bytes repeat.

pandoc writes the chapters with ``templates/epub-template.xhtml`` (its epub3 template with the edition's
title page and abstracts, see :mod:`.epub_frontmatter`). After pandoc, each post-processor in
``POST_PROCESSORS`` takes the EPUB bytes and the AST and returns new bytes (pandoc's writer has no page list,
for example); they run in list order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from ..load.pandoc import write
from .epub_a11y import add_conformance, add_landmarks, add_matching_roles
from .epub_frontmatter import TEMPLATE, labels, package_metadata, template_variables
from .epub_glossary import add_glossary, keys_from_ast
from .epub_index import index_semantics
from .epub_matter import matter
from .epub_notes import note_semantics
from .epub_pagelist import add_page_list, find_page_breaks
from .epub_xhtml import Book

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _meta_text(ast: dict, key: str) -> str | None:
    """The plain text of a metadata field (MetaString or MetaInlines), or None."""
    value = ast.get("meta", {}).get(key)
    if value is None:
        return None
    words: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("t") in ("Str", "MetaString"):
                words.append(node["c"])
            elif node.get("t") in ("Space", "SoftBreak"):
                words.append(" ")
            else:
                walk(node.get("c"))
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(value)
    return "".join(words).strip() or None


def page_list(epub: bytes, ast: dict) -> bytes:
    """The page list of the original pagination, with the printed source named in the OPF."""
    return add_page_list(epub, find_page_breaks(epub), _meta_text(ast, "original-statement"))


def glossary(epub: bytes, ast: dict) -> bytes:
    """The glossary declared per EPUB Dictionaries and Glossaries (no change without a glossary)."""
    return add_glossary(epub, keys_from_ast(ast), _meta_text(ast, "lang") or "und")


def structure(epub: bytes, ast: dict) -> bytes:
    """Numbered pop-up notes with back-links, EPUB Indexes markup for the name index, front/body/back matter."""
    book = Book(epub)
    note_semantics(book, labels(_meta_text(ast, "lang") or "und")["note-backlink"])
    index_semantics(book)
    matter(book)
    return book.bytes()


def accessibility(epub: bytes, ast: dict) -> bytes:
    """ARIA roles for epub:type, landmarks in the book's language, and the edition's conformance claim."""
    epub = add_landmarks(add_matching_roles(epub), _meta_text(ast, "lang") or "und")
    return add_conformance(epub, _meta_text(ast, "accessibility-conformance"),
                           _meta_text(ast, "accessibility-certified-by"))


# structure before accessibility: the roles and landmarks follow the section types structure sets.
POST_PROCESSORS: list[Callable[[bytes, dict], bytes]] = [page_list, glossary, structure, accessibility]


def write_epub(ast: dict, stage: Path, name: str, epoch: int) -> Path:
    target = stage / f"{name}.epub"
    write(package_metadata(ast), "epub3",
          ["-o", str(target), "--toc", "--toc-depth=2", "--split-level=1", f"--css={TEMPLATES / 'epub.css'}",
           "--epub-title-page=true", "--wrap=none", "--mathml", f"--template={TEMPLATE}",
           *template_variables(_meta_text(ast, "lang") or "und")],
          "EPUB writer", cwd=stage, env={"SOURCE_DATE_EPOCH": str(epoch)})
    data = target.read_bytes()
    for post_process in POST_PROCESSORS:
        data = post_process(data, ast)
    target.write_bytes(data)
    return target

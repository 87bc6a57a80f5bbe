"""EPUB 3: pandoc's writer with a fixed identifier and SOURCE_DATE_EPOCH, so the bytes repeat.

pandoc writes the chapters with ``templates/epub-template.xhtml`` (its epub3 template with the edition's
title page and abstracts, see :mod:`.epub_frontmatter`). After pandoc, each post-processor in
``POST_PROCESSORS`` takes the EPUB bytes, the AST and the message catalogue and returns new bytes (pandoc's writer
has no page list, for example); they run in list order.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..ast import iter_nodes
from ..i18n import catalogue
from ..load.pandoc import write
from ..sanitize import sanitize_fragment, sanitize_xhtml
from .epub_a11y import add_conformance, add_landmarks, add_matching_roles
from .epub_frontmatter import TEMPLATE, labels, package_metadata, template_variables
from .epub_glossary import add_glossary, keys_from_ast
from .epub_index import index_semantics
from .epub_matter import matter
from .epub_notes import note_semantics
from .epub_pagelist import _zip, add_page_list, add_resource, find_page_breaks
from .epub_xhtml import Book

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FONTS = Path(__file__).resolve().parent.parent / "fonts"
# The book's face, as in the HTML edition (epub.css declares them); their licence travels with them.
FONT_FACES = ("LibertinusSerif-Regular.woff2", "LibertinusSerif-Italic.woff2", "LibertinusSerif-Semibold.woff2")


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


def page_list(epub: bytes, ast: dict, messages) -> bytes:
    """The page list of the original pagination, with the printed source named in the OPF."""
    return add_page_list(
        epub, find_page_breaks(epub), messages.text("page-list-title"), _meta_text(ast, "original-statement")
    )


def glossary(epub: bytes, ast: dict, messages) -> bytes:
    """The glossary declared per EPUB Dictionaries and Glossaries (no change without a glossary)."""
    return add_glossary(epub, keys_from_ast(ast), _meta_text(ast, "lang") or "und")


def structure(epub: bytes, ast: dict, messages) -> bytes:
    """Numbered pop-up notes with back-links, EPUB Indexes markup for the name index, front/body/back matter."""
    book = Book(epub)
    note_semantics(book, labels(messages)["note-backlink"])
    index_semantics(book)
    matter(book)
    return book.bytes()


def accessibility(epub: bytes, ast: dict, messages) -> bytes:
    """ARIA roles for epub:type, landmarks in the book's language, and the edition's conformance claim."""
    epub = add_landmarks(add_matching_roles(epub), messages)
    return add_conformance(
        epub, _meta_text(ast, "accessibility-conformance"), _meta_text(ast, "accessibility-certified-by")
    )


# structure before accessibility: the roles and landmarks follow the section types structure sets.
def font_licence(epub: bytes, ast: dict, messages) -> bytes:
    """The embedded fonts' licence (SIL OFL 1.1 asks that it travel with every copy) beside them."""
    return add_resource(epub, "fonts/OFL.txt", (FONTS / "OFL.txt").read_bytes(), "text/plain")


POST_PROCESSORS: list[Callable[[bytes, dict, Any], bytes]] = [
    page_list,
    glossary,
    structure,
    accessibility,
    font_licence,
]


def write_epub(ast: dict, stage: Path, name: str, epoch: int, messages=None) -> Path:
    """Write ``<name>.epub`` into ``stage``; ``messages`` is the edition's catalogue (by default the one for the
    document's ``lang``, without the edition's overrides)."""
    if messages is None:
        messages = catalogue(_meta_text(ast, "lang") or "en")
    target = stage / f"{name}.epub"
    allow_style = bool(ast.get("meta", {}).get("allow-style", {}).get("c"))
    confine_markup(ast, allow_style)
    write(
        package_metadata(ast),
        "epub3",
        [
            "-o",
            str(target),
            "--toc",
            "--toc-depth=2",
            "--split-level=1",
            f"--css={TEMPLATES / 'epub.css'}",
            "--epub-title-page=true",
            "--wrap=none",
            "--mathml",
            f"--template={TEMPLATE}",
            *(f"--epub-embed-font={FONTS / face}" for face in FONT_FACES),
            *template_variables(messages),
        ],
        "EPUB writer",
        cwd=stage,
        env={"SOURCE_DATE_EPOCH": str(epoch)},
    )
    data = target.read_bytes()
    for post_process in POST_PROCESSORS:
        data = post_process(data, ast, messages)
    target.write_bytes(sanitized(data, allow_style=allow_style))
    return target


# Entries a reading system parses as markup (and could run script from): content documents, the navigation
# document, SVG images. Every one passes the allowlist sanitiser, after every post-processor.
MARKUP_SUFFIXES = (".xhtml", ".html", ".htm", ".svg")


def confine_markup(ast: dict, allow_style: bool = False) -> None:
    """What pandoc's EPUB writer would act on before the content documents are sanitised: raw HTML (allow-raw)
    through :func:`editio.sanitize.sanitize_fragment` (the writer fetches and embeds whatever an ``<img src>``
    names: ``http://``, ``file://``, ``/etc/passwd``, ``../../x``), and attribute names that are not XML names
    (``{xlink:href=…}`` would be an unbound prefix: a content document no XML parser reads) dropped."""
    for node in iter_nodes(ast["blocks"], ("RawBlock", "RawInline")):
        if node["c"][0] in ("html", "html5", "html4"):
            node["c"][1] = sanitize_fragment(node["c"][1], allow_style=allow_style)
    for node in iter_nodes(ast["blocks"], _WITH_ATTRIBUTES):
        attr = node["c"][1] if node["t"] == "Header" else node["c"][0]
        attr[2] = [[key, value] for key, value in attr[2] if _XML_NAME.fullmatch(key) or key in PREFIXED_OK]


_WITH_ATTRIBUTES = ("Span", "Div", "Header", "Code", "CodeBlock", "Link", "Image", "Table", "Figure")
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
PREFIXED_OK = ("epub:type", "xml:lang")


def sanitized(epub: bytes, allow_style: bool = False) -> bytes:
    """``epub`` with each markup entry through :func:`editio.sanitize.sanitize_xhtml` (no script, no event
    handler, no outside or script URL); the same bytes when nothing needed a change."""
    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        infos = archive.infolist()
        files = {info.filename: archive.read(info) for info in infos}
    changed = False
    for name, data in files.items():
        if name.lower().endswith(MARKUP_SUFFIXES):
            text = data.decode("utf-8")
            clean = sanitize_xhtml(text, allow_style=allow_style)
            if clean != text:
                files[name] = clean.encode("utf-8")
                changed = True
    return _zip(infos, files) if changed else epub

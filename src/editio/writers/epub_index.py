"""EPUB Indexes 1.0 for the name index: index, groups, entries, terms, locators and cross-references.

The name-index filter writes a ``<div class="name-index">`` holding an optional head note (a paragraph in
italics), a letter per group (a paragraph holding only a bold letter), one ``<div id="person-…">`` per entry
(heading, details, ``—`` and a link per place in the text) and «see» paragraphs (a variant, the word «see» in
italics and a link to the main entry). :func:`add_index_semantics` rewrites that block as the EPUB Indexes
content model (https://idpf.org/epub/idx/, checked by epubcheck's ``idx-xhtml.sch``)::

    <section class="name-index" id="…" epub:type="index" role="doc-index">
      <header epub:type="index-headnotes">…</header>
      <section epub:type="index-group"><h2>А</h2>
        <ul epub:type="index-entry-list">
          <li epub:type="index-entry" id="person-…"><span epub:type="index-term">Лора Г.</span> (…) —
            <a epub:type="index-locator" href="…">12</a></li>
          <li epub:type="index-entry"><span epub:type="index-term">Моллер</span>
            <span epub:type="index-xref-preferred"><em>см.</em>
              <a epub:type="index-term" href="#…">Мольер Э.</a></span></li>

and declares the content document with the manifest property ``index``. The chapter heading stays outside the
index section, so the document keeps its ``backmatter`` body. The term is the element marked ``index-term``
(class) when the filter marks it, else the entry's text up to its first «(», «,», «;» or dash.
"""

from __future__ import annotations

import re
from typing import Callable
import xml.etree.ElementTree as ET
from posixpath import dirname, join, normpath

from .epub_xhtml import Book, add_epub_type, classes, local, text_of

_TERM_END = re.compile(r"\s\(|,\s|;\s|[\s\u00a0][—–]")
_ITEM = re.compile(r"<item\b[^>]*/>")


def _children_as(target: ET.Element, source: ET.Element) -> None:
    """Move the inline content of ``source`` (a paragraph) into ``target``."""
    target.text = source.text
    for child in list(source):
        target.append(child)


def _mark_term(entry: ET.Element) -> None:
    """Mark the entry's term: an element with class ``index-term``, else the leading text up to the details."""
    for element in entry.iter():
        if "index-term" in classes(element):
            add_epub_type(element, "index-term")
            return
    text = entry.text or ""
    end = _TERM_END.search(text)
    head, rest = (text[:end.start()], text[end.start():]) if end else (text.rstrip(), text[len(text.rstrip()):])
    if not head.strip():
        raise ValueError(f"index entry without a term: {text_of(entry)[:60]!r}")
    term = ET.Element("span")
    add_epub_type(term, "index-term")
    term.text, term.tail = head, rest
    entry.text = None
    entry.insert(0, term)


def _entry(paragraph: ET.Element, ident: str | None, within: Callable[[str], bool]) -> ET.Element:
    """An ``index-entry`` li from an entry paragraph; links inside the index are «see» cross-references."""
    entry = ET.Element("li")
    add_epub_type(entry, "index-entry")
    if ident:
        entry.set("id", ident)
    _children_as(entry, paragraph)
    entry.tail = "\n"
    for position, link in enumerate(list(entry)):
        if local(link) != "a":
            continue
        if within(link.get("href", "")):
            # «Моллер *см.* Мольер Э.»: the «see» word and the link form the preferred cross-reference.
            xref = ET.Element("span")
            add_epub_type(xref, "index-xref-preferred")
            start = position
            while start > 0 and local(entry[start - 1]) in ("em", "i") and not (entry[start - 1].tail or "").strip():
                start -= 1
            moved = list(entry)[start:position + 1]
            xref.text = None
            for element in moved:
                entry.remove(element)
                xref.append(element)
            xref.tail, link.tail = link.tail, None
            add_epub_type(link, "index-term")
            entry.insert(start, xref)
            break
        add_epub_type(link, "index-locator")
    _mark_term(entry)
    return entry


def _is_letter(paragraph: ET.Element) -> bool:
    return (local(paragraph) == "p" and len(paragraph) == 1 and local(paragraph[0]) in ("strong", "b")
            and not (paragraph.text or "").strip() and not (paragraph[0].tail or "").strip())


def _is_head_note(paragraph: ET.Element) -> bool:
    return (local(paragraph) == "p" and len(paragraph) == 1 and local(paragraph[0]) in ("em", "i")
            and not (paragraph.text or "").strip() and not (paragraph[0].tail or "").strip())


def index_section(block: ET.Element, fallback_id: str, heading_level: int = 2,
                  resolve: Callable[[str], tuple[str, str]] = lambda href: ("", href.partition("#")[2])) -> None:
    """Rewrite the filter's index block (in place) as an EPUB Indexes ``index`` section.

    ``resolve`` maps a link to (document, fragment), the document being ``""`` for this one; a link to an
    entry of the same index is a «see» cross-reference, any other link a locator.
    """
    index_ids = {e.get("id") for e in block.iter() if e.get("id")}
    here = resolve("#")[0]

    def within(href: str) -> bool:
        document, fragment = resolve(href)
        return document == here and fragment in index_ids
    children = list(block)
    for child in children:
        block.remove(child)
    block.tag = "section"
    add_epub_type(block, "index")
    block.set("role", "doc-index")
    if not block.get("id"):
        block.set("id", fallback_id)
    block.text = "\n"
    entries: ET.Element | None = None
    for position, child in enumerate(children):
        if position == 0 and _is_head_note(child):
            header = ET.SubElement(block, "header")
            add_epub_type(header, "index-headnotes")
            header.text, child.tail = "\n", "\n"
            header.append(child)
            header.tail = "\n"
        elif _is_letter(child):
            group = ET.SubElement(block, "section")
            add_epub_type(group, "index-group")
            heading = ET.SubElement(group, f"h{heading_level}")
            heading.text = text_of(child).strip()
            entries = ET.SubElement(group, "ul")
            add_epub_type(entries, "index-entry-list")
            group.text = heading.tail = entries.text = group.tail = "\n"
        else:
            if entries is None:  # entries before any letter: one group-less list
                entries = ET.SubElement(block, "ul")
                add_epub_type(entries, "index-entry-list")
                entries.text = entries.tail = "\n"
            if local(child) == "p":
                entries.append(_entry(child, None, within))
            elif local(child) == "div" and len(child) and local(child[0]) == "p":
                entries.append(_entry(child[0], child.get("id"), within))
            else:
                raise ValueError(f"unexpected <{local(child)}> in the index block")
    if entries is None:
        raise ValueError("index block without entries")


def index_semantics(book: Book, index_class: str = "name-index") -> list[str]:
    """Every block with class ``index_class`` becomes an EPUB index; returns the documents holding one."""
    holding: list[str] = []
    for name in book.spine:
        document = book.document(name)
        blocks = [e for e in document.root.iter("div") if index_class in classes(e)]
        if not blocks:
            continue
        parents = document.parents()
        for number, block in enumerate(blocks, start=1):
            section = parents.get(block)
            level = next((int(local(e)[1]) for e in (section if section is not None else [])
                          if re.fullmatch(r"h[1-5]", local(e))), 1)
            base = (section.get("id") if section is not None else None) or index_class
            index_section(block, f"{base}-entries" if number == 1 else f"{base}-entries-{number}", level + 1,
                          lambda href, name=name: book.resolve(name, href))
        book.touch(name)
        holding.append(name)
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
        new = (item.replace(found.group(0), f'properties="{found.group(1)} index"') if found
               else item[:-2].rstrip() + ' properties="index" />')
        package = package.replace(item, new, 1)
    book.files[book.opf] = package.encode("utf-8")
    book.changed.add(book.opf)


def add_index_semantics(epub: bytes, index_class: str = "name-index") -> bytes:
    """The EPUB with its name index marked up per EPUB Indexes 1.0 (unchanged without an index block)."""
    book = Book(epub)
    index_semantics(book, index_class)
    return book.bytes()

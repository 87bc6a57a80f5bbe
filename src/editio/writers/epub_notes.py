"""Notes a reading system can pop up: every note reference and every note it points to get EPUB note semantics.

pandoc 3.9 writes the author's notes as ``<aside epub:type="footnote">`` at the end of each chapter file but
without their number or a way back; the editorial-notes filter writes lettered notes as ``<div class="ednote">``
in a back-matter chapter, referenced by ``<a role="doc-noteref"><sup>а</sup></a>``. :func:`add_note_semantics`
gives every reference (``epub:type="noteref"`` or ``role="doc-noteref"``) and its note the same markup:

* the reference: ``<a epub:type="noteref" role="doc-noteref" href="…#note" id="…">N</a>``, its label as plain
  text (Apple Books opens no pop-up for a reference with markup inside the link);
* the note: ``<aside epub:type="footnote" role="doc-footnote" id="note">`` opening with its label as the
  back-link, ``<a role="doc-backlink" class="note-label" href="…#ref">N</a>`` — the number at the start rather
  than an arrow at the end, as pandoc 3.1–3.8 and the DAISY Knowledge Base do (readers that pop up a note
  show the number; Kindle's converter runs notes together when the back-link ends them). A label the note
  already starts with in bold («**а)**») and a back-link it already ends with are replaced by that one link.

A reference without its note is a bug in the pipeline, not the reader's problem: :class:`ValueError`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .epub_xhtml import EPUB_TYPE, Book, add_epub_type, classes, epub_types, local, text_of

_LABEL_PUNCTUATION = " \u00a0).:"


def _is_noteref(element: ET.Element) -> bool:
    return local(element) == "a" and ("noteref" in epub_types(element) or element.get("role") == "doc-noteref")


def _plain_reference(reference: ET.Element) -> str:
    """The reference's label as its only content (``<sup>а</sup>`` → ``а``)."""
    label = text_of(reference).strip()
    for child in list(reference):
        reference.remove(child)
    reference.text = label
    add_epub_type(reference, "noteref")
    reference.set("role", "doc-noteref")
    return label


def _drop(parent: ET.Element, child: ET.Element, strip_before: bool) -> None:
    """Remove ``child`` keeping its tail; ``strip_before`` trims the white space left in front of it."""
    index = list(parent).index(child)
    tail = child.tail or ""
    if index == 0:
        before = parent.text or ""
        parent.text = (before.rstrip() if strip_before else before) + tail
    else:
        previous = parent[index - 1]
        before = previous.tail or ""
        previous.tail = (before.rstrip() if strip_before else before) + tail
    parent.remove(child)


def _old_backlinks(note: ET.Element, book: Book, note_doc: str, ref_doc: str, ref_id: str) -> None:
    parents = {child: parent for parent in note.iter() for child in parent}
    for link in list(note.iter("a")):
        if link.get("role") == "doc-backlink" and book.resolve(note_doc, link.get("href", "")) == (ref_doc, ref_id):
            _drop(parents[link], link, strip_before=True)


def _old_label(first: ET.Element, label: str) -> None:
    """A bold label at the very start of the note's first paragraph («**а)** text») goes: the link replaces it."""
    if (
        len(first)
        and not (first.text or "").strip()
        and local(first[0]) in ("strong", "b")
        and text_of(first[0]).strip(_LABEL_PUNCTUATION) == label
    ):
        first.text = None
        tail = (first[0].tail or "").lstrip()
        first.remove(first[0])
        first.text = tail


def _as_footnote(note: ET.Element) -> None:
    if local(note) != "aside":  # a div, a li or a p is a note only by its class; aside is what readers pop up
        note.tag = "aside"
    types = [t for t in epub_types(note) if t not in ("note", "endnote", "rearnote", "footnote")]
    note.set(EPUB_TYPE, " ".join(["footnote", *types]))
    note.set("role", "doc-footnote")


def _numbered(note: ET.Element, label: str, href: str, title: str | None) -> None:
    link = ET.Element("a", {"href": href, "role": "doc-backlink", "class": "note-label"})
    if title:
        link.set("title", title)
    link.text = label
    first = note[0] if len(note) else None
    if first is not None and local(first) == "p" and not (note.text or "").strip():
        link.tail = " " + (first.text or "").lstrip() if (first.text or len(first)) else None
        first.text = None
        first.insert(0, link)
    else:  # a note opening with a list or a quotation: the label stands on its own line
        paragraph = ET.Element("p", {"class": "note-label-line"})
        paragraph.append(link)
        paragraph.tail = note.text or "\n"
        note.text = "\n"
        note.insert(0, paragraph)


def note_semantics(book: Book, backlink_title: str | None = None) -> int:
    """Give every note reference in ``book`` and its note the markup above; returns the number of notes."""
    targets: dict[tuple[str, str], tuple[str, str, str]] = {}  # (note doc, id) → (ref doc, ref id, label)
    for name in book.spine:
        document = book.document(name)
        for position, reference in enumerate(e for e in document.root.iter() if _is_noteref(e)):
            label = _plain_reference(reference)
            note_doc, note_id = book.resolve(name, reference.get("href", ""))
            if not reference.get("id"):
                reference.set("id", f"noteref-{note_id or position}")
            targets.setdefault((note_doc, note_id), (name, reference.get("id"), label))
            book.touch(name)
    for (note_doc, note_id), (ref_doc, ref_id, label) in targets.items():
        if note_doc not in book.files or not note_doc.endswith(".xhtml"):
            raise ValueError(f"note reference #{ref_id} in {ref_doc} points outside the book: {note_doc}#{note_id}")
        note = book.document(note_doc).by_id().get(note_id)
        if note is None:
            raise ValueError(f"note reference #{ref_id} in {ref_doc} points to a missing note {note_doc}#{note_id}")
        first = note.find("p")
        already = (
            first is not None
            and len(first)
            and first[0].get("role") == "doc-backlink"
            and "note-label" in classes(first[0])
        )
        _as_footnote(note)
        if not already:
            _old_backlinks(note, book, note_doc, ref_doc, ref_id)
            if first is not None and note[0] is first:
                _old_label(first, label)
            _numbered(note, label, book.href(note_doc, ref_doc, ref_id), backlink_title)
        book.touch(note_doc)
    return len(targets)


def add_note_semantics(epub: bytes, backlink_title: str | None = None) -> bytes:
    """The EPUB with numbered, back-linked, pop-up-able notes (see the module docstring)."""
    book = Book(epub)
    note_semantics(book, backlink_title)
    return book.bytes()

"""Read, change and re-zip the XHTML content documents of a finished EPUB, with the standard library only.

The EPUB post-processors that restructure markup (notes, index, front and back matter) parse a content
document with :mod:`xml.etree.ElementTree`, change the tree and write it back with the document's own
prolog (XML declaration and DOCTYPE) and XHTML's empty elements as ``<br />``; the book is re-zipped
deterministically by :func:`editio.writers.epub_pagelist._zip`.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from posixpath import dirname, join, normpath, relpath

from .epub_pagelist import _opf_path, _spine_order, _zip

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
XML = "http://www.w3.org/XML/1998/namespace"
EPUB_TYPE = f"{{{OPS}}}type"
XML_LANG = f"{{{XML}}}lang"
ET.register_namespace("epub", OPS)  # the canonical prefix; ElementTree would otherwise write ns0:type

_VOID = ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr")
_VOID_PAIR = re.compile(r"<(" + "|".join(_VOID) + r")\b([^>]*)></\1>")
_ROOT = re.compile(r"<html\b")


def local(element: ET.Element) -> str:
    """The element's name without its namespace (XHTML elements carry none once parsed)."""
    return element.tag.rpartition("}")[2]


def epub_types(element: ET.Element) -> list[str]:
    return element.get(EPUB_TYPE, "").split()


def add_epub_type(element: ET.Element, kind: str) -> None:
    types = epub_types(element)
    if kind not in types:
        element.set(EPUB_TYPE, " ".join([*types, kind]))


def classes(element: ET.Element) -> list[str]:
    return element.get("class", "").split()


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext())


@dataclass
class Document:
    """One parsed content document: the text before ``<html`` (kept verbatim) and the element tree."""

    prolog: str
    root: ET.Element

    @classmethod
    def parse(cls, data: bytes) -> Document:
        text = data.decode("utf-8")
        start = _ROOT.search(text)
        if start is None:
            raise ValueError("content document without an <html> element")
        root = ET.fromstring(text[start.start() :])
        # XHTML elements lose their namespace here and the root gets it back as a plain xmlns attribute on
        # output: ElementTree's default_namespace option refuses the unqualified attributes (id, class).
        for element in root.iter():
            if element.tag.startswith(f"{{{XHTML}}}"):
                element.tag = element.tag[len(XHTML) + 2 :]
        return cls(text[: start.start()], root)

    def serialize(self) -> bytes:
        root = self.root
        attributes = {"xmlns": XHTML, **{k: v for k, v in root.attrib.items() if k != "xmlns"}}
        root.attrib.clear()
        root.attrib.update(attributes)
        body = ET.tostring(root, encoding="unicode", short_empty_elements=False)
        return (self.prolog + _VOID_PAIR.sub(r"<\1\2 />", body) + "\n").encode("utf-8")

    @property
    def body(self) -> ET.Element:
        found = self.root.find("body")
        if found is None:
            raise ValueError("content document without a <body> element")
        return found

    def by_id(self) -> dict[str, ET.Element]:
        return {e.get("id"): e for e in self.root.iter() if e.get("id")}

    def parents(self) -> dict[ET.Element, ET.Element]:
        return {child: parent for parent in self.root.iter() for child in parent}


class Book:
    """The EPUB's entries in their order, its package document and its content documents in spine order.

    Documents are parsed on first use; :meth:`bytes` re-serializes only those marked changed and returns the
    input unchanged when nothing was.
    """

    def __init__(self, epub: bytes):
        self.original = epub
        with zipfile.ZipFile(io.BytesIO(epub)) as archive:
            self.infos = archive.infolist()
            self.files = {info.filename: archive.read(info) for info in self.infos}
        self.opf = _opf_path(self.files)
        self.spine = [name for name in _spine_order(self.files, self.opf) if name.endswith(".xhtml")]
        self._parsed: dict[str, Document] = {}
        self.changed: set[str] = set()

    def document(self, name: str) -> Document:
        if name not in self._parsed:
            self._parsed[name] = Document.parse(self.files[name])
        return self._parsed[name]

    def touch(self, name: str) -> None:
        self.changed.add(name)

    def href(self, source: str, target: str, fragment: str | None = None) -> str:
        """A link from the document ``source`` to ``target`` (entry names), with an optional fragment."""
        path = "" if source == target else relpath(target, dirname(source) or ".")
        return path + (f"#{fragment}" if fragment else "")

    def resolve(self, source: str, href: str) -> tuple[str, str]:
        """The entry name and fragment a link in ``source`` points to."""
        path, _, fragment = href.partition("#")
        return (normpath(join(dirname(source), path)) if path else source), fragment

    def bytes(self) -> bytes:
        for name in self.changed:
            if name in self._parsed:
                self.files[name] = self._parsed[name].serialize()
        if not self.changed:
            return self.original
        return _zip(self.infos, self.files)

"""EPUB accessibility post-processing: ARIA roles for ``epub:type``, landmarks, the conformance claim.

pandoc's EPUB writer leaves three things to do, each done here on the finished book (bytes in, bytes
out, re-zipped deterministically like the page list):

* ``epub:type`` on a section without the matching DPUB-ARIA role (DAISY Ace's rule
  ``epub-type-has-matching-role``: pandoc writes ``epub:type="glossary"`` from a heading attribute but
  no ``role="doc-glossary"``); :func:`add_matching_roles` adds the role;
* pandoc writes a language change inside a document as ``lang`` only; :func:`add_matching_roles` also
  mirrors it into ``xml:lang`` (EPUB's XHTML: both, as on the root element, for older reading systems);
* the landmarks ``nav`` has only the title page and the contents, labelled in English whatever the
  book's language; :func:`add_landmarks` adds the start of the body matter and the sections with a
  landmark ``epub:type`` (glossary, bibliography, index) and labels every entry in the book's language
  (the catalogue's ``landmark-*`` messages);
* pandoc drops ``dcterms:conformsTo`` from the metadata; :func:`add_conformance` writes it (with
  ``a11y:certifiedBy``) into the OPF, but only when the edition states the claim in its metadata
  (``accessibility-conformance``, ``accessibility-certified-by``) — the claim is the edition's, made
  after a DAISY Ace run (see docs/accessibility.md), never a default of the tool.
"""

from __future__ import annotations

import io
import re
import zipfile
from html import escape
from posixpath import dirname, relpath

from .epub_pagelist import _nav_path, _opf_path, _spine_order, _zip

# epub:type → DPUB-ARIA role, for the section-level types pandoc or our filters can write.
ROLES = {
    "glossary": "doc-glossary",
    "bibliography": "doc-bibliography",
    "index": "doc-index",
    "preface": "doc-preface",
    "foreword": "doc-foreword",
    "introduction": "doc-introduction",
    "epilogue": "doc-epilogue",
    "conclusion": "doc-conclusion",
    "colophon": "doc-colophon",
    "endnotes": "doc-endnotes",
    "chapter": "doc-chapter",
    "part": "doc-part",
    "appendix": "doc-appendix",
    "acknowledgments": "doc-acknowledgments",
    "afterword": "doc-afterword",
}
# Section types that also get a landmark entry, in this order after the body matter.
LANDMARK_TYPES = ("glossary", "bibliography", "index")
# Every landmark this module writes or relabels; its label is the catalogue's ``landmark-<type>``.
LANDMARK_LABELS = ("titlepage", "toc", "bodymatter", *LANDMARK_TYPES)

_SECTION = re.compile(r"<(section|aside|div|nav)\b([^>]*)>")
_EPUB_TYPE = re.compile(r"\bepub:type=\"([^\"]+)\"")
_ID = re.compile(r"\bid=\"([^\"]+)\"")
_LANG_TAG = re.compile(r"<([A-Za-z][\w:-]*)(\s[^>]*?)?\slang=\"([^\"]*)\"([^>]*)>")
_BODY_TYPE = re.compile(r"<body\b[^>]*\bepub:type=\"([^\"]*)\"")
_LANDMARKS = re.compile(r"(<nav\b[^>]*\bepub:type=\"landmarks\"[^>]*>\s*<ol>)(.*?)(</ol>)", re.S)
_LANDMARK_ITEM = re.compile(r"<li>\s*<a\b[^>]*\bepub:type=\"([^\"]+)\"[^>]*>(.*?)</a>\s*</li>", re.S)


def _read(epub: bytes) -> tuple[list[zipfile.ZipInfo], dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        infos = archive.infolist()
        return infos, {info.filename: archive.read(info) for info in infos}


def _with_role(match: re.Match) -> str:
    tag, attrs = match.group(1), match.group(2)
    types = _EPUB_TYPE.search(attrs)
    if not types or re.search(r"\brole=", attrs):
        return match.group(0)
    role = next((ROLES[t] for t in types.group(1).split() if t in ROLES), None)
    if role is None:
        return match.group(0)
    closing = "/>" if attrs.rstrip().endswith("/") else ">"
    attrs = attrs.rstrip().removesuffix("/").rstrip()
    return f'<{tag}{attrs} role="{role}"{closing}'


def _with_xml_lang(match: re.Match) -> str:
    if "xml:lang=" in match.group(0):
        return match.group(0)
    tag, before, lang, after = match.group(1), match.group(2) or "", match.group(3), match.group(4)
    return f'<{tag}{before} lang="{lang}" xml:lang="{lang}"{after}>'


def add_matching_roles(epub: bytes) -> bytes:
    """Every section-level element with a known ``epub:type`` and no ``role`` gets the matching role;
    every element with ``lang`` and no ``xml:lang`` gets ``xml:lang`` with the same value."""
    infos, files = _read(epub)
    changed = False
    for name, data in files.items():
        if not name.endswith(".xhtml"):
            continue
        text = data.decode("utf-8")
        new = _LANG_TAG.sub(_with_xml_lang, _SECTION.sub(_with_role, text))
        if new != text:
            files[name] = new.encode("utf-8")
            changed = True
    return _zip(infos, files) if changed else epub


def add_landmarks(epub: bytes, messages) -> bytes:
    """Landmarks for the body matter and the glossary/bibliography/index sections; every landmark of a known
    type labelled by ``messages`` (the book's :class:`editio.i18n.Catalogue`, keys ``landmark-<type>``)."""
    infos, files = _read(epub)
    opf = _opf_path(files)
    nav = _nav_path(files, opf)
    nav_text = files[nav].decode("utf-8")
    found = _LANDMARKS.search(nav_text)
    if not found:
        return epub
    labels = {kind: messages.text(f"landmark-{kind}") for kind in LANDMARK_LABELS}
    present = {m.group(1) for m in _LANDMARK_ITEM.finditer(found.group(2))}

    def href(name: str, fragment: str | None = None) -> str:
        target = relpath(name, dirname(nav) or ".")
        return escape(target + (f"#{fragment}" if fragment else ""), quote=True)

    added: list[tuple[str, str]] = []
    spine = [n for n in _spine_order(files, opf) if n != nav and n in files]
    if "bodymatter" not in present:
        first = next(
            (
                n
                for n in spine
                if (m := _BODY_TYPE.search(files[n].decode("utf-8"))) and "bodymatter" in m.group(1).split()
            ),
            None,
        )
        if first:
            added.append(("bodymatter", href(first)))
    for kind in LANDMARK_TYPES:
        if kind in present:
            continue
        for name in spine:
            hit = next(
                (
                    m
                    for m in _SECTION.finditer(files[name].decode("utf-8"))
                    if (t := _EPUB_TYPE.search(m.group(2))) and kind in t.group(1).split() and _ID.search(m.group(2))
                ),
                None,
            )
            if hit:
                added.append((kind, href(name, _ID.search(hit.group(2)).group(1))))
                break

    def relabel(item: re.Match) -> str:
        kind, label = item.group(1), item.group(2)
        if kind in labels:
            return item.group(0).replace(f">{label}</a>", f">{escape(labels[kind])}</a>")
        return item.group(0)

    items = _LANDMARK_ITEM.sub(relabel, found.group(2))
    items = (
        items.rstrip()
        + "".join(
            f'\n    <li>\n      <a href="{target}" epub:type="{kind}">{escape(labels.get(kind, kind))}</a>\n    </li>'
            for kind, target in added
        )
        + "\n  "
    )
    new = nav_text[: found.start(2)] + items + nav_text[found.end(2) :]
    if new == nav_text:
        return epub
    files[nav] = new.encode("utf-8")
    return _zip(infos, files)


def add_conformance(epub: bytes, conforms_to: str | None, certified_by: str | None = None) -> bytes:
    """``dcterms:conformsTo`` (and ``a11y:certifiedBy``) in the OPF; unchanged without a claim."""
    if not conforms_to:
        return epub
    infos, files = _read(epub)
    opf = _opf_path(files)
    text = files[opf].decode("utf-8")
    if "dcterms:conformsTo" in text:
        return epub
    lines = f'  <meta property="dcterms:conformsTo">{escape(" ".join(conforms_to.split()))}</meta>\n'
    if certified_by:
        lines += f'    <meta property="a11y:certifiedBy">{escape(" ".join(certified_by.split()))}</meta>\n'
    files[opf] = text.replace("</metadata>", lines + "  </metadata>", 1).encode("utf-8")
    return _zip(infos, files)

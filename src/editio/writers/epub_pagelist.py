"""EPUB page list: add ``<nav epub:type="page-list">`` and the pagination source to a finished EPUB.

pandoc's EPUB writer knows no page list. This post-processor finds the page-break spans the pagination
filter wrote (``epub:type="pagebreak"``), lists them in nav.xhtml, names the print source of the page
breaks in the OPF (``dc:source`` and ``pageBreakSource``) and re-zips the book deterministically:
``mimetype`` first and stored, every other entry in its original order with its original time stamp.
"""

from __future__ import annotations

import io
import re
import zipfile
from html import escape
from posixpath import dirname, join, normpath, relpath

_PAGEBREAK = re.compile(r"<span\b(?=[^>]*\bepub:type=\"pagebreak\")[^>]*>")
_ID = re.compile(r"\bid=\"([^\"]+)\"")
_LABEL = re.compile(r"\baria-label=\"([^\"]+)\"")
_ROOTFILE = re.compile(r"<rootfile\b[^>]*full-path=\"([^\"]+)\"")
_NAV_ITEM = re.compile(r"<item\b(?=[^>]*\bproperties=\"[^\"]*\bnav\b)[^>]*\bhref=\"([^\"]+)\"")


def _opf_path(files: dict[str, bytes]) -> str:
    match = _ROOTFILE.search(files["META-INF/container.xml"].decode("utf-8"))
    if not match:
        raise ValueError("EPUB has no rootfile in META-INF/container.xml")
    return match.group(1)


def _nav_path(files: dict[str, bytes], opf: str) -> str:
    match = _NAV_ITEM.search(files[opf].decode("utf-8"))
    if not match:
        raise ValueError("EPUB package has no nav document")
    return normpath(join(dirname(opf), match.group(1)))


def _spine_order(files: dict[str, bytes], opf: str) -> list[str]:
    """Content documents in spine order, as zip entry names."""
    text = files[opf].decode("utf-8")
    hrefs = dict(re.findall(r"<item\b[^>]*\bid=\"([^\"]+)\"[^>]*\bhref=\"([^\"]+)\"", text))
    hrefs.update({i: h for h, i in re.findall(r"<item\b[^>]*\bhref=\"([^\"]+)\"[^>]*\bid=\"([^\"]+)\"", text)})
    order = re.findall(r"<itemref\b[^>]*\bidref=\"([^\"]+)\"", text)
    return [normpath(join(dirname(opf), hrefs[i])) for i in order if i in hrefs]


def find_page_breaks(epub: bytes) -> list[tuple[str, str]]:
    """Every page break in reading order as (page label, zip entry name#id)."""
    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    opf = _opf_path(files)
    found = []
    for name in _spine_order(files, opf):
        for tag in _PAGEBREAK.findall(files[name].decode("utf-8")):
            ident, label = _ID.search(tag), _LABEL.search(tag)
            if ident:
                found.append((label.group(1) if label else ident.group(1), f"{name}#{ident.group(1)}"))
    return found


def page_list_nav(pages: list[tuple[str, str]], nav_path: str, heading: str) -> str:
    """The page-list ``<nav>`` element; targets are made relative to the nav document."""
    items = []
    for label, target in pages:
        name, _, fragment = target.partition("#")
        href = relpath(name, dirname(nav_path) or ".") + (f"#{fragment}" if fragment else "")
        items.append(f'<li><a href="{escape(href, quote=True)}">{escape(label)}</a></li>')
    return (
        f'<nav epub:type="page-list" role="doc-pagelist" id="page-list" hidden="hidden">'
        f"<h2>{escape(heading)}</h2><ol>{''.join(items)}</ol></nav>\n"
    )


def add_page_list(epub: bytes, pages: list[tuple[str, str]], heading: str, source: str | None = None) -> bytes:
    """Return ``epub`` with a page list for ``pages`` [(label, "entry#id")] under ``heading`` (the catalogue's
    ``page-list-title``) and the page-break source.

    ``source`` describes the printed edition the page breaks come from; it becomes ``dc:source`` and
    ``pageBreakSource`` in the package metadata. An EPUB that already has a page list is returned as is.
    """
    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        infos = archive.infolist()
        files = {info.filename: archive.read(info) for info in infos}
    if not pages:
        return epub
    opf = _opf_path(files)
    nav = _nav_path(files, opf)
    nav_text = files[nav].decode("utf-8")
    if 'epub:type="page-list"' in nav_text:
        return epub
    nav_text = nav_text.replace("</body>", page_list_nav(pages, nav, heading) + "</body>", 1)
    files[nav] = nav_text.encode("utf-8")
    if source:
        value = escape(" ".join(source.split()))
        opf_text = files[opf].decode("utf-8")
        opf_text = opf_text.replace(
            "</metadata>",
            f'  <dc:source id="page-break-source">{value}</dc:source>\n'
            f'    <meta property="pageBreakSource">{value}</meta>\n  </metadata>',
            1,
        )
        files[opf] = opf_text.encode("utf-8")
    return _zip(infos, files)


def add_resource(epub: bytes, href: str, data: bytes, media_type: str) -> bytes:
    """``epub`` with one more file at ``href`` (relative to the package document), declared in the manifest."""
    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        infos = archive.infolist()
        files = {info.filename: archive.read(info) for info in infos}
    opf = _opf_path(files)
    name = normpath(join(dirname(opf), href))
    if name in files:
        return epub
    files[name] = data
    infos.append(zipfile.ZipInfo(name, date_time=infos[-1].date_time))
    ident = re.sub(r"[^A-Za-z0-9_-]", "_", href)
    item = f'<item id="{escape(ident)}" href="{escape(href)}" media-type="{escape(media_type)}" />'
    files[opf] = files[opf].decode("utf-8").replace("</manifest>", f"  {item}\n  </manifest>", 1).encode("utf-8")
    return _zip(infos, files)


def _zip(infos: list[zipfile.ZipInfo], files: dict[str, bytes]) -> bytes:
    """Re-zip with the input's entry order and time stamps; ``mimetype`` first and stored."""
    ordered = sorted(infos, key=lambda info: info.filename != "mimetype")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for info in ordered:
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.external_attr = info.external_attr
            entry.create_system = info.create_system
            stored = info.filename == "mimetype"
            entry.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            out.writestr(entry, files[info.filename], compresslevel=None if stored else 9)
    return buffer.getvalue()

"""EPUB Dictionaries and Glossaries 1.0 for the edition's glossary: a search key map and the manifest properties.

pandoc's EPUB writer cannot declare a glossary. :func:`add_glossary` takes the finished EPUB (bytes) and the
search keys (anchor, headword, other forms) and returns a new EPUB where

- the content document holding the glossary entries (the one with ``id="<anchor>"`` of the entries) has
  the manifest property ``glossary``;
- ``glossary-search-key-map.xml`` (next to the package document) lists, per entry, a
  ``<search-key-group href="…#anchor">`` with ``<match value="headword">`` and one ``<value>`` per other
  form, declared in the manifest with properties ``glossary search-key-map``
  (media type ``application/vnd.epub.search-key-map+xml``);

re-zipped deterministically: ``mimetype`` first and stored, every other entry in its original order and
with its original time stamp, the new search key map right after the package document with the package
document's time stamp. The function is pure: the same input bytes give the same output bytes.

Spec: https://www.w3.org/submissions/epub-dict/ (EPUB Dictionaries and Glossaries 1.0); the manifest
example follows epubcheck's ``glossary-single-valid`` test (w3c/epubcheck, src/test/resources/
epub-dictionaries/files/epub/glossary-single-valid).
"""

from __future__ import annotations

import io
import re
import zipfile
from html import escape
from posixpath import dirname, join, normpath, relpath

SKM_NAME = "glossary-search-key-map.xml"
SKM_MEDIA_TYPE = "application/vnd.epub.search-key-map+xml"
_ROOTFILE = re.compile(r"<rootfile\b[^>]*full-path=\"([^\"]+)\"")
_ITEM = re.compile(r"<item\b[^>]*/>")
_ATTR = re.compile(r"\b([\w:-]+)=\"([^\"]*)\"")

SearchKeys = list[tuple[str, str, list[str]]]


def _attrs(tag: str) -> dict[str, str]:
    return dict(_ATTR.findall(tag))


def search_key_map(keys: SearchKeys, href: str, lang: str) -> str:
    """The search key map document: one group per entry, pointing to ``href#anchor``."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<search-key-map xmlns="http://www.idpf.org/2007/ops" xml:lang="{escape(lang)}">',
    ]
    for anchor, term, values in keys:
        lines.append(f'  <search-key-group href="{escape(href)}#{escape(anchor)}">')
        if values:
            lines.append(f'    <match value="{escape(term)}">')
            lines += [f'      <value value="{escape(v)}"/>' for v in values]
            lines.append("    </match>")
        else:
            lines.append(f'    <match value="{escape(term)}"/>')
        lines.append("  </search-key-group>")
    lines.append("</search-key-map>")
    return "\n".join(lines) + "\n"


def add_glossary(epub: bytes, keys: SearchKeys, lang: str) -> bytes:
    """The EPUB with its glossary declared (see the module docstring); unchanged when ``keys`` is empty."""
    if not keys:
        return epub
    with zipfile.ZipFile(io.BytesIO(epub)) as source:
        infos = source.infolist()
        files = {info.filename: source.read(info) for info in infos}
    opf = _ROOTFILE.search(files["META-INF/container.xml"].decode("utf-8")).group(1)
    base = dirname(opf)
    package = files[opf].decode("utf-8")
    first_anchor = keys[0][0]
    target_item = None
    for tag in _ITEM.findall(package):
        attrs = _attrs(tag)
        if attrs.get("media-type") != "application/xhtml+xml":
            continue
        path = normpath(join(base, attrs["href"]))
        if f'id="{first_anchor}"'.encode() in files.get(path, b""):
            target_item = (tag, attrs, path)
            break
    if target_item is None:
        raise ValueError(f"no content document of the EPUB holds the glossary entry #{first_anchor}")
    tag, attrs, path = target_item
    properties = attrs.get("properties", "").split()
    if "glossary" not in properties:
        properties.append("glossary")
        if "properties" in attrs:
            new_tag = re.sub(r'\bproperties="[^"]*"', f'properties="{" ".join(properties)}"', tag)
        else:
            new_tag = tag[:-2].rstrip() + ' properties="glossary" />'
        package = package.replace(tag, new_tag, 1)
    skm_path = normpath(join(base, SKM_NAME)) if base else SKM_NAME
    if skm_path in files:
        raise ValueError(f"the EPUB already has {skm_path}")
    item = (
        f'<item id="glossary-search-key-map" href="{SKM_NAME}" media-type="{SKM_MEDIA_TYPE}" '
        f'properties="glossary search-key-map" />'
    )
    package = re.sub(r"(\s*)</manifest>", lambda m: f"{m.group(1)}  {item}{m.group(1)}</manifest>", package, count=1)
    files[opf] = package.encode("utf-8")
    href = relpath(path, dirname(skm_path) or ".")
    skm = search_key_map(keys, href, lang).encode("utf-8")

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in infos:
            _write(
                target,
                info,
                info.filename,
                files[info.filename],
                zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED,
            )
            if info.filename == opf:
                _write(target, info, skm_path, skm, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _write(archive: zipfile.ZipFile, like: zipfile.ZipInfo, name: str, data: bytes, compression: int) -> None:
    """Write ``data`` as ``name`` with the time stamp and attributes of the existing entry ``like``."""
    info = zipfile.ZipInfo(name, date_time=like.date_time)
    info.compress_type = compression
    info.create_system = like.create_system
    info.external_attr = like.external_attr
    archive.writestr(info, data)


def keys_from_ast(ast: dict, meta_key: str = "glossary-search-keys") -> SearchKeys:
    """The search keys the glossary filter left in the metadata (empty when there is no glossary)."""
    value = ast.get("meta", {}).get(meta_key)
    if not value:
        return []

    def text(node) -> str:
        if node["t"] == "MetaString":
            return node["c"]
        if node["t"] == "MetaInlines":
            return "".join(i["c"] if i["t"] == "Str" else " " for i in node["c"] if i["t"] in ("Str", "Space"))
        raise ValueError(f"unexpected metadata {node['t']} in {meta_key}")

    keys = []
    for group in value["c"]:
        fields = group["c"]
        keys.append((text(fields["anchor"]), text(fields["term"]), [text(v) for v in fields["values"]["c"]]))
    return keys

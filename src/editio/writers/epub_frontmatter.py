"""The EPUB's front matter and package metadata: the title page template, its labels, ``dc:rights``.

pandoc's own EPUB title page shows the title, the author and one abstract. ``templates/epub-template.xhtml``
(pandoc's epub3 template with a fuller title page) adds what the edition's metadata holds, as the HTML
edition does: ``edition-statement``, ``original-statement``, the abstract with ``keywords``, the English
abstract ``abstract-en`` with ``keywords-en`` (marked ``lang="en"``), and ``cite-as``; each abstract is an
``epub:type="abstract"`` / ``role="doc-abstract"`` section. The headings it prints are message-catalogue
texts (:data:`LABEL_KEYS`) in the language of the block they head: the document's catalogue for the
abstract and the citation, English for ``abstract-en``. :func:`package_metadata` adds ``rights`` (pandoc
writes it as ``dc:rights``) from ``licence-text`` or a plain ``licence``, and ``description`` from the
abstract, unless the metadata has them already.
"""

from __future__ import annotations

import copy
from html import escape
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "epub-template.xhtml"

# What the EPUB writer prints, by the message-catalogue key it comes from.
LABEL_KEYS = {
    "abstract": "abstract-title",
    "keywords": "keywords-label",
    "cite-as": "cite-as-title",
    "note-backlink": "backlink-title",
}


def labels(messages) -> dict[str, str]:
    """The texts for :data:`LABEL_KEYS` from ``messages`` (an :class:`editio.i18n.Catalogue`, the edition's
    overrides applied)."""
    return {name: messages.text(key) for name, key in LABEL_KEYS.items()}


def template_variables(messages) -> list[str]:
    """pandoc ``-V`` arguments for the title page headings, escaped (pandoc prints a variable as it is); the
    English abstract is labelled in English."""
    from editio.i18n import catalogue

    own, english = labels(messages), labels(catalogue("en"))
    values = {
        "editio-abstract-label": own["abstract"],
        "editio-keywords-label": own["keywords"],
        "editio-cite-as-label": own["cite-as"],
        "editio-abstract-en-label": english["abstract"],
        "editio-keywords-en-label": english["keywords"],
    }
    return [f"--variable={key}={escape(value, quote=True)}" for key, value in values.items()]


def _plain(value) -> str | None:
    """The text of a MetaString, MetaInlines or MetaBlocks value (None for anything else)."""
    if not isinstance(value, dict) or value.get("t") not in ("MetaString", "MetaInlines", "MetaBlocks"):
        return None
    words: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            kind = node.get("t")
            if kind in ("Str", "MetaString"):
                words.append(node["c"])
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                words.append(" ")
            elif kind in ("Para", "Plain") and words:
                words.append(" ")
                walk(node.get("c"))
            else:
                walk(node.get("c"))
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(value)
    return " ".join("".join(words).split()) or None


def package_metadata(ast: dict) -> dict:
    """A copy of ``ast`` whose metadata has ``rights`` and ``description`` for the OPF (the input is untouched)."""
    meta = ast.get("meta", {})
    additions = {}
    if "rights" not in meta:
        rights = _plain(meta.get("licence-text")) or _plain(meta.get("licence"))
        if rights:
            additions["rights"] = {"t": "MetaString", "c": rights}
    if "description" not in meta:
        description = _plain(meta.get("abstract"))
        if description:
            additions["description"] = {"t": "MetaString", "c": description}
    if not additions:
        return ast
    result = copy.copy(ast)
    result["meta"] = {**meta, **additions}
    return result

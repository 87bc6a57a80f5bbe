"""The EPUB's front matter and package metadata: the title page template, its labels, ``dc:rights``.

pandoc's own EPUB title page shows the title, the author and one abstract. ``templates/epub-template.xhtml``
(pandoc's epub3 template with a fuller title page) adds what the edition's metadata holds, as the HTML
edition does: ``edition-statement``, ``original-statement``, the abstract with ``keywords``, the English
abstract ``abstract-en`` with ``keywords-en`` (marked ``lang="en"``), and ``cite-as``; each abstract is an
``epub:type="abstract"`` / ``role="doc-abstract"`` section. The headings it prints are message-catalogue
texts (:data:`LABEL_KEYS`) in the language of the block they head: the document's ``lang`` for the
abstract and the citation, English for ``abstract-en``. :func:`package_metadata` adds ``rights`` (pandoc
writes it as ``dc:rights``) from ``licence-text`` or a plain ``licence``, and ``description`` from the
abstract, unless the metadata has them already.
"""

from __future__ import annotations

import copy
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "epub-template.xhtml"

# Catalogue keys the EPUB writer prints (editio.i18n: catalogue(lang).text(key)).
LABEL_KEYS = ("abstract", "keywords", "cite-as", "note-backlink")
# Used only while editio.i18n does not exist yet; the catalogue supersedes them key by key.
_INTERIM = {
    "en": {"abstract": "Abstract", "keywords": "Keywords", "cite-as": "How to cite this edition",
           "note-backlink": "Back to the text"},
    "ru": {"abstract": "Аннотация", "keywords": "Ключевые слова", "cite-as": "Как цитировать это издание",
           "note-backlink": "К месту в тексте"},
}


def labels(lang: str) -> dict[str, str]:
    """The texts for :data:`LABEL_KEYS` in ``lang`` (a BCP 47 tag; its primary subtag chooses)."""
    base = (lang or "en").split("-")[0].lower()
    interim = _INTERIM.get(base, _INTERIM["en"])
    try:
        from editio.i18n import catalogue  # being written by another session
        texts = catalogue(lang)
    except Exception:  # no catalogue yet, or none for this language: the interim texts, never a crash
        return dict(interim)
    found = {}
    for key in LABEL_KEYS:
        try:
            text = texts.text(key)
        except Exception:  # a key the catalogue does not have yet (KeyError): the interim text
            text = None
        # A provisional catalogue that echoes an unknown key back has no text for it either.
        found[key] = text if text and text != key else interim[key]
    return found


def template_variables(lang: str) -> list[str]:
    """pandoc ``-V`` arguments for the title page headings."""
    own, english = labels(lang), labels("en")
    values = {
        "editio-abstract-label": own["abstract"], "editio-keywords-label": own["keywords"],
        "editio-cite-as-label": own["cite-as"],
        "editio-abstract-en-label": english["abstract"], "editio-keywords-en-label": english["keywords"],
    }
    return [f"--variable={key}={value}" for key, value in values.items()]


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

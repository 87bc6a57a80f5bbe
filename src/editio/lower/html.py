"""Neutral marks → HTML5: Spans, Divs and Links pandoc's HTML writer prints, with the classes, ids and ARIA
roles the stylesheet and assistive technology expect. ``editio.lower.epub`` adds EPUB's semantics on top."""

from __future__ import annotations

from ..ast import Span, Str, get


def page_id(number: str) -> str:
    return f"page-{number}"


def page_marker(node: dict, lowering) -> dict:
    n = get(node, "n", "")
    return Span([Str(n)], identifier=page_id(n), classes=["page"],
                attributes={"role": "doc-pagebreak", "aria-label": n})


RULES = {
    "Span": {"page": page_marker},
}

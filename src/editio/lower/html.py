"""Neutral marks → HTML5: Spans, Divs and Links pandoc's HTML writer prints, with the classes, ids and ARIA
roles the stylesheet and assistive technology expect. ``editio.lower.epub`` adds EPUB's semantics on top.
One section per filter; rules are filed with ``@rule``."""

from __future__ import annotations

from ..ast import Span, Str, get
from . import Rule, registrar

RULES: dict[str, dict[str, Rule]] = {}
rule = registrar(RULES)


# --- pagination --------------------------------------------------------------------------------------

def page_id(number: str) -> str:
    return f"page-{number}"


@rule("Span", "page")
def page_marker(node: dict, lowering) -> dict:
    n = get(node, "n", "")
    return Span([Str(n)], identifier=page_id(n), classes=["page"],
                attributes={"role": "doc-pagebreak", "aria-label": n})

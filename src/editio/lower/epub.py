"""Neutral marks → EPUB 3 XHTML: the HTML rules, plus epub:type semantics, which pandoc's writer would drop
from a Span's attributes and so are written as raw XHTML. One section per filter; rules filed with ``@rule``
override the HTML rule for the same element type and class."""

from __future__ import annotations

from html import escape

from ..ast import RawInline, get
from . import Rule, html, registrar

RULES: dict[str, dict[str, Rule]] = {t: dict(rules) for t, rules in html.RULES.items()}
rule = registrar(RULES)


def xml_text(text: str) -> str:
    return escape(text, quote=True)


# --- pagination --------------------------------------------------------------------------------------

@rule("Span", "page")
def page_marker(node: dict, lowering) -> dict:
    n = xml_text(get(node, "n", ""))
    return RawInline("html", f'<span class="page" epub:type="pagebreak" role="doc-pagebreak" '
                             f'id="{html.page_id(n)}" aria-label="{n}">{n}</span>')

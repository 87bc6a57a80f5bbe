"""Neutral marks → EPUB 3 XHTML: the HTML rules, plus epub:type semantics, which pandoc's writer would drop
from a Span's attributes and so are written as raw XHTML."""

from __future__ import annotations

from html import escape

from ..ast import RawInline, get
from . import html


def page_marker(node: dict, lowering) -> dict:
    n = escape(get(node, "n", ""), quote=True)
    return RawInline("html", f'<span class="page" epub:type="pagebreak" role="doc-pagebreak" '
                             f'id="{html.page_id(n)}" aria-label="{n}">{n}</span>')


RULES = {t: dict(rules) for t, rules in html.RULES.items()}
RULES["Span"].update({"page": page_marker})

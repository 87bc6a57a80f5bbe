"""Neutral marks → HTML5: Spans, Divs and Links pandoc's HTML writer prints, with the classes, ids and ARIA
roles the stylesheet and assistive technology expect. ``editio.lower.epub`` adds EPUB's semantics on top.
One section per filter; rules are filed with ``@rule``."""

from __future__ import annotations

from ..ast import Link, Space, Span, Str, Superscript, get, iter_nodes
from . import Rule, registrar

RULES: dict[str, dict[str, Rule]] = {}
rule = registrar(RULES)


# --- common marks: anchors, page references, back-references ----------------------------------------

@rule("Span", "anchor")
def anchor(node: dict, lowering) -> dict:
    return Span([], identifier=node["c"][0][0])


@rule("Span", "pageref")
def page_reference(node: dict, lowering) -> dict:
    """On screen a page reference is a link to the place; its text is the mark's content."""
    return Link(node["c"][1], f'#{get(node, "target", "")}')


@rule("Span", "backref")
def back_reference(node: dict, lowering) -> list:
    """A link back to the place in the text: «↩» titled by the catalogue's ``back-to-text``."""
    return [Space(), Link([Str("\u21a9\ufe0e")], f'#{get(node, "target", "")}', title=lowering.text("back-to-text"),
                          attributes={"role": "doc-backlink"})]


# --- pagination --------------------------------------------------------------------------------------

def page_id(number: str) -> str:
    return f"page-{number}"


@rule("Span", "page")
def page_marker(node: dict, lowering) -> dict:
    n = get(node, "n", "")
    return Span([Str(n)], identifier=page_id(n), classes=["page"],
                attributes={"role": "doc-pagebreak", "aria-label": n})


# --- emendations ---------------------------------------------------------------------------------------

@rule("Span", "emendation")
def emendation(node: dict, lowering) -> list:
    """A corrected reading links to its line of the list, titled with the source's reading; a reading that
    holds a link already (a glossary term) keeps it and gets a small marker link instead."""
    ident, target, title = node["c"][0][0], get(node, "target", ""), get(node, "title", "")
    content = node["c"][1]
    if any(True for _ in iter_nodes(content, ("Link",))):
        return [Span(content, identifier=ident, classes=["emendation"]),
                Link([Superscript([Str("*")])], f"#{target}", title=title, classes=["emendation"])]
    return [Link(content, f"#{target}", title=title, identifier=ident, classes=["emendation"])]

"""Neutral marks → HTML5: Spans, Divs and Links pandoc's HTML writer prints, with the classes, ids and ARIA
roles the stylesheet and assistive technology expect. ``editio.lower.epub`` adds EPUB's semantics on top.
One section per filter; rules are filed with ``@rule``."""

from __future__ import annotations

from ..ast import Div, Link, Para, Space, Span, Str, Strong, Superscript, get, iter_nodes
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
    return [Space(), Link([Str("\u21a9\ufe0e")], f'#{get(node, "target", "")}', title=lowering.text("backlink-title"),
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


# --- editorial notes -----------------------------------------------------------------------------------

@rule("Span", "ednote-call")
def ednote_call(node: dict, lowering) -> dict:
    """A lettered call linking to the note in the list (a separate series from the author's numbered notes)."""
    return Link([Superscript([Str(get(node, "letter", ""))])], f'#{get(node, "target", "")}',
                title=lowering.text("ednote-ref-title"), identifier=node["c"][0][0], classes=["ednote-ref"],
                attributes={"role": "doc-noteref"})


@rule("Div", "ednote")
def ednote(node: dict, lowering) -> dict:
    """«а) text ↩»: the letter, the note's text and a link back to the call."""
    blocks = [dict(b) for b in node["c"][1]]
    head = [Strong([Str(f'{get(node, "letter", "")})')]), Space()]
    back = [Space(), Link([Str("\u21a9\ufe0e")], f'#{get(node, "ref", "")}', title=lowering.text("backlink-title"),
                          attributes={"role": "doc-backlink"})]
    if blocks and blocks[0]["t"] in ("Para", "Plain"):
        blocks[0] = Para(head + blocks[0]["c"] + (back if len(blocks) == 1 else []))
    else:
        blocks.insert(0, Para(head))
    if len(blocks) > 1:
        blocks[-1] = Para(blocks[-1]["c"] + back) if blocks[-1]["t"] in ("Para", "Plain") else blocks[-1]
    return Div(blocks, identifier=node["c"][0][0], classes=["ednote"])

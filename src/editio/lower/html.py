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
    return Link(node["c"][1], f"#{get(node, 'target', '')}")


@rule("Span", "backref")
def back_reference(node: dict, lowering) -> list:
    """A link back to the place in the text: «↩» titled by the catalogue's ``back-to-text``."""
    return [
        Space(),
        Link(
            [Str("\u21a9\ufe0e")],
            f"#{get(node, 'target', '')}",
            title=lowering.text("backlink-title"),
            attributes={"role": "doc-backlink"},
        ),
    ]


# --- pagination --------------------------------------------------------------------------------------


def page_id(number: str) -> str:
    return f"page-{number}"


@rule("Span", "page")
def page_marker(node: dict, lowering) -> dict:
    n = get(node, "n", "")
    return Span(
        [Str(n)], identifier=page_id(n), classes=["page"], attributes={"role": "doc-pagebreak", "aria-label": n}
    )


# --- emendations ---------------------------------------------------------------------------------------


@rule("Span", "emendation")
def emendation(node: dict, lowering) -> list:
    """A corrected reading links to its line of the list, titled with the source's reading; a reading that
    holds a link already (a glossary term) keeps it and gets a small marker link instead."""
    ident, target, title = node["c"][0][0], get(node, "target", ""), get(node, "title", "")
    content = node["c"][1]
    if any(True for _ in iter_nodes(content, ("Link",))):
        return [
            Span(content, identifier=ident, classes=["emendation"]),
            Link([Superscript([Str("*")])], f"#{target}", title=title, classes=["emendation"]),
        ]
    return [Link(content, f"#{target}", title=title, identifier=ident, classes=["emendation"])]


# --- editorial notes -----------------------------------------------------------------------------------


@rule("Span", "ednote-call")
def ednote_call(node: dict, lowering) -> dict:
    """A lettered call linking to the note in the list (a separate series from the author's numbered notes)."""
    return Link(
        [Superscript([Str(get(node, "letter", ""))])],
        f"#{get(node, 'target', '')}",
        title=lowering.text("ednote-ref-title"),
        identifier=node["c"][0][0],
        classes=["ednote-ref"],
        attributes={"role": "doc-noteref"},
    )


@rule("Div", "ednote")
def ednote(node: dict, lowering) -> dict:
    """«а) text ↩»: the letter, the note's text and a link back to the call."""
    blocks = [dict(b) for b in node["c"][1]]
    head = [Strong([Str(f"{get(node, 'letter', '')})")]), Space()]
    back = [
        Space(),
        Link(
            [Str("\u21a9\ufe0e")],
            f"#{get(node, 'ref', '')}",
            title=lowering.text("backlink-title"),
            attributes={"role": "doc-backlink"},
        ),
    ]
    if blocks and blocks[0]["t"] in ("Para", "Plain"):
        blocks[0] = Para(head + blocks[0]["c"] + (back if len(blocks) == 1 else []))
    else:
        blocks.insert(0, Para(head))
    if len(blocks) > 1:
        blocks[-1] = Para(blocks[-1]["c"] + back) if blocks[-1]["t"] in ("Para", "Plain") else blocks[-1]
    return Div(blocks, identifier=node["c"][0][0], classes=["ednote"])


# --- chronology ----------------------------------------------------------------------------------------


@rule("Div", "chronology-list")
def chronology_list(node: dict, lowering) -> list:
    """On screen the chronology is the definition list itself (a date, then its events)."""
    return node["c"][1]


# --- glossary ----------------------------------------------------------------------------------------
from ..ast import RawBlock, RawInline  # noqa: E402 (the names this section builds)

# The entries are a definition list (``<dl class="glossary-list">``) written as raw tags round pandoc blocks,
# so the links inside stay links pandoc can resolve; each headword is a ``<dfn>``.


@rule("Link", "gls")
def glossary_occurrence(node: dict, lowering) -> dict:
    a = node["c"][0]
    return Link(node["c"][1], node["c"][2][0], title=node["c"][2][1], identifier=a[0], classes=["gls"])


@rule("Header", "glossary-heading")
def glossary_heading(node: dict, lowering) -> dict:
    node["c"][1][1] = [c for c in node["c"][1][1] if c != "glossary-heading"]
    return node


def glossary_term_markup(node: dict, dfn: str) -> list:
    return [RawInline("html", dfn), Span(node["c"][1], identifier=node["c"][0][0]), RawInline("html", "</dfn>")]


@rule("Span", "gls-term")
def glossary_term(node: dict, lowering) -> list:
    return glossary_term_markup(node, "<dfn>")


@rule("Span", "gls-original")
def glossary_original(node: dict, lowering) -> dict:
    return Span(node["c"][1], attributes={"lang": get(node, "lang", "")})


@rule("Div", "glossary-list")
def glossary_list(node: dict, lowering) -> list:
    return [RawBlock("html", '<dl class="glossary-list">'), *node["c"][1], RawBlock("html", "</dl>")]


def glossary_entry_markup(node: dict, dd: str) -> list:
    head, *body = node["c"][1]
    return [
        RawBlock("html", "<dt>"),
        head,
        RawBlock("html", "</dt>"),
        RawBlock("html", dd),
        *body,
        RawBlock("html", "</dd>"),
    ]


@rule("Div", "gls-entry")
def glossary_entry(node: dict, lowering) -> list:
    return glossary_entry_markup(node, "<dd>")


@rule("Div", "gls-refs")
def glossary_references(node: dict, lowering) -> dict:
    return Div(node["c"][1], classes=["gls-refs"])


@rule("Link", "gls-backref")
def glossary_back_reference(node: dict, lowering) -> dict:
    return Link(node["c"][1], node["c"][2][0], attributes={"role": "doc-backlink"})


# --- name index ------------------------------------------------------------------------------------------
# On screen: a bold letter above each group, an entry per person with links to the original pages.


@rule("Span", "name-ref")
def name_occurrence(node: dict, lowering) -> dict:
    return Span(node["c"][1], identifier=node["c"][0][0], classes=["name-ref"])


@rule("Div", "name-index-headnote")
def name_index_headnote(node: dict, lowering) -> list:
    return node["c"][1]


@rule("Div", "name-index-group")
def name_index_group(node: dict, lowering) -> list:
    return [Para([Strong([Str(get(node, "letter", ""))])]), *node["c"][1]]


@rule("Div", "name-index-entry")
def name_index_entry(node: dict, lowering) -> dict:
    return Div(node["c"][1], identifier=node["c"][0][0], classes=["name-index-entry"])


@rule("Div", "name-index-see")
def name_index_see(node: dict, lowering) -> list:
    return node["c"][1]


@rule("Span", "index-term")
def index_term(node: dict, lowering) -> list:
    return node["c"][1]


@rule("Span", "name-index-locators")
def name_index_locators(node: dict, lowering) -> list:
    return node["c"][1]


@rule("Link", "index-locator")
def index_locator(node: dict, lowering) -> dict:
    return Link(node["c"][1], node["c"][2][0])


@rule("Link", "index-see")
def index_see(node: dict, lowering) -> dict:
    return Link(node["c"][1], node["c"][2][0])


# --- crossref ------------------------------------------------------------------------------------------


@rule("Link", "xref")
def cross_reference(node: dict, lowering) -> dict:
    """A numbered reference is a plain link to its target (the filter's attributes are for lowering only)."""
    return Link(node["c"][1], node["c"][2][0], classes=["xref"])


@rule("Span", "xref")
def unresolved_reference(node: dict, lowering) -> dict:
    """«??» for a reference to a label nobody defined (the label itself is in the build's warning)."""
    return Span(node["c"][1], classes=["xref", "unresolved"])


@rule("Span", "equation")
def numbered_equation(node: dict, lowering) -> dict:
    """The display equation with its number «(N)» after it, in one span the stylesheet lays out."""
    number = Span([Str(f"({get(node, 'number', '')})")], classes=["equation-number"])
    return Span([*node["c"][1], number], identifier=node["c"][0][0], classes=["equation"])


# --- figures -------------------------------------------------------------------------------------------


@rule("Image", "*")
def image(node: dict, lowering) -> dict | None:
    """A PDF page can be placed only by typst: on screen its SVG redrawing (``screen``, made at load) stands in
    its place, or else its alt text."""
    if not node["c"][2][0].lower().endswith(".pdf"):
        return None
    screen = get(node, "screen")
    if not screen:
        return Span(node["c"][1], classes=["image-alt"])
    node["c"][0][2] = [kv for kv in node["c"][0][2] if kv[0] != "screen"]
    node["c"][2][0] = screen
    return node


# --- faction chart -------------------------------------------------------------------------------------


@rule("Image", "faction-chart")
def faction_chart_image(node: dict, lowering) -> dict:
    """Phones get the narrow drawing, wider screens the wide one; one alt text for both."""
    from html import escape

    from ..ast import RawInline, stringify

    src, alt, narrow = node["c"][2][0], stringify(node["c"][1]), get(node, "narrow", "")
    # the same query as the stylesheet's phone layout (editio.writers.html.NARROW_MEDIA)
    source = f'<source media="(max-width: 40em)" srcset="{escape(narrow)}" type="image/svg+xml" />' if narrow else ""
    return RawInline("html", f'<picture>{source}<img src="{escape(src)}" alt="{escape(alt)}" /></picture>')


# --- manuscripts written for LaTeX (load/raw.py) ---------------------------------------------------------


@rule("Div", "page-break")
def page_break(node: dict, lowering) -> list:
    """``\\newpage``: a screen has no pages."""
    return []

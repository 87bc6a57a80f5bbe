"""Neutral marks → EPUB 3 XHTML: the HTML rules, plus epub:type semantics, which pandoc's writer would drop
from a Span's attributes and so are written as raw XHTML. One section per filter; rules filed with ``@rule``
override the HTML rule for the same element type and class."""

from __future__ import annotations

import re
from html import escape

from ..ast import RawInline, get, stringify
from . import Rule, html, registrar

RULES: dict[str, dict[str, Rule]] = {t: dict(rules) for t, rules in html.RULES.items()}
rule = registrar(RULES)


def xml_text(text: str) -> str:
    return escape(text, quote=True)


# --- pagination --------------------------------------------------------------------------------------


@rule("Span", "page")
def page_marker(node: dict, lowering) -> dict:
    n = xml_text(get(node, "n", ""))
    return RawInline(
        "html",
        f'<span class="page" epub:type="pagebreak" role="doc-pagebreak" '
        f'id="{html.page_id(n)}" aria-label="{n}">{n}</span>',
    )


# --- glossary ----------------------------------------------------------------------------------------
from ..ast import Link, Plain, RawBlock, Space, Span  # noqa: E402 (the names these sections build)

# EPUB Dictionaries and Glossaries: the heading's section is the glossary, each headword a glossterm and each
# definition a glossdef (the search key map and manifest properties come from editio.writers.epub_glossary).


@rule("Header", "glossary-heading")
def glossary_heading(node: dict, lowering) -> dict:
    node = html.glossary_heading(node, lowering)
    if not any(k == "epub:type" for k, _ in node["c"][1][2]):
        node["c"][1][2].append(["epub:type", "glossary"])
    return node


@rule("Span", "gls-term")
def glossary_term(node: dict, lowering) -> list:
    return html.glossary_term_markup(node, '<dfn epub:type="glossterm">')


@rule("Div", "gls-entry")
def glossary_entry(node: dict, lowering) -> list:
    return html.glossary_entry_markup(node, '<dd epub:type="glossdef">')


# --- name index ------------------------------------------------------------------------------------------
# EPUB Indexes 1.0 (https://idpf.org/epub/idx/): the index is a section of epub:type index; a group per letter
# with its heading and an index-entry-list; entries are li elements with an index-term, locators and
# cross-references. The structure is raw XHTML round pandoc inlines, so pandoc still resolves the links into
# the chapter files. The manifest property ``index`` is the EPUB writer's (it names the content document).


@rule("Div", "name-index")
def name_index(node: dict, lowering) -> list:
    ident = f' id="{xml_text(node["c"][0][0])}"' if node["c"][0][0] else ""
    names = " ".join(xml_text(c) for c in node["c"][0][1])
    return [
        RawBlock("html", f'<section{ident} class="{names}" epub:type="index" role="doc-index">'),
        *node["c"][1],
        RawBlock("html", "</section>"),
    ]


@rule("Div", "name-index-headnote")
def name_index_headnote(node: dict, lowering) -> list:
    return [RawBlock("html", '<header epub:type="index-headnotes">'), *node["c"][1], RawBlock("html", "</header>")]


@rule("Div", "name-index-group")
def name_index_group(node: dict, lowering) -> list:
    level = get(node, "level", "2")
    level = level if level in ("2", "3", "4", "5", "6") else "6"
    return [
        RawBlock("html", '<section epub:type="index-group">'),
        RawBlock("html", f"<h{level}>{xml_text(get(node, 'letter', ''))}</h{level}>"),
        RawBlock("html", '<ul epub:type="index-entry-list">'),
        *node["c"][1],
        RawBlock("html", "</ul>"),
        RawBlock("html", "</section>"),
    ]


def _index_entry(ident: str, inlines: list) -> list:
    opening = f'<li epub:type="index-entry" id="{xml_text(ident)}">' if ident else '<li epub:type="index-entry">'
    return [RawBlock("html", opening), Plain(inlines), RawBlock("html", "</li>")]


@rule("Div", "name-index-entry")
def name_index_entry(node: dict, lowering) -> list:
    inlines = [i for block in node["c"][1] if block["t"] in ("Para", "Plain") for i in block["c"]]
    return _index_entry(node["c"][0][0], inlines)


@rule("Div", "name-index-see")
def name_index_see(node: dict, lowering) -> list:
    """«Моллер *см.* Мольер Э.»: the term, then the «see» word and the link as the preferred cross-reference."""
    inlines = [i for block in node["c"][1] if block["t"] in ("Para", "Plain") for i in block["c"]]
    term, rest = inlines[:1], inlines[1:]
    while rest and rest[0]["t"] == "Space":
        rest = rest[1:]
    return _index_entry("", [*term, Space(), Span(rest, attributes={"epub:type": "index-xref-preferred"})])


@rule("Span", "index-term")
def index_term(node: dict, lowering) -> dict:
    return Span(node["c"][1], attributes={"epub:type": "index-term"})


@rule("Link", "index-locator")
def index_locator(node: dict, lowering) -> dict:
    return Link(node["c"][1], node["c"][2][0], attributes={"epub:type": "index-locator"})


@rule("Link", "index-see")
def index_see(node: dict, lowering) -> dict:
    """The target of «see»: a term of the index (EPUB Indexes: an xref holds at least one index-term)."""
    return Link(node["c"][1], node["c"][2][0], attributes={"epub:type": "index-term"})


# --- tables --------------------------------------------------------------------------------------------


@rule("Table", "*")
def table(node: dict, lowering) -> dict:
    """A table in a box of its own that scrolls sideways (epub.css ``.table-scroll``), as on the HTML page."""
    from ..ast import Div

    return Div([node], classes=["table-scroll"], attributes={"tabindex": "0"})


# --- crossref ------------------------------------------------------------------------------------------


@rule("Figure", "*")
def figure(node: dict, lowering) -> dict:
    """pandoc's EPUB writer does not rewrite links to a Figure's id when it splits the book into chapters
    (pandoc 3.9): the id moves to an anchor first in the caption, which links find in any chapter."""
    from ..ast import Plain, Span

    ident = node["c"][0][0]
    if not ident:
        return node
    node["c"][0][0] = ""
    anchor = Span([], identifier=ident)
    blocks = node["c"][1][1]
    if blocks and blocks[0]["t"] in ("Plain", "Para"):
        blocks[0]["c"].insert(0, anchor)
    else:
        blocks.insert(0, Plain([anchor]))
    return node


# --- faction chart -------------------------------------------------------------------------------------


@rule("Image", "faction-chart")
def faction_chart_image(node: dict, lowering) -> dict:
    """Reading systems get the plain image (the wide drawing) with its alt text."""
    return {"t": "Image", "c": [["", [], []], node["c"][1], node["c"][2]]}


# --- manuscripts written for LaTeX (load/raw.py) ---------------------------------------------------------


@rule("Div", "page-break")
def page_break(node: dict, lowering) -> list:
    """``\\newpage``: a reflowable book has no fixed pages (each chapter already starts its own file)."""
    return []


# --- the whole book ----------------------------------------------------------------------------------------


def finish(doc: dict, lowering) -> None:
    """pandoc writes ``dc:date`` from ``date`` and leaves it empty (invalid) when it cannot read the date: it
    gets the W3C form (``2015-01``) and the title page the author's words (``date-text``); a date with no year
    in it is only printed, and ``dc:date`` is then the build date."""
    from ..ast import meta_string
    from ..load.dates import w3c_date

    meta = doc["meta"]
    date = meta.get("date")
    if date is None:
        return
    written = stringify(date).strip()
    if _PANDOC_DATE.match(written):
        return
    meta["date-text"] = date
    iso = w3c_date(written)
    if iso is None:
        meta.pop("date")
    else:  # pandoc writes a full date whatever it reads (2015 → 2015-01-01), so it gets one
        meta["date"] = meta_string((iso + "-01-01")[:10] if len(iso) == 4 else (iso + "-01")[:10])


_PANDOC_DATE = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")


# --- links to paths (load/resources.py warned, SRC010) -------------------------------------------------------


@rule("Link", "*")
def path_link(node: dict, lowering) -> dict | list:
    """A link to a path (``/url``) leads outside the book: its text only."""
    from ..load.resources import relative_link

    return node["c"][1] if relative_link(node["c"][2][0]) else node

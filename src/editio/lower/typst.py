"""Neutral marks → typst markup (raw typst inlines and blocks that pandoc's typst writer passes through).

The typst functions these calls use are defined once, in ``editio.typ`` beside this module, which ``finish``
puts first into the document's header-includes. One section per filter; rules are filed with ``@rule``.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..ast import Emph, RawBlock, RawInline, Space, Span, Str, get, has_class, stringify, text_inlines
from . import Rule, registrar

LIBRARY = Path(__file__).with_name("editio.typ")
RULES: dict[str, dict[str, Rule]] = {}
rule = registrar(RULES)


def string(text: str) -> str:
    """A typst string literal holding ``text`` exactly."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def raw(text: str) -> dict:
    return RawInline("typst", text)


def raw_block(text: str) -> dict:
    return RawBlock("typst", text)


def finish(doc: dict, lowering) -> None:
    """Editor's notes into their footnotes; the library of typst functions the marks call, first in the
    header-includes."""
    if lowering.store.get("ednote"):
        from ..ast.walk import walk

        walk(
            doc["blocks"],
            {"Span": lambda n, _p: _ednote_footnote(n, lowering) if has_class(n, "ednote-slot") else None},
        )
    meta = doc["meta"]
    block = {"t": "MetaBlocks", "c": [raw_block(LIBRARY.read_text(encoding="utf-8"))]}
    current = meta.get("header-includes")
    if current is None:
        meta["header-includes"] = {"t": "MetaList", "c": [block]}
    elif current["t"] == "MetaList":
        current["c"].insert(0, block)
    else:
        meta["header-includes"] = {"t": "MetaList", "c": [block, current]}


# --- common marks: anchors, page references, back-references ----------------------------------------


@rule("Span", "anchor")
def anchor(node: dict, lowering) -> list:
    """A place other marks point at (``Span.anchor#id``): a label in typst."""
    return [raw(f'#metadata("anchor")<{node["c"][0][0]}>')] if node["c"][0][0] else []


@rule("Span", "pageref")
def page_reference(node: dict, lowering) -> dict:
    """``Span.pageref{target=X label=L}``: a link to label X showing «L N», N the page X is on."""
    target, label = get(node, "target", ""), get(node, "label", "")
    prefix = f"#{string(label)}~" if label else ""
    return raw(f"#link(<{target}>)[{prefix}#context counter(page).at(<{target}>).first()];")


@rule("Span", "backref")
def back_reference(node: dict, lowering) -> list:
    """``Span.backref{target=X label=L}``: in print, « — L N» (the page of X)."""
    return [Str(" —"), Space(), page_reference(node, lowering)]


# --- images: pandoc's typst writer drops alt text, which PDF/UA requires -------------------------------


@rule("Image", "*")
def image(node: dict, lowering) -> dict:
    """``#image(src, alt: …)`` with the width the manuscript gives (``width=50%``), else the natural size
    capped at the text width by the template."""
    src, alt = node["c"][2][0], stringify(node["c"][1])
    width = get(node, "width")
    size = f", width: {width}" if width and re.fullmatch(r"\d+(\.\d+)?(%|pt|mm|cm|em|in)", width) else ""
    return raw(f"#box(image({string(src)}, alt: {string(alt)}{size}))")


# --- pagination --------------------------------------------------------------------------------------


@rule("Span", "page")
def page_marker(node: dict, lowering) -> dict:
    # The trailing ";" ends the call, so a following ".word" is never read as a field access.
    return raw(f"#edition-page-marker({string(get(node, 'n', ''))}, label: {string(get(node, 'label', ''))});")


# --- emendations ---------------------------------------------------------------------------------------

UNDERLINE = '#underline(stroke: (thickness: 0.45pt, dash: "dotted", paint: luma(40%)), offset: 1.8pt, evade: false)['


@rule("Span", "emendation")
def emendation(node: dict, lowering) -> list:
    """A corrected reading: a dotted underline, labelled so the list can give its page."""
    return [raw(UNDERLINE), *node["c"][1], raw(f']#metadata("emendation")<{node["c"][0][0]}>')]


# --- editorial notes -----------------------------------------------------------------------------------
# A note's text stands once, in its Div in the list; the call becomes a lettered footnote holding that text
# (lowered with the rest of the document first, then moved into the footnote by ``finish``).


@rule("Span", "ednote-call")
def ednote_call(node: dict, lowering) -> dict:
    return Span(
        [], classes=["ednote-slot"], attributes={"target": get(node, "target", ""), "letter": get(node, "letter", "")}
    )


@rule("Div", "ednote")
def ednote(node: dict, lowering) -> list:
    lowering.store.setdefault("ednote", {})[node["c"][0][0]] = node["c"][1]
    return []


@rule("Div", "editorial-notes")
def ednote_list(node: dict, lowering) -> list:
    return []  # in print the notes stand at the page foot


def _ednote_footnote(slot: dict, lowering) -> list:
    blocks = lowering.store.get("ednote", {}).get(get(slot, "target", ""), [])
    inlines: list = []
    for block in blocks:
        if block["t"] in ("Para", "Plain"):
            inlines += ([Space()] if inlines else []) + block["c"]
    letter = get(slot, "letter", "")
    # The footnote is numbered with its letter; the counter steps back so the author's numbering is untouched.
    # A thin space before the letter keeps it apart from the word in the text layer («Лечин б», not «Лечинб»).
    return [
        raw(f"#footnote(numbering: _ => {string(chr(0x2009) + letter)})["),
        *inlines,
        Str("\u00a0—"),
        Space(),
        Emph(text_inlines(lowering.text("ednote-mark"))),
        raw("]#counter(footnote).update(n => n - 1);"),
    ]


# --- colophon ----------------------------------------------------------------------------------------------


@rule("Div", "colophon")
def colophon(node: dict, lowering) -> list:
    """The colophon's fields in the template's even, unbroken layout: «**Label** — value» in one paragraph each
    (a typst term list would put each value in a block of its own, on the line below its label)."""
    from ..ast import Para, Strong

    blocks = []
    for block in node["c"][1]:
        if block["t"] != "DefinitionList":
            blocks.append(block)
            continue
        for term, definitions in block["c"]:
            value = [inline for d in definitions for b in d if b["t"] in ("Para", "Plain") for inline in b["c"]]
            blocks.append(Para([Strong(term), Str("\u00a0—"), Space(), *value]))
    return [raw_block("#edition-colophon["), *blocks, raw_block("]")]


# --- chronology ----------------------------------------------------------------------------------------
# typst's term list would put every text below its date: print gives one paragraph per event,
# «**1946 г.** — text — с. 8», flush left with wrapped lines indented (the set rule stays inside the list's Div).
CHRONOLOGY_PARAGRAPHS = "#set par(first-line-indent: 0em, hanging-indent: 1.2em, justify: false)"


@rule("Div", "chronology-list")
def chronology_list(node: dict, lowering) -> list:
    from ..ast import Para, Strong

    blocks = [raw_block(CHRONOLOGY_PARAGRAPHS)]
    for block in node["c"][1]:
        if block["t"] != "DefinitionList":
            blocks.append(block)
            continue
        for term, definitions in block["c"]:
            for definition in definitions:
                text = [inline for b in definition if b["t"] in ("Para", "Plain") for inline in b["c"]]
                blocks.append(Para([Strong(term), Str("\u00a0—"), Space(), *text]))
    return blocks


# --- glossary ----------------------------------------------------------------------------------------
from ..ast import Div, Link, Para  # noqa: E402 (the names this section builds)

# An occurrence is a link to its entry plus an invisible marker the entry's page list queries; an entry keeps
# its headword with the first lines of the definition (a sticky block) and indents the definition under it.


@rule("Link", "gls")
def glossary_occurrence(node: dict, lowering) -> list:
    return [raw(f"#metadata({string(get(node, 'entry', ''))})<gls-ref>"), Link(node["c"][1], node["c"][2][0])]


@rule("Header", "glossary-heading")
def glossary_heading(node: dict, lowering) -> dict:
    node["c"][1][1] = [c for c in node["c"][1][1] if c != "glossary-heading"]
    return node


@rule("Span", "gls-term")
def glossary_term(node: dict, lowering) -> list:
    return [raw(f"#metadata({string(get(node, 'entry', ''))})<{node['c'][0][0]}>"), *node["c"][1]]


@rule("Span", "gls-original")
def glossary_original(node: dict, lowering) -> list:
    return [raw(f"#text(lang: {string(get(node, 'lang', ''))})["), *node["c"][1], raw("]")]


@rule("Div", "glossary-list")
def glossary_list(node: dict, lowering) -> list:
    return node["c"][1]


@rule("Div", "gls-entry")
def glossary_entry(node: dict, lowering) -> dict:
    head, definition, *rest = node["c"][1]
    body = list(definition["c"])
    if rest:  # the term occurs: the pages it stands on, after the definition; the label («В тексте:») is added
        # after the typography filter ran, so its words are bound here: a line never ends on its first word
        label = lowering.text("glossary-refs").replace(" ", "\u00a0")
        body += [
            Space(),
            *text_inlines(label),
            Space(),
            *text_inlines(lowering.text("page-abbrev")),
            raw(f"~#edition-gls-pages({string(get(node, 'entry', ''))})"),
        ]
    # the template's helper keeps the headword with the definition; `][` on one line keeps both arguments
    return Div(
        [raw_block("#edition-glossary-entry["), Para(head["c"]), raw_block("]["), Para(body), raw_block("]")],
        classes=["gls-entry"],
    )


# --- name index ------------------------------------------------------------------------------------------
# A name gets an invisible marker after it; the index prints, per person, the pages the markers stand on
# (``edition-name-index-pages``), a letter stays with the first entry of its group, lines hang.

NAME_INDEX_PARAGRAPHS = "#set par(first-line-indent: 0em, hanging-indent: 1.2em, justify: false)"


@rule("Span", "name-ref")
def name_occurrence(node: dict, lowering) -> list:
    return [*node["c"][1], raw(f"#metadata({string(get(node, 'person', ''))})<name-ref>")]


@rule("Div", "name-index")
def name_index(node: dict, lowering) -> dict:
    a = node["c"][0]
    return Div([raw_block(NAME_INDEX_PARAGRAPHS), *node["c"][1]], identifier=a[0], classes=a[1], attributes=dict(a[2]))


@rule("Div", "name-index-headnote")
def name_index_headnote(node: dict, lowering) -> list:
    return []  # the note explains original page numbers, which print does not show


@rule("Div", "name-index-group")
def name_index_group(node: dict, lowering) -> list:
    return [raw_block(f"#block(sticky: true)[*{get(node, 'letter', '')}*]"), *node["c"][1]]


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
def name_index_locators(node: dict, lowering) -> dict:
    return raw(f"#edition-name-index-pages({string(get(node, 'person', ''))})")


@rule("Link", "index-see")
def index_see(node: dict, lowering) -> dict:
    return Link(node["c"][1], node["c"][2][0])


# --- math ----------------------------------------------------------------------------------------------
# pandoc turns the TeX into typst math; the equation gets its TeX source as alt text (PDF/UA-1 refuses an
# equation without one) through a set rule scoped to a content block around it.


def equation(math: dict, number: str = "", label: str = "") -> list:
    """A Math element as ``#[#set math.equation(alt: TeX …); $…$ <label>]``."""
    settings = f"alt: {string(math['c'][1].strip())}"
    if number:
        settings += f", numbering: _ => {string('(' + number + ')')}"
    tail = f" <{label}>]" if label and re.fullmatch(r"[\w:.-]+", label) else "]"
    return [raw(f"#[#set math.equation({settings}); "), math, raw(tail)]


@rule("Math", "*")
def math(node: dict, lowering) -> list:
    return equation(node)


# --- crossref ------------------------------------------------------------------------------------------
# Numbers are the filter's (the same in every format): typst's own figure numbering is off (editio.typ).


@rule("Span", "equation")
def numbered_equation(node: dict, lowering) -> list:
    """``Span.equation#eq:x{number=N}``: the display equation numbered «(N)» and labelled for links."""
    found = [n for n in node["c"][1] if n["t"] == "Math"]
    if not found:
        return node["c"][1]
    return equation(found[0], get(node, "number", ""), node["c"][0][0])


@rule("Link", "xref")
def cross_reference(node: dict, lowering) -> dict:
    from ..ast import Link

    return Link(node["c"][1], node["c"][2][0])


@rule("Span", "xref")
def unresolved_reference(node: dict, lowering) -> dict:
    from ..ast import Strong

    return Strong(node["c"][1])


@rule("Span", "caption-label")
def caption_label(node: dict, lowering) -> list:
    return node["c"][1]


@rule("Span", "section-number")
def section_number(node: dict, lowering) -> list:
    return node["c"][1]


@rule("Div", "list-of-figures")
@rule("Div", "list-of-tables")
def list_of_figures(node: dict, lowering) -> list:
    """A list of figures or tables: one entry a line, flush left, wrapped lines indented."""
    return [
        raw_block("#[#set par(first-line-indent: 0em, hanging-indent: 1.2em, justify: false)"),
        *node["c"][1],
        raw_block("]"),
    ]


# --- faction chart -------------------------------------------------------------------------------------
# A real typst figure: the template's figure rule narrows it to the room left on its page (or gives it the next
# page with its heading), so the chart is never clipped; the image keeps its alt text for PDF/UA.


@rule("Image", "faction-chart")
def faction_chart_image(node: dict, lowering) -> dict:
    return raw(f"image({string(node['c'][2][0])}, alt: {string(stringify(node['c'][1]))}, width: 100%)")


@rule("Figure", "faction-chart")
def faction_chart_figure(node: dict, lowering) -> dict:
    """``#figure(image(…), numbering: none, caption: [Рис. 1. …]) <id>``: the caption carries its own number."""
    from ..ast import Plain

    def inlines(blocks: list) -> list:
        return [inline for block in blocks if block["t"] in ("Para", "Plain") for inline in block["c"]]

    return Plain(
        [
            raw("#figure("),
            *inlines(node["c"][2]),
            raw(", numbering: none, caption: ["),
            *inlines(node["c"][1][1]),
            raw(f"]) <{node['c'][0][0]}>"),
        ]
    )


# --- manuscripts written for LaTeX (load/raw.py) ---------------------------------------------------------


@rule("Div", "page-break")
def page_break(node: dict, lowering) -> dict:
    """``\\newpage`` and its kin: a new page (none when the page is already empty)."""
    return raw_block("#pagebreak(weak: true)")


@rule("Span", "*")
def language(node: dict, lowering) -> None:
    """A passage in another language (``[…]{lang=es}``, a cited work's language): typst's text language, so it
    is hyphenated by its own rules and tagged with its /Lang in the PDF. pandoc's writer does this for a Div only."""
    tag = (get(node, "lang") or "").split("-")
    if not (2 <= len(tag[0]) <= 3 and tag[0].isalpha()):
        return None
    args = f"lang: {string(tag[0].lower())}"
    if len(tag) > 1 and len(tag[1]) == 2 and tag[1].isalpha():
        args += f", region: {string(tag[1].upper())}"
    node["c"][1] = [raw(f"#text({args})["), *node["c"][1], raw("]")]
    return None


@rule("Link", "*")
def link(node: dict, lowering) -> dict | list:
    """A link to nothing (``[Empty]()``) is its text: typst refuses an empty URL."""
    return node["c"][1] if not node["c"][2][0].strip() else node


# --- definition lists ------------------------------------------------------------------------------------------

OWN_TERM_LAYOUT = ("colophon", "chronology-list")  # Divs whose rules lay out their term lists themselves


@rule("DefinitionList", "*")
def definition_list(node: dict, lowering) -> list | None:
    """pandoc wraps every description in ``#block[…]``, which breaks the line after the term. The list is
    written as ``#terms(separator: [ — ], terms.item([term], [description]), …)`` instead (the template's
    run-in look «term — description», which its ``terms.item`` rule does not give items built this way): a
    description's first paragraph runs in after the term, its further blocks follow inside the item, and
    pandoc still writes every inline and block."""
    if any(has_class(a, c) for a in lowering.path if a.get("t") == "Div" for c in OWN_TERM_LAYOUT):
        return None
    blocks: list = []
    line: list = [raw("#terms(separator: [ — ], hanging-indent: 1.2em, ")]
    for index, (term, definitions) in enumerate(node["c"]):
        line += [raw(", " if index else ""), raw("terms.item(["), *term, raw("], [")]
        for number, definition in enumerate(definitions):
            rest = definition
            if definition and definition[0]["t"] in ("Plain", "Para"):
                line += ([Str(";"), Space()] if number else []) + definition[0]["c"]
                rest = definition[1:]
            if rest:
                blocks += [{"t": "Para", "c": line}, *rest]  # a Para: a paragraph break follows
                line = []
        line.append(raw("])"))
    line.append(raw(")"))
    return [*blocks, {"t": "Plain", "c": line}]


# --- typst's errors, mapped back to the manuscript --------------------------------------------------------------

_SOURCE_LINE = re.compile(r"^\s*\d+\s*│\s?(.*)$", re.M)
_MEDIA = re.compile(r"media/([A-Za-z0-9_-]+?)-[0-9a-f]{8}\.[a-z]+")
_MARKUP = re.compile(r"#[a-z][\w.-]*(?:\([^()]*\))?|[\[\]{}()<>@\\*_`$\"]|//.*$")


def manuscript_position(detail: str, sources) -> tuple[str | None, int | None]:
    """The manuscript file and line a typst error (``detail``, with typst's quoted source lines) most likely
    comes from: an image by its file name, else the longest run of plain words on the quoted lines, found in
    ``sources`` (SourceTexts); (None, None) when nothing is found."""
    quoted = _SOURCE_LINE.findall(detail)
    for line in quoted:
        for stem in _MEDIA.findall(line):
            for needle in (f"{stem}.", stem):
                found = sources.locate(needle)
                if found[0] is not None:
                    return found
    runs = sorted(
        (run.strip() for line in quoted for run in _MARKUP.split(line) if len(run.split()) >= 3), key=len, reverse=True
    )
    for run in runs:
        words = run.split()
        for size in range(len(words), 2, -1):  # the words may be split by markup the manuscript wrote
            for start in range(0, len(words) - size + 1):
                found = sources.locate(" ".join(words[start : start + size]))
                if found[0] is not None:
                    return found
    return None, None

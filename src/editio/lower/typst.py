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

        walk(doc["blocks"], {"Span": lambda n, _p: _ednote_footnote(n, lowering) if has_class(n, "ednote-slot")
                             else None})
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
    return raw(f'#edition-page-marker({string(get(node, "n", ""))}, label: {string(get(node, "label", ""))});')


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
    return Span([], classes=["ednote-slot"], attributes={"target": get(node, "target", ""),
                                                          "letter": get(node, "letter", "")})


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
    return [raw(f"#footnote(numbering: _ => {string(letter)})["), *inlines, Str("\u00a0—"), Space(),
            Emph(text_inlines(lowering.text("ednote-mark"))), raw("]#counter(footnote).update(n => n - 1);")]


# --- colophon ----------------------------------------------------------------------------------------------

@rule("Div", "colophon")
def colophon(node: dict, lowering) -> list:
    """The colophon's fields in the template's even, unbroken layout."""
    return [raw_block("#edition-colophon["), *node["c"][1], raw_block("]")]

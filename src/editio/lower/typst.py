"""Neutral marks → typst markup (raw typst inlines and blocks that pandoc's typst writer passes through).

The typst functions these calls use are defined once, in ``editio.typ`` beside this module, which ``finish``
puts first into the document's header-includes. One section per filter; rules are filed with ``@rule``.
"""

from __future__ import annotations

from pathlib import Path

from ..ast import RawBlock, RawInline, get
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
    """The library of typst functions the marks call, first in the header-includes."""
    meta = doc["meta"]
    block = {"t": "MetaBlocks", "c": [raw_block(LIBRARY.read_text(encoding="utf-8"))]}
    current = meta.get("header-includes")
    if current is None:
        meta["header-includes"] = {"t": "MetaList", "c": [block]}
    elif current["t"] == "MetaList":
        current["c"].insert(0, block)
    else:
        meta["header-includes"] = {"t": "MetaList", "c": [block, current]}


# --- pagination --------------------------------------------------------------------------------------

@rule("Span", "page")
def page_marker(node: dict, lowering) -> dict:
    # The trailing ";" ends the call, so a following ".word" is never read as a field access.
    return raw(f'#edition-page-marker({string(get(node, "n", ""))}, label: {string(get(node, "label", ""))});')

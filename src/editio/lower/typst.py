"""Neutral marks → typst markup (raw typst inlines and blocks that pandoc's typst writer passes through).

The typst functions these calls use are defined once, in ``editio.typ`` beside this module, which ``finish``
puts into the document's header-includes.
"""

from __future__ import annotations

from pathlib import Path

from ..ast import RawBlock, RawInline, get

LIBRARY = Path(__file__).with_name("editio.typ")


def string(text: str) -> str:
    """A typst string literal holding ``text`` exactly."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def label(name: str) -> str:
    """A typst label; ids are made of letters, digits, `-`, `_`, `.`, `:`."""
    return f"<{name}>"


# --- pagination --------------------------------------------------------------------------------------

def page_marker(node: dict, lowering) -> dict:
    # The trailing ";" ends the call, so a following ".word" is never read as a field access.
    return RawInline("typst", f'#edition-page-marker({string(get(node, "n", ""))}, '
                              f'label: {string(get(node, "label", ""))});')


RULES = {
    "Span": {"page": page_marker},
}


def finish(doc: dict, lowering) -> None:
    """The library of typst functions the marks call, first in the header-includes."""
    meta = doc["meta"]
    block = {"t": "MetaBlocks", "c": [RawBlock("typst", LIBRARY.read_text(encoding="utf-8"))]}
    current = meta.get("header-includes")
    if current is None:
        meta["header-includes"] = {"t": "MetaList", "c": [block]}
    elif current["t"] == "MetaList":
        current["c"].insert(0, block)
    else:
        meta["header-includes"] = {"t": "MetaList", "c": [block, current]}

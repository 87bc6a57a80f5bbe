"""Reading order: what a block holds, in the order a reader meets it, for filters that walk the text in order
(marking names, linking terms, finding anchor phrases) and treat headings, Divs and notes in their own way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from . import Node

BLOCK_TYPES = frozenset(
    (
        "Para",
        "Plain",
        "LineBlock",
        "Header",
        "Div",
        "BlockQuote",
        "BulletList",
        "OrderedList",
        "DefinitionList",
        "Table",
        "Figure",
        "CodeBlock",
        "RawBlock",
        "HorizontalRule",
    )
)

Part = tuple[Literal["inlines", "blocks", "caption"], Any]


def reading_parts(block: Node, captions: bool = True) -> Iterator[Part]:
    """The parts of ``block`` in reading order: ("inlines", list of inlines), ("blocks", list of blocks) and,
    unless ``captions``, ("caption", the caption) of a Table or Figure (whose blocks are otherwise read like
    any others). Code, raw blocks and rules have none."""
    t: str = block["t"]
    c: Any = block.get("c")
    if t in ("Para", "Plain"):
        yield "inlines", c
    elif t == "Header":
        yield "inlines", c[2]
    elif t == "LineBlock":
        for line in c:
            yield "inlines", line
    elif t == "DefinitionList":
        for term, definitions in c:
            yield "inlines", term
            for definition in definitions:
                yield "blocks", definition
    elif t == "BulletList":
        for item in c:
            yield "blocks", item
    elif t == "OrderedList":
        for item in c[1]:
            yield "blocks", item
    elif t == "BlockQuote":
        yield "blocks", c
    elif t == "Div":
        yield "blocks", c[1]
    elif t in ("Table", "Figure"):
        if not captions:
            yield "caption", c[1]
        yield "blocks", list(nested_blocks(c if captions else c[2:]))


def nested_blocks(value: Any) -> Iterator[Node]:
    """The outermost blocks inside ``value`` (a table's cells, a figure's caption and body) in order."""
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item.get("t") in BLOCK_TYPES:
                yield item
            else:
                yield from nested_blocks(item)
    elif isinstance(value, dict) and "t" not in value:
        for item in value.values():
            yield from nested_blocks(item)

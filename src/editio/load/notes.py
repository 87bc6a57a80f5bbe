"""Notes inside notes (``^[outer ^[inner] text]``): typst can print them, but pandoc's HTML and EPUB writers drop
the inner note and give its reference the outer note's id twice. The load stage keeps the inner note's text in
every format, in parentheses inside the outer note, and says so with the line (SRC012, a warning)."""

from __future__ import annotations

from ..ast import iter_nodes
from ..errors import DiagnosticLog


def unnest_notes(blocks: list, text: str, shown: str, log: DiagnosticLog) -> None:
    """Replace every Note inside a Note of ``blocks`` (one manuscript file, ``text`` shown as ``shown``) by a
    ``Span.nested-note`` holding its text in parentheses."""
    for _, _, outer in list(_inner_notes(blocks)):
        for container, index, inner in reversed(list(_inner_notes(outer["c"]))):
            words = [node["c"] for node in iter_nodes(inner["c"], ("Str",))]
            position = text.find(words[0]) if words else -1
            line = text.count("\n", 0, position) + 1 if position >= 0 else None
            log.add(
                "SRC012",
                "a note inside a note: HTML and EPUB cannot show it as a note, so its text stands in "
                "parentheses in the outer note; write it as part of the outer note, or as a note of its own",
                shown,
                line,
                severity="warning",
            )
            _replace(container, index, inner)


def _inner_notes(tree: object):
    """(list, index, Note) for each Note in ``tree``, outermost first, not looking inside the Notes found."""
    stack = [tree]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict) and item.get("t") == "Note":
                    yield value, index, item
                elif isinstance(item, (list, dict)):
                    stack.append(item)
        elif isinstance(value, dict):
            stack.extend(v for v in value.values() if isinstance(v, (list, dict)))


def _inlines(blocks: list) -> list:
    """The inlines of a note's paragraphs (in lists and quotes too), joined by a space; a note nested deeper
    is unnested the same way."""
    out: list = []
    for block in iter_nodes(blocks, ("Para", "Plain")):
        if out:
            out.append({"t": "Space"})
        out.extend(block["c"])
    for container, index, inner in reversed(list(_inner_notes(out))):
        _replace(container, index, inner)
    return out


def _replace(container: list, index: int, note: dict) -> None:
    """The note at ``container[index]`` as its text in parentheses, a space before it."""
    container[index] = _in_parentheses(note)
    if index > 0 and container[index - 1].get("t") not in ("Space", "SoftBreak", "LineBreak"):
        container.insert(index, {"t": "Space"})


def _in_parentheses(note: dict) -> dict:
    return {
        "t": "Span",
        "c": [["", ["nested-note"], []], [{"t": "Str", "c": "("}, *_inlines(note["c"]), {"t": "Str", "c": ")"}]],
    }

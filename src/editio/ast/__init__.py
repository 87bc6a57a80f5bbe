"""A small toolkit over pandoc's JSON AST as plain dicts and lists: constructors, attribute access, text.

Every element is ``{"t": Type, "c": content}`` exactly as ``pandoc -t json`` writes it, so a document
goes to and from pandoc without conversion. The traversal that runs filters lives in ``editio.ast.walk``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

Node = dict[str, Any]
Attr = list[Any]  # [identifier, [classes], [[key, value], ...]]

NBSP = "\u00a0"

# Where the Attr of an element stands in its "c" (None: "c" is the Attr's owner list itself).
_ATTR_INDEX = {
    "Span": 0,
    "Div": 0,
    "Link": 0,
    "Image": 0,
    "Code": 0,
    "CodeBlock": 0,
    "Figure": 0,
    "Table": 0,
    "Header": 1,
}


# --- constructors --------------------------------------------------------------------------------


def attr(identifier: str = "", classes: Iterable[str] = (), attributes: Mapping[str, str] | None = None) -> Attr:
    return [identifier, list(classes), [[k, str(v)] for k, v in (attributes or {}).items()]]


def Str(text: str) -> Node:  # noqa: N802 (pandoc's names)
    return {"t": "Str", "c": text}


def Space() -> Node:  # noqa: N802
    return {"t": "Space"}


def Span(
    content: Iterable[Node],
    identifier: str = "",
    classes: Iterable[str] = (),  # noqa: N802
    attributes: Mapping[str, str] | None = None,
) -> Node:
    return {"t": "Span", "c": [attr(identifier, classes, attributes), list(content)]}


def Div(
    content: Iterable[Node],
    identifier: str = "",
    classes: Iterable[str] = (),  # noqa: N802
    attributes: Mapping[str, str] | None = None,
) -> Node:
    return {"t": "Div", "c": [attr(identifier, classes, attributes), list(content)]}


def Link(
    content: Iterable[Node],
    url: str,
    title: str = "",
    identifier: str = "",  # noqa: N802
    classes: Iterable[str] = (),
    attributes: Mapping[str, str] | None = None,
) -> Node:
    return {"t": "Link", "c": [attr(identifier, classes, attributes), list(content), [url, title]]}


def Para(content: Iterable[Node]) -> Node:  # noqa: N802
    return {"t": "Para", "c": list(content)}


def Plain(content: Iterable[Node]) -> Node:  # noqa: N802
    return {"t": "Plain", "c": list(content)}


def Header(
    level: int,
    content: Iterable[Node],
    identifier: str = "",
    classes: Iterable[str] = (),  # noqa: N802
    attributes: Mapping[str, str] | None = None,
) -> Node:
    return {"t": "Header", "c": [level, attr(identifier, classes, attributes), list(content)]}


def Emph(content: Iterable[Node]) -> Node:  # noqa: N802
    return {"t": "Emph", "c": list(content)}


def Strong(content: Iterable[Node]) -> Node:  # noqa: N802
    return {"t": "Strong", "c": list(content)}


def Superscript(content: Iterable[Node]) -> Node:  # noqa: N802
    return {"t": "Superscript", "c": list(content)}


def Note(blocks: Iterable[Node]) -> Node:  # noqa: N802
    return {"t": "Note", "c": list(blocks)}


def RawInline(fmt: str, text: str) -> Node:  # noqa: N802
    return {"t": "RawInline", "c": [fmt, text]}


def RawBlock(fmt: str, text: str) -> Node:  # noqa: N802
    return {"t": "RawBlock", "c": [fmt, text]}


def BulletList(items: Iterable[list[Node]]) -> Node:  # noqa: N802
    return {"t": "BulletList", "c": [list(i) for i in items]}


def OrderedList(items: Iterable[list[Node]], start: int = 1) -> Node:  # noqa: N802
    return {"t": "OrderedList", "c": [[start, {"t": "Decimal"}, {"t": "Period"}], [list(i) for i in items]]}


def DefinitionList(items: Iterable[tuple[list[Node], list[list[Node]]]]) -> Node:  # noqa: N802
    return {"t": "DefinitionList", "c": [[list(term), [list(d) for d in defs]] for term, defs in items]}


# --- attributes ----------------------------------------------------------------------------------


def attr_of(node: Node) -> Attr | None:
    """The element's Attr list (mutable, shared with the node), or None for elements without one."""
    index = _ATTR_INDEX.get(node.get("t", ""))
    return None if index is None else node["c"][index]


def identifier(node: Node) -> str:
    a = attr_of(node)
    return a[0] if a else ""


def classes(node: Node) -> list[str]:
    a = attr_of(node)
    return a[1] if a else []


def has_class(node: Node, name: str) -> bool:
    a = attr_of(node)
    return a is not None and name in a[1]


def get(node: Node, key: str, default: str | None = None) -> str | None:
    """The value of attribute ``key`` (``key=value`` in the manuscript)."""
    a = attr_of(node)
    if a:
        for k, v in a[2]:
            if k == key:
                return str(v)
    return default


def set_attr(node: Node, key: str, value: str) -> None:
    a = attr_of(node)
    assert a is not None, node.get("t")
    for pair in a[2]:
        if pair[0] == key:
            pair[1] = value
            return
    a[2].append([key, value])


def content(node: Node) -> list[Node]:
    """The children list of a Span, Div, Link, Header or a plain container (Para, Emph, Note …)."""
    t = node["t"]
    children: list[Node]
    if t in ("Span", "Div", "Link", "Image", "Quoted", "Cite"):
        children = node["c"][1]
    elif t == "Header":
        children = node["c"][2]
    else:
        children = node["c"]
    return children


# --- text ----------------------------------------------------------------------------------------


def text_inlines(text: str) -> list[Node]:
    """A plain string as Str and Space elements; only ordinary spaces separate words (a no-break space
    stays inside its Str, where the writers keep it)."""
    out: list[Node] = []
    for word in str(text).split(" "):
        if not word:
            continue
        if out:
            out.append(Space())
        out.append(Str(word))
    return out


def stringify(node: Any) -> str:
    """The plain text of a node, a list of nodes, or a metadata value (as pandoc's stringify)."""
    parts: list[str] = []
    _stringify(node, parts)
    return "".join(parts)


def _stringify(node: Any, parts: list[str]) -> None:
    if isinstance(node, list):
        for child in node:
            _stringify(child, parts)
        return
    if not isinstance(node, dict):
        return
    t = node.get("t")
    if t in ("Str", "MetaString"):
        parts.append(node["c"])
    elif t in ("Space", "SoftBreak", "LineBreak"):
        parts.append(" ")
    elif t in ("Code", "Math", "RawInline"):
        parts.append(node["c"][1])
    elif t == "MetaBool":
        parts.append("true" if node["c"] else "false")
    elif t == "Quoted":
        q = ("\u2018", "\u2019") if node["c"][0]["t"] == "SingleQuote" else ("\u201c", "\u201d")
        parts.append(q[0])
        _stringify(node["c"][1], parts)
        parts.append(q[1])
    elif t in ("Cite", "Link", "Image", "Span", "Div", "Header", "Quoted"):
        _stringify(content(node), parts)
    elif t == "Note":
        return
    elif "c" in node:
        _stringify(node["c"], parts)


def iter_nodes(tree: Any, types: tuple[str, ...] | None = None) -> Iterator[Node]:
    """Every element below ``tree`` in document order (pre-order), optionally of the given types."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            t = node.get("t")
            if t is None:  # a citation, a MetaMap's contents
                stack.extend(v for v in node.values() if isinstance(v, (list, dict)))
                continue
            if types is None or t in types:
                yield node
            c = node.get("c")
            if isinstance(c, (list, dict)):
                stack.append(c)


# --- metadata --------------------------------------------------------------------------------------


def meta_to_python(value: Any) -> Any:
    """A pandoc MetaValue as plain Python: maps, lists, bools and strings (inlines stringified)."""
    t = value.get("t") if isinstance(value, dict) else None
    if t == "MetaMap":
        return {k: meta_to_python(v) for k, v in value["c"].items()}
    if t == "MetaList":
        return [meta_to_python(v) for v in value["c"]]
    if t == "MetaBool":
        return bool(value["c"])
    if t in ("MetaString",):
        return value["c"]
    if t in ("MetaInlines", "MetaBlocks"):
        return stringify(value["c"])
    return value


def meta_string(value: Any) -> Node:
    return {"t": "MetaString", "c": str(value)}


def meta_inlines(inlines: list[Node]) -> Node:
    return {"t": "MetaInlines", "c": inlines}


def meta_blocks(blocks: list[Node]) -> Node:
    return {"t": "MetaBlocks", "c": blocks}


def meta_list(items: list[Node]) -> Node:
    return {"t": "MetaList", "c": items}


def meta_map(items: dict[str, Node]) -> Node:
    return {"t": "MetaMap", "c": items}

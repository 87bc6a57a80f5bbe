"""Lowering: the filters' neutral marks (Spans, Divs and Links with editio classes) become one output format's
markup in a single pass. Only this package (and the templates) know typst, HTML or EPUB.

Each format module defines ``RULES``: a map from an element type to a map from a class to a rule
``rule(node, lowering) -> replacement`` (filed with the ``@rule("Span", "page")`` decorator, one section per
filter); the first class of an element that has a rule decides, else the rule filed under ``"*"`` (every
element of that type). A module may
define ``finish(doc, lowering)`` for what belongs to the whole document (typst definitions in the header).
``Lowering`` carries the format's name and the document's messages for rules that print words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..ast import Node, attr_of
from ..ast.walk import Traversal

FORMATS = ("typst", "html", "epub")
Rule = Callable[[Node, "Lowering"], Any]


def registrar(rules: dict[str, dict[str, Rule]]) -> Callable[[str, str], Callable[[Rule], Rule]]:
    """A decorator ``@rule("Span", "page")`` that files a rule under an element type and a class."""

    def rule(element_type: str, cls: str) -> Callable[[Rule], Rule]:
        def register(fn: Rule) -> Rule:
            rules.setdefault(element_type, {})[cls] = fn
            return fn

        return register

    return rule


@dataclass
class Lowering:
    format: str
    messages: Any
    meta: Node
    store: dict[str, Any] = field(default_factory=dict)  # what rules keep for ``finish`` (e.g. notes by id)
    path: list[Any] = field(default_factory=list)  # the ancestors of the element being lowered, outermost first

    def text(self, key: str, **fields: Any) -> str:
        return str(self.messages.text(key, **fields))


def _module(fmt: str) -> Any:
    from . import epub, html, typst

    return {"typst": typst, "html": html, "epub": epub}[fmt]


def lower(doc: Node, fmt: str, messages: Any) -> Node:
    """Lower ``doc`` (in place) for ``fmt`` (typst, html or epub) and return it."""
    module = _module(fmt)
    rules: Mapping[str, Mapping[str, Rule]] = module.RULES
    lowering = Lowering(fmt, messages, doc["meta"])

    def hook_for(type_rules: Mapping[str, Rule]) -> Callable[[Node, list[Any]], Any]:
        every = type_rules.get("*")

        def hook(node: Node, path: list[Any]) -> Any:
            lowering.path = path
            a = attr_of(node)
            for cls in a[1] if a else ():
                rule = type_rules.get(cls)
                if rule is not None:
                    return rule(node, lowering)
            return every(node, lowering) if every is not None else None

        return hook

    Traversal([{t: hook_for(r) for t, r in rules.items()}]).run(doc["blocks"])
    finish = getattr(module, "finish", None)
    if finish is not None:
        finish(doc, lowering)
    return doc

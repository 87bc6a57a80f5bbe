"""The original pagination as a walk in reading order meets it: the page-start Spans (``[]{.page n=N}``) and
the page current at each point, for filters that say where in the original printing a thing stands.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import Node, get, has_class, iter_nodes


def page_markers(tree: Any, page_class: str = "page") -> Iterator[Node]:
    """The page-start Spans below ``tree`` in document order."""
    for node in iter_nodes(tree, ("Span",)):
        if has_class(node, page_class):
            yield node


class PageTracker:
    """The page current at the point a walk has reached: the number (attribute ``attribute``) of the last
    page-start Span (class ``page_class``) it has seen; None before the first one."""

    def __init__(self, page_class: str = "page", attribute: str = "n") -> None:
        self.page_class = page_class
        self.attribute = attribute
        self.page: str | None = None

    def is_marker(self, node: Node) -> bool:
        return node["t"] == "Span" and has_class(node, self.page_class)

    def see(self, node: Node) -> bool:
        """Note ``node`` if it is a page start; whether it is one (one without a number changes nothing)."""
        if not self.is_marker(node):
            return False
        number = get(node, self.attribute)
        if number:
            self.page = number
        return True

    def follow(self, tree: Any) -> None:
        """Note every page start below ``tree`` (a part the walk does not read, but pages go on in)."""
        for node in page_markers(tree, self.page_class):
            number = get(node, self.attribute)
            if number:
                self.page = number

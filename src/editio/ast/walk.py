"""One traversal for many filters: each element is visited once, children first, and the hooks of every
filter in the pass are called on it in the declared order.

A hook is ``hook(node, path) -> None | node | list[node]``: None keeps the node, a node or a list replaces
it (an empty list deletes it). ``path`` is the list of ancestor elements, outermost first. Nodes a hook
creates are walked by the filters that come after it in the pass (children first, then the node), so a
later filter sees the tree as the earlier ones left it; nodes that were already walked are not walked twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Node = dict[str, Any]
Hook = Callable[[Node, list[Node]], "Node | list[Node] | None"]


class Traversal:
    """The hooks of a sequence of filters, fused into one walk."""

    def __init__(self, hook_tables: Sequence[Mapping[str, Hook]]):
        self.tables = [dict(t) for t in hook_tables]
        self.types = frozenset(t for table in self.tables for t in table)
        self._done: set[int] = set()
        self._keep: list[Node] = []  # ids stay unique while their nodes are alive
        self._path: list[Node] = []

    def run(self, blocks: list[Node]) -> list[Node]:
        """Walk a list of blocks (``doc["blocks"]``) in place and return it."""
        if self.tables:
            self._walk_list(blocks, 0)
        return blocks

    # -- internals --------------------------------------------------------------------------------

    def _walk_list(self, items: list[Any], start: int) -> None:
        index = 0
        while index < len(items):
            item = items[index]
            if isinstance(item, dict) and "t" in item:
                result = self._visit(item, start)
                if result is None:
                    index += 1
                else:
                    items[index : index + 1] = result
                    index += len(result)
            else:
                if isinstance(item, (list, dict)):
                    self._walk_value(item, start)
                index += 1

    def _walk_value(self, value: Any, start: int) -> None:
        if isinstance(value, list):
            self._walk_list(value, start)
        elif isinstance(value, dict):
            for child in value.values():
                if isinstance(child, (list, dict)):
                    self._walk_value(child, start)

    def _visit(self, node: Node, start: int) -> list[Node] | None:
        """Walk the node's children, then apply hooks[start:] to it; a replacement list or None."""
        if id(node) in self._done:
            return None
        children = node.get("c")
        if isinstance(children, list):
            self._path.append(node)
            self._walk_list(children, start)
            self._path.pop()
        result = self._apply(node, start)
        for item in result or (node,):
            self._done.add(id(item))
            self._keep.append(item)
        return result

    def _apply(self, node: Node, start: int) -> list[Node] | None:
        """Hooks from filter ``start`` on, on the node itself (its children are done)."""
        t = node["t"]
        if t not in self.types:
            return None
        for index in range(start, len(self.tables)):
            hook = self.tables[index].get(t)
            if hook is None:
                continue
            outcome = hook(node, self._path)
            if outcome is None:
                continue
            replacement = [outcome] if isinstance(outcome, dict) else list(outcome)
            result: list[Node] = []
            for new in replacement:
                if new is node:
                    result.extend(self._apply(node, index + 1) or [node])
                elif id(new) in self._done:
                    result.append(new)
                else:
                    result.extend(self._visit(new, index + 1) or [new])
            return result
        return None


def walk(blocks: list[Node], hooks: Mapping[str, Hook]) -> list[Node]:
    """One filter's hooks over ``blocks`` (a convenience for small jobs and tests)."""
    return Traversal([hooks]).run(blocks)

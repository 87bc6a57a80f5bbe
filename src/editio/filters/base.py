"""The shape of a filter: declared options, ordering needs, and hooks for the shared traversal.

A filter is a subclass of ``Filter``. Its options are a frozen dataclass (``Options``) read from one
edition.yaml key (``key``); an unknown option or a value of the wrong type is a CFG012 error at its line.
``after``/``before`` name filters it must follow or precede when both are listed (CFG013 otherwise).
``prepare(doc)`` runs before the pass's traversal, the ``hooks()`` during it, ``finalize(doc)`` after it.
A filter that must see the complete output of every filter before it (finalize included) sets
``new_pass``; a whole-document step (citeproc) overrides ``transform`` and always has a pass of its own.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, ClassVar

from ..ast import Node
from ..ast.walk import Hook
from ..errors import Diagnostic, EditionError
from ..load.context import Context
from ..yamlfile import key_line, line_of


@dataclasses.dataclass(frozen=True)
class NoOptions:
    """A filter without options."""


class Filter:
    name: ClassVar[str] = ""
    key: ClassVar[str] = ""  # the edition.yaml key holding the options ("" → none)
    Options: ClassVar[type] = NoOptions
    after: ClassVar[tuple[str, ...]] = ()
    before: ClassVar[tuple[str, ...]] = ()
    new_pass: ClassVar[bool] = False

    def __init__(self, ctx: Context, options: Any):
        self.ctx = ctx
        self.options = options

    def prepare(self, doc: Node) -> None:
        """Before the traversal: read data, check it against the document."""

    def hooks(self) -> Mapping[str, Hook]:
        """Element type → hook, for the shared traversal."""
        return {}

    def finalize(self, doc: Node) -> None:
        """After the traversal: fill placeholders, report what was never used."""

    transform: ClassVar[Any] = None  # (self, doc) -> doc, for whole-document steps


def read_options(cls: type[Filter], raw: Any, file: str | None, fallback_line: int | None) -> Any:
    """The options of ``cls`` from the edition.yaml value ``raw`` (a map with kebab-case keys)."""
    options_type = cls.Options
    fields = {f.name: f for f in dataclasses.fields(options_type)}
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise EditionError(
            Diagnostic(
                "CFG012",
                f"`{cls.key}` must be a map of options, not {type(raw).__name__}",
                file,
                line_of(raw, fallback_line),
            )
        )
    hints = typing.get_type_hints(options_type)
    values: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    for name, value in raw.items():
        attribute = str(name).replace("-", "_")
        line = key_line(raw, name, fallback_line)
        if attribute not in fields:
            known = ", ".join(f.replace("_", "-") for f in fields) or "none"
            problems.append(
                Diagnostic(
                    "CFG012",
                    f"unknown option `{cls.key}.{name}` of filter {cls.name!r}; its options are: {known}",
                    file,
                    line,
                )
            )
            continue
        expected = hints[attribute]
        if not _matches(value, expected):
            problems.append(
                Diagnostic("CFG012", f"`{cls.key}.{name}` must be {_describe(expected)}, not {value!r}", file, line)
            )
            continue
        values[attribute] = _frozen(value)
    if problems:
        raise EditionError(problems)
    return options_type(**values)


def _matches(value: Any, expected: Any) -> bool:
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in args)
    if expected is type(None):
        return value is None
    if expected is bool:
        return isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is str:
        return isinstance(value, str)
    if origin in (tuple, list, frozenset):
        return isinstance(value, list) and all(_matches(v, args[0]) for v in value)
    if origin in (dict, Mapping):
        return isinstance(value, dict) and all(_matches(k, args[0]) and _matches(v, args[1]) for k, v in value.items())
    return isinstance(value, expected)


def _describe(expected: Any, plural: bool = False) -> str:
    """«a string», «a list of strings», «a map of strings to whole numbers» …"""
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a, plural) for a in args if a is not type(None))
    if origin in (tuple, list, frozenset):
        return ("lists" if plural else "a list") + f" of {_describe(args[0], True)}"
    if origin in (dict, Mapping):
        return ("maps" if plural else "a map") + f" of {_describe(args[0], True)} to {_describe(args[1], True)}"
    names = {
        str: ("a string", "strings"),
        int: ("a whole number", "whole numbers"),
        bool: ("true or false", "true or false"),
    }
    return names[expected][plural] if expected in names else str(expected)


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return types.MappingProxyType({str(k): _frozen(v) for k, v in value.items()})
    return value

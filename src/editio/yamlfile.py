"""Reading YAML data files with line numbers kept, so every data error can name its file and line, and with limits
(file size, nesting depth, alias references, size after alias expansion) so a hostile file is refused at once."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import error
from .safepath import read_text_limited


@dataclass(frozen=True)
class YamlLimits:
    """How much a YAML file may hold. The defaults are far above any edition's data and far below harm."""

    max_bytes: int = 4_000_000
    max_depth: int = 64
    max_aliases: int = 10_000
    max_nodes: int = 1_000_000  # scalars, sequences and mappings, counting every alias as the copy it stands for


DEFAULT_LIMITS = YamlLimits()


class LineDict(dict):
    """A mapping from a YAML file that remembers the line it starts on (``.line``, 1-based) and the line of each
    of its keys (``.key_lines``)."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list):
    """A sequence from a YAML file that remembers the line it starts on (``.line``, 1-based)."""

    line: int = 0


# libyaml's parser when present (several times faster); the constructors below are Python either way.
class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    result = LineDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {seen[key]})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line + 1
        result[key] = loader.construct_object(value_node, deep=True)
    result.key_lines = seen
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_with_lines(text: str) -> Any:
    """YAML text as LineDict/LineList values, without the limits (run :func:`check_limits` first)."""
    return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass


def load_yaml(path: Path, display: str | None = None, *, limits: YamlLimits = DEFAULT_LIMITS) -> Any:
    """Parse a YAML file; a syntax error becomes YML001 with the file and line of the problem, a file over the size
    limit YML002, and YML003-YML006 a file that nests, aliases or expands beyond ``limits``.

    Parsed files are remembered by path and content (a preview rebuilds often); each caller gets its own copy."""
    name = display or str(path)
    text = read_text_limited(path, limits.max_bytes, display=name, too_large_code="YML002")
    key = (str(Path(path).resolve()), text, limits)
    if key not in _parsed:
        if len(_parsed) > 64:
            _parsed.clear()
        _parsed[key] = parse_yaml(text, name, limits=limits)
    return copy.deepcopy(_parsed[key])


_parsed: dict[tuple[str, str, YamlLimits], Any] = {}


def parse_yaml(text: str, name: str, *, limits: YamlLimits = DEFAULT_LIMITS) -> Any:
    """Parse YAML text (``name`` is the file shown in diagnostics) with the checks of :func:`load_yaml`."""
    try:
        check_limits(text, name, limits)
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise error("YML001", f"invalid YAML: {problem}; fix the syntax there", name, line, column) from None
    except yaml.YAMLError as exc:
        raise error("YML001", f"invalid YAML: {exc}", name) from None


def check_limits(text: str, name: str, limits: YamlLimits = DEFAULT_LIMITS) -> None:
    """Walk the parser's events (libyaml's parser keeps its own stack, so deep nesting cannot crash it) before any
    node is built: refuse nesting deeper than ``max_depth`` (YML005), more than ``max_aliases`` alias references
    (YML004), an alias inside the node it names (YML006), and a document whose size after alias expansion passes
    ``max_nodes`` (YML003, the "billion laughs"). Sizes are counted per anchor, so the walk is linear in the text."""
    if len(text.encode("utf-8")) > limits.max_bytes:
        raise error(
            "YML002", f"is larger than the limit of {limits.max_bytes:,} bytes; make it smaller or split it", name
        )
    loader = _LineLoader(text)
    try:
        open_nodes: list[list[Any]] = []  # [anchor, expanded size so far] per open sequence or mapping
        anchors: dict[str, int] = {}
        aliases = 0
        while loader.check_event():
            event = loader.get_event()
            line = event.start_mark.line + 1 if event.start_mark else None
            size = 0
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                if len(open_nodes) >= limits.max_depth:
                    raise error("YML005", f"nests deeper than {limits.max_depth} levels; flatten the data", name, line)
                open_nodes.append([event.anchor, 1])
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                anchor, size = open_nodes.pop()
                if anchor is not None:
                    anchors[anchor] = size
            elif isinstance(event, yaml.ScalarEvent):
                size = 1
                if event.anchor is not None:
                    anchors[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > limits.max_aliases:
                    raise error(
                        "YML004",
                        f"uses more than {limits.max_aliases:,} aliases (*name); write the values "
                        "out or use fewer references",
                        name,
                        line,
                    )
                if any(anchor == event.anchor for anchor, _ in open_nodes):
                    raise error(
                        "YML006",
                        f"the alias *{event.anchor} refers to a node that contains it; a data file cannot be recursive",
                        name,
                        line,
                    )
                size = anchors.get(event.anchor, 1)  # an undefined alias is reported by the parser below
            elif isinstance(event, yaml.DocumentStartEvent):
                anchors.clear()
            if size and open_nodes:
                open_nodes[-1][1] += size
                if open_nodes[-1][1] > limits.max_nodes:
                    raise error(
                        "YML003",
                        f"expands to more than {limits.max_nodes:,} values through its aliases "
                        "(an alias bomb?); write the data without nested aliases",
                        name,
                        line,
                    )
    finally:
        loader.dispose()


def line_of(node: Any, default: int | None = None) -> int | None:
    """The line a mapping or sequence from :func:`load_yaml` starts on."""
    return getattr(node, "line", default)


def key_line(mapping: Any, key: Any, default: int | None = None) -> int | None:
    """The line of ``key`` in a mapping from :func:`load_yaml` (its start, or ``default``, for other mappings)."""
    lines = getattr(mapping, "key_lines", None) or {}
    return lines.get(key, line_of(mapping, default))

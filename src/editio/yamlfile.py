"""Reading YAML data files with line numbers kept, so every data error can name its file and line."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from .errors import error
from .sources import read_text


class LineDict(dict):
    """A mapping from a YAML file that remembers the line it starts on (``.line``, 1-based)."""

    line: int = 0


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
                None, None, f"duplicate key {key!r} (first on line {seen[key]})", key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Path, display: str | None = None) -> Any:
    """Parse a YAML file; a syntax error becomes YML001 with the file and line of the problem.

    Parsed files are remembered by path and content, because every output format runs the filters again;
    each caller gets its own copy."""
    name = display or str(path)
    text = read_text(path, display=name)
    key = (str(Path(path).resolve()), text)
    if key not in _parsed:
        if len(_parsed) > 64:
            _parsed.clear()
        _parsed[key] = _parse(text, name)
    return copy.deepcopy(_parsed[key])


_parsed: dict[tuple[str, str], Any] = {}


def _parse(text: str, name: str) -> Any:
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise error("YML001", f"invalid YAML: {problem}; fix the syntax there", name, line, column) from None
    except yaml.YAMLError as exc:
        raise error("YML001", f"invalid YAML: {exc}", name) from None


def line_of(node: Any, default: int | None = None) -> int | None:
    """The line a mapping or sequence from :func:`load_yaml` starts on."""
    return getattr(node, "line", default)

"""The built-in filters and how a declared list of them runs: resolved by name (or by a path inside the
project for an edition's own filter), checked for order, grouped into passes, run once on the neutral AST.

Consecutive filters share one traversal (``editio.ast.walk``); a whole-document step (citeproc) or a filter
with ``new_pass`` starts a new pass. Every filter is also a plain pandoc filter (``editio.filters.pandoc``).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..ast import Node
from ..ast.walk import Traversal
from ..errors import Diagnostic, EditionError
from ..load.context import Context
from .base import Filter, read_options

# name in edition.yaml → module; each module defines FILTER, its Filter subclass.
BUILTIN = (
    "crossref",
    "editorial_notes",
    "faction_chart",
    "citations",
    "glossary",
    "chronology",
    "name_index",
    "citeproc",
    "reference_languages",
    "emendations",
    "pagination",
    "colophon",
    "typography",
)


def filter_class(name: str, ctx: Context | None = None) -> type[Filter]:
    """The Filter class for a name in edition.yaml: a built-in, or ``path/to/file.py`` inside the project."""
    if name in BUILTIN:
        builtin: type[Filter] = importlib.import_module(f"{__name__}.{name}").FILTER
        return builtin
    if name.endswith(".py") and ctx is not None:
        return _project_filter(name, ctx)
    raise KeyError(name)


def _project_filter(name: str, ctx: Context) -> type[Filter]:
    project = ctx.project
    path = project.root / name
    shown = project.display(project.config_file)
    if Path(name).is_absolute() or not project.inside(path):
        raise EditionError(
            Diagnostic(
                "CFG003",
                f"filter {name!r} lies outside the project; an edition's own "
                "filters live inside it (e.g. filters/my_filter.py)",
                shown,
                project.config_line(name),
            )
        )
    if not path.is_file():
        raise EditionError(
            Diagnostic(
                "CFG006",
                f"unknown filter {name!r}: no such file; built-in filters are {', '.join(BUILTIN)}",
                shown,
                project.config_line(name),
            )
        )
    spec = importlib.util.spec_from_file_location(f"editio_project_filter_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    cls = getattr(module, "FILTER", None)
    if not (isinstance(cls, type) and issubclass(cls, Filter)):
        raise EditionError(
            Diagnostic(
                "CFG006",
                f"filter file {name!r} defines no FILTER (a subclass of editio.filters.base.Filter)",
                shown,
                project.config_line(name),
            )
        )
    return cls


def instantiate(names: Sequence[str], config_data: dict[str, Any], ctx: Context) -> list[Filter]:
    """The declared filters with their options read and their order checked (all problems at once)."""
    shown = ctx.project.display(ctx.project.config_file)
    problems: list[Diagnostic] = []
    classes: list[type[Filter]] = []
    for name in names:
        try:
            classes.append(filter_class(name, ctx))
        except KeyError:
            problems.append(
                Diagnostic(
                    "CFG006",
                    f"unknown filter {name!r}; built-in filters are "
                    f"{', '.join(BUILTIN)}, or give a .py file inside the project",
                    shown,
                    ctx.project.config_line(name),
                )
            )
        except EditionError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise EditionError(problems)
    position = {cls.name: index for index, cls in enumerate(classes)}
    for index, cls in enumerate(classes):
        for other in cls.after:
            if other in position and position[other] > index:
                problems.append(
                    Diagnostic(
                        "CFG013",
                        f"filter {cls.name!r} must come after {other!r} in `filters`",
                        shown,
                        ctx.project.config_line("filters"),
                    )
                )
        for other in cls.before:
            if other in position and position[other] < index:
                problems.append(
                    Diagnostic(
                        "CFG013",
                        f"filter {cls.name!r} must come before {other!r} in `filters`",
                        shown,
                        ctx.project.config_line("filters"),
                    )
                )
    filters: list[Filter] = []
    for cls in classes:
        raw = config_data.get(cls.key) if cls.key else None
        try:
            options = read_options(cls, raw, shown, ctx.project.config_line(cls.key) if cls.key else None)
        except EditionError as exc:
            problems.extend(exc.diagnostics)
            continue
        filters.append(cls(ctx, options))
    if problems:
        raise EditionError(problems)
    return filters


def passes(filters: Sequence[Filter]) -> list[list[Filter]]:
    """Consecutive filters grouped into traversals; a whole-document step stands alone."""
    groups: list[list[Filter]] = []
    for f in filters:
        if f.transform is not None or f.new_pass or not groups or groups[-1][0].transform is not None:
            groups.append([f])
        else:
            groups[-1].append(f)
    return groups


def run(doc: Node, filters: Sequence[Filter], ctx: Context) -> Node:
    """Run the filters on ``doc`` (in place where possible); errors are collected in ``ctx.log``."""
    for group in passes(filters):
        if group[0].transform is not None:
            doc = group[0].transform(doc)
            continue
        for f in group:
            f.prepare(doc)
        Traversal([f.hooks() for f in group]).run(doc["blocks"])
        for f in group:
            f.finalize(doc)
    return doc

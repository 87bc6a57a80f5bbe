"""What every filter shares: running under pandoc or in-process with the edition's error handling, plain
text as pandoc inlines, reading a filter's option map, the manuscript's raw text for diagnostics, and
filling a placeholder Div."""

from __future__ import annotations

import sys
from pathlib import Path

import panflute as pf

from .errors import EditionError, error
from .sources import SourceTexts


def run_filter(action, prepare=None, finalize=None, doc: pf.Doc | None = None):
    """panflute's run_filter. In-process (``doc`` given) an EditionError goes on to the build; as a pandoc
    filter it is printed as `file:line: error CODE: …` and the filter exits 1, without a traceback.
    With ``action=None`` only ``prepare`` and ``finalize`` run, without a walk over the whole document."""
    in_process = doc is not None
    try:
        if action is not None:
            return pf.run_filter(action, prepare=prepare, finalize=finalize, doc=doc)
        return _prepare_and_finalize(prepare, finalize, doc)
    except EditionError as problem:
        if in_process:
            raise
        print(problem, file=sys.stderr)
        sys.exit(1)


def _prepare_and_finalize(prepare, finalize, doc: pf.Doc | None) -> pf.Doc:
    """A filter without a per-element action: its two steps on the document (read from pandoc if not given)."""
    in_process = doc is not None
    doc = doc if in_process else pf.load()
    for step in (prepare, finalize):
        if step is not None:
            step(doc)
    if not in_process:
        pf.dump(doc)
    return doc


def within(elem, *types) -> bool:
    """True when an ancestor of ``elem`` is one of ``types`` (e.g. a Note, or the metadata)."""
    node = elem.parent
    while node is not None:
        if isinstance(node, types):
            return True
        node = node.parent
    return False


def text_inlines(text: str) -> list[pf.Inline]:
    """A plain string as Str and Space elements; only ordinary spaces separate words (a no-break space stays
    inside its Str, where the writers keep it)."""
    inlines: list[pf.Inline] = []
    for word in str(text).split(" "):
        if not word:
            continue
        if inlines:
            inlines.append(pf.Space())
        inlines.append(pf.Str(word))
    return inlines


def read_options(doc: pf.Doc, key: str, config_type, code: str, example: str) -> dict:
    """The metadata map ``key`` (removed from the document) checked against the fields of ``config_type``:
    kebab-case names, `class` for `div_class`, `skip` a list of strings, everything else a string. All
    problems are raised at once as ``code``."""
    options = doc.get_metadata(key, default={})
    if key in doc.metadata.content:
        del doc.metadata[key]
    if not isinstance(options, dict):
        raise error(code, f"metadata `{key}` must be a map, not {type(options).__name__}; write e.g. `{example}`")
    values: dict = {}
    problems = []
    for name, value in options.items():
        attribute = "div_class" if name == "class" else name.replace("-", "_")
        if attribute not in config_type.__dataclass_fields__ or attribute == "display":
            problems.append(f"unknown option `{key}.{name}`; the options are listed in the filter's docstring")
        elif attribute == "skip":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append(f"`{key}.skip` must be a list of classes or ids")
            else:
                values["skip"] = frozenset(value)
        elif not isinstance(value, str):
            problems.append(f"`{key}.{name}` must be a string, not {type(value).__name__}")
        else:
            values[attribute] = value
    if problems:
        raise EditionError([error(code, p).diagnostics[0] for p in problems])
    return values


def manuscript_sources(doc: pf.Doc) -> SourceTexts:
    """The raw text of the manuscript files the build names in metadata ``source-files``, by the name
    diagnostics show (relative to the project root, the manuscript folder's parent), to find lines in."""
    sources = SourceTexts()
    base = doc.get_metadata("manuscript-dir", default=None)
    root = Path(str(base)).resolve().parent if base else Path.cwd()
    for name in doc.get_metadata("source-files", default=[]) or []:
        path = Path(str(name))
        try:
            shown = path.resolve().relative_to(root).as_posix()
        except ValueError:
            shown = path.name
        try:
            sources.add(shown, path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue  # the build has read and checked every listed file before the filters run
    return sources


def fill_div(doc: pf.Doc, div_class: str, blocks: list[pf.Block]) -> None:
    """Append ``blocks`` to every Div of class ``div_class`` (the manuscript's placeholder)."""

    def fill(elem, _doc):
        if isinstance(elem, pf.Div) and div_class in elem.classes:
            elem.content = [*elem.content, *blocks]
            return elem
        return None

    doc.walk(fill)

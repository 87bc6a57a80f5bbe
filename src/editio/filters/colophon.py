"""Colophon: fills the Div ``.colophon`` with what this build was made from and how to check it.

Reads the metadata the load stage sets (``source-revision``, ``tool-versions``, ``build-date``,
``identifier``) and the edition's ``licence-text``. Option (edition.yaml key ``colophon``):
``checksums-file`` (default ``SHA256SUMS``). A document without a ``.colophon`` Div is left as it is; a
missing value prints as the catalogue's ``colophon-unknown``. No marks: a definition list (labels that never break)
and one paragraph, in the document's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ast import NBSP, DefinitionList, Para, Plain, Str, has_class, stringify, text_inlines
from .base import Filter

CLASS = "colophon"


@dataclass(frozen=True)
class Options:
    checksums_file: str = "SHA256SUMS"


def unbroken(text: str) -> list[dict]:
    """A short phrase that must not break across lines («CC BY 4.0», a label)."""
    return [Str(NBSP.join(text.split()))] if text.strip() else []


class Colophon(Filter):
    name = "colophon"
    key = "colophon"
    Options = Options

    def prepare(self, doc: dict) -> None:
        meta = doc["meta"]
        unknown = self.ctx.text("colophon-unknown")

        def value(key: str) -> str:
            found = " ".join(stringify(meta.get(key, [])).split())
            return found or unknown

        self.values = {
            "revision": value("source-revision"),
            "tools": value("tool-versions"),
            "build-date": value("build-date"),
            "identifier": value("identifier"),
            "licence": value("licence-text"),
            "unknown": unknown,
        }

    def hooks(self):
        return {"Div": self.fill}

    def fill(self, node: dict, _path: list) -> None:
        if has_class(node, CLASS):
            node["c"][1].extend(self.blocks())

    def blocks(self) -> list[dict]:
        text, v = self.ctx.text, self.values

        def code_or_text(value: str) -> list[dict]:
            return [{"t": "Code", "c": [["", [], []], value]}] if value != v["unknown"] else text_inlines(value)

        licence = v["licence"]
        rows = [
            ("colophon-revision", code_or_text(v["revision"])),
            ("colophon-tools", text_inlines(v["tools"])),
            ("colophon-build-date", unbroken(v["build-date"])),
            ("colophon-identifier", code_or_text(v["identifier"])),
            ("colophon-licence", unbroken(licence) if len(licence) <= 24 else text_inlines(licence)),
        ]
        items = [(unbroken(text(key)), [[Plain(value)]]) for key, value in rows]
        return [DefinitionList(items), Para(text_inlines(text("colophon-checksums", file=self.options.checksums_file)))]


FILTER = Colophon

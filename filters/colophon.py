#!/usr/bin/env python3
"""Colophon: fill the Div ``.colophon`` with what this build was made from and how to check it.

Reads the metadata the build sets (``source-revision``, ``tool-versions``, ``build-date``,
``identifier``) and the edition's ``licence-text``; the optional key ``colophon`` (a map, removed
from the output) may give ``checksums-file`` (default ``SHA256SUMS``). A document without a
``.colophon`` Div is left as it is. Missing build values are printed as «не указано».
"""

from __future__ import annotations

from dataclasses import dataclass

import panflute as pf

from editio.errors import error
from editio.filterkit import run_filter, text_inlines

CLASS = "colophon"
UNKNOWN = "не указано"


@dataclass(frozen=True)
class Config:
    """The filter's options and the values it prints."""

    checksums_file: str = "SHA256SUMS"
    revision: str = UNKNOWN
    tools: str = UNKNOWN
    date: str = UNKNOWN
    identifier: str = UNKNOWN
    licence: str = UNKNOWN


def _code_or_text(text: str) -> list:
    return [pf.Code(text)] if text != UNKNOWN else text_inlines(text)


def colophon_blocks(config: Config) -> list:
    """The colophon as a definition-like list of short paragraphs."""
    rows = [
        ("Редакция исходных файлов", _code_or_text(config.revision)),
        ("Инструменты", text_inlines(config.tools)),
        ("Дата сборки", text_inlines(config.date)),
        ("Идентификатор издания", _code_or_text(config.identifier)),
        ("Лицензия", text_inlines(config.licence)),
    ]
    blocks = [pf.Para(pf.Strong(*text_inlines(label + ":")), pf.Space(), *value) for label, value in rows]
    blocks.append(pf.Para(*text_inlines(
        "Контрольные суммы SHA-256 всех файлов издания (PDF, EPUB, HTML) записаны в файле"),
        pf.Space(), pf.Code(config.checksums_file), pf.Str(","), pf.Space(), *text_inlines(
        "который лежит рядом с ними; файл не может содержать собственную сумму, поэтому суммы "
        "приводятся отдельно. Сборка воспроизводима: те же исходные файлы той же редакции и те же "
        "версии инструментов дают побайтно те же файлы.")))
    return blocks


def configure(doc) -> Config:
    """Read and remove the ``colophon`` key; collect the build's values."""
    options = doc.get_metadata("colophon", default={})
    if "colophon" in doc.metadata.content:
        del doc.metadata["colophon"]
    if not isinstance(options, dict):
        raise error("COL001", f"metadata key 'colophon' must be a map, not {type(options).__name__}; "
                              "write e.g. 'colophon: {checksums-file: SHA256SUMS}'")
    checksums = options.get("checksums-file", Config.checksums_file)
    if not isinstance(checksums, str) or not checksums:
        raise error("COL001", f"'colophon.checksums-file' must be a file name, not {checksums!r}")

    def value(key: str) -> str:
        found = doc.get_metadata(key, default=None)
        return " ".join(str(found).split()) if found not in (None, "") else UNKNOWN

    config = Config(checksums_file=checksums, revision=value("source-revision"), tools=value("tool-versions"),
                    date=value("build-date"), identifier=value("identifier"), licence=value("licence-text"))
    doc.colophon = config
    return config


def colophon(elem, doc):
    """panflute action: append the colophon's paragraphs to each ``.colophon`` Div."""
    if isinstance(elem, pf.Div) and CLASS in elem.classes:
        elem.content.extend(colophon_blocks(doc.colophon))
        return elem
    return None


def main(doc=None):
    """Run as a pandoc JSON filter, or in-process on ``doc``."""
    return run_filter(colophon, prepare=configure, doc=doc)


if __name__ == "__main__":
    main()

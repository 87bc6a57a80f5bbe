#!/usr/bin/env python3
"""Original pagination: turn the empty page-start spans ``[]{.page n=N}`` into page markers.

Reads the optional metadata key ``pagination`` (a map, removed from the output):

``label``
    The abbreviation printed before the page number in the PDF margin; default ``с.``.

PDF (typst): a thin grey bar in the line where the printed page began and the number in the outer
margin of that line (a zero-width box whose placed content is moved into the margin, so it never
touches the footnotes). HTML: ``<span class="page" id="page-N" role="doc-pagebreak" aria-label="N">``.
EPUB: the same span with ``epub:type="pagebreak"``; ``editio.writers.epub_pagelist`` then builds the
page-list navigation from those spans. A page number that is not a positive integer is PAG001;
page numbers that do not increase are PAG002 (a warning): both name the manuscript file and line.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from html import escape

import panflute as pf

from editio.errors import DiagnosticLog
from editio.filterkit import manuscript_sources, run_filter

PAGE_CLASS = "page"
# panflute 2.3 does not list typst among raw formats; without this a document holding raw typst
# cannot be loaded again by the filters that run after this one.
pf.elements.RAW_FORMATS.add("typst")

# The typst helper the PDF markers call; defined once in the header. The box has no width, so the
# line is laid out as if the marker were not there; `place` moves the number into the outer margin.
TYPST_MARKER = r"""#let edition-page-marker(n, label: "%(label)s") = {
  h(0pt, weak: true)
  text(fill: luma(60%%), size: 7pt, baseline: -0.15em)[|]
  box(width: 0pt, context {
    let pos = here().position()
    let m = page.margin
    let outside = if type(m) == dictionary and "outside" in m and m.outside != auto { m.outside } else { 15mm }
    let odd = calc.odd(here().page())
    let w = 14mm
    let x = if odd { page.width - outside + 2.5mm } else { outside - 2.5mm - w }
    place(dx: x - pos.x, box(width: w, align(if odd { left } else { right },
      text(size: 7pt, fill: luma(35%%), style: "normal", weight: "regular", hyphenate: false)[#label~#n])))
  })
}"""


@dataclass(frozen=True)
class Config:
    """The filter's options, read from the ``pagination`` metadata key."""

    label: str = "с."


@dataclass(frozen=True)
class PageStart:
    """One page start as the manuscript marks it."""

    number: str
    file: str | None = None
    line: int | None = None


# --- pure helpers ------------------------------------------------------------------------------

def page_id(number: str) -> str:
    """The element id of a page start: ``page-122``."""
    return f"page-{number}"


def typst_marker(number: str) -> pf.RawInline:
    # The trailing ";" ends the call, so a following ".word" is never read as a field access.
    return pf.RawInline(f'#edition-page-marker("{number}");', format="typst")


def html_marker(number: str) -> pf.Span:
    return pf.Span(pf.Str(number), identifier=page_id(number), classes=[PAGE_CLASS],
                   attributes={"role": "doc-pagebreak", "aria-label": number})


def epub_marker(number: str) -> pf.RawInline:
    # pandoc drops or prefixes unknown attributes on Spans; epub:type has to be written as raw XHTML.
    n = escape(number, quote=True)
    return pf.RawInline(f'<span class="{PAGE_CLASS}" epub:type="pagebreak" role="doc-pagebreak" '
                        f'id="{page_id(n)}" aria-label="{n}">{n}</span>', format="html")


def page_marker(number: str, fmt: str):
    """The inline that stands for a page start in output format ``fmt``."""
    if fmt == "typst":
        return typst_marker(number)
    if fmt.startswith("epub"):
        return epub_marker(number)
    if fmt.startswith("html"):
        return html_marker(number)
    return pf.Span(identifier=page_id(number), classes=[PAGE_CLASS], attributes={"n": number})


def check_sequence(pages: list[PageStart], log: DiagnosticLog) -> None:
    """Page numbers must be positive integers (PAG001) and increase through the text (PAG002)."""
    previous = None
    for page in pages:
        if not re.fullmatch(r"[1-9]\d*", page.number):
            log.add("PAG001", f"page marker has n={page.number!r}; write the printed page number, "
                              "e.g. []{.page n=123}", page.file, page.line)
            continue
        value = int(page.number)
        if previous is not None and value <= previous:
            log.add("PAG002", f"page {value} follows page {previous}; page markers should increase "
                              "through the text", page.file, page.line, severity="warning")
        previous = value


# --- configuration and the action --------------------------------------------------------------

def configure(doc) -> Config:
    """Read and remove the ``pagination`` metadata key; check every page marker once."""
    options = doc.get_metadata("pagination", default={})
    if "pagination" in doc.metadata.content:
        del doc.metadata["pagination"]
    log = DiagnosticLog()
    if not isinstance(options, dict):
        log.add("PAG003", f"metadata key 'pagination' must be a map, not {type(options).__name__}; "
                          "write e.g. 'pagination: {label: \"с.\"}'")
        log.raise_if_errors()
    label = options.get("label", Config.label)
    if not isinstance(label, str):
        log.add("PAG003", f"'pagination.label' must be a string, not {type(label).__name__}")
    sources = manuscript_sources(doc)
    pages = []

    def collect(elem, _doc):
        if isinstance(elem, pf.Span) and PAGE_CLASS in elem.classes:
            number = elem.attributes.get("n", "")
            file, line = sources.locate(f"n={number}}}") if number else (None, None)
            pages.append(PageStart(number, file, line))

    doc.walk(collect)
    check_sequence(pages, log)
    for warning in log.warnings:
        print(warning, file=sys.stderr)
    log.raise_if_errors()
    config = Config(label=label)
    doc.pagination = config
    if doc.format == "typst" and pages:
        add_header_include(doc, pf.RawBlock(TYPST_MARKER % {"label": label.replace('"', '\\"')},
                                            format="typst"))
    return config


def add_header_include(doc, block: pf.RawBlock) -> None:
    """Append ``block`` to the ``header-includes`` metadata, whatever form it has so far."""
    current = doc.metadata.content.get("header-includes") if "header-includes" in doc.metadata.content else None
    if current is None:
        doc.metadata["header-includes"] = pf.MetaList(pf.MetaBlocks(block))
    elif isinstance(current, pf.MetaList):
        current.append(pf.MetaBlocks(block))
    else:
        doc.metadata["header-includes"] = pf.MetaList(current, pf.MetaBlocks(block))


def pagination(elem, doc):
    """panflute action: replace each page-start span by the output format's marker."""
    if isinstance(elem, pf.Span) and PAGE_CLASS in elem.classes and "n" in elem.attributes:
        return page_marker(elem.attributes["n"], doc.format or "")
    return None


def main(doc=None):
    """Run as a pandoc JSON filter, or in-process on ``doc``."""
    return run_filter(pagination, prepare=configure, doc=doc)


if __name__ == "__main__":
    main()

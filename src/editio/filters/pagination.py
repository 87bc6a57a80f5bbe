"""Original pagination: checks the page-start spans ``[]{.page n=N}`` and gives each its label.

Options (edition.yaml key ``pagination``):

``label``
    The abbreviation printed before the page number in the PDF margin; default: the catalogue's
    ``page-abbrev`` for the document's language («с.», «p.», «S.»).

Neutral mark: ``Span.page{n=N label=L}`` (empty). Lowering makes it a margin number in the PDF, a
``doc-pagebreak`` span in HTML and an ``epub:type="pagebreak"`` span in EPUB (from which the EPUB writer
builds the page list). A page number that is not a positive integer is PAG001; page numbers that do not
increase are PAG002 (a warning): both name the manuscript file and line.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..ast import get, has_class, set_attr
from ..ast.pages import page_markers
from ..errors import DiagnosticLog
from ..sources import SourceTexts
from .base import Filter

PAGE_CLASS = "page"


@dataclass(frozen=True)
class Options:
    label: str | None = None


@dataclass(frozen=True)
class PageStart:
    """One page start as the manuscript marks it."""

    number: str
    file: str | None = None
    line: int | None = None


def check_sequence(pages: list[PageStart], log: DiagnosticLog) -> None:
    """Page numbers must be positive integers (PAG001) and increase through the text (PAG002)."""
    previous = None
    for page in pages:
        if not re.fullmatch(r"[1-9]\d*", page.number):
            log.add(
                "PAG001",
                f"page marker has n={page.number!r}; write the printed page number, e.g. []{{.page n=123}}",
                page.file,
                page.line,
            )
            continue
        value = int(page.number)
        if previous is not None and value <= previous:
            log.add(
                "PAG002",
                f"page {value} follows page {previous}; page markers should increase through the text",
                page.file,
                page.line,
                severity="warning",
            )
        previous = value


def locate_marker(sources: SourceTexts, number: str, earlier: int) -> tuple[str | None, int | None]:
    """File and line of the page marker with ``n=number`` (quoted or not) after ``earlier`` markers with the
    same number (a repeated page is reported where it repeats); a marker without ``n`` is found by its class."""
    if number:
        pattern = re.compile(r"\bn=([\"']?)" + re.escape(number) + r"\1(?=[\s}])")
    else:
        pattern = re.compile(r"\{(?![^{}]*\bn=)[^{}]*\.page(?![\w-])[^{}]*\}")
    places = [
        (name, text.count("\n", 0, match.start()) + 1)
        for name, text in sources.texts.items()
        for match in pattern.finditer(text)
    ]
    if not places:
        return None, None
    return places[min(earlier, len(places) - 1)]


class Pagination(Filter):
    name = "pagination"
    key = "pagination"
    Options = Options

    def prepare(self, doc: dict) -> None:
        sources = self.ctx.sources
        pages = []
        seen: Counter[str] = Counter()
        for node in page_markers(doc["blocks"], PAGE_CLASS):
            number = get(node, "n", "") or ""
            pages.append(PageStart(number, *locate_marker(sources, number, seen[number])))
            seen[number] += 1
        check_sequence(pages, self.ctx.log)
        self.label = self.options.label if self.options.label is not None else self.ctx.text("page-abbrev")

    def hooks(self):
        return {"Span": self.mark}

    def mark(self, node: dict, _path: list) -> None:
        if has_class(node, PAGE_CLASS) and get(node, "n") is not None:
            set_attr(node, "label", self.label)
            node["c"][1] = []


FILTER = Pagination

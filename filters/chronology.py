#!/usr/bin/env python3
"""Chronology: anchors each event of ``chronology.yaml`` at the phrase that tells it and fills ``.chronology``.

Reads the optional metadata key ``chronology`` (a map, removed from the output):

``data``
    The events file, relative to the manuscript folder (metadata ``manuscript-dir``, else the working
    directory); default ``chronology.yaml``. Its format: ``editio.chronology``.
``class``
    Class of the Div the chronology is written into; default ``chronology``.
``skip``
    Classes or ids of Divs not searched for anchors; default ``name-index``, ``chronology``, ``glossary``,
    ``bibliography``, ``refs``, ``faction-chart``, ``chart-alt`` and ``noindex``. Headings, citations,
    code and raw output are never searched.
``page-class`` / ``page-attribute``
    The empty Span that marks where a page of the original printing begins; default ``page`` / ``n``.
``page-prefix`` / ``text-link``
    The link's words: ``с.`` before a page number; ``в тексте`` where no page is known.

The anchor phrase is matched across Str, Space and Span boundaries (the text may already carry other
filters' marks), with spaces, dashes and quote characters compared loosely. An empty Span ``#chron-NN``
(raw typst ``#metadata(..)<chron-NN>`` in PDF) is put where the phrase begins; the chronology is a
definition list in date order, each event linking to that place under its page number (the typst page
in PDF, the original page from the nearest preceding page marker in HTML and EPUB).
Diagnostics: CHR001–CHR004 and CHR007 (see ``editio.chronology``); CHR005 an anchor not found,
CHR006 an anchor found more than once (both errors, with the data file's line).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import panflute as pf

from editio.chronology import Event, in_date_order, parse_events, russian_date
from editio.config import data_file
from editio.errors import DiagnosticLog
from editio.textsearch import deep_text, insert_before, normalise, words_pattern
from editio.yamlfile import load_yaml
from editio.filterkit import fill_div, read_options, run_filter, text_inlines

NBSP = "\u00a0"
# panflute 2.3 predates pandoc's typst writer and rejects RawInline(format="typst") unless told about it.
pf.elements.RAW_FORMATS.add("typst")
ANCHOR_CLASS = "chron-anchor"
# Scoped to the chronology Div's block: entries flush left, wrapped lines indented.
TYPST_PARAGRAPHS = "#set par(first-line-indent: 0em, hanging-indent: 1.2em, justify: false)"


@dataclass(frozen=True)
class Config:
    """The filter's options, read from the ``chronology`` metadata key."""

    data: Path = Path("chronology.yaml")
    display: str = "chronology.yaml"
    div_class: str = "chronology"
    skip: frozenset[str] = frozenset({"name-index", "chronology", "glossary", "bibliography", "refs",
                                          "faction-chart", "chart-alt", "noindex"})
    page_class: str = "page"
    page_attribute: str = "n"
    page_prefix: str = "с."
    text_link: str = "в тексте"


def configure(doc: pf.Doc) -> Config:
    """Read and remove the ``chronology`` metadata key; resolve the data file against the manuscript."""
    values = read_options(doc, "chronology", Config, "CHR001", "chronology: {data: chronology.yaml}")
    path, display = data_file(doc, values.pop("data", "chronology.yaml"), "chronology.data")
    return Config(data=path, display=display, **values)


# --- pure helpers ------------------------------------------------------------------------------

def anchor_id(number: int) -> str:
    return f"chron-{number:02d}"


def anchor_element(identifier: str, typst: bool) -> pf.Inline:
    if typst:
        return pf.RawInline(f'#metadata("{identifier}")<{identifier}>', format="typst")
    return pf.Span(identifier=identifier, classes=[ANCHOR_CLASS])


def reference(identifier: str, page: str | None, config: Config, typst: bool) -> pf.Inline:
    """The link from the chronology to the place in the text."""
    if typst:
        return pf.RawInline(f"#link(<{identifier}>)[{config.page_prefix}{NBSP}"
                            f"#context counter(page).at(<{identifier}>).first()]", format="typst")
    label = f"{config.page_prefix}{NBSP}{page}" if page else config.text_link
    return pf.Link(*text_inlines(label), url=f"#{identifier}")


def chronology_blocks(events: list[tuple[Event, str, str | None]], config: Config, typst: bool) -> list[pf.Block]:
    """The chronology in date order, each event linked to its place in the text.

    HTML and EPUB get a definition list (a date is one term, one definition per event); typst gets one
    paragraph per event, «**1946 г.** — text — с. 8», with a hanging indent, since typst's term list
    would put every description below its date."""
    if typst:
        blocks: list[pf.Block] = [pf.RawBlock(TYPST_PARAGRAPHS, format="typst")]
        for event, identifier, page in events:
            blocks.append(pf.Para(pf.Strong(*text_inlines(russian_date(event.parts))), pf.Str(NBSP + "—"),
                                  pf.Space(), *event_inlines(event, identifier, page, config, typst)))
        return blocks
    items: list[pf.DefinitionItem] = []
    last_term = None
    for event, identifier, page in events:
        paragraph = pf.Para(*event_inlines(event, identifier, page, config, typst))
        term = russian_date(event.parts)
        if term == last_term:
            items[-1].definitions.append(pf.Definition(paragraph))
        else:
            items.append(pf.DefinitionItem(text_inlines(term), [pf.Definition(paragraph)]))
        last_term = term
    return [pf.DefinitionList(*items)] if items else []


def event_inlines(event: Event, identifier: str, page: str | None, config: Config, typst: bool) -> list[pf.Inline]:
    """«text — с. 8», the page reference tied to the dash."""
    return [*text_inlines(event.text), pf.Str(NBSP + "—" + NBSP), reference(identifier, page, config, typst)]


# --- finding the anchors -----------------------------------------------------------------------

def inline_lists(doc: pf.Doc, config: Config):
    """Every inline list of the running text, in reading order (a note after the text that calls it)."""
    def skipped(div: pf.Div) -> bool:
        return div.identifier in config.skip or any(c in config.skip for c in div.classes)

    def notes(inlines):
        for elem in inlines:
            if isinstance(elem, pf.Note):
                yield from blocks(elem.content)
            elif hasattr(elem, "content") and isinstance(elem, pf.Inline) and not isinstance(elem, pf.Cite):
                yield from notes(elem.content)

    def blocks(items):
        for block in items:
            if isinstance(block, (pf.Header, pf.CodeBlock, pf.RawBlock, pf.HorizontalRule)):
                continue
            if isinstance(block, pf.Div) and skipped(block):
                continue
            if isinstance(block, (pf.Para, pf.Plain, pf.LineItem)):
                yield block.content
                yield from notes(block.content)
            elif isinstance(block, pf.DefinitionItem):
                yield block.term
                yield from notes(block.term)
                yield from blocks(block.definitions)
            elif isinstance(block, pf.Table):
                for part in (block.head, *block.content, block.foot):
                    if part is not None:
                        yield from blocks(part.content)
            elif hasattr(block, "content"):
                yield from blocks(block.content)

    yield from blocks(doc.content)


def find_anchors(doc: pf.Doc, events: list[Event], config: Config) -> dict[int, list[tuple]]:
    """For each event (by position), the origins in the text where its anchor phrase begins."""
    found: dict[int, list[tuple]] = {number: [] for number in range(len(events))}
    by_phrase: dict[str, list[int]] = {}
    for number, event in enumerate(events):
        by_phrase.setdefault(normalise(event.anchor), []).append(number)
    patterns = {phrase: words_pattern([phrase]) for phrase in by_phrase}
    for inlines in inline_lists(doc, config):
        text = deep_text(inlines, skip_classes=frozenset({config.page_class}))
        for phrase, numbers in by_phrase.items():
            for match in patterns[phrase].finditer(text.text):
                for number in numbers:
                    found[number].append(text.origins[match.start()])
    return found


def anchor_pages(doc: pf.Doc, config: Config) -> dict[str, str | None]:
    """The original page each anchor Span stands on (from the nearest preceding page marker)."""
    pages: dict[str, str | None] = {}
    current: list[str | None] = [None]

    def visit(elem, doc):
        if isinstance(elem, pf.Span) and config.page_class in elem.classes:
            current[0] = elem.attributes.get(config.page_attribute) or current[0]
        elif isinstance(elem, pf.Span) and ANCHOR_CLASS in elem.classes:
            pages[elem.identifier] = current[0]

    doc.walk(visit)
    return pages


# --- the filter --------------------------------------------------------------------------------

def chronology(doc: pf.Doc, config: Config) -> pf.Doc:
    """Anchor every event in the text and fill the chronology Div(s); raises EditionError on bad data."""
    log = DiagnosticLog()
    events = parse_events(load_yaml(config.data, config.display), config.display, log)
    log.raise_if_errors()
    typst = doc.format == "typst"
    found = find_anchors(doc, events, config)
    ordered = in_date_order(events)
    identifiers = {id(event): anchor_id(number) for number, event in enumerate(ordered, start=1)}
    insertions = []
    for number, event in enumerate(events):
        origins = found[number]
        if not origins:
            log.add("CHR005", f"anchor {event.anchor!r} of the event dated {event.date} is not in the text; "
                    "copy an exact phrase of the text that tells the event", config.display, event.line)
        elif len(origins) > 1:
            log.add("CHR006", f"anchor {event.anchor!r} of the event dated {event.date} occurs {len(origins)} "
                    "times in the text; lengthen it until it occurs once", config.display, event.line)
        else:
            insertions.append((origins[0], identifiers[id(event)]))
    for warning in log.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    log.raise_if_errors()
    # Later offsets first, so a Str split for one anchor does not move another anchor in it.
    for origin, identifier in sorted(insertions, key=lambda item: -item[0][1]):
        insert_before(origin, anchor_element(identifier, typst))
    pages = {} if typst else anchor_pages(doc, config)
    rows = [(event, identifiers[id(event)], pages.get(identifiers[id(event)])) for event in ordered]
    blocks = chronology_blocks(rows, config, typst)

    fill_div(doc, config.div_class, blocks)
    return doc


def main(doc: pf.Doc | None = None) -> pf.Doc | None:
    """Run as a pandoc JSON filter, or in-process on ``doc``: one step over the whole document, no walk."""
    return run_filter(None, finalize=lambda doc: chronology(doc, configure(doc)), doc=doc)


if __name__ == "__main__":
    main()

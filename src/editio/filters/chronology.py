"""Chronology: anchors each event of the data file at the phrase of the text that tells it and lists the events
in date order, each with the way to its place.

Options (edition.yaml key ``chronology``):

``data``
    The events file, relative to the manuscript folder; default ``chronology.yaml`` (format:
    ``editio.chronology``).
``div-class``
    The class of the Div the list goes into; default ``chronology``.
``skip``
    Classes or ids of Divs not searched for anchors; default ``name-index``, ``chronology``, ``glossary``,
    ``bibliography``, ``refs``, ``faction-chart``, ``chart-alt`` and ``noindex``. Headings, citations, code and
    raw output are never searched.
``page-class`` / ``page-attribute``
    The empty Span that marks where a page of the original printing begins; default ``page`` / ``n``.
``page-prefix``
    The abbreviation before a page number; default the catalogue's ``page-abbrev`` («с.», «p.»).
``text-link``
    The link's words where no original page is known; default the catalogue's ``chronology-text-link``.

The anchor phrase is matched across Str, Space and Span boundaries (the text may carry other filters' marks),
with spaces, dashes and quote characters compared loosely. Neutral marks: ``Span.anchor#chron-NN`` (empty)
where the phrase begins, NN counting the events in date order; in the Div ``.chronology`` a
``Div.chronology-list`` holding a DefinitionList (a date, in the catalogue's words, is one term; one definition
per event: «text — » and ``Span.pageref{target=chron-NN label=с.}`` whose content is the screen text: «с. 122»
from the nearest preceding original page marker, or «в тексте»). Print lowers the list to one paragraph per
event with a hanging indent and the typst page. Diagnostics: CHR001–CHR004 and CHR007 (see
``editio.chronology``); CHR005 an anchor not found, CHR006 an anchor found more than once (errors at the data
file's line); CHR008 (a warning) events but no Div to list them in.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ast import NBSP, DefinitionList, Div, Para, Span, Str, has_class, text_inlines
from ..ast.text import insert_at, normalise
from ..chronology import Event, TextScanner, date_words, find_phrases, in_date_order, parse_events
from .base import Filter

ANCHOR_CLASS = "anchor"
LIST_CLASS = "chronology-list"
SKIP = ("name-index", "chronology", "glossary", "bibliography", "refs", "faction-chart", "chart-alt", "noindex")


@dataclass(frozen=True)
class Options:
    data: str = "chronology.yaml"
    div_class: str = "chronology"
    skip: tuple[str, ...] = SKIP
    page_class: str = "page"
    page_attribute: str = "n"
    page_prefix: str | None = None
    text_link: str | None = None


def anchor_id(number: int) -> str:
    return f"chron-{number:02d}"


@dataclass(frozen=True)
class Entry:
    """One line of the chronology: the event, its date in words, its anchor and the original page there."""

    event: Event
    date: str
    target: str
    page: str | None


def chronology_list(entries: list[Entry], page_label: str, page_words, text_link: str) -> dict:
    """``Div.chronology-list``: a definition list in date order; events of one date share their term."""
    items: list[tuple[list, list[list], str]] = []
    for entry in entries:
        reference = Span(
            text_inlines(page_words(entry.page)) if entry.page else text_inlines(text_link),
            classes=["pageref"],
            attributes={"target": entry.target, "label": page_label},
        )
        definition = [Para([*text_inlines(entry.event.text), Str(f"{NBSP}—{NBSP}"), reference])]
        if items and entry.date == items[-1][2]:
            items[-1][1].append(definition)
        else:
            items.append((text_inlines(entry.date), [definition], entry.date))
    return Div(
        [DefinitionList((term, definitions) for term, definitions, _date in items)] if items else [],
        classes=[LIST_CLASS],
    )


class Chronology(Filter):
    name = "chronology"
    key = "chronology"
    Options = Options

    def prepare(self, doc: dict) -> None:
        ctx, options = self.ctx, self.options
        data, shown = ctx.load_data(options.data, "chronology.data")
        log = ctx.log
        events = parse_events(data, shown, log)
        ordered = in_date_order(events)
        targets = {id(event): anchor_id(number) for number, event in enumerate(ordered, start=1)}
        scanner = TextScanner(frozenset(options.skip), options.page_class, options.page_attribute)
        found = find_phrases(scanner.scan(doc["blocks"]), {normalise(event.anchor) for event in events})
        places = {}
        for event in events:
            origins = found.get(normalise(event.anchor), [])
            if not origins:
                log.add(
                    "CHR005",
                    f"anchor {event.anchor!r} of the event dated {event.date} is not in the text; "
                    "copy an exact phrase of the text that tells the event",
                    shown,
                    event.line,
                )
            elif len(origins) > 1:
                log.add(
                    "CHR006",
                    f"anchor {event.anchor!r} of the event dated {event.date} occurs {len(origins)} "
                    "times in the text; lengthen it until it occurs once",
                    shown,
                    event.line,
                )
            else:
                places[id(event)] = origins[0]
        # Later places of a list first, so an earlier place still points at its character.
        for key, place in sorted(
            places.items(), key=lambda item: (-item[1].origin.index, -(item[1].origin.offset or 0))
        ):
            insert_at(place.origin, Span([], identifier=targets[key], classes=[ANCHOR_CLASS]))
        self.entries = [
            Entry(
                event,
                date_words(event.parts, ctx.text),
                targets[id(event)],
                places[id(event)].page if id(event) in places else None,
            )
            for event in ordered
        ]
        self.page_label = options.page_prefix if options.page_prefix is not None else ctx.text("page-abbrev")
        self.text_link = options.text_link if options.text_link is not None else ctx.text("chronology-text-link")
        self.listed = False

    def page_words(self, page: str) -> str:
        if self.options.page_prefix is None:
            return self.ctx.text("page-ref", page=page)
        return f"{self.page_label}{NBSP}{page}"

    def hooks(self):
        return {"Div": self.fill_list}

    def fill_list(self, node: dict, _path: list) -> dict | None:
        """The list goes into the Div as a new node, so the filters after this one walk it."""
        if not has_class(node, self.options.div_class):
            return None
        self.listed = True
        listing = chronology_list(self.entries, self.page_label, self.page_words, self.text_link)
        return {"t": "Div", "c": [node["c"][0], [*node["c"][1], listing]]}

    def finalize(self, doc: dict) -> None:
        if not self.listed and self.entries:
            self.ctx.warn(
                "CHR008",
                f"no Div .{self.options.div_class} in the text, so the chronology is not "
                f"printed; add '::: {self.options.div_class}' to the back matter",
            )


FILTER = Chronology

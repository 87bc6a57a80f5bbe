"""Index of names: marks every occurrence of every person's forms in the text and fills the ``.name-index`` Div.

Options (edition.yaml key ``name-index``):

``data``
    The persons file (format: :mod:`editio.persons`), relative to the manuscript folder; default ``persons.yaml``.
``div-class``
    Class of the Div the index is written into; default ``name-index``.
``skip``
    Classes or ids of Divs whose text is not indexed; default the index itself, ``chronology``, ``glossary``,
    ``bibliography``, ``refs``, ``faction-chart``, ``chart-alt`` (generated editorial matter) and ``noindex``.
    Headings, citations, links (glossary links too), code and raw output are never indexed.
``page-class`` / ``page-attribute``
    The empty Span that marks where a page of the original printing begins; default ``page`` / ``n``.
``see`` / ``also``
    The word of the «see» entries and the words before the variant spellings; default the catalogue's
    ``index-see`` and ``index-also``. Life dates use ``life-span``, ``life-born`` and ``life-died``.
``pages-note``
    A sentence put above the index on screen when the references are original page numbers; default none.

Matching: a person's forms are compared with the running text in the normal form of :mod:`editio.ast.text`
(spaces, no-break spaces and line breaks alike, «Х.Лечин» = «Х. Лечин», dashes alike, quotes, soft hyphens
and zero-width characters ignored), as whole words, the longest form first; «Лоры-Мольера» gives both names.
Matching runs in the shared traversal on each top-level block after the filters before it have finished with
it, so text they insert (editor's notes) is indexed; a name in an editor's note (``Div.ednote{ref=…}``) counts
on the original page of the note's call.

Neutral marks: each occurrence ``Span.name-ref#name-ID-N{person=ID}`` round the name; the index inside the
``.name-index`` Div: an optional ``Div.name-index-headnote`` (the pages note), then per initial letter
``Div.name-index-group{letter=L level=H}`` (H: the level a heading of the group would have) holding
``Div.name-index-entry#person-ID{person=ID}`` entries — a Para with ``Span.index-term`` (the heading), the
details, « — » and ``Span.name-index-locators{person=ID}`` with one ``Link.index-locator`` per original page
(to the first mention there; numbered 1, 2, 3 … in a text without page markers; none for a mention before the
first marker) — and ``Div.name-index-see`` entries
(«Моллер *см.* Мольер Э.»: ``Span.index-term``, the «see» word, ``Link.index-see`` to the main entry).
The PDF replaces the locators by the pages the names stand on. Diagnostics: NAM001–NAM010 (see
:mod:`editio.persons`); NAM007, a person never found, is a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..ast import NBSP, Div, Emph, Link, Para, Space, Span, Str, get, has_class, identifier, text_inlines
from ..ast.pages import PageTracker
from ..ast.reading import BLOCK_TYPES, reading_parts
from ..ast.text import TextRun, normalise, split_run
from ..collation import Collation, collation
from ..persons import Person, parse_persons
from ..textsearch import PhraseMatcher
from .base import Filter

_TEXT = frozenset(("Str", "Space", "SoftBreak"))
# Inline containers whose words are indexed (not links: the glossary's and cross-references' words).
_CONTAINERS = frozenset(
    ("Span", "Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Quoted", "Superscript", "Subscript")
)
REF_CLASS = "name-ref"
EDNOTE_CALL_CLASS = "ednote-call"
EDNOTE_CLASS = "ednote"


@dataclass(frozen=True)
class Options:
    data: str = "persons.yaml"
    div_class: str = "name-index"
    skip: tuple[str, ...] = (
        "name-index",
        "chronology",
        "glossary",
        "bibliography",
        "refs",
        "faction-chart",
        "chart-alt",
        "noindex",
    )
    page_class: str = "page"
    page_attribute: str = "n"
    see: str | None = None
    also: str | None = None
    pages_note: str = ""


@dataclass
class Occurrence:
    anchor: str
    page: str | None


def occurrence_id(person: Person, number: int) -> str:
    return f"name-{person.id}-{number}"


def entry_id(person: Person) -> str:
    return f"person-{person.id}"


# --- the index (pure) -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Words:
    """The generated words of the index, in the document's language."""

    see: str
    also: str
    life: Callable[..., str]  # text(key, **fields): the catalogue's words for life dates
    order: Collation  # the alphabetical order and index letters of the document's language
    pages_note: str = ""


def reference_links(occurrences: list[Occurrence], paginated: bool = False) -> list[dict]:
    """Links to the occurrences: one per original page (to the first mention there), else numbered. In a
    ``paginated`` text a mention before the first page marker (a preface the original did not print) is on no
    original page and gets no locator: a number there would read as a page."""
    links: list[dict] = []
    seen: set[str] = set()
    for number, occurrence in enumerate(occurrences, start=1):
        if paginated and occurrence.page is None:
            continue
        label = occurrence.page if occurrence.page is not None else str(number)
        if occurrence.page is not None and label in seen:
            continue
        seen.add(label)
        if links:
            links += [Str(","), Space()]
        links.append(Link([Str(label)], f"#{occurrence.anchor}", classes=["index-locator"]))
    return links


def entry_paragraph(person: Person, occurrences: list[Occurrence], words: Words, paginated: bool = False) -> dict:
    """«Лора Г. (Guillermo Lora, 1922–2009), боливийский троцкист — 12, 15»."""
    inlines = [Span(text_inlines(person.heading), classes=["index-term"])]
    bracket = [part for part in (person.original, person.life_dates(words.life)) if part]
    if bracket:
        inlines += [Space(), *text_inlines("(" + ", ".join(bracket) + ")")]
    if person.description:
        inlines += [Str(","), Space(), *text_inlines(person.description)]
    if person.variants:
        inlines += [Str(";"), Space(), *text_inlines(words.also), Space(), *text_inlines(", ".join(person.variants))]
    links = reference_links(occurrences, paginated)
    if links:
        inlines += [
            Str(NBSP + "—" + NBSP),
            Span(links, classes=["name-index-locators"], attributes={"person": person.id}),
        ]
    return Para(inlines)


def see_entry(variant: str, person: Person, words: Words) -> dict:
    """«Моллер см. Мольер Э.», the heading linked to the main entry."""
    return Div(
        [
            Para(
                [
                    Span(text_inlines(variant), classes=["index-term"]),
                    Space(),
                    Emph(text_inlines(words.see)),
                    Space(),
                    Link(text_inlines(person.heading), f"#{entry_id(person)}", classes=["index-see"]),
                ]
            )
        ],
        classes=["name-index-see"],
        attributes={"person": person.id},
    )


def index_blocks(
    persons: list[Person], occurrences: dict[str, list[Occurrence]], words: Words, level: int = 2
) -> list[dict]:
    """The index: entries and «see» entries in the language's alphabetical order, grouped by initial letter
    (:mod:`editio.collation`); persons never named are left out."""
    entries: list[tuple[tuple, str, dict]] = []
    paginated = any(o.page is not None for found in occurrences.values() for o in found)
    for person in persons:
        found = occurrences.get(person.id, [])
        if not found:
            continue
        entries.append(
            (
                words.order.key(person.heading),
                person.heading,
                Div(
                    [entry_paragraph(person, found, words, paginated)],
                    identifier=entry_id(person),
                    classes=["name-index-entry"],
                    attributes={"person": person.id},
                ),
            )
        )
        for variant in person.variants:
            entries.append((words.order.key(variant), variant, see_entry(variant, person, words)))
    entries.sort(key=lambda item: item[0])
    blocks: list[dict] = []
    if words.pages_note and paginated:
        blocks.append(Div([Para([Emph(text_inlines(words.pages_note))])], classes=["name-index-headnote"]))
    group: dict | None = None
    for _, heading, block in entries:
        letter = words.order.group(heading)
        if group is None or get(group, "letter") != letter:
            group = Div([], classes=["name-index-group"], attributes={"letter": letter, "level": str(level)})
            blocks.append(group)
        group["c"][1].append(block)
    return blocks


# --- marking the text -----------------------------------------------------------------------------------


@dataclass
class NameMarker:
    """Walks the text in reading order, marking names and remembering the original page."""

    persons: list[Person]
    options: Options
    occurrences: dict[str, list[Occurrence]] = field(default_factory=dict)
    call_pages: dict[str, str | None] = field(default_factory=dict)  # editor's-note call id → its page
    placeholders: list[tuple[dict, int]] = field(default_factory=list)  # (Div, heading level above it)
    heading_level: int = 0

    def __post_init__(self):
        self.by_form = {normalise(form): person for person in self.persons for form in person.forms}
        self.matcher = PhraseMatcher(self.by_form) if self.by_form else None
        self.skip = frozenset(self.options.skip)
        self.pages = PageTracker(self.options.page_class, self.options.page_attribute)

    def blocks(self, blocks: list) -> None:
        for block in blocks:
            self.block(block)

    def block(self, block: dict) -> None:
        if block["t"] == "Header":
            self.heading_level = block["c"][0]
            self.pages.follow(block["c"][2])
            return
        if block["t"] == "Div":
            attr = block["c"][0]
            if has_class(block, self.options.div_class):
                self.placeholders.append((block, self.heading_level))
            if attr[0] in self.skip or any(c in self.skip for c in attr[1]):
                return
            if has_class(block, EDNOTE_CLASS) and get(block, "ref") in self.call_pages:
                # An editor's note is read at its call: its names count on the call's page.
                here, self.pages.page = self.pages.page, self.call_pages[get(block, "ref")]
                self.blocks(block["c"][1])
                self.pages.page = here
                return
        for kind, part in reading_parts(block):
            if kind == "inlines":
                self.inlines(part)
            else:
                self.blocks(part)

    def inlines(self, content: list) -> None:
        result: list = []
        run: list = []
        for node in content:
            t = node["t"]
            if t in _TEXT:
                run.append(node)
                continue
            result += self.mark_run(run)
            run = []
            if self.pages.see(node):
                pass
            elif t == "Span":
                if has_class(node, EDNOTE_CALL_CLASS):
                    self.call_pages[identifier(node)] = self.pages.page
                elif not has_class(node, REF_CLASS):  # a name marked before (the filter ran twice) stays
                    self.inlines(node["c"][1])
            elif t == "Quoted":
                self.inlines(node["c"][1])
            elif t in _CONTAINERS:
                self.inlines(node["c"])
            elif t == "Note":
                self.blocks(node["c"])
            result.append(node)
        result += self.mark_run(run)
        content[:] = result

    def mark_run(self, run: list) -> list:
        if not run or self.matcher is None:
            return run
        if not self.matcher.may_match("".join(node["c"] if node["t"] == "Str" else " " for node in run)):
            return run  # most runs name nobody
        text = TextRun().add(run)
        matches = self.matcher.finditer(text.text)
        if not matches:
            return run
        marks = []
        for start, end, form in matches:
            person = self.by_form[form]
            found = self.occurrences.setdefault(person.id, [])
            occurrence = Occurrence(occurrence_id(person, len(found) + 1), self.pages.page)
            found.append(occurrence)
            marks.append((start, end, person, occurrence))
        tail: list = []
        rest = run
        for start, end, person, occurrence in reversed(marks):
            before, matched, after = split_run(rest, text.origin(start), text.origin(end - 1))
            tail = (
                [Span(matched, identifier=occurrence.anchor, classes=[REF_CLASS], attributes={"person": person.id})]
                + after
                + tail
            )
            rest = before
        return rest + tail


# --- the filter ------------------------------------------------------------------------------------------


class NameIndex(Filter):
    name = "name_index"
    key = "name-index"
    Options = Options
    after = ("editorial_notes", "glossary")
    before = ("citeproc",)

    def prepare(self, doc: dict) -> None:
        data, self.shown = self.ctx.load_data(self.options.data, "name-index.data")
        errors_before = len(self.ctx.log.errors)
        persons = parse_persons(data, self.shown, self.ctx.log)
        self.marker = NameMarker(persons, self.options) if len(self.ctx.log.errors) == errors_before else None

    def hooks(self):
        # Each top-level block is indexed as a whole, in reading order, after the filters before this one
        # have finished with it (text they insert is indexed; pages follow the reading order).
        return {t: self.top_level_block for t in BLOCK_TYPES}

    def top_level_block(self, node: dict, path: list) -> None:
        if not path and self.marker is not None:
            self.marker.block(node)

    def finalize(self, doc: dict) -> None:
        marker, ctx, options = self.marker, self.ctx, self.options
        if marker is None:
            return
        for person in marker.persons:
            if person.id not in marker.occurrences:
                ctx.warn(
                    "NAM007",
                    f"person {person.id!r}: none of the forms {list(person.forms)} occurs in the "
                    "text; check the spelling or remove the person",
                    self.shown,
                    person.line,
                )
        words = Words(
            see=options.see if options.see is not None else ctx.text("index-see"),
            also=options.also if options.also is not None else ctx.text("index-also"),
            life=ctx.text,
            order=collation(ctx.lang),
            pages_note=options.pages_note,
        )
        for div, level in marker.placeholders:
            div["c"][1].extend(index_blocks(marker.persons, marker.occurrences, words, level + 1))


FILTER = NameIndex

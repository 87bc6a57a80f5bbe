#!/usr/bin/env python3
"""Index of names: marks every occurrence of every person's forms and fills the ``.name-index`` Div.

Reads the optional metadata key ``name-index`` (a map, removed from the output):

``data``
    The persons file, relative to the manuscript folder (metadata ``manuscript-dir``, else the working
    directory); default ``persons.yaml``. Its format: ``editio.persons``.
``class``
    Class of the Div the index is written into; default ``name-index``.
``skip``
    Classes or ids of Divs whose text is not indexed; default the index itself, ``chronology``,
    ``glossary``, ``bibliography``, ``refs``, ``faction-chart``, ``chart-alt`` (generated editorial
    matter) and ``noindex``. Headings, citations, links, code and raw output are
    never indexed.
``page-class`` / ``page-attribute``
    The empty Span that marks where a page of the original printing begins; default ``page`` / ``n``.
``see`` / ``also``
    Words of the cross-reference entries and of the note on variant spellings; default ``см.`` and
    ``в тексте также``.
``pages-note``
    A sentence put above the index in HTML and EPUB when the references are original page numbers.

Every occurrence is marked in the text: in typst by ``#metadata("<id>")<name-ref>`` right after the name
(invisible; the index queries these and prints deduplicated page numbers, each linking to its place),
elsewhere by a Span ``#name-<id>-<n>`` (class ``name-ref``) round the name, linked from the index under
the original page number (from the nearest preceding page marker), or under 1, 2, 3 … without markers.
Diagnostics: NAM001–NAM010 (see ``editio.persons``); NAM007, a person never found, is a warning.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import panflute as pf

from editio.config import data_file
from editio.errors import DiagnosticLog
from editio.persons import Person, load_persons, sort_key
from editio.textsearch import TEXT_CONTAINERS, is_text, normalise, run_text, split_run, words_pattern
from editio.filterkit import fill_div, read_options, run_filter, text_inlines

NBSP = "\u00a0"
# panflute 2.3 predates pandoc's typst writer and rejects RawInline(format="typst") unless told about it.
pf.elements.RAW_FORMATS.add("typst")
TYPST_LABEL = "name-ref"
TYPST_PAGES = "name-index-pages"
# The typst helper: every page a person is named on, once, each number a link to the first mention there;
# and entries set with a hanging indent (the rule is scoped to the index Div's block).
TYPST_PAGES_FUNCTION = f"""#let {TYPST_PAGES}(key) = context {{
  let seen = ()
  let links = ()
  for m in query(<{TYPST_LABEL}>).filter(m => m.value == key) {{
    let n = counter(page).at(m.location()).first()
    if n not in seen {{
      seen.push(n)
      links.push(link(m.location(), str(n)))
    }}
  }}
  links.join(", ")
}}
#set par(first-line-indent: 0em, hanging-indent: 1.2em, justify: false)"""


@dataclass(frozen=True)
class Config:
    """The filter's options, read from the ``name-index`` metadata key."""

    data: Path = Path("persons.yaml")
    display: str = "persons.yaml"
    div_class: str = "name-index"
    skip: frozenset[str] = frozenset({"name-index", "chronology", "glossary", "bibliography", "refs",
                                          "faction-chart", "chart-alt", "noindex"})
    page_class: str = "page"
    page_attribute: str = "n"
    see: str = "см."
    also: str = "в тексте также"
    pages_note: str = ""


@dataclass
class Occurrence:
    anchor: str
    page: str | None


@dataclass
class IndexState:
    """What the walk through the text knows: the current original page and every occurrence found."""

    page: str | None = None
    occurrences: dict[str, list[Occurrence]] = field(default_factory=dict)


# --- configuration -----------------------------------------------------------------------------

def configure(doc: pf.Doc) -> Config:
    """Read and remove the ``name-index`` metadata key; resolve the data file against the manuscript."""
    values = read_options(doc, "name-index", Config, "NAM001", "name-index: {data: persons.yaml}")
    path, display = data_file(doc, values.pop("data", "persons.yaml"), "name-index.data")
    return Config(data=path, display=display, **values)


# --- pure helpers ------------------------------------------------------------------------------

def occurrence_id(person: Person, number: int) -> str:
    return f"name-{person.id}-{number}"


def entry_id(person: Person) -> str:
    return f"person-{person.id}"


def reference_links(occurrences: list[Occurrence]) -> list[pf.Inline]:
    """Links to the occurrences: one per original page (to the first mention there), else numbered."""
    links: list[pf.Inline] = []
    seen: set[str] = set()
    for number, occurrence in enumerate(occurrences, start=1):
        label = occurrence.page if occurrence.page is not None else str(number)
        if occurrence.page is not None and label in seen:
            continue
        seen.add(label)
        if links:
            links += [pf.Str(","), pf.Space()]
        links.append(pf.Link(pf.Str(label), url=f"#{occurrence.anchor}"))
    return links


def entry_paragraph(person: Person, references: list[pf.Inline], config: Config) -> pf.Para:
    """«Лора Г. (Guillermo Lora, 1922–2009), боливийский троцкист — 12, 15»."""
    inlines = text_inlines(person.heading)
    bracket = [part for part in (person.original, person.life_dates()) if part]
    if bracket:
        inlines += [pf.Space(), *text_inlines("(" + ", ".join(bracket) + ")")]
    if person.description:
        inlines += [pf.Str(","), pf.Space(), *text_inlines(person.description)]
    if person.variants:
        inlines += [pf.Str(";"), pf.Space(), *text_inlines(config.also), pf.Space(),
                    *text_inlines(", ".join(person.variants))]
    if references:
        inlines += [pf.Str(NBSP + "—" + NBSP), *references]
    return pf.Para(*inlines)


def see_paragraph(variant: str, person: Person, config: Config) -> pf.Para:
    """«Моллер см. Мольер Э.», the heading linked to the main entry."""
    return pf.Para(*text_inlines(variant), pf.Space(), pf.Emph(*text_inlines(config.see)), pf.Space(),
                   pf.Link(*text_inlines(person.heading), url=f"#{entry_id(person)}"))


def index_blocks(persons: list[Person], state: IndexState, config: Config, typst: bool) -> list[pf.Block]:
    """The index: entries and «see» entries in Russian alphabetical order, a letter above each group."""
    entries: list[tuple[tuple, str, pf.Block]] = []
    for person in persons:
        occurrences = state.occurrences.get(person.id, [])
        if not occurrences:
            continue
        if typst:
            references = [pf.RawInline(f'#{TYPST_PAGES}("{person.id}")', format="typst")]
        else:
            references = reference_links(occurrences)
        paragraph = entry_paragraph(person, references, config)
        entries.append((sort_key(person.heading), person.heading, pf.Div(paragraph, identifier=entry_id(person),
                                                                         classes=["name-index-entry"])))
        for variant in person.variants:
            entries.append((sort_key(variant), variant, see_paragraph(variant, person, config)))
    entries.sort(key=lambda item: item[0])
    blocks: list[pf.Block] = []
    if typst:
        blocks.append(pf.RawBlock(TYPST_PAGES_FUNCTION, format="typst"))
    elif config.pages_note and any(o.page for occ in state.occurrences.values() for o in occ):
        blocks.append(pf.Para(pf.Emph(*text_inlines(config.pages_note))))
    letter = None
    for _, heading, block in entries:
        initial = heading[:1].upper().replace("Ё", "Е")
        if initial != letter:
            letter = initial
            if typst:  # sticky: a letter never ends a page apart from its first entry
                blocks.append(pf.RawBlock(f"#block(sticky: true)[*{letter}*]", format="typst"))
            else:
                blocks.append(pf.Para(pf.Strong(pf.Str(letter))))
        blocks.append(block)
    return blocks


# --- marking the text --------------------------------------------------------------------------

class NameMarker:
    """Walks the document in reading order, marking names and remembering the original page."""

    def __init__(self, persons: list[Person], config: Config, typst: bool):
        self.config = config
        self.typst = typst
        self.by_form = {normalise(form): person for person in persons for form in person.forms}
        self.pattern = words_pattern(list(self.by_form)) if self.by_form else None
        self.state = IndexState()

    def skipped(self, div: pf.Div) -> bool:
        return div.identifier in self.config.skip or any(c in self.config.skip for c in div.classes)

    def blocks(self, blocks) -> None:
        for block in blocks:
            self.block(block)

    def block(self, block: pf.Element) -> None:
        if isinstance(block, pf.Header):
            self.pages_only(block.content)
        elif isinstance(block, (pf.CodeBlock, pf.RawBlock, pf.HorizontalRule)):
            return
        elif isinstance(block, pf.Div) and self.skipped(block):
            return
        elif isinstance(block, (pf.Para, pf.Plain, pf.LineItem)):
            self.inlines(block.content)
        elif isinstance(block, pf.DefinitionItem):
            self.inlines(block.term)
            self.blocks(block.definitions)
        elif isinstance(block, pf.Table):
            for part in (block.head, *block.content, block.foot):
                if part is not None:
                    self.blocks(part.content)
        elif isinstance(block, (pf.TableBody,)):
            self.blocks(block.content)
        elif hasattr(block, "content"):
            self.blocks(block.content)

    def pages_only(self, inlines) -> None:
        for elem in inlines:
            if self.page_marker(elem):
                continue
            if isinstance(elem, TEXT_CONTAINERS + (pf.Link,)):
                self.pages_only(elem.content)

    def page_marker(self, elem: pf.Element) -> bool:
        if isinstance(elem, pf.Span) and self.config.page_class in elem.classes:
            page = elem.attributes.get(self.config.page_attribute)
            self.state.page = page if page else self.state.page
            return True
        return False

    def inlines(self, container) -> None:
        result: list[pf.Inline] = []
        run: list[pf.Element] = []
        for elem in list(container):
            if is_text(elem):
                run.append(elem)
                continue
            result += self.mark_run(run)
            run = []
            if self.page_marker(elem):
                pass
            elif isinstance(elem, pf.Span) and "name-ref" in elem.classes:
                pass  # already marked (the filter ran before)
            elif isinstance(elem, TEXT_CONTAINERS):
                self.inlines(elem.content)
            elif isinstance(elem, pf.Note):
                self.blocks(elem.content)
            result.append(elem)
        result += self.mark_run(run)
        container[:] = result

    def mark_run(self, run: list[pf.Element]) -> list[pf.Element]:
        if not run or self.pattern is None:
            return run
        text = run_text(run)
        matches = list(self.pattern.finditer(text.text))
        if not matches:
            return run
        marks = []
        for match in matches:
            person = self.by_form[match.group()]
            found = self.state.occurrences.setdefault(person.id, [])
            occurrence = Occurrence(occurrence_id(person, len(found) + 1), self.state.page)
            found.append(occurrence)
            marks.append((match, person, occurrence))
        tail: list[pf.Element] = []
        rest = run
        for match, person, occurrence in reversed(marks):
            before, matched, after = split_run(rest, text.origins[match.start()], text.origins[match.end() - 1])
            tail = self.mark(matched, person, occurrence) + after + tail
            rest = before
        return rest + tail

    def mark(self, matched: list[pf.Element], person: Person, occurrence: Occurrence) -> list[pf.Element]:
        if self.typst:
            return [*matched, pf.RawInline(f'#metadata("{person.id}")<{TYPST_LABEL}>', format="typst")]
        return [pf.Span(*matched, identifier=occurrence.anchor, classes=["name-ref"])]


# --- the filter --------------------------------------------------------------------------------

def name_index(doc: pf.Doc, config: Config) -> pf.Doc:
    """Mark every name in the text and fill the index Div(s); raises EditionError on bad data."""
    log = DiagnosticLog()
    persons = load_persons(config.data, config.display, log)
    log.raise_if_errors()
    typst = doc.format == "typst"
    marker = NameMarker(persons, config, typst)
    marker.blocks(doc.content)
    for person in persons:
        if person.id not in marker.state.occurrences:
            log.add("NAM007", f"person {person.id!r}: none of the forms {list(person.forms)} occurs in the text; "
                    "check the spelling or remove the person", config.display, person.line, severity="warning")
    for warning in log.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    blocks = index_blocks(persons, marker.state, config, typst)

    fill_div(doc, config.div_class, blocks)
    return doc


def main(doc: pf.Doc | None = None) -> pf.Doc | None:
    """Run as a pandoc JSON filter, or in-process on ``doc``: one step over the whole document, no walk."""
    return run_filter(None, finalize=lambda doc: name_index(doc, configure(doc)), doc=doc)


if __name__ == "__main__":
    main()

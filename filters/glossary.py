#!/usr/bin/env python3
"""Glossary: link terms in the text to their entries and fill the «Глоссарий» with back-references.

Configuration: the metadata key ``glossary`` (removed from the output)::

    glossary:
      data: glossary.yaml          # relative to the manuscript folder (the default)
      link: first-per-section      # or: every

The linking rule
    Forms and stems of `glossary.yaml` (see :mod:`editio.glossary`) are found in runs of text: words and
    the spaces between them, a multi-word form may cross a line break or a non-breaking space, and an
    empty marker span (``[]{.page n=…}``) inside it. With ``first-per-section`` (default) the first
    occurrence of each term in each top-level section (from one level-1 heading to the next; the text
    before the first heading is one section) is linked; with ``every`` each occurrence is. Explicit
    ``[текст]{.gls key=id}`` always links (and counts as the section's first); ``[текст]{.gls}`` without
    a key links when its text is a form of one entry; ``[текст]{.nogls}`` (span or div) is never linked.
    Notes are searched at the place of their call.
Never linked automatically
    headings, citations, links, code, math, raw output, URL-like words, images, the glossary itself, spans
    or divs whose ``lang`` is not Russian (quoted foreign titles), and emendation spans (``.emendation``:
    the corrected reading belongs to the apparatus, whose filter may rewrite the span; its ``key`` names
    an emendation, not a term). Explicit ``.gls`` spans work everywhere except in headings.
Back-references
    Every linked occurrence is numbered per term and gets the id ``gls-<id>-<n>``. The entry lists them:
    in the PDF as the page numbers (typst ``context`` query of the ``<gls-ref>`` markers, each page once,
    each a link); in EPUB and HTML as the pages of the original edition (the nearest preceding
    ``[]{.page n=…}`` marker, in square brackets); an occurrence in a top-level section after the last
    section with a page marker (back matter such as the chart) is labelled with that section's title,
    and before any marker with that title too, or without a title with its number. One link per distinct label (the first occurrence with it).
Output
    A Div with class ``glossary`` (placed by the manuscript's back matter) receives the entries in the
    order of :func:`editio.glossary.sort_key` (Cyrillic before Latin). In EPUB 3 a ``<dl>`` with
    ``<dfn epub:type="glossterm">`` in each ``<dt>`` and ``<dd epub:type="glossdef">``; the heading
    before the Div gets ``epub:type=glossary``. HTML has the same list without ``epub:type``. PDF has one
    block per entry labelled ``<gls-id>``.

Diagnostics: GLS004 unknown key in ``.gls`` markup; GLS005 ``.gls`` whose text is no form of any entry;
GLS006 (warning) an entry that never occurs; GLS007 bad ``glossary`` metadata or a missing data file;
GLS008 terms linked but no ``.glossary`` Div to hold the entries. Errors are raised together.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field

import panflute as pf

from editio.config import data_file
from editio.errors import Diagnostic, DiagnosticLog, EditionError
from editio.filterkit import manuscript_sources
from editio.glossary import Entry, Glossary, load_glossary
from editio.sources import SourceTexts

MODES = ("first-per-section", "every")
SEARCH_KEYS_META = "glossary-search-keys"
_URL_LIKE = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.|mailto:|doi:|urn:)", re.I)
_RUN_TYPES = (pf.Str, pf.Space, pf.SoftBreak)
_CONTAINERS = (pf.Emph, pf.Strong, pf.Underline, pf.Strikeout, pf.SmallCaps, pf.Superscript, pf.Subscript,
               pf.Quoted)
_SKIP_INLINES = (pf.Cite, pf.Link, pf.Code, pf.Math, pf.RawInline, pf.Image)
# panflute 2.3 predates pandoc's typst writer and rejects RawInline(format="typst") unless told about it
pf.elements.RAW_FORMATS.add("typst")
_reported: set[str] = set()  # warnings are printed once per process, not once per output format


def is_russian(lang: str | None) -> bool:
    return not lang or lang.lower() == "ru" or lang.lower().startswith("ru-")


@dataclass
class Occurrence:
    entry: Entry
    number: int
    page: str | None
    section: int = 0

    @property
    def anchor(self) -> str:
        return f"{self.entry.anchor}-{self.number}"


@dataclass
class Linker:
    glossary: Glossary
    fmt: str
    mode: str = "first-per-section"
    sources: SourceTexts = field(default_factory=SourceTexts)
    log: DiagnosticLog = field(default_factory=DiagnosticLog)
    occurrences: dict[str, list[Occurrence]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    page: str | None = None
    placeholders: list[pf.Div] = field(default_factory=list)
    surfaces: dict[str, list[str]] = field(default_factory=dict)
    section: int = 0
    section_titles: dict[int, str] = field(default_factory=dict)
    paginated_sections: set[int] = field(default_factory=set)

    # ----------------------------------------------------------------------------------------- blocks
    def document(self, doc: pf.Doc) -> None:
        previous = None
        for block in doc.content:
            if isinstance(block, pf.Header) and block.level == 1:
                self.seen = set()
                self.section += 1
                self.section_titles[self.section] = pf.stringify(block)
            if isinstance(block, pf.Div) and "glossary" in block.classes:
                self._mark_glossary_heading(previous)
            self.block(block, auto=True)
            previous = block

    def block(self, elem, auto: bool) -> None:
        if isinstance(elem, pf.Header):
            self._track_pages(elem)
            return
        if isinstance(elem, (pf.CodeBlock, pf.RawBlock, pf.HorizontalRule)):
            return
        if isinstance(elem, pf.Div):
            if "glossary" in elem.classes:
                self.placeholders.append(elem)
                return
            if "nogls" in elem.classes or not is_russian(elem.attributes.get("lang")):
                auto = False
            for child in elem.content:
                self.block(child, auto)
            return
        if isinstance(elem, (pf.Para, pf.Plain)):
            self.inlines(elem.content, auto)
        elif isinstance(elem, pf.LineBlock):
            for line in elem.content:
                self.inlines(line.content, auto)
        elif isinstance(elem, pf.DefinitionList):
            for item in elem.content:
                self.inlines(item.term, auto)
                for definition in item.definitions:
                    for child in definition.content:
                        self.block(child, auto)
        elif isinstance(elem, (pf.BulletList, pf.OrderedList)):
            for item in elem.content:
                for child in item.content:
                    self.block(child, auto)
        elif isinstance(elem, (pf.BlockQuote, pf.Figure)):
            for child in elem.content:
                self.block(child, auto)
        elif isinstance(elem, pf.Table):
            def cells(e, _doc):
                if isinstance(e, pf.TableCell):
                    for child in e.content:
                        self.block(child, auto)
            elem.walk(cells)

    def _mark_glossary_heading(self, heading) -> None:
        if not isinstance(heading, pf.Header):
            return
        if self.fmt == "epub3":
            heading.attributes.setdefault("epub:type", "glossary")
        else:
            heading.attributes.pop("epub:type", None)

    def _track_pages(self, elem) -> None:
        def action(e, _doc):
            self._page_marker(e)
        elem.walk(action)

    # ---------------------------------------------------------------------------------------- inlines
    def inlines(self, content, auto: bool) -> None:
        """Link the terms in one list of inlines (in place)."""
        result: list = []
        run: list = []
        for elem in list(content):
            if (isinstance(elem, _RUN_TYPES) and not (isinstance(elem, pf.Str) and _URL_LIKE.match(elem.text))) \
                    or (isinstance(elem, pf.Span) and not elem.content and "gls" not in elem.classes):
                run.append(elem)
                continue
            result += self._run(run, auto)
            run = []
            result += self._inline(elem, auto)
        result += self._run(run, auto)
        content[:] = result

    def _inline(self, elem, auto: bool) -> list:
        if isinstance(elem, pf.Span):
            if "gls" in elem.classes:
                return [self._explicit(elem)]
            if "nogls" in elem.classes or "emendation" in elem.classes or not is_russian(elem.attributes.get("lang")):
                auto = False
            self.inlines(elem.content, auto)
            return [elem]
        if isinstance(elem, pf.Note):
            for child in elem.content:
                self.block(child, auto=True)
            return [elem]
        if isinstance(elem, _CONTAINERS):
            self.inlines(elem.content, auto)
            return [elem]
        if isinstance(elem, _SKIP_INLINES):
            self._track_pages(elem)
        return [elem]

    def _explicit(self, span: pf.Span):
        key = span.attributes.get("key")
        text = pf.stringify(span)
        entry = None
        if key is not None:
            entry = self.glossary.by_id.get(key)
            if entry is None:
                file, line = self.sources.locate(f"key={key}")
                self.log.add("GLS004", f"unknown glossary key {key!r} in [{text}]{{.gls key={key}}}; use an id "
                             f"from {self.glossary.file}", file, line)
        else:
            entry = self.glossary.entry_for_text(text)
            if entry is None:
                file, line = self.sources.locate(f"[{text}]{{.gls")
                self.log.add("GLS005", f"[{text}]{{.gls}} has no key and its text is no form of any glossary "
                             "entry; add key=<id>", file, line)
        self._track_pages(span)
        if entry is None:
            return span
        self.seen.add(entry.id)
        return self._link(entry, list(span.content))

    def _run(self, run: list, auto: bool) -> list:
        if not run:
            return []
        positions, pieces = [], []
        offset = 0
        for elem in run:
            positions.append(offset)
            piece = elem.text if isinstance(elem, pf.Str) else "" if isinstance(elem, pf.Span) else " "
            pieces.append(piece)
            offset += len(piece)
        text = "".join(pieces)
        matches = []
        if auto:
            for match in self.glossary.find(text):
                if self.mode == "every" or match.entry.id not in self.seen:
                    matches.append(match)
                    self.seen.add(match.entry.id)
        if not matches:
            for elem in run:
                self._page_marker(elem)
            return run
        # Split Str elements at the match boundaries, then group the pieces into links.
        cuts = sorted({m.start for m in matches} | {m.end for m in matches})
        atoms: list[tuple[int, int, object]] = []  # (start, end, element)
        for elem, start, piece in zip(run, positions, pieces):
            if not isinstance(elem, pf.Str):
                atoms.append((start, start + len(piece), elem))
                continue
            inner = [c - start for c in cuts if start < c < start + len(piece)]
            bounds = [0, *inner, len(piece)]
            for a, b in zip(bounds, bounds[1:]):
                atoms.append((start + a, start + b, pf.Str(piece[a:b])))
        result: list = []
        index = 0
        for match in matches:
            while index < len(atoms) and atoms[index][1] <= match.start:
                self._page_marker(atoms[index][2])
                result.append(atoms[index][2])
                index += 1
            inside = []
            while index < len(atoms) and atoms[index][1] <= match.end and atoms[index][0] < match.end:
                self._page_marker(atoms[index][2])
                inside.append(atoms[index][2])
                index += 1
            result.append(self._link(match.entry, inside))
        for start, end, elem in atoms[index:]:
            self._page_marker(elem)
            result.append(elem)
        return result

    def _page_marker(self, elem) -> None:
        if isinstance(elem, pf.Span) and "page" in elem.classes and "n" in elem.attributes:
            self.page = elem.attributes["n"]
            self.paginated_sections.add(self.section)

    # ------------------------------------------------------------------------------------------ output
    def _link(self, entry: Entry, content: list):
        found = self.occurrences.setdefault(entry.id, [])
        occurrence = Occurrence(entry, len(found) + 1, self.page, self.section)
        found.append(occurrence)
        surface = " ".join(pf.stringify(pf.Span(*content)).split())
        if surface:
            self.surfaces.setdefault(entry.id, []).append(surface)
        title = entry.expansion or entry.original or entry.term
        if self.fmt == "typst":
            marker = pf.RawInline(f'#metadata("{entry.id}")<gls-ref>', format="typst")
            return pf.Span(marker, pf.Link(*content, url=f"#{entry.anchor}"))
        return pf.Link(*content, url=f"#{entry.anchor}", title=title, identifier=occurrence.anchor,
                       classes=["gls"])

    def entries_blocks(self) -> list:
        if self.fmt == "typst":
            return [self._typst_entry(e) for e in self.glossary.sorted()]
        epub = self.fmt == "epub3"
        blocks = [pf.RawBlock('<dl class="glossary-list">', format="html")]
        for entry in self.glossary.sorted():
            dfn = '<dfn epub:type="glossterm">' if epub else "<dfn>"
            term = [pf.RawInline(dfn, format="html"), pf.Span(pf.Strong(*words(entry.term)), identifier=entry.anchor),
                    pf.RawInline("</dfn>", format="html"), *self._heading_tail(entry)]
            blocks += [pf.RawBlock("<dt>", format="html"), pf.Plain(*term), pf.RawBlock("</dt>", format="html"),
                       pf.RawBlock('<dd epub:type="glossdef">' if epub else "<dd>", format="html"),
                       pf.Para(*words(entry.definition))]
            refs = self._html_refs(entry)
            if refs:
                blocks.append(pf.Div(pf.Para(*refs), classes=["gls-refs"]))
            blocks.append(pf.RawBlock("</dd>", format="html"))
        blocks.append(pf.RawBlock("</dl>", format="html"))
        return blocks

    def _heading_tail(self, entry: Entry) -> list:
        tail = []
        if entry.expansion and entry.expansion != entry.term:
            tail += [pf.Space(), pf.Str("—"), pf.Space(), *words(entry.expansion)]
        if entry.original and entry.original != entry.term:
            original = pf.Emph(*words(entry.original))
            if self.fmt == "typst":
                lang = json.dumps(entry.original_lang)
                original = pf.Span(pf.RawInline(f"#text(lang: {lang})[", format="typst"), original,
                                   pf.RawInline("]", format="typst"))
            else:
                original = pf.Span(original, attributes={"lang": entry.original_lang})
            tail += [pf.Space(), pf.Str("("), original, pf.Str(")")]
        return tail

    def _label(self, occurrence: Occurrence) -> str:
        """The original page in brackets; after the last paginated section (editorial back matter) the
        section's title; without either, the occurrence's number."""
        last_paginated = max(self.paginated_sections, default=-1)
        if occurrence.page is not None and occurrence.section <= last_paginated:
            return f"[{occurrence.page}]"
        return self.section_titles.get(occurrence.section) or str(occurrence.number)

    def _html_refs(self, entry: Entry) -> list:
        found = self.occurrences.get(entry.id, [])
        if not found:
            return []
        labels = [self._label(o) for o in found]
        paged = all(label.startswith("[") for label in labels)
        links, shown, previous = [], set(), ""
        for occurrence, label in zip(found, labels):
            if label in shown:
                continue
            shown.add(label)
            if links:
                both_pages = previous.startswith("[") and label.startswith("[")
                links += [pf.Str("," if both_pages else ";"), pf.Space()]
            previous = label
            links.append(pf.Link(*words(label), url=f"#{occurrence.anchor}", attributes={"role": "doc-backlink"}))
        lead = "В тексте (страницы оригинала):" if paged else "В тексте:"
        return [*words(lead), pf.Space(), *links]

    def _typst_entry(self, entry: Entry):
        head = pf.Para(pf.RawInline(f'#metadata("{entry.id}")<{entry.anchor}>', format="typst"),
                       pf.Strong(*words(entry.term)), *self._heading_tail(entry))
        body = [*words(entry.definition)]
        if self.occurrences.get(entry.id):
            query = (f'#context {{ let seen = (); let out = (); '
                     f'for m in query(<gls-ref>).filter(m => m.value == "{entry.id}") {{ '
                     f'let loc = m.location(); let n = counter(page).at(loc).first(); '
                     f'if n not in seen {{ seen.push(n); out.push(link(loc, str(n))) }} }}; '
                     f'out.join(", ") }}')
            body += [pf.Space(), *words("В тексте: с."), pf.RawInline("~" + query, format="typst")]
        # No first-line indent inside an entry, the definition indented under the headword.
        open_block = pf.RawBlock("#block(above: 0.9em, below: 0.9em)[#set par(first-line-indent: 0pt)",
                                 format="typst")
        body_block = pf.RawBlock("#pad(left: 1em)[", format="typst")
        close = pf.RawBlock("]", format="typst")
        return pf.Div(open_block, head, body_block, pf.Para(*body), close, close, classes=["gls-entry"])

    def search_keys(self) -> list[tuple[str, str, list[str]]]:
        """(anchor, headword, other forms) per entry for the EPUB search key map: the headword, then the
        forms of glossary.yaml and the inflected forms linked in the text, each once."""
        keys = []
        for entry in self.glossary.sorted():
            values: list[str] = []
            for value in (*entry.forms, *self.surfaces.get(entry.id, [])):
                value = " ".join(value.replace("\u00a0", " ").split())
                if value and value != entry.term and value not in values:
                    values.append(value)
            keys.append((entry.anchor, entry.term, values))
        return keys

    def fill(self) -> None:
        for placeholder in self.placeholders:
            placeholder.content = [*placeholder.content, *self.entries_blocks()]


def words(text: str) -> list:
    """Plain text as Str and Space elements."""
    result: list = []
    for index, word in enumerate(text.split()):
        if index:
            result.append(pf.Space())
        result.append(pf.Str(word))
    return result


def configure(doc) -> Linker | None:
    """Read the ``glossary`` metadata and the data file; None when the document uses no glossary."""
    log = DiagnosticLog()
    present = "glossary" in doc.metadata
    options = doc.get_metadata("glossary", None) if present else {}
    if present:
        del doc.metadata["glossary"]
    if not isinstance(options, dict):
        raise EditionError(Diagnostic("GLS007", "metadata `glossary` must be a map with `data` and `link`"))
    data = options.get("data", "glossary.yaml")
    mode = options.get("link", "first-per-section")
    if mode not in MODES:
        log.add("GLS007", f"glossary.link must be one of {', '.join(MODES)}, not {mode!r}")
    path, display = data_file(doc, data, "glossary.data")
    if not path.is_file():
        if not present and not _uses_glossary(doc):
            return None
        log.add("GLS007", f"glossary data file {data!r} not found in the manuscript folder; create it or set "
                "glossary.data in edition.yaml")
    log.raise_if_errors()
    glossary = load_glossary(path, display, log)
    log.raise_if_errors()
    return Linker(glossary, doc.format, mode, manuscript_sources(doc), log)


def _uses_glossary(doc) -> bool:
    used = []

    def action(e, _doc):
        if isinstance(e, (pf.Span, pf.Div)) and ("gls" in e.classes or "glossary" in e.classes):
            used.append(e)
    doc.walk(action)
    return bool(used)


def _strip_markup(doc) -> None:
    """Without a glossary, `.gls`/`.nogls` spans become their content."""
    def action(e, _doc):
        if isinstance(e, pf.Span) and ("gls" in e.classes or "nogls" in e.classes):
            return list(e.content)
    doc.walk(action)


def glossary(doc) -> pf.Doc:
    linker = configure(doc)
    if linker is None:
        _strip_markup(doc)
        return doc
    linker.document(doc)
    if linker.occurrences and not linker.placeholders:
        linker.log.add("GLS008", "terms are linked but the manuscript has no glossary: add `::: {.glossary}` and "
                       "`:::` under a heading in the back matter")
    for entry in linker.glossary.entries:
        if entry.id not in linker.occurrences:
            declared = " (declared `occurs: false`)" if not entry.occurs else "; add a form that the text uses " \
                "or declare `occurs: false`"
            linker.log.add("GLS006", f"glossary entry {entry.id!r} never occurs in the text{declared}",
                           linker.glossary.file, entry.line, severity="warning")
    linker.log.raise_if_errors()
    for warning in linker.log.warnings:
        if str(warning) not in _reported:
            _reported.add(str(warning))
            print(str(warning), file=sys.stderr)
    _strip_markup(doc)
    linker.fill()
    if doc.format == "epub3" and linker.placeholders:
        # Read by editio.writers.epub_glossary after pandoc's EPUB writer (pandoc ignores the key).
        doc.metadata[SEARCH_KEYS_META] = pf.MetaList(*(
            pf.MetaMap(anchor=pf.MetaString(anchor), term=pf.MetaString(term),
                       values=pf.MetaList(*(pf.MetaString(v) for v in values)))
            for anchor, term, values in linker.search_keys()))
    doc.glossary_linker = linker
    return doc


def main(doc=None):
    """Run in-process on ``doc`` (errors raise EditionError), or as a pandoc JSON filter (errors exit 1)."""
    if doc is not None:
        return glossary(doc)
    try:
        pf.dump(glossary(pf.load()))
    except EditionError as problem:
        print(problem, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

"""Glossary: link the terms of the text to their entries and fill the ``.glossary`` Div with the entries.

Options (edition.yaml key ``glossary``):

``data``
    The data file (see :mod:`editio.glossary`), relative to the manuscript folder; default ``glossary.yaml``.
    Without the file and without any glossary markup the filter only unwraps ``.gls``/``.nogls`` spans.
``link``
    ``first-per-section`` (default): the first occurrence of each term in each top-level section (from one
    level-1 heading to the next) is linked; ``every``: each occurrence is.

Matching: forms and stems are found in runs of text (words and the spaces between them; a multi-word form
may cross a line break, a no-break space or an empty marker span such as a page start). ``[text]{.gls
key=id}`` always links (and counts as the section's first); ``[text]{.gls}`` links when its text is a form
of one entry; ``[text]{.nogls}`` (span or div) is never linked. Notes are searched at the place of their call.
Never linked automatically: headings, citations, links, code, maths, raw output, URL-like words, images, the
glossary itself, spans or divs whose ``lang`` is not the document's, and emendation spans (``.emendation``).

Neutral marks (lowered by ``editio.lower``):

- an occurrence: ``Link.gls#gls-ID-N{entry=ID}`` to ``#gls-ID`` (title: the expansion, original or term);
- the heading right before the ``.glossary`` Div gets the class ``glossary-heading``;
- the entries, in the order of :func:`editio.glossary.sort_key`, in ``Div.glossary-list`` inside the
  ``.glossary`` Div; per entry ``Div.gls-entry{entry=ID}`` holding a Plain with ``Span.gls-term#gls-ID``
  (the headword, strong) and its tail (« — expansion (original)», the original in ``Span{lang=…}``), a Para
  with the definition and, when the term occurs, ``Div.gls-refs{entry=ID}``: «In the text:» and one
  ``Link.gls-backref`` per distinct label — the original page ``[N]`` (the nearest preceding page marker
  ``Span.page{n=N}``), or, in a top-level section after the last one with a page marker (back matter),
  that section's title (without a title, the occurrence's number). The PDF replaces the labels by the pages
  the occurrences stand on.

The EPUB search keys (headword, forms and the inflected forms linked in the text) go into the document's
metadata ``glossary-search-keys`` for ``editio.writers.epub_glossary``.
Diagnostics: GLS001–GLS003 bad data (``editio.glossary``); GLS004 unknown key in ``.gls`` markup; GLS005
``.gls`` whose text is no form of any entry; GLS006 (warning) an entry that never occurs; GLS007 a bad
``link`` value or a missing data file; GLS008 terms linked but no ``.glossary`` Div.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from ..ast import (
    Div,
    Emph,
    Link,
    Para,
    Plain,
    Space,
    Span,
    Str,
    Strong,
    classes,
    get,
    has_class,
    iter_nodes,
    meta_list,
    meta_map,
    meta_string,
    stringify,
    text_inlines,
)
from ..ast.pages import PageTracker, page_markers
from ..ast.reading import BLOCK_TYPES, reading_parts
from ..ast.text import TextRun, split_run
from ..collation import collation
from ..glossary import Entry, Glossary, parse_glossary
from .base import Filter

MODES = ("first-per-section", "every")
SEARCH_KEYS_META = "glossary-search-keys"
PLACEHOLDER_CLASS = "glossary"
_URL_LIKE = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.|mailto:|doi:|urn:)", re.I)
_RUN = frozenset(("Str", "Space", "SoftBreak"))
_CONTAINERS = frozenset(("Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Superscript", "Subscript", "Quoted"))
_SKIP_INLINES = frozenset(("Cite", "Link", "Code", "Math", "RawInline", "Image"))


@dataclass(frozen=True)
class Options:
    data: str = "glossary.yaml"
    link: str = "first-per-section"


@dataclass
class Occurrence:
    entry: Entry
    number: int
    page: str | None
    section: int = 0

    @property
    def anchor(self) -> str:
        return f"{self.entry.anchor}-{self.number}"


def same_language(lang: str | None, document_lang: str) -> bool:
    """Whether text marked ``lang`` is in the document's language (unmarked text is)."""
    if not lang:
        return True
    return lang.lower().split("-")[0] == (document_lang or "").lower().split("-")[0]


def _url_like(word: str) -> bool:
    return (":" in word or "www." in word) and _URL_LIKE.match(word) is not None


def _inline_content(node: dict) -> list:
    return node["c"][1] if node["t"] == "Quoted" else node["c"]


@dataclass
class Linker:
    """Walks the text in reading order, linking terms and remembering pages, sections and occurrences."""

    glossary: Glossary
    lang: str
    mode: str = "first-per-section"
    occurrences: dict[str, list[Occurrence]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    pages: PageTracker = field(default_factory=PageTracker)
    placeholders: list[dict] = field(default_factory=list)
    surfaces: dict[str, list[str]] = field(default_factory=dict)
    section: int = 0
    section_titles: dict[int, str] = field(default_factory=dict)
    paginated_sections: set[int] = field(default_factory=set)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (code, needle, message)
    previous_top: dict | None = None  # the top-level block linked last
    markdown: object = None  # Context.markdown_inlines: definitions that cite are read as Markdown

    # -- blocks -------------------------------------------------------------------------------------

    def blocks(self, blocks: list, auto: bool, previous: dict | None = None) -> dict | None:
        """Link the terms of consecutive blocks; ``previous`` is the block before them (for the heading of
        the glossary). Returns the last block."""
        for block in blocks:
            if (
                block["t"] == "Div"
                and has_class(block, PLACEHOLDER_CLASS)
                and previous is not None
                and previous["t"] == "Header"
                and "glossary-heading" not in classes(previous)
            ):
                classes(previous).append("glossary-heading")
            self.block(block, auto)
            previous = block
        return previous

    def block(self, block: dict, auto: bool) -> None:
        t = block["t"]
        if t == "Header":
            if block["c"][0] == 1:
                self.seen = set()
                self.section += 1
                self.section_titles[self.section] = stringify(block)
            self.inlines(block["c"][2], auto=False, heading=True)
            return
        if t == "Div":
            if has_class(block, PLACEHOLDER_CLASS):
                self.placeholders.append(block)
                return
            if has_class(block, "nogls") or not same_language(get(block, "lang"), self.lang):
                auto = False
        for kind, part in reading_parts(block):
            if kind == "inlines":
                self.inlines(part, auto)
            else:
                self.blocks(part, auto)

    # -- inlines ------------------------------------------------------------------------------------

    def inlines(self, content: list, auto: bool, heading: bool = False) -> None:
        """Link the terms in one list of inlines (in place); in a heading only unwrap markup."""
        result: list = []
        run: list = []
        for node in content:
            t = node["t"]
            if (t in _RUN and not (t == "Str" and _url_like(node["c"]))) or (
                t == "Span" and not node["c"][1] and not has_class(node, "gls")
            ):
                run.append(node)
                continue
            result += self._run(run, auto and not heading)
            run = []
            result += self._inline(node, auto, heading)
        result += self._run(run, auto and not heading)
        content[:] = result

    def _inline(self, node: dict, auto: bool, heading: bool) -> list:
        t = node["t"]
        if t == "Span":
            if has_class(node, "gls"):
                if heading:
                    self.inlines(node["c"][1], False, heading)
                    return node["c"][1]
                return [self._explicit(node)]
            nogls = has_class(node, "nogls")
            if nogls or has_class(node, "emendation") or not same_language(get(node, "lang"), self.lang):
                auto = False
            self.inlines(node["c"][1], auto, heading)
            return node["c"][1] if nogls else [node]
        if t == "Note":
            self.blocks(node["c"], auto=True)
            return [node]
        if t in _CONTAINERS:
            self.inlines(_inline_content(node), auto, heading)
            return [node]
        if t in _SKIP_INLINES:
            self._track_pages(node)
        return [node]

    def _track_pages(self, tree) -> None:
        for marker in page_markers(tree):
            self._page_marker(marker)

    def _explicit(self, span: dict) -> dict:
        key = get(span, "key")
        text = stringify(span)
        entry = None
        if key is not None:
            entry = self.glossary.by_id.get(key)
            if entry is None:
                self.problems.append(
                    (
                        "GLS004",
                        f"key={key}",
                        f"unknown glossary key {key!r} in [{text}]{{.gls "
                        f"key={key}}}; use an id from {self.glossary.file}",
                    )
                )
        else:
            entry = self.glossary.entry_for_text(text)
            if entry is None:
                self.problems.append(
                    (
                        "GLS005",
                        f"[{text}]{{.gls",
                        f"[{text}]{{.gls}} has no key and its text is no form of any glossary entry; add key=<id>",
                    )
                )
        self._track_pages(span["c"][1])
        if entry is None:
            return span
        self.seen.add(entry.id)
        return self._link(entry, list(span["c"][1]))

    def _run(self, run: list, auto: bool) -> list:
        if not run:
            return []
        matches = []
        if auto:
            text = TextRun(verbatim=True).add(run)
            for match in self.glossary.find(text.text):
                if self.mode == "every" or match.entry.id not in self.seen:
                    matches.append(match)
                    self.seen.add(match.entry.id)
        if not matches:
            self._track_pages(run)
            return run
        # Cut the run from its end, so that the origins of earlier matches still hold; empty marks at a
        # match's start stay before it, those at its end after it. Then link in reading order (pages).
        stretches: list[tuple[list, list]] = []
        rest = run
        for match in reversed(matches):
            rest, matched, after = split_run(rest, text.origin(match.start), text.origin(match.end - 1))
            stretches.append((matched, after))
        self._track_pages(rest)
        result = list(rest)
        for match, (matched, after) in zip(matches, reversed(stretches), strict=True):
            self._track_pages(matched)
            result.append(self._link(match.entry, matched))
            self._track_pages(after)
            result += after
        return result

    def _page_marker(self, node: dict) -> None:
        if self.pages.see(node) and get(node, "n"):
            self.paginated_sections.add(self.section)

    def _link(self, entry: Entry, inlines: list) -> dict:
        found = self.occurrences.setdefault(entry.id, [])
        occurrence = Occurrence(entry, len(found) + 1, self.pages.page, self.section)
        found.append(occurrence)
        surface = " ".join(stringify(inlines).split())
        if surface:
            self.surfaces.setdefault(entry.id, []).append(surface)
        title = entry.expansion or entry.original or entry.term
        return Link(
            inlines,
            f"#{entry.anchor}",
            title=title,
            identifier=occurrence.anchor,
            classes=["gls"],
            attributes={"entry": entry.id},
        )

    # -- the entries ----------------------------------------------------------------------------------

    def label(self, occurrence: Occurrence) -> str:
        """The original page in brackets; after the last paginated section (editorial back matter) the
        section's title; without either, the occurrence's number."""
        last_paginated = max(self.paginated_sections, default=-1)
        if occurrence.page is not None and occurrence.section <= last_paginated:
            return f"[{occurrence.page}]"
        return self.section_titles.get(occurrence.section) or str(occurrence.number)

    def references(self, entry: Entry, lead: str, lead_pages: str) -> list:
        """«In the text: [121], [122]; Appendix», one link per distinct label (its first occurrence)."""
        found = self.occurrences.get(entry.id, [])
        labels = [self.label(o) for o in found]
        paged = all(label.startswith("[") for label in labels)
        links: list = []
        shown: set[str] = set()
        previous = ""
        for occurrence, label in zip(found, labels, strict=False):
            if label in shown:
                continue
            shown.add(label)
            if links:
                both_pages = previous.startswith("[") and label.startswith("[")
                links += [Str("," if both_pages else ";"), Space()]
            previous = label
            links.append(Link(text_inlines(label), f"#{occurrence.anchor}", classes=["gls-backref"]))
        return [*text_inlines(lead_pages if paged else lead), Space(), *links]

    def entry_block(self, entry: Entry, lead: str, lead_pages: str) -> dict:
        term = [
            Span(
                [Strong(text_inlines(entry.term))],
                identifier=entry.anchor,
                classes=["gls-term"],
                attributes={"entry": entry.id},
            )
        ]
        if entry.expansion and entry.expansion != entry.term:
            term += [Space(), Str("—"), Space(), *text_inlines(entry.expansion)]
        if entry.original and entry.original != entry.term:
            original = Span(
                [Emph(text_inlines(entry.original))],
                classes=["gls-original"],
                attributes={"lang": entry.original_lang} if entry.original_lang else None,
            )
            term += [Space(), Str("("), original, Str(")")]
        blocks = [Plain(term), Para(self.definition(entry))]
        if self.occurrences.get(entry.id):
            blocks.append(
                Div(
                    [Para(self.references(entry, lead, lead_pages))],
                    classes=["gls-refs"],
                    attributes={"entry": entry.id},
                )
            )
        return Div(blocks, classes=["gls-entry"], attributes={"entry": entry.id})

    def definition(self, entry: Entry) -> list:
        """The definition's inlines: plain text, or Markdown when it cites (``[@key, p. 5]``), so that citeproc
        formats the citation instead of printing it."""
        if self.markdown is not None and re.search(r"@[\w{]", entry.definition):
            return self.markdown(entry.definition, f"glossary entry {entry.id!r}")
        return text_inlines(entry.definition)

    def search_keys(self) -> list[tuple[str, str, list[str]]]:
        """(anchor, headword, other forms) per entry for the EPUB search key map: the headword, then the
        forms of the data file and the inflected forms linked in the text, each once."""
        keys = []
        for entry in self.glossary.sorted(collation(self.lang)):
            values: list[str] = []
            for value in (*entry.forms, *self.surfaces.get(entry.id, [])):
                value = " ".join(value.replace("\u00a0", " ").split())
                if value and value != entry.term and value not in values:
                    values.append(value)
            keys.append((entry.anchor, entry.term, values))
        return keys


class GlossaryFilter(Filter):
    name = "glossary"
    key = "glossary"
    Options = Options
    after = ("editorial_notes",)
    before = ("citeproc", "name_index")

    def prepare(self, doc: dict) -> None:
        ctx, options = self.ctx, self.options
        self.linker: Linker | None = None
        if options.link not in MODES:
            ctx.log.add(
                "GLS007",
                f"glossary.link must be one of {', '.join(MODES)}, not {options.link!r}",
                ctx.project.display(ctx.project.config_file),
                ctx.project.config_line("link"),
            )
            return
        path, shown = ctx.data_file(options.data, "glossary.data")
        if not path.is_file():
            if _uses_glossary(doc):
                ctx.log.add(
                    "GLS007",
                    f"glossary data file {options.data!r} not found in the manuscript folder; "
                    "create it or set glossary.data in edition.yaml",
                    ctx.project.display(ctx.project.config_file),
                    ctx.project.config_line("glossary"),
                )
            return
        data, shown = ctx.load_data(options.data, "glossary.data")
        errors_before = len(ctx.log.errors)
        glossary = parse_glossary(data, shown, ctx.log)
        if len(ctx.log.errors) == errors_before:
            self.linker = Linker(glossary, ctx.lang, options.link, markdown=ctx.markdown_inlines)

    def hooks(self):
        # Each top-level block is linked as a whole, in reading order, after the filters before this one
        # have finished with it (their hooks ran on everything inside it): sections, pages and the
        # first occurrence per section depend on that order.
        return {t: self.top_level_block for t in BLOCK_TYPES}

    def top_level_block(self, node: dict, path: list) -> None:
        if path:
            return
        if self.linker is None:
            _strip_markup([node])
            return
        self.linker.previous_top = self.linker.blocks([node], True, self.linker.previous_top)

    def finalize(self, doc: dict) -> None:
        linker, ctx = self.linker, self.ctx
        if linker is None:
            return
        for code, needle, message in linker.problems:
            ctx.log.add(code, message, *ctx.sources.locate(needle))
        if linker.occurrences and not linker.placeholders:
            ctx.log.add(
                "GLS008",
                "terms are linked but the manuscript has no glossary: add `::: {.glossary}` and "
                "`:::` under a heading in the back matter",
            )
        for entry in linker.glossary.entries:
            if entry.id not in linker.occurrences:
                declared = (
                    " (declared `occurs: false`)"
                    if not entry.occurs
                    else "; add a form that the text uses or declare `occurs: false`"
                )
                ctx.warn(
                    "GLS006",
                    f"glossary entry {entry.id!r} never occurs in the text{declared}",
                    linker.glossary.file,
                    entry.line,
                )
        lead, lead_pages = ctx.text("glossary-refs"), ctx.text("glossary-refs-pages")
        order = collation(ctx.lang)
        entries = [linker.entry_block(entry, lead, lead_pages) for entry in linker.glossary.sorted(order)]
        for number, placeholder in enumerate(linker.placeholders):
            placeholder["c"][1].append(
                Div(entries if number == 0 else copy.deepcopy(entries), classes=["glossary-list"])
            )
        if linker.placeholders:
            doc["meta"][SEARCH_KEYS_META] = meta_list(
                [
                    meta_map(
                        {
                            "anchor": meta_string(anchor),
                            "term": meta_string(term),
                            "values": meta_list([meta_string(v) for v in values]),
                        }
                    )
                    for anchor, term, values in linker.search_keys()
                ]
            )


def _uses_glossary(doc: dict) -> bool:
    return any(
        has_class(node, "gls") or has_class(node, PLACEHOLDER_CLASS)
        for node in iter_nodes(doc["blocks"], ("Span", "Div"))
    )


def _strip_markup(blocks: list) -> None:
    """Without a glossary, ``.gls``/``.nogls`` spans become their content."""
    for value in _lists(blocks):
        index = 0
        while index < len(value):
            node = value[index]
            if (
                isinstance(node, dict)
                and node.get("t") == "Span"
                and (has_class(node, "gls") or has_class(node, "nogls"))
            ):
                value[index : index + 1] = node["c"][1]
                continue
            index += 1


def _lists(value) -> list:
    """Every list inside ``value`` (``value`` itself first) that may hold inlines."""
    found = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            found.append(item)
            stack.extend(x for x in item if isinstance(x, (list, dict)))
        elif isinstance(item, dict):
            stack.extend(x for x in item.values() if isinstance(x, (list, dict)))
    return found


FILTER = GlossaryFilter

"""Editor's notes: a lettered series, called after an anchor phrase and kept apart from the author's notes.

Options (edition.yaml key ``editorial-notes``):

``data``
    The data file, relative to the manuscript folder; default ``editorial-notes.yaml``. Each entry has ``id``,
    ``anchor`` (an exact phrase of the main text, outside the author's notes, found exactly once; the call
    follows its last character), ``text`` (pandoc Markdown, citations allowed) and ``source`` (what the note
    rests on; the word ``article`` for a note that only compares two places of the text).
``letters``
    The note marks in order; default the catalogue's ``ednote-letters``.
``title``
    The heading of the list when the document has no ``.editorial-notes`` Div; default ``ednote-title``.

Marks: the call is ``Span.ednote-call#ed-ref-ID{target=ed-ID letter=L}`` (empty); each note is
``Div.ednote#ed-ID{letter=L ref=ed-ref-ID}`` in the Div ``.editorial-notes`` (appended at the end with a heading
when there is none). Each note's text is in the document once, in its Div, so later filters (glossary, index,
typography) see it once. Lowering puts the text into a lettered footnote in print (the author's notes keep
their numbers) and shows the list with back links on screen. An anchor not found or found more than once is
EDN001; a malformed entry is EDN002; a text that ends neither with a citation nor with a URL is EDN003 (a
warning) — all with the data file and line. Runs before filters that split text into links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..ast import Div, Header, Para, Span, get, has_class, iter_nodes, text_inlines
from ..ast.reading import reading_parts
from ..ast.text import Origin, TextRun, insert_at
from ..errors import DiagnosticLog
from ..yamlfile import line_of
from .base import Filter

LIST_CLASS = "editorial-notes"
CALL_CLASS = "ednote-call"
NOTE_CLASS = "ednote"
REQUIRED = ("id", "anchor", "text", "source")
_ENDS_WITH_SOURCE = re.compile(r"(\[@[^\]]+\]|https?://\S+|<https?://[^>]+>)\s*[.)»]*\s*$")


@dataclass(frozen=True)
class Options:
    data: str = "editorial-notes.yaml"
    letters: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class EditorialNote:
    """One note of the editor, as the data file gives it."""

    id: str
    anchor: str
    text: str
    source: str
    line: int | None = None


def parse_entries(data, shown: str, log: DiagnosticLog) -> list[EditorialNote]:
    """Check the entries (EDN002, EDN003) and return the good ones in file order."""
    notes: list[EditorialNote] = []
    if not isinstance(data, list):
        log.add("EDN002", "the editorial notes file must be a list of entries (- id: …)", shown, line_of(data, 1))
        return notes
    seen: dict[str, int | None] = {}
    for item in data:
        line = line_of(item)
        if not isinstance(item, dict):
            log.add("EDN002", "an entry must be a map with id, anchor, text, source", shown, line)
            continue
        missing = [key for key in REQUIRED if not isinstance(item.get(key), str) or not item[key].strip()]
        if missing:
            log.add(
                "EDN002",
                f"entry {item.get('id', '?')!r} lacks {', '.join(missing)}; give every entry {', '.join(REQUIRED)}",
                shown,
                line,
            )
            continue
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", item["id"]):
            log.add("EDN002", f"id {item['id']!r} must be Latin letters, digits and hyphens", shown, line)
            continue
        if item["id"] in seen:
            log.add("EDN002", f"duplicate id {item['id']!r} (first on line {seen[item['id']]})", shown, line)
            continue
        seen[item["id"]] = line
        note = EditorialNote(
            item["id"], " ".join(item["anchor"].split()), item["text"].strip(), item["source"].strip(), line
        )
        if note.source != "article" and not _ENDS_WITH_SOURCE.search(note.text):
            log.add(
                "EDN003",
                f"note {note.id!r} should end with a citation [@key, p. N] or a URL",
                shown,
                line,
                severity="warning",
            )
        notes.append(note)
    return notes


# --- finding anchors: the visible characters of a block, with where each one stands ------------------


def main_text_blocks(blocks: list) -> list[list]:
    """The inline lists of the main text in reading order: paragraphs, headings, lines, terms; the author's
    notes inside them are not main text (not searched)."""
    found: list[list] = []
    for block in blocks:
        for kind, part in reading_parts(block):
            if kind == "inlines":
                found.append(part)
            else:
                found += main_text_blocks(part)
    return found


class BlockTexts:
    """The visible text of each main-text block (notes and citations count as nothing), made once and made
    again only for a block that changed."""

    def __init__(self, blocks: list[list]):
        self.blocks = blocks
        self._texts: dict[int, TextRun] = {}

    def text(self, number: int) -> TextRun:
        if number not in self._texts:
            self._texts[number] = TextRun(verbatim=True).add(self.blocks[number])
        return self._texts[number]

    def changed(self, number: int) -> None:
        self._texts.pop(number, None)

    def find(self, phrase: str) -> list[tuple[int, Origin]]:
        """Every place where ``phrase`` ends: (block number, its last character)."""
        places = []
        for number in range(len(self.blocks)):
            run = self.text(number)
            text = run.text
            start = text.find(phrase)
            while start >= 0:
                origin = run.origin(start + len(phrase) - 1)
                if origin.offset is not None:
                    places.append((number, origin))
                start = text.find(phrase, start + 1)
        return places


class EditorialNotes(Filter):
    name = "editorial_notes"
    key = "editorial-notes"
    Options = Options
    before = ("citeproc", "glossary", "name_index", "typography")

    def prepare(self, doc: dict) -> None:
        ctx, options = self.ctx, self.options
        letters = options.letters or ctx.text("ednote-letters")
        data, shown = ctx.load_data(options.data, "editorial-notes.data")
        log = ctx.log
        notes = parse_entries(data, shown, log)
        if len(notes) > len(letters):
            log.add(
                "EDN002",
                f"{len(notes)} notes but only {len(letters)} letters; give more in 'editorial-notes.letters'",
                shown,
                None,
            )
        texts = BlockTexts(main_text_blocks(doc["blocks"]))
        placed: list[EditorialNote] = []
        for note in notes:
            places = texts.find(note.anchor)
            if len(places) != 1:
                found = "is not found in the main text" if not places else f"occurs {len(places)} times"
                log.add(
                    "EDN001",
                    f"anchor of note {note.id!r} {found}; quote a phrase that occurs exactly once "
                    "outside the author's notes",
                    shown,
                    note.line,
                )
                continue
            number, origin = places[0]
            texts.changed(number)
            insert_at(
                origin,
                Span(
                    [],
                    identifier=f"ed-ref-{note.id}",
                    classes=[CALL_CLASS],
                    attributes={"target": f"ed-{note.id}", "note": note.id},
                ),
                after=True,
            )
            placed.append(note)
        log.raise_if_errors()
        order = [get(node, "note") for node in iter_nodes(doc["blocks"], ("Span",)) if has_class(node, CALL_CLASS)]
        by_id = {note.id: note for note in placed}
        self.letters = {note_id: letters[n] for n, note_id in enumerate(order)}
        self.notes = [by_id[note_id] for note_id in order]
        self.list_filled = False

    def hooks(self):
        return {"Span": self.letter_call, "Div": self.fill_list}

    def letter_call(self, node: dict, _path: list) -> None:
        if has_class(node, CALL_CLASS):
            attrs = node["c"][0][2]
            note_id = dict(attrs)["note"]
            node["c"][0][2] = [["target", f"ed-{note_id}"], ["letter", self.letters[note_id]]]

    def fill_list(self, node: dict, _path: list) -> None:
        if has_class(node, LIST_CLASS):
            self.list_filled = True
            node["c"][1].extend(self.entries())

    def entries(self) -> list[dict]:
        ctx = self.ctx
        ctx.prefetch_markdown([note.text for note in self.notes], "editorial notes")  # one request for all
        return [
            Div(
                ctx.markdown(note.text, f"editorial note {note.id!r}") or [Para([])],
                identifier=f"ed-{note.id}",
                classes=[NOTE_CLASS],
                attributes={"letter": self.letters[note.id], "ref": f"ed-ref-{note.id}"},
            )
            for note in self.notes
        ]

    def finalize(self, doc: dict) -> None:
        if not self.list_filled and self.notes:
            title = self.options.title or self.ctx.text("ednote-title")
            doc["blocks"].append(
                Div(
                    [Header(1, text_inlines(title), identifier="editorial-notes"), *self.entries()],
                    classes=[LIST_CLASS],
                )
            )


FILTER = EditorialNotes

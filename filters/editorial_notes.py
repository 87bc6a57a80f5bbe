#!/usr/bin/env python3
"""Editor's notes: call each note after its anchor phrase and keep the series apart from the author's notes.

Reads the metadata key ``editorial-notes`` (a map, removed from the output):

``data``
    The data file, relative to the manuscript folder; default ``editorial-notes.yaml``. Each entry has
    ``id``, ``anchor`` (an exact phrase of the main text, outside the author's notes, found exactly once;
    the call follows its last character), ``text`` (pandoc Markdown, citations allowed) and ``source``
    (what the note rests on; the word ``article`` for a note that only compares two places of the text).
``letters``
    The note marks in order; default the Russian letters used for lettered lists («а», «б», «в» …).
``title``
    The heading of the list the HTML and EPUB show when the document has no ``.editorial-notes`` Div;
    default «Примечания редактора».

The notes are a separate series marked with letters. PDF (typst): a footnote numbered with its letter,
ending «— Прим. ред.», followed by a step back of the footnote counter, so the author's notes keep their
numbers. HTML and EPUB: a lettered call linking to a list in the Div ``.editorial-notes`` with back links;
pandoc Notes would share one number sequence with the author's notes and shift them. Problems: an
anchor not found or found more than once is EDN001; a malformed entry is EDN002; a text that ends
neither with a citation nor with a URL is EDN003 (a warning) — all with the data file and line.
Run this filter before filters that split the text into links (glossary, index) and before citeproc.
"""

from __future__ import annotations

import functools
import io
import json
import re
import sys
from dataclasses import dataclass

import panflute as pf

from editio.config import data_file
from editio.errors import DiagnosticLog
from editio.pandoc import markdown_to_json
from editio.yamlfile import line_of, load_yaml
from editio.filterkit import run_filter, within

# panflute 2.3 does not list typst among raw formats; without this a document holding raw typst
# cannot be loaded again by the filters that run after this one.
pf.elements.RAW_FORMATS.add("typst")

LIST_CLASS = "editorial-notes"
CALL_CLASS = "ednote-call"
REQUIRED = ("id", "anchor", "text", "source")
RUSSIAN_LETTERS = "абвгдежиклмнпрстуфхцшщэюя"
_ENDS_WITH_SOURCE = re.compile(r"(\[@[^\]]+\]|https?://\S+|<https?://[^>]+>)\s*[.)»]*\s*$")
_CONTAINERS = (pf.Emph, pf.Strong, pf.Underline, pf.Strikeout, pf.SmallCaps, pf.Superscript,
               pf.Subscript, pf.Span, pf.Link, pf.Quoted)


@dataclass(frozen=True)
class EditorialNote:
    """One note of the editor, as the data file gives it."""

    id: str
    anchor: str
    text: str
    source: str
    line: int | None = None


@dataclass(frozen=True)
class Config:
    """The filter's options, read from the ``editorial-notes`` metadata key."""

    data: str = "editorial-notes.yaml"
    letters: str = RUSSIAN_LETTERS
    title: str = "Примечания редактора"


# --- pure helpers ------------------------------------------------------------------------------

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
            log.add("EDN002", f"entry {item.get('id', '?')!r} lacks {', '.join(missing)}; give every entry "
                              f"{', '.join(REQUIRED)}", shown, line)
            continue
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", item["id"]):
            log.add("EDN002", f"id {item['id']!r} must be Latin letters, digits and hyphens", shown, line)
            continue
        if item["id"] in seen:
            log.add("EDN002", f"duplicate id {item['id']!r} (first on line {seen[item['id']]})", shown, line)
            continue
        seen[item["id"]] = line
        note = EditorialNote(item["id"], " ".join(item["anchor"].split()), item["text"].strip(),
                             item["source"].strip(), line)
        if note.source != "article" and not _ENDS_WITH_SOURCE.search(note.text):
            log.add("EDN003", f"note {note.id!r} should end with a citation [@key, p. N] or a URL",
                    shown, line, severity="warning")
        notes.append(note)
    return notes


def _characters(inlines, out: list) -> None:
    """(character, element, offset) for the visible text of ``inlines``; notes and citations count as nothing."""
    for elem in inlines:
        if isinstance(elem, pf.Str):
            out.extend((char, elem, index) for index, char in enumerate(elem.text))
        elif isinstance(elem, (pf.Space, pf.SoftBreak, pf.LineBreak)):
            out.append((" ", elem, None))
        elif isinstance(elem, _CONTAINERS):
            _characters(elem.content, out)


def _normalise(char: str) -> str:
    return " " if char in "\u00a0\u202f\n\t" else char


def _main_text_blocks(doc) -> list:
    """The paragraphs, plain blocks and headings of the main text (not inside the author's notes)."""
    blocks = []
    doc.walk(lambda e, _d: blocks.append(e) if isinstance(e, (pf.Para, pf.Plain, pf.Header)) and not within(e, pf.Note) else None)
    return blocks


def _places_in(block, phrase: str) -> list[tuple[pf.Str, int]]:
    chars: list = []
    _characters(block.content, chars)
    text = "".join(_normalise(c) for c, _, _ in chars)
    places = []
    start = text.find(phrase)
    while start >= 0:
        char, elem, offset = chars[start + len(phrase) - 1]
        if isinstance(elem, pf.Str):
            places.append((elem, offset))
        start = text.find(phrase, start + 1)
    return places


def find_anchors(doc, phrases: list[str]) -> dict[str, list[tuple[object, pf.Str, int]]]:
    """For each phrase, every place where it ends in the main text: (block, Str holding its last character,
    offset). One pass over the document for all phrases."""
    found: dict[str, list] = {phrase: [] for phrase in phrases}
    for block in _main_text_blocks(doc):
        chars: list = []
        _characters(block.content, chars)
        text = "".join(_normalise(c) for c, _, _ in chars)
        for phrase in phrases:
            if phrase in text:
                found[phrase].extend((block, elem, offset) for elem, offset in _places_in(block, phrase))
    return found


def find_anchor(doc, phrase: str) -> list[tuple[pf.Str, int]]:
    """Every place where ``phrase`` ends in the main text: (the Str holding its last character, offset)."""
    return [(elem, offset) for _block, elem, offset in find_anchors(doc, [phrase])[phrase]]


def insert_after(elem: pf.Str, offset: int, new) -> None:
    """Put ``new`` right after character ``offset`` of ``elem``, splitting the Str when needed."""
    container, index = elem.container, elem.index
    if offset + 1 >= len(elem.text):
        container.insert(index + 1, new)
        return
    head, tail = elem.text[: offset + 1], elem.text[offset + 1:]
    container[index] = pf.Str(head)
    container.insert(index + 1, new)
    container.insert(index + 2, pf.Str(tail))


@functools.lru_cache(maxsize=256)
def _note_json(text: str) -> str:
    return json.dumps(markdown_to_json(text, "editorial note"))


def note_inlines(text: str) -> list:
    """The note's Markdown as inlines (its first paragraph); parsed once per process, not per format."""
    doc = pf.load(io.StringIO(_note_json(text)))
    if not doc.content:
        return []
    return list(doc.content[0].content)


def ref_id(note: EditorialNote) -> str:
    return f"ed-ref-{note.id}"


def entry_id(note: EditorialNote) -> str:
    return f"ed-{note.id}"


def raw_typst(text: str) -> pf.RawInline:
    return pf.RawInline(text, format="typst")


def typst_call(note: EditorialNote, letter: str, content: list) -> list:
    """A footnote marked with its letter; the counter steps back so the author's numbering is untouched."""
    return [raw_typst(f'#footnote(numbering: _ => "{letter}")['), *content,
            pf.Str("\u00a0—"), pf.Space(), pf.Emph(pf.Str("Прим."), pf.Space(), pf.Str("ред.")),
            raw_typst("]#counter(footnote).update(n => n - 1);")]


def html_call(note: EditorialNote, letter: str) -> pf.Link:
    return pf.Link(pf.Superscript(pf.Str(letter)), url=f"#{entry_id(note)}", identifier=ref_id(note),
                   title="Примечание редактора", classes=["ednote-ref"], attributes={"role": "doc-noteref"})


def html_entry(note: EditorialNote, letter: str, content: list) -> pf.Div:
    para = pf.Para(pf.Strong(pf.Str(f"{letter})")), pf.Space(), *content, pf.Space(),
                   pf.Link(pf.Str("↩\ufe0e"), url=f"#{ref_id(note)}", title="к месту в тексте",
                           attributes={"role": "doc-backlink"}))
    return pf.Div(para, identifier=entry_id(note), classes=["ednote"])


# --- configuration and the action --------------------------------------------------------------

def _read_config(options, log: DiagnosticLog) -> Config:
    if not isinstance(options, dict):
        log.add("EDN002", f"metadata key 'editorial-notes' must be a map, not {type(options).__name__}; "
                          "write e.g. 'editorial-notes: {data: editorial-notes.yaml}'")
        return Config()
    values = {"data": options.get("data", Config.data), "letters": options.get("letters", Config.letters),
              "title": options.get("title", Config.title)}
    for key, value in values.items():
        if not isinstance(value, str) or not value:
            log.add("EDN002", f"'editorial-notes.{key}' must be a non-empty string, not {value!r}")
            values[key] = getattr(Config, key)
    return Config(**values)


def configure(doc) -> Config:
    """Read and remove the key; check the data; put a placeholder call after every anchor."""
    options = doc.get_metadata("editorial-notes", default={})
    if "editorial-notes" in doc.metadata.content:
        del doc.metadata["editorial-notes"]
    log = DiagnosticLog()
    config = _read_config(options, log)
    log.raise_if_errors()
    data_path, shown = data_file(doc, config.data, "editorial-notes.data")
    notes = parse_entries(load_yaml(data_path, shown), shown, log)
    if len(notes) > len(config.letters):
        log.add("EDN002", f"{len(notes)} notes but only {len(config.letters)} letters; "
                          "give more in 'editorial-notes.letters'", shown, None)
    anchors = find_anchors(doc, [note.anchor for note in notes])
    for note in notes:
        places = anchors[note.anchor]
        if len(places) == 1:  # an earlier insertion may have split this block's Str: look again in it
            places = [(elem, offset) for elem, offset in _places_in(places[0][0], note.anchor)]
        if len(places) != 1:
            found = "is not found in the main text" if not places else f"occurs {len(places)} times"
            log.add("EDN001", f"anchor of note {note.id!r} {found}; quote a phrase that occurs exactly once "
                              "outside the author's notes", shown, note.line)
            continue
        insert_after(*places[0], pf.Span(classes=[CALL_CLASS], attributes={"note": note.id}))
    for warning in log.warnings:
        print(warning, file=sys.stderr)
    log.raise_if_errors()
    order: list[str] = []
    doc.walk(lambda e, _d: order.append(e.attributes["note"])
             if isinstance(e, pf.Span) and CALL_CLASS in e.classes else None)
    by_id = {note.id: note for note in notes}
    doc.editorial_notes = [(by_id[i], config.letters[n]) for n, i in enumerate(order)]
    doc.editorial_letters = {i: config.letters[n] for n, i in enumerate(order)}
    doc.editorial_by_id = by_id
    doc.editorial_config = config
    doc.editorial_list_filled = False
    return config


def editorial_notes(elem, doc):
    """panflute action: the placeholder call becomes the format's call; the list Div gets the notes."""
    if isinstance(elem, pf.Span) and CALL_CLASS in elem.classes:
        note = doc.editorial_by_id[elem.attributes["note"]]
        letter = doc.editorial_letters[note.id]
        if doc.format == "typst":
            return typst_call(note, letter, note_inlines(note.text))
        return html_call(note, letter)
    if isinstance(elem, pf.Div) and LIST_CLASS in elem.classes and doc.format != "typst":
        doc.editorial_list_filled = True
        elem.content.extend(html_entry(n, letter, note_inlines(n.text)) for n, letter in doc.editorial_notes)
        return elem
    if isinstance(elem, pf.Div) and LIST_CLASS in elem.classes:
        doc.editorial_list_filled = True
        return []  # the PDF has the notes at the page foot; the Div's heading stays where it is
    return None


def finalize(doc) -> None:
    if not doc.editorial_list_filled and doc.editorial_notes and doc.format != "typst":
        title = doc.editorial_config.title
        doc.content.append(pf.Div(pf.Header(*[pf.Str(w) if w else pf.Space() for w in _words(title)], level=1,
                                            identifier="editorial-notes"),
                                  *(html_entry(n, letter, note_inlines(n.text)) for n, letter in doc.editorial_notes),
                                  classes=[LIST_CLASS]))
    for name in ("editorial_notes", "editorial_letters", "editorial_by_id", "editorial_config",
                 "editorial_list_filled"):
        delattr(doc, name)


def _words(text: str) -> list[str]:
    out = []
    for index, word in enumerate(text.split()):
        if index:
            out.append("")
        out.append(word)
    return out


def main(doc=None):
    """Run as a pandoc JSON filter, or in-process on ``doc``."""
    return run_filter(editorial_notes, prepare=configure, finalize=finalize, doc=doc)


if __name__ == "__main__":
    main()

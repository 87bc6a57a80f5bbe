#!/usr/bin/env python3
"""Emendation apparatus: mark each corrected reading ``[…]{.emendation key=ID}`` and list them all.

Reads the metadata key ``emendations`` (a map, removed from the output):

``data``
    The data file, relative to the manuscript folder; default ``emendations.yaml``. Each entry has
    ``id``, ``source`` (the source's reading), ``edition`` (the edition's reading), ``kind`` and ``why``.
``kinds``
    Optional map from a kind to the word printed for it (defaults: Russian words for typo, date, name,
    grammar, number, punctuation).
``page-label``
    The abbreviation before a page number in the PDF list; default ``с.``.

Every span key must name an entry (EMD001, with the manuscript file and line); every entry should be
used (EMD002, a warning, with the data file and line); malformed entries are EMD003. In the text the
reading gets a dotted underline (PDF) or becomes a link of class ``emendation`` to its line in the list,
titled «в источнике: …» (HTML, EPUB). The list fills the Div ``.emendations`` (appended at the end of
the document when there is none, EMD004): numbered in text order, «edition ] source (kind: why)», with
a link back to the place (HTML, EPUB) or its page number (PDF).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

import panflute as pf

from editio.config import data_file
from editio.errors import DiagnosticLog
from editio.sources import SourceTexts
from editio.yamlfile import line_of, load_yaml
from editio.filterkit import manuscript_sources, run_filter

# panflute 2.3 does not list typst among raw formats; without this a document holding raw typst
# cannot be loaded again by the filters that run after this one.
pf.elements.RAW_FORMATS.add("typst")

CLASS = "emendation"
LIST_CLASS = "emendations"
REQUIRED = ("id", "source", "edition", "kind", "why")
DEFAULT_KINDS = {"typo": "опечатка", "date": "дата", "name": "название", "grammar": "грамматика",
                 "number": "число", "punctuation": "пунктуация"}
UNDERLINE = ('#underline(stroke: (thickness: 0.45pt, dash: "dotted", paint: luma(40%)), '
             'offset: 1.8pt, evade: false)[')


@dataclass(frozen=True)
class Emendation:
    """One correction of the source, as the data file gives it."""

    id: str
    source: str
    edition: str
    kind: str
    why: str
    line: int | None = None


@dataclass(frozen=True)
class Config:
    """The filter's options, read from the ``emendations`` metadata key."""

    data: str = "emendations.yaml"
    kinds: dict = field(default_factory=lambda: dict(DEFAULT_KINDS))
    page_label: str = "с."


# --- pure helpers ------------------------------------------------------------------------------

def parse_entries(data, shown: str, kinds: dict, log: DiagnosticLog) -> dict[str, Emendation]:
    """Check the data file's entries (EMD003 for each problem) and return the good ones by id."""
    entries: dict[str, Emendation] = {}
    if not isinstance(data, list):
        log.add("EMD003", "the emendations file must be a list of entries (- id: …)", shown, line_of(data, 1))
        return entries
    for item in data:
        line = line_of(item)
        if not isinstance(item, dict):
            log.add("EMD003", "an entry must be a map with id, source, edition, kind, why", shown, line)
            continue
        missing = [key for key in REQUIRED if not isinstance(item.get(key), (str, int)) or str(item[key]) == ""]
        if missing:
            log.add("EMD003", f"entry {item.get('id', '?')!r} lacks {', '.join(missing)}; give every entry "
                              f"{', '.join(REQUIRED)}", shown, line)
            continue
        seed_line = item.get("seed-line")
        if seed_line is not None and (not isinstance(seed_line, int) or isinstance(seed_line, bool) or seed_line < 1):
            log.add("EMD003", f"entry {item['id']!r}: `seed-line` must be a line number of the source text, not "
                              f"{seed_line!r}", shown, line_of(seed_line, line))
        entry = Emendation(*(str(item[key]) for key in REQUIRED), line=line)
        if entry.kind not in kinds:
            log.add("EMD003", f"entry {entry.id!r} has kind {entry.kind!r}; use one of "
                              f"{', '.join(sorted(kinds))}", shown, line)
        if entry.id in entries:
            log.add("EMD003", f"duplicate id {entry.id!r} (first on line {entries[entry.id].line})", shown, line)
            continue
        entries[entry.id] = entry
    return entries


def locate_key(sources: SourceTexts, key: str) -> tuple[str | None, int | None]:
    """File and line of the span attribute ``key=KEY`` (not a longer key that starts the same)."""
    pattern = re.compile(r"key=[\"']?" + re.escape(key) + r"(?![\w-])")
    for name, text in sources.texts.items():
        match = pattern.search(text)
        if match:
            return name, text.count("\n", 0, match.start()) + 1
    return None, None


def number_in_text_order(keys: list[str]) -> dict[str, int]:
    """1, 2, 3 … by first occurrence of each key."""
    numbers: dict[str, int] = {}
    for key in keys:
        numbers.setdefault(key, len(numbers) + 1)
    return numbers


def ref_id(number: int) -> str:
    return f"emd-ref-{number}"


def entry_id(number: int) -> str:
    return f"emd-{number}"


def raw_typst(text: str) -> pf.RawInline:
    return pf.RawInline(text, format="typst")


def _has_link(inlines) -> bool:
    found = []
    for elem in inlines:
        elem.walk(lambda e, _d: found.append(e) if isinstance(e, pf.Link) else None)
    return bool(found)


def marked_reading(content: list, entry: Emendation, number: int, fmt: str) -> list:
    """The inlines standing for a corrected reading in the text."""
    if fmt == "typst":
        return [raw_typst(UNDERLINE), *content, raw_typst(f']#metadata("emendation")<{ref_id(number)}>')]
    title = f"в источнике: {entry.source}"
    if _has_link(content):
        # A link may not hold another link (a glossary term, say): keep the reading, add a marker link.
        return [pf.Span(*content, identifier=ref_id(number), classes=[CLASS]),
                pf.Link(pf.Superscript(pf.Str("*")), url=f"#{entry_id(number)}", title=title,
                        classes=[CLASS])]
    return [pf.Link(*content, url=f"#{entry_id(number)}", title=title, identifier=ref_id(number),
                    classes=[CLASS])]


def _text(text: str) -> list:
    words = []
    for index, word in enumerate(text.split(" ")):
        if index:
            words.append(pf.Space())
        if word:
            words.append(pf.Str(word))
    return words


def list_item(entry: Emendation, number: int, fmt: str, config: Config) -> pf.ListItem:
    """One line of the list: «edition ] source (kind: why)» and the way back to the place."""
    kind = config.kinds.get(entry.kind, entry.kind)
    inlines = [pf.Emph(*_text(entry.edition)), pf.Str("\u00a0]"), pf.Space(), *_text(entry.source),
               pf.Space(), pf.Str("("), *_text(f"{kind}: {entry.why}"), pf.Str(")")]
    if fmt == "typst":
        label = config.page_label.replace("]", "\\]")
        inlines += [pf.Str(" —"), pf.Space(), raw_typst(
            f"#link(<{ref_id(number)}>)[{label}~#context counter(page).at(<{ref_id(number)}>).first()];")]
    else:
        inlines.insert(0, pf.Span(identifier=entry_id(number)))
        inlines += [pf.Space(), pf.Link(pf.Str("↩\ufe0e"), url=f"#{ref_id(number)}",
                                        title="к месту в тексте", attributes={"role": "doc-backlink"})]
    return pf.ListItem(pf.Plain(*inlines))


def emendation_list(entries: list[Emendation], fmt: str, config: Config) -> pf.OrderedList:
    return pf.OrderedList(*(list_item(entry, number, fmt, config)
                            for number, entry in enumerate(entries, start=1)))


# --- configuration and the action --------------------------------------------------------------

def _read_config(options, log: DiagnosticLog) -> Config:
    if not isinstance(options, dict):
        log.add("EMD003", f"metadata key 'emendations' must be a map, not {type(options).__name__}; "
                          "write e.g. 'emendations: {data: emendations.yaml}'")
        return Config()
    data = options.get("data", Config.data)
    kinds = options.get("kinds", {})
    page_label = options.get("page-label", Config.page_label)
    if not isinstance(data, str):
        log.add("EMD003", f"'emendations.data' must be a file name, not {type(data).__name__}")
        data = Config.data
    if not isinstance(kinds, dict) or not all(isinstance(v, str) for v in kinds.values()):
        log.add("EMD003", f"'emendations.kinds' must map each kind to a word, not {kinds!r}")
        kinds = {}
    if not isinstance(page_label, str):
        log.add("EMD003", f"'emendations.page-label' must be a string, not {type(page_label).__name__}")
        page_label = Config.page_label
    return Config(data=data, kinds={**DEFAULT_KINDS, **kinds}, page_label=page_label)


def configure(doc) -> Config:
    """Read and remove the ``emendations`` key; load and check the data against the spans in the text."""
    options = doc.get_metadata("emendations", default={})
    if "emendations" in doc.metadata.content:
        del doc.metadata["emendations"]
    log = DiagnosticLog()
    config = _read_config(options, log)
    log.raise_if_errors()
    data_path, shown = data_file(doc, config.data, "emendations.data")
    entries = parse_entries(load_yaml(data_path, shown), shown, config.kinds, log)
    sources = manuscript_sources(doc)
    keys: list[str] = []

    def collect(elem, _doc):
        if isinstance(elem, pf.Span) and CLASS in elem.classes:
            key = elem.attributes.get("key", "")
            if key in entries:
                keys.append(key)
            else:
                file, line = locate_key(sources, key) if key else sources.locate("{." + CLASS)
                what = f"names no entry of {shown}" if key else "has no key"
                log.add("EMD001", f"emendation span key={key!r} {what}; add the entry or fix the key",
                        file, line)

    doc.walk(collect)
    for entry in entries.values():
        if entry.id not in keys:
            log.add("EMD002", f"emendation {entry.id!r} is not used in the text; mark the reading "
                              f"[…]{{.emendation key={entry.id}}} or remove the entry", shown, entry.line,
                    severity="warning")
    for warning in log.warnings:
        print(warning, file=sys.stderr)
    log.raise_if_errors()
    numbers = number_in_text_order(keys)
    doc.emendation_entries = entries
    doc.emendation_numbers = numbers
    doc.emendation_list_filled = False
    doc.emendation_config = config
    return config


def emendations(elem, doc):
    """panflute action: mark corrected readings; fill the list Div."""
    if isinstance(elem, pf.Span) and CLASS in elem.classes and elem.attributes.get("key") in doc.emendation_numbers:
        key = elem.attributes["key"]
        return marked_reading(list(elem.content), doc.emendation_entries[key], doc.emendation_numbers[key],
                              doc.format or "")
    if isinstance(elem, pf.Div) and LIST_CLASS in elem.classes:
        doc.emendation_list_filled = True
        elem.content.append(_list(doc))
        return elem
    return None


def _list(doc) -> pf.OrderedList:
    ordered = sorted(doc.emendation_numbers, key=doc.emendation_numbers.get)
    return emendation_list([doc.emendation_entries[key] for key in ordered], doc.format or "",
                           doc.emendation_config)


def finalize(doc) -> None:
    """Without a ``.emendations`` Div the list goes at the end, under its own heading (EMD004)."""
    if not doc.emendation_list_filled and doc.emendation_numbers:
        print(f"warning EMD004: no Div .{LIST_CLASS} in the text; the list is appended at the end "
              f"(add '::: {LIST_CLASS}' to the back matter)", file=sys.stderr)
        doc.content.append(pf.Div(pf.Header(pf.Str("Исправления"), level=1, identifier="emendations"),
                                  _list(doc), classes=[LIST_CLASS]))
    for name in ("emendation_entries", "emendation_numbers", "emendation_list_filled", "emendation_config"):
        delattr(doc, name)


def main(doc=None):
    """Run as a pandoc JSON filter, or in-process on ``doc``."""
    return run_filter(emendations, prepare=configure, finalize=finalize, doc=doc)


if __name__ == "__main__":
    main()

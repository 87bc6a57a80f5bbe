"""Emendation apparatus: each corrected reading ``[…]{.emendation key=ID}`` is marked and all are listed.

Options (edition.yaml key ``emendations``):

``data``
    The data file, relative to the manuscript folder; default ``emendations.yaml``. Each entry has ``id``,
    ``source`` (the source's reading), ``edition`` (the edition's reading), ``kind`` and ``why``.
``kinds``
    Optional map from a kind to the word printed for it; the catalogue names typo, date, name, grammar,
    number and punctuation (``emendation-kind-<kind>``).
``page-label``
    The abbreviation before a page number in the printed list; default the catalogue's ``page-abbrev``.

Every span key must name an entry (EMD001, at the manuscript line); every entry should be used (EMD002, a
warning, at the data file line); malformed entries are EMD003. Marks: the reading becomes
``Span.emendation#emd-ref-N{target=emd-N title=…}`` (a dotted underline in print, a link to its line of the
list on screen); the list fills the Div ``.emendations`` (appended at the end with a heading when there is none,
EMD004): an ordered list «edition ] source (kind: why)», each item with ``Span.anchor#emd-N`` and a
``Span.backref{target=emd-ref-N}`` (the page in print, a back link on screen). An entry that marks several
places (the same slip twice) is listed once; its later places are ``#emd-ref-N-2``, … each with a backref.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from ..ast import Div, Emph, Header, OrderedList, Plain, Space, Span, Str, get, has_class, iter_nodes, text_inlines
from ..errors import DiagnosticLog
from ..sources import SourceTexts
from ..yamlfile import line_of
from .base import Filter

CLASS = "emendation"
LIST_CLASS = "emendations"
REQUIRED = ("id", "source", "edition", "kind", "why")
KINDS = ("typo", "date", "name", "grammar", "number", "punctuation")


@dataclass(frozen=True)
class Options:
    data: str = "emendations.yaml"
    kinds: Mapping[str, str] | None = None
    page_label: str | None = None


@dataclass(frozen=True)
class Emendation:
    """One correction of the source, as the data file gives it."""

    id: str
    source: str
    edition: str
    kind: str
    why: str
    line: int | None = None


def parse_entries(data, shown: str, kinds: Mapping[str, str], log: DiagnosticLog) -> dict[str, Emendation]:
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
            log.add(
                "EMD003",
                f"entry {item.get('id', '?')!r} lacks {', '.join(missing)}; give every entry {', '.join(REQUIRED)}",
                shown,
                line,
            )
            continue
        seed_line = item.get("seed-line")
        if seed_line is not None and (not isinstance(seed_line, int) or isinstance(seed_line, bool) or seed_line < 1):
            log.add(
                "EMD003",
                f"entry {item['id']!r}: `seed-line` must be a line number of the source text, not {seed_line!r}",
                shown,
                line_of(seed_line, line),
            )
        entry = Emendation(*(str(item[key]) for key in REQUIRED), line=line)
        if entry.kind not in kinds:
            log.add(
                "EMD003",
                f"entry {entry.id!r} has kind {entry.kind!r}; use one of {', '.join(sorted(kinds))}",
                shown,
                line,
            )
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


def ref_id(number: int, use: int = 1) -> str:
    """The id of the ``use``-th place marked with emendation ``number`` (a reading may recur)."""
    return f"emd-ref-{number}" if use == 1 else f"emd-ref-{number}-{use}"


def entry_id(number: int) -> str:
    return f"emd-{number}"


def sentence_tail(text: str) -> str:
    """A clause after a colon: no capital, no final full stop before «)». Only a word of two letters or more
    loses its capital: an abbreviation (POR), an initial (Г. Лора) or a letter's name (T вместо R) keeps it."""
    text = text.strip()
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


class Emendations(Filter):
    name = "emendations"
    key = "emendations"
    Options = Options

    def prepare(self, doc: dict) -> None:
        ctx, options = self.ctx, self.options
        self.kinds = {kind: ctx.text(f"emendation-kind-{kind}") for kind in KINDS}
        self.kinds.update(options.kinds or {})
        self.page_label = options.page_label if options.page_label is not None else ctx.text("page-abbrev")
        data, shown = ctx.load_data(options.data, "emendations.data")
        log = ctx.log
        self.entries = parse_entries(data, shown, self.kinds, log)
        keys: list[str] = []
        for node in iter_nodes(doc["blocks"], ("Span",)):
            if not has_class(node, CLASS):
                continue
            key = get(node, "key", "") or ""
            if key in self.entries:
                keys.append(key)
            else:
                file, line = locate_key(ctx.sources, key) if key else ctx.sources.locate("{." + CLASS)
                what = f"names no entry of {shown}" if key else "has no key"
                log.add("EMD001", f"emendation span key={key!r} {what}; add the entry or fix the key", file, line)
        for entry in self.entries.values():
            if entry.id not in keys:
                ctx.warn(
                    "EMD002",
                    f"emendation {entry.id!r} is not used in the text; mark the reading "
                    f"[…]{{.emendation key={entry.id}}} or remove the entry",
                    shown,
                    entry.line,
                )
        log.raise_if_errors()
        self.numbers: dict[str, int] = {}
        for key in keys:
            self.numbers.setdefault(key, len(self.numbers) + 1)
        self.uses = Counter(keys)
        self.marked: Counter[str] = Counter()
        self.list_filled = False

    def hooks(self):
        return {"Span": self.mark_reading, "Div": self.fill_list}

    def mark_reading(self, node: dict, _path: list) -> None:
        if has_class(node, CLASS) and get(node, "key") in self.numbers:
            key = get(node, "key")
            number = self.numbers[key]
            entry = self.entries[key]
            self.marked[key] += 1
            node["c"][0] = [
                ref_id(number, self.marked[key]),
                [CLASS],
                [
                    ["target", entry_id(number)],
                    ["title", self.ctx.text("emendation-source-title", source=entry.source)],
                ],
            ]

    def fill_list(self, node: dict, _path: list) -> None:
        if has_class(node, LIST_CLASS):
            self.list_filled = True
            node["c"][1].append(self.listing())

    def listing(self) -> dict:
        ordered = sorted(self.numbers, key=self.numbers.get)
        return OrderedList([self.item(self.entries[key], self.numbers[key])] for key in ordered)

    def item(self, entry: Emendation, number: int) -> dict:
        """One line: «edition ] source (kind: why)» and the way back to each place it marks."""
        kind = self.kinds.get(entry.kind, entry.kind)
        inlines = [
            Span([], identifier=entry_id(number), classes=["anchor"]),
            Emph(text_inlines(entry.edition)),
            Str("\u00a0]"),
            Space(),
            *text_inlines(entry.source),
            Space(),
            Str("("),
            *text_inlines(self.ctx.text("emendation-reason", kind=kind, why=sentence_tail(entry.why))),
            Str(")"),
            *(
                Span([], classes=["backref"], attributes={"target": ref_id(number, use), "label": self.page_label})
                for use in range(1, self.uses[entry.id] + 1)
            ),
        ]
        return Plain(inlines)

    def finalize(self, doc: dict) -> None:
        """Without a ``.emendations`` Div the list goes at the end, under its own heading (EMD004)."""
        if not self.list_filled and self.numbers:
            self.ctx.warn(
                "EMD004",
                f"no Div .{LIST_CLASS} in the text; the list is appended at the end "
                f"(add '::: {LIST_CLASS}' to the back matter)",
            )
            doc["blocks"].append(
                Div(
                    [
                        Header(1, text_inlines(self.ctx.text("emendations-title")), identifier="emendations"),
                        self.listing(),
                    ],
                    classes=[LIST_CLASS],
                )
            )


FILTER = Emendations

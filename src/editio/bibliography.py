"""Checking `references.bib` with bibtexparser v2 against the citations the manuscript makes.

Reports, with file and line: blocks that fail to parse (BIB001), duplicate keys (BIB002), required fields
missing for the entry type (BIB003), cited keys that are not defined (BIB004, an error), defined keys
that nothing cites (BIB005, a warning), and a bad `verified` flag (BIB006).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, Entry

from .errors import DiagnosticLog
from .sources import SourceTexts, read_text

# One of the alternatives in each tuple must be present.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    # Unsigned newspaper and bulletin items are normal; a title stands in for the author.
    "article": (("title",), ("journal", "journaltitle"), ("year", "date")),
    "book": (("author", "editor"), ("title",), ("year", "date")),
    "incollection": (("author",), ("title",), ("booktitle",), ("year", "date")),
    "inbook": (("author", "editor"), ("title",), ("year", "date")),
    "online": (("title",), ("url", "howpublished", "note")),
    "misc": (("title",),),
    "thesis": (("author",), ("title",), ("year", "date")),
    "report": (("author", "institution"), ("title",), ("year", "date")),
    "unpublished": (("author", "title"),),
}
VERIFIED_VALUES = {"full", "partial", "none"}
CITE_KEY = re.compile(r"(?<![\w.@])@([\w][\w:.#$%&+?<>~/-]*[\w])")


@dataclass(frozen=True)
class BibEntry:
    key: str
    entry_type: str
    line: int
    fields: dict[str, str]


def parse_bibliography(path: Path, display: str, log: DiagnosticLog) -> dict[str, BibEntry]:
    """All well-formed entries by key; parse failures and duplicates go into ``log``."""
    text = read_text(path, display=display)
    library = bibtexparser.parse_string(text)
    for block in library.failed_blocks:
        if isinstance(block, DuplicateBlockKeyBlock):
            log.add("BIB002", f"duplicate key {block.key!r}; give each entry its own key", display,
                    block.start_line + 1)
        else:
            log.add("BIB001", "this entry cannot be parsed (unbalanced braces or quotes?); fix its syntax",
                    display, block.start_line + 1)
    entries: dict[str, BibEntry] = {}
    for entry in library.entries:
        entries[entry.key] = _entry(entry)
    for entry in entries.values():
        required = REQUIRED.get(entry.entry_type, (("title",),))
        for alternatives in required:
            if not any(entry.fields.get(name, "").strip() for name in alternatives):
                log.add("BIB003", f"entry {entry.key!r} (@{entry.entry_type}) lacks required field "
                        f"{' or '.join(alternatives)}", display, entry.line)
        verified = entry.fields.get("verified")
        if verified is not None and verified not in VERIFIED_VALUES:
            log.add("BIB006", f"entry {entry.key!r}: `verified` must be one of full, partial, none", display,
                    entry.line)
    return entries


def _entry(entry: Entry) -> BibEntry:
    fields = {f.key.lower(): str(f.value).strip() for f in entry.fields}
    return BibEntry(entry.key, entry.entry_type.lower(), entry.start_line + 1, fields)


def check_citations(cited: set[str], entries: dict[str, BibEntry], sources: SourceTexts, bib_display: str,
                    log: DiagnosticLog, nocite_all: bool = False) -> None:
    """Cited-but-undefined keys are errors at their manuscript line; uncited entries are warnings."""
    for key in sorted(cited - entries.keys()):
        file, line = sources.locate(f"@{key}")
        log.add("BIB004", f"unknown citation key {key!r}: add it to {bib_display} or correct the key", file, line)
    if not nocite_all:
        for key in sorted(entries.keys() - cited):
            log.add("BIB005", f"entry {key!r} is never cited", bib_display, entries[key].line, severity="warning")


# biblatex `langid` names (babel/polyglossia) → the primary BCP 47 subtag.
LANGUAGE_CODES = {
    "russian": "ru", "ukrainian": "uk", "belarusian": "be", "bulgarian": "bg", "serbian": "sr",
    "english": "en", "american": "en", "british": "en", "usenglish": "en", "ukenglish": "en",
    "spanish": "es", "french": "fr", "german": "de", "ngerman": "de", "italian": "it",
    "portuguese": "pt", "brazilian": "pt", "polish": "pl", "czech": "cs", "dutch": "nl",
    "catalan": "ca", "latin": "la",
}


def language_code(value: str | None) -> str | None:
    """The primary language subtag of a biblatex `langid` or a BCP 47 tag; None when empty."""
    if not value or not value.strip():
        return None
    value = value.strip().lower()
    return LANGUAGE_CODES.get(value, re.split(r"[-_]", value)[0])


def read_languages(paths: list[Path]) -> dict[str, str]:
    """Each entry's language (from `langid`) in the given .bib files; entries without it are left out."""
    languages: dict[str, str] = {}
    for path in paths:
        library = bibtexparser.parse_file(str(path))
        for entry in library.entries:
            field = entry.fields_dict.get("langid")
            code = language_code(str(field.value) if field is not None else None)
            if code:
                languages[entry.key] = code
    return languages

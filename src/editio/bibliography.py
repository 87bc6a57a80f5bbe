"""Checking the bibliography (BibTeX with bibtexparser v2, or CSL-JSON/CSL-YAML) against the citations the
manuscript makes.

Reports, with file and line: blocks that fail to parse (BIB001), duplicate keys (BIB002), required fields
missing for the entry type (BIB003; an error for a cited entry, a warning for one nothing cites), cited keys
that are not defined (BIB004, an error), defined keys that nothing cites (BIB005, a warning), and a bad
`verified` flag (BIB006).
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, Entry

from .errors import Diagnostic, DiagnosticLog, EditionError
from .sources import SourceTexts, read_text
from .yamlfile import parse_yaml

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
    missing: tuple[str, ...] = ()  # required fields it lacks (BIB003: an error once it is cited)


def parse_bibliography(path: Path, display: str, log: DiagnosticLog) -> dict[str, BibEntry]:
    """All well-formed entries by key; parse failures and duplicates go into ``log``. A ``.json`` file is read as
    CSL-JSON and a ``.yaml``/``.yml`` file as CSL-YAML (what Zotero and pandoc export), anything else as BibTeX."""
    text = read_text(path, display=display)
    if path.suffix.lower() in (".json", ".yaml", ".yml"):
        return parse_csl_items(text, path.suffix.lower() == ".json", display, log)
    library = bibtexparser.parse_string(text)
    for block in library.failed_blocks:
        if isinstance(block, DuplicateBlockKeyBlock):
            log.add(
                "BIB002", f"duplicate key {block.key!r}; give each entry its own key", display, block.start_line + 1
            )
        else:
            log.add(
                "BIB001",
                "this entry cannot be parsed (unbalanced braces or quotes?); fix its syntax",
                display,
                block.start_line + 1,
            )
    entries: dict[str, BibEntry] = {}
    folded: dict[str, str] = {}
    for entry in library.entries:
        entries[entry.key] = _entry(entry)
        first = folded.setdefault(entry.key.casefold(), entry.key)
        if first != entry.key:  # BibTeX itself takes them for one key, pandoc for two
            log.add(
                "BIB007",
                f"key {entry.key!r} differs from {first!r} only in case; a citation may find the "
                "other entry: give each entry a key of its own",
                display,
                entries[entry.key].line,
                severity="warning",
            )
    for key, entry in entries.items():
        required = REQUIRED.get(entry.entry_type, (("title",),))
        missing = tuple(
            " or ".join(alternatives)
            for alternatives in required
            if not any(entry.fields.get(name, "").strip() for name in alternatives)
        )
        if missing:
            entries[key] = dataclasses.replace(entry, missing=missing)
        verified = entry.fields.get("verified")
        if verified is not None and verified not in VERIFIED_VALUES:
            log.add(
                "BIB006", f"entry {entry.key!r}: `verified` must be one of full, partial, none", display, entry.line
            )
    return entries


def parse_csl_items(text: str, is_json: bool, display: str, log: DiagnosticLog) -> dict[str, BibEntry]:
    """CSL-JSON (a list of items) or CSL-YAML (a list, or a mapping with ``references:``) as entries: the
    item's ``id`` is the key, its ``type`` the entry type, its ``language`` the ``langid``; the line is the
    line that names the id. A file that cannot be read as such a list is BIB001, raised at once (no citation could
    be checked against it); items without an id are BIB003."""
    try:
        items = json.loads(text) if is_json else parse_yaml(text, display)
    except json.JSONDecodeError as exc:
        raise EditionError(
            Diagnostic("BIB001", f"invalid CSL-JSON: {exc.msg}; fix the syntax there", display, exc.lineno)
        ) from None
    except EditionError as exc:  # YAML syntax: the same problem under the bibliography's code
        raise EditionError([Diagnostic("BIB001", d.message, display, d.line) for d in exc.diagnostics]) from None
    if isinstance(items, dict):
        items = items.get("references")
    if not isinstance(items, list):
        kind = "a JSON array of CSL items" if is_json else "a list of CSL items (or `references:` holding one)"
        raise EditionError(Diagnostic("BIB001", f"a CSL bibliography must be {kind}", display, 1))
    lines = text.splitlines()
    entries: dict[str, BibEntry] = {}
    for number, item in enumerate(items, 1):
        key = item.get("id") if isinstance(item, dict) else None
        if not isinstance(key, (str, int)) or str(key) == "":
            log.add(
                "BIB003",
                f"item {number} has no `id`; give every item the key the text cites",
                display,
                getattr(item, "line", None),
            )
            continue
        key = str(key)
        line = getattr(item, "line", None) or _line_naming(lines, key)
        if key in entries:
            log.add("BIB002", f"duplicate key {key!r}; give each entry its own key", display, line)
            continue
        fields = {name: _csl_text(value) for name, value in item.items() if name not in ("id", "type")}
        if "language" in fields:
            fields["langid"] = fields["language"]
        missing = () if fields.get("title", "").strip() else ("title",)
        entries[key] = BibEntry(key, str(item.get("type", "document")), line or 1, fields, missing)
    return entries


def _csl_text(value: object) -> str:
    if isinstance(value, list):  # names, or date parts
        return "; ".join(_csl_text(v) for v in value)
    if isinstance(value, dict):
        return " ".join(_csl_text(v) for v in value.values())
    return "" if value is None else str(value)


def _line_naming(lines: list[str], key: str) -> int | None:
    pattern = re.compile(rf"""["']?id["']?\s*:\s*["']?{re.escape(key)}["']?\s*[,}}]?\s*$""")
    return next((n for n, line in enumerate(lines, 1) if pattern.search(line.strip())), None)


def _entry(entry: Entry) -> BibEntry:
    fields = {f.key.lower(): str(f.value).strip() for f in entry.fields}
    return BibEntry(entry.key, entry.entry_type.lower(), entry.start_line + 1, fields)


def check_citations(
    cited: set[str],
    entries: dict[str, BibEntry],
    sources: SourceTexts,
    bib_display: str,
    log: DiagnosticLog,
    nocite_all: bool = False,
) -> None:
    """Cited-but-undefined keys are errors at their manuscript line; uncited entries are warnings. An entry
    that lacks a required field is an error when it is cited (its gap would be printed) and a warning when
    nothing cites it (a reference manager's export often holds such entries; they are never printed)."""
    for key, entry in sorted(entries.items(), key=lambda item: item[1].line):
        printed = nocite_all or key in cited
        for field in entry.missing:
            log.add(
                "BIB003",
                f"entry {key!r} (@{entry.entry_type}) lacks required field {field}"
                + ("" if printed else "; nothing cites it, so it is not printed"),
                bib_display,
                entry.line,
                severity="error" if printed else "warning",
            )
    for key in sorted(cited - entries.keys()):
        file, line = sources.locate(f"@{key}")
        log.add("BIB004", f"unknown citation key {key!r}: add it to {bib_display} or correct the key", file, line)
    if not nocite_all:
        for key in sorted(entries.keys() - cited):
            log.add("BIB005", f"entry {key!r} is never cited", bib_display, entries[key].line, severity="warning")


# biblatex `langid` names (babel/polyglossia) → the primary BCP 47 subtag.
LANGUAGE_CODES = {
    "russian": "ru",
    "ukrainian": "uk",
    "belarusian": "be",
    "bulgarian": "bg",
    "serbian": "sr",
    "english": "en",
    "american": "en",
    "british": "en",
    "usenglish": "en",
    "ukenglish": "en",
    "spanish": "es",
    "french": "fr",
    "german": "de",
    "ngerman": "de",
    "italian": "it",
    "portuguese": "pt",
    "brazilian": "pt",
    "polish": "pl",
    "czech": "cs",
    "dutch": "nl",
    "catalan": "ca",
    "latin": "la",
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

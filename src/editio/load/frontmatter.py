"""Metadata that authors write at the top of a Markdown file: a YAML block (``---`` … ``---``/``...``) or a
pandoc title block (``% title``, ``% author; author``, ``% date``), read with line numbers before the build
starts, so a project whose title and bibliography live in the manuscript needs no copy of them in edition.yaml.

pandoc reads the same blocks again when it parses the file; the load stage takes only the blocks from that
parse and the metadata from here (merged: earlier files first, later files win, edition.yaml wins over all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DiagnosticLog, EditionError
from ..yamlfile import parse_yaml

# Quarto's keys that say how to render (output formats, code execution, the editor), not what the document is.
QUARTO_KEYS = frozenset(("format", "execute", "jupyter", "engine", "knitr", "editor", "freeze"))
_FENCE_OPEN = re.compile(r"---[ \t]*\n")
_FENCE_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)


@dataclass
class FrontMatter:
    """The metadata of the listed files, merged, with where each top-level key came from."""

    values: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, tuple[Path, int]] = field(default_factory=dict)  # key -> (file, line of the key)

    def add(self, path: Path, values: dict[str, Any], lines: dict[str, int]) -> None:
        for key, value in values.items():
            self.values[str(key)] = value
            self.origin[str(key)] = (path, lines.get(key, 1))


def read_front_matter(files: list[Path], display, log: DiagnosticLog) -> FrontMatter:
    """The merged front matter of ``files`` (in reading order); YAML that cannot be read goes into ``log``
    with its file and line. ``display(path)`` gives a path as diagnostics show it."""
    merged = FrontMatter()
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # the load stage reports unreadable files
        try:
            found = yaml_block(text, display(path)) or title_block(text)
        except EditionError as exc:
            for diagnostic in exc.diagnostics:
                log.add(diagnostic.code, f"front matter: {diagnostic.message}", diagnostic.file, diagnostic.line)
            continue
        if found is None:
            continue
        values, lines = found
        if isinstance(values, dict):  # Quarto's rendering instructions are no metadata (pandoc's EPUB writer
            values = {k: v for k, v in values.items() if k not in QUARTO_KEYS}  # would print `format` as dc:format)
        if not isinstance(values, dict):
            log.add(
                "CFG015", "the YAML block at the top of the file must be a mapping of keys to values", display(path), 1
            )
            continue
        merged.add(path, values, lines)
    return merged


def yaml_block(text: str, shown: str) -> tuple[dict, dict[str, int]] | None:
    """The YAML block that opens ``text`` (pandoc's rule: ``---`` on the first line, closed by ``---`` or
    ``...``), with the line of each top-level key; None when the file does not open with one."""
    text = text.lstrip("\ufeff")
    if not _FENCE_OPEN.match(text):
        return None
    close = _FENCE_CLOSE.search(text, text.index("\n") + 1)
    if close is None:
        return None
    body = text[text.index("\n") + 1 : close.start()]
    if not body.strip():
        return None
    # One blank line per line before the block keeps YAML's line numbers equal to the file's.
    values = parse_yaml("\n" + body, shown)
    if values is None:
        return None
    lines = {}
    for number, line in enumerate(body.splitlines(), 2):
        match = re.match(r"([^\s#:][^:]*):(\s|$)", line)
        if match and match.group(1) in values and match.group(1) not in lines:
            lines[match.group(1)] = number
    return values, lines


def title_block(text: str) -> tuple[dict, dict[str, int]] | None:
    """A pandoc title block: up to three ``%`` lines (title, authors separated by ``;``, date) opening the
    file, each continued by lines that start with a space; an empty field is skipped."""
    lines = text.lstrip("\ufeff").splitlines()
    fields: list[tuple[str, int]] = []
    index = 0
    while index < len(lines) and len(fields) < 3 and lines[index].startswith("%"):
        start = index
        parts = [lines[index][1:].strip()]
        index += 1
        while index < len(lines) and lines[index].startswith((" ", "\t")) and lines[index].strip():
            parts.append(lines[index].strip())
            index += 1
        fields.append((" ".join(p for p in parts if p), start + 1))
    if not fields:
        return None
    values: dict[str, Any] = {}
    where: dict[str, int] = {}
    for name, (value, line) in zip(("title", "author", "date"), fields, strict=False):
        if not value:
            continue
        if name == "author":
            values[name] = [a.strip() for a in value.split(";") if a.strip()]
        else:
            values[name] = value
        where[name] = line
    return values, where

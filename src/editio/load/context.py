"""What the load stage hands every filter: the project's paths, the manuscript's raw texts with line lookup,
the parsed bibliography, the document's language and messages, a Markdown parser and the diagnostics log.

Nothing travels to filters through document metadata: a filter reads its options (checked against its
declared fields) and its data files through this object.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DiagnosticLog, EditionError
from ..sources import SourceTexts
from ..yamlfile import load_yaml
from .pandoc import PandocSession


@dataclass
class Project:
    """Where things are: the project root (nothing is read outside it) and the manuscript folder."""

    root: Path
    manuscript_dir: Path
    config_file: Path

    def display(self, path: Path) -> str:
        """A path as diagnostics and artefacts show it: relative to the project root, never absolute."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.name

    def inside(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.root.resolve())
            return True
        except ValueError:
            return False

    def config_line(self, needle: str) -> int | None:
        from ..config import key_line

        return key_line(self.config_file, needle)


@dataclass
class Context:
    """The typed context of one build (or of one filter run by pandoc)."""

    project: Project
    lang: str
    sources: SourceTexts = field(default_factory=SourceTexts)
    bibliography: dict[str, Any] = field(default_factory=dict)
    bibliography_files: tuple[Path, ...] = ()
    csl: Path | None = None
    log: DiagnosticLog = field(default_factory=DiagnosticLog)
    session: PandocSession | None = None
    messages: Any = None
    media: dict[str, bytes] = field(default_factory=dict)  # generated files for media/, by name
    _data: dict[Path, Any] = field(default_factory=dict)
    _parsed: dict[str, list[dict]] = field(default_factory=dict)  # Markdown texts parsed ahead (prefetch_markdown)

    # -- paths and data ---------------------------------------------------------------------------

    def data_file(self, name: str, key: str) -> tuple[Path, str]:
        """A data file named in edition.yaml under ``key`` (e.g. ``glossary.data``), resolved against the
        manuscript folder by :func:`editio.safepath.resolve_project_path`: a URL, an absolute path, one that
        climbs out of the project or is a link out of it, a device or FIFO, is SAF010-SAF017 at the line of
        edition.yaml that names it, and so is a link loop. A missing file is left to the reader, which reports it."""
        from ..config import value_line
        from ..safepath import NOT_FOUND, resolve_project_path

        project = self.project
        try:
            path = resolve_project_path(
                project.root,
                name,
                base=project.manuscript_dir,
                what=f"`{key}` file",
                file=project.display(project.config_file),
                line=value_line(project.config_file, name) or project.config_line(key.split(".")[0]),
            )
        except EditionError as exc:
            path = project.manuscript_dir / name
            if exc.diagnostics[0].code != NOT_FOUND or os.path.lexists(path):  # a link loop, an unreadable file
                raise
        return path, project.display(path)

    def load_data(self, name: str, key: str) -> tuple[Any, str]:
        """The YAML data file (lines tracked, parsed once per build) and its display name."""
        path, shown = self.data_file(name, key)
        resolved = path.resolve()
        if resolved not in self._data:
            self._data[resolved] = load_yaml(path, display=shown)
        return self._data[resolved], shown

    # -- text -------------------------------------------------------------------------------------

    def markdown(self, text: str, what: str) -> list[dict]:
        """Markdown (from a data file) as pandoc blocks, parsed by the build's pandoc session."""
        if text in self._parsed:
            return copy.deepcopy(self._parsed[text])
        if self.session is None:
            self.session = PandocSession()
        return self.session.read(text, what)["blocks"]

    def prefetch_markdown(self, texts: list[str], what: str) -> None:
        """Parse many short texts in one request (each its own Div), so that :meth:`markdown` finds them parsed.
        Texts whose parts could reach into each other (note or link definitions, fenced Divs) are left to be
        parsed one by one."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._parsed]
        if len(todo) < 2 or any(mark in t for t in todo for mark in (":::", "[^", "]:")):
            return
        if self.session is None:
            self.session = PandocSession()
        joined = "\n\n".join(f"::: {{#editio-part-{n}}}\n{text}\n:::" for n, text in enumerate(todo))
        blocks = self.session.read(joined, what)["blocks"]
        ids = [b["c"][0][0] if b.get("t") == "Div" else None for b in blocks]
        if ids != [f"editio-part-{n}" for n in range(len(todo))]:
            return  # not split as expected: parse one by one
        for text, block in zip(todo, blocks, strict=True):
            self._parsed[text] = block["c"][1]

    def markdown_inlines(self, text: str, what: str) -> list[dict]:
        """Markdown as inlines: the content of its single paragraph (or of all its blocks, joined)."""
        inlines: list[dict] = []
        for block in self.markdown(text, what):
            if block["t"] in ("Para", "Plain"):
                if inlines:
                    inlines.append({"t": "Space"})
                inlines.extend(block["c"])
        return inlines

    def text(self, key: str, **fields: Any) -> str:
        """A generated string in the document's language (the message catalogue, with edition overrides)."""
        return self.messages.text(key, **fields)

    def warn(self, code: str, message: str, file: str | None = None, line: int | None = None) -> None:
        self.log.add(code, message, file, line, severity="warning")

"""Reading manuscript files strictly as UTF-8 and finding where a piece of text stands in them.

pandoc's Markdown reader gives filters no source positions, so diagnostics find their line by
scanning the raw files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import error


def read_text(path: Path, display: str | None = None) -> str:
    """Read a UTF-8 text file; a missing file is SRC002, bytes that are not UTF-8 are SRC001 with their line."""
    name = display or str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise error("SRC002", "file not found; create it or remove it from the list that names it", name) from None
    except IsADirectoryError:
        raise error("SRC002", "is a directory, expected a text file", name) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise error(
            "SRC001", f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8", name, line, column
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


@dataclass
class SourceTexts:
    """The raw text of each manuscript file, by display name, in build order."""

    texts: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, text: str) -> None:
        self.texts[name] = text

    def locate(self, needle: str) -> tuple[str | None, int | None]:
        """File and 1-based line of the first occurrence of ``needle``; (None, None) when absent."""
        for name, text in self.texts.items():
            index = text.find(needle)
            if index >= 0:
                return name, text.count("\n", 0, index) + 1
        return None, None

"""Paths a manuscript names (images, includes, filters, data, CSL, bibliography) resolved inside the project as
regular files of bounded size, and text read with a size limit; every refusal is a diagnostic with a stable code.
File names that are not UTF-8 are shown escaped, never as a traceback."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from urllib.parse import unquote

from .errors import error

# Refusal codes (stable; docs/security.md lists them with the tests that enforce them).
URL_NAME = "SAF010"  # a URL or any "scheme:" instead of a path
ABSOLUTE_PATH = "SAF011"  # an absolute path (or a drive or UNC path)
LEAVES_ROOT = "SAF012"  # ".." that climbs out of the project
SYMLINK_OUTSIDE = "SAF013"  # a symbolic link whose target is outside the project
NOT_REGULAR_FILE = "SAF014"  # a directory, device, FIFO or socket
TOO_LARGE = "SAF015"  # larger than the limit for its kind
NOT_FOUND = "SAF016"  # missing or unreadable
BAD_NAME = "SAF017"  # empty, not text, or holding a NUL or control character

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable_name(name: str | bytes | os.PathLike) -> str:
    """A file name fit for a diagnostic: bytes that are not UTF-8 as ``\\xNN``, control characters escaped."""
    raw = os.fsencode(name)
    text = raw.decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def resolve_project_path(
    root: str | os.PathLike,
    name: str | os.PathLike,
    *,
    base: str | os.PathLike | None = None,
    what: str,
    file: str | os.PathLike | None = None,
    line: int | None = None,
    max_bytes: int | None = None,
) -> Path:
    """The absolute path of the regular file ``name`` names, relative to ``base`` (default ``root``), checked to stay
    inside ``root`` after following links. ``what`` ("image", "filter", ...) and ``file``/``line`` (where the name
    was written) go into the diagnostic; ``max_bytes`` refuses larger files at once.

    Raises EditionError with SAF010-SAF017 (see the constants above)."""
    where = printable_name(file) if file is not None else None
    if not isinstance(name, (str, os.PathLike)) or not os.fspath(name):
        raise error(
            BAD_NAME,
            f"the {what} path must be non-empty text, not {type(name).__name__} "
            f"{str(name)[:40]!r}; write the file's path relative to the project",
            where,
            line,
        )
    text = os.fspath(name)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    shown = printable_name(text)
    if _CONTROL.search(text):
        raise error(BAD_NAME, f"the {what} path '{shown}' holds a control character; rename the file", where, line)
    # pandoc reads percent-escapes in image paths as the characters they stand for: check both spellings
    for spelling in dict.fromkeys((text, unquote(text))):
        if spelling.startswith(("/", "\\", "~")) or re.match(r"[A-Za-z]:[\\/]", spelling):
            raise error(
                ABSOLUTE_PATH,
                f"the {what} path '{shown}' is absolute; give a path relative to the project (copy the file into it)",
                where,
                line,
            )
        if _SCHEME.match(spelling):
            scheme = spelling.split(":", 1)[0].lower()
            raise error(
                URL_NAME,
                f"the {what} '{shown}' is a URL ({scheme}:); the build never fetches or reads "
                "URLs: copy the file into the project and give its relative path",
                where,
                line,
            )
    root_abs = os.path.abspath(os.fspath(root))
    base_abs = os.path.abspath(os.path.join(root_abs, os.fspath(base))) if base is not None else root_abs
    for spelling in dict.fromkeys((text, unquote(text))):
        lexical = os.path.normpath(os.path.join(base_abs, spelling.replace("\\", "/")))
        if not _inside(lexical, root_abs):
            raise error(
                LEAVES_ROOT,
                f"the {what} path '{shown}' climbs out of the project with '..'; keep the "
                "file inside the project and name it from there",
                where,
                line,
            )
    candidate = os.path.join(base_abs, text)
    real = os.path.realpath(candidate)
    if not _inside(real, os.path.realpath(root_abs)):
        raise error(
            SYMLINK_OUTSIDE,
            f"the {what} path '{shown}' is a symbolic link to '{printable_name(real)}' "
            "outside the project; copy the file in instead of linking to it",
            where,
            line,
        )
    try:
        info = os.stat(real)
    except FileNotFoundError:
        raise error(
            NOT_FOUND,
            f"the {what} '{shown}' does not exist; check the name (it is relative to "
            f"'{printable_name(os.path.relpath(base_abs, root_abs))}')",
            where,
            line,
        ) from None
    except OSError as exc:
        raise error(
            NOT_FOUND,
            f"the {what} '{shown}' cannot be read ({exc.strerror}); fix its permissions or replace it",
            where,
            line,
        ) from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device, FIFO or socket)"
        raise error(NOT_REGULAR_FILE, f"the {what} '{shown}' is {kind}; name a regular file", where, line)
    if max_bytes is not None and info.st_size > max_bytes:
        raise error(
            TOO_LARGE,
            f"the {what} '{shown}' is {info.st_size:,} bytes, over the limit of {max_bytes:,}; "
            "make it smaller or split it",
            where,
            line,
        )
    return Path(real)


def read_bytes_limited(
    path: str | os.PathLike, max_bytes: int, display: str | None = None, *, too_large_code: str = TOO_LARGE
) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; never blocks on a FIFO nor reads a device forever."""
    shown = display or printable_name(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise error("SRC002", "file not found; create it or remove it from the list that names it", shown) from None
    except IsADirectoryError:
        raise error(NOT_REGULAR_FILE, "is a directory, expected a text file; name a regular file", shown) from None
    except OSError as exc:
        raise error(NOT_FOUND, f"cannot be read ({exc.strerror}); fix its permissions or replace it", shown) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise error(
                NOT_REGULAR_FILE,
                "is not a regular file (a directory, device, FIFO or socket); name a regular file",
                shown,
            )
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise error(
            too_large_code, f"is larger than the limit of {max_bytes:,} bytes; make it smaller or split it", shown
        )
    return data


def read_text_limited(
    path: str | os.PathLike, max_bytes: int, display: str | None = None, *, too_large_code: str = TOO_LARGE
) -> str:
    """A UTF-8 text file of at most ``max_bytes``, read as :func:`editio.sources.read_text` reads (BOM dropped,
    CRLF to LF): SRC001 for bytes that are not UTF-8 with their line and column, SRC002 when missing, SAF014/SAF015
    for something that is not a regular file or too large."""
    shown = display or printable_name(path)
    data = read_bytes_limited(path, max_bytes, shown, too_large_code=too_large_code)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1  # in characters, not bytes
        raise error(
            "SRC001", f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8", shown, line, column
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")

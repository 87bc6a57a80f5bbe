"""Where the build's one timestamp comes from: SOURCE_DATE_EPOCH, else the last commit touching the sources."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

ZIP_EPOCH = 315532800  # 1980-01-01, the earliest time a zip entry can carry


def source_date_epoch(root: Path, paths: list[Path]) -> int:
    """The build date as a Unix time, identical for every build of one commit."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value:
        return int(value)
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", *[str(p) for p in paths]],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
        if out:
            return int(out)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    return ZIP_EPOCH


def iso_date(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d")


def git_revision(root: Path) -> str:
    """The commit the sources were built from, with `+dirty` when the work tree differs; "" outside git (the
    colophon then prints the catalogue's word for a value not given)."""
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True, check=True, timeout=30
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "manuscript", "references.bib", "filters", "src"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return ""

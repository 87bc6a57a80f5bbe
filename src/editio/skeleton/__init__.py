"""`editio new DIR`: a working project to start from — edition.yaml with comments, one chapter with a figure,
a table, a note and a citation, references.bib and the figure itself."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

from ..errors import EditionError

PROJECT = Path(__file__).with_name("project")
SKELETON_IDENTIFIER = "urn:uuid:7d1f0d6c-5f7e-4d0e-9a57-4c1f3c1a2b3d"
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def create(folder: Path, lang: str = "en") -> None:
    """Copy the skeleton into ``folder`` (which must not exist or be empty) with ``lang`` set."""
    if not _LANG.match(lang):
        raise EditionError.single("CLI003", f"language {lang!r} is not a BCP 47 tag like en, de, pt-BR", None)
    if folder.exists() and any(folder.iterdir()):
        raise EditionError.single("CLI002", f"{folder} exists and is not empty; name a new folder", None)
    shutil.copytree(PROJECT, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    config = folder / "manuscript" / "edition.yaml"
    text = config.read_text(encoding="utf-8").replace("lang: en", f"lang: {lang}")
    # every edition its own identifier (the EPUB's dc:identifier); fixed from now on, so builds reproduce
    text = text.replace(SKELETON_IDENTIFIER, f"urn:uuid:{uuid.uuid4()}")
    config.write_text(text, encoding="utf-8")

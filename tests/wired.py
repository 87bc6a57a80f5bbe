"""A throw-away copy of the project with the apparatus filters wired in, as the back-matter lines say.

The tests of the apparatus filters must not depend on whether edition.yaml already lists them: this copies
the manuscript, adds what is missing (filters, their keys, the preface, the back-matter Divs) and leaves
everything that is already there alone.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPARATUS_BEFORE = ["editorial_notes"]
APPARATUS_AFTER = ["emendations", "pagination", "colophon"]
KEYS = {"emendations": "emendations: {data: emendations.yaml}",
        "pagination": 'pagination: {label: "с."}',
        "editorial-notes": "editorial-notes: {data: editorial-notes.yaml}"}
BACK_MATTER = {"emendations": "# Исправления {#emendations}\n\n::: emendations\n:::\n",
               "editorial-notes": "::: editorial-notes\n# Примечания редактора {#editorial-notes}\n:::\n",
               "colophon": "# Выходные данные {#colophon}\n\n::: colophon\n:::\n"}


def wired_copy(target: Path) -> Path:
    """Copy the project (without .git and build output) into ``target``; return the manuscript folder there."""
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(".git", "dist", ".nox", "__pycache__",
                                                               ".pytest_cache", "*.pdf", "*.epub"))
    config = target / "manuscript" / "edition.yaml"
    text = config.read_text(encoding="utf-8")
    match = re.search(r"^filters: \[(.*)\]$", text, re.M)
    names = [n.strip() for n in match.group(1).split(",") if n.strip()]
    names = [n for n in APPARATUS_BEFORE if n not in names] + names + [n for n in APPARATUS_AFTER if n not in names]
    text = text[: match.start()] + f"filters: [{', '.join(names)}]" + text[match.end():]
    for key, line in KEYS.items():
        if not re.search(rf"^{key}:", text, re.M):
            text += f"\n{line}\n"
    if "00-preface.md" not in text:
        text = re.sub(r"^files:\n", "files:\n  - 00-preface.md\n", text, count=1, flags=re.M)
    config.write_text(text, encoding="utf-8")
    back = target / "manuscript" / "90-back-matter.md"
    back_text = back.read_text(encoding="utf-8")
    for cls, block in BACK_MATTER.items():
        if f"::: {cls}" not in back_text and f"{{.{cls}}}" not in back_text:
            back_text = back_text.rstrip("\n") + "\n\n" + block
    back.write_text(back_text, encoding="utf-8")
    return target / "manuscript"

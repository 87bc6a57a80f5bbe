"""HTML5: one standalone page with its stylesheet and media beside it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..pandoc import run_pandoc

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def write_html(ast: dict, stage: Path, name: str) -> list[Path]:
    """Write `<name>.html` and `edition.css` into ``stage``; media written by filters are already there."""
    css = stage / "edition.css"
    shutil.copyfile(TEMPLATES / "edition.css", css)
    html = run_pandoc(["-f", "json", "-t", "html5", "--standalone", "--toc", "--toc-depth=2",
                       "--section-divs", "--css=edition.css", f"--template={TEMPLATES / 'edition.html'}",
                       "--wrap=none", "--id-prefix="], stdin=json.dumps(ast), cwd=stage, what="HTML writer")
    target = stage / f"{name}.html"
    target.write_text(html, encoding="utf-8")
    return [target, css]

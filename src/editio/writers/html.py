"""HTML5: one standalone page with its stylesheet, web fonts (with their licence) and media beside it. pandoc prints
the page; the reading edition is finished here: notes as sidenotes with a headed notes list, charts that switch to
their narrow drawing on phones, tables that scroll in their own box."""

from __future__ import annotations

import html as markup
import json
import shutil
from pathlib import Path

from ..pandoc import run_pandoc
from .html_notes import add_sidenotes, apply_edits, parse, place_endnotes

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FONTS = Path(__file__).resolve().parent.parent / "fonts"
FONT_FILES = ("LibertinusSerif-Regular.woff2", "LibertinusSerif-Italic.woff2", "LibertinusSerif-Semibold.woff2",
              "OFL.txt")
# the width below which a chart's narrow drawing replaces the wide one (the stylesheet's phone layout)
NARROW_MEDIA = "(max-width: 40em)"


def write_html(ast: dict, stage: Path, name: str) -> list[Path]:
    """Write `<name>.html`, `edition.css` and `fonts/` into ``stage``; media written by filters are already there.
    The notes list's heading comes from the metadata field ``notes-title`` (through the template)."""
    css = stage / "edition.css"
    shutil.copyfile(TEMPLATES / "edition.css", css)
    fonts = stage / "fonts"
    fonts.mkdir(exist_ok=True)
    font_paths = []
    for font in FONT_FILES:
        shutil.copyfile(FONTS / font, fonts / font)
        font_paths.append(fonts / font)
    page = run_pandoc(["-f", "json", "-t", "html5", "--standalone", "--toc", "--toc-depth=2",
                       "--section-divs", "--css=edition.css", f"--template={TEMPLATES / 'edition.html'}",
                       "--wrap=none", "--id-prefix="], stdin=json.dumps(ast), cwd=stage, what="HTML writer")
    target = stage / f"{name}.html"
    target.write_text(reading_edition(page, stage), encoding="utf-8")
    return [target, css, *font_paths]


def reading_edition(page: str, stage: Path) -> str:
    """pandoc's page finished for reading on screens of every width (see the module docstring)."""
    page = place_endnotes(page)
    page = add_sidenotes(page)
    return scroll_tables(chart_pictures(page, stage))


def chart_pictures(page: str, stage: Path) -> str:
    """An image `…-wide.svg` whose `…-narrow.svg` sibling exists in ``stage`` becomes a <picture> that shows the
    narrow drawing on phones (its labels stay legible there); other images are left as they are."""
    edits = []
    for node in parse(page).elements:
        src = node.attrs.get("src", "")
        if node.tag != "img" or not src.endswith("-wide.svg") or node.parent is None or node.parent.tag == "picture":
            continue
        narrow = src.removesuffix("-wide.svg") + "-narrow.svg"
        if "://" in narrow or not (stage / narrow).is_file():
            continue
        source = f'<source media="{NARROW_MEDIA}" srcset="{markup.escape(narrow, quote=True)}" type="image/svg+xml" />'
        edits.append((node.start, node.end, f"<picture>{source}{page[node.start:node.end]}</picture>"))
    return apply_edits(page, edits)


def scroll_tables(page: str) -> str:
    """Each outermost table in a box of its own that scrolls sideways, so the page never does."""
    edits = []
    for node in parse(page).elements:
        if node.tag == "table" and not any(a.tag == "table" for a in node.ancestors()) \
                and not (node.parent is not None and "table-scroll" in node.parent.classes):
            edits.append((node.start, node.start, '<div class="table-scroll" tabindex="0">'))
            edits.append((node.end, node.end, "</div>"))
    return apply_edits(page, edits)


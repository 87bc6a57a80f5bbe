"""HTML5: one standalone page with its stylesheet, web fonts (with their licence) and media beside it. pandoc prints
the page; the reading edition is finished here: notes as sidenotes with a headed notes list, charts that switch to
their narrow drawing on phones, tables that scroll in their own box."""

from __future__ import annotations

import html as markup
import shutil
from pathlib import Path

from ..i18n import catalogue
from ..load.pandoc import write
from ..sanitize import new_nonce, sanitize_html
from .html_notes import PageTree, apply_edits, parse, place_endnotes, sidenote_edits

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FONTS = Path(__file__).resolve().parent.parent / "fonts"
FONT_FILES = (
    "LibertinusSerif-Regular.woff2",
    "LibertinusSerif-Italic.woff2",
    "LibertinusSerif-Semibold.woff2",
    "OFL.txt",
)
# the width below which a chart's narrow drawing replaces the wide one (the stylesheet's phone layout)
NARROW_MEDIA = "(max-width: 40em)"


def write_html(ast: dict, stage: Path, name: str, messages=None) -> list[Path]:
    """Write `<name>.html`, `edition.css` and `fonts/` into ``stage``; media written by filters are already there.
    The words the template prints (the abstracts' labels, the notes list's heading) come from ``messages``, the
    edition's catalogue (by default the one for the document's ``lang``)."""
    css = stage / "edition.css"
    shutil.copyfile(TEMPLATES / "edition.css", css)
    fonts = stage / "fonts"
    fonts.mkdir(exist_ok=True)
    font_paths = []
    for font in FONT_FILES:
        shutil.copyfile(FONTS / font, fonts / font)
        font_paths.append(fonts / font)
    nonce = new_nonce()  # the template's own script carries it; nothing the manuscript writes can know it
    page = write(
        ast,
        "html5",
        [
            "--standalone",
            "--toc",
            "--toc-depth=2",
            "--section-divs",
            "--css=edition.css",
            f"--template={TEMPLATES / 'edition.html'}",
            "--wrap=none",
            "--id-prefix=",
            "--mathml",
            f"--variable=editio-nonce:{nonce}",
            *template_variables(ast, messages),
        ],
        "HTML writer",
        cwd=stage,
    )
    target = stage / f"{name}.html"
    allow_style = bool(ast.get("meta", {}).get("allow-style", {}).get("c"))
    target.write_text(reading_edition(page, stage, nonce=nonce, allow_style=allow_style), encoding="utf-8")
    return [target, css, *font_paths]


def template_variables(ast: dict, messages=None) -> list[str]:
    """pandoc ``-V`` arguments for the words the page template prints, from the catalogue, escaped (pandoc prints
    a variable as it is); the English abstract is labelled in English."""
    if messages is None:
        lang = ast.get("meta", {}).get("lang", {})
        messages = catalogue(lang.get("c") if lang.get("t") == "MetaString" else _inline_text(lang) or "en")
    english = catalogue("en")
    values = {
        "editio-abstract-label": messages.text("abstract-title"),
        "editio-keywords-label": messages.text("keywords-label"),
        "editio-cite-as-label": messages.text("cite-as-label"),
        "editio-notes-title": messages.text("notes-title"),
        "editio-abstract-en-label": english.text("abstract-title"),
        "editio-keywords-en-label": english.text("keywords-label"),
    }
    if "toc-title" not in ast.get("meta", {}):  # pandoc's own variable: an author's `toc-title` wins
        values["toc-title"] = messages.text("toc-title")
    return [f"--variable={key}={markup.escape(value, quote=True)}" for key, value in values.items()]


def _inline_text(value: dict) -> str:
    return "".join(node.get("c", "") if node.get("t") == "Str" else "" for node in value.get("c") or [])


def reading_edition(page: str, stage: Path, *, nonce: str | None = None, allow_style: bool = False) -> str:
    """pandoc's page finished for reading on screens of every width (see the module docstring). The notes list moves
    first (taking its heading from the template's carrier element); then the allowlist sanitiser removes whatever
    could run script or load from outside (:mod:`editio.sanitize`; a <script>/<style> survives only with this
    build's ``nonce``, ``allow_style`` is the edition's ``allow-style``), so nothing a manuscript or a filter wrote
    bypasses it; the other steps are this writer's own markup, which only inserts or wraps, sharing one parse."""
    page = sanitize_html(place_endnotes(page), trusted_nonce=nonce, allow_style=allow_style)
    tree = parse(page)
    return apply_edits(page, sidenote_edits(page, tree) + chart_edits(tree, stage) + table_edits(tree))


def chart_pictures(page: str, stage: Path) -> str:
    """An image `…-wide.svg` whose `…-narrow.svg` sibling exists in ``stage`` becomes a <picture> that shows the
    narrow drawing on phones (its labels stay legible there); other images are left as they are."""
    return apply_edits(page, chart_edits(parse(page), stage))


def chart_edits(tree: PageTree, stage: Path) -> list[tuple[int, int, str]]:
    edits = []
    for node in tree.elements:
        src = node.attrs.get("src", "")
        if node.tag != "img" or not src.endswith("-wide.svg") or node.parent is None or node.parent.tag == "picture":
            continue
        narrow = src.removesuffix("-wide.svg") + "-narrow.svg"
        if "://" in narrow or not (stage / narrow).is_file():
            continue
        source = f'<source media="{NARROW_MEDIA}" srcset="{markup.escape(narrow, quote=True)}" type="image/svg+xml" />'
        edits += [(node.start, node.start, f"<picture>{source}"), (node.end, node.end, "</picture>")]
    return edits


def scroll_tables(page: str) -> str:
    """Each outermost table in a box of its own that scrolls sideways, so the page never does."""
    return apply_edits(page, table_edits(parse(page)))


def table_edits(tree: PageTree) -> list[tuple[int, int, str]]:
    edits = []
    for node in tree.elements:
        if (
            node.tag == "table"
            and not any(a.tag == "table" for a in node.ancestors())
            and not (node.parent is not None and "table-scroll" in node.parent.classes)
        ):
            edits += [
                (node.start, node.start, '<div class="table-scroll" tabindex="0">'),
                (node.end, node.end, "</div>"),
            ]
    return edits

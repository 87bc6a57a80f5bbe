"""The manuscript's images: each local file found as pandoc finds it (the Markdown file's own folder, then the
project root), checked to stay inside the project, registered in the build's media (``media/<stable name>``,
written beside every format) and the Image's URL rewritten to that name. URLs and paths leaving the project
are refused; a missing file is SRC004 at the line that names it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import unquote

from ..ast import iter_nodes
from ..errors import Diagnostic, DiagnosticLog, EditionError

MEDIA_PREFIX = "media/"
MAX_IMAGE_BYTES = 64 * 1024 * 1024

# What typst, browsers and EPUB 3 readers show. PDF pages only typst can place (HTML and EPUB lower them to
# their alt text); other formats are refused so that no format silently loses an image.
SUFFIXES = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "gif": "gif", "svg": "svg", "webp": "webp", "pdf": "pdf"}


def image_kind(data: bytes) -> str | None:
    """The image format by its first bytes (png, jpeg, gif, webp, pdf, svg), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<svg") or (head.startswith((b"<?xml", b"<!--", b"<!doctype svg")) and b"<svg" in head):
        return "svg"
    return None


def media_name(source: str, data: bytes, kind: str) -> str:
    """A name that depends only on the file's name and bytes: ``<stem>-<8 hex digits of sha256>.<ext>``."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(unquote(source)).stem).strip("-")[:40] or "image"
    ext = "jpg" if kind == "jpeg" else kind
    return f"{stem}-{hashlib.sha256(data).hexdigest()[:8]}.{ext}"


def pdf_page_svg(data: bytes) -> bytes | None:
    """The first page of a PDF figure redrawn as SVG by typst (which places PDF pages and writes SVG), for the
    formats that cannot show a PDF; None when typst cannot read it or the page holds a raster. The same bytes
    give the same drawing."""
    import tempfile

    import typst

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "figure.pdf").write_bytes(data)
        page = Path(folder) / "page.typ"
        page.write_text('#set page(width: auto, height: auto, margin: 0pt)\n#image("figure.pdf")\n', encoding="utf-8")
        try:
            drawing = typst.compile(str(page), root=folder, format="svg", ignore_system_fonts=True, font_paths=[])
        except Exception:  # noqa: BLE001 - typst's errors: not a PDF it can place; the caller says so
            return None
    if not isinstance(drawing, bytes):
        return None
    # typst wraps the page as a data: URI in an <image>, which the sanitiser rightly drops: the page's own SVG,
    # unless it carries data: URIs itself (a raster inside the PDF), which nothing could show
    nested = re.search(rb'href="data:image/svg\+xml;base64,([^"]+)"', drawing)
    if nested is None:
        return None
    page_svg = base64.b64decode(nested.group(1))
    return None if b"data:" in page_svg else page_svg


def resolve_images(
    ast: dict,
    text: str,
    display: str,
    base: Path,
    root: Path,
    media: dict[str, bytes],
    log: DiagnosticLog | None = None,
    tagged_pdf: bool = False,
) -> None:
    """Rewrite every Image of one manuscript file (``ast``, parsed from ``text`` shown as ``display``, whose
    relative paths start from ``base``) to its file in ``media``. Raises EditionError with every problem. A PDF
    image is redrawn as SVG for HTML and EPUB (the Image's ``screen`` attribute), and for every format when the
    PDF is to be PDF/UA (``tagged_pdf``), where typst cannot embed PDF pages; a PDF typst cannot redraw is
    SRC006 in ``log`` (a warning: HTML and EPUB show its alt text instead), or SRC011 (an error) for PDF/UA."""
    from ..safepath import NOT_FOUND, resolve_project_path

    problems: list[Diagnostic] = []
    start = 0
    for node in iter_nodes(ast["blocks"], ("Image",)):
        target = node["c"][2]
        url = target[0]
        index = text.find(url, start) if url else -1
        if index < 0:
            index = text.find(url) if url else -1
        line = text.count("\n", 0, index) + 1 if index >= 0 else None
        if index >= 0:
            start = index + len(url)
        try:
            path = _find(url, base, root, display, line, resolve_project_path, NOT_FOUND)
        except EditionError as exc:
            problems.extend(exc.diagnostics)
            continue
        data = path.read_bytes()
        kind = image_kind(data)
        if kind is None or SUFFIXES.get(path.suffix.lower().lstrip("."), kind) != kind:
            found = kind or "not an image format editio knows"
            problems.append(
                Diagnostic(
                    "SRC005",
                    f"image {url!r} is {found} (by its content, named "
                    f"{path.suffix or 'without a suffix'}); use PNG, JPEG, GIF, WebP, SVG or "
                    "PDF with the matching suffix",
                    display,
                    line,
                )
            )
            continue
        drawing = pdf_page_svg(data) if kind == "pdf" else None
        if kind == "pdf" and drawing is None and tagged_pdf:
            problems.append(
                Diagnostic(
                    "SRC011",
                    f"image {url!r} is a PDF that cannot be redrawn as SVG, and typst "
                    "cannot embed a PDF in a PDF/UA edition; give an SVG or PNG version, or take "
                    "ua-1 out of `pdf-standards`",
                    display,
                    line,
                )
            )
            continue
        if kind == "pdf" and drawing is None and log is not None:
            log.add(
                "SRC006",
                f"image {url!r} is a PDF that cannot be redrawn as SVG: the PDF edition shows it, HTML "
                "and EPUB show its alt text instead; give a PNG or SVG version to show it everywhere",
                display,
                line,
                severity="warning",
            )
        name = media_name(url, data, kind)
        if drawing is not None:  # the screen's copy (and a PDF/UA edition's only one)
            screen = media_name(url, drawing, "svg")
            media[screen] = drawing
            if tagged_pdf:
                name, data = screen, drawing
            else:
                attributes = [kv for kv in node["c"][0][2] if kv[0] != "screen"]
                node["c"][0][2] = [*attributes, ["screen", MEDIA_PREFIX + screen]]
        media[name] = data
        target[0] = MEDIA_PREFIX + name
    if problems:
        raise EditionError(problems)


def _find(url: str, base: Path, root: Path, display: str, line: int | None, resolve, not_found: str) -> Path:
    """The image file: the Markdown file's folder first, then the project root (pandoc's --resource-path);
    with the name as written, then percent-decoded. SRC004 when neither holds it; URLs and paths leaving the
    project keep safepath's codes."""
    last: EditionError | None = None
    for folder in dict.fromkeys((base, root)):
        for spelling in dict.fromkeys((url, unquote(url))):
            try:
                return resolve(
                    root, spelling, base=folder, what="image", file=display, line=line, max_bytes=MAX_IMAGE_BYTES
                )
            except EditionError as exc:
                if exc.diagnostics[0].code != not_found:
                    raise
                last = exc
    assert last is not None
    folders = " or ".join(dict.fromkeys(_shown(f, root) for f in (base, root)))
    raise EditionError(
        Diagnostic(
            "SRC004",
            f"image {url!r} does not exist (looked in {folders}); put the image "
            "in the manuscript folder or correct the path",
            display,
            line,
        )
    )


def _shown(folder: Path, root: Path) -> str:
    try:
        relative = folder.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return folder.name
    return "the project root" if relative == "." else f"{relative}/"


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def relative_link(url: str) -> bool:
    """A link to a path (``/url``, ``page.html``): neither a place in the document (``#x``) nor a URL with a
    scheme (``https:``, ``mailto:``). Only a website beside the HTML edition could answer it."""
    return bool(url.strip()) and not url.startswith("#") and not _SCHEME.match(url)


def warn_relative_links(ast: dict, text: str, display: str, log: DiagnosticLog) -> None:
    """SRC010 (a warning) for each link to a path: the EPUB shows its text without the link (a book cannot
    link outside itself), the HTML and PDF keep the link as written."""
    for link in iter_nodes(ast["blocks"], ("Link",)):
        url = link["c"][2][0]
        if relative_link(url):
            index = text.find(f"]({url}")
            if index < 0:
                index = text.find(url)
            line = text.count("\n", 0, index) + 1 if index >= 0 else None
            log.add(
                "SRC010",
                f"link to the path {url!r}: an EPUB cannot link outside itself, so it shows the text "
                "only; give a full URL (https://…) to link everywhere",
                display,
                line,
                severity="warning",
            )

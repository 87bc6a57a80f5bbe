"""Telling the author, with the line, what the sanitiser will take out of the HTML page and the EPUB: an event
handler attribute (SAN002), a link with a scheme readers must not follow (SAN003), a style the edition does not
allow (SAN004). The writers remove them whatever this says (:mod:`editio.sanitize`); these are warnings."""

from __future__ import annotations

from ..ast import iter_nodes
from ..errors import DiagnosticLog
from ..sanitize import css_allowed, url_allowed

_WITH_ATTRIBUTES = ("Span", "Div", "Header", "Code", "CodeBlock", "Link", "Image", "Table", "Figure")


def warn_removed_markup(blocks: list, text: str, shown: str, log: DiagnosticLog, allow_style: bool) -> None:
    """Warnings for ``blocks`` (one manuscript file, ``text`` shown as ``shown``), each at the line that writes it."""

    def line(needle: str) -> int | None:
        index = text.find(needle)
        return text.count("\n", 0, index) + 1 if index >= 0 else None

    for node in iter_nodes(blocks, _WITH_ATTRIBUTES):
        attr = node["c"][1] if node["t"] == "Header" else node["c"][0]
        for key, value in attr[2]:
            if key.lower().startswith("on"):
                log.add(
                    "SAN002",
                    f"the attribute `{key}` is taken out of the HTML page and the EPUB: event handlers "
                    "run script in the reader's software",
                    shown,
                    line(f"{key}="),
                    severity="warning",
                )
            elif key.lower() == "style" and not css_allowed(value, allow_style=allow_style):
                log.add(
                    "SAN004",
                    "this `style` is taken out of the HTML page and the EPUB"
                    + (
                        "; set `allow-style: true` in edition.yaml to keep styles"
                        if not allow_style
                        else ": it loads from outside or hides text behind escapes"
                    ),
                    shown,
                    line(value),
                    severity="warning",
                )
        if node["t"] == "Link" and not url_allowed(node["c"][2][0], navigation=True):
            url = node["c"][2][0]
            log.add(
                "SAN003",
                f"the link {url[:60]!r} is taken out of the HTML page and the EPUB: readers may follow "
                "only http, https and mailto links (and links inside the book)",
                shown,
                line(url),
                severity="warning",
            )

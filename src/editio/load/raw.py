"""Raw LaTeX, HTML and typst that an author wrote with ``allow-raw: true``, settled once at load.

Every format keeps what it can show and says, with the file and line, what it cannot (SRC007, a warning).
LaTeX is read by pandoc's LaTeX reader into ordinary elements (``\\textit{…}``, ``\\textsubscript``, a
``tabular``, ``\\LaTeX``), so every format shows it; ``\\newpage`` and its kin become a neutral page break,
``\\listoffigures``/``\\listoftables`` the crossref filter's lists, ``\\tableofcontents`` is left to editio's own
contents, ``\\ref{fig:x}`` becomes a cross-reference (the number), and what the reader makes nothing of
(layout commands such as ``\\vspace``) is left out with a warning. Raw HTML is rewritten as well-formed XHTML
(EPUB needs it; HTML readers do not mind): void elements closed, attributes quoted, scripts left out (SRC008),
an ``id`` already used by the author dropped (SRC008); the PDF cannot show it (SRC007). HTML comments go
without a word.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

from ..ast import Div, Span, Str, iter_nodes, stringify
from ..errors import DiagnosticLog

# Commands that stand for a place in the document, not for text: split off before pandoc reads the rest.
_PLACES = re.compile(
    r"\\(newpage|pagebreak|clearpage|cleardoublepage|listoffigures|listoftables|tableofcontents)"
    r"(?![A-Za-z])\s*"
)
_LIST_CLASS = {"listoffigures": "list-of-figures", "listoftables": "list-of-tables"}
_COMMAND = re.compile(r"\\[A-Za-z]+\*?")
# Commands whose meaning pandoc's LaTeX reader keeps (text styles, structure, tables, figures, references); any
# other command in a piece that also holds text is layout for LaTeX's pages (\vspace, \noindent, \pagenumbering)
# and is named in the warning.
SHOWN_COMMANDS = frozenset(
    "\\" + name
    for name in (
        "textit emph textbf textsc texttt textsf textrm textup textmd textsubscript textsuperscript underline "
        "uline sout mbox url href footnote cite citep citet parencite textcite autocite ref autoref cref Cref "
        "eqref pageref label caption includegraphics begin end item hline cline toprule midrule bottomrule "
        "multicolumn section subsection subsubsection paragraph chapter part LaTeX TeX LaTeXe ldots dots "
        "textendash textemdash S P copyright bf it em tt sc rm sf centering quad qquad enspace textwidth "
        "linewidth columnwidth"
    ).split()
)
VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"))
_COMMENT = re.compile(r"\A\s*<!--.*?-->\s*\Z", re.S)


class RawLocator:
    """Finds the line of each raw piece in its file, in document order (searching on from the last find, so
    repeated pieces get their own lines), skipping backslash-escaped occurrences."""

    def __init__(self, text: str):
        self.text = text
        self.start = 0

    def line(self, content: str) -> int | None:
        needle = next((ln.strip() for ln in content.splitlines() if ln.strip()), content)
        index = _find_unescaped(self.text, needle, self.start)
        if index < 0:
            index = _find_unescaped(self.text, needle, 0)
        if index < 0:
            return None
        self.start = index + len(needle)
        return self.text.count("\n", 0, index) + 1


def _find_unescaped(text: str, needle: str, start: int) -> int:
    """The first occurrence of ``needle`` from ``start`` that no backslash escapes (``\\<b>`` is text)."""
    index = text.find(needle, start)
    while index > 0 and text[index - 1] == "\\":
        index = text.find(needle, index + 1)
    return index


def settle_raw(
    blocks: list, text: str, shown: str, log: DiagnosticLog, html_ids: set[str], session, citations: bool
) -> None:
    """Rewrite every raw element of one manuscript file (in place) as described in the module docstring;
    ``html_ids`` collects the ids raw HTML uses across files; ``session`` is the build's pandoc session (its
    LaTeX reader); ``citations`` says whether the edition has a bibliography for ``\\cite``."""
    locator = RawLocator(text)
    _join_raw_paragraphs(blocks)

    def settle(node: dict) -> list[dict] | None:
        fmt, content = node["c"]
        block = node["t"] == "RawBlock"
        line = locator.line(content)
        fmt = fmt.lower()
        if fmt == "html" and _COMMENT.match(content):
            return []
        if fmt in ("tex", "latex"):
            return _latex(content, block, shown, line, log, session, citations)
        if fmt in ("html", "html5"):
            html_pieces.append((line, content))
            return [_html(node, content, shown, line, log, html_ids)]
        if fmt != "typst":
            log.add(
                "SRC007",
                f"raw {fmt} {_short(content)!r} is shown in no format; it is left out",
                shown,
                line,
                severity="warning",
            )
            return []
        log.add(
            "SRC007",
            f"raw typst {_short(content)!r} is shown in the PDF only, not in EPUB or HTML",
            shown,
            line,
            severity="warning",
        )
        return None

    html_pieces: list[tuple[int | None, str]] = []
    _rewrite(blocks, settle)
    for first, last, content in _runs(html_pieces):
        lines = f" (lines {first}–{last})" if last != first else ""
        log.add(
            "SRC007",
            f"raw HTML {_short(content)!r}{lines} is shown in EPUB and HTML, not in the PDF",
            shown,
            first,
            severity="warning",
        )


def _runs(pieces: list[tuple[int | None, str]]) -> list[tuple[int | None, int | None, str]]:
    """Raw HTML pieces on neighbouring lines (a table's tags) as one run: first line, last line, first piece."""
    runs: list[list] = []
    for line, content in pieces:
        if runs and line is not None and runs[-1][1] is not None and 0 <= line - runs[-1][1] <= 1:
            runs[-1][1] = line
        else:
            runs.append([line, line, content])
    return [(first, last, content) for first, last, content in runs]


def _rewrite(tree: object, settle) -> None:
    """Replace raw elements in every list of the tree by what ``settle`` returns (None: keep it)."""
    if isinstance(tree, dict):
        for value in tree.values():
            _rewrite(value, settle)
        return
    if not isinstance(tree, list):
        return
    index = 0
    while index < len(tree):
        item = tree[index]
        if isinstance(item, dict) and item.get("t") in ("RawBlock", "RawInline"):
            replacement = settle(item)
            if replacement is not None:
                tree[index : index + 1] = replacement
                index += len(replacement)
                continue
        else:
            _rewrite(item, settle)
        index += 1


def _join_raw_paragraphs(tree: object) -> None:
    """A paragraph made only of raw LaTeX (``\\noindent`` / ``\\textit{…}`` / ``\\newpage`` on lines of their own,
    which pandoc reads as inline raw pieces) becomes one raw LaTeX block, so page breaks can be blocks."""
    if isinstance(tree, dict):
        for value in tree.values():
            _join_raw_paragraphs(value)
    elif isinstance(tree, list):
        for index, item in enumerate(tree):
            if (
                isinstance(item, dict)
                and item.get("t") in ("Para", "Plain")
                and item["c"]
                and all(
                    n["t"] in ("Space", "SoftBreak") or n["t"] == "RawInline" and n["c"][0] in ("tex", "latex")
                    for n in item["c"]
                )
                and any(n["t"] == "RawInline" for n in item["c"])
            ):
                joined = "\n".join(n["c"][1] for n in item["c"] if n["t"] == "RawInline")
                tree[index] = {"t": "RawBlock", "c": ["latex", joined]}
            else:
                _join_raw_paragraphs(item)


def _latex(
    content: str, block: bool, shown: str, line: int | None, log: DiagnosticLog, session, citations: bool
) -> list[dict]:
    result: list[dict] = []
    lost: list[str] = []
    pieces = _PLACES.split(content)
    for index, piece in enumerate(pieces):
        if index % 2:  # a place command
            if not block:
                continue  # a page break inside a paragraph: nowhere to put it
            if piece in _LIST_CLASS:
                result.append(Div([], classes=[_LIST_CLASS[piece]]))
            elif piece != "tableofcontents":
                result.append(Div([], classes=["page-break"]))
            continue
        if not piece.strip():
            continue
        read = session.read(piece, shown, from_format="latex")["blocks"] if session is not None else []
        read, unresolved, unreadable = _settle_read(read, citations, lost, piece)
        for environment in unreadable:
            log.add(
                "SRC007",
                f"raw LaTeX \\begin{{{environment}}} could not be read as a table (a column "
                "specification or command pandoc does not know): its cells print as text, «&» and all; write "
                "the table in Markdown",
                shown,
                line,
                severity="warning",
            )
        for label in unresolved:
            log.add(
                "XRF001",
                f"\\ref{{{label}}}: {label!r} is not a label editio numbers (fig:, tbl:, eq:, sec:); "
                "it reads «??»: label the figure or table {#fig:x}/{#tbl:x} and write @fig:x",
                shown,
                line,
                severity="warning",
            )
        if not read:
            lost.append(piece)
            continue
        layout = [c for c in _COMMAND.findall(piece) if c.rstrip("*") not in SHOWN_COMMANDS]
        if layout:
            lost.append(" ".join(dict.fromkeys(layout)))
        if block:
            result.extend(read)
        else:
            inlines = [n for b in read if b["t"] in ("Para", "Plain") for n in b["c"]]
            if len(read) == 1 and inlines:
                result.extend(inlines)
            else:
                lost.append(piece)
    if lost:
        log.add(
            "SRC007",
            f"raw LaTeX {_short(' '.join(lost))!r} is shown in no format (editio reads LaTeX only "
            "for text, tables and references, and typesets with typst); it is left out: write it in Markdown, "
            "or remove it",
            shown,
            line,
            severity="warning",
        )
    return result


def _latex_figure(figure: dict) -> None:
    """A figure environment's image has no alt text of its own (``\\includegraphics``): it gets the caption's
    words, as pandoc's Markdown reader gives an image its caption."""
    words = stringify(figure["c"][1][1]).strip()
    for image in iter_nodes(figure["c"][2], ("Image",)):
        if not image["c"][1] and words:
            image["c"][1] = [Str(words)]


def latex_label(label: str) -> str:
    """A LaTeX label as crossref names it: LaTeX's customary ``tab:`` prefix is pandoc-crossref's ``tbl:``."""
    return "tbl:" + label[4:] if label.startswith("tab:") else label


def _settle_read(blocks: list, citations: bool, lost: list[str], piece: str) -> tuple[list, list[str], list[str]]:
    """What pandoc's LaTeX reader made, for the manuscript: ``\\ref{kind:x}`` as a cross-reference's number
    (pandoc-crossref's ``-@kind:x``; ``tab:`` in ``\\label``/``\\ref`` names ``tbl:``), any other ``\\ref`` as an
    unresolved reference («??», its labels returned), ``\\cite`` as a citation only when there is a
    bibliography; the names of table environments pandoc could only read as text are returned too."""
    from ..filters.crossref import reference_kind

    unresolved: list[str] = []
    unreadable: list[str] = []

    def settle(tree: object) -> None:
        if isinstance(tree, dict):
            for value in tree.values():
                settle(value)
            return
        if not isinstance(tree, list):
            return
        for index, node in enumerate(tree):
            if not isinstance(node, dict):
                settle(node)
                continue
            t = node.get("t")
            attrs = dict(node["c"][0][2]) if t in ("Link", "Span") else {}
            label = latex_label(attrs.get("reference", ""))
            if t == "Span" and "label" in attrs:  # \label{tab:x}: the label crossref knows
                node["c"][0][0] = latex_label(node["c"][0][0])
            if t == "Link" and attrs.get("reference-type") and reference_kind(label):
                tree[index] = {
                    "t": "Cite",
                    "c": [
                        [
                            {
                                "citationId": label,
                                "citationPrefix": [],
                                "citationSuffix": [],
                                "citationMode": {"t": "SuppressAuthor"},
                                "citationNoteNum": 0,
                                "citationHash": 0,
                            }
                        ],
                        [Str(label)],
                    ],
                }
            elif t == "Link" and attrs.get("reference-type"):
                unresolved.append(label)
                tree[index] = Span([Str("??")], classes=["xref", "unresolved"], attributes={"target": label})
            elif t == "Div" and {"tabular", "tabularx", "longtable", "array"} & set(node["c"][0][1]):
                unreadable.append(node["c"][0][1][0])  # pandoc read it as text: its cells print with their «&»
                settle(node)
            elif t == "Figure":
                _latex_figure(node)
                settle(node)
                if not any(n["t"] == "Image" for n in iter_nodes(node["c"][2], ("Image",))):
                    # a figure environment without a picture (the journal takes figures separately): its caption
                    tree[index] = Div(node["c"][1][1], classes=["figure-caption-only"])
            elif t == "Cite" and not citations:
                lost.append(piece)
                tree[index] = Str("")
            else:
                settle(node)

    settle(blocks)
    return blocks, unresolved, unreadable


def _html(node: dict, content: str, shown: str, line: int | None, log: DiagnosticLog, html_ids: set[str]) -> dict:
    converter = _XhtmlWriter(html_ids)
    converter.feed(content)
    converter.close()
    for problem in converter.problems:
        log.add("SRC008", f"raw HTML: {problem}", shown, line, severity="warning")
    node["c"] = ["html", "".join(converter.out)]
    return node


class _XhtmlWriter(HTMLParser):
    """HTML tags and text, written back as XHTML one piece at a time (pandoc hands open and close tags over as
    separate raw elements, so the pieces need not be balanced)."""

    def __init__(self, ids: set[str]):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.problems: list[str] = []
        self.ids = ids
        self.in_script = False

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], close: bool) -> str:
        parts = [tag]
        seen: set[str] = set()
        for name, value in attrs:
            name = name.lower()
            if name in seen or not re.fullmatch(r"[a-z_:][-a-z0-9_:.]*", name) or name.startswith("on"):
                continue
            seen.add(name)
            value = name if value is None else value
            if name == "id":
                if value in self.ids:
                    self.problems.append(f"id {value!r} is used twice; the second is left out")
                    continue
                self.ids.add(value)
            parts.append(f'{name}="{escape(value, quote=True)}"')
        return "<" + " ".join(parts) + (" />" if close else ">")

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.in_script = True
            self.problems.append(f"<{tag}> is not published; it is left out")
            return
        self.out.append(self._tag(tag, attrs, tag in VOID))

    def handle_startendtag(self, tag, attrs):
        if tag not in ("script", "style"):
            self.out.append(self._tag(tag, attrs, True))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.in_script = False
        elif tag not in VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.in_script:
            self.out.append(escape(data, quote=False))

    def handle_comment(self, data):
        self.out.append("<!--" + data.replace("--", "- -") + "-->")


def _short(content: str) -> str:
    text = " ".join(content.split())
    return text if len(text) <= 40 else text[:39] + "…"

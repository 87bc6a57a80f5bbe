"""Numbered cross-references to figures, tables, equations and sections, in pandoc-crossref's syntax
(``{#fig:x}``, ``@fig:x``, ``[@fig:x; @tbl:y]``, ``-@fig:x`` for the number alone, ``@Fig:x`` capitalised) and
Quarto's (``{#fig-x}``, ``@fig-x``, a ``::: {#fig-x}`` Div whose last paragraph is the caption); code listings
(``{#lst:x caption=…}``, Quarto's ``lst-cap``, a ``: Caption {#lst:x}`` paragraph beside the code) become a
``Figure.listing`` numbered on their own.

Options (edition.yaml key ``crossref``):

``strict``
    An unknown label is an error (XRF001) instead of a warning; either way the reference reads «??».
``list-of-figures`` / ``list-of-tables``
    Append a list of the numbered figures (tables) at the end of the document when the manuscript has no
    ``::: list-of-figures`` (``::: list-of-tables``) Div; such a Div is filled whether or not the option is set.
``auto-section-labels``
    ``@sec:x`` also finds a heading whose id is ``x`` (pandoc's automatic identifiers), as pandoc-crossref's
    ``autoSectionLabels`` does.
``number-sections``
    Show every heading's number (``Span.section-number``); a section reference then reads «Section 2.1».
    Off (the default), headings stay unnumbered and a section reference reads as the section's title, so a
    reader is never sent to a number the page does not show.

Neutral marks: ``Link.xref{target=ID kind=fig|tbl|eq|sec number=N}`` to ``#ID`` with the catalogue's
``figure-ref``/``table-ref``/``equation-ref``/``section-ref`` text; ``Span.xref.unresolved{target=ID}[??]``;
``Span.caption-label`` («Figure 3», then ``caption-separator``) first in a numbered caption, which gets
``number=N`` on its Figure or Table; ``Span.equation#ID{number=N}`` around a numbered display equation;
``Span.section-number``; ``Span.subfigure-label`` («(b)») first in the caption of a figure inside a numbered
figure (subfigures, numbered «3b»); ``Div.list-of-figures`` / ``Div.list-of-tables`` holding a heading and one paragraph
per entry. Every label, its number and its kind are decided in ``prepare`` (document order), so a reference
may come before its target. Runs before citeproc: the references are Cite elements until this filter turns
them into links; the load stage never reports them as unknown citations (see ``is_reference_key``).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from ..ast import (
    Div,
    Header,
    Link,
    Para,
    Space,
    Span,
    Str,
    attr_of,
    classes,
    get,
    identifier,
    iter_nodes,
    stringify,
    text_inlines,
)
from .base import Filter

KINDS = ("fig", "tbl", "eq", "sec", "lst")
_REFERENCE_KEY = re.compile(r"^(fig|tbl|eq|sec|lst)[:-]\S", re.IGNORECASE)
_EQUATION_ATTR = re.compile(r"^\{#((?:eq)[:-][^\s{}]+)\}$")
REF_KEY = {"fig": "figure-ref", "tbl": "table-ref", "eq": "equation-ref", "sec": "section-ref", "lst": "listing-ref"}
LABEL_KEY = {"fig": "figure-label", "tbl": "table-label", "lst": "listing-label"}
_LISTING_CAPTION = re.compile(r"^\{#((?:lst)[:-][^\s{}]+)\}$")
LIST_CLASS = {"fig": "list-of-figures", "tbl": "list-of-tables"}


@dataclass(frozen=True)
class Options:
    strict: bool = False
    list_of_figures: bool = False
    list_of_tables: bool = False
    number_sections: bool = False
    auto_section_labels: bool = False


@dataclass
class Target:
    """One labelled thing: its kind, its number as printed, its title (captions, headings) as inlines."""

    kind: str
    number: str
    title: list
    listed: bool = True  # subfigures are not in the list of figures


def reference_kind(key: str) -> str | None:
    """``fig``, ``tbl``, ``eq`` or ``sec`` for a cross-reference key or label (``fig:x``, ``Fig-x``), else None."""
    match = _REFERENCE_KEY.match(key)
    return match.group(1).lower() if match else None


def is_reference_key(key: str, bibliography: dict | None = None) -> bool:
    """True when a citation key is a cross-reference (unless the bibliography really has that key)."""
    return reference_kind(key) is not None and key not in (bibliography or {})


def has_reference_syntax(blocks: list) -> bool:
    """True when the document uses cross-reference labels or references (the load stage then adds this
    filter if edition.yaml does not list it)."""
    for node in iter_nodes(blocks, ("Cite", "Figure", "Table", "Header", "Div", "Str")):
        t = node["t"]
        if t == "Cite":
            if any(reference_kind(c["citationId"]) for c in node["c"][0]):
                return True
        elif t == "Str":
            if _EQUATION_ATTR.match(node["c"]):
                return True
        elif (
            (t == "Div" and any(c in classes(node) for c in LIST_CLASS.values()))
            or reference_kind(identifier(node)) in ("fig", "tbl")
            or (t == "Header" and reference_kind(identifier(node)) == "sec")
        ):
            return True
    return False


def adopt_list_commands(blocks: list) -> None:
    """pandoc-crossref's ``\\listoffigures`` and ``\\listoftables`` (raw TeX blocks) become the ``Div`` this
    filter fills, in place, so safe mode does not refuse them as raw TeX and every format gets the list."""
    for node in iter_nodes(blocks, ("RawBlock",)):
        fmt, text = node["c"]
        command = text.strip()
        if fmt in ("tex", "latex") and command in (r"\listoffigures", r"\listoftables"):
            cls = LIST_CLASS["fig" if command == r"\listoffigures" else "tbl"]
            node.clear()
            node.update(Div([], classes=[cls]))


def with_crossref(names: list[str], blocks: list) -> list[str]:
    """The declared filters, with this one first when the manuscript uses cross-reference syntax and
    edition.yaml does not list it: an author writing ``@fig:x`` means a reference, never a citation."""
    if FILTER.name in names or not has_reference_syntax(blocks):
        return list(names)
    return [FILTER.name, *names]


def _listings(tree: object) -> None:
    """Code listings, in place, as a Figure labelled ``lst:x`` around the CodeBlock: pandoc-crossref's
    ``{#lst:x caption="…"}`` on the block, Quarto's ``{#lst-x lst-cap="…"}``, and pandoc-crossref's
    codeBlockCaptions, a paragraph ``: Caption {#lst:x}`` right after (or before) the block."""
    if isinstance(tree, dict):
        for value in tree.values():
            _listings(value)
        return
    if not isinstance(tree, list):
        return
    index = 0
    while index < len(tree):
        node = tree[index]
        if isinstance(node, dict) and node.get("t") == "CodeBlock":
            ident, names, attributes = node["c"][0]
            caption_text = dict(attributes).get("caption") or dict(attributes).get("lst-cap")
            if reference_kind(ident) == "lst" and caption_text:
                node["c"][0] = ["", names, [kv for kv in attributes if kv[0] not in ("caption", "lst-cap")]]
                tree[index] = _listing_figure(ident, text_inlines(caption_text), node)
            else:
                for other in (index + 1, index - 1):
                    label = _caption_paragraph(tree[other]) if 0 <= other < len(tree) else None
                    if label is not None:
                        ident, caption = label
                        first = min(index, other)
                        tree[first : first + 2] = [_listing_figure(ident, caption, node)]
                        break
        else:
            _listings(node)
        index += 1


def _caption_paragraph(block: object) -> tuple[str, list] | None:
    """``: Caption {#lst:x}`` (a paragraph): the label and the caption's inlines, else None."""
    if not isinstance(block, dict) or block.get("t") != "Para" or len(block["c"]) < 3:
        return None
    inlines = block["c"]
    last = inlines[-1]
    match = last["t"] == "Str" and _LISTING_CAPTION.match(last["c"])
    if inlines[0] != Str(":") or not match:
        return None
    caption = inlines[1:-1]
    while caption and caption[0]["t"] in ("Space", "SoftBreak"):
        caption = caption[1:]
    while caption and caption[-1]["t"] in ("Space", "SoftBreak"):
        caption = caption[:-1]
    return match.group(1), caption


def _listing_figure(ident: str, caption: list, code: dict) -> dict:
    return {"t": "Figure", "c": [[ident, ["listing"], []], [None, [{"t": "Plain", "c": caption}]], [code]]}


def _caption_span_label(node: dict) -> None:
    """pandoc-crossref's ``: Caption []{#tbl:x}`` and LaTeX's ``\\label{fig:x}`` in a caption (an empty Span
    carrying the label, which pandoc's own reader does not lift): the Table or Figure takes the label and the
    Span goes."""
    wanted = "tbl" if node["t"] == "Table" else "fig"
    if identifier(node):
        return
    for block in node["c"][1][1]:
        if block["t"] not in ("Para", "Plain"):
            continue
        inlines = block["c"]
        for index, span in enumerate(inlines):
            if span["t"] == "Span" and not span["c"][1] and reference_kind(identifier(span)) == wanted:
                attr_of(node)[0] = identifier(span)
                end = index
                while end > 0 and inlines[end - 1]["t"] in ("Space", "SoftBreak"):
                    end -= 1
                del inlines[end : index + 1]
                return


def _canonical(key: str) -> str:
    """``Fig:x`` (a capitalised reference) names the label ``fig:x``."""
    kind = reference_kind(key)
    return key[: len(kind)].lower() + key[len(kind) :] if kind else key


def _caption_inlines(blocks: list) -> list:
    """A caption's text as inlines without notes (for lists and alt texts)."""
    inlines: list = []
    for block in blocks:
        if block["t"] in ("Para", "Plain"):
            if inlines:
                inlines.append(Space())
            inlines.extend(block["c"])
    return [copy.deepcopy(n) for n in inlines if n["t"] != "Note"]


class CrossReferences(Filter):
    name = "crossref"
    key = "crossref"
    Options = Options
    before = ("citeproc", "citations")

    def prepare(self, doc: dict) -> None:
        self.targets: dict[str, Target] = {}
        self.headings: dict[str, Target] = {}  # every heading by its id, for auto-section-labels
        self.filled: set[str] = set()
        subfigures: dict[int, str] = {}  # id(inner Figure) → its letter
        self._normalise(doc["blocks"])
        counters = {"fig": 0, "tbl": 0, "eq": 0, "lst": 0}
        sections: list[int] = []
        # a document whose headings start at level 2 numbers them 1, 2 …, not 0.1, 0.2 …
        top = min((n["c"][0] for n in iter_nodes(doc["blocks"], ("Header",))), default=1)
        for node in iter_nodes(doc["blocks"], ("Figure", "Table", "Span", "Header")):
            t, ident = node["t"], identifier(node)
            kind = reference_kind(ident)
            if t == "Header":
                title = [n for n in node["c"][2] if n["t"] != "Note"]
                if "unnumbered" in classes(node):
                    if ident:
                        self.headings[ident] = Target("sec", "", title)
                    if kind == "sec":
                        self._add(ident, Target("sec", "", title))
                    continue
                depth = node["c"][0] - top + 1
                sections[depth:] = []
                sections += [0] * (depth - len(sections))
                sections[depth - 1] += 1
                number = ".".join(str(n) for n in sections)
                if ident:
                    self.headings[ident] = Target("sec", number, title)
                if self.options.number_sections:
                    node["c"][2][:0] = [Span([Str(number)], classes=["section-number"]), Space()]
                if kind == "sec":
                    self._add(ident, Target("sec", number, title))
            elif t == "Figure" and id(node) in subfigures:
                letter = subfigures[id(node)]
                attr_of(node)[2].append(["subfigure", letter])
                if kind == "fig":
                    self._add(
                        ident,
                        Target("fig", f"{counters['fig']}{letter}", _caption_inlines(node["c"][1][1]), listed=False),
                    )
            elif t == "Figure" and kind in ("fig", "lst") or t == "Table" and kind == "tbl":
                counters[kind] += 1
                self._add(ident, Target(kind, str(counters[kind]), _caption_inlines(node["c"][1][1])))
                if t == "Figure":
                    inner = [n for n in iter_nodes(node["c"][2], ("Figure",))]
                    subfigures.update((id(n), "abcdefghijklmnopqrstuvwxyz"[i % 26]) for i, n in enumerate(inner))
            elif t == "Span" and kind == "eq" and "equation" in classes(node):
                counters["eq"] += 1
                self._add(ident, Target("eq", str(counters["eq"]), []))
                attr_of(node)[2].append(["number", str(counters["eq"])])

    def _add(self, label: str, target: Target) -> None:
        if label in self.targets:
            file, line = self.ctx.sources.locate("#" + label)
            self.ctx.log.add(
                "XRF002",
                f"label {label!r} is used twice; give each figure, table, equation and section its own label",
                file,
                line,
            )
        self.targets[label] = target

    def _normalise(self, blocks: list) -> None:
        """Equations labelled after pandoc-crossref (``$$ … $$ {#eq:x}``) become ``Span.equation#eq:x``; a
        Quarto figure or table Div (``::: {#fig-x}`` … caption ``:::``) gives its label and caption to the
        Figure or Table inside."""
        _listings(blocks)
        for node in list(iter_nodes(blocks, ("Para", "Plain", "Div", "Table", "Figure"))):
            if node["t"] == "Div":
                self._quarto_div(node)
                continue
            if node["t"] in ("Table", "Figure"):
                _caption_span_label(node)
                continue
            inlines = node["c"]
            index = 0
            while index < len(inlines):
                math = inlines[index]
                if math["t"] == "Math" and math["c"][0]["t"] == "DisplayMath":
                    after = index + 1
                    if after < len(inlines) and inlines[after]["t"] in ("Space", "SoftBreak"):
                        after += 1
                    match = (
                        after < len(inlines)
                        and inlines[after]["t"] == "Str"
                        and _EQUATION_ATTR.match(inlines[after]["c"])
                    )
                    if match:
                        inlines[index : after + 1] = [Span([math], identifier=match.group(1), classes=["equation"])]
                index += 1

    def _quarto_div(self, div: dict) -> None:
        """``::: {#fig-x}`` around images (or one Figure) and a caption paragraph becomes that Figure, in
        place; ``::: {#tbl-x}`` around one Table gives the Table its label (and the caption paragraph)."""
        ident = identifier(div)
        kind = reference_kind(ident)
        if kind not in ("fig", "tbl"):
            return
        body = div["c"][1]
        inner_type = "Figure" if kind == "fig" else "Table"
        inner = [b for b in body if b["t"] == inner_type]
        caption = body[-1] if len(body) > 1 and body[-1]["t"] == "Para" else None
        content = [b for b in body if b is not caption]
        if len(inner) == 1 and len(content) == 1 and not identifier(inner[0]):
            replacement = inner[0]
        elif (
            kind == "fig"
            and caption is not None
            and all(
                b["t"] == "Figure" or b["t"] in ("Para", "Plain") and any(n["t"] == "Image" for n in b["c"])
                for b in content
            )
        ):
            replacement = {"t": "Figure", "c": [["", [], []], [None, []], content]}
        else:
            return
        if caption is not None:
            replacement["c"][1][1] = [{"t": "Plain", "c": caption["c"]}]
        attr_of(replacement)[0] = ident
        div.clear()
        div.update(replacement)

    # -- hooks ------------------------------------------------------------------------------------------

    def hooks(self):
        return {"Cite": self.cite, "Figure": self.captioned, "Table": self.captioned, "Div": self.list_div}

    def cite(self, node: dict, _path: list):
        citations = node["c"][0]
        if not any(reference_kind(c["citationId"]) and c["citationId"] not in self.ctx.bibliography for c in citations):
            return None
        out: list = []
        rest = []
        for citation in citations:
            key = citation["citationId"]
            if not is_reference_key(key, self.ctx.bibliography):
                rest.append(citation)
                continue
            if out:
                out += [Str(","), Space()]
            if citation["citationPrefix"]:
                out += citation["citationPrefix"] + [Space()]
            out += self.reference(key, citation["citationMode"]["t"] == "SuppressAuthor")
            if citation["citationSuffix"]:
                suffix = citation["citationSuffix"]
                out += suffix if suffix[0]["t"] == "Space" or stringify(suffix[0])[:1] in ",.;:" else [Space(), *suffix]
        if rest:  # a bibliographic citation in the same brackets stays a citation
            return [*out, Space(), {"t": "Cite", "c": [rest, [Str("@" + c["citationId"]) for c in rest]]}]
        return out

    def reference(self, key: str, number_only: bool = False) -> list:
        """The inlines for one reference: a link with «Figure 3», or «??» for a label nobody defined."""
        label = _canonical(key)
        target = self.targets.get(label)
        if target is None and self.options.auto_section_labels and reference_kind(label) == "sec":
            target = self.headings.get(label[4:])
            label = label[4:]
        if target is None:
            file, line = self.ctx.sources.locate("@" + key)
            message = (
                f"unknown cross-reference label {key!r}: no figure, table, equation or section has the "
                f"id {{#{label}}}; add it or correct the reference"
            )
            if self.options.strict:
                self.ctx.log.add("XRF001", message, file, line)
            else:
                self.ctx.warn("XRF001", message, file, line)
            return [
                Span([Str(self.ctx.text("unknown-ref"))], classes=["xref", "unresolved"], attributes={"target": label})
            ]
        if number_only:
            text = text_inlines(target.number)
        elif target.kind == "sec" and (not self.options.number_sections or not target.number):
            text = copy.deepcopy(target.title) or text_inlines(label)
        else:
            words = self.ctx.text(REF_KEY[target.kind], n=target.number)
            if key[:1].isupper():
                words = words[:1].upper() + words[1:]
            text = text_inlines(words)
        return [
            Link(
                text,
                "#" + label,
                classes=["xref"],
                attributes={"target": label, "kind": target.kind, "number": target.number},
            )
        ]

    def captioned(self, node: dict, _path: list):
        """«Figure 3. » (the catalogue's label and separator) before a numbered caption."""
        target = self.targets.get(identifier(node))
        letter = get(node, "subfigure")
        blocks = node["c"][1][1]
        if letter:
            if blocks and blocks[0]["t"] in ("Plain", "Para"):
                blocks[0]["c"][:0] = [Span([Str(f"({letter})")], classes=["subfigure-label"]), Space()]
            return node
        if target is None or target.kind not in LABEL_KEY:
            return None
        attr_of(node)[2].append(["number", target.number])
        label = [Span([Str(self.ctx.text(LABEL_KEY[target.kind], n=target.number))], classes=["caption-label"])]
        if blocks and blocks[0]["t"] in ("Plain", "Para") and blocks[0]["c"]:
            separator = self.ctx.text("caption-separator")
            label += text_inlines(separator) + ([Space()] if separator.endswith(" ") else [])
            blocks[0]["c"][:0] = label
        else:
            blocks.insert(0, {"t": "Plain", "c": label})
        return node

    def list_div(self, node: dict, _path: list):
        for kind, cls in LIST_CLASS.items():
            if cls in classes(node):
                self.filled.add(kind)
                return self.listing(kind, identifier(node))
        return None

    def listing(self, kind: str, ident: str = "") -> dict:
        """A list of the numbered figures or tables: a heading and a linked line per entry."""
        entries = [
            Para(
                [
                    *self.reference(label),
                    *([Str(self.ctx.text("caption-separator").rstrip()), Space()] if target.title else []),
                    *copy.deepcopy(target.title),
                ]
            )
            for label, target in self.targets.items()
            if target.kind == kind and target.listed
        ]
        heading = Header(
            1,
            text_inlines(self.ctx.text(LIST_CLASS[kind])),
            identifier=LIST_CLASS[kind] + "-title",
            classes=["unnumbered"],
        )
        return Div([heading, *entries], identifier=ident, classes=[LIST_CLASS[kind]])

    def finalize(self, doc: dict) -> None:
        """Lists asked for by option go at the end; before a closing heading with nothing under it (an author's
        «# References», which citeproc fills by appending the bibliography), so the two stay together."""
        blocks = doc["blocks"]
        at = len(blocks) - 1 if blocks and blocks[-1]["t"] == "Header" else len(blocks)
        for kind, wanted in (("fig", self.options.list_of_figures), ("tbl", self.options.list_of_tables)):
            if wanted and kind not in self.filled:
                blocks.insert(at, self.listing(kind))
                at += 1


FILTER = CrossReferences

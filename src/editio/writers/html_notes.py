"""Notes for screen readers of the HTML edition: each note's text is copied beside its reference as a sidenote (margin
on wide screens, opened in place on phones), and the endnotes list gets a heading, a place after the text that calls
it and a contents entry. Reads and writes the HTML pandoc's writer printed; the endnotes list stays for readers
without CSS."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# what may not stand inside a <span> in a paragraph: a note holding one of these keeps only its endnote
BLOCKS = frozenset(
    "address article aside blockquote details dialog dd div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol pre section summary table tbody td tfoot th "
    "thead tr ul".split()
)
NOTE_TITLE_CARRIER = "editio-notes-title"


@dataclass
class Element:
    """One element of the page with its offsets in the source text: ``start``..``end`` is the whole element,
    ``inner_start``..``inner_end`` its content (equal for void elements)."""

    tag: str
    attrs: dict[str, str]
    start: int
    inner_start: int
    inner_end: int = -1
    end: int = -1
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()


class PageTree(HTMLParser):
    """Element offsets by a tolerant parse: an end tag closes the nearest open element of its name."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.root = Element("#root", {}, 0, 0)
        self.elements: list[Element] = []
        self._open: list[Element] = [self.root]
        self.feed(text)
        self.close()
        for node in reversed(self._open[1:]):
            node.inner_end = node.end = len(text)
        self.root.inner_end = self.root.end = len(text)

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _element(self, tag: str, attrs, void: bool) -> Element:
        start = self._offset()
        tag_text = self.get_starttag_text() or ""
        inner = start + len(tag_text)
        node = Element(tag, {k: (v or "") for k, v in attrs}, start, inner, parent=self._open[-1])
        if void:
            node.inner_end = node.end = inner
        self._open[-1].children.append(node)
        self.elements.append(node)
        return node

    def handle_starttag(self, tag, attrs):
        node = self._element(tag, attrs, tag in VOID)
        if tag not in VOID:
            self._open.append(node)

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs, True)

    def handle_endtag(self, tag):
        start = self._offset()
        end = self.text.find(">", start) + 1
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                for node in self._open[depth + 1 :]:
                    node.inner_end = node.end = start
                node = self._open[depth]
                node.inner_end, node.end = start, end
                del self._open[depth:]
                return


def parse(text: str) -> PageTree:
    return PageTree(text)


def _by_id(tree: PageTree) -> dict[str, Element]:
    found: dict[str, Element] = {}
    for node in tree.elements:
        found.setdefault(node.attrs.get("id", ""), node)
    found.pop("", None)
    return found


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", fragment))


class _NotPhrasing(Exception):
    pass


class _SidenoteBody(HTMLParser):
    """A note's content re-written as phrasing content: paragraphs become spans, ids are dropped (the endnote keeps
    them), links leave the tab order (the endnote's links are the keyboard's) and the back-link is left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0  # depth inside a back-link
        self._paragraphs = 0

    def _tag(self, tag: str, attrs, close: bool) -> str:
        kept = [(k, v) for k, v in attrs if k != "id"]
        if tag == "a":
            kept.append(("tabindex", "-1"))
        rendered = "".join(f' {k}="{html.escape(v or "", quote=True)}"' if v is not None else f" {k}" for k, v in kept)
        return f"<{tag}{rendered}{' /' if close else ''}>"

    def handle_starttag(self, tag, attrs):
        if self._skip:
            self._skip += tag not in VOID
            return
        if tag == "a" and dict(attrs).get("role") == "doc-backlink":
            self._skip = 1
            return
        if tag in BLOCKS:
            raise _NotPhrasing(tag)
        if tag == "p":
            self._paragraphs += 1
            self.out.append('<span class="sidenote-para">')
            return
        self.out.append(self._tag(tag, attrs, False))

    def handle_startendtag(self, tag, attrs):
        if self._skip:
            return
        if tag in BLOCKS:
            raise _NotPhrasing(tag)
        self.out.append(self._tag(tag, attrs, True))

    def handle_endtag(self, tag):
        if self._skip:
            self._skip -= tag not in VOID
            return
        self.out.append("</span>" if tag == "p" else f"</{tag}>")

    def handle_data(self, data):
        if not self._skip:
            self.out.append(html.escape(data, quote=False))


def sidenote_body(inner_html: str) -> str | None:
    """The note's content as phrasing HTML for a sidenote, or None when the note holds blocks a span cannot."""
    body = _SidenoteBody()
    try:
        body.feed(inner_html)
        body.close()
    except _NotPhrasing:
        return None
    text = "".join(body.out).strip()
    # the space pandoc leaves before the dropped back-link
    return re.sub(r"\s+(</span>)$", r"\1", text)


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Replace each ``(start, end)`` range by its text; ranges must not overlap. Insertions at one offset keep the
    order in which they were listed."""
    order = sorted(range(len(edits)), key=lambda i: (edits[i][0], edits[i][1], i), reverse=True)
    for i in order:
        start, end, new = edits[i]
        text = text[:start] + new + text[end:]
    return text


def _note_references(tree: PageTree, ids: dict[str, Element]) -> list[tuple[Element, Element]]:
    """Each note reference in the running text with the note it calls; references inside the contents, the notes
    list or another note are left alone (a sidenote inside a sidenote helps nobody)."""
    refs = [
        n
        for n in tree.elements
        if n.tag == "a" and n.attrs.get("role") == "doc-noteref" and n.attrs.get("href", "").removeprefix("#") in ids
    ]
    notes = {id(ids[n.attrs["href"][1:]]) for n in refs}
    pairs = []
    for ref in refs:
        if any(a.tag == "nav" or a.attrs.get("role") == "doc-endnotes" or id(a) in notes for a in ref.ancestors()):
            continue
        pairs.append((ref, ids[ref.attrs["href"][1:]]))
    return pairs


def add_sidenotes(page: str) -> str:
    """Copy each called note beside its reference as ``<span class="sidenote">``, hidden from assistive technology
    (the reference leads to the same text in the notes list). Returns the page unchanged where there are no notes."""
    return apply_edits(page, sidenote_edits(page, parse(page)))


def sidenote_edits(page: str, tree: PageTree) -> list[tuple[int, int, str]]:
    """The insertions `add_sidenotes` makes, for callers that combine edits on one parse."""
    ids = _by_id(tree)
    taken = set(ids)
    edits = []
    for ref, target in _note_references(tree, ids):
        body = sidenote_body(page[target.inner_start : target.inner_end])
        if not body:
            continue
        mark = _text(page[ref.inner_start : ref.inner_end]).strip()
        label = (
            ""
            if not mark or _text(body).lstrip().startswith(mark)
            else f'<span class="sidenote-mark">{html.escape(mark, quote=False)}</span> '
        )
        kind = "".join(f" sidenote-{c}" for c in ref.classes)
        sid = _unique(f"sn-{target.attrs['id']}", taken)
        edits.append(
            (ref.end, ref.end, f'<span class="sidenote{kind}" id="{sid}" aria-hidden="true">{label}{body}</span>')
        )
    return edits


def _endnotes(tree: PageTree) -> Element | None:
    for node in tree.elements:
        if node.attrs.get("role") == "doc-endnotes":
            return node
    return None


def place_endnotes(page: str) -> str:
    """Give the endnotes list the heading carried by the template (``$notes-title$``), move it right after the
    top-level section whose text calls the last of its notes, and list it in the contents after that section.
    Without a title the list only moves; the carrier element is removed either way."""
    tree = parse(page)
    ids = _by_id(tree)
    carrier = ids.get(NOTE_TITLE_CARRIER)
    title = page[carrier.inner_start : carrier.inner_end].strip() if carrier else ""
    edits = [(carrier.start, carrier.end, "")] if carrier else []
    notes = _endnotes(tree)
    if notes is None:
        return apply_edits(page, edits)
    taken = set(ids)
    note_ids = {n.attrs.get("id") for n in tree.elements if n.start >= notes.start and n.end <= notes.end}
    calls = [
        n
        for n in tree.elements
        if n.tag == "a"
        and n.attrs.get("role") == "doc-noteref"
        and n.attrs.get("href", "").removeprefix("#") in note_ids
        and not notes.start <= n.start < notes.end
    ]
    sections = [a for a in calls[-1].ancestors() if a.tag == "section"] if calls else []
    home = sections[-1] if sections else None

    heading = ""
    if title:
        level = next((c.tag for c in home.children if re.fullmatch(r"h[1-6]", c.tag)), "h2") if home else "h2"
        hid = _unique(f"{notes.attrs.get('id', 'notes')}-title", taken)
        heading = f'<{level} id="{hid}" class="notes-title">{title}</{level}>\n'
    rule = next((c for c in notes.children if c.tag == "hr"), None)
    inner = page[notes.inner_start : notes.inner_end]
    if heading and rule is not None and page[notes.inner_start : rule.start].strip() == "":
        inner = page[notes.inner_start : rule.start] + page[rule.end : notes.inner_end]
    opening = page[notes.start : notes.inner_start]
    if heading and "aria-labelledby" not in notes.attrs:
        opening = opening[:-1] + f' aria-labelledby="{hid}">'
    moved = f"{opening}{heading.rstrip()}{inner}{page[notes.inner_end : notes.end]}"

    if home is not None and home.end <= notes.start:
        edits += [(notes.start, notes.end, ""), (home.end, home.end, "\n" + moved)]
    else:
        edits.append((notes.start, notes.end, moved))
    if title and home is not None and "id" in notes.attrs:
        entry = _toc_entry_after(tree, home.attrs.get("id", ""))
        if entry is not None:
            tid = _unique(f"toc-{notes.attrs['id']}", taken)
            label = html.escape(_text(title).strip(), quote=False)
            edits.append((entry.end, entry.end, f'\n<li><a href="#{notes.attrs["id"]}" id="{tid}">{label}</a></li>'))
    return apply_edits(page, edits)


def _toc_entry_after(tree: PageTree, section_id: str) -> Element | None:
    """The contents' list item that links to ``section_id``."""
    for node in tree.elements:
        if (
            node.tag == "a"
            and node.attrs.get("href") == f"#{section_id}"
            and node.parent is not None
            and node.parent.tag == "li"
            and any(a.attrs.get("role") == "doc-toc" for a in node.ancestors())
        ):
            return node.parent
    return None

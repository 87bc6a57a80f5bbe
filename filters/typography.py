#!/usr/bin/env python3
"""Russian typography: non-breaking spaces, dashes and quote characters in Russian text.

Reads the optional metadata key ``typography`` (a map, removed from the output):

``lang``
    The document's default language, by default the document's ``lang`` metadata, else ``ru``.
    Only text whose language (the nearest ``lang`` attribute of an enclosing Div or Span, else this
    default) is Russian (``ru``, ``ru-RU`` …) is touched.
``quotes``
    Four quote characters, outer pair then inner pair, spaces ignored; default ``«» „“``.
``dash``
    The character of a dash between words; default ``—`` (em dash).
``metadata``
    Top-level metadata fields typeset like the body text; default ``[title, subtitle, abstract]``.

The rules: a non-breaking space after initials (inserted where the space is missing after a Cyrillic
initial), between a number and «г.», «в.», «с.» …, after «№», «с.», «т.», «p.» before a number;
a hyphen or en dash standing between spaces becomes a dash tied to the preceding word by a
non-breaking space; a number range gets an unspaced en dash; quotes become «ёлочки» outside and
„лапки“ inside, pandoc ``Quoted`` elements included, so writers get explicit characters. Letters are
never changed; code, math, raw output, URLs, citation keys and non-Russian spans are left alone.
The filter is idempotent (for the default quote characters).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

import panflute as pf

from editio.errors import EditionError, error
from editio.filterkit import run_filter, within

NBSP = "\u00a0"
EN_DASH = "\u2013"
EM_DASH = "\u2014"

# Quote characters as they are recognised on input, whatever the configured output glyphs.
OPENING_QUOTES = frozenset("«„")
CLOSING_QUOTES = frozenset("»”")
CONTEXT_QUOTES = frozenset('"“')  # opening or closing: decided by the character before
# After one of these (or at the start) an ambiguous quote opens; after anything else it closes.
OPENING_CONTEXT = frozenset(" \n\t" + NBSP + "([{«„-" + EN_DASH + EM_DASH + "/")

_WS = "[ \\n\u00a0]"
# Roman numerals include the Cyrillic Х and І that Russian texts often type for X and I («ХХ в.»).
_NUMBER = r"(?:\d+(?:[-–]\d+)?(?:-[а-яё]{1,3})?|[IVXLCХІ]+(?:[-–][IVXLCХІ]+)?)"
_ROMAN = r"(?:(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3}))"

# A number range: two numbers only (a chain like an ISBN "978-5-02" is left alone).
_NUMBER_RANGE = re.compile(r"(?<![\w\-–./])(\d+)" + _WS + r"*[-–]" + _WS + r"*(\d+)(?![\w\-–/]|[.,]\d)")
_ROMAN_RANGE = re.compile(
    r"(?<![\w\-–])(" + _ROMAN + r")" + _WS + r"*[-–]" + _WS + r"*(" + _ROMAN + r")(?![\w\-–])")
_SPACED_DASH = re.compile(_WS + r"+[-–—]" + _WS + r"+")
_DIALOGUE_DASH = re.compile(r"^[-–—](?=" + _WS + ")")
_NUMBER_BEFORE_UNIT = re.compile(
    r"(?<![\w.,])(" + _NUMBER + r")" + _WS + r"+"
    r"(?=(?:гг?\.|вв?\.|с\.|стр\.|тыс\.|руб\.|долл\.|чел\.|млн|млрд)(?!\w))")
_ABBREVIATION_BEFORE_NUMBER = re.compile(
    r"(?<!\w)(с\.|С\.|т\.|Т\.|стр\.|ч\.|гл\.|p\.|P\.|pp\.|Pp\.|vol\.|Vol\.|t\.|T\.|No\.)" + _WS + r"+"
    r"(?=\d|[IVXLC]+(?!\w))")
_NUMERO = re.compile(r"№" + _WS + r"*(?=\d)")
# A Cyrillic initial may lack its space («Х.Лечин»); a Latin one only gets its space tied,
# since «U.S.Army» and the like are not initials.
_CYRILLIC_INITIAL = re.compile(
    r"(?<!\w)([А-ЯЁ]\.)" + _WS + r"*(?=(?:[А-ЯЁ]\." + _WS + r"*)*[А-ЯЁ][а-яё])")
_LATIN_INITIAL = re.compile(
    r"(?<!\w)([A-Z]\.)" + _WS + r"+(?=(?:[A-Z]\." + _WS + r"*)*[A-ZА-ЯЁ][a-zа-яё])")
_URL_LIKE = re.compile(r"^[(\[<]?(?:[a-z][a-z0-9+.-]*://|www\.|mailto:|doi:|urn:)|@|\w\.\w+/", re.I)


@dataclass(frozen=True)
class Config:
    """The filter's options, read from the ``typography`` metadata key."""

    lang: str = "ru"
    quotes: str = "«»„“"
    dash: str = EM_DASH
    metadata: tuple[str, ...] = ("title", "subtitle", "abstract")


@dataclass
class TextState:
    """What the text so far says about the next character: quote depth, last character, block start."""

    depth: int = 0
    previous: str = ""
    at_block_start: bool = True


# --- pure helpers on strings -------------------------------------------------------------------

def is_russian(lang: str | None) -> bool:
    """True for ``ru`` and its regional forms (``ru-RU``)."""
    return bool(lang) and lang.lower().replace("_", "-").split("-")[0] == "ru"


def looks_like_url(token: str) -> bool:
    """A word that is a URL, an e-mail address or a citation key: no typography applies inside it."""
    return bool(_URL_LIKE.search(token))


def typeset_quotes(text: str, state: TextState, quotes: str = "«»„“") -> str:
    """Replace every quote character by the outer or inner glyph its nesting depth asks for."""
    outer_open, outer_close, inner_open, inner_close = quotes
    out = []
    for char in text:
        if char in OPENING_QUOTES:
            opening = True
        elif char in CLOSING_QUOTES:
            opening = False
        elif char in CONTEXT_QUOTES:
            # An inner closing glyph where an inner quotation is open closes it: the filter's
            # own output must read back the same way.
            if char == inner_close and state.depth >= 2:
                opening = False
            else:
                opening = state.previous == "" or state.previous in OPENING_CONTEXT
        else:
            out.append(char)
            state.previous = char
            continue
        if opening:
            char = outer_open if state.depth == 0 else inner_open
            state.depth += 1
        elif state.depth == 0:
            char = outer_close  # an unbalanced closing quote: keep it, as a Russian one
        else:
            state.depth -= 1
            char = outer_close if state.depth == 0 else inner_close
        out.append(char)
        state.previous = char
    return "".join(out)


def typeset_spacing(text: str, dash: str = EM_DASH, at_block_start: bool = False) -> str:
    """Non-breaking spaces, dashes and number ranges in a stretch of Russian text."""
    text = _NUMBER_RANGE.sub(r"\1" + EN_DASH + r"\2", text)
    text = _ROMAN_RANGE.sub(r"\1" + EN_DASH + r"\2", text)
    if at_block_start:
        text = _DIALOGUE_DASH.sub(dash, text)
    text = _SPACED_DASH.sub(NBSP + dash + " ", text)
    text = _NUMBER_BEFORE_UNIT.sub(r"\1" + NBSP, text)
    text = _ABBREVIATION_BEFORE_NUMBER.sub(r"\1" + NBSP, text)
    text = _NUMERO.sub("№" + NBSP, text)
    text = _CYRILLIC_INITIAL.sub(r"\1" + NBSP, text)
    text = _LATIN_INITIAL.sub(r"\1" + NBSP, text)
    return text


def typeset_text(text: str, state: TextState, config: Config) -> str:
    """All rules on one stretch of text (Space as " ", SoftBreak as "\\n"), updating ``state``."""
    if not text:
        return text
    at_block_start = state.at_block_start
    text = typeset_quotes(text, state, config.quotes)
    text = typeset_spacing(text, config.dash, at_block_start)
    if text.strip():
        state.at_block_start = False
    state.previous = text[-1]
    return text


# --- inline lists --------------------------------------------------------------------------------

_TEXT = (pf.Str, pf.Space, pf.SoftBreak)
_CONTAINERS = (pf.Emph, pf.Strong, pf.Underline, pf.Strikeout, pf.SmallCaps, pf.Superscript,
               pf.Subscript, pf.Link, pf.Image)
_OPAQUE = (pf.Code, pf.Math, pf.RawInline)


def _without_quoted(inlines) -> list:
    """Flatten Quoted elements into explicit opening and closing characters (Russian text only)."""
    flat = []
    for elem in inlines:
        if isinstance(elem, pf.Quoted):
            flat.append(pf.Str("«"))
            flat.extend(_without_quoted(list(elem.content)))
            flat.append(pf.Str("»"))
        else:
            flat.append(elem)
    return flat


def _text_to_inlines(text: str) -> list:
    inlines = []
    for piece in re.split(r"( |\n)", text):
        if piece == " ":
            inlines.append(pf.Space())
        elif piece == "\n":
            inlines.append(pf.SoftBreak())
        elif piece:
            inlines.append(pf.Str(piece))
    return inlines


def _typeset_run(run: list, state: TextState, config: Config) -> list:
    """Typeset a run of Str/Space/SoftBreak; URL-like words stay as they are."""
    out, pending = [], []

    def flush():
        if pending:
            out.extend(_text_to_inlines(typeset_text("".join(pending), state, config)))
            pending.clear()

    for elem in run:
        if isinstance(elem, pf.Space):
            pending.append(" ")
        elif isinstance(elem, pf.SoftBreak):
            pending.append("\n")
        elif looks_like_url(elem.text):
            flush()
            out.append(pf.Str(elem.text))
            state.previous = elem.text[-1:] or state.previous
            state.at_block_start = False
        else:
            pending.append(elem.text)
    flush()
    return out


def _element_lang(elem, inherited: str) -> str:
    attributes = getattr(elem, "attributes", None)
    return (attributes.get("lang") if attributes else None) or inherited


def typeset_inlines(inlines, lang: str, state: TextState, config: Config) -> list:
    """Return a new inline list with the rules applied to its Russian parts, in reading order."""
    if not is_russian(lang):
        _typeset_russian_spans(inlines, lang, config)
        return list(inlines)
    flat = _without_quoted(list(inlines))
    out, run = [], []

    def flush():
        if run:
            out.extend(_typeset_run(run, state, config))
            run.clear()

    for elem in flat:
        if isinstance(elem, _TEXT):
            run.append(elem)
            continue
        flush()
        if isinstance(elem, pf.Span):
            span_lang = _element_lang(elem, lang)
            if is_russian(span_lang):
                elem.content = typeset_inlines(elem.content, span_lang, state, config)
            else:
                _skip(elem, state)
        elif isinstance(elem, _CONTAINERS):
            elem.content = typeset_inlines(elem.content, lang, state, config)
        elif isinstance(elem, pf.Cite):
            before = copy.copy(state)
            for citation in elem.citations:
                citation.prefix = typeset_inlines(citation.prefix, lang, copy.copy(before), config)
                citation.suffix = typeset_inlines(citation.suffix, lang, copy.copy(before), config)
            elem.content = typeset_inlines(elem.content, lang, state, config)
        elif isinstance(elem, pf.Note):
            pass  # its paragraphs are blocks of their own; the note call is no text
        elif isinstance(elem, pf.LineBreak):
            state.previous = "\n"
        else:
            _skip(elem, state)
        out.append(elem)
    flush()
    return out


def _typeset_russian_spans(inlines, lang: str, config: Config) -> None:
    """In text of another language, find the Russian spans (``[…]{lang=ru}``) and typeset those."""
    for elem in inlines:
        if isinstance(elem, pf.Span) and is_russian(_element_lang(elem, lang)):
            elem.content = typeset_inlines(elem.content, _element_lang(elem, lang), TextState(), config)
        elif isinstance(elem, pf.Cite):
            for citation in elem.citations:
                _typeset_russian_spans(citation.prefix, lang, config)
                _typeset_russian_spans(citation.suffix, lang, config)
            _typeset_russian_spans(elem.content, lang, config)
        elif isinstance(elem, (pf.Span, pf.Quoted) + _CONTAINERS):
            _typeset_russian_spans(elem.content, _element_lang(elem, lang), config)


def _skip(elem, state: TextState) -> None:
    """Account for text the rules leave alone (code, math, another language)."""
    text = pf.stringify(elem)
    if text:
        state.previous = text[-1]
        state.at_block_start = False


# --- blocks and the document ---------------------------------------------------------------------

def inherited_lang(elem, default: str) -> str:
    """The language of ``elem``: the nearest enclosing ``lang`` attribute, else ``default``."""
    node = elem
    while node is not None:
        if isinstance(node, (pf.Div, pf.Span)) and node.attributes.get("lang"):
            return node.attributes["lang"]
        node = node.parent
    return default


def typeset_block(elem, lang: str, config: Config) -> None:
    """Apply the rules to the inline content of one block (Para, Plain, Header, LineItem, term)."""
    attr = "term" if isinstance(elem, pf.DefinitionItem) else "content"
    setattr(elem, attr, typeset_inlines(getattr(elem, attr), lang, TextState(), config))


_BLOCKS = (pf.Para, pf.Plain, pf.Header, pf.LineItem, pf.DefinitionItem)


def typography(elem, doc):
    """panflute action: typeset every block of inlines outside the metadata."""
    if isinstance(elem, _BLOCKS) and not within(elem, pf.MetaValue):
        config = getattr(doc, "typography_config", None) or Config()
        typeset_block(elem, inherited_lang(elem, config.lang), config)


def _typeset_metadata(doc, config: Config) -> None:
    for key in config.metadata:
        value = doc.metadata.content[key] if key in doc.metadata.content else None
        if isinstance(value, pf.MetaInlines):
            value.content = typeset_inlines(value.content, config.lang, TextState(), config)
        elif isinstance(value, pf.MetaBlocks):
            def action(elem, _doc):
                if isinstance(elem, _BLOCKS):
                    typeset_block(elem, inherited_lang(elem, config.lang), config)
            value.walk(action)


def configure(doc) -> Config:
    """Read and remove the ``typography`` metadata key; typeset the configured metadata fields."""
    options = doc.get_metadata("typography", default={})
    if "typography" in doc.metadata.content:
        del doc.metadata["typography"]
    if not isinstance(options, dict):
        raise error("TYP001", f"metadata key 'typography' must be a map, not {type(options).__name__}; "
                              "write e.g. 'typography: {quotes: \"«» „“\"}'")
    problems = []
    lang = options.get("lang", doc.get_metadata("lang", default=None) or "ru")
    quotes = options.get("quotes", "«» „“")
    dash = options.get("dash", EM_DASH)
    metadata = options.get("metadata", list(Config.metadata))
    if not isinstance(lang, str):
        problems.append(f"'typography.lang' must be a string, not {type(lang).__name__}")
    if not isinstance(quotes, str) or len(quotes.replace(" ", "")) != 4:
        problems.append(f"'typography.quotes' must be four quote characters like \"«» „“\", not {quotes!r}")
    if not isinstance(dash, str) or len(dash) != 1:
        problems.append(f"'typography.dash' must be one character like \"—\", not {dash!r}")
    if not isinstance(metadata, list) or not all(isinstance(k, str) for k in metadata):
        problems.append(f"'typography.metadata' must be a list of metadata field names, not {metadata!r}")
    if problems:
        raise EditionError([error("TYP001", p).diagnostics[0] for p in problems])
    config = Config(lang=lang, quotes=quotes.replace(" ", ""), dash=dash, metadata=tuple(metadata))
    doc.typography_config = config
    _typeset_metadata(doc, config)
    return config


def main(doc=None):
    """Run as a pandoc JSON filter, or in-process on ``doc``."""
    return run_filter(typography, prepare=configure, doc=doc)


if __name__ == "__main__":
    main()

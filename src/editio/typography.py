"""Typography per language: quote characters, apostrophes, dashes and no-break spaces, as pure functions on text.

A language's rules are data: the ``typography:`` section of its message catalogue (src/editio/i18n/<lang>.yaml);
text in a language without one is left as written, and nothing here knows a language. ``typeset`` works on one
run of text (a space or newline is a place the line may break) and ``typeset_inlines`` on a list of pandoc-JSON
inlines; ``bind_space`` says whether the space between two words must not break. Only spaces, quote marks,
apostrophes and dashes ever change: letters and digits never do, and the result is a fixed point.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from .i18n import TypographyRules, typography_rules

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space
NB_HYPHEN = "\u2011"  # non-breaking hyphen
EN_DASH = "\u2013"
EM_DASH = "\u2014"
APOSTROPHE = "\u2019"  # never U+2032 (prime): 1’s, rock ’n’ roll

# Quotation marks a Quoted element stands for, as private-use characters inside a run of text, so one
# character loop places every quote mark whether the author typed it or pandoc parsed it.
QUOTED_OPEN, QUOTED_CLOSE, QUOTED_OPEN_SINGLE, QUOTED_CLOSE_SINGLE = "\ue000", "\ue001", "\ue002", "\ue003"

# After one of these (or at the start) an ambiguous quote mark opens; after anything else it closes.
_OPENING_CONTEXT = frozenset(
    " \n\t" + NBSP + NNBSP + "([{«„‚“‘-/" + EN_DASH + EM_DASH + QUOTED_OPEN + QUOTED_OPEN_SINGLE
)
_LEADING = "([{«„‚“‘\"'" + QUOTED_OPEN + QUOTED_OPEN_SINGLE  # stripped from a word before it is looked up
_TRAILING = ")]}»“”‘’\"'.,;:!?…" + QUOTED_CLOSE + QUOTED_CLOSE_SINGLE
_TRAILING_KEEP_DOT = _TRAILING.replace(".", "")
_QUOTE_CHARS = re.compile("[\"'«»„“”‚‘’\ue000-\ue003]")


@dataclass(frozen=True, eq=False)
class LanguageRules(TypographyRules):
    """One language's rules: its catalogue's ``typography:`` section (the fields and what they mean:
    :class:`editio.i18n.TypographyRules`) and the language it is for. Compared and hashed by identity: one
    object per language, looked up per word by the caches below."""

    language: str = ""
    # derived from the data, for the checks made on every word
    roman_letters: frozenset[str] = field(init=False, repr=False)  # Roman digits and the letters typed for them
    roman_latin: dict[int, str] = field(init=False, repr=False)  # str.translate: those letters → Roman digits
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "roman_letters", frozenset("IVXLCDM").union(letter for letter, _ in self.roman_lookalikes)
        )
        object.__setattr__(self, "roman_latin", str.maketrans(dict(self.roman_lookalikes)))

    @classmethod
    def from_data(cls, language: str, data: TypographyRules) -> LanguageRules:
        """The rules a catalogue's ``typography:`` section gives, for ``language``."""
        return cls(language=language, **{f.name: getattr(data, f.name) for f in fields(TypographyRules)})


@functools.cache
def rules_for(lang: str | None) -> LanguageRules | None:
    """The rules for a BCP 47 tag by its primary subtag (``de-CH`` → ``de``), from that language's catalogue;
    None (leave the text as written) without a tag, without a catalogue or without a ``typography:`` section."""
    if not lang:
        return None
    return _rules(lang.lower().replace("_", "-").split("-")[0])


@functools.cache
def _rules(language: str) -> LanguageRules | None:
    data = typography_rules(language)
    if data is None:
        return None
    return LanguageRules.from_data(language, data)


@dataclass
class TextState:
    """What the text so far says about the next character: open quotations, the last character and word."""

    stack: list[str] = field(default_factory=list)  # the closing mark of each open quotation, innermost last
    previous: str = ""
    last_word: str = ""
    at_block_start: bool = True


# --- compiled patterns per language ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Patterns:
    dash: re.Pattern | None
    dialogue: re.Pattern | None
    number_range: re.Pattern | None
    roman_range: re.Pattern | None
    suffix_hyphen: re.Pattern | None
    missing_initial_space: re.Pattern | None
    sign_space: re.Pattern | None
    space_before: re.Pattern | None
    quote_inner: tuple[re.Pattern, re.Pattern] | None
    initial: re.Pattern | None
    inverted_initial: re.Pattern | None
    capitalised: re.Pattern | None
    starts_with_number: re.Pattern  # a number or a Roman numeral
    day: re.Pattern | None  # a day of the month
    elision: re.Pattern | None  # an apostrophe starting a word that elides a part of it


_WS = "[ \\n\u00a0]"
_ROMAN = r"(?:(?=[IVXLCDM])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))"
_ROMAN_STRICT = re.compile(_ROMAN)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?(?:[\u2011-]\w{1,3})?|\d+[-–]\d+(?:[\u2011-]\w{1,3})?")


@functools.cache
def _patterns(rules: LanguageRules) -> _Patterns:
    dash = dialogue = None
    if rules.dash:
        inputs = re.escape(rules.dash_inputs)
        dash = re.compile(_WS + "+[" + inputs + "](?=" + _WS + ")")
        if rules.dialogue_dash:
            dialogue = re.compile("^[" + inputs + "]" + _WS + "+")
    number_range = roman_range = None
    if rules.number_ranges:
        number_range = re.compile(r"(?<![\w\-–./])(\d+)" + _WS + r"*[-–]" + _WS + r"*(\d+)(?![\w\-–/]|[.,]\d)")
        roman_range = re.compile(
            r"(?<![\w\-–])(" + _ROMAN + r")" + _WS + r"*[-–]" + _WS + r"*(" + _ROMAN + r")(?![\w\-–])"
        )
    lookalikes = re.escape("".join(letter for letter, _ in rules.roman_lookalikes))
    suffix_hyphen = None
    if rules.number_suffix_letters:
        letters = re.escape(rules.number_suffix_letters)
        suffix_hyphen = re.compile(r"(?<=[\dIVXLC" + lookalikes + r"])-(?=[" + letters + r"]{1,3}(?![\w]))")
    missing = None
    if rules.missing_initial_space:
        caps = re.escape(rules.missing_initial_space)
        lower = rules.missing_initial_space.lower()
        missing = re.compile(r"(?<!\w)([" + caps + r"]\.)(?=(?:[" + caps + r"]\.)*[" + caps + r"][" + lower + "])")
    sign_space = re.compile("([" + re.escape(rules.nbsp_after_sign) + r"])(?=\d)") if rules.nbsp_after_sign else None
    space_before = None
    if rules.space_before:
        marks = re.escape("".join(mark for mark, _ in rules.space_before))
        # not inside «10:30», not after a space-only start, not before a mark doubled («?!» gets one space)
        space_before = re.compile(r"(?<=[^\s\u00a0\u202f" + marks + r"])[ \u00a0\u202f]*([" + marks + r"])(?!\d)")
    quote_inner = None
    if rules.inner_quote_space:
        opening, closing = rules.quotes[0]
        quote_inner = (
            re.compile(re.escape(opening) + "[ \u00a0\u202f]*"),
            re.compile("[ \u00a0\u202f]*" + re.escape(closing)),
        )
    initial = inverted = capitalised = None
    if rules.initials:
        caps = re.escape(rules.initials)
        initial = re.compile("[" + caps + r"]\.")
        inverted = re.compile("[" + caps + r"]\.(?:[" + caps + r"]\.)*[,;:)]?")
        capitalised = re.compile("[" + caps + r"][^\W\d_]+(?:-[" + caps + r"][^\W\d_]+)?")
    starts_with_number = re.compile(r"[\d]|[IVXLCDM" + lookalikes + r"]+(?![^\W\d_])")
    day = None
    if rules.months:
        suffixes = "|".join(re.escape(suffix) for suffix in rules.day_suffixes)
        day = re.compile(r"(?:[1-9]|[12]\d|3[01])" + (f"(?:{suffixes})?" if suffixes else ""))
    elision = None
    if rules.elisions:
        elision = re.compile("'(?:" + "|".join(_elision_pattern(e) for e in rules.elisions) + ")", re.I)
    return _Patterns(
        dash,
        dialogue,
        number_range,
        roman_range,
        suffix_hyphen,
        missing,
        sign_space,
        space_before,
        quote_inner,
        initial,
        inverted,
        capitalised,
        starts_with_number,
        day,
        elision,
    )


def _elision_pattern(elided: str) -> str:
    """What an apostrophe elides (``n'``, ``em``; ``#`` is any digit) as a pattern: a whole word unless it ends
    in punctuation."""
    pattern = "".join(r"\d" if char == "#" else re.escape(char) for char in elided)
    return pattern + r"\b" if elided[-1] == "#" or elided[-1].isalnum() else pattern


# --- words ---------------------------------------------------------------------------------------------------


def _last_piece(word: str) -> str:
    if NBSP in word or NNBSP in word:
        return word.rpartition(NBSP)[2].rpartition(NNBSP)[2]
    return word


def _first_piece(word: str) -> str:
    if NBSP in word or NNBSP in word:
        return word.partition(NBSP)[0].partition(NNBSP)[0]
    return word


_DIGIT_GROUP = re.compile(r"\d{3}(?!\d)")


def bind_space(lang: str | LanguageRules | None, left: str, right: str) -> bool:
    """True when the space between the words ``left`` and ``right`` (as typed, punctuation attached) must not
    break, by ``lang``'s rules: after a short preposition or a one-letter word, before a postpositive particle,
    between a day and a month («26 May»), after «p.» before a number, between a number and its unit, in
    initials («K. V. Aramayo», «Aramayo K. V.»), after a Roman numeral («IV International»), in a two-part
    abbreviation («z. B.»), between groups of digits («2 329»)."""
    rules = lang if isinstance(lang, LanguageRules) else rules_for(lang)
    if rules is None or not left or not right:
        return False
    core = _last_piece(left).lstrip(_LEADING)
    right = _first_piece(right)
    if not core or not right:
        return False
    # cheap tests first: this runs for every space of the book
    if len(core) == 1:
        if core in rules.bind_after_any_letter:
            return True
    elif len(core) <= 4 and core.lower() in rules.bind_after:
        return True
    right_core = right.rstrip(_TRAILING)
    if (
        len(right_core) <= 2
        and right_core.lower() in rules.bind_before
        and right[0] not in _LEADING
        and core[-1].isalnum()
    ):
        return True
    first = core[0]
    last = core[-1]
    if last == "." or core in rules.before_number:
        right_unit = right.rstrip(_TRAILING_KEEP_DOT)
        if core in rules.before_number and _patterns(rules).starts_with_number.match(right.lstrip("([")):
            return True
        if (core, right_unit) in rules.abbreviation_pairs:
            return True
        if rules.initials and len(core) == 2 and right[0].isupper() and _patterns(rules).initial.fullmatch(core):
            return True
    if first.isdigit():
        if rules.after_number and right.rstrip(_TRAILING_KEEP_DOT) in rules.after_number and _NUMBER.fullmatch(core):
            return True
        if (
            rules.months
            and right_core.lower() in rules.months
            and _patterns(rules).day.fullmatch(_RANGE_DASH.split(core)[-1])
        ):
            return True
        return bool(rules.digit_groups and core.isdigit() and len(core) <= 3 and _DIGIT_GROUP.match(right))
    if (
        rules.roman_numerals
        and first in rules.roman_letters
        and all(_is_roman(part, rules) for part in _RANGE_DASH.split(core))
    ) and (right[0].isalpha() or right.rstrip(_TRAILING_KEEP_DOT) in rules.after_number):
        return True
    if rules.initials and first.isupper() and len(right) >= 2 and right[1] == "." and core[1:].islower():
        patterns = _patterns(rules)
        if patterns.capitalised.fullmatch(core) and patterns.inverted_initial.fullmatch(right):
            return True
    return False


_RANGE_DASH = re.compile("[-–]")  # a range («XIX–XX») binds like its last part


def _is_roman(word: str, rules: LanguageRules) -> bool:
    latin = word.translate(rules.roman_latin)
    return bool(latin) and bool(_ROMAN_STRICT.fullmatch(latin))


def looks_like_url(token: str) -> bool:
    """A word that is a URL, an e-mail address or a citation key: no typography applies inside it."""
    return bool(_URL_LIKE.search(token))


_URL_LIKE = re.compile(r"^[(\[<]?(?:[a-z][a-z0-9+.-]*://|www\.|mailto:|doi:|urn:)|@|\w\.\w+/", re.I)


# --- quotes -------------------------------------------------------------------------------------------------


def _pair(rules: LanguageRules, depth: int) -> tuple[str, str]:
    levels = rules.quotes
    return levels[depth % len(levels)] if rules.cycle else levels[min(depth, len(levels) - 1)]


def _quote_kind(
    char: str, previous: str, following: str, text: str, i: int, rules: LanguageRules, stack: list[str]
) -> tuple[str | None, str]:
    """What the quote-like ``char`` at ``text[i]`` does: "open", "close", "open-single", "open-typed" or None (an
    apostrophe, or a mark left alone), with the character it is so far."""
    kind = None  # "open", "close", "open-single"
    if char == QUOTED_OPEN:
        kind = "open"
    elif char in (QUOTED_CLOSE, QUOTED_CLOSE_SINGLE):
        kind = "close"
    elif char == QUOTED_OPEN_SINGLE:
        kind = "open-single"
    elif char in ("'", APOSTROPHE):
        if previous.isalnum() and following.isalnum():
            char = APOSTROPHE  # rock’n’roll, O’Brien, 1’s
        elif (
            rules.single
            and stack
            and stack[-1] in (rules.single[1], _single_pair(rules, stack[:-1])[1])
            and not following.isalnum()
            and previous != ""
            and previous not in _OPENING_CONTEXT
        ):
            kind = "close"
        elif (
            char == "'"
            and (previous == "" or previous in _OPENING_CONTEXT)
            and following.isalnum()
            and not _elision(text, i, rules)
        ):
            kind = "open-single"
        else:
            char = APOSTROPHE
    elif stack and char == stack[-1]:
        kind = "close"  # an inner closing mark that is also an opening one elsewhere (“ in Russian)
    elif char in rules.opening:
        kind = "open-typed"
    elif char in rules.closing:
        kind = "close"
    elif char in rules.ambiguous:
        kind = "open" if previous == "" or previous in _OPENING_CONTEXT else "close"
    return kind, char


def _place_quote(kind: str | None, char: str, rules: LanguageRules, stack: list[str]) -> str:
    """The glyph a quote mark of ``kind`` becomes at the depth ``stack`` gives, keeping ``stack`` up to date."""
    if kind == "open":
        opening, closing = _pair(rules, len(stack))
        stack.append(closing)
        char = opening
    elif kind == "open-single":
        opening, closing = _single_pair(rules, stack)
        stack.append(closing)
        char = opening
    elif kind == "open-typed":
        # a mark the language uses keeps its own pair (the author's „…“ or ‘…’ stays as typed), unless an
        # enclosing quotation already uses that pair («…» typed inside «…» becomes the inner pair); another
        # mark takes the pair of its depth
        closing = _own_pairs(rules).get(char)
        if closing is None or closing in stack:
            char, closing = _pair(rules, len(stack))
        stack.append(closing)
    elif kind == "close":
        if stack:
            char = stack.pop()
        elif char in (QUOTED_CLOSE, QUOTED_CLOSE_SINGLE):
            char = rules.quotes[0][1]
        # else an unmatched closing mark stays as typed: made into a glyph that also opens (German “),
        # it would open on the next run and the result would not be a fixed point
    return char


def typeset_quotes(text: str, rules: LanguageRules, state: TextState) -> str:
    """Every quote mark by its nesting depth; a typed apostrophe becomes ’ (never a prime)."""
    out = []
    stack = state.stack
    previous = state.previous
    n = len(text)
    done = 0  # text[:done] is in ``out``
    for match in _QUOTE_CHARS.finditer(text):
        i = match.start()
        if i > done:
            out.append(text[done:i])
            previous = text[i - 1]
        char = text[i]
        following = text[i + 1] if i + 1 < n else ""
        kind, char = _quote_kind(char, previous, following, text, i, rules, stack)
        char = _place_quote(kind, char, rules, stack)
        out.append(char)
        previous = char
        done = i + 1
    out.append(text[done:])
    state.previous = text[-1] if done < n else previous
    return "".join(out)


def _single_pair(rules: LanguageRules, stack: list[str]) -> tuple[str, str]:
    """The pair a single quote mark opens inside the quotations ``stack``: the language's single pair unless an
    enclosing quotation already uses it (then, like a typed mark, the pair of its depth)."""
    if rules.single and rules.single[1] not in stack:
        return rules.single
    return _pair(rules, len(stack))


@functools.cache
def _own_pairs(rules: LanguageRules) -> dict[str, str]:
    pairs = dict(rules.quotes)
    if rules.single:
        pairs.setdefault(*rules.single)
    return pairs


def _elision(text: str, index: int, rules: LanguageRules) -> bool:
    """An apostrophe at the start of a word that elides a part of it (the language's ``elisions``: «’n’»,
    «’90s»), not an opening quote."""
    elision = _patterns(rules).elision
    return elision is not None and bool(elision.match(text, index))


# --- one run of text ----------------------------------------------------------------------------------------


def typeset(
    text: str, lang: str | LanguageRules | None, state: TextState | None = None, *, before: str = "", after: str = ""
) -> str:
    """The rules of ``lang`` applied to one run of text; a space or newline is a place the line may break.

    ``state`` carries open quotations and the previous character across runs of one paragraph (a fresh one
    when None). ``before`` and ``after`` are the words around the run (in a neighbouring element), so a
    space at either end of the run can be bound too. A language without rules returns ``text`` unchanged.
    """
    rules = lang if isinstance(lang, LanguageRules) else rules_for(lang)
    state = state if state is not None else TextState()
    if rules is None or not text:
        if text:
            state.previous = text[-1]
            state.at_block_start = state.at_block_start and not text.strip()
        return text
    patterns = _patterns(rules)
    lead = state.previous
    at_block_start = state.at_block_start
    if _QUOTE_CHARS.search(text):
        text = typeset_quotes(text, rules, state)
    else:
        state.previous = text[-1]
    if patterns.suffix_hyphen:
        text = patterns.suffix_hyphen.sub(NB_HYPHEN, text)
    if patterns.number_range:
        text = patterns.number_range.sub(r"\1" + EN_DASH + r"\2", text)
        text = patterns.roman_range.sub(r"\1" + EN_DASH + r"\2", text)
    if patterns.dialogue and at_block_start:
        text = patterns.dialogue.sub(rules.dash + NBSP, text)  # the dash never ends a line
    if patterns.dash:
        text = patterns.dash.sub((NBSP if rules.nbsp_before_dash else " ") + rules.dash, text)
    if patterns.sign_space:
        text = patterns.sign_space.sub(r"\1" + NBSP, text)
    if patterns.missing_initial_space:
        text = patterns.missing_initial_space.sub(r"\1" + NBSP, text)
    if patterns.space_before:
        prefixed = (lead or " ") + text
        spaces = dict(rules.space_before)
        text = patterns.space_before.sub(lambda m: spaces[m.group(1)] + m.group(1), prefixed)[1:]
    if patterns.quote_inner:
        opening, closing = patterns.quote_inner
        text = opening.sub(rules.quotes[0][0] + rules.inner_quote_space, text)
        text = closing.sub(rules.inner_quote_space + rules.quotes[0][1], text)
    text = _bind_spaces(text, rules, before, after)
    if text.strip():
        state.at_block_start = False
    state.previous = text[-1]
    last = re.split(r"[ \n]", text)[-1]
    state.last_word = last if last else ""
    return text


_BREAKS = re.compile(r"([ \n]+)")


def _bind_spaces(text: str, rules: LanguageRules, before: str, after: str) -> str:
    parts = _BREAKS.split(text)
    if len(parts) == 1:
        return text
    changed = False
    last = len(parts) - 1
    for i in range(1, last, 2):
        left = parts[i - 1] or (before if i == 1 else "")
        right = parts[i + 1] or (after if i + 1 == last else "")
        if bind_space(rules, left, right):
            parts[i] = NBSP
            changed = True
    return "".join(parts) if changed else text


# --- pandoc-JSON inlines ------------------------------------------------------------------------------------

_CONTAINERS = {"Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Superscript", "Subscript"}
_OPAQUE = {"Code", "Math", "RawInline"}


def _plain(inlines: Iterable[dict]) -> str:
    """The text of inlines as a reader sees it (spaces as " ")."""
    out = []
    for node in inlines:
        t = node.get("t")
        if t == "Str":
            out.append(node["c"])
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t in _CONTAINERS:
            out.append(_plain(node["c"]))
        elif t in ("Span", "Link", "Image"):
            out.append(_plain(node["c"][1]))
        elif t == "Quoted":
            out.append('"' + _plain(node["c"][1]) + '"')
        elif t == "Cite":
            out.append(_plain(node["c"][1]))
        elif t in ("Code", "Math"):
            out.append(node["c"][1])
    return "".join(out)


def _first_word(node: dict | None) -> str:
    if node is None or node.get("t") in ("Note", "RawInline", "LineBreak"):
        return ""
    text = _plain([node])
    return "" if text[:1].isspace() else text.split(" ", 1)[0]


def _following(inlines: list[dict], index: int) -> dict | None:
    """The node from ``index`` on that the text before it meets: an empty mark (a page break, an anchor) has no
    word of its own, so «a []{.page}word» binds «a» to «word»."""
    for node in inlines[index:]:
        if node.get("t") == "Span" and not _plain(node["c"][1]):
            continue
        return node
    return None


def _lang_of(node: dict) -> str | None:
    for key, value in node["c"][0][2]:
        if key == "lang":
            return value
    return None


def _to_inlines(text: str) -> list[dict]:
    out = []
    for piece in _BREAKS.split(text):
        if not piece:
            continue
        if piece[0] == " " or piece[0] == "\n":
            out.append({"t": "SoftBreak"} if "\n" in piece else {"t": "Space"})
        else:
            out.append({"t": "Str", "c": piece})
    return out


def _flatten_quoted(inlines: list[dict]) -> list[dict]:
    flat = []
    for node in inlines:
        if node.get("t") == "Quoted":
            single = node["c"][0]["t"] == "SingleQuote"
            flat.append({"t": "Str", "c": QUOTED_OPEN_SINGLE if single else QUOTED_OPEN})
            flat.extend(_flatten_quoted(node["c"][1]))
            flat.append({"t": "Str", "c": QUOTED_CLOSE_SINGLE if single else QUOTED_CLOSE})
        else:
            flat.append(node)
    return flat


def typeset_inlines(inlines: list[dict], lang: str | None, state: TextState | None = None) -> list[dict]:
    """A new list of pandoc-JSON inlines with ``lang``'s rules applied, in reading order.

    Str/Space/SoftBreak runs are typeset as text; Quoted elements become explicit quote characters (in a
    language without rules they stay Quoted); a Span with a ``lang`` attribute is typeset by its own language's
    rules (none for a language without a table); emphasis, links and spans without ``lang`` are typeset as part
    of the surrounding text; code, math and raw output are left alone; a note's call is skipped (its blocks are
    typeset as blocks of their own).
    """
    state = state if state is not None else TextState()
    rules = rules_for(lang)
    # without rules nothing would turn the stand-in characters back into quotation marks: Quoted stays
    flat = _flatten_quoted(list(inlines)) if rules is not None else list(inlines)
    out: list[dict] = []
    run: list[str] = []

    def flush(following: dict | None) -> None:
        if run:
            text = "".join(run)
            run.clear()
            out.extend(_to_inlines(typeset(text, rules, state, before=state.last_word, after=_first_word(following))))

    for index, node in enumerate(flat):
        t = node.get("t")
        if t == "Str" and not looks_like_url(node["c"]):
            run.append(node["c"])
            continue
        if t == "Space":
            run.append(" ")
            continue
        if t == "SoftBreak":
            run.append("\n")
            continue
        flush(_following(flat, index))
        node = dict(node)
        if t == "Str":  # a URL or citation key
            state.previous, state.last_word, state.at_block_start = node["c"][-1:] or state.previous, "", False
        elif t in _CONTAINERS:
            node["c"] = typeset_inlines(node["c"], lang, state)
        elif t == "Span":
            own = _lang_of(node)
            if own is not None and rules_for(own) is not rules:
                inner = TextState(previous=state.previous, at_block_start=state.at_block_start)
                node["c"] = [node["c"][0], typeset_inlines(node["c"][1], own, inner)]
                state.previous, state.last_word = inner.previous, ""
                state.at_block_start = inner.at_block_start
            else:
                node["c"] = [node["c"][0], typeset_inlines(node["c"][1], own or lang, state)]
        elif t in ("Link", "Image"):
            node["c"] = [node["c"][0], typeset_inlines(node["c"][1], lang, state), node["c"][2]]
        elif t == "Quoted":  # only in a language without rules
            node["c"] = [node["c"][0], typeset_inlines(node["c"][1], lang, state)]
        elif t == "Cite":
            saved = TextState(list(state.stack), state.previous, state.last_word, state.at_block_start)
            citations = []
            for citation in node["c"][0]:
                citation = dict(citation)
                for key in ("citationPrefix", "citationSuffix"):
                    copy = TextState(list(saved.stack), saved.previous, "", saved.at_block_start)
                    citation[key] = typeset_inlines(citation.get(key, []), lang, copy)
                citations.append(citation)
            node["c"] = [citations, typeset_inlines(node["c"][1], lang, state)]
        elif t == "Note":
            pass
        elif t == "LineBreak":
            state.previous, state.last_word = "\n", ""
        elif t in _OPAQUE or t is not None:
            text = _plain([node])
            if text:
                state.previous, state.at_block_start = text[-1], False
                state.last_word = text.rsplit(" ", 1)[-1]
        out.append(node)
    flush(None)
    return out

"""Allowlist sanitiser for the HTML page and the EPUB's XHTML content documents that pandoc writes: no event handler,
no script, no script or network URL, no style unless allowed. It tokenises the markup as a browser (HTML mode) or an
XML parser (XHTML mode) does and copies every token it keeps byte for byte, rebuilding only the tags it changes."""

from __future__ import annotations

import bisect
import hmac
import re
import secrets
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import unquote

# A trusted <script> or <style> of our own template carries this attribute with the build's random nonce; the
# sanitiser keeps that element and strips the attribute, so the output bytes do not depend on the nonce.
TRUSTED_ATTRIBUTE = "data-editio-nonce"

_WS = "\t\n\f\r "
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

# --- the policy ---------------------------------------------------------------------------------------------------

_HTML_ELEMENTS = frozenset(
    """
html head body title meta link style base header footer main nav section article aside h1 h2 h3 h4 h5 h6 hgroup
address p hr pre blockquote ol ul li dl dt dd figure figcaption div a em strong small s cite q dfn abbr ruby rt rp
data time code var samp kbd sub sup i b u mark bdi bdo span br wbr ins del picture source img video audio track map
area table caption colgroup col tbody thead tfoot tr td th details summary dialog label input button select option
optgroup textarea fieldset legend output progress meter search
""".split()
)

_SVG_ELEMENTS = frozenset(
    """
svg g defs desc title symbol use image switch path rect circle ellipse line polyline polygon text tspan textpath a
lineargradient radialgradient stop pattern clippath mask marker filter feblend fecolormatrix fecomponenttransfer
fecomposite feflood fegaussianblur femerge femergenode feoffset fefunca fefuncr fefuncg fefuncb femorphology
fedropshadow feturbulence fedisplacementmap fetile style
""".split()
)

_MATH_ELEMENTS = frozenset(
    """
math mi mn mo ms mtext mspace mrow mfrac msqrt mroot mstyle merror mpadded mphantom mfenced menclose msub msup
msubsup munder mover munderover mmultiscripts mprescripts none mtable mtr mtd mlabeledtr semantics annotation
""".split()
)

ALLOWED_ELEMENTS = (_HTML_ELEMENTS | _SVG_ELEMENTS | _MATH_ELEMENTS) - {"base"}

# Removed with everything inside them: they run code, embed another document, or hide markup from this tokeniser.
_DROP_SUBTREE = frozenset(
    """
script noscript iframe noembed noframes xmp plaintext template object applet embed frameset frame param
annotation-xml foreignobject portal fencedframe
""".split()
)

# Elements whose content an HTML parser reads as raw text or RCDATA: their end is the next matching end tag.
_RAW_TEXT_HTML = frozenset("script style xmp iframe noembed noframes noscript title textarea plaintext".split())

_VOID_HTML = frozenset("area base br col embed hr img input link meta param source track wbr frame keygen".split())

_INTERACTIVE = frozenset("a area button input select textarea summary details audio video".split())

_GLOBAL_ATTRIBUTES = frozenset("id class lang xml:lang xml:space dir title role hidden translate epub:type".split())

_ELEMENT_ATTRIBUTES: dict[str, frozenset[str]] = {
    name: frozenset(attrs.split())
    for name, attrs in {
        "html": "xmlns version epub:prefix prefix",
        "meta": "charset name content",
        "link": "rel href type media hreflang sizes as crossorigin",
        "style": "type media",
        "a": "href hreflang rel type name xlink:href xlink:title",
        "area": "href hreflang rel alt shape coords",
        "img": "src alt width height srcset sizes loading decoding",
        "source": "src srcset sizes type media",
        "track": "src kind srclang label default",
        "video": "src poster width height controls muted loop playsinline preload",
        "audio": "src controls loop muted preload",
        "ol": "start reversed type",
        "ul": "type",
        "li": "value",
        "td": "colspan rowspan headers abbr",
        "th": "colspan rowspan headers scope abbr",
        "col": "span width",
        "colgroup": "span width",
        "time": "datetime",
        "del": "cite datetime",
        "ins": "cite datetime",
        "blockquote": "cite",
        "q": "cite",
        "data": "value",
        "details": "open",
        "dialog": "open",
        "map": "name",
        "input": "type checked disabled name value readonly",
        "button": "type disabled name value",
        "label": "for",
        "output": "for name",
        "fieldset": "disabled name",
        "select": "name disabled multiple size",
        "option": "value selected disabled label",
        "optgroup": "label disabled",
        "textarea": "rows cols name readonly disabled placeholder",
        "progress": "value max",
        "meter": "value min max low high optimum",
        "math": "display alttext xmlns",
    }.items()
}

_SVG_ATTRIBUTES = frozenset(
    """
xmlns xmlns:xlink version baseprofile x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height d points transform viewbox
preserveaspectratio fill fill-opacity fill-rule stroke stroke-width stroke-opacity stroke-dasharray stroke-dashoffset
stroke-linecap stroke-linejoin stroke-miterlimit opacity font-family font-size font-style font-weight font-variant
font-stretch text-anchor dominant-baseline alignment-baseline baseline-shift letter-spacing word-spacing
text-decoration dx dy rotate textlength lengthadjust paint-order visibility display color clip-rule clip-path mask
filter marker-start marker-mid marker-end markerwidth markerheight markerunits refx refy orient gradientunits
gradienttransform spreadmethod offset stop-color stop-opacity patternunits patterncontentunits patterntransform
clippathunits maskunits maskcontentunits filterunits primitiveunits overflow vector-effect shape-rendering
text-rendering image-rendering direction writing-mode unicode-bidi pathlength in in2 result stddeviation mode operator
k1 k2 k3 k4 type values flood-color flood-opacity lighting-color radius tablevalues slope intercept amplitude exponent
basefrequency numoctaves seed stitchtiles scale xchannelselector ychannelselector href xlink:href xlink:title
aria-labelledby aria-describedby startoffset method spacing side
""".split()
)

_MATH_ATTRIBUTES = frozenset(
    """
mathvariant displaystyle scriptlevel mathsize mathcolor mathbackground fence separator stretchy symmetric largeop
movablelimits accent accentunder form lspace rspace minsize maxsize linethickness columnalign rowalign columnspan
rowspan columnlines rowlines frame framespacing equalrows equalcolumns align notation encoding width height depth
voffset open close separators columnspacing rowspacing display
""".split()
)

_NAMESPACES = frozenset(
    {
        "http://www.w3.org/1999/xhtml",
        "http://www.idpf.org/2007/ops",
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
        "http://www.w3.org/1998/Math/MathML",
    }
)

# URL-bearing attributes: a link a reader follows, a resource the reader's software loads, or never allowed.
_NAVIGATION = {
    ("a", "href"),
    ("a", "xlink:href"),
    ("area", "href"),
    ("blockquote", "cite"),
    ("q", "cite"),
    ("del", "cite"),
    ("ins", "cite"),
}
_RESOURCE_ATTRIBUTES = frozenset("href src xlink:href poster srcset".split())
_NEVER_ATTRIBUTES = frozenset(
    """
action formaction data background longdesc lowsrc dynsrc ping codebase classid archive manifest icon profile usemap
xml:base srcdoc cite
""".split()
)

# SVG presentation attributes whose url() a renderer resolves (only url(#id) may stay)
_SVG_URL_PROPERTIES = frozenset("fill stroke clip-path mask filter marker-start marker-mid marker-end cursor".split())

NAVIGATION_SCHEMES = frozenset({"http", "https", "mailto"})
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*\Z", re.IGNORECASE)

# What pandoc itself writes into style attributes (table alignment, column widths): kept without allow_style.
_SAFE_DECLARATION = re.compile(
    r"(text-align:\s*(left|right|center|justify|start|end)|vertical-align:\s*(top|middle|bottom|baseline)"
    r"|width:\s*\d+(\.\d+)?(%|em|ex|rem|ch|px)?)\Z",
    re.IGNORECASE,
)
_CSS_FORBIDDEN = re.compile(
    r"\\|/\*|\*/|@import|expression\s*\(|javascript:|(?<![-\w])behavior\s*:|-moz-binding"
    r"|image-set|<|src\s*\(",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_SVG_PAINT_URL = re.compile(r"url\(\s*['\"]?#", re.IGNORECASE)

_DOCTYPE_OK = re.compile(r'<!DOCTYPE\s+html(\s+PUBLIC\s+"[^"<>\[]*"(\s+"[^"<>\[]*")?)?\s*>\Z', re.IGNORECASE)
_COMMENT_BODY_OK = re.compile(r"(?![->])(?:[^-<>]|-(?!-))*(?<!-)\Z")


@dataclass(frozen=True)
class Violation:
    """One change the sanitiser made, at the line and column (1-based) of the input where it happened."""

    code: str
    message: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.code}: {self.message}"


def new_nonce() -> str:
    """A fresh nonce for one build, for the lead's template to put on its trusted <style>/<script> elements."""
    return secrets.token_hex(16)


def sanitize_html(text: str, *, allow_style: bool = False, trusted_nonce: str | None = None) -> str:
    """The HTML5 page with everything outside the allowlist removed; unchanged input comes back identical."""
    return sanitize(text, xml=False, allow_style=allow_style, trusted_nonce=trusted_nonce)[0]


def sanitize_xhtml(text: str, *, allow_style: bool = False, trusted_nonce: str | None = None) -> str:
    """An EPUB XHTML content document (or an SVG file) sanitised as an XML parser reads it."""
    return sanitize(text, xml=True, allow_style=allow_style, trusted_nonce=trusted_nonce)[0]


def violations(
    text: str, *, xml: bool = False, allow_style: bool = False, trusted_nonce: str | None = None
) -> list[Violation]:
    """What :func:`sanitize` would change; empty exactly when the sanitised text equals the input."""
    return sanitize(text, xml=xml, allow_style=allow_style, trusted_nonce=trusted_nonce)[1]


# --- the tokeniser ------------------------------------------------------------------------------------------------


@dataclass
class _Attr:
    name: str  # as written
    lname: str  # ASCII-lowercased, for the policy
    value: str | None  # raw, character references not decoded; None for a bare attribute
    quote: str  # '"', "'", or "" (unquoted or bare)
    start: int
    end: int


@dataclass
class _Token:
    kind: str  # text, start, end, rawtext, comment, doctype, pi, cdata, bogus, broken
    start: int
    end: int
    name: str = ""
    lname: str = ""
    attrs: list[_Attr] = field(default_factory=list)
    self_closing: bool = False
    tail: int = 0  # where the text after the last attribute (whitespace, "/", ">") begins


def _lower(name: str) -> str:
    return name.translate(_ASCII_LOWER)


def _scan_tag(s: str, i: int, kind: str, start: int) -> _Token | None:
    """A start or end tag from its name at ``i``, following the WHATWG tokeniser states; None at end of input."""
    n = len(s)
    name_start = i
    while i < n and s[i] not in _WS and s[i] not in "/>":
        i += 1
    token = _Token(kind, start, 0, s[name_start:i], _lower(s[name_start:i]))
    token.tail = i
    while True:
        while i < n and s[i] in _WS:
            i += 1
        if i >= n:
            return None
        if s[i] == ">":
            token.end = i + 1
            return token
        if s[i] == "/":
            if i + 1 >= n:
                return None
            if s[i + 1] == ">":
                token.self_closing, token.end = True, i + 2
                return token
            i += 1
            continue
        a_start = i
        i += 1  # the first character belongs to the name even when it is "="
        while i < n and s[i] not in _WS and s[i] not in "/>=":
            i += 1
        name = s[a_start:i]
        j = i
        while j < n and s[j] in _WS:
            j += 1
        value, quote, end = None, "", i
        if j < n and s[j] == "=":
            j += 1
            while j < n and s[j] in _WS:
                j += 1
            if j >= n:
                return None
            if s[j] in "\"'":
                k = s.find(s[j], j + 1)
                if k < 0:
                    return None
                value, quote, end = s[j + 1 : k], s[j], k + 1
            elif s[j] == ">":
                value, end = "", j
            else:
                k = j
                while k < n and s[k] not in _WS and s[k] != ">":
                    k += 1
                value, end = s[j:k], k
            i = end
        token.attrs.append(_Attr(name, _lower(name), value, quote, a_start, end))
        token.tail = end


def _tokenize(s: str, xml: bool) -> list[_Token]:
    tokens: list[_Token] = []
    n = len(s)
    i = 0
    text_start = 0

    def flush(upto: int) -> None:
        if upto > text_start:
            tokens.append(_Token("text", text_start, upto))

    while True:
        j = s.find("<", i)
        if j < 0:
            break
        c = s[j + 1] if j + 1 < n else ""
        c2 = s[j + 2] if j + 2 < n else ""
        token: _Token | None
        if (c.isalpha() or c in "_:") if xml else (c.isascii() and c.isalpha()):
            flush(j)
            token = _scan_tag(s, j + 1, "start", j)
            if token is None:
                tokens.append(_Token("broken", j, n))
                i = text_start = n
                break
            tokens.append(token)
            i = text_start = token.end
            if not xml and token.lname in _RAW_TEXT_HTML:
                close = (
                    None
                    if token.lname == "plaintext"
                    else re.compile("</" + re.escape(token.lname) + "[\t\n\f\r />]", re.IGNORECASE).search(s, i)
                )
                stop = close.start() if close else n
                tokens.append(_Token("rawtext", i, stop, token.name, token.lname))
                i = text_start = stop
            continue
        if c == "/" and ((c2.isalpha() or c2 in "_:") if xml else (c2.isascii() and c2.isalpha())):
            flush(j)
            token = _scan_tag(s, j + 2, "end", j)
            if token is None:
                tokens.append(_Token("broken", j, n))
                i = text_start = n
                break
            tokens.append(token)
            i = text_start = token.end
            continue
        if c == "!" and s.startswith("--", j + 2):
            flush(j)
            p = j + 4
            if xml:
                k = s.find("-->", p)
                end = n if k < 0 else k + 3
            elif s.startswith(">", p):
                end = p + 1
            elif s.startswith("->", p):
                end = p + 2
            else:
                m = re.compile(r"--!?>").search(s, p)
                end = m.end() if m else n
            tokens.append(_Token("comment", j, end))
            i = text_start = end
            continue
        if c == "!" and s[j + 2 : j + 9].upper() == "DOCTYPE" and (not xml or s.startswith("DOCTYPE", j + 2)):
            flush(j)
            k = s.find(">", j)
            bracket = s.find("[", j, k if k >= 0 else n)
            if xml and bracket >= 0:
                close = s.find("]", bracket)
                k = s.find(">", close) if close >= 0 else -1
            end = n if k < 0 else k + 1
            tokens.append(_Token("doctype", j, end))
            i = text_start = end
            continue
        if xml and c == "!" and s.startswith("[CDATA[", j + 2):
            flush(j)
            k = s.find("]]>", j)
            end = n if k < 0 else k + 3
            tokens.append(_Token("cdata", j, end))
            i = text_start = end
            continue
        if xml and c == "?":
            flush(j)
            k = s.find("?>", j)
            end = n if k < 0 else k + 2
            tokens.append(_Token("pi", j, end, s[j + 2 : end].split(None, 1)[0] if end > j + 2 else ""))
            i = text_start = end
            continue
        if c in "!?" or (c == "/" and c2 != ""):
            # a bogus comment to the next ">" ("</>" is one too: a browser drops it)
            flush(j)
            k = s.find(">", j + 2)
            end = n if k < 0 else k + 1
            tokens.append(_Token("bogus", j, end))
            i = text_start = end
            continue
        i = j + 1  # a "<" that starts nothing: text
    flush(n)
    return tokens


# --- URL and style checks -----------------------------------------------------------------------------------------


def _clean_url(raw: str) -> str:
    """The URL a browser sees: references decoded, C0 controls and spaces trimmed, tabs and newlines removed."""
    return re.sub(r"[\t\n\r]", "", unescape(raw).strip("".join(map(chr, range(0x21)))))


def _scheme(url: str) -> str | None:
    """The scheme, lowercased, when a ":" comes before any "/", "?", "#"; stricter than a browser on purpose."""
    m = re.match(r"([^:/?#]*):", url)
    return _lower(m.group(1)) if m else None


def url_allowed(raw: str, *, navigation: bool, image: bool = False, confined: bool = False) -> bool:
    """Whether a (raw, possibly entity-encoded) URL may stay: a link (``navigation``) may use http, https, mailto;
    a resource the reader loads must be relative inside the book or site (or a data: raster image in ``image``);
    ``confined``: without a ``..`` segment either (markup pandoc reads before it writes the EPUB: it would embed
    the file the path names, from anywhere)."""
    url = _clean_url(raw)
    if confined and not navigation and ".." in re.split(r"[/\\?#]", unquote(url)):
        return False
    scheme = _scheme(url)
    if scheme is not None:
        if navigation:
            return scheme in NAVIGATION_SCHEMES
        return image and bool(_DATA_IMAGE.match(url))
    if navigation or url.startswith("#"):
        return True
    return not url.startswith(("/", "\\"))


def _srcset_allowed(raw: str, confined: bool = False) -> bool:
    """Relative image candidates only: no ":" anywhere (so no scheme however the list is split), none absolute."""
    value = _clean_url(raw)
    candidates = [c.split()[0] for c in value.split(",") if c.strip()]
    return ":" not in value and all(url_allowed(c, navigation=False, confined=confined) for c in candidates)


def css_allowed(css: str, *, allow_style: bool) -> bool:
    """Whether a style attribute's (decoded) text may stay: without ``allow_style`` only the alignment and width
    declarations pandoc writes itself; with it any CSS that loads nothing from outside and hides no escapes."""
    if not allow_style:
        declarations = [d.strip() for d in css.split(";") if d.strip()]
        return all(_SAFE_DECLARATION.match(d) for d in declarations)
    css = re.sub(r"/\*.*?\*/", " ", css, flags=re.DOTALL)  # comments separate tokens; an unclosed one is refused
    if _CSS_FORBIDDEN.search(css):
        return False
    for m in _CSS_URL.finditer(css):
        if not url_allowed(m.group(2), navigation=False):
            return False
    return "url(" not in _CSS_URL.sub("", css).lower()


# --- the sanitiser ------------------------------------------------------------------------------------------------


def _local_names(tokens: list[_Token]) -> None:
    """In an XML document an element may carry a prefix bound to an allowed namespace (ElementTree writes
    MathML as ``<ns1:mi>``): the policy then judges it by its local name (``ns1:script`` is a script)."""
    bound = {
        a.name.split(":", 1)[1]
        for t in tokens
        if t.kind == "start"
        for a in t.attrs
        if a.lname.startswith("xmlns:") and a.value is not None and unescape(a.value) in _NAMESPACES
    }
    for t in tokens:
        if t.kind in ("start", "end") and ":" in t.name and t.name.split(":", 1)[0] in bound:
            t.lname = _lower(t.name.split(":", 1)[1])


class _Run:
    def __init__(self, s: str, xml: bool, allow_style: bool, trusted_nonce: str | None, confined: bool = False):
        self.s, self.xml, self.allow_style, self.nonce, self.confined = s, xml, allow_style, trusted_nonce, confined
        self.out: list[str] = []
        self.found: list[Violation] = []
        self._lines = [m.end() for m in re.finditer("\n", s)]
        self.in_body = False

    def report(self, code: str, message: str, offset: int) -> None:
        line = bisect.bisect_right(self._lines, offset)
        column = offset - (self._lines[line - 1] if line else 0) + 1
        self.found.append(Violation(code, message, line + 1, column))

    def trusted(self, token: _Token) -> bool:
        if self.nonce is None or token.lname not in ("script", "style"):
            return False
        return any(
            a.lname == TRUSTED_ATTRIBUTE and a.value is not None and hmac.compare_digest(unescape(a.value), self.nonce)
            for a in token.attrs
        )

    def attribute_allowed(self, element: str, attr: _Attr) -> str | None:
        """None when the attribute may stay, else the violation code and why, as 'CODE message'."""
        name = attr.lname
        value = unescape(attr.value) if attr.value is not None else ""
        if name.startswith("on"):
            return f"SAN002 event handler attribute {attr.name!r} removed"
        if name == TRUSTED_ATTRIBUTE:
            return f"SAN005 attribute {attr.name!r} without the build's nonce removed"
        if name == "style":
            if css_allowed(value, allow_style=self.allow_style):
                return None
            return "SAN004 style attribute removed" + ("" if self.allow_style else " (allow-style is off)")
        if name in ("tabindex", "autofocus"):
            # tabindex 0 or -1 only lets an element take focus in reading order (a scrolling table box must);
            # autofocus and a positive tabindex, which move focus by themselves, only on interactive elements
            if element in _INTERACTIVE or (name == "tabindex" and value.strip() in ("0", "-1")):
                return None
            return f"SAN005 {name} on non-interactive <{element}> removed"
        if name in _NEVER_ATTRIBUTES and (element, name) not in _NAVIGATION:
            return f"SAN003 URL attribute {attr.name!r} is never allowed"
        if name == "xmlns" or name.startswith("xmlns:"):
            return None if value in _NAMESPACES else f"SAN005 namespace {value!r} is not allowed"
        allowed = (
            name in _GLOBAL_ATTRIBUTES
            or name.startswith(("aria-", "data-"))
            or name in _ELEMENT_ATTRIBUTES.get(element, ())
            or (element in _SVG_ELEMENTS and name in _SVG_ATTRIBUTES)
            or (element in _MATH_ELEMENTS and name in _MATH_ATTRIBUTES)
        )
        if not allowed or not re.fullmatch(r"[a-z_][a-z0-9_.-]*(:[a-z_][a-z0-9_.-]*)?", name):
            return f"SAN005 attribute {attr.name!r} on <{element}> is not allowed"
        if (element, name) in _NAVIGATION:
            ok = url_allowed(attr.value or "", navigation=True)
        elif name == "srcset":
            ok = _srcset_allowed(attr.value or "", self.confined)
        elif name in _RESOURCE_ATTRIBUTES:
            ok = url_allowed(
                attr.value or "", navigation=False, image=(element == "img" and name == "src"), confined=self.confined
            )
        elif name in _SVG_URL_PROPERTIES and "url(" in value.lower():  # elsewhere url( is text, as in a label
            ok = bool(_SVG_PAINT_URL.match(value.strip()))
        else:
            return None
        return None if ok else f"SAN003 URL {value[:60]!r} in {attr.name!r} refused"

    def emit_start(self, token: _Token, drop_nonce: bool = False) -> None:
        kept: list[_Attr] = []
        seen: set[str] = set()
        for attr in token.attrs:
            if drop_nonce and attr.lname == TRUSTED_ATTRIBUTE:
                continue
            problem = None if drop_nonce else self.attribute_allowed(token.lname, attr)
            if problem is None and attr.lname in seen:
                problem = f"SAN005 duplicate attribute {attr.name!r} removed"
            if problem is not None:
                code, message = problem.split(" ", 1)
                self.report(code, message, attr.start)
                continue
            seen.add(attr.lname)
            kept.append(attr)
        # an unquoted value holding a quote, "=", "<" or "`" is a parse error that other parsers end elsewhere
        ambiguous = any(a.quote == "" and a.value and re.search(r"[\"'=<`]", a.value) for a in kept)
        if len(kept) == len(token.attrs) and not ambiguous:
            self.out.append(self.s[token.start : token.end])
            return
        if ambiguous:
            self.report("SAN007", "an unquoted attribute value holding a quote, '=', '<' or '`' is quoted", token.start)
        parts = ["<", token.name]
        for attr in kept:
            if attr.value is None:
                parts += [" ", attr.name]
            elif attr.quote == '"':
                parts += [" ", attr.name, '="', attr.value, '"']
            else:
                parts += [" ", attr.name, '="', attr.value.replace('"', "&quot;").replace("<", "&lt;"), '"']
        # the tail after the last attribute is whitespace, "/" and ">": keeps " />" as written
        parts.append(self.s[token.tail : token.end])
        self.out.append("".join(parts))

    def element_body(self, tokens: list[_Token], k: int) -> tuple[int, str | None]:
        """For the start tag at ``k``: the index after its end tag and its text (None when it holds markup)."""
        start = tokens[k]
        if start.self_closing and (self.xml or start.lname in _VOID_HTML):
            return k + 1, ""
        if not self.xml and start.lname in _VOID_HTML:
            return k + 1, ""
        depth, j, texts, markup = 1, k + 1, [], False
        while j < len(tokens):
            t = tokens[j]
            if t.kind == "start" and t.lname == start.lname and not (self.xml and t.self_closing):
                depth += 1
            elif t.kind == "end" and t.lname == start.lname:
                depth -= 1
                if depth == 0:
                    return j + 1, None if markup else "".join(texts)
            if t.kind in ("text", "rawtext"):
                texts.append(self.s[t.start : t.end])
            elif t.kind == "cdata":
                texts.append(self.s[t.start + 9 : t.end - 3])
            else:
                markup = True
            j += 1
        return j, None if markup else "".join(texts)

    def run(self) -> tuple[str, list[Violation]]:
        s, tokens = self.s, _tokenize(self.s, self.xml)
        if self.xml:
            _local_names(tokens)
        k = 0
        while k < len(tokens):
            t = tokens[k]
            kind = t.kind
            if kind == "text":
                chunk = s[t.start : t.end]
                if "<" in chunk:
                    self.report("SAN007", "a stray '<' is written as '&lt;'", t.start + chunk.index("<"))
                    chunk = chunk.replace("<", "&lt;")
                self.out.append(chunk)
            elif kind == "rawtext":
                # only reached for a kept raw-text element whose content holds no "<" (see below)
                self.out.append(s[t.start : t.end])
            elif kind == "start":
                k = self.start_tag(tokens, k)
                continue
            elif kind == "end":
                if t.lname == "head":
                    self.in_body = True
                if t.lname in ALLOWED_ELEMENTS and t.lname not in _DROP_SUBTREE:
                    self.out.append(s[t.start : t.end] if not t.attrs else f"</{t.name}>")
                    if t.attrs:
                        self.report("SAN005", f"attributes on the end tag </{t.name}> removed", t.start)
                else:
                    self.report("SAN001", f"end tag </{t.name}> of a removed element removed", t.start)
            elif kind == "comment":
                body = s[t.start + 4 : t.end - 3] if s.endswith("-->", 0, t.end) and t.end - t.start >= 7 else None
                if body is not None and _COMMENT_BODY_OK.match(body):
                    self.out.append(s[t.start : t.end])
                else:
                    self.report("SAN006", "a comment that parsers could read differently removed", t.start)
            elif kind == "doctype":
                text = s[t.start : t.end]
                if _DOCTYPE_OK.match(text):
                    self.out.append(text)
                else:
                    self.out.append("<!DOCTYPE html>")
                    self.report("SAN006", "DOCTYPE with an internal subset or unknown identifier replaced", t.start)
            elif kind == "pi" and t.start == 0 and t.name == "xml" or kind == "cdata":
                self.out.append(s[t.start : t.end])
            elif kind == "broken":
                self.report("SAN007", "an unterminated tag at the end removed", t.start)
            else:
                self.report("SAN006", f"markup declaration {s[t.start : t.start + 12]!r} removed", t.start)
            k += 1
        return "".join(self.out), self.found

    def start_tag(self, tokens: list[_Token], k: int) -> int:
        """Emit (or drop) the start tag at ``k`` and return the index of the next token to handle."""
        t = tokens[k]
        name = t.lname
        if name == "body":
            self.in_body = True
        raw = not self.xml and name in _RAW_TEXT_HTML
        if name in ("script", "style") and self.trusted(t):
            self.emit_start(t, drop_nonce=True)
            after, _ = self.element_body(tokens, k)
            if after > k + 1:  # the content and the end tag, as written
                self.out.append(self.s[t.end : tokens[after - 1].end])
            return after
        if name in _DROP_SUBTREE or name == "base" or (name == "style" and not self.style_element_allowed(tokens, k)):
            self.report("SAN001", f"<{t.name}> removed with its content", t.start)
            return self.skip_element(tokens, k)
        if name not in ALLOWED_ELEMENTS:
            self.report("SAN001", f"element <{t.name}> is not allowed; its tags removed, its content kept", t.start)
            return k + 1
        if name == "meta" and any(a.lname == "http-equiv" for a in t.attrs):
            self.report("SAN001", "<meta http-equiv> removed", t.start)
            return k + 1
        if (
            raw
            and k + 1 < len(tokens)
            and tokens[k + 1].kind == "rawtext"
            and "<" in self.s[tokens[k + 1].start : tokens[k + 1].end]
        ):
            # an HTML parser inside <svg> or <math> would read this content as markup, one outside as text
            self.report("SAN001", f"<{t.name}> whose text holds markup removed with its content", t.start)
            return self.skip_element(tokens, k)
        self.emit_start(t)
        return k + 1

    def style_element_allowed(self, tokens: list[_Token], k: int) -> bool:
        """A <style> element stays when empty, or when its CSS loads nothing from outside and it is in <head> (where
        only the template writes) or the edition allows style."""
        _, body = self.element_body(tokens, k)
        if body is None:
            return False
        return not body.strip() or (
            (self.allow_style or not self.in_body)
            and css_allowed(unescape(body) if self.xml else body, allow_style=True)
        )

    def skip_element(self, tokens: list[_Token], k: int) -> int:
        return self.element_body(tokens, k)[0]


def sanitize(
    text: str, *, xml: bool, allow_style: bool = False, trusted_nonce: str | None = None, confined: bool = False
) -> tuple[str, list[Violation]]:
    """The sanitised text and the list of changes made. ``xml`` selects how the consumer parses the text: False for
    the HTML page (an HTML5 parser), True for EPUB content documents and SVG files (an XML parser). ``confined``
    also refuses resource paths with a ``..`` segment (see :func:`url_allowed`)."""
    return _Run(text, xml, allow_style, trusted_nonce, confined).run()


def sanitize_fragment(html: str, *, allow_style: bool = False) -> str:
    """A piece of raw HTML from the manuscript (allow-raw) before pandoc reads it: pandoc's EPUB writer fetches and
    embeds what an ``<img src>`` names, so beyond the page's rules no resource path may climb with ``..``."""
    return sanitize(html, xml=False, allow_style=allow_style, confined=True)[0]

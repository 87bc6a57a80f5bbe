"""PDF: pandoc's typst writer with the edition's template, then typst.compile with bundled fonts only.

Metadata is data: the document info (title, authors, keywords, language) and the interface strings reach
typst as JSON files read by the template, never as text spliced into typst source, so quotes, brackets,
backslashes and typst syntax in edition.yaml print (and land in the PDF's info and XMP) as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import typst

from ..errors import error
from ..load.pandoc import write

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "edition.typst"
INFO_FILE = "editio-info.json"
UI_FILE = "editio-ui.json"
# The interface strings the template prints, by key. The message catalogue (editio.i18n) supplies them;
# "abstract-en"/"keywords-en" label the English abstract, so they are English in every catalogue.
UI_KEYS = ("contents", "abstract", "keywords", "abstract-en", "keywords-en", "cite-as", "build-date")
_LANG_TAG = re.compile(r"(?P<lang>[A-Za-z]{2,3})(?:[-_](?P<region>[A-Za-z]{2}|\d{3}))?(?:[-_].*)?")
DEFAULT_LANG = "en"


def document_info(metadata: Mapping) -> dict:
    """The PDF's document info from edition.yaml's plain values, exactly as written there: title, authors
    (a string, a list of strings or of maps with `name`), keywords (a list or a comma-separated string),
    language and region split from `lang` (default English)."""
    info: dict = {}
    title = metadata.get("title")
    if title is not None:
        info["title"] = _plain_text(title)
    info["author"] = [name for name in (_author_name(a) for a in _as_list(metadata.get("author"))) if name]
    keywords = metadata.get("keywords")
    if isinstance(keywords, str):
        keywords = [k.strip() for k in keywords.split(",")]
    info["keywords"] = [_plain_text(k) for k in _as_list(keywords) if _plain_text(k)]
    info.update(typst_language(str(metadata.get("lang") or DEFAULT_LANG)))
    return info


def typst_language(tag: str) -> dict:
    """typst's `lang` and `region` for a BCP 47 tag such as `ru`, `pt-BR`, `de-AT-1996`."""
    match = _LANG_TAG.fullmatch(tag.strip())
    if not match:  # the load stage has refused such a tag (CFG017): reaching here is a bug
        raise ValueError(f"`lang` {tag!r} is not a language tag typst can use")
    info = {"lang": match["lang"].lower()}
    if match["region"] and match["region"].isalpha():
        info["region"] = match["region"].upper()
    return info


def info_from_ast(meta: Mapping) -> dict:
    """Document info from the pandoc metadata, for a build that passes no `info`: the Markdown reader has
    already read the values (backslash escapes are gone, quotes may be curly), so prefer `document_info`."""
    plain = {key: _meta_plain(meta[key]) for key in ("title", "author", "keywords", "lang") if key in meta}
    return document_info(plain)


def ui_strings(strings: Mapping[str, str]) -> dict[str, str]:
    """The template's interface strings (:data:`UI_KEYS`) from the catalogue's ``strings``."""
    missing = [key for key in UI_KEYS if key not in strings]
    if missing:
        raise ValueError(f"the PDF template needs interface strings {missing}")
    return {key: str(strings[key]) for key in UI_KEYS}


def ast_to_typst(ast: dict) -> str:
    return write(ast, "typst-citations", ["--standalone", f"--template={TEMPLATE}", "--wrap=preserve"], "typst writer")


def write_pdf(
    ast: dict,
    stage: Path,
    name: str,
    epoch: int,
    pdf_standards: list[str] | None = None,
    *,
    strings: Mapping[str, str],
    info: Mapping | None = None,
) -> Path:
    """Write `<name>.typ`, its two JSON companions and `<name>.pdf` into ``stage``; the PDF is byte-identical
    for one ``epoch``. ``info`` is `document_info(edition metadata)`; ``strings`` the catalogue's strings
    for the document's language (at least `UI_KEYS`)."""
    info = dict(info) if info is not None else info_from_ast(ast.get("meta", {}))
    _write_json(stage / INFO_FILE, info)
    _write_json(stage / UI_FILE, ui_strings(strings))
    source = stage / f"{name}.typ"
    source.write_text(ast_to_typst(ast), encoding="utf-8")
    target = stage / f"{name}.pdf"
    try:
        data = typst.compile(
            str(source),
            root=str(stage),
            ignore_system_fonts=True,
            font_paths=[],
            timestamp=epoch,
            pdf_standards=pdf_standards or [],
        )
    except Exception as exc:  # typst's errors carry the generated source position in `diagnostic`
        detail = getattr(exc, "diagnostic", None) or str(exc)
        raise error("PDF001", f"typst could not compile the generated source:\n{detail}", f"{name}.typ") from None
    target.write_bytes(data)
    return target


@lru_cache(maxsize=1)
def compiler_version() -> str:
    """The version of the typst compiler that `typst.compile` runs (its `sys.version`, e.g. "0.15.1"), which
    is what the PDF's Producer names; the PyPI binding's own version (`typst.__version__`) may differ."""
    return json.loads(typst.eval(b"", "str(sys.version)", ignore_system_fonts=True, font_paths=[]))


def _write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8")


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _author_name(author) -> str:
    if isinstance(author, Mapping):
        author = author.get("name", "")
    return _plain_text(author)


def _plain_text(value) -> str:
    return "" if value is None else str(value).strip()


def _meta_plain(value):
    """A pandoc MetaValue as plain Python data: inlines and blocks become their text."""
    kind, content = value.get("t"), value.get("c")
    if kind == "MetaList":
        return [_meta_plain(v) for v in content]
    if kind == "MetaMap":
        return {k: _meta_plain(v) for k, v in content.items()}
    if kind in ("MetaString", "MetaBool"):
        return content
    return _inline_text(content)


def _inline_text(nodes) -> str:
    parts: list[str] = []

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            kind = node.get("t")
            if kind in ("Str", "Code", "Math", "RawInline"):
                parts.append(node["c"] if kind == "Str" else node["c"][-1])
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                parts.append(" ")
            elif kind == "Quoted":
                mark = '"' if node["c"][0]["t"] == "DoubleQuote" else "'"
                parts.append(mark)
                walk(node["c"][1])
                parts.append(mark)
            elif kind == "Note":
                return
            elif kind == "Cite":
                walk(node["c"][1])
            else:
                walk(node.get("c"))

    walk(nodes)
    return re.sub(r"\s+", " ", "".join(parts)).strip()

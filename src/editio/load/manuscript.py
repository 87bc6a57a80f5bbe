"""The load stage: edition.yaml, every manuscript file parsed once (the raw-content check on the same parse),
the metadata, the bibliography parsed once, the filters with their options, all in one pandoc session.

It returns the document (one neutral pandoc AST, before filters) and the Context the filters share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .. import __version__
from ..ast import iter_nodes
from ..bibliography import check_citations, parse_bibliography
from ..config import EditionConfig, key_line, load_config
from ..errors import Diagnostic, EditionError, error
from ..filters.crossref import adopt_list_commands, is_reference_key, with_crossref
from ..reproducible import git_revision, iso_date, source_date_epoch
from ..sources import SourceTexts, read_text
from .context import Context, Project
from .dates import BUILD_DATE_WORDS
from .identifiers import unique_heading_ids
from .markup import warn_removed_markup
from .math import warn_unconvertible_math
from .notes import unnest_notes
from .pandoc import PandocSession
from .raw import RawLocator, settle_raw
from .resources import resolve_images, warn_relative_links

_COMMENT = re.compile(r"\A\s*<!--.*-->\s*\Z", re.S)


@dataclass
class Loaded:
    """The manuscript as one neutral AST, the context its filters share, and the declared filters."""

    config: EditionConfig
    doc: dict
    ctx: Context
    filters: list  # list[editio.filters.base.Filter]
    epoch: int


def load(manuscript_dir: Path, root: Path | None = None, session: PandocSession | None = None) -> Loaded:
    """Read and check everything the build needs; raises EditionError with every problem found."""
    from ..filters import instantiate
    from ..i18n import catalogue

    config = load_config(manuscript_dir, root)
    project = Project(config.root, config.manuscript_dir, config.config_file)
    session = session or PandocSession(cwd=config.root)
    lang = str(config.metadata.get("lang", "en"))
    ctx = Context(
        project=project,
        lang=lang,
        session=session,
        bibliography_files=(config.bibliography,) if config.bibliography else (),
        csl=config.csl,
    )
    shown_config = ctx.project.display(config.config_file)
    overrides = _overrides(config, ctx)
    ctx.messages = catalogue(
        lang,
        overrides,
        file=shown_config,
        line=key_line(config.config_file, "messages"),
        lines=_override_lines(config.config_file, overrides),
    )

    allow_raw = bool(config.metadata.get("allow-raw", False))
    blocks: list = []
    api_version = None
    problems: list[Diagnostic] = []
    html_ids: set[str] = set()
    per_file: list[list] = []
    for path in config.files:
        shown = config.display(path)
        text = read_text(path, display=shown)
        ctx.sources.add(shown, text)
        ast = parse(session, text, shown)
        try:
            adopt_list_commands(ast["blocks"])
            if allow_raw:
                settle_raw(ast["blocks"], text, shown, ctx.log, html_ids, session, config.bibliography is not None)
            else:
                refuse_raw(ast, text, shown)
            resolve_images(
                ast,
                text,
                shown,
                path.parent,
                config.root,
                ctx.media,
                ctx.log,
                tagged_pdf="ua-1" in str(config.metadata.get("pdf-standards", "")),
            )
            warn_relative_links(ast, text, shown, ctx.log)
            warn_unconvertible_math(ast["blocks"], text, shown, session, ctx.log)
            unnest_notes(ast["blocks"], text, shown, ctx.log)
            warn_removed_markup(ast["blocks"], text, shown, ctx.log, config.metadata.get("allow-style") is True)
        except EditionError as exc:
            problems.extend(exc.diagnostics)
        api_version = ast["pandoc-api-version"]
        per_file.append(ast["blocks"])
        blocks.extend(ast["blocks"])
    if problems:
        raise EditionError(problems)
    unique_heading_ids(per_file)
    if not any(text.strip() for text in ctx.sources.texts.values()):
        raise error(
            "SRC003",
            "the manuscript is empty: the files in `files` hold no text; add the text",
            config.display(config.config_file),
            key_line(config.config_file, "files"),
        )

    filters = instantiate(with_crossref(config.filters, blocks), config.metadata, ctx)
    option_keys = {f.key for f in filters if f.key}
    epoch = source_date_epoch(
        config.root, [config.manuscript_dir, *([config.bibliography] if config.bibliography else [])]
    )
    metadata = {k: v for k, v in config.metadata.items() if k not in option_keys}
    metadata.setdefault("build-date", iso_date(epoch))
    if str(metadata.get("date", "")).strip().lower() in BUILD_DATE_WORDS:  # Quarto's `date: last-modified`
        metadata["date"] = metadata["build-date"]
    metadata["identifier"] = config.identifier
    metadata["source-revision"] = git_revision(config.root)
    metadata["tool-versions"] = tool_versions(session)
    meta_text = "---\n" + yaml.safe_dump(plain(metadata), allow_unicode=True, sort_keys=True) + "\n...\n"
    meta = session.read(meta_text, config.display(config.config_file))["meta"]
    if not allow_raw:
        refuse_raw_metadata(meta, config, ctx.sources)
    doc = {"pandoc-api-version": api_version, "meta": meta, "blocks": blocks}

    if config.bibliography is not None:
        bib_shown = config.display(config.bibliography)
        ctx.bibliography = parse_bibliography(config.bibliography, bib_shown, ctx.log)
        check_citations(
            cited_keys(doc, ctx.bibliography),
            ctx.bibliography,
            ctx.sources,
            bib_shown,
            ctx.log,
            nocite_all="@*" in repr(meta.get("nocite", "")),
        )
    elif cited_keys(doc):
        key = sorted(cited_keys(doc))[0]
        file, line = ctx.sources.locate(f"@{key}")
        ctx.log.add("BIB004", f"citation {key!r} but no `bibliography` in edition.yaml", file, line)
    ctx.log.raise_if_errors()
    return Loaded(config, doc, ctx, filters, epoch)


def _overrides(config: EditionConfig, ctx: Context) -> dict[str, str] | None:
    value = config.metadata.get("messages")
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise error(
            "CFG014",
            "`messages` must map message keys to strings (see docs/messages.md)",
            ctx.project.display(config.config_file),
            key_line(config.config_file, "messages"),
        )
    return {str(k): v for k, v in value.items()}


def _override_lines(config_file: Path, overrides: dict[str, str] | None) -> dict[str, int]:
    """The line of each message override inside edition.yaml's ``messages:`` map."""
    if not overrides:
        return {}
    lines: dict[str, int] = {}
    inside = False
    for number, text in enumerate(config_file.read_text(encoding="utf-8").splitlines(), 1):
        if not inside:
            inside = text.startswith("messages:")
            continue
        if text and not text[0].isspace() and not text.startswith("#"):
            break  # the next top-level key
        key = text.strip().split(":", 1)[0].strip("'\"")
        if key in overrides and key not in lines:
            lines[key] = number
    return lines


def tool_versions(session: PandocSession) -> str:
    from ..writers.pdf import compiler_version

    return f"editio {__version__}, pandoc {session.version()}, typst {compiler_version()}"


def parse(session: PandocSession, text: str, shown: str) -> dict:
    """One manuscript file as a pandoc AST; a file nesting elements more than ``MAX_NESTING`` deep (where
    Python's recursion and typst's parser give up; typst's show rules already at ~30 quotes, PDF001) is SRC009
    at its deepest line."""
    try:
        ast = session.read(text, shown)
    except RecursionError:
        ast = None
    if ast is None or nesting(ast["blocks"]) > MAX_NESTING:
        raise error(
            "SRC009",
            f"nests elements (block quotes, lists, emphasis) more than {MAX_NESTING} levels "
            "deep; flatten the structure",
            shown,
            deepest_line(text),
        )
    return ast


MAX_NESTING = 50


def nesting(blocks: list) -> int:
    """How deeply pandoc elements nest in ``blocks`` (a paragraph's words are 2), without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(blocks, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            depth += "t" in value
            deepest = max(deepest, depth)
            stack.extend((v, depth) for v in value.values() if isinstance(v, (list, dict)))
        elif isinstance(value, list):
            stack.extend((v, depth) for v in value if isinstance(v, (list, dict)))
    return deepest


def deepest_line(text: str) -> int:
    """The line that opens the deepest nesting of block quotes (``> > >``) or indented lists."""

    def depth(line: str) -> int:
        quotes = re.match(r"(?:[ \t]*>)*", line).group().count(">")
        return max(quotes, (len(line) - len(line.lstrip(" "))) // 2)

    lines = text.splitlines() or [""]
    return max(range(len(lines)), key=lambda i: (depth(lines[i]), -i)) + 1


def refuse_raw(ast: dict, text: str, display: str) -> None:
    """SAF001 for every piece of raw typst/HTML/LaTeX in a manuscript file, with its line: raw output is a
    way to run code in the typesetter or the reader's browser. HTML comments are allowed."""
    found = [
        (node["c"][0], node["c"][1])
        for node in iter_nodes(ast["blocks"], ("RawBlock", "RawInline"))
        if not (node["c"][0] == "html" and _COMMENT.match(node["c"][1]))
    ]
    if not found:
        return
    diagnostics = []
    locator = RawLocator(text)
    for fmt, content in found:
        line = locator.line(content)
        needle = next((ln.strip() for ln in content.splitlines() if ln.strip()), content)
        shown = needle if len(needle) <= 40 else needle[:39] + "…"
        diagnostics.append(
            Diagnostic(
                "SAF001",
                f"raw {fmt} {shown!r} is not allowed in the manuscript; write it as text (escape `\\`, `<`, "
                "or the backticks) or set `allow-raw: true` in edition.yaml",
                display,
                line,
            )
        )
    raise EditionError(diagnostics)


def refuse_raw_metadata(meta: dict, config: EditionConfig, sources: SourceTexts) -> None:
    """SAF001 for raw typst/HTML/LaTeX in a metadata value (a title is Markdown: `` `#read(..)`{=typst} `` or
    ``\\command`` would reach the typesetter), at the front-matter line that holds it or edition.yaml's key."""
    diagnostics = []
    for key, value in sorted(meta.items()):
        for node in iter_nodes([value], ("RawBlock", "RawInline")):
            fmt, content = node["c"]
            if fmt == "html" and _COMMENT.match(content):
                continue
            needle = next((ln.strip() for ln in content.splitlines() if ln.strip()), content)
            file, line = sources.locate(needle)
            if file is None:
                file, line = config.display(config.config_file), key_line(config.config_file, key)
            shown = needle if len(needle) <= 40 else needle[:39] + "…"
            diagnostics.append(
                Diagnostic(
                    "SAF001",
                    f"raw {fmt} {shown!r} in the metadata `{key}` is not allowed; write it as text (escape "
                    "`\\` as `\\\\`, and `<` or backticks) or set `allow-raw: true` in edition.yaml",
                    file,
                    line,
                )
            )
    if diagnostics:
        raise EditionError(diagnostics)


def plain(value: Any) -> Any:
    """YAML-safe plain data (the loader's line-tracking subclasses become dicts and lists)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def cited_keys(doc: dict, bibliography: dict | None = None) -> set[str]:
    """Every citation key the document uses (text and metadata), cross-references (``@fig:x``, which the
    crossref filter resolves) left out unless the bibliography has the key."""
    keys: set[str] = set()
    for node in iter_nodes([doc["blocks"], list(doc["meta"].values())], ("Cite",)):
        keys.update(c["citationId"] for c in node["c"][0] if not is_reference_key(c["citationId"], bibliography))
    return keys

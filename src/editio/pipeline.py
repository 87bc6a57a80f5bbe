"""The one build: load (once) → filters (once, on the neutral AST) → per format, in parallel: lowering →
writer → `dist/`.

Everything is made in a staging folder first; only when every format succeeded are the artefacts moved into
the output folder, so a failed build leaves the previous artefacts as they were.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import filters
from .lower import lower
from .load.manuscript import Loaded, load, plain
from .load.pandoc import PandocSession

FORMATS = ("pdf", "epub", "html")
LOWERING = {"pdf": "typst", "epub": "epub", "html": "html"}


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
        lines += [f"  {w}" for w in self.warnings]
        lines.append(f"built {len(self.artefacts)} artefacts in {self.seconds:.2f} s")
        return "\n".join(lines)


@dataclass
class Edition:
    """The filtered, format-neutral document and what the writers need besides it."""

    loaded: Loaded
    doc: dict


def prepare(manuscript_dir: Path, root: Path | None = None) -> Edition:
    """Load the manuscript and run its filters once; raises EditionError with every problem found."""
    with PandocSession(cwd=Path(root) if root else None) as session:
        loaded = load(manuscript_dir, root, session)
        doc = filters.run(loaded.doc, loaded.filters, loaded.ctx)
        loaded.ctx.log.raise_if_errors()
        loaded.ctx.session = None
    return Edition(loaded, doc)


def build(manuscript_dir: Path, out: Path, formats: tuple[str, ...] = FORMATS, root: Path | None = None) -> BuildReport:
    """Build the requested formats into ``out`` atomically; raises EditionError on bad input."""
    started = time.perf_counter()
    edition = prepare(manuscript_dir, root)
    out = Path(out).resolve()  # writers run pandoc in the stage folder: relative paths would move
    out.mkdir(parents=True, exist_ok=True)
    report = BuildReport(warnings=[str(w) for w in edition.loaded.ctx.log.warnings])
    with tempfile.TemporaryDirectory(prefix=".stage-", dir=out) as tmp:
        stage = Path(tmp)
        media = stage / "media"
        media.mkdir()
        for name, data in sorted(edition.loaded.ctx.media.items()):
            (media / name).write_bytes(data)
        jobs = _jobs(len(formats))
        if jobs > 1:
            # The formats are independent: one process each (fork keeps the filtered document).
            context = multiprocessing.get_context("fork")
            with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                results = list(pool.map(_build_format, [edition] * len(formats), formats, [stage] * len(formats)))
        else:
            results = [_build_format(edition, fmt, stage) for fmt in formats]
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


def lowered(edition: Edition, fmt: str) -> dict:
    """A copy of the filtered document lowered for ``fmt`` (pdf, epub or html)."""
    doc = json.loads(json.dumps(edition.doc))
    return lower(doc, LOWERING[fmt], edition.loaded.ctx.messages)


def _build_format(edition: Edition, fmt: str, stage: Path) -> list[tuple[Path, float, str]]:
    """Lower and write one format into the stage; the artefacts with the time it took."""
    from .writers.epub import write_epub
    from .writers.html import write_html
    from .writers.pdf import document_info, write_pdf

    t0 = time.perf_counter()
    config = edition.loaded.config
    ast = lowered(edition, fmt)
    if fmt == "pdf":
        paths = [write_pdf(ast, stage, config.name, edition.loaded.epoch, config.metadata.get("pdf-standards"),
                           info=document_info(plain(config.metadata)), strings=pdf_strings(edition.loaded.ctx))]
    elif fmt == "epub":
        paths = [write_epub(ast, stage, config.name, edition.loaded.epoch)]
    else:
        paths = write_html(ast, stage, config.name)
        paths += sorted(p for p in (stage / "media").rglob("*") if p.is_file())
    seconds = time.perf_counter() - t0
    return [(p, seconds if i == 0 else 0.0, fmt) for i, p in enumerate(paths)]


def pdf_strings(ctx) -> dict[str, str]:
    """The words the PDF template prints itself (labels without their colon), from the catalogue."""
    text = ctx.text
    english = __import__("editio.i18n", fromlist=["catalogue"]).catalogue("en")
    return {"contents": text("toc-title"), "abstract": text("abstract-title"),
            "keywords": text("keywords-label").rstrip(": "), "cite-as": text("cite-as-label").rstrip(": "),
            "build-date": text("build-date-line", date="").split(":")[0].strip(),
            "abstract-en": english.text("abstract-title"), "keywords-en": english.text("keywords-label").rstrip(": ")}


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

"""The one build: load (once) → filters (once, on the neutral AST) → per format, in parallel: lowering →
writer → `dist/`.

Everything is made in a staging folder first; only when every format succeeded are the artefacts moved into
the output folder, so a failed build leaves the previous artefacts as they were.
"""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import filters
from .lower import lower
from .publish import publish, staging
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
    """Build the requested formats and publish them as the whole of ``out``; raises EditionError on bad input
    (``out`` is then as it was)."""
    started = time.perf_counter()
    edition = prepare(manuscript_dir, root)
    out = Path(out).resolve()  # writers run pandoc in the stage folder: relative paths would move
    report = BuildReport(warnings=[str(w) for w in edition.loaded.ctx.log.warnings])
    with staging(out) as tmp:
        stage = Path(tmp)
        media = stage / "media"
        media.mkdir()
        for name, data in sorted(edition.loaded.ctx.media.items()):
            (media / name).parent.mkdir(parents=True, exist_ok=True)
            (media / name).write_bytes(data)
        produced = _run_formats(edition, formats, stage)
        seconds = {path: (took, fmt) for path, took, fmt in produced}
        digests = publish([(p.relative_to(stage).as_posix(), p) for p, _, _ in produced], out)
        for path, (took, fmt) in seconds.items():
            relative = path.relative_to(stage).as_posix()
            report.artefacts.append(Artefact(relative, (out / relative).stat().st_size, took, digests[relative], fmt))
    report.seconds = time.perf_counter() - started
    return report


def _run_formats(edition: Edition, formats: tuple[str, ...], stage: Path) -> list[tuple[Path, float, str]]:
    """Every format into the stage, in parallel processes when there are cores for it. An interrupt (Ctrl-C,
    SIGTERM) ends the workers at once."""
    jobs = _jobs(len(formats))
    if jobs <= 1:
        return [item for fmt in formats for item in _build_format(edition, fmt, stage)]
    # The formats are independent: one process each. The workers are forked after the document is made, so
    # they inherit it (nothing is pickled but the format's name and the artefacts' paths).
    global _FORKED
    _FORKED = (edition, stage)
    context = multiprocessing.get_context("fork")
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_init)
    try:
        results = list(pool.map(_build_inherited, formats))
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        _FORKED = None
    pool.shutdown()
    return [item for result in results for item in result]


_FORKED: tuple[Edition, Path] | None = None


def _build_inherited(fmt: str) -> list[tuple[Path, float, str]]:
    assert _FORKED is not None
    return _build_format(_FORKED[0], fmt, _FORKED[1])


def _worker_init() -> None:
    """Workers leave Ctrl-C to the build, which ends them; a SIGTERM ends a worker quietly."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


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

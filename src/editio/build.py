"""The one build: load (once) → filters (once, on the neutral AST) → per format, in parallel: lowering →
writer → `dist/`.

Everything is made in a staging folder first; only when every format succeeded are the artefacts moved into
the output folder, so a failed build leaves the previous artefacts as they were.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from . import filters
from .errors import Diagnostic, EditionError
from .load.manuscript import Loaded, load, plain
from .load.pandoc import PandocSession
from .lower import lower
from .publish import output_error, publish, shielded, staging

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
    """What a build made and every warning of it: load and filters first, then each format's lowering and
    writer (``format_warnings``, also counted in ``warnings``), in the order of the formats."""

    artefacts: list[Artefact] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    format_warnings: dict[str, list[str]] = field(default_factory=dict)

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
    and OUT001 when the stage beside ``out`` cannot be written (``out`` is then as it was)."""
    started = time.perf_counter()
    edition = prepare(manuscript_dir, root)
    out = Path(out).resolve()  # writers run pandoc in the stage folder: relative paths would move
    try:
        report = _build_staged(edition, out, formats)
    except OSError as exc:  # a read-only or full disk, in this process or a format's
        raise output_error(exc, out) from None
    report.seconds = time.perf_counter() - started
    return report


def _build_staged(edition: Edition, out: Path, formats: tuple[str, ...]) -> BuildReport:
    """Every format made in a stage folder beside ``out`` (removed afterwards, also on an error or an
    interrupt), then published as the whole of ``out``."""
    report = BuildReport(warnings=[str(w) for w in edition.loaded.ctx.log.warnings])
    folder = staging(out)
    try:
        stage = Path(folder.name)
        media = stage / "media"
        media.mkdir()
        for name, data in sorted(edition.loaded.ctx.media.items()):
            (media / name).parent.mkdir(parents=True, exist_ok=True)
            (media / name).write_bytes(_safe_media(name, data))
        produced, diagnostics = _run_formats(edition, formats, stage)
        errors = [d for fmt in formats for d in diagnostics[fmt] if d.severity == "error"]
        if errors:
            raise EditionError(errors)
        for fmt in formats:
            report.format_warnings[fmt] = [str(d) for d in diagnostics[fmt] if d.severity == "warning"]
            report.warnings += [w for w in report.format_warnings[fmt] if w not in report.warnings]
        seconds = {path: (took, fmt) for path, took, fmt in produced}
        digests = publish([(p.relative_to(stage).as_posix(), p) for p, _, _ in produced], out)
        for path, (took, fmt) in seconds.items():
            relative = path.relative_to(stage).as_posix()
            report.artefacts.append(Artefact(relative, (out / relative).stat().st_size, took, digests[relative], fmt))
    finally:
        with shielded():  # a second Ctrl-C must not leave the stage folder half removed
            folder.cleanup()
    return report


Produced = list[tuple[Path, float, str]]


def _safe_media(name: str, data: bytes) -> bytes:
    """An SVG drawing (a manuscript's image or a generated chart) through the sanitiser: opened on its own, a
    reader's browser would run script in it; other media are bytes no reader runs."""
    if not name.lower().endswith(".svg"):
        return data
    from .sanitize import sanitize_xhtml

    return sanitize_xhtml(data.decode("utf-8", "replace")).encode("utf-8")


def _run_formats(
    edition: Edition, formats: tuple[str, ...], stage: Path
) -> tuple[Produced, dict[str, list[Diagnostic]]]:
    """Every format into the stage, the formats in parallel processes when there are cores for it; the
    artefacts, and the diagnostics each format's lowering and writer logged.

    The children are forked after the document is made, so they inherit it: nothing is pickled on the way in,
    and only the artefacts' paths and diagnostics (or the error) come back through a pipe. typst's compiler
    keeps a pool of threads once it has been used (the colophon asks it for its version while loading), and a
    forked child has none of them and would wait forever: so the PDF is always written by this process, the
    other formats by children. An interrupt (Ctrl-C, SIGTERM) ends the children at once."""
    if _jobs(len(formats)) <= 1:
        results = {fmt: _build_logged(edition, fmt, stage) for fmt in formats}
    else:
        results = _build_forked(edition, formats, stage)
    return [item for fmt in formats for item in results[fmt][0]], {fmt: results[fmt][1] for fmt in formats}


def _build_forked(
    edition: Edition, formats: tuple[str, ...], stage: Path
) -> dict[str, tuple[Produced, list[Diagnostic]]]:
    """The PDF (or the first format) built here, every other format in a forked child at the same time."""
    here = "pdf" if "pdf" in formats else formats[0]
    children: dict[str, tuple[int, int]] = {}
    try:
        for fmt in formats:
            if fmt != here:
                children[fmt] = _fork(edition, fmt, stage)
        results = {here: _build_logged(edition, here, stage)}
        for fmt in list(children):
            results[fmt] = _collect(*children.pop(fmt))  # ends the child itself if interrupted while waiting
    finally:
        with shielded():  # only after an error or an interrupt; a second one waits until the workers are gone
            for pid, fd in children.values():
                _end(pid, fd)
    return results


def _build_logged(edition: Edition, fmt: str, stage: Path) -> tuple[Produced, list[Diagnostic]]:
    """``_build_format``, and the diagnostics it added to the log (taken out of the log, so that each format's
    come back the same way whether it ran here or in a child)."""
    log = edition.loaded.ctx.log
    mark = len(log.items)
    produced = _build_format(edition, fmt, stage)
    added = log.items[mark:]
    del log.items[mark:]
    return produced, added


def _fork(edition: Edition, fmt: str, stage: Path) -> tuple[int, int]:
    """Start a child that builds ``fmt``; its pid and the read end of the pipe it answers through."""
    import pickle
    import signal

    read, write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write)
        _own_group(pid)
        return pid, read
    status = 0
    try:  # the child: never returns
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _own_group(0)  # its pandoc writer joins the group, so ending the group ends both
        os.close(read)
        try:
            produced, diagnostics = _build_logged(edition, fmt, stage)
            payload = pickle.dumps(("ok", ([(str(p), took, f) for p, took, f in produced], diagnostics)))
        except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
            if not isinstance(exc, EditionError):  # a bug: keep where it happened for the report
                exc.add_note(traceback.format_exc())
            try:
                payload = pickle.dumps(("error", exc))
            except Exception:  # noqa: BLE001 - an exception that cannot be pickled goes as text
                payload = pickle.dumps(("error", RuntimeError(f"{fmt}: {type(exc).__name__}: {exc}")))
        with os.fdopen(write, "wb") as pipe:
            pipe.write(payload)
    except BaseException:  # noqa: BLE001
        status = 1
    finally:
        os._exit(status)


def _own_group(pid: int) -> None:
    """Make the child ``pid`` (0: this process) lead a process group of its own; called on both sides of
    the fork, so the group exists whichever runs first."""
    with contextlib.suppress(OSError):  # the child has already done it, or is already gone
        os.setpgid(pid, 0)


def _collect(pid: int, fd: int) -> tuple[Produced, list[Diagnostic]]:
    import pickle

    try:
        with os.fdopen(fd, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
    except BaseException:  # an interrupt while waiting: the child must not outlive the build
        _end(pid, None)
        raise
    if not data:
        raise RuntimeError(f"a format worker ended without an answer (status {status})")
    kind, value = pickle.loads(data)
    if kind == "error":
        raise value
    produced, diagnostics = value
    return [(Path(p), took, f) for p, took, f in produced], diagnostics


def _end(pid: int, fd: int | None) -> None:
    """End a format child and everything it started (its process group), reap it, close its pipe."""
    import signal

    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGTERM)
            break
        except (ProcessLookupError, PermissionError):
            continue
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    if fd is not None:
        os.close(fd)


def _jobs(formats: int) -> int:
    """How many formats to build at once: EDITIO_JOBS, else one per core, at most one per format."""
    wanted = os.environ.get("EDITIO_JOBS", "").strip()
    jobs = int(wanted) if wanted.isdigit() and int(wanted) > 0 else (os.cpu_count() or 1)
    if not hasattr(os, "fork"):
        return 1
    return max(1, min(jobs, formats))


def lowered(edition: Edition, fmt: str) -> dict:
    """A copy of the filtered document lowered for ``fmt`` (pdf, epub or html)."""
    doc = json.loads(json.dumps(edition.doc))
    return lower(doc, LOWERING[fmt], edition.loaded.ctx.messages)


def _build_format(edition: Edition, fmt: str, stage: Path) -> Produced:
    """Lower and write one format into the stage; the artefacts with the time it took."""
    from .writers.epub import write_epub
    from .writers.html import write_html
    from .writers.pdf import document_info, write_pdf

    t0 = time.perf_counter()
    config = edition.loaded.config
    ast = lowered(edition, fmt)
    if fmt == "pdf":
        try:
            paths = [
                write_pdf(
                    ast,
                    stage,
                    config.name,
                    edition.loaded.epoch,
                    config.metadata.get("pdf-standards"),
                    info=document_info(plain(config.metadata)),
                    strings=pdf_strings(edition.loaded.ctx.messages),
                )
            ]
        except EditionError as exc:
            raise _at_manuscript(exc, edition.loaded.ctx.sources) from None
    elif fmt == "epub":
        paths = [write_epub(ast, stage, config.name, edition.loaded.epoch, edition.loaded.ctx.messages)]
    else:
        paths = write_html(ast, stage, config.name, edition.loaded.ctx.messages)
        paths += sorted(p for p in (stage / "media").rglob("*") if p.is_file())
    seconds = time.perf_counter() - t0
    return [(p, seconds if i == 0 else 0.0, fmt) for i, p in enumerate(paths)]


def _at_manuscript(exc: EditionError, sources) -> EditionError:
    """A typst failure (PDF001) at the manuscript's file and line where its quoted source can be found there
    (the generated .typ file means nothing to an author); other errors as they are."""
    from .lower.typst import manuscript_position

    moved = []
    for diagnostic in exc.diagnostics:
        file, line = manuscript_position(diagnostic.message, sources) if diagnostic.code == "PDF001" else (None, None)
        moved.append(Diagnostic(diagnostic.code, diagnostic.message, file, line) if file else diagnostic)
    return EditionError(moved)


def pdf_strings(messages) -> dict[str, str]:
    """The words the PDF template prints itself (labels without their colon), from the catalogue ``messages``."""
    from .i18n import catalogue

    text = messages.text
    english = catalogue("en")
    return {
        "contents": text("toc-title"),
        "abstract": text("abstract-title"),
        "keywords": text("keywords-label").rstrip(": "),
        "cite-as": text("cite-as-label").rstrip(": "),
        "build-date": text("colophon-build-date"),  # «Erstellt am {date}.» has no label to cut out
        "abstract-en": english.text("abstract-title"),
        "keywords-en": english.text("keywords-label").rstrip(": "),
    }

"""Command line: `editio build [PROJECT] [--format pdf,epub,html] [--out DIR] [--no-cache]` and `editio new DIR`.

A project is a folder holding `manuscript/edition.yaml` (or `edition.yaml` itself); `editio build` works on
one anywhere, from any folder. Bad input prints `file:line: error CODE: message` and exits 1; the previous
output folder stays as it was. So do an interrupt (Ctrl-C, SIGTERM: one line, exit 128 + the signal's number,
the format workers and the stage folder gone), an operating-system error and a document nested too deeply or
too large for memory: a line with a code, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from .errors import Diagnostic, EditionError

# The same as build.FORMATS; not imported from there so that a build served from the cache never loads the pipeline.
FORMATS = ("pdf", "epub", "html")
CONFIG_NAME = "edition.yaml"


def parse_formats(value: str) -> tuple[str, ...]:
    formats = tuple(f.strip() for f in value.split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(
            f"unknown format(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}"
        )
    return formats


def locate(project: Path | None, manuscript: Path | None) -> tuple[Path, Path]:
    """(manuscript folder, project root) from the command line: ``--manuscript`` wins; else PROJECT (default
    the working folder) holding ``manuscript/edition.yaml`` or ``edition.yaml``."""
    if manuscript is not None:
        manuscript = manuscript.resolve() if manuscript.is_absolute() else (Path.cwd() / manuscript)
        return manuscript, manuscript.parent
    folder = (project or Path.cwd()).resolve()
    if (folder / "manuscript" / CONFIG_NAME).is_file():
        return folder / "manuscript", folder
    if (folder / CONFIG_NAME).is_file():
        return folder, folder
    if folder.name == "manuscript" and (folder / CONFIG_NAME).is_file():
        return folder, folder.parent
    raise EditionError.single(
        "CLI001",
        f"no {CONFIG_NAME} in {folder} or {folder / 'manuscript'}; run "
        "`editio new DIR` to start a project, or name the project folder",
        None,
    )


class Interrupted(BaseException):
    """SIGTERM, raised in the main thread like KeyboardInterrupt, so that every `finally` on the way out runs
    (format workers ended, the stage folder removed)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_interrupted(signum: int, _frame) -> None:
    raise Interrupted(signum)


def _failure(exc: BaseException) -> tuple[Diagnostic, int]:
    """The one diagnostic line and exit status for a failure that is not the manuscript's fault nor a bug."""
    if isinstance(exc, (KeyboardInterrupt, Interrupted)):
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        name = signal.Signals(signum).name
        return Diagnostic(
            "SIG001", f"interrupted by {name}; the build stopped and the output folder was left as it was"
        ), 128 + signum
    if isinstance(exc, RecursionError):
        return Diagnostic(
            "SRC009",
            "the document nests too deeply to build (thousands of block quotes or "
            "lists inside each other?); flatten the structure",
        ), 1
    if isinstance(exc, MemoryError):
        return Diagnostic(
            "SYS002", "out of memory; the output folder was left as it was (is a manuscript file unusually large?)"
        ), 1
    from .safepath import printable_name  # an OSError

    name = f" ({printable_name(exc.filename)})" if getattr(exc, "filename", None) else ""
    return Diagnostic(
        "SYS001",
        f"the operating system refused: {exc.strerror or exc}{name}; the output "
        "folder was left as it was — check the file's permissions and the free space",
    ), 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="editio", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the edition (PDF, EPUB, HTML) into the output folder")
    b.add_argument("project", nargs="?", type=Path, help="the project folder (default: the working folder)")
    b.add_argument("--format", type=parse_formats, default=FORMATS, help="comma-separated: pdf,epub,html")
    b.add_argument("--out", type=Path, help="output folder (default: dist in the project folder)")
    b.add_argument("--manuscript", type=Path, help="the manuscript folder (default: PROJECT/manuscript)")
    b.add_argument(
        "--no-cache",
        action="store_true",
        help="build even when .cache/editio/ holds this build (also: EDITIO_NO_CACHE=1)",
    )
    n = sub.add_parser("new", help="start a project: a working skeleton to edit")
    n.add_argument("folder", type=Path)
    n.add_argument("--lang", default="en", help="the document's language (BCP 47, e.g. en, de, ru)")
    args = parser.parse_args(argv)
    try:
        previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    except ValueError:  # not the main thread (a test calling main): SIGTERM keeps its handler
        previous = None
    try:
        return _run(args)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace) -> int:
    try:
        if args.command == "new":
            from .skeleton import create

            create(args.folder, args.lang)
            print(
                f"created {args.folder}/: edit manuscript/*.md and manuscript/edition.yaml, then run "
                f"`editio build {args.folder}`"
            )
            return 0
        manuscript, root = locate(args.project, args.manuscript)
        out = args.out if args.out is not None else root / "dist"
        if args.no_cache or os.environ.get("EDITIO_NO_CACHE", "") not in ("", "0"):
            from .build import build

            report = build(manuscript, out, args.format, root=root)
        else:
            from .cache import cached_build

            report = cached_build(manuscript, out, args.format, root=root)
    except EditionError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        if args.command == "build":
            print(
                f"build failed: {len(exc.diagnostics)} error(s); the output folder was left as it was", file=sys.stderr
            )
        return 1
    except (KeyboardInterrupt, Interrupted, RecursionError, MemoryError, OSError) as exc:
        diagnostic, status = _failure(exc)
        print(diagnostic, file=sys.stderr)
        return status
    print(report.text())
    return 0


if __name__ == "__main__":
    sys.exit(main())

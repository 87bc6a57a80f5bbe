"""Command line: `editio build [--format pdf,epub,html] [--out dist] [--manuscript manuscript] [--no-cache]`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .errors import EditionError

# The same as build.FORMATS; not imported from there so that a build served from the cache never loads the pipeline.
FORMATS = ("pdf", "epub", "html")


def parse_formats(value: str) -> tuple[str, ...]:
    formats = tuple(f.strip() for f in value.split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(f"unknown format(s) {', '.join(unknown) or '(none)'}; choose from "
                                         f"{', '.join(FORMATS)}")
    return formats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="editio", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the edition")
    b.add_argument("--format", type=parse_formats, default=FORMATS, help="comma-separated: pdf,epub,html")
    b.add_argument("--out", type=Path, default=Path("dist"), help="output folder (default: dist)")
    b.add_argument("--manuscript", type=Path, default=Path("manuscript"), help="manuscript folder")
    b.add_argument("--no-cache", action="store_true",
                   help="build even when .cache/editio/ holds this build (also: EDITIO_NO_CACHE=1)")
    args = parser.parse_args(argv)
    try:
        if args.no_cache or os.environ.get("EDITIO_NO_CACHE", "") not in ("", "0"):
            from .build import build

            report = build(args.manuscript, args.out, args.format, root=Path.cwd())
        else:
            from .cache import cached_build

            report = cached_build(args.manuscript, args.out, args.format, root=Path.cwd())
    except EditionError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        print(f"build failed: {len(exc.diagnostics)} error(s); {args.out}/ left as it was", file=sys.stderr)
        return 1
    print(report.text())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""EPUB 3: pandoc's writer with a fixed identifier and SOURCE_DATE_EPOCH, so the bytes repeat."""

from __future__ import annotations

import json
from pathlib import Path

from ..pandoc import run_pandoc

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def write_epub(ast: dict, stage: Path, name: str, epoch: int) -> Path:
    target = stage / f"{name}.epub"
    run_pandoc(["-f", "json", "-t", "epub3", "-o", str(target), "--toc", "--toc-depth=2", "--split-level=1",
                f"--css={TEMPLATES / 'epub.css'}", "--epub-title-page=true", "--wrap=none"],
               stdin=json.dumps(ast), env={"SOURCE_DATE_EPOCH": str(epoch)}, cwd=stage, what="EPUB writer")
    return target

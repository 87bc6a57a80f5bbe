"""PDF: pandoc's typst writer with the edition's template, then typst.compile with bundled fonts only."""

from __future__ import annotations

import json
from pathlib import Path

import typst

from ..errors import error
from ..pandoc import run_pandoc

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "edition.typst"


def ast_to_typst(ast: dict) -> str:
    return run_pandoc(["-f", "json", "-t", "typst-citations", "--standalone", f"--template={TEMPLATE}", "--wrap=preserve"],
                      stdin=json.dumps(ast), what="typst writer")


def write_pdf(ast: dict, stage: Path, name: str, epoch: int, pdf_standards: list[str] | None = None) -> Path:
    """Write `<name>.typ` and `<name>.pdf` into ``stage``; the PDF is byte-identical for one ``epoch``."""
    source = stage / f"{name}.typ"
    source.write_text(ast_to_typst(ast), encoding="utf-8")
    target = stage / f"{name}.pdf"
    try:
        data = typst.compile(str(source), root=str(stage), ignore_system_fonts=True, font_paths=[],
                             timestamp=epoch, pdf_standards=pdf_standards or [])
    except Exception as exc:  # typst's errors carry the generated source position in `diagnostic`
        detail = getattr(exc, "diagnostic", None) or str(exc)
        raise error("PDF001", f"typst could not compile the generated source:\n{detail}", f"{name}.typ") from None
    target.write_bytes(data)
    return target

"""Running pandoc (the binary shipped by pypandoc-binary) on JSON and Markdown, with errors made readable."""

from __future__ import annotations

import json
import os
import re
import subprocess
from functools import lru_cache
from pathlib import Path

from .errors import Diagnostic, EditionError, error

# Raw passthrough would let a manuscript inject typst/HTML/LaTeX into the build; refused unless allowed.
MARKDOWN_SAFE = "markdown-raw_html-raw_tex-raw_attribute-tex_math_dollars+tex_math_single_backslash"
MARKDOWN_RAW = "markdown"
# The safe reader's options with raw passthrough on: used only to find raw content and refuse it (SAF001).
MARKDOWN_DETECT = "markdown-tex_math_dollars+tex_math_single_backslash"
_COMMENT = re.compile(r"\A\s*<!--.*-->\s*\Z", re.S)


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    from pypandoc import get_pandoc_path

    return get_pandoc_path()


@lru_cache(maxsize=1)
def pandoc_version() -> str:
    out = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True, check=True).stdout
    return out.splitlines()[0].split()[-1]


def run_pandoc(args: list[str], stdin: str | None = None, env: dict[str, str] | None = None,
               cwd: Path | None = None, what: str = "pandoc") -> str:
    """Run pandoc and return stdout; a failure is PDC001 naming ``what``."""
    full_env = dict(os.environ)
    full_env.update({"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC"})
    if env:
        full_env.update(env)
    proc = subprocess.run([pandoc_path(), *args], input=stdin, capture_output=True, text=True,
                          env=full_env, cwd=cwd)
    if proc.returncode != 0:
        raise error("PDC001", f"pandoc failed: {proc.stderr.strip() or proc.returncode}", what)
    return proc.stdout


def markdown_to_json(text: str, display: str, allow_raw: bool = False) -> dict:
    """Parse one manuscript file into a pandoc AST (as JSON data)."""
    if allow_raw:
        return json.loads(run_pandoc(["-f", MARKDOWN_RAW, "-t", "json"], stdin=text, what=display))
    refuse_raw(text, display)
    return json.loads(run_pandoc(["-f", MARKDOWN_SAFE, "-t", "json"], stdin=text, what=display))


def refuse_raw(text: str, display: str) -> None:
    """SAF001 for every piece of raw typst/HTML/LaTeX (``{=typst}`` blocks and inlines, HTML tags, TeX
    commands) in a manuscript file, with its line: the safe reader would turn it into text silently, and
    raw output is a way to run code in the typesetter. HTML comments are allowed. `allow-raw: true` in
    edition.yaml lets raw content through."""
    found: list[tuple[str, str]] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("t") in ("RawBlock", "RawInline"):
                fmt, content = node["c"]
                if not (fmt == "html" and _COMMENT.match(content)):
                    found.append((fmt, content))
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(run_pandoc(["-f", MARKDOWN_DETECT, "-t", "json"], stdin=text, what=display))["blocks"])
    if not found:
        return
    diagnostics = []
    start = 0
    for fmt, content in found:
        needle = next((ln.strip() for ln in content.splitlines() if ln.strip()), content)
        index = _find_unescaped(text, needle, start)
        if index < 0:
            index = _find_unescaped(text, needle, 0)
        line = text.count("\n", 0, index) + 1 if index >= 0 else None
        if index >= 0:
            start = index + len(needle)
        shown = needle if len(needle) <= 40 else needle[:39] + "…"
        diagnostics.append(Diagnostic(
            "SAF001", f"raw {fmt} {shown!r} is not allowed in the manuscript; write it as text (escape `\\`, `<`, "
            "or the backticks) or set `allow-raw: true` in edition.yaml", display, line))
    raise EditionError(diagnostics)


def _find_unescaped(text: str, needle: str, start: int) -> int:
    """The first occurrence of ``needle`` from ``start`` that no backslash escapes (``\\<b>`` is text)."""
    index = text.find(needle, start)
    while index > 0 and text[index - 1] == "\\":
        index = text.find(needle, index + 1)
    return index


def metadata_to_json(metadata_yaml: str, display: str) -> dict:
    """Turn YAML metadata into pandoc's Meta (Markdown inside values parsed as pandoc does)."""
    doc = f"---\n{metadata_yaml}\n...\n"
    return json.loads(run_pandoc(["-f", MARKDOWN_SAFE, "-t", "json"], stdin=doc, what=display))["meta"]

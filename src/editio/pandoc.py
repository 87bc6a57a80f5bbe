"""Running pandoc (the binary shipped by pypandoc-binary) on JSON and Markdown, with errors made readable."""

from __future__ import annotations

import json
import os
import subprocess
from functools import lru_cache
from pathlib import Path

from .errors import error

# Raw passthrough would let a manuscript inject typst/HTML/LaTeX into the build; refused unless allowed.
MARKDOWN_SAFE = "markdown-raw_html-raw_tex-raw_attribute-tex_math_dollars+tex_math_single_backslash"
MARKDOWN_RAW = "markdown"


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
    reader = MARKDOWN_RAW if allow_raw else MARKDOWN_SAFE
    return json.loads(run_pandoc(["-f", reader, "-t", "json"], stdin=text, what=display))


def metadata_to_json(metadata_yaml: str, display: str) -> dict:
    """Turn YAML metadata into pandoc's Meta (Markdown inside values parsed as pandoc does)."""
    doc = f"---\n{metadata_yaml}\n...\n"
    return json.loads(run_pandoc(["-f", MARKDOWN_SAFE, "-t", "json"], stdin=doc, what=display))["meta"]

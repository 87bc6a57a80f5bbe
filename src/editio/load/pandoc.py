"""pandoc, the binary shipped by pypandoc-binary: one long-lived session for every parse and the citation
processing of a build, and one process per writer.

A build starts at most one session (``session.lua`` answers JSON requests line by line), so parsing the
manuscript files, the editor's notes and the metadata and running citeproc cost one pandoc start, not one
each. Writers run as their own processes, one per format, in parallel.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import error

SESSION_SCRIPT = Path(__file__).with_name("session.lua")
# Raw passthrough lets a manuscript inject typst/HTML/LaTeX into the output: the reader keeps raw content so
# the load stage can refuse it with its line (SAF001) unless `allow-raw: true`.
MARKDOWN = "markdown"
PANDOC_ENV = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC"}


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    """The pandoc binary the lock file pins (pypandoc-binary's), or PYPANDOC_PANDOC when set (the benchmark's
    counting wrapper). Not pypandoc's own search: it imports urllib and may prefer a newer pandoc on PATH, which
    would make the output depend on the machine."""
    given = os.environ.get("PYPANDOC_PANDOC", "").strip()
    if given:
        return given
    spec = importlib.util.find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        bundled = Path(folder) / "files" / "pandoc"
        if bundled.is_file():
            return str(bundled)
    from pypandoc import get_pandoc_path  # an installation without the bundled binary

    return str(get_pandoc_path())


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANDOC_")}
    env.update(PANDOC_ENV)
    env.update(extra or {})
    return env


class PandocSession:
    """One ``pandoc lua`` process answering requests until closed (use as a context manager)."""

    def __init__(self, cwd: Path | None = None):
        self._cwd = cwd
        self._proc: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        if self._proc is None:
            self._proc = subprocess.Popen(
                [pandoc_path(), "lua", str(SESSION_SCRIPT)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=_env(),
                cwd=self._cwd,
                text=True,
                encoding="utf-8",
            )
        return self._proc

    def request(self, what: str, **fields: Any) -> Any:
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(json.dumps(fields, ensure_ascii=False) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
        except BrokenPipeError:
            line = ""
        if not line:
            stderr = proc.stderr.read() if proc.stderr else ""
            self.close()
            raise error("PDC001", f"pandoc stopped unexpectedly: {stderr.strip()[:500]}", what)
        reply = json.loads(line)
        if "error" in reply:
            raise error("PDC001", f"pandoc could not process this: {reply['error'].strip()[:500]}", what)
        return reply["ok"]

    def read(self, text: str, what: str, from_format: str = MARKDOWN) -> dict[str, Any]:
        """Parse ``text`` (Markdown by default) into a pandoc AST (JSON data)."""
        doc: dict[str, Any] = json.loads(self.request(what, op="read", text=text, **{"from": from_format}))
        return doc

    def citeproc(self, doc: dict[str, Any], what: str = "citeproc") -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.request(what, op="citeproc", doc=json.dumps(doc, ensure_ascii=False)))
        return result

    def unconvertible_math(self, formulas: list[tuple[str, bool]], what: str) -> list[int]:
        """The indices of the (TeX, display?) formulas pandoc cannot convert to typst math."""
        if not formulas:
            return []
        return list(self.request(what, op="math", formulas=[{"tex": t, "display": d} for t, d in formulas]))

    def version(self) -> str:
        return str(self.request("pandoc", op="version"))

    def close(self) -> None:
        if self._proc is not None:
            proc, self._proc = self._proc, None
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def __enter__(self) -> PandocSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run(
    args: list[str], what: str, stdin: str | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> str:
    """Run one pandoc process (a writer, or the benchmark's bare floor); its standard output."""
    proc = subprocess.run(
        [pandoc_path(), *args], input=stdin, capture_output=True, text=True, encoding="utf-8", env=_env(env), cwd=cwd
    )
    if proc.returncode != 0:
        raise error("PDC002", f"pandoc failed: {proc.stderr.strip()[:500] or proc.returncode}", what)
    return proc.stdout


def write(
    doc: dict[str, Any], to: str, args: list[str], what: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> str:
    """Run one pandoc writer on ``doc``; its standard output (empty when it writes a file)."""
    return run(["-f", "json", "-t", to, *args], what, json.dumps(doc, ensure_ascii=False), cwd, env)

"""Diagnostics a user can cause: a stable code, the file and line, and one sentence saying what to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a source file. ``severity`` is "error" or "warning"."""

    code: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file or "<build>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.severity} {self.code}: {self.message}"


class EditionError(Exception):
    """One or more user-caused errors. The build prints them without a traceback and exits non-zero."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @classmethod
    def single(cls, code: str, message: str, file: str | Path | None, line: int | None = None) -> EditionError:
        return cls(Diagnostic(code, message, str(file) if file is not None else None, line))

    def __reduce__(self) -> tuple[type[EditionError], tuple[list[Diagnostic]]]:
        # so an error raised while building a format in a worker process arrives whole
        return (EditionError, (self.diagnostics,))


def error(
    code: str, message: str, file: str | Path | None = None, line: int | None = None, column: int | None = None
) -> EditionError:
    """Shorthand for raising a single diagnostic: ``raise error("BIB001", "...", path, 3)``."""
    return EditionError(Diagnostic(code, message, str(file) if file is not None else None, line, column))


@dataclass
class DiagnosticLog:
    """Collects diagnostics while processing goes on, so one run reports every problem, not only the first."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(
        self,
        code: str,
        message: str,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        severity: str = "error",
    ) -> None:
        self.items.append(Diagnostic(code, message, str(file) if file is not None else None, line, column, severity))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise EditionError(self.errors)

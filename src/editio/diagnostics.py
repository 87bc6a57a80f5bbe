"""The catalogue of diagnostic codes: `diagnostics.yaml` beside this module (code → stage, severity, meaning,
what to do), the codes the package's source can emit (read from its syntax tree), and the page
`docs/diagnostics.md` generated from the catalogue: `python -m editio.diagnostics --write docs/diagnostics.md`.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

CATALOGUE = Path(__file__).with_name("diagnostics.yaml")
PACKAGE = Path(__file__).resolve().parent
CODE = re.compile(r"[A-Z][A-Z0-9]{1,2}[A-Z]\d{3}")
SEVERITIES = ("error", "warning")
# calls that emit a diagnostic whose code is their first argument
_EMITTERS = {"error", "Diagnostic", "add", "warn", "err", "single"}


@dataclass(frozen=True)
class Code:
    code: str
    stage: str
    severity: str
    meaning: str
    fix: str
    escalates: str = ""  # the option that turns this warning into an error, if one does

    @property
    def severities(self) -> tuple[str, ...]:
        return (self.severity, "error") if self.escalates else (self.severity,)


@dataclass(frozen=True)
class Catalogue:
    stages: dict[str, str]  # key → title, in pipeline order
    codes: dict[str, Code]


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The catalogue, checked: every code well formed, in a known stage, with a known severity and both texts."""
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    stages = {str(k): str(v) for k, v in data["stages"].items()}
    codes = {}
    for code, fields in data["codes"].items():
        entry = Code(code, **fields)
        if (
            not CODE.fullmatch(code)
            or entry.stage not in stages
            or entry.severity not in SEVERITIES
            or not entry.meaning.strip()
            or not entry.fix.strip()
        ):
            raise ValueError(f"{CATALOGUE.name}: bad entry {code}: {fields}")
        codes[code] = entry
    return Catalogue(stages, codes)


# --- the codes in the source ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Use:
    """One place in the source that names a code; ``severity`` when the call that emits it says so."""

    code: str
    file: str
    line: int
    severity: str | None


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _code_of(text: str) -> str | None:
    """The code a string constant names: the whole string, or its first word ("SAN002 event handler …")."""
    head = text.split(" ", 1)[0]
    return head if CODE.fullmatch(head) else None


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _call_severity(call: ast.Call) -> str | None:
    if _callee(call) not in _EMITTERS:
        return None
    for keyword in call.keywords:
        if keyword.arg == "severity":
            return keyword.value.value if isinstance(keyword.value, ast.Constant) else None
    return "warning" if _callee(call) == "warn" else "error"


def uses(package: Path = PACKAGE) -> list[Use]:
    """Every code the package's Python source names outside docstrings and comments, with the severity of the
    call that emits it where that call is in sight (a string literal or a module constant as its first
    argument, or either branch of a conditional there)."""
    found: list[Use] = []
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in sorted(package.rglob("*.py"))}
    constants = {}  # module-level NAME = "CODE" (safepath's), by name
    for tree in trees.values():
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
                and CODE.fullmatch(node.value.value)
            ):
                constants.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
    for path, tree in trees.items():
        shown = path.relative_to(package.parent).as_posix()
        skip = _docstrings(tree)
        emitted: dict[int, str] = {}  # id of the first-argument node → severity
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and (severity := _call_severity(node)):
                first = node.args[0]
                for arg in (first.body, first.orelse) if isinstance(first, ast.IfExp) else (first,):
                    emitted[id(arg)] = severity
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                code = _code_of(node.value)
            elif isinstance(node, ast.Name) and node.id in constants and isinstance(node.ctx, ast.Load):
                code = constants[node.id]
            else:
                continue
            if code:
                found.append(Use(code, shown, node.lineno, emitted.get(id(node))))
    return found


# --- the page --------------------------------------------------------------------------------------------------


def markdown(cat: Catalogue | None = None) -> str:
    """docs/diagnostics.md: one table row per code, grouped by stage in pipeline order."""
    cat = cat or catalogue()
    lines = [
        "# Diagnostics",
        "",
        "<!-- generated from src/editio/diagnostics.yaml by "
        "`python -m editio.diagnostics --write docs/diagnostics.md`; do not edit by hand -->",
        "",
        "Every problem the build reports is one line: `file:line: error CODE: message` (or `warning`). "
        "Errors stop the build and leave the output folder as it was; warnings are listed in the build "
        "report, also when the build is served from the cache.",
        "",
    ]
    for stage, title in cat.stages.items():
        codes = [c for c in cat.codes.values() if c.stage == stage]
        if not codes:
            continue
        lines += [f"## {title}", "", "| Code | Severity | Meaning | What to do |", "|---|---|---|---|"]
        lines += [
            f"| {c.code} | {c.severity}{f' (error with {_cell(c.escalates)})' if c.escalates else ''} | "
            f"{_cell(c.meaning)} | {_cell(c.fix)} |"
            for c in sorted(codes, key=lambda c: c.code)
        ]
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m editio.diagnostics", description=__doc__)
    parser.add_argument("--write", type=Path, metavar="FILE", help="write the page to FILE (default: print it)")
    args = parser.parse_args(argv)
    text = markdown()
    if args.write is None:
        sys.stdout.write(text)
    else:
        tmp = args.write.with_name(args.write.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())

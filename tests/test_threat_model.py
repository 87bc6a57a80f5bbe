"""The threat model (docs/security.md) as a matrix: one test per rule (a table row), each checking that the rule
names at least one test and that every test it names exists, so the page cannot promise what no test enforces.

A row lists tests as `tests/test_x.py::test_name`; a following `::test_other` means the same file."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "security.md"


def rules() -> list[tuple[int, str, str]]:
    """(line, rule, enforced-by cell) of every table row whose table's second column is `enforced by`."""
    found = []
    header = None
    for number, line in enumerate(PAGE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if header is None:
            header = cells
        elif set("".join(cells)) <= set("-: ") or header[-1] != "enforced by":
            continue
        else:
            found.append((number, cells[0], cells[-1]))
    return found


def named_tests(cell: str) -> list[tuple[str, str]]:
    """(file, test) for every test a cell names, `::name` continuing the file named last."""
    named, current = [], None
    for path, name in re.findall(r"`(tests/[\w/]+\.py)?::(test_\w+)", cell):
        current = path or current
        assert current, f"{name} names no file before it"
        named.append((current, name))
    return named


@cache
def defined_tests(path: str) -> frozenset[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(
        node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    )


RULES = rules()


def test_the_page_has_its_rules():
    assert len(RULES) >= 40


@pytest.mark.parametrize("line, rule, cell", RULES, ids=[f"line{number}" for number, _, _ in RULES])
def test_each_rule_names_tests_that_exist(line: int, rule: str, cell: str):
    named = named_tests(cell)
    assert named, f"docs/security.md:{line}: the rule names no test: {rule[:80]}"
    assert "(lead)" not in cell, f"docs/security.md:{line}: still waiting to be wired"
    missing = [f"{path}::{name}" for path, name in named if name not in defined_tests(path)]
    assert not missing, f"docs/security.md:{line}: no such test: {', '.join(missing)}"

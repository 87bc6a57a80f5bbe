"""Tests of the colophon filter (editio.filters.colophon): the Div ``.colophon`` filled with the source revision,
the tools, the build date, the edition's identifier and licence and the checksums sentence, in the document's
language; a value not given prints the catalogue's word for it.

Golden case: tests/cases/colophon/basic/ (``input.md``) rendered as ``expected.typst``, ``expected.html`` and
``expected.epub``. The load stage's probes of the environment (the git revision, the tools' versions) are
replaced by fixed values, so the goldens do not change with the installed tools; ``pytest --update-goldens``
rewrites them: review the diff.
"""

from __future__ import annotations

import pytest
from helpers import ROOT, assert_matches_golden, prepare, render

from editio.ast import iter_nodes, stringify
from editio.load import manuscript

CASE = ROOT / "tests" / "cases" / "colophon" / "basic"
REVISION = "0123456789ab"
TOOLS = "editio 0.1.0, pandoc 3.9, typst 0.15.2"
CONFIG = {
    "filters": ["colophon"],
    "build-date": "2023-11-14",
    "licence-text": "CC BY 4.0",
    "identifier": "urn:uuid:00000000-0000-4000-8000-000000000001",
}


@pytest.fixture(autouse=True)
def fixed_probes(monkeypatch):
    monkeypatch.setattr(manuscript, "git_revision", lambda _root: REVISION)
    monkeypatch.setattr(manuscript, "tool_versions", lambda _session: TOOLS)


def colophon_edition(config: dict | None = None):
    return prepare((CASE / "input.md").read_text(encoding="utf-8"), {**CONFIG, **(config or {})})


def colophon_text(edition) -> list[str]:
    """The colophon's lines: each label with its value, then the checksums sentence."""
    (div,) = [d for d in iter_nodes(edition.doc["blocks"], ("Div",)) if "colophon" in d["c"][0][1]]
    (fields, sentence) = div["c"][1]
    return [f"{stringify(term)}: {stringify(definitions)}" for term, definitions in fields["c"]] + [stringify(sentence)]


@pytest.mark.parametrize("fmt", ["typst", "html", "epub"])
def test_golden(fmt):
    assert_matches_golden(render(colophon_edition(), fmt), CASE / f"expected.{fmt}")


def test_values_come_from_the_load_stage_and_the_edition():
    lines = colophon_text(colophon_edition())
    assert lines[:5] == [
        "Редакция\u00a0исходных\u00a0файлов: 0123456789ab",
        f"Инструменты: {TOOLS}",
        "Дата\u00a0сборки: 2023-11-14",
        "Идентификатор\u00a0издания: urn:uuid:00000000-0000-4000-8000-000000000001",
        "Лицензия: CC\u00a0BY\u00a04.0",
    ]
    assert "SHA256SUMS" in lines[5]


def test_another_language_and_checksums_file():
    lines = colophon_text(colophon_edition({"lang": "en", "colophon": {"checksums-file": "SUMS.txt"}}))
    assert [line.split(":")[0] for line in lines[:5]] == [
        "Source\u00a0revision",
        "Tools",
        "Build\u00a0date",
        "Edition\u00a0identifier",
        "Licence",
    ]
    assert "SUMS.txt" in lines[5] and "SHA256SUMS" not in lines[5]


def test_a_value_not_given_prints_the_catalogue_word():
    config = {key: value for key, value in CONFIG.items() if key != "licence-text"}
    edition = prepare((CASE / "input.md").read_text(encoding="utf-8"), config)
    assert colophon_text(edition)[4] == "Лицензия: не\u00a0указано"


def test_without_a_colophon_div_nothing_is_added():
    edition = prepare("Текст.\n", CONFIG)
    assert [b["t"] for b in edition.doc["blocks"]] == ["Para"]


def test_a_build_outside_git_prints_the_catalogues_word(tmp_path, monkeypatch):
    from editio.reproducible import git_revision

    assert git_revision(tmp_path) == ""  # not a repository
    monkeypatch.setattr(manuscript, "git_revision", git_revision)
    lines = colophon_text(colophon_edition())
    assert lines[0] == "Редакция\u00a0исходных\u00a0файлов: не указано"

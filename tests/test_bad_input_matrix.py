"""The bad-input matrix, wider than test_bad_input.py: every data file the pipeline reads, broken in syntax,
in encoding and in schema, plus bad markup in the manuscript. Each case must end with a non-zero exit, one
`file:line: error CODE: …` line naming the broken file and line, no traceback, and the earlier `dist/`
exactly as it was.

Data files of the mini fixture (glossary.yaml, factions.yaml) are broken in a copy of the mini project; the
data files only the real edition uses (persons.yaml, chronology.yaml, emendations.yaml, editorial-notes.yaml)
in a copy of the whole repository (without .git and dist). The earlier dist is a copy of the session's mini
build, so no case pays for a good build of its own.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINI, ROOT, run_build

Corrupt = Callable[[Path], None]


def _snapshot(dist: Path) -> dict[str, bytes]:
    return {p.relative_to(dist).as_posix(): p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file()}


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str, nth: int = 1) -> int:
    seen = 0
    for number, line in enumerate(path.read_bytes().decode("utf-8", errors="replace").splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"{needle!r} not in {path}")


def _first_line_matching(path: Path, pattern: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if re.search(pattern, line):
            return number
    raise AssertionError(f"{pattern!r} not in {path}")


def _write_bytes_after(path: Path, pattern: str, data: bytes) -> None:
    """Put ``data`` at the end of the first line matching ``pattern`` (a regular expression)."""
    lines = path.read_bytes().split(b"\n")
    for index, line in enumerate(lines):
        if re.search(pattern.encode(), line):
            lines[index] = line + data
            path.write_bytes(b"\n".join(lines))
            return
    raise AssertionError(f"{pattern!r} not in {path}")


def _only_filter(project: Path, name: str) -> None:
    """Run only ``name`` on the real edition: the case's error path is the same, the build much shorter."""
    config = project / "manuscript" / "edition.yaml"
    text = config.read_text(encoding="utf-8")
    match = re.search(r"^filters: \[(.*)\]$", text, re.M)
    assert match, "the real edition.yaml lists its filters in one flow sequence"
    config.write_text(text.replace(match.group(0), f"filters: [{name}]"), encoding="utf-8")


def _real(name: str, corrupt: Corrupt) -> Corrupt:
    return lambda project: (_only_filter(project, name), corrupt(project))


# --- mini fixture cases: (corrupt, code, shown file, line(project) or None) ---------------------------------

M = "manuscript"
MINI_CASES: dict[str, tuple[Corrupt, str, str, Callable[[Path], int] | None]] = {
    # glossary.yaml
    "glossary-invalid-yaml": (
        lambda p: _replace(p / M / "glossary.yaml", "term: COB", "term: [COB"),
        "YML001",
        "manuscript/glossary.yaml",
        lambda p: _line_of(p / M / "glossary.yaml", "expansion:"),
    ),
    "glossary-non-utf8": (
        lambda p: _write_bytes_after(p / M / "glossary.yaml", r"expansion:", b" \xff"),
        "SRC001",
        "manuscript/glossary.yaml",
        lambda p: _line_of(p / M / "glossary.yaml", "expansion:"),
    ),
    "glossary-wrong-type": (
        lambda p: _replace(p / M / "glossary.yaml", 'forms: ["COB", "Central Obrera Boliviana"]', "forms: 5"),
        "GLS001",
        "manuscript/glossary.yaml",
        lambda p: _line_of(p / M / "glossary.yaml", "- id: cob"),
    ),
    "glossary-missing-field": (
        lambda p: _replace(p / M / "glossary.yaml", "    term: COB\n", ""),
        "GLS001",
        "manuscript/glossary.yaml",
        lambda p: _line_of(p / M / "glossary.yaml", "- id: cob"),
    ),
    "glossary-undefined-key": (
        lambda p: _replace(p / M / "01-text.md", "COB стала", "[COB]{.gls key=nope} стала"),
        "GLS",
        "manuscript/01-text.md",
        lambda p: _line_of(p / M / "01-text.md", "key=nope"),
    ),
    # factions.yaml (one level above the manuscript: `faction-chart: {data: ../factions.yaml}`)
    "factions-invalid-yaml": (
        lambda p: _replace(p / "factions.yaml", "name: Рабочая партия", "name: [Рабочая партия"),
        "FAC001",
        "factions.yaml",
        lambda p: _line_of(p / "factions.yaml", "abbreviation: RP"),
    ),
    "factions-non-utf8": (
        lambda p: _write_bytes_after(p / "factions.yaml", r"name: Рабочая партия", b" \xff"),
        "SRC001",
        "factions.yaml",
        lambda p: _line_of(p / "factions.yaml", "name: Рабочая партия"),
    ),
    "factions-wrong-type": (
        lambda p: _replace(
            p / "factions.yaml",
            "founded: {year: 1940, precision: approx}",
            "founded: {year: sometime, precision: approx}",
        ),
        "FAC002",
        "factions.yaml",
        lambda p: _line_of(p / "factions.yaml", "year: sometime"),
    ),
    "factions-missing-field": (
        lambda p: _replace(p / "factions.yaml", "    name: Рабочая партия\n", ""),
        "FAC003",
        "factions.yaml",
        lambda p: _line_of(p / "factions.yaml", "- id: party"),
    ),
    "factions-unknown-id": (
        lambda p: _replace(p / "factions.yaml", "from: party, to: intl", "from: party, to: nope"),
        "FAC006",
        "factions.yaml",
        lambda p: _line_of(p / "factions.yaml", "to: nope"),
    ),
    "factions-cycle": (
        lambda p: _replace(
            p / "factions.yaml",
            "relations:\n",
            "relations:\n  - {type: split-from, from: party, to: split, period: {start: 1954}, source: note:4}\n",
        ),
        "FAC010",
        "factions.yaml",
        lambda p: _line_of(p / "factions.yaml", "from: split, to: party"),
    ),
    # the manuscript and edition.yaml
    "missing-image": (
        lambda p: _replace(p / M / "01-text.md", "# Текст\n", "# Текст\n\n![Схема](nope.png)\n"),
        "SRC004",
        "manuscript/01-text.md",
        lambda p: _line_of(p / M / "01-text.md", "nope.png"),
    ),
    "missing-inline-image": (
        lambda p: _replace(p / M / "01-text.md", "раскололась", "раскололась ![x](img/none.svg)"),
        "SRC004",
        "manuscript/01-text.md",
        lambda p: _line_of(p / M / "01-text.md", "none.svg"),
    ),
    "unknown-filter": (
        lambda p: _replace(p / M / "edition.yaml", "citeproc, typography]", "citeproc, nosuchfilter]"),
        "CFG006",
        "manuscript/edition.yaml",
        lambda p: _line_of(p / M / "edition.yaml", "nosuchfilter"),
    ),
    "unknown-filter-block-list": (
        lambda p: _replace(
            p / M / "edition.yaml",
            "filters: [citations, glossary,",
            "filters:\n  - nosuchfilter\n  - citations\n  - glossary\nx: [",
        ),
        "CFG006",
        "manuscript/edition.yaml",
        lambda p: _line_of(p / M / "edition.yaml", "- nosuchfilter"),
    ),
}

# --- real-edition cases ------------------------------------------------------------------------------------

R = "manuscript"
PERSONS, CHRONOLOGY, EMENDATIONS = (f"{R}/{n}.yaml" for n in ("persons", "chronology", "emendations"))
REAL_CASES: dict[str, tuple[Corrupt, str, str, Callable[[Path], int] | None]] = {
    # persons.yaml (name_index)
    "persons-invalid-yaml": (
        _real(
            "name_index",
            lambda p: _replace(p / PERSONS, "heading: Агирре Гайнсборг Х.", "heading: [Агирре Гайнсборг Х."),
        ),
        "YML001",
        PERSONS,
        lambda p: _line_of(p / PERSONS, "full-name: Агирре"),
    ),
    "persons-non-utf8": (
        _real("name_index", lambda p: _write_bytes_after(p / PERSONS, r"heading: Агирре", b" \xff")),
        "SRC001",
        PERSONS,
        lambda p: _line_of(p / PERSONS, "heading: Агирре"),
    ),
    "persons-wrong-type": (
        _real("name_index", lambda p: _replace(p / PERSONS, "    born: 1909\n", "    born: early\n")),
        "NAM",
        PERSONS,
        lambda p: _line_of(p / PERSONS, "- id: aguirre-gainsborg-jose"),
    ),
    "persons-missing-field": (
        _real("name_index", lambda p: _replace(p / PERSONS, "    heading: Агирре Гайнсборг Х.\n", "")),
        "NAM",
        PERSONS,
        lambda p: _line_of(p / PERSONS, "- id: aguirre-gainsborg-jose"),
    ),
    # chronology.yaml
    "chronology-invalid-yaml": (
        _real("chronology", lambda p: _replace(p / CHRONOLOGY, '  - date: "1946"\n', '  - date: ["1946"\n')),
        "YML001",
        CHRONOLOGY,
        lambda p: _line_of(p / CHRONOLOGY, "precision: year"),
    ),
    "chronology-non-utf8": (
        _real("chronology", lambda p: _write_bytes_after(p / CHRONOLOGY, r'^  - date: "1946"$', b" \xff")),
        "SRC001",
        CHRONOLOGY,
        lambda p: _line_of(p / CHRONOLOGY, '- date: "1946"'),
    ),
    "chronology-wrong-type": (
        _real("chronology", lambda p: _replace(p / CHRONOLOGY, '  - date: "1946"\n', "  - date: [1946]\n")),
        "CHR",
        CHRONOLOGY,
        lambda p: _line_of(p / CHRONOLOGY, "date: [1946]"),
    ),
    "chronology-missing-field": (
        _real(
            "chronology",
            lambda p: _replace(p / CHRONOLOGY, '    anchor: "свержения правительства Г. Вильярроэля"\n', ""),
        ),
        "CHR002",
        CHRONOLOGY,
        lambda p: _line_of(p / CHRONOLOGY, '- date: "1946"'),
    ),
    # emendations.yaml and the spans that name its entries
    "emendations-invalid-yaml": (
        _real("emendations", lambda p: _replace(p / EMENDATIONS, "- id: kratkoj\n", "- id: [kratkoj\n")),
        "YML001",
        EMENDATIONS,
        lambda p: _line_of(p / EMENDATIONS, "source: кратrой"),
    ),
    "emendations-non-utf8": (
        _real("emendations", lambda p: _write_bytes_after(p / EMENDATIONS, r"^- id: kratkoj$", b" \xff")),
        "SRC001",
        EMENDATIONS,
        lambda p: _line_of(p / EMENDATIONS, "- id: kratkoj"),
    ),
    "emendations-wrong-type": (
        _real("emendations", lambda p: _replace(p / EMENDATIONS, "  seed-line: 113\n", "  seed-line: [113]\n")),
        "EMD003",
        EMENDATIONS,
        lambda p: _line_of(p / EMENDATIONS, "seed-line: [113]"),
    ),
    "emendations-missing-field": (
        _real("emendations", lambda p: _replace(p / EMENDATIONS, "  source: кратrой\n", "")),
        "EMD003",
        EMENDATIONS,
        lambda p: _line_of(p / EMENDATIONS, "- id: kratkoj"),
    ),
    "emendation-undefined-key": (
        _real(
            "emendations",
            lambda p: _replace(p / R / "01-before-1952.md", "{.emendation key=kratkoj}", "{.emendation key=nope}"),
        ),
        "EMD001",
        f"{R}/01-before-1952.md",
        lambda p: _line_of(p / R / "01-before-1952.md", "key=nope"),
    ),
}


@pytest.fixture(scope="session")
def earlier_dist(mini_dist: Path) -> Path:
    """The artefacts of an earlier good build, copied into each case's project."""
    return mini_dist


def _mini_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(MINI, project)
    return project


def _real_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    ignore = shutil.ignore_patterns(
        ".git",
        "dist",
        "__pycache__",
        ".hypothesis",
        ".pytest_cache",
        "*.pdf",
        "*.epub",
        ".nox",
        ".venv",
        "build",
        ".cache",
    )
    shutil.copytree(ROOT, project, ignore=ignore)
    return project


def _check(
    project: Path, earlier: Path, corrupt: Corrupt, code: str, file: str, line: Callable[[Path], int] | None
) -> None:
    dist = project / "dist"
    shutil.copytree(earlier, dist)
    before = _snapshot(dist)
    corrupt(project)
    proc = run_build(project / "manuscript", dist, cwd=project, formats="html")
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    pattern = rf"^{re.escape(file)}:(\d+)(?::\d+)?: error {code}\d*: .+$"
    match = re.search(pattern, proc.stderr, re.M)
    assert match, f"expected {file}:<line>: error {code}… in:\n{proc.stderr}"
    if line is not None:
        assert int(match.group(1)) == line(project), proc.stderr
    assert _snapshot(dist) == before, "a failed build changed dist/"


@pytest.mark.parametrize("case", sorted(MINI_CASES))
def test_mini_bad_input(tmp_path: Path, earlier_dist: Path, case: str):
    _check(_mini_project(tmp_path), earlier_dist, *MINI_CASES[case])


@pytest.mark.parametrize("case", sorted(REAL_CASES))
def test_real_bad_input(tmp_path: Path, earlier_dist: Path, case: str):
    _check(_real_project(tmp_path), earlier_dist, *REAL_CASES[case])

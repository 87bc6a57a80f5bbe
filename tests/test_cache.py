"""The build cache (`.cache/editio/`): served only when nothing changed, never different bytes, never poisoned.

Each test builds a throw-away copy of the mini fixture (with the real filters) through the real command line;
"served from the cache" is asserted from the report's marker and from the output files being left untouched,
never from timing (the bench measures the time).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import MINI, ROOT, run_build

FORMATS = "html,epub"


@pytest.fixture()
def project(tmp_path) -> Path:
    shutil.copytree(MINI, tmp_path / "project")
    shutil.copytree(ROOT / "filters", tmp_path / "project" / "filters",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "project"


def build(project: Path, out: str = "dist", formats: str = FORMATS, *extra: str, env=None):
    env = {"EDITIO_NO_CACHE": "", **(env or {})}  # the cache on, even where the suite turns it off
    proc = run_build(project / "manuscript", project / out, cwd=project, formats=formats, env=env)
    if extra:  # run_build has no way to pass flags: call the command line the same way with the flag added
        import os
        import subprocess
        import sys

        full_env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        full_env.update({"PYTHONPATH": str(ROOT / "src"), "SOURCE_DATE_EPOCH": "1700000000", **(env or {})})
        proc = subprocess.run([sys.executable, "-m", "editio", "build", "--manuscript", str(project / "manuscript"),
                               "--out", str(project / out), "--format", formats, *extra], cwd=project,
                              env=full_env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def entries(project: Path) -> list[str]:
    cache = project / ".cache" / "editio"
    return sorted(p.name for p in cache.iterdir() if not p.name.startswith(".")) if cache.is_dir() else []


def test_no_change_is_served_from_cache(project: Path):
    first = build(project)
    assert "up to date" not in first and first.strip().splitlines()[-1].startswith("built ")
    assert len(entries(project)) == 2  # one entry per format
    before = stamps(project / "dist")
    second = build(project)
    assert "up to date" in second
    assert all(" cached " in line for line in second.splitlines() if "sha256" in line)
    assert second.strip().splitlines()[-1].startswith("built 0 of ")
    assert stamps(project / "dist") == before  # nothing rewritten


@pytest.mark.parametrize("changed", ["manuscript/01-text.md", "manuscript/edition.yaml", "manuscript/glossary.yaml",
                                     "references.bib", "factions.yaml", "filters/typography.py"])
def test_a_changed_source_invalidates(project: Path, changed: str):
    build(project)
    path = project / changed
    comment = "\n" if path.suffix in (".md", ".bib") else "\n# a comment\n"
    path.write_text(path.read_text(encoding="utf-8") + comment, encoding="utf-8")
    again = build(project)
    assert "up to date" not in again and "cached" not in again
    assert again.strip().splitlines()[-1].startswith("built ")
    assert len(entries(project)) == 4


def test_build_date_and_package_are_part_of_the_key(project: Path):
    build(project)
    again = build(project, env={"SOURCE_DATE_EPOCH": "1600000000"})
    assert "up to date" not in again and "cached" not in again
    from editio.cache import source_lines
    from editio.config import load_config

    lines = source_lines(load_config(project / "manuscript", project))
    assert any(line.startswith("file ") and line.split()[1].endswith("editio/build.py") for line in lines)
    assert any(line.startswith("file ") and line.split()[1].endswith("templates/edition.typst") for line in lines)
    assert any(line.startswith("typst ") for line in lines) and any(line.startswith("pypandoc-binary ") for line in lines)


def test_no_cache_rebuilds(project: Path):
    build(project)
    before = stamps(project / "dist")
    again = build(project, "dist", FORMATS, "--no-cache")
    assert "up to date" not in again and "cached" not in again
    assert again.strip().splitlines()[-1].startswith(f"built {len(before) - 1} artefacts")
    assert all(stamps(project / "dist")[name] != stamp for name, stamp in before.items())


def test_bytes_identical_with_and_without_cache(project: Path):
    build(project, "a")  # fills the cache
    restored = build(project, "b")  # a fresh folder: everything comes from the cache
    assert "restored from cache" in restored
    build(project, "c", FORMATS, "--no-cache")
    assert files(project / "a") == files(project / "b") == files(project / "c")


@pytest.mark.parametrize("damage", ["edit", "delete", "sums"])
def test_a_damaged_output_file_is_replaced(project: Path, damage: str):
    build(project)
    good = files(project / "dist")
    html = project / "dist" / "mini.html"
    if damage == "edit":
        html.write_bytes(html.read_bytes().replace(b"<body", b"<body data-x", 1))
    elif damage == "delete":
        html.unlink()
    else:
        (project / "dist" / "SHA256SUMS").write_text("", encoding="utf-8")
    again = build(project)
    assert "up to date" not in again and "restored from cache" in again
    assert files(project / "dist") == good


def test_a_damaged_cache_entry_is_rebuilt(project: Path):
    build(project)
    for cached in (project / ".cache" / "editio").rglob("mini.html"):
        cached.write_bytes(cached.read_bytes().replace(b"<body", b"<BODY", 1))
    good = files(project / "dist")
    again = build(project, "fresh")
    assert "from cache: epub; built: html" in again
    assert files(project / "fresh") == good


def test_a_failed_build_leaves_no_entry(project: Path):
    build(project)
    known = entries(project)
    text = project / "manuscript" / "01-text.md"
    original = text.read_text(encoding="utf-8")
    text.write_text(original + "\nСм. [@no-such-key].\n", encoding="utf-8")
    proc = run_build(project / "manuscript", project / "dist", cwd=project, formats=FORMATS,
                     env={"EDITIO_NO_CACHE": ""})
    assert proc.returncode == 1 and "BIB" in proc.stderr
    assert entries(project) == known
    assert not list((project / ".cache" / "editio").glob(".tmp-*"))
    text.write_text(original, encoding="utf-8")
    assert "up to date" in build(project)


def test_formats_are_cached_one_by_one(project: Path):
    build(project, "dist", "html")
    both = build(project, "dist", "html,epub")
    assert "from cache: html; built: epub" in both
    sums = (project / "dist" / "SHA256SUMS").read_text(encoding="utf-8")
    assert "mini.html" in sums and "mini.epub" in sums
    build(project, "alone", "epub", "--no-cache")
    assert files(project / "alone")["mini.epub"] == files(project / "dist")["mini.epub"]
    assert "up to date" in build(project, "dist", "html,epub")


def test_command_line_formats_match_the_build():
    from editio.build import FORMATS as BUILD_FORMATS
    from editio.cli import FORMATS as CLI_FORMATS

    assert CLI_FORMATS == BUILD_FORMATS

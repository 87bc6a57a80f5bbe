"""The build cache (`.cache/editio/`): served only when nothing changed, never different bytes, never poisoned.

Each test builds a throw-away copy of the mini fixture (with the real filters) through the real command line;
"served from the cache" is asserted from the report's marker and from the output files being left untouched,
never from timing (the bench measures the time).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import MINI, run_build

FORMATS = "html,epub"


@pytest.fixture()
def project(tmp_path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(MINI, project)
    # an edition's own filter, named by path, whose change must invalidate the cache like any source
    (project / "local").mkdir()
    (project / "local" / "mark.py").write_text(
        "from editio.filters.base import Filter\n\n\nclass Mark(Filter):\n    name = 'mark'\n\n\nFILTER = Mark\n",
        encoding="utf-8",
    )
    config = project / "manuscript" / "edition.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("filters: [", "filters: [local/mark.py, ", 1), encoding="utf-8")
    return project


def build(project: Path, out: str = "dist", formats: str = FORMATS, *extra: str, env=None):
    env = {"EDITIO_NO_CACHE": "", **(env or {})}  # the cache on, even where the suite turns it off
    proc = run_build(project / "manuscript", project / out, cwd=project, formats=formats, env=env, extra=extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


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


@pytest.mark.parametrize(
    "changed",
    [
        "manuscript/01-text.md",
        "manuscript/edition.yaml",
        "manuscript/glossary.yaml",
        "references.bib",
        "factions.yaml",
        "local/mark.py",
    ],
)
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
    assert any(line.startswith("typst ") for line in lines) and any(
        line.startswith("pypandoc-binary ") for line in lines
    )


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


def test_an_entry_naming_a_path_outside_itself_is_no_entry(project: Path):
    import json

    build(project)
    for manifest in (project / ".cache" / "editio").glob("*/manifest.json"):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        data["artefacts"][0]["path"] = "../" + data["artefacts"][0]["path"]
        manifest.write_text(json.dumps(data), encoding="utf-8")
    again = build(project, "fresh")
    assert "cached" not in again and again.strip().splitlines()[-1].startswith("built ")
    assert not (project / "mini.html").exists() and not (project / ".cache" / "mini.html").exists()


def test_a_failed_build_leaves_no_entry(project: Path):
    build(project)
    known = entries(project)
    text = project / "manuscript" / "01-text.md"
    original = text.read_text(encoding="utf-8")
    text.write_text(original + "\nСм. [@no-such-key].\n", encoding="utf-8")
    proc = run_build(
        project / "manuscript", project / "dist", cwd=project, formats=FORMATS, env={"EDITIO_NO_CACHE": ""}
    )
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


# --- warnings kept with the entries ------------------------------------------------------------------------------


def warning_lines(report: str) -> list[str]:
    return [line for line in report.splitlines() if re.search(r": warning [A-Z0-9]+: ", line)]


def test_a_cached_build_shows_the_warnings_of_the_build_that_made_it(project: Path):
    bib = project / "references.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8") + "\n@book{unused2001,\n  author = {Nadie, N.},\n"
        "  title = {Nunca citado},\n  year = {2001},\n  publisher = {X},\n  address = {Y}\n}\n",
        encoding="utf-8",
    )
    first = build(project)
    warnings = warning_lines(first)
    assert any("references.bib:" in w and "warning BIB005" in w and "unused2001" in w for w in warnings), first
    uncached = build(project, "plain", FORMATS, "--no-cache")
    assert warning_lines(uncached) == warnings  # the same lines with and without the cache
    up_to_date = build(project)
    assert "up to date" in up_to_date and warning_lines(up_to_date) == warnings
    restored = build(project, "elsewhere")
    assert "restored from cache" in restored and warning_lines(restored) == warnings
    partly = build(project, "more", "html,epub,pdf")
    assert "built: pdf" in partly and warning_lines(partly) == warnings


def test_a_writer_warning_is_kept_with_its_own_format_only(project: Path, monkeypatch):
    """A warning logged while one format is written travels with that format's entry: the other format's
    cached build does not show it, a cached build of both does."""
    from editio import build as pipeline
    from editio.cache import cached_build

    writer = pipeline._build_format

    def warning_in_epub(edition, fmt, stage):
        if fmt == "epub":
            edition.loaded.ctx.warn("EPB999", "a warning only the EPUB writer gives", "manuscript/01-text.md", 1)
        return writer(edition, fmt, stage)

    monkeypatch.setattr(pipeline, "_build_format", warning_in_epub)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    both = cached_build(project / "manuscript", project / "dist", ("html", "epub"), project).text()
    line = "manuscript/01-text.md:1: warning EPB999: a warning only the EPUB writer gives"
    assert f"  {line}" in both.splitlines()
    monkeypatch.setattr(pipeline, "_build_format", writer)  # from here on nothing may be built again
    html = cached_build(project / "manuscript", project / "html-only", ("html",), project)
    assert html.state == "restored" and line not in html.text()
    again = cached_build(project / "manuscript", project / "dist", ("html", "epub"), project)
    assert again.state == "up to date" and f"  {line}" in again.text().splitlines()


# --- what the key reads ------------------------------------------------------------------------------------------


def key_lines(project: Path) -> list[str]:
    from editio.cache import source_lines
    from editio.config import load_config

    return source_lines(load_config(project / "manuscript", project))


def test_links_out_of_the_project_and_special_files_are_not_read(project: Path, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the project\n", encoding="utf-8")
    (project / "manuscript" / "zero.md").symlink_to("/dev/zero")
    (project / "manuscript" / "secret.md").symlink_to(secret)
    (project / "manuscript" / "loop.md").symlink_to("loop.md")
    (project / "manuscript" / "inside.md").symlink_to("01-text.md")
    os.mkfifo(project / "manuscript" / "pipe")
    lines = {
        line.split()[1].rsplit("/", 1)[-1]: line.split(" ", 2)[2]
        for line in key_lines(project)
        if line.startswith("file ") and "/manuscript/" in line
    }
    assert lines["zero.md"] == "link /dev/zero"
    assert lines["secret.md"] == f"link {secret}"
    assert lines["loop.md"] == "link loop.md"
    assert lines["inside.md"] == lines["01-text.md"] and re.fullmatch(r"[0-9a-f]{64}", lines["inside.md"])
    assert lines["pipe"].startswith("special ")
    before = key_lines(project)
    secret.write_text("changed, and not read\n", encoding="utf-8")
    assert key_lines(project) == before
    build(project)  # run_build's subprocess would hang on /dev/zero or the FIFO; it finishes
    assert "up to date" in build(project)


def test_an_image_named_from_the_project_root_is_part_of_the_key(project: Path):
    figures = project / "figures"
    figures.mkdir()
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="{}"/></svg>'
    )
    (figures / "square.svg").write_text(svg.format("red"), encoding="utf-8")
    text = project / "manuscript" / "01-text.md"
    text.write_text(text.read_text(encoding="utf-8") + "\n![Квадрат](figures/square.svg)\n", encoding="utf-8")
    build(project)
    assert any(b"red" in data for name, data in files(project / "dist").items() if name.startswith("media/"))
    (figures / "square.svg").write_text(svg.format("blue"), encoding="utf-8")
    again = build(project)
    assert "up to date" not in again
    assert any(b"blue" in data for name, data in files(project / "dist").items() if name.startswith("media/"))
    assert "up to date" in build(project)  # the output folder's own images (dist/media) are not part of the key


def test_file_names_that_are_not_utf8(project: Path):
    name = os.fsdecode(b"notes-\xff\xfe.txt")
    (project / "manuscript" / name).write_text("a note\n", encoding="utf-8")
    build(project)
    assert "up to date" in build(project)
    (project / "manuscript" / name).write_text("another note\n", encoding="utf-8")
    assert "up to date" not in build(project)


# --- failures of the cache ---------------------------------------------------------------------------------------


def test_a_cache_that_cannot_be_written_is_a_warning(project: Path):
    (project / ".cache").write_text("a file where the cache folder should be\n", encoding="utf-8")
    first = build(project)
    assert re.search(r"^  \.cache/editio: warning CCH001: could not store the html build in the cache", first, re.M)
    assert first.strip().splitlines()[-1].startswith("built ")
    assert files(project / "dist") == files(Path(build_plain(project)))
    again = build(project)
    assert "up to date" not in again and "CCH001" in again


def build_plain(project: Path) -> str:
    build(project, "plain", FORMATS, "--no-cache")
    return str(project / "plain")


def test_a_failed_restore_leaves_the_output_as_it_was(project: Path, monkeypatch):
    from editio import publish
    from editio.cache import cached_build
    from editio.errors import EditionError

    build(project)
    html = project / "dist" / "mini.html"
    html.write_bytes(html.read_bytes().replace(b"<body", b"<body data-x", 1))
    (project / "dist" / "stray.txt").write_text("not listed\n", encoding="utf-8")
    damaged = files(project / "dist")

    def refuse(new, out, tmp):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish, "_swap", refuse)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    with pytest.raises(EditionError) as failure:
        cached_build(project / "manuscript", project / "dist", ("html", "epub"), project)
    assert [d.code for d in failure.value.diagnostics] == ["OUT001"]
    assert files(project / "dist") == damaged
    monkeypatch.undo()
    assert "restored from cache" in build(project)
    assert "stray.txt" not in files(project / "dist")  # published as a whole: exactly the listed artefacts

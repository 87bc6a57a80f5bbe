"""Two clean builds of one commit, in different folders, times, time zones and locales, give the same bytes."""

from __future__ import annotations

import time
from pathlib import Path

from conftest import MINI, ROOT, run_build

ARTEFACTS = ("pdf", "epub", "html")


def _bytes(dist: Path) -> dict[str, bytes]:
    return {p.relative_to(dist).as_posix(): p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file()}


def test_real_edition_is_byte_reproducible(edition_dist: Path, tmp_path: Path):
    time.sleep(1.1)  # a different wall-clock second than the shared build
    other = tmp_path / "elsewhere" / "dist"
    proc = run_build(
        ROOT / "manuscript", other, env={"TZ": "Pacific/Kiritimati", "LANG": "de_DE.UTF-8", "LC_ALL": "de_DE.UTF-8"}
    )
    assert proc.returncode == 0, proc.stderr
    first, second = _bytes(edition_dist), _bytes(other)
    first.pop("build-report.txt", None)
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
    assert not differing, f"artefacts differ between builds: {differing}"


def test_build_date_follows_source_date_epoch(tmp_path: Path):
    a = run_build(MINI / "manuscript", tmp_path / "a", env={"SOURCE_DATE_EPOCH": "1700000000"}, formats="epub")
    b = run_build(MINI / "manuscript", tmp_path / "b", env={"SOURCE_DATE_EPOCH": "1600000000"}, formats="epub")
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert (tmp_path / "a" / "mini.epub").read_bytes() != (tmp_path / "b" / "mini.epub").read_bytes()


def test_no_absolute_paths_in_artefacts(edition_dist: Path):
    import zipfile

    needles = [str(ROOT).encode(), b"/tmp/", b"/home/", b"/root/"]
    for path in edition_dist.rglob("*"):
        if not path.is_file() or path.name == "build-report.txt":
            continue
        blobs = [path.read_bytes()]
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as z:
                blobs = [z.read(n) for n in z.namelist()]
        for blob in blobs:
            for needle in needles:
                assert needle not in blob, f"{path.name} contains {needle!r}"

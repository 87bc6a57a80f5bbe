"""Every filter in filters/ also runs as a plain `pandoc --filter filters/<name>.py` on the real manuscript, run
from a copy of the manuscript folder as a pandoc user would (data files relative to it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from helpers import pandoc_with_filter

from editio.load.pandoc import pandoc_path

FILTERS = sorted(p.stem for p in (ROOT / "filters").glob("*.py"))
MANUSCRIPT = ROOT / "manuscript"


ARGS = (
    "-f",
    "markdown",
    "-t",
    "html5",
    "--metadata-file",
    "edition.yaml",
    "--metadata",
    "bibliography=../references.bib",
)


@pytest.fixture(scope="module")
def manuscript(tmp_path_factory) -> tuple[Path, str, str]:
    """A copy of the manuscript folder, its text and pandoc's HTML of the text without any filter."""
    root = tmp_path_factory.mktemp("filters-cli")
    folder = root / "manuscript"
    shutil.copytree(MANUSCRIPT, folder)
    shutil.copyfile(ROOT / "references.bib", root / "references.bib")
    config = yaml.safe_load((folder / "edition.yaml").read_text(encoding="utf-8"))
    text = "\n\n".join((folder / f).read_text(encoding="utf-8") for f in config["files"])
    plain = subprocess.run([pandoc_path(), *ARGS], input=text, capture_output=True, text=True, cwd=folder, check=True)
    return folder, text, plain.stdout


@pytest.mark.parametrize("name", FILTERS)
def test_filter_runs_under_pandoc(name: str, manuscript):
    folder, text, plain = manuscript
    proc = pandoc_with_filter(name, *ARGS, input=text, cwd=folder)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Пулакайо" in proc.stdout
    assert proc.stdout != plain, f"{name} changed nothing"

"""Every filter in filters/ also runs as a plain `pandoc --filter filters/<name>.py` on the real manuscript, run
from a copy of the manuscript folder as a pandoc user would (data files relative to it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from pypandoc import get_pandoc_path

FILTERS = sorted(p.stem for p in (ROOT / "filters").glob("*.py"))
MANUSCRIPT = ROOT / "manuscript"


@pytest.fixture(scope="module")
def manuscript(tmp_path_factory) -> tuple[Path, str, list[str], dict[str, str], str]:
    """A copy of the manuscript folder, its text, the pandoc command, the environment and pandoc's HTML of the
    text without any filter."""
    root = tmp_path_factory.mktemp("filters-cli")
    folder = root / "manuscript"
    shutil.copytree(MANUSCRIPT, folder)
    shutil.copyfile(ROOT / "references.bib", root / "references.bib")
    config = yaml.safe_load((folder / "edition.yaml").read_text(encoding="utf-8"))
    text = "\n\n".join((folder / f).read_text(encoding="utf-8") for f in config["files"])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    command = [
        get_pandoc_path(),
        "-f",
        "markdown",
        "-t",
        "html5",
        "--metadata-file",
        "edition.yaml",
        "--metadata",
        "bibliography=../references.bib",
    ]
    plain = subprocess.run(command, input=text, capture_output=True, text=True, env=env, cwd=folder, check=True)
    return folder, text, command, env, plain.stdout


@pytest.mark.parametrize("name", FILTERS)
def test_filter_runs_under_pandoc(name: str, manuscript):
    folder, text, command, env, plain = manuscript
    proc = subprocess.run(
        [*command, "--filter", str(ROOT / "filters" / f"{name}.py")],
        input=text,
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Пулакайо" in proc.stdout
    assert proc.stdout != plain, f"{name} changed nothing"

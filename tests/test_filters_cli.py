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
from pypandoc import get_pandoc_path

from conftest import ROOT

FILTERS = sorted(p.stem for p in (ROOT / "filters").glob("*.py"))
MANUSCRIPT = ROOT / "manuscript"


@pytest.mark.parametrize("name", FILTERS)
def test_filter_runs_under_pandoc(name: str, tmp_path: Path):
    manuscript = tmp_path / "manuscript"
    shutil.copytree(MANUSCRIPT, manuscript)
    shutil.copyfile(ROOT / "references.bib", tmp_path / "references.bib")
    config = yaml.safe_load((manuscript / "edition.yaml").read_text(encoding="utf-8"))
    text = "\n\n".join((manuscript / f).read_text(encoding="utf-8") for f in config["files"])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    command = [get_pandoc_path(), "-f", "markdown", "-t", "html5", "--metadata-file", "edition.yaml",
               "--metadata", "bibliography=../references.bib"]
    plain = subprocess.run(command, input=text, capture_output=True, text=True, env=env, cwd=manuscript)
    proc = subprocess.run([*command, "--filter", str(ROOT / "filters" / f"{name}.py")],
                          input=text, capture_output=True, text=True, env=env, cwd=manuscript)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Пулакайо" in proc.stdout
    assert proc.stdout != plain.stdout, f"{name} changed nothing"

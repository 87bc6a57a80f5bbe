"""Every filter in filters/ also runs as a plain `pandoc --filter filters/<name>.py` on the real manuscript."""

from __future__ import annotations

import os
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
    config = yaml.safe_load((MANUSCRIPT / "edition.yaml").read_text(encoding="utf-8"))
    text = "\n\n".join((MANUSCRIPT / f).read_text(encoding="utf-8") for f in config["files"])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    proc = subprocess.run(
        [get_pandoc_path(), "-f", "markdown", "-t", "html5", "--metadata-file", str(MANUSCRIPT / "edition.yaml"),
         "--filter", str(ROOT / "filters" / f"{name}.py"),
         "--metadata", f"manuscript-dir={MANUSCRIPT}", "--metadata", f"media-dir={tmp_path}",
         "--metadata", f"bibliography={ROOT / 'references.bib'}"],
        input=text, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Пулакайо" in proc.stdout

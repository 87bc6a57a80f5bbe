"""`editio new DIR` then `editio build`: a user's own project, anywhere on disk, built from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import EPOCH, ROOT

pytestmark = pytest.mark.e2e


def editio(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, EDITIO_NO_CACHE="1")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "editio", *args], cwd=cwd, env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("anywhere") / "my-book"
    proc = editio("new", str(folder), "--lang", "de", cwd=folder.parent)
    assert proc.returncode == 0, proc.stderr
    return folder


def test_the_skeleton_builds_in_every_format_from_inside_the_project(project: Path):
    proc = editio("build", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    dist = project / "dist"
    name = yaml.safe_load((project / "manuscript" / "edition.yaml").read_text(encoding="utf-8"))["output-name"]
    for suffix in (".pdf", ".epub", ".html"):
        assert (dist / f"{name}{suffix}").stat().st_size > 1000
    listed = {line.split()[1] for line in (dist / "SHA256SUMS").read_text(encoding="utf-8").splitlines()}
    assert {f"{name}.pdf", f"{name}.epub", f"{name}.html"} <= listed
    assert any(path.startswith("media/") for path in listed), "the skeleton's figure is not in the HTML's media"
    html = (dist / f"{name}.html").read_text(encoding="utf-8")
    assert 'lang="de"' in html and "Inhalt" in html  # the language the user asked for, words from the catalogue


def test_building_from_another_folder_with_an_output_elsewhere(project: Path, tmp_path: Path):
    proc = editio("build", str(project), "--out", str(tmp_path / "out"), "--format", "html", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(list((tmp_path / "out").glob("*.html"))) == 1


def test_each_new_project_has_its_own_identifier(project: Path, tmp_path: Path):
    other = tmp_path / "second"
    assert editio("new", str(other), cwd=tmp_path).returncode == 0
    ids = {
        yaml.safe_load((p / "manuscript" / "edition.yaml").read_text(encoding="utf-8"))["identifier"]
        for p in (project, other)
    }
    assert len(ids) == 2 and all(i.startswith("urn:uuid:") for i in ids)


@pytest.mark.parametrize(("args", "code"), [(["--lang", "not a tag"], "CLI003"), ([], "CLI002")])
def test_new_refuses_a_bad_language_or_a_folder_in_use(args, code, project: Path, tmp_path: Path):
    target = project if code == "CLI002" else tmp_path / "fresh"
    proc = editio("new", str(target), *args, cwd=tmp_path)
    assert proc.returncode != 0
    assert f"error {code}:" in proc.stderr and "Traceback" not in proc.stderr

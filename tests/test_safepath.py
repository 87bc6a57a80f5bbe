"""Paths a manuscript names (editio.safepath): one test per refusal code, plus reads that cannot block or overflow
and file names that are not UTF-8."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from editio.errors import EditionError
from editio.safepath import printable_name, read_text_limited, resolve_project_path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "manuscript" / "media").mkdir(parents=True)
    (root / "manuscript" / "media" / "chart.svg").write_text("<svg/>", encoding="utf-8")
    (root / "manuscript" / "01-text.md").write_text("Текст\n", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("secret", encoding="utf-8")
    return root


def refusal(root: Path, name, **kw) -> tuple[str, str]:
    kw.setdefault("what", "image")
    with pytest.raises(EditionError) as caught:
        resolve_project_path(root, name, file="manuscript/01-text.md", line=7, **kw)
    [d] = caught.value.diagnostics
    assert (d.file, d.line) == ("manuscript/01-text.md", 7)
    str(d).encode("utf-8")  # printable whatever the name held
    return d.code, d.message


@pytest.fixture(autouse=True)
def no_hang():
    """A read that blocks (a FIFO, a device) fails the test instead of hanging the run."""

    def stop(*_):
        raise TimeoutError("blocked")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def test_a_plain_relative_path_resolves_inside(project: Path):
    path = resolve_project_path(project, "media/chart.svg", base="manuscript", what="image")
    assert path == (project / "manuscript" / "media" / "chart.svg").resolve()
    assert resolve_project_path(project, "manuscript/./media/../media/chart.svg", what="image") == path


@pytest.mark.parametrize(
    "name",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:8000/x.png",
        "https://example.org/x.png",
        "data:image/png;base64,AAAA",
        "ftp://x/y",
        "FILE:/etc/passwd",
        "jar:x!/y",
        "file%3A///etc/passwd",
    ],
)
def test_urls_and_schemes_are_saf010(project: Path, name: str):
    code, message = refusal(project, name)
    assert code == "SAF010" and "never fetches" in message


@pytest.mark.parametrize(
    "name",
    ["/etc/passwd", "//host/share/x", "\\\\host\\share\\x", "C:\\x.png", "c:/x.png", "~/x.png", "%2Fetc%2Fpasswd"],
)
def test_absolute_paths_are_saf011(project: Path, name: str):
    assert refusal(project, name)[0] == "SAF011"


@pytest.mark.parametrize(
    "name",
    ["../../outside.txt", "media/../../../outside.txt", "..\\..\\outside.txt", "%2e%2e/%2e%2e/outside.txt", "../.."],
)
def test_climbing_out_is_saf012(project: Path, name: str):
    assert refusal(project, name, base="manuscript")[0] == "SAF012"


def test_symlink_out_of_the_project_is_saf013(project: Path, tmp_path: Path):
    (project / "manuscript" / "passwd.png").symlink_to("/etc/passwd")
    (project / "manuscript" / "zero.md").symlink_to("/dev/zero")
    (project / "manuscript" / "up").symlink_to(tmp_path)
    for name in ("passwd.png", "zero.md", "up/outside.txt"):
        code, message = refusal(project, name, base="manuscript")
        assert code == "SAF013" and "outside the project" in message, name


def test_symlink_inside_the_project_is_allowed(project: Path):
    (project / "manuscript" / "alias.svg").symlink_to("media/chart.svg")
    path = resolve_project_path(project, "alias.svg", base="manuscript", what="image")
    assert path == (project / "manuscript" / "media" / "chart.svg").resolve()


def test_directory_and_fifo_are_saf014(project: Path):
    os.mkfifo(project / "manuscript" / "pipe.md")
    assert refusal(project, "media", base="manuscript")[0] == "SAF014"
    assert refusal(project, "pipe.md", base="manuscript")[0] == "SAF014"
    with pytest.raises(EditionError) as caught:
        read_text_limited(project / "manuscript" / "pipe.md", 1000, "manuscript/pipe.md")
    assert caught.value.diagnostics[0].code == "SAF014"


def test_device_is_refused_by_the_reader():
    with pytest.raises(EditionError) as caught:
        read_text_limited("/dev/zero", 1000, "zero")
    assert caught.value.diagnostics[0].code == "SAF014"


def test_too_large_is_saf015(project: Path):
    big = project / "manuscript" / "big.md"
    big.write_bytes(b"x" * 2001)
    code, message = refusal(project, "big.md", base="manuscript", max_bytes=2000)
    assert code == "SAF015" and "2,001 bytes" in message
    assert resolve_project_path(project, "big.md", base="manuscript", what="text", max_bytes=2001) == big.resolve()
    with pytest.raises(EditionError) as caught:
        read_text_limited(big, 2000, "manuscript/big.md")
    assert caught.value.diagnostics[0].code == "SAF015"
    assert read_text_limited(big, 2001) == "x" * 2001


def test_missing_and_dangling_are_saf016(project: Path):
    (project / "manuscript" / "dangling.png").symlink_to("nowhere.png")
    assert refusal(project, "missing.png", base="manuscript")[0] == "SAF016"
    assert refusal(project, "dangling.png", base="manuscript")[0] == "SAF016"


@pytest.mark.parametrize("name", ["", "a\x00b.png", "a\nb.png", 42, ["x"], None])
def test_bad_names_are_saf017(project: Path, name):
    assert refusal(project, name)[0] == "SAF017"


def test_non_utf8_file_names_are_shown_escaped(project: Path):
    raw = os.fsencode(project / "manuscript") + b"/caf\xe9.png"
    with open(raw, "wb") as handle:
        handle.write(b"png")
    name = os.fsdecode(b"caf\xe9.png")  # how os.listdir and sys.argv hand it over
    assert resolve_project_path(project, name, base="manuscript", what="image") == Path(os.fsdecode(raw))
    code, message = refusal(project, os.fsdecode(b"caf\xe9-missing.png"), base="manuscript")
    assert code == "SAF016" and "caf\\xe9-missing.png" in message
    assert printable_name(b"caf\xe9\n.png") == "caf\\xe9\\x0a.png"
    assert printable_name("кафе.png") == "кафе.png"


def test_read_text_limited_is_strict_utf8_with_the_position(project: Path):
    bad = project / "manuscript" / "latin1.md"
    bad.write_bytes("Строка\nвторая caf".encode() + b"\xe9\n")
    with pytest.raises(EditionError) as caught:
        read_text_limited(bad, 1000, "manuscript/latin1.md")
    [d] = caught.value.diagnostics
    assert (d.code, d.file, d.line, d.column) == ("SRC001", "manuscript/latin1.md", 2, 11)
    (project / "manuscript" / "bom.md").write_bytes(b"\xef\xbb\xbfa\r\nb")
    assert read_text_limited(project / "manuscript" / "bom.md", 100) == "a\nb"
    with pytest.raises(EditionError) as caught:
        read_text_limited(project / "manuscript" / "none.md", 100, "manuscript/none.md")
    assert caught.value.diagnostics[0].code == "SRC002"

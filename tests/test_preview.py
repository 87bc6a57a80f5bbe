"""`python -m editio.preview`: serve on 127.0.0.1, rebuild on change, reload pages, show build errors.

Every server here listens on 127.0.0.1 with an ephemeral port, runs on a throw-away copy of the mini fixture,
is waited for with deadlines and is stopped (Ctrl-C) in a finally block.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from conftest import EPOCH, ROOT

from editio.preview import BuildState, decorate, watched_files

START_SECONDS = 60
CHANGE_SECONDS = 20


class Preview:
    """The preview server in a subprocess, its output collected by a reader thread."""

    def __init__(self, project: Path, sigint_ignored: bool = False):
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        env.update(
            PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
            SOURCE_DATE_EPOCH=EPOCH,
            PYTHONUNBUFFERED="1",
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "editio.preview", "--port", "0"],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            # as `trap '' INT` in a shell does: the preview must still stop on Ctrl-C
            preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if sigint_ignored else None,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.port = self._wait_for_port()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)
            self._queue.put(line)

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if match:
                return int(match.group(1))
        raise AssertionError("the preview did not start:\n" + self.output)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def get(self, path: str) -> tuple[int, str, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read().decode("utf-8"), dict(response.getheaders())
        finally:
            conn.close()

    def events(self) -> Events:
        return Events(self.port)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return self.proc.returncode


class Events:
    """A Server-Sent Events connection to /__editio/events."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CHANGE_SECONDS)
        self.conn.request("GET", "/__editio/events")
        self.sock = self.conn.sock  # the response keeps reading from it after the connection lets go
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type").startswith("text/event-stream")

    def next(self, deadline: float) -> dict:
        """The next `data:` event, or AssertionError at the deadline."""
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                line = self.response.readline().decode("utf-8")
            except TimeoutError:
                break
            if not line:
                raise AssertionError("the events stream closed")
            if line.startswith("data: "):
                return json.loads(line[len("data: ") :])
        raise AssertionError("no build event before the deadline")

    def close(self):
        self.response.close()
        self.conn.close()
        self.sock.close()


def wait_for_page(server: Preview, events: Events, seen: str, check) -> tuple[dict, str]:
    """Wait (bounded) for a build other than ``seen`` after which the page passes ``check``."""
    deadline = time.monotonic() + CHANGE_SECONDS
    event = {"build": seen}
    while True:
        event = events.next(deadline)
        if event["build"] != seen:
            status, page, _ = server.get("/mini.html")
            if status == 200 and check(event, page):
                return event, page
        if time.monotonic() >= deadline:
            raise AssertionError(f"page never passed the check; last event {event}\n{server.output}")


OVERLAY = 'id="editio-preview-errors"'


def test_preview_rebuilds_reloads_and_shows_errors(project_copy: Path):
    text_file = project_copy / "manuscript" / "01-text.md"
    original = text_file.read_text(encoding="utf-8")
    server = Preview(project_copy)
    events = None
    try:
        status, _, headers = server.get("/")
        assert status == 302 and headers["Location"] == "/mini.html"
        status, page, headers = server.get("/mini.html")
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        assert "/__editio/events" in page and "location.reload()" in page
        assert "началась революция" in page and OVERLAY not in page
        # The script lives in the response only, not in the built file.
        on_disk = (project_copy / "build" / "preview" / "mini.html").read_text(encoding="utf-8")
        assert "/__editio/events" not in on_disk
        assert server.get("/edition.css")[0] == 200

        events = server.events()
        first = events.next(time.monotonic() + CHANGE_SECONDS)
        assert first["ok"] is True
        assert f'"{first["build"]}"' in page  # the page knows the build it shows

        # 1. an edit: a new build id, and the page shows the new text
        text_file.write_text(original.replace("началась революция", "началась великая революция"), encoding="utf-8")
        second, page = wait_for_page(server, events, first["build"], lambda e, p: e["ok"] and "великая революция" in p)
        assert OVERLAY not in page

        # 2. a broken manuscript: the overlay names the code and file:line; the last good page stays served
        text_file.write_text(
            original.replace("началась революция", "началась великая революция").replace(
                "@smith2000", "@nosuchkey1999"
            ),
            encoding="utf-8",
        )
        third, page = wait_for_page(server, events, second["build"], lambda e, p: not e["ok"] and OVERLAY in p)
        assert third["errors"] >= 1
        overlay = page[page.index(OVERLAY) :]
        assert "BIB004" in overlay and "manuscript/01-text.md:6" in overlay
        assert "&#x27;nosuchkey1999&#x27;" in overlay  # escaped
        assert "великая революция" in page  # the last good build
        assert "/__editio/events" in page  # the reload script still there
        assert "manuscript/01-text.md:6: error BIB004" in server.output  # the terminal shows the CLI's lines
        status, body, _ = server.get("/__editio/status")
        assert status == 200 and json.loads(body)["ok"] is False

        # 3. fixed: the overlay is gone
        text_file.write_text(original.replace("началась революция", "началась революция снова"), encoding="utf-8")
        _, page = wait_for_page(server, events, third["build"], lambda e, p: e["ok"] and "революция снова" in p)
        assert OVERLAY not in page

        # 4. nothing outside the output folder
        for path in (
            "/../manuscript/edition.yaml",
            "/%2e%2e/manuscript/edition.yaml",
            "/media/../../references.bib",
            "/..%2f..%2fmanuscript/edition.yaml",
            "/.stage-x/mini.html",
        ):
            assert server.get(path)[0] in (403, 404), path
    finally:
        if events is not None:
            events.close()
        code = server.stop()
    assert code == 0, server.output
    assert "preview stopped" in server.output


def test_preview_first_build_failing_shows_a_page_with_the_errors(project_copy: Path):
    bib = project_copy / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("smith2000", "smith2001"), encoding="utf-8")
    server = Preview(project_copy)
    try:
        status, page, _ = server.get("/")
        assert status == 200
        assert OVERLAY in page and "BIB004" in page and "/__editio/events" in page
        assert server.get("/mini.html")[0] == 404
        events = server.events()
        try:
            first = events.next(time.monotonic() + CHANGE_SECONDS)
            assert first["ok"] is False
            # references.bib is watched: fixing it rebuilds
            bib.write_text(bib.read_text(encoding="utf-8").replace("smith2001", "smith2000"), encoding="utf-8")
            wait_for_page(server, events, first["build"], lambda e, p: e["ok"] and OVERLAY not in p)
        finally:
            events.close()
        status, _, headers = server.get("/")
        assert status == 302 and headers["Location"] == "/mini.html"
    finally:
        code = server.stop()
    assert code == 0, server.output


def test_ctrl_c_stops_the_preview_even_when_started_with_sigint_ignored(project_copy: Path):
    preview = Preview(project_copy, sigint_ignored=True)
    started = time.monotonic()
    preview.proc.send_signal(signal.SIGINT)
    preview.proc.wait(timeout=10)
    assert time.monotonic() - started < 5
    assert "Traceback" not in preview.output


def test_watched_files_follow_edition_yaml(project_copy: Path):
    manuscript = project_copy / "manuscript"
    (project_copy / "local").mkdir()
    (project_copy / "local" / "mark.py").write_text("", encoding="utf-8")  # an edition's own filter, by path
    config = manuscript / "edition.yaml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["filters"] = [*data.get("filters", []), "local/mark.py"]
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    files = {p.resolve() for p in watched_files(manuscript, project_copy, project_copy / "build" / "preview")}
    for name in (
        "manuscript/edition.yaml",
        "manuscript/01-text.md",
        "manuscript/glossary.yaml",
        "factions.yaml",
        "references.bib",
        "local/mark.py",
    ):
        assert (project_copy / name).resolve() in files, name
    # the output folder is never watched, even inside the manuscript folder
    (manuscript / "out").mkdir()
    (manuscript / "out" / "mini.html").write_text("x", encoding="utf-8")
    files = watched_files(manuscript, project_copy, manuscript / "out")
    assert not any("out" in p.relative_to(manuscript).parts for p in files if manuscript in p.parents)


def test_overlay_escapes_diagnostics():
    state = BuildState()
    state.publish(False, ['m.md:1: error X001: <script>alert("x")</script> & more'])
    page = decorate("<html><body><p>old</p></body></html>", state.snapshot())
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in page
    assert page.index(OVERLAY) > page.index("<p>old</p>") and page.endswith("</body></html>")
    state.publish(True, [])
    assert OVERLAY not in decorate("<p>no body tag</p>", state.snapshot())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))

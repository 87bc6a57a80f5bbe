"""Live preview: build the HTML, serve it on 127.0.0.1, rebuild when a source changes, reload open pages.

    python -m editio.preview [--port 8000] [--manuscript manuscript] [--out build/preview]

The server watches the manuscript folder, ``references.bib``, the files ``edition.yaml`` points at and the
filters (polling modification times and sizes every half second), rebuilds the HTML on a change and tells open
pages over Server-Sent Events (``/__editio/events``) to reload. The reload script and, after a failed build,
an overlay listing the diagnostics are injected into served HTML responses only; the file on disk stays as the
build wrote it. A failed build leaves the last good HTML served (the build is atomic). Standard library only.
"""

from __future__ import annotations

import argparse
import html
import json
import mimetypes
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from .build import build
from .config import CONFIG_NAME
from .errors import EditionError

HOST = "127.0.0.1"
POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 15.0
EVENTS_PATH = "/__editio/events"
STATUS_PATH = "/__editio/status"


# ---------------------------------------------------------------------------------------------------- state


@dataclass
class BuildState:
    """What the last build left: its id (new after every attempt), whether it failed, and its diagnostics."""

    session: str = field(default_factory=lambda: format(time.time_ns(), "x"))
    number: int = 0
    ok: bool = True
    errors: list[str] = field(default_factory=list)
    page: str | None = None  # the HTML file (relative to the output folder) of the last good build
    cond: threading.Condition = field(default_factory=threading.Condition)
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def build_id(self) -> str:
        # The session part makes ids from a restarted server differ from the ones an open page saw.
        return f"{self.session}-{self.number}"

    def publish(self, ok: bool, errors: list[str], page: str | None = None) -> None:
        with self.cond:
            self.number += 1
            self.ok = ok
            self.errors = list(errors)
            if page is not None:
                self.page = page
            self.cond.notify_all()

    def snapshot(self) -> dict:
        with self.cond:
            return {"build": self.build_id, "ok": self.ok, "errors": list(self.errors)}

    def stop(self) -> None:
        self.stopping.set()
        with self.cond:
            self.cond.notify_all()


# ---------------------------------------------------------------------------------------------------- watch


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def watched_files(manuscript: Path, root: Path, out: Path) -> set[Path]:
    """Every file whose change should rebuild: the manuscript folder, references.bib, what edition.yaml
    names (data files, the bibliography, a CSL file, folders of media, the edition's own filters, which are named
    from the project folder)."""
    files: set[Path] = set()

    def add_tree(folder: Path) -> None:
        for path in folder.rglob("*"):
            relative = path.relative_to(folder).parts
            if any(part.startswith(".") or part == "__pycache__" for part in relative):
                continue
            if path.is_file() and not _inside(path, out):
                files.add(path)

    if manuscript.is_dir():
        add_tree(manuscript)
    bib = root / "references.bib"
    if bib.is_file():
        files.add(bib)
    try:
        data = yaml.safe_load((manuscript / CONFIG_NAME).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        data = None
    for value in _strings(data):
        if not value or len(value) > 400 or "\n" in value:
            continue
        for path in (manuscript / value, root / value):
            try:
                if path.is_file() and not _inside(path, out):
                    files.add(path)
                elif path.is_dir() and not _inside(out, path) and path.resolve() != root.resolve():
                    add_tree(path)
            except (OSError, ValueError):
                continue
    return files


def fingerprint(files: set[Path]) -> dict[str, tuple[int, int] | None]:
    """Modification time and size of each file (None when it vanished)."""
    result: dict[str, tuple[int, int] | None] = {}
    for path in files:
        try:
            st = path.stat()
            result[str(path)] = (st.st_mtime_ns, st.st_size)
        except OSError:
            result[str(path)] = None
    return result


# ---------------------------------------------------------------------------------------------------- build


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Builder:
    """Builds the HTML into the output folder and records the outcome in the state."""

    def __init__(self, manuscript: Path, out: Path, root: Path, state: BuildState):
        self.manuscript, self.out, self.root, self.state = manuscript, out, root, state

    def fingerprint(self) -> dict:
        return fingerprint(watched_files(self.manuscript, self.root, self.out))

    def run(self) -> bool:
        try:
            report = build(self.manuscript, self.out, ("html",), root=self.root)
        except EditionError as exc:
            for diagnostic in exc.diagnostics:
                print(diagnostic, file=sys.stderr, flush=True)
            print(
                f"build failed: {len(exc.diagnostics)} error(s); {self.out}/ left as it was",
                file=sys.stderr,
                flush=True,
            )
            self.state.publish(False, [str(d) for d in exc.diagnostics])
            return False
        except Exception as exc:  # noqa: BLE001 - a bug in a filter must not stop the preview
            traceback.print_exc()
            line = f"<build>: error INTERNAL: {type(exc).__name__}: {exc}"
            print(f"build failed: {line}", file=sys.stderr, flush=True)
            self.state.publish(False, [line])
            return False
        pages = [a.path for a in report.artefacts if a.path.endswith(".html")]
        for warning in report.warnings:
            print(f"  warning: {warning}", flush=True)
        _log(f"built {', '.join(pages) or 'nothing'} in {report.seconds:.2f} s")
        self.state.publish(True, [], pages[0] if pages else None)
        return True

    def watch(self, last: dict) -> None:
        """Poll until stopped; rebuild when the fingerprint differs from the one taken before the last build."""
        while not self.state.stopping.wait(POLL_SECONDS):
            try:
                now = self.fingerprint()
            except OSError:
                continue
            if now != last:
                changed = sorted(k for k in set(now) | set(last) if now.get(k) != last.get(k))
                shown = ", ".join(_shown(Path(c), self.root) for c in changed[:3])
                _log(f"changed: {shown}{' …' if len(changed) > 3 else ''}; rebuilding")
                last = now  # changes made while building are seen at the next poll
                self.run()


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------------------------------- serve

RELOAD_SCRIPT = """<script>/* editio preview: live reload */(function(){var seen=%s;
function connect(){var es=new EventSource(%s);es.onmessage=function(e){var d=JSON.parse(e.data);
if(d.build!==seen){es.close();location.reload();}};es.onerror=function(){es.close();setTimeout(connect,1000);};}
connect();})();</script>"""

OVERLAY = """<div id="editio-preview-errors" role="alert" style="position:fixed;left:1rem;right:1rem;bottom:1rem;\
z-index:2147483647;max-height:50vh;overflow:auto;background:#fff5f5;color:#600;border:2px solid #c00;\
border-radius:6px;padding:.75rem 1rem;font:14px/1.4 ui-monospace,monospace;text-align:left;\
box-shadow:0 4px 16px rgba(0,0,0,.3)">\
<button type="button" onclick="this.parentNode.remove()" aria-label="close" style="float:right;border:0;\
background:none;font-size:18px;cursor:pointer;color:#600">×</button>\
<strong>Build failed ({count} error(s)); showing the last good build.</strong>\
<ul style="margin:.5rem 0 0;padding-left:1.25rem">{items}</ul></div>"""

PLACEHOLDER = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>editio preview</title></head>
<body><p>No successful build yet: fix the errors below and the page reloads.</p></body></html>"""


def decorate(page: str, snapshot: dict) -> str:
    """The served form of an HTML page: the reload script and, after a failed build, the error overlay."""
    extra = RELOAD_SCRIPT % (json.dumps(snapshot["build"]), json.dumps(EVENTS_PATH))
    if not snapshot["ok"]:
        items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in snapshot["errors"])
        extra = OVERLAY.format(count=len(snapshot["errors"]), items=items) + extra
    cut = page.lower().rfind("</body>")
    return page + extra if cut < 0 else page[:cut] + extra + page[cut:]


class PreviewHandler(BaseHTTPRequestHandler):
    server_version = "editio-preview"
    out: Path
    state: BuildState

    def log_message(self, format, *args):  # noqa: A002 - quiet: the terminal shows builds, not requests
        pass

    def do_HEAD(self):
        self._serve(head=True)

    def do_GET(self):
        self._serve(head=False)

    # --------------------------------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, head: bool, headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _error(self, status: int, head: bool):
        body = f"{status} {HTTPStatus(status).phrase}\n".encode()
        self._send(status, body, "text/plain; charset=utf-8", head)

    def _serve(self, head: bool):
        host = (self.headers.get("Host") or HOST).rsplit(":", 1)[0].strip("[]").lower()
        if host not in (HOST, "localhost"):  # refuse other names pointed at 127.0.0.1 (DNS rebinding)
            return self._error(403, head)
        raw = urlsplit(self.path).path or "/"
        path = unquote(raw)
        if path == EVENTS_PATH:
            return self._events(head)
        if path == STATUS_PATH:
            body = json.dumps(self.state.snapshot(), ensure_ascii=False).encode()
            return self._send(200, body, "application/json; charset=utf-8", head)
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if any(p == ".." or "\\" in p or "\0" in p for p in parts) or "/../" in raw + "/":
            return self._error(403, head)
        if any(p.startswith(".") for p in parts):  # the build's staging folders and other hidden files
            return self._error(404, head)
        if not parts:
            return self._index(head)
        root = self.out.resolve()
        target = root.joinpath(*parts).resolve()
        if not _inside(target, root):
            return self._error(403, head)
        if not target.is_file():
            return self._error(404, head)
        try:
            body = target.read_bytes()
        except OSError:
            return self._error(404, head)
        if target.suffix.lower() in (".html", ".htm", ".xhtml"):
            text = decorate(body.decode("utf-8", errors="replace"), self.state.snapshot())
            return self._send(200, text.encode("utf-8"), "text/html; charset=utf-8", head)
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "image/svg+xml"):
            content_type += "; charset=utf-8"
        return self._send(200, body, content_type, head)

    def _index(self, head: bool):
        page = self.state.page
        if page is None or not (self.out / page).is_file():
            found = sorted(p.name for p in self.out.glob("*.html")) if self.out.is_dir() else []
            page = found[0] if found else None
        if page is not None:
            return self._send(302, b"", "text/plain", head, {"Location": "/" + page})
        text = decorate(PLACEHOLDER, self.state.snapshot())
        return self._send(200, text.encode("utf-8"), "text/html; charset=utf-8", head)

    def _events(self, head: bool):
        """Server-Sent Events: the current build at once, then every new one; a comment now and then."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        if head:
            return
        state = self.state
        sent = None
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not state.stopping.is_set():
                with state.cond:
                    if state.build_id == sent:
                        state.cond.wait(HEARTBEAT_SECONDS)
                    current = state.build_id
                if state.stopping.is_set():
                    break
                if current != sent:
                    snapshot = state.snapshot()
                    sent = snapshot["build"]
                    data = json.dumps({"build": sent, "ok": snapshot["ok"], "errors": len(snapshot["errors"])})
                    self.wfile.write(f"data: {data}\n\n".encode())
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
            return


def make_server(out: Path, state: BuildState, port: int) -> ThreadingHTTPServer:
    handler = type("Handler", (PreviewHandler,), {"out": Path(out), "state": state})
    server = ThreadingHTTPServer((HOST, port), handler)
    server.daemon_threads = True
    return server


# ---------------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m editio.preview", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--manuscript", type=Path, default=Path("manuscript"), help="manuscript folder")
    parser.add_argument("--out", type=Path, default=Path("build/preview"), help="output folder (build/preview)")
    args = parser.parse_args(argv)

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    # Ctrl-C and SIGTERM stop the server, also when the shell started it with SIGINT ignored (`trap '' INT`, a
    # background job): Python then installs no KeyboardInterrupt handler of its own
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    root = Path.cwd()
    state = BuildState()
    builder = Builder(args.manuscript, args.out, root, state)
    server = None
    watcher = None
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        before = builder.fingerprint()
        builder.run()
        try:
            server = make_server(args.out, state, args.port)
        except OSError as exc:
            print(f"cannot listen on {HOST}:{args.port}: {exc.strerror or exc}", file=sys.stderr, flush=True)
            return 1
        watcher = threading.Thread(target=builder.watch, args=(before,), name="editio-watch", daemon=True)
        watcher.start()
        port = server.server_address[1]
        _log(f"serving {args.out}/ at http://{HOST}:{port}/ (watching {args.manuscript}/; Ctrl-C stops)")
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        state.stop()
        if server is not None:
            server.server_close()
        if watcher is not None:
            watcher.join(timeout=30)
    _log("preview stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Local HTTP servers for the download and verify tests: 127.0.0.1 only, every request recorded."""

from __future__ import annotations

import contextlib
import functools
import io
import re
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO

RANGE = re.compile(r"bytes=(\d+)-")
EXTRA = b"x" * 4096  # what a hostile server appends to a file


class RecordingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: type[SimpleHTTPRequestHandler], directory: Path) -> None:
        super().__init__(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
        self.requests: list[tuple[str, str | None]] = []  # (path, Range header) in arrival order
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def paths(self) -> list[str]:
        with self.lock:
            return [path for path, _ in self.requests]


class Recording(SimpleHTTPRequestHandler):
    """Serves a folder like SimpleHTTPRequestHandler (which ignores Range), recording each request."""

    server: RecordingServer

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.requests.append((self.path, self.headers.get("Range")))
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:  # keep the test output clean
        pass


class Ranges(Recording):
    """Honours ``Range: bytes=N-`` with 206 Partial Content."""

    def send_head(self) -> BinaryIO | None:  # type: ignore[override]
        match = RANGE.fullmatch(self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if match is None or not path.is_file():
            return super().send_head()  # type: ignore[return-value]
        data, start = path.read_bytes(), int(match[1])
        if start >= len(data):
            self.send_error(416)
            return None
        self.send_response(206)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        return io.BytesIO(data[start:])


class Oversize(Recording):
    """Sends every ``*.jsonl`` file with EXTRA bytes appended, without Content-Length (read until close)."""

    announce = False

    def send_head(self) -> BinaryIO | None:  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.suffix != ".jsonl" or not path.is_file():
            return super().send_head()  # type: ignore[return-value]
        data = path.read_bytes() + EXTRA
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if self.announce:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)


class OversizeAnnounced(Oversize):
    """As Oversize, but says so up front in Content-Length."""

    announce = True


class RedirectToFile(Recording):
    """Answers every ``*.jsonl`` request with a redirect to a file: URL."""

    def send_head(self) -> BinaryIO | None:  # type: ignore[override]
        if not self.path.endswith(".jsonl"):
            return super().send_head()  # type: ignore[return-value]
        self.send_response(302)
        self.send_header("Location", "file:///etc/hostname")
        self.send_header("Content-Length", "0")
        self.end_headers()
        return None


Serve = Callable[..., RecordingServer]


@contextlib.contextmanager
def servers() -> Iterator[Serve]:
    """start(folder, handler=Recording) → a started server on 127.0.0.1; all are shut down on leaving."""
    started: list[tuple[RecordingServer, threading.Thread]] = []

    def start(directory: Path, handler: type[SimpleHTTPRequestHandler] = Recording) -> RecordingServer:
        server = RecordingServer(handler, directory)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        started.append((server, thread))
        return server

    try:
        yield start
    finally:
        for server, thread in started:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)

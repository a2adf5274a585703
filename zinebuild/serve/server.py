"""Turn HTTP requests into the preview page, its assets, page images, EPUB files and build events.

Only what zinebuild made is served: its own assets (a fixed list), the last good build's
outputs (held in memory) and the files of the output folder. One function decides
which paths may be served at all (safe_parts); the output folder's files must also
resolve inside it, so a symlink cannot lead out.
"""

from __future__ import annotations

import ipaddress
import json
import sys
import threading
import mimetypes
from dataclasses import asdict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .builder import LOGGER, Live
from .snapshot import PDFIUM, close_documents

ASSETS = Path(__file__).parent / "assets"
TYPES = {".xhtml": "application/xhtml+xml", ".css": "text/css", ".js": "text/javascript", ".html": "text/html",
         ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml",
         ".pdf": "application/pdf", ".epub": "application/epub+zip", ".otf": "font/otf", ".ttf": "font/ttf",
         ".woff": "font/woff", ".woff2": "font/woff2", ".ncx": "application/x-dtbncx+xml"}
PAGE_WIDTHS = range(100, 2001)  # pixels a page image may be asked for
KEEPALIVE = 15  # seconds between comments on an idle event stream, so proxies keep it open


def safe_parts(raw: str) -> tuple[str, ...] | None:
    """The path's segments, decoded; None for anything that could reach beyond the folder served.

    Refused: `..` and `.` (plain or percent-encoded), encoded slashes and backslashes, empty
    segments, NUL, and names starting with a dot (the cache, editors' files).
    """
    parts = []
    for segment in raw.split("/"):
        lowered = segment.lower()
        if "%2f" in lowered or "%5c" in lowered or "%00" in lowered:
            return None
        try:
            decoded = unquote(segment, errors="strict")
        except UnicodeDecodeError:
            return None
        if not decoded or decoded.startswith(".") or any(c in decoded for c in "/\\\x00"):
            return None
        parts.append(decoded)
    return tuple(parts)


def file_inside(folder: Path, parts: tuple[str, ...]) -> Path | None:
    """folder/parts if it is a file that really lies inside folder (symlinks resolved)."""
    root = folder.resolve()
    try:
        target = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return target if target.is_relative_to(root) and target.is_file() else None


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never holds up the exit

    def __init__(self, address: tuple[str, int], live: Live, out_dir: Path, root: Path):
        super().__init__(address, Handler)
        self.live, self.out_dir, self.root = live, out_dir, root
        self.closing = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Answer requests from now on, in a thread of its own (and one more per request)."""
        self._thread = threading.Thread(target=self.serve_forever, name="zinebuild-http", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}/"

    def close(self) -> None:
        self.closing = True
        self.live.update()  # wakes the event streams, which then end
        if self._thread is not None:
            self.shutdown()
        self.server_close()
        # Kept: a thread still drawing a page must not be inside PDFium while the interpreter ends.
        if PDFIUM.acquire(timeout=30):
            close_documents()

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):  # a closed tab is not news
            LOGGER.error("serving %s failed: %s: %s", client_address[0], type(error).__name__, error)


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "zinebuild"

    def log_message(self, format: str, *args) -> None:  # requests are not news
        pass

    def do_GET(self) -> None:
        if not self._host_allowed():
            return self._send_error(HTTPStatus.FORBIDDEN, "unknown Host: open the address `zinebuild serve` printed")
        url = urlsplit(self.path)
        if "/" + url.path.lstrip("/") != url.path:
            return self._send_error(HTTPStatus.NOT_FOUND)
        parts = safe_parts(url.path[1:]) if url.path != "/" else ()
        if parts is None:
            return self._send_error(HTTPStatus.NOT_FOUND, "no such file here")
        query = parse_qs(url.query)
        snapshot = self.server.live.snapshot
        head, rest = (parts[0], parts[1:]) if parts else ("", ())
        if not parts:
            return self._send_file(ASSETS / "index.html")
        if head == "assets" and len(rest) == 1 and rest[0] in _asset_names():
            return self._send_file(ASSETS / rest[0])
        if parts == ("events",):
            return self._events()
        if parts == ("state",):
            return self._send(json.dumps(state(self.server.live, self.server.root)).encode(), "application/json")
        if head == "page" and len(rest) == 1 and rest[0].endswith(".png") and snapshot:
            return self._page(snapshot, rest[0][:-4], query.get("w", ["800"])[0])
        if parts == ("sheets.png",) and snapshot:
            return self._send(snapshot.sheets_png(), "image/png")
        if head == "epub" and snapshot and "/".join(rest) in snapshot.epub:
            name = "/".join(rest)
            return self._send(snapshot.epub[name], _type(name), sandbox=True)
        if head == "build" and rest and (target := file_inside(self.server.out_dir, rest)):
            return self._send(target.read_bytes(), _type(target.name), sandbox=True)
        return self._send_error(HTTPStatus.NOT_FOUND, "no such file here")

    def _host_allowed(self) -> bool:
        # A page from elsewhere that resolves its own name to 127.0.0.1 (DNS rebinding) sends its own Host.
        # Served on another address (--host), the page is open to the network by choice: any name will do.
        host, port = self.server.server_address[:2]
        if not ipaddress.ip_address(host).is_loopback:
            return True
        allowed = {f"{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]", host, f"[{host}]")}
        return self.headers.get("Host", "") in allowed

    def _page(self, snapshot, digest: str, width: str) -> None:
        image = snapshot.page_png(digest, int(width)) if width.isdigit() and int(width) in PAGE_WIDTHS else None
        if image is None:
            return self._send_error(HTTPStatus.NOT_FOUND)
        # Named by what is drawn on it: the same name is the same image, for as long as the browser likes.
        self._send(image, "image/png", cache="max-age=31536000, immutable")

    def _events(self) -> None:
        """Server-sent events: the page's state, once on connecting and again after every change."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        live, seen = self.server.live, -1
        try:
            while not self.server.closing:
                version = live.wait(seen, KEEPALIVE)
                if self.server.closing:
                    break
                if version == seen:
                    self.wfile.write(b": still here\n\n")
                else:
                    seen = version
                    self.wfile.write(b"data: " + json.dumps(state(live, self.server.root)).encode() + b"\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the tab was closed

    def _send_file(self, path: Path) -> None:
        self._send(path.read_bytes(), _type(path.name))

    def _send(self, body: bytes, content_type: str, sandbox: bool = False, cache: str = "no-cache") -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        # The book's files never run scripts or reach the network; the page runs only its own.
        policy = "default-src 'self'; img-src 'self' data:; font-src 'self' data:; " \
                 "style-src 'self' 'unsafe-inline'; script-src 'none'" if sandbox else \
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'self'"
        self.send_header("Content-Security-Policy", policy)
        self.end_headers()
        self.wfile.write(body)

    def _send_error(self, status: HTTPStatus, text: str = "") -> None:
        body = (text or status.phrase).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _asset_names() -> set[str]:
    return {path.name for path in ASSETS.iterdir() if path.is_file()}


def _type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def state(live: Live, root: Path) -> dict:
    """What the page draws, as JSON: the build's status, its failure, and the last good build."""

    def shown(file) -> str | None:
        if file is None:
            return None
        path = Path(file)
        return str(path.relative_to(root)) if path.is_absolute() and path.is_relative_to(root) else str(file)

    now = live.now()
    failure, snapshot = now["failure"], now["snapshot"]
    out = {key: now[key] for key in ("server", "version", "building", "builds")} | {"failure": None, "book": None}
    if failure is not None:
        out["failure"] = {"input": failure.input, "problems": [
            {"message": p.message, "file": shown(p.file), "line": p.line, "key": p.key, "hint": p.hint}
            for p in failure.problems]}
    if snapshot is not None:
        out["book"] = {
            "generation": snapshot.generation, "title": snapshot.title, "pages": list(snapshot.page_digests),
            "page_size": snapshot.page_size, "sheets": snapshot.plan.sheets,
            "instructions": snapshot.plan.instructions, "focus_page": snapshot.focus_page,
            "changed": list(snapshot.changed),
            "pieces": [dict(asdict(row), source=shown(row.source)) for row in snapshot.pieces],
            "warnings": [dict(asdict(w), file=shown(w.file)) for w in snapshot.warnings],
            "downloads": [{"format": fmt, "name": path.name, "url": f"/build/{path.name}"}
                          for fmt, path in snapshot.downloads.items()],
        }
    return out

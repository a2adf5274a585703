"""`zinebuild serve`: the server without a browser, then the page in Debian's headless Chromium.

Each test runs `zinebuild serve` as a user does, in a process (and session) of its own, on
a small project of its own. The browser tests need /usr/bin/chromium (`.ci/run` installs
it); without it they fail rather than skip.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pypdf
import pytest

from .conftest import SMALL_CONFIG, SMALL_FILES, write_project

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
# The tests wait for builds; a wait this long means something is stuck, not slow.
PATIENCE = 60


class Served:
    """A `zinebuild serve` process on a free port, and what it printed."""

    def __init__(self, config: Path, *args: str):
        self.config = config
        self.process = subprocess.Popen(
            [sys.executable, "-m", "zinebuild", "serve", str(config), "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        line = self.process.stdout.readline()
        found = re.search(r"(http://[^/\s]+)/", line)
        assert found, f"no address announced: {line!r} {self.process.stderr.read() if not line else ''}"
        self.url = found.group(1)
        self.port = int(self.url.rsplit(":", 1)[1])

    def get(self, path: str, host: str | None = None) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url + path, headers={"Host": host} if host else {})
        try:
            with urllib.request.urlopen(request, timeout=PATIENCE) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def state(self) -> dict:
        status, body = self.get("/state")
        assert status == 200
        return json.loads(body)

    def wait_for(self, test, what: str) -> dict:
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            state = self.state()
            if test(state):
                return state
            time.sleep(0.1)
        raise AssertionError(f"waited {PATIENCE} s for {what}; last state: {state}")

    def idle_after(self, builds: int) -> dict:
        return self.wait_for(lambda s: s["builds"] > builds and not s["building"], f"build {builds + 1}")

    def stop(self) -> tuple[int, str]:
        """Ctrl-C as a terminal sends it: to the whole process group."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise
        return self.process.returncode, self.process.stderr.read()


def session_processes(session: int) -> list[int]:
    """Processes still alive in the session (zombies are gone already as far as work goes)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive


@pytest.fixture
def project(tmp_path) -> Path:
    config = SMALL_CONFIG.replace('  source = "sources/one.md"\n',
                                  '  source = "sources/one.md"\n  skip = ["No Such Section"]\n', 1)
    return write_project(tmp_path / "zine", config, SMALL_FILES)


@pytest.fixture
def served(project):
    server = Served(project)
    yield server
    server.stop()


# ---------------------------------------------------------------- without a browser
def test_listens_on_loopback_only_by_default(served):
    served.idle_after(0)
    assert served.url.startswith("http://127.0.0.1:")
    # The kernel's own table of listening sockets: the port is bound to 127.0.0.1 and nothing else.
    listening = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    ours = [fields[1] for fields in listening if fields[3] == "0A" and int(fields[1].split(":")[1], 16) == served.port]
    assert ours == [f"0100007F:{served.port:04X}"]
    assert not any(fields[3] == "0A" and int(fields[1].split(":")[1], 16) == served.port
                   for fields in (line.split() for line in Path("/proc/net/tcp6").read_text().splitlines()[1:]))
    other = _other_address()
    if other:  # a machine with a network interface: nothing answers there
        with pytest.raises(OSError):
            socket.create_connection((other, served.port), timeout=2).close()


def _other_address() -> str | None:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


@pytest.mark.allow_warnings
def test_serves_the_build_and_nothing_outside_it(served, tmp_path):
    state = served.idle_after(0)
    build = served.config.parent / "build"
    pdf_name = next(d["name"] for d in state["book"]["downloads"] if d["format"] == "pdf")
    assert served.get(f"/build/{pdf_name}") == (200, (build / pdf_name).read_bytes())
    status, page = served.get("/page/1.png?w=300")
    assert status == 200 and page.startswith(b"\x89PNG")
    epub = state["book"]["pieces"][1]["epub"]
    status, xhtml = served.get(f"/epub/{epub}")
    assert status == 200 and b"The First Piece" in xhtml

    secret = tmp_path / "secret.txt"
    secret.write_text("not for the page")
    (build / "link").symlink_to(secret)
    (build / "folder-link").symlink_to(tmp_path, target_is_directory=True)
    escapes = ["/build/../anthology.toml", "/build/%2e%2e/anthology.toml", "/build/%2E%2E/%2e%2E/zine/anthology.toml",
               "/build/..%2fanthology.toml", "/build/..%2Fanthology.toml", "/build/%2e%2e%5canthology.toml",
               "/build/link", "/build/folder-link/secret.txt", "/build/.zinebuild-cache",
               "/epub/EPUB/../../anthology.toml", "/epub/%2e%2e/anthology.toml", "/assets/../builder.py",
               "/assets/%2e%2e/builder.py", "//etc/passwd", "/build//etc/passwd", "/build/%00",
               "/sources/one.md", "/anthology.toml"]
    for path in escapes:
        status, body = served.get(path)
        assert status == 404, path
        assert b"not for the page" not in body and b"[book]" not in body and b"import" not in body, path
    # A page elsewhere whose name resolves to 127.0.0.1 (DNS rebinding) is not answered.
    assert served.get("/state", host=f"attacker.example:{served.port}")[0] == 403


@pytest.mark.allow_warnings
def test_a_burst_of_saves_makes_at_most_two_builds(served, project):
    served.idle_after(0)
    source = project.parent / "sources" / "one.md"
    text = source.read_text()
    # Twenty saves over about a second, as an editor saving on every keystroke might: longer
    # than a small build takes, so that a server building on every save would build several times.
    for i in range(20):
        source.write_text(text + f"\nSave number {i} of the burst.\n")
        time.sleep(0.05)
    state = served.idle_after(1)
    time.sleep(1.5)  # a straggling build would have started by now
    state = served.state()
    assert not state["building"]
    assert 2 <= state["builds"] <= 3, state["builds"]  # the first build, then one or two for the burst
    assert "Save number 19" in pypdf.PdfReader(project.parent / "build" / "small-test-book.pdf").pages[5].extract_text()
    assert state["book"]["changed"] == ["the-first-piece"]


@pytest.mark.allow_warnings
def test_ctrl_c_stops_the_server_and_its_workers(project):
    server = Served(project)
    server.wait_for(lambda s: s["building"], "the first build to start")
    time.sleep(0.3)  # inside the build: the render service and its workers are busy
    assert len(session_processes(server.process.pid)) >= 2  # the server and its render service
    code, errors = server.stop()
    assert code == 130, errors
    assert "Traceback" not in errors and "internal error" not in errors
    deadline = time.monotonic() + 5
    while session_processes(server.process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session_processes(server.process.pid) == []

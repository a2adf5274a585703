"""`zinebuild serve`: the server without a browser, then the page in Debian's headless Chromium.

Each test runs `zinebuild serve` as a user does, in a process (and session) of its own, on
a small project of its own. The browser tests need /usr/bin/chromium (`make test` installs
it, tests/tools/install-system-deps); without it they fail rather than skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
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

from zinebuild.impose.preview import GAP, THUMB_WIDTH
from zinebuild.serve import SERVE_FOLDER
from zinebuild.serve.builder import QUIET
from zinebuild.settings import CACHE_FOLDER

from .conftest import SMALL_CONFIG, SMALL_FILES, write_project
from .faultkit import session_processes

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
# The tests wait for builds; a wait this long means something is stuck, not slow.
PATIENCE = 60


class Served:
    """A `zinebuild serve` process on a free port, and what it printed."""

    def __init__(self, config: Path, *args: str, env: dict[str, str] | None = None):
        self.config = config
        self.process = subprocess.Popen(
            [sys.executable, "-m", "zinebuild", "serve", str(config), "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
            env=dict(os.environ, **(env or {})))
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


def _title(state: dict, piece_id: str) -> str:
    return next(p["title"] for p in state["book"]["pieces"] if p["id"] == piece_id)


# Warnings to show: a skip entry that matches nothing (Z105), a note marker with no note (Z104, line 3).
CONFIG = SMALL_CONFIG.replace('  source = "sources/one.md"\n', '  source = "sources/one.md"\n  skip = ["No Such Section"]\n', 1)
# And a piece of several pages with sections, whose headings are named destinations too.
FILES = dict(SMALL_FILES, **{
    "sources/two.txt": "Raw Title Line\n\nFirst paragraph of the raw text, marked [3].\n\n"
                       "Second paragraph.\n\nNotes\n\n[1] A note.\n",
    "sources/three.md": "# Třetí kus\n\n" + "".join(f"## Část {n}\n\n" + "Český text o mnoha slovech. " * 60 + "\n\n"
                                                    for n in range(1, 4))})


@pytest.fixture(scope="module")
def shown(tmp_path_factory):
    """A server for the tests that only look; its build's cache warms the others' first builds."""
    server = Served(write_project(tmp_path_factory.mktemp("shown") / "zine", CONFIG, FILES))
    server.idle_after(0)
    yield server
    code, errors = server.stop()  # idle, with event streams open: Ctrl-C ends it cleanly too
    assert code == 130 and "Traceback" not in errors, errors


@pytest.fixture
def project(tmp_path, shown) -> Path:
    config = write_project(tmp_path / "zine", CONFIG, FILES)
    shutil.copytree(shown.config.parent / "build" / CACHE_FOLDER, config.parent / "build" / CACHE_FOLDER)
    return config


@pytest.fixture
def served(project):
    server = Served(project)
    yield server
    code, errors = server.stop()
    assert code == 130 and "Traceback" not in errors, errors


# ---------------------------------------------------------------- without a browser
def test_listens_on_loopback_only_by_default(shown):
    served = shown
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


def _flat(outline: list) -> list:
    return [leaf for entry in outline for leaf in (_flat(entry) if isinstance(entry, list) else [entry])]


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


def test_serves_the_build_and_nothing_outside_it(shown, tmp_path):
    served = shown
    state = served.state()
    build = served.config.parent / "build" / SERVE_FOLDER
    # What `serve` writes stays apart from `build`'s final files: build/ holds nothing else of it.
    assert sorted(p.name for p in build.parent.iterdir()) == sorted([CACHE_FOLDER, SERVE_FOLDER])
    pdf_name = next(d["name"] for d in state["book"]["downloads"] if d["format"] == "pdf")
    assert served.get(f"/build/{pdf_name}") == (200, (build / pdf_name).read_bytes())
    status, page = served.get(f"/page/{state['book']['pages'][0]}.png?w=300")
    assert status == 200 and page.startswith(b"\x89PNG")
    assert served.get(f"/page/{'0' * 24}.png?w=300")[0] == 404
    # Each piece's pages: from its first to the next entry of the PDF's outline, as pypdf reads it.
    reader = pypdf.PdfReader(build / pdf_name)
    starts = sorted({reader.get_destination_page_number(entry) + 1 for entry in _flat(reader.outline)}
                    | {len(reader.pages) + 1})
    rows = state["book"]["pieces"]
    assert [row["pages"] for row in rows] == [next(s for s in starts if s > row["first_page"]) - row["first_page"]
                                              for row in rows]
    assert rows[-1]["title"] == "Třetí kus" and rows[-1]["pages"] >= 3  # its sections do not cut it short
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


def test_a_burst_of_saves_makes_at_most_two_builds(served, project):
    served.idle_after(0)
    source = project.parent / "sources" / "one.md"
    text = source.read_text()
    # Twenty saves over about a second, as an editor saving on every keystroke might: longer
    # than a small build takes, so that a server building on every save would build several times.
    saved = []
    for i in range(20):
        source.write_text(text + f"\nSave number {i} of the burst.\n")
        saved.append(time.monotonic())
        time.sleep(0.05)
    state = served.idle_after(1)
    time.sleep(0.7)  # a straggling build would have started by now (QUIET is 0.2 s)
    state = served.state()
    assert not state["building"]
    # The first build, then one or two for the burst (one more if the save came during the
    # build). Only on a machine so busy that this test stalled between two saves for longer than
    # the server waits for quiet were there two bursts, each allowed its own.
    stalls = sum(later - earlier > QUIET for earlier, later in zip(saved, saved[1:]))
    assert 2 <= state["builds"] <= 3 + stalls, (state["builds"], stalls)
    pdf = project.parent / "build" / SERVE_FOLDER / "small-test-book.pdf"
    assert "Save number 19" in pypdf.PdfReader(pdf).pages[7].extract_text()  # after the cover and its inside
    assert [_title(state, id) for id in state["book"]["changed"]] == ["The First Piece"]

    # An edit while a build runs: that build ends, then exactly one more builds the edit.
    builds = state["builds"]
    source.write_text(text + "\nThe edit that starts a build.\n")
    served.wait_for(lambda s: s["building"], "a build to start")
    source.write_text(text + "\nThe edit made during the build.\n")
    served.idle_after(builds + 1)
    time.sleep(0.7)
    state = served.state()
    assert state["builds"] == builds + 2 and not state["building"]
    assert "made during the build" in pypdf.PdfReader(pdf).pages[7].extract_text()  # after the cover and its inside


def test_a_killed_render_service_is_replaced(served, project):
    served.idle_after(0)
    children = Path(f"/proc/{served.process.pid}/task/{served.process.pid}/children").read_text().split()
    assert children  # the render service
    for child in children:
        os.kill(int(child), signal.SIGKILL)  # as the kernel's out-of-memory killer would
    source = project.parent / "sources" / "one.md"
    text = source.read_text()
    source.write_text(text + "\nWritten while the service was dead.\n")
    state = served.idle_after(1)
    assert state["failure"] is None or not state["failure"]["input"]  # the machine's fault, if any
    source.write_text(text + "\nWritten once it was replaced.\n")
    state = served.idle_after(2)
    assert state["failure"] is None
    pdf = project.parent / "build" / SERVE_FOLDER / "small-test-book.pdf"
    assert "once it was replaced" in pypdf.PdfReader(pdf).pages[7].extract_text()  # after the cover and its inside


def test_ctrl_c_stops_the_server_and_its_workers(project, tmp_path):
    # --open hands the address to the user's browser: here a script that notes it down.
    browser, opened = tmp_path / "browser", tmp_path / "opened"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser.chmod(0o755)
    server = Served(project, "--open", env={"BROWSER": f"{browser} %s"})
    server.wait_for(lambda s: s["building"], "the first build to start")
    deadline = time.monotonic() + PATIENCE
    while not opened.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # inside the build (most likely): the render service and its workers are busy
    assert len(session_processes(server.process.pid)) >= 2  # the server and its render service
    code, errors = server.stop()
    assert code == 130, errors
    assert "Traceback" not in errors and "internal error" not in errors
    deadline = time.monotonic() + 5
    while session_processes(server.process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session_processes(server.process.pid) == []
    assert opened.read_text().strip() == server.url + "/"


def test_after_an_edit_the_page_shown_is_the_first_the_edit_changed():
    from zinebuild.serve.snapshot import PieceRow, _focus

    rows = (PieceRow("a", "A", (), "a.md", 900, 3, 4, None), PieceRow("b", "B", (), "b.md", 300, 7, 2, None))
    before = ("title", "contents", "a1", "a2", "a3", "a4", "b1", "b2")
    # The contents page changed too (B moved), but it is not in the edited piece: its third page is.
    after = ("title", "contents*", "a1", "a2", "a3*", "a4*", "a5", "b1*", "b2*")
    edited = (PieceRow("a", "A", (), "a.md", 950, 3, 5, None), PieceRow("b", "B", (), "b.md", 300, 8, 2, None))
    assert _focus(edited, ("a",), after, before) == 5
    assert _focus(rows, ("b",), before, before) == 7  # nothing looks different: the piece's first page
    assert _focus(rows, (), after, before) is None  # the config or the layout: no piece to show


def test_the_watched_folders_are_the_project_and_its_inputs_outside_it(tmp_path):
    from zinebuild import pipeline
    from zinebuild.serve.builder import _folders

    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "elsewhere.md").write_text("# From Elsewhere\n\nA text kept outside the project.\n")
    (tmp_path / "zine" / "layouts" / "default").mkdir(parents=True)
    config = write_project(tmp_path / "zine", CONFIG + '\n[[parts]]\ntitle = "More"\n  [[parts.pieces]]\n'
                                               '  source = "../shared/elsewhere.md"\n', FILES)
    # The project's folder holds its config, sources, layouts and images; the built-in layout is not watched.
    assert _folders(pipeline.load(config)) == {config.parent.resolve(), (tmp_path / "shared").resolve()}


# ---------------------------------------------------------------- in a browser
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Debian's chromium, never a browser Playwright downloads: `make test` installs it.
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: `apt-get install chromium` (tests/tools/install-system-deps)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _loaded(page, selector: str) -> None:
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth > 0; }",
        arg=selector, timeout=PATIENCE * 1000)


def test_the_page_follows_edits_and_shows_errors(served, project, browser, tmp_path):
    state = served.idle_after(0)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(served.url + "/")
    page.wait_for_selector("body[data-generation='1']", timeout=PATIENCE * 1000)

    # The reading PDF's pages, each an image of its own; the warnings with code and file.
    pdf = project.parent / "build" / SERVE_FOLDER / "small-test-book.pdf"
    assert page.locator("#pages figure.page").count() == len(pypdf.PdfReader(pdf).pages)
    _loaded(page, "#page-1 img")
    shown = [(w.locator(".code").inner_text(), w.locator(".where").inner_text().strip(), w.inner_text())
             for w in page.locator("#warnings li.warning").all()]
    assert len(shown) == len(state["book"]["warnings"]) == 3
    assert [(code, where) for code, where, _ in shown] == [
        ("Z105", "anthology.toml"), ("Z104", "sources/two.txt:3"), ("Z104", "sources/two.txt")]
    assert "No Such Section" in shown[0][2] and "'[3]' has no note" in shown[1][2]
    assert page.locator("#pieces tbody tr").count() == len(state["book"]["pieces"])
    page.screenshot(path=str(tmp_path / "first.png"))

    # Edit a source: the page shows the changed piece's new page by itself, without reloading.
    piece = next(p for p in state["book"]["pieces"] if p["title"] == "The First Piece")
    first = piece["first_page"]
    image = page.locator(f"#page-{first} img")
    before_src, after_piece = image.get_attribute("src"), page.locator(f"#page-{first + 1} img").get_attribute("src")
    before = page.request.get(served.url + before_src).body()
    page.evaluate("window.notReloaded = true")
    source = project.parent / "sources" / "one.md"
    source.write_text(source.read_text() + "\nA freshly written closing sentence about bicycles.\n")
    page.wait_for_selector("body[data-generation='2']", timeout=PATIENCE * 1000)
    assert page.evaluate("window.notReloaded") is True
    figure = page.locator(f"#page-{first}")
    assert {"changed", "focus"} <= set(figure.get_attribute("class").split())
    _loaded(page, f"#page-{first} img")
    assert image.get_attribute("src") != before_src
    assert page.request.get(served.url + image.get_attribute("src")).body() != before
    # Pages are named by what is drawn on them: the next piece's page did not change, nor its name.
    assert page.locator(f"#page-{first + 1} img").get_attribute("src") == after_piece
    assert "bicycles" in pypdf.PdfReader(pdf).pages[first - 1].extract_text()
    # … scrolled into view, and the piece's words counted again.
    box = figure.bounding_box()
    assert box is not None and box["y"] < 900 and box["y"] + box["height"] > 0
    row = page.locator(f"#pieces tr[data-id='{piece['id']}']")
    assert row.locator("td").nth(2).inner_text() == str(piece["words"] + 7)
    page.screenshot(path=str(tmp_path / "edited.png"))

    # A config error: shown with its file, line and what to do; the last good pages stay.
    config = project.read_text()
    project.write_text(config.replace('title = "Small Test Book"', 'title = "Small Test Book', 1))
    page.wait_for_selector("#failure:not([hidden])", timeout=PATIENCE * 1000)
    failure = page.locator("#problems li").first
    box = page.locator("#failure").bounding_box()  # in sight, wherever the pages are scrolled to
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 900
    assert failure.locator(".where").inner_text().strip() == "anthology.toml:2"
    assert "not valid TOML" in failure.inner_text() and "what to do:" in failure.inner_text()
    assert page.locator("#status").inner_text() == "build failed"
    assert page.locator("#pages figure.page").count() == len(pypdf.PdfReader(pdf).pages)
    _loaded(page, f"#page-{first} img")
    page.screenshot(path=str(tmp_path / "failed.png"))

    # Fixed: the error goes, the page follows the new build; the server was never restarted.
    project.write_text(config)
    page.wait_for_selector("body[data-generation='4']", timeout=PATIENCE * 1000)
    page.wait_for_selector("#failure[hidden]", state="attached", timeout=PATIENCE * 1000)
    assert page.evaluate("window.notReloaded") is True
    assert served.process.poll() is None
    # The page, its script and its styles came from zinebuild itself: nothing from the network.
    assert asked and all(url.startswith(served.url + "/") for url in asked), asked


def test_the_page_shows_the_booklet_and_the_epub(shown, browser, tmp_path):
    served = shown
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(served.url + "/")
    page.wait_for_selector("body[data-generation='1']", timeout=PATIENCE * 1000)
    page.click("button[data-view='booklet']")
    _loaded(page, "#sheets")
    pages = len(pypdf.PdfReader(served.config.parent / "build" / SERVE_FOLDER / "small-test-book.pdf").pages)
    sheets = -(-pages // 4)  # saddle stitching: four pages a sheet
    assert sheets >= 2 and f"{sheets} sheet(s)" in page.locator("#instructions").inner_text()
    # The contact sheet `zinebuild preview` draws: a row per A4 sheet, its front and back side by side.
    size = page.evaluate("[document.querySelector('#sheets').naturalWidth, document.querySelector('#sheets').naturalHeight]")
    side_height = int(THUMB_WIDTH * 595.276 / 841.89)
    assert size == [2 * (THUMB_WIDTH + GAP) + GAP, sheets * (side_height + 2 * GAP) + GAP]
    page.click("button[data-view='epub']")
    page.select_option("#epub-piece", label="The First Piece")
    frame = page.frame_locator("#epub-frame")
    text = frame.locator("body").inner_text()
    # The piece, from its title to its notes (popup notes come with their piece), and no other.
    assert text.startswith("The First Piece") and "Ann Author" in text and "A quoted paragraph." in text
    assert text.rstrip().endswith("The second note.") and "Second Piece" not in text
    # Its stylesheet, from inside the EPUB too (../style/…), is applied.
    assert page.frame_locator("#epub-frame").locator("body").evaluate(
        "b => b.ownerDocument.styleSheets.length === 1 && b.ownerDocument.styleSheets[0].cssRules.length > 0")
    box = page.locator("#epub-frame").bounding_box()
    assert (round(box["width"]), round(box["height"])) == (480, 640)
    page.screenshot(path=str(tmp_path / "epub.png"))


def test_a_missing_config_or_a_taken_port_is_an_input_error(shown, tmp_path):
    missing = subprocess.run([sys.executable, "-m", "zinebuild", "serve", str(tmp_path / "nowhere.toml")],
                             capture_output=True, text=True, timeout=PATIENCE)
    assert missing.returncode == 2 and "nowhere.toml: no such file" in missing.stderr
    taken = subprocess.run([sys.executable, "-m", "zinebuild", "serve", str(shown.config), "--port", str(shown.port)],
                           capture_output=True, text=True, timeout=PATIENCE)
    assert taken.returncode == 2 and "--port" in taken.stderr and "Traceback" not in taken.stderr

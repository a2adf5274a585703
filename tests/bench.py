"""Benchmark: `make bench`. Ratios against references measured in the same run, medians of 3.

Not a test: nothing here asserts a time. The machines are shared and noisy; read the
ratios, not the seconds. Every build runs as `zinebuild build` in a process of its own,
as a user runs it, on the sample anthology and on a copy of it four times as long.

The reference is WeasyPrint rendering the anthology's .html output as one document, in a
process of its own (import included, as for a build). Memory is the peak of the summed
proportional set size (PSS) of a process and all its children, sampled every 50 ms in
runs apart from the timed ones: forked workers share pages, and PSS counts a shared page
once across them.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sources" / "anthology.toml"
RUNS = 3
GOALS = {"cold": 0.6, "edit": 0.25, "pandoc": 0.3, "impose": 0.05, "memory": 1.2,
         "serve": 0.43}  # serve: 1.5 s from a saved edit to the reloaded page, against the reference's 3.5 s
CHROMIUM = Path("/usr/bin/chromium")


# ---------------------------------------------------------------- measuring a process
def _tree_pss(pid: int) -> int:
    """KiB of PSS of pid and its descendants (0 for processes gone meanwhile)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
            with open(f"/proc/{current}/task/{current}/children") as children:
                todo += [int(child) for child in children.read().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def run(command: list[str], cwd: Path = ROOT) -> float:
    """Wall time (s) of one command."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{done.stderr.decode()}")
    return time.perf_counter() - start


def peak_memory(command: list[str], cwd: Path = ROOT) -> int:
    """Peak PSS of the command's process tree (KiB), sampled every 50 ms.

    In runs of its own: reading /proc takes CPU, which a build using every core would lose.
    """
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_pss(process.pid))
        time.sleep(0.05)
    if process.returncode:
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{process.stderr.read().decode()}")
    return peak


def repeated(measure, command: list[str], before=None, runs: int = RUNS) -> list:
    """measure(command) in `runs` runs, calling before() ahead of each (to empty a cache, edit a source)."""
    results = []
    for _ in range(runs):
        if before:
            before()
        results.append(measure(command))
    return results


def median_run(command: list[str], before=None) -> float:
    return statistics.median(repeated(run, command, before))


def max_memory(command: list[str], before=None) -> int:
    return max(repeated(peak_memory, command, before))


# ---------------------------------------------------------------- the books
def sample_copy(folder: Path) -> Path:
    """The sample anthology in a folder of its own: the benchmark edits a source."""
    shutil.copytree(ROOT / "sources", folder)
    return folder / SAMPLE.name


def four_times(folder: Path) -> Path:
    """The sample anthology with its parts four times over, each copy from its own source files."""
    text = SAMPLE.read_text(encoding="utf-8")
    head, rest = text.split("[[parts]]", 1)
    parts, output = rest.split("[output]", 1)
    copies = []
    for copy in range(1, 5):
        sub = folder / f"copy{copy}"
        sub.mkdir(parents=True)
        for source in ROOT.joinpath("sources").glob("00*.txt"):
            shutil.copy(source, sub / source.name)
        body = re.sub(r'source = "(00[^"]+)"', rf'source = "copy{copy}/\1"', parts)
        body = re.sub(r'^title = "([^"]+)"', rf'title = "\1 ({copy})"', body, flags=re.M)
        copies.append("[[parts]]" + body)
    for name in ("introduction.md", "colophon.md"):
        shutil.copy(ROOT / "sources" / name, folder / name)
    config = folder / "anthology.toml"
    config.write_text(head + "".join(copies) + "[output]" + output, encoding="utf-8")
    return config


def one_piece_source(config: Path) -> Path:
    folder = config.parent
    return next(p for p in [folder / "copy2" / "003_324805f2c092eb77.txt", folder / "003_324805f2c092eb77.txt"]
                if p.exists())


def zinebuild(*args) -> list[str]:
    return [sys.executable, "-m", "zinebuild", "-q", "build", *map(str, args)]


# ---------------------------------------------------------------- the measures
def bench_book(label: str, config: Path, work: Path) -> None:
    out = work / f"out-{label}"
    subprocess.run(zinebuild(config, "--out", out, "--format", "html,pdf", "--no-cache"), check=True,
                   capture_output=True)
    html = next(out.glob("*.html"))
    reading_pdf = next(p for p in out.glob("*.pdf") if not p.stem.endswith("-booklet"))
    reference = [sys.executable, "-c", f"import weasyprint; weasyprint.HTML({str(html)!r})"
                                       f".write_pdf({str(work / 'reference.pdf')!r})"]
    ref_time, ref_memory = median_run(reference), max_memory(reference)
    pages = len(__import__("pypdf").PdfReader(reading_pdf).pages)
    print(f"\n{label}: {html.stat().st_size / 1e6:.1f} MB of HTML, {pages} A5 pages")
    print(f"  reference, WeasyPrint renders the .html as one document: {ref_time:.2f} s, "
          f"{ref_memory / 1024:.0f} MiB")

    build_out = work / f"build-{label}"
    def cold():
        shutil.rmtree(build_out, ignore_errors=True)

    cold_time = median_run(zinebuild(config, "--out", build_out), before=cold)
    cold_memory = max_memory(zinebuild(config, "--out", build_out), before=cold)
    jobs1_time = median_run(zinebuild(config, "--out", build_out, "--jobs", "1"), before=cold)
    unchanged_time = median_run(zinebuild(config, "--out", build_out))
    source = one_piece_source(config)
    original = source.read_text(encoding="utf-8")
    edits = iter(range(1000))

    def edit_one_piece():
        source.write_text(original + f"\n\nA sentence added for the benchmark, edit {next(edits)}.\n",
                          encoding="utf-8")

    try:
        edit_time = median_run(zinebuild(config, "--out", build_out), before=edit_one_piece)
        edit_memory = max_memory(zinebuild(config, "--out", build_out), before=edit_one_piece)
    finally:
        source.write_text(original, encoding="utf-8")
    reload_time = statistics.median(serve_reload_times(config, source)) if CHROMIUM.exists() else None
    epub_out = work / f"epub-{label}"
    epub_time = median_run(zinebuild(config, "--out", epub_out, "--format", "epub"),
                           before=lambda: shutil.rmtree(epub_out, ignore_errors=True))
    epub_warm_time = median_run(zinebuild(config, "--out", epub_out, "--format", "epub"))

    def ratio(value: float, goal: str | None = None) -> str:
        text = f"{value / ref_time:5.2f}"
        return text + (f"   (goal <= {GOALS[goal]})" if goal else "")

    print(f"  full build, all formats, cold cache ÷ reference:        {ratio(cold_time, 'cold')}")
    print(f"    the same with --jobs 1 ÷ reference:                   {ratio(jobs1_time)}")
    print(f"  rebuild after editing one piece ÷ reference:            {ratio(edit_time, 'edit')}")
    print(f"    rebuild with nothing changed ÷ reference:             {ratio(unchanged_time)}")
    if reload_time is None:
        print(f"  serve: not measured, {CHROMIUM} is missing (apt-get install chromium)")
    else:
        print(f"  serve: saved edit of one piece to the reloaded page ÷ reference: {ratio(reload_time, 'serve')}"
              f"; {reload_time:.2f} s")
    print(f"  peak memory of the build (all processes) ÷ reference's: {cold_memory / ref_memory:5.2f}"
          f"   (goal <= {GOALS['memory']}); editing one piece: {edit_memory / ref_memory:.2f}")
    if shutil.which("pandoc"):
        pandoc_time = median_run(["pandoc", str(html), "-o", str(work / "pandoc.epub")])
        print(f"  EPUB alone, cold cache ÷ pandoc EPUB of the .html:      {epub_time / pandoc_time:5.2f}"
              f"   (goal <= {GOALS['pandoc']}; pandoc {pandoc_time:.2f} s)")
        print(f"    the same, warm cache (cleaned text and cover kept):   {epub_warm_time / pandoc_time:5.2f}")
    else:
        print(f"  EPUB alone, cold cache ÷ reference:                     {ratio(epub_time)}   (pandoc not installed)")
        print(f"    the same, warm cache (cleaned text and cover kept):   {ratio(epub_warm_time)}")
    impose_code = ("import sys, time; from zinebuild.impose import impose; data = open(sys.argv[1], 'rb').read(); "
                   "start = time.perf_counter(); impose(data, 'saddle', (595.28, 841.89)); "
                   "print(time.perf_counter() - start)")
    impose_times = [float(subprocess.run([sys.executable, "-c", impose_code, str(reading_pdf)], cwd=ROOT,
                                         capture_output=True, text=True, check=True).stdout)
                    for _ in range(RUNS)]
    print(f"  imposition (saddle, A4) ÷ reference:                    "
          f"{statistics.median(impose_times) / ref_time:6.3f}  (goal <= {GOALS['impose']})")


def serve_reload_times(config: Path, source: Path, runs: int = RUNS) -> list[float]:
    """Seconds from saving an edit of one piece to the page in Chromium showing the page it changed.

    `zinebuild serve` in its own process, the page in Debian's headless Chromium: the clock
    stops once the page has the new build and the changed page's new image has loaded.
    """
    from playwright.sync_api import sync_playwright

    server = subprocess.Popen([sys.executable, "-m", "zinebuild", "-q", "serve", str(config), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    original = source.read_text(encoding="utf-8")
    times = []
    try:
        url = re.search(r"http://\S+/", server.stdout.readline()).group(0)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url)
            page.wait_for_selector("body[data-generation]", timeout=600_000)
            for edit in range(runs):
                generation = int(page.get_attribute("body", "data-generation"))
                start = time.perf_counter()
                source.write_text(original + f"\n\nA sentence added for the benchmark, edit {edit}.\n",
                                  encoding="utf-8")
                page.wait_for_function(
                    "g => { const b = document.body.dataset; if (Number(b.generation) <= g || b.building === 'yes')"
                    " return false; const i = document.querySelector('.page.focus img');"
                    " return i && i.complete && i.naturalWidth > 0; }",
                    arg=generation, timeout=120_000, polling="raf")
                times.append(time.perf_counter() - start)
            browser.close()
    finally:
        source.write_text(original, encoding="utf-8")
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=60)
    return times


def bench_cleaner() -> None:
    from zinebuild.clean import clean

    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "sources").glob("00*.txt"))]
    size = sum(len(s.encode()) for s in seeds) / 1e6
    start = time.perf_counter()
    for seed in seeds:  # the word list loads once per process, on the first hyphen to judge
        clean(seed)
    print(f"\ncleaner warm-up, word list included: {time.perf_counter() - start:.2f} s (once per build)")
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        for seed in seeds:
            clean(seed)
        times.append(time.perf_counter() - start)
    print(f"cleaner on the seeds ({size:.2f} MB): {size / statistics.median(times):.2f} MB/s on one core")


def main() -> None:
    print(f"zinebuild benchmark, {time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores "
          f"({len(os.sched_getaffinity(0))} usable), Python {sys.version.split()[0]}, medians of {RUNS} runs")
    with tempfile.TemporaryDirectory(prefix="zinebuild-bench-") as tmp:
        work = Path(tmp)
        bench_book("sample", sample_copy(work / "sample"), work)
        bench_book("4x sample", four_times(work / "four"), work)
    bench_cleaner()


if __name__ == "__main__":
    main()

"""Benchmark: `make bench`. Ratios against references measured in the same run.

Not a test: nothing here asserts a time. The machines are shared and noisy; read the
ratios, not the seconds. Every build runs as `zinebuild build` in a process of its own,
as a user runs it.

Two parts. The sample, in detail (medians of 3): a cold build, a rebuild after editing one
piece, memory, EPUB alone, serve, imposition, each against the reference: WeasyPrint
rendering the anthology's .html output as one document, in a process of its own (import
included, as for a build). Each timed measure runs in turn with 3 runs of the reference
and is divided by their median: the machine's speed drifts over minutes. Then scale, one
run per book (the big ones take minutes): the sample 1x, 4x, 16x and 64x over, 5,000
short pieces and one piece of about 2,000 pages, each with its time per page and peak
memory, to show that both grow linearly.
Memory is the peak of the summed proportional set size (PSS) of a process and all its
children: forked workers share pages, and PSS counts a shared page once across them. In
the detailed part it is sampled every 50 ms in runs apart from the timed ones; in the
scale part every 250 ms in the timed run itself (reading /proc costs the build about 1%).

`python tests/bench.py --quick` stops after 16x (for trying a change; not for the README);
`--scale-only=5,one` builds only the scale books whose labels start so.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchbooks import (ROOT, SAMPLE, edited_source, multiplied, one_long_piece, sample_copy,  # noqa: E402
                        short_pieces)

RUNS = 3
GOALS = {"cold": 0.6, "edit": 0.2, "pandoc": 0.3, "impose": 0.05, "memory": 1.2, "slope": 0.10,
         "serve": 0.43, "photos": 1.5}  # serve: 1.5 s from a saved edit to the reloaded page, against the reference's 3.5 s
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


def peak_memory(command: list[str], cwd: Path = ROOT, every: float = 0.05) -> int:
    """Peak PSS of the command's process tree (KiB), sampled every `every` seconds.

    In runs of its own: reading /proc takes CPU, which a build using every core would lose.
    """
    return timed_with_memory(command, cwd, every)[1]


def timed_with_memory(command: list[str], cwd: Path = ROOT, every: float = 0.25) -> tuple[float, int]:
    """Wall time (s) and peak PSS (KiB) of one run of the command."""
    # Its messages go to a file: a pipe read only at the end fills up (a book of copies warns
    # of its groups of near duplicates, Z102) and the build would wait on it.
    with tempfile.TemporaryFile() as messages:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=messages)
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_pss(process.pid))
            time.sleep(every)
        elapsed = time.perf_counter() - start
        if process.returncode:
            messages.seek(0)
            raise SystemExit(f"{' '.join(map(str, command))} failed:\n{messages.read().decode()}")
    return elapsed, peak


def repeated(measure, command: list[str], before=None, runs: int = RUNS) -> list:
    """measure(command) in `runs` runs, calling before() ahead of each (to empty a cache, edit a source)."""
    results = []
    for _ in range(runs):
        if before:
            before()
        results.append(measure(command))
    return results


def in_turn(*measures, runs: int = RUNS) -> list[float]:
    """The median of each measure (a call returning seconds), the measures run in turn
    (a, b, a, b, ...): the machines are shared, and their speed drifts over minutes (the same
    reference took 4.9 s in one run and 8.9 s in another an hour apart); in turn, a drift
    weighs on both sides of a ratio alike."""
    times = [[] for _ in measures]
    for _ in range(runs):
        for measure, measured in zip(measures, times):
            measured.append(measure())
    return [statistics.median(measured) for measured in times]


def timing(command: list[str], before=None):
    """A measure for in_turn: before() (to empty a cache, edit a source), then one timed run."""
    def measure() -> float:
        if before:
            before()
        return run(command)
    return measure


def max_memory(command: list[str], before=None) -> int:
    return max(repeated(peak_memory, command, before))


# ---------------------------------------------------------------- the measures
PHOTO_SIZE = (4032, 3024)  # a phone's twelve megapixels


def photo_book(folder: Path, photos: int = 20, size: tuple[int, int] = PHOTO_SIZE) -> tuple[Path, Path]:
    """The sample anthology, and the same with a part of `photos` large, distinct photos (JPEG,
    as a phone saves them): (config without, config with)."""
    from PIL import Image, ImageDraw

    without = sample_copy(folder / "without")
    shutil.copytree(ROOT / "sources", folder / "with")
    pictures = folder / "with" / "photos"
    pictures.mkdir()
    lines = ["---", "title: Twenty Photos", "---", ""]
    for number in range(photos):
        image = Image.effect_noise(size, 40 + number).convert("RGB")  # grain, as a phone's sensor gives
        draw = ImageDraw.Draw(image)
        for x in range(0, size[0], max(1, size[0] // 64)):  # and a scene under it: each photo its own
            draw.rectangle([x, 0, x + size[0] // 64, size[1] // (2 + number % 3)],
                           fill=((x * 7 + number * 40) % 256, (number * 30) % 256, 255 - (x % 256)))
        image.save(pictures / f"{number:02}.jpg", "JPEG", quality=92)
        lines += [f"![Photo {number + 1} of the demonstration](photos/{number:02}.jpg)",
                  f"The demonstration, photo {number + 1}.", ""]
    (folder / "with" / "photos.md").write_text("\n".join(lines), encoding="utf-8")
    config = folder / "with" / SAMPLE.name
    text = config.read_text(encoding="utf-8")
    head, output = text.split("[output]", 1)
    config.write_text(head + '[[parts]]\ntitle = "Photos"\n  [[parts.pieces]]\n  source = "photos.md"\n\n'
                      + "[output]" + output, encoding="utf-8")
    return without, config


def zinebuild(*args) -> list[str]:
    return [sys.executable, "-m", "zinebuild", "-q", "build", *map(str, args)]


def reference(html: Path, work: Path) -> list[str]:
    """WeasyPrint laying out the .html output as one document, as a process of its own."""
    return [sys.executable, "-c", f"import weasyprint; weasyprint.HTML({str(html)!r})"
                                  f".write_pdf({str(work / 'reference.pdf')!r})"]


def page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def bench_book(label: str, config: Path, work: Path) -> dict:
    """The sample in detail; returns the reference's figures, for the scale part's ratios."""
    out = work / f"out-{label}"
    subprocess.run(zinebuild(config, "--out", out, "--format", "html,pdf", "--no-cache"), check=True,
                   capture_output=True)
    html = next(out.glob("*.html"))
    reading_pdf = next(p for p in out.glob("*.pdf") if not p.stem.endswith("-booklet"))
    ref_command = reference(html, work)
    ref_times = []

    def against_reference(command: list[str], before=None) -> float:
        """The command's median time ÷ the reference's median, the two run in turn."""
        value, ref = in_turn(timing(command, before), timing(ref_command))
        ref_times.append(ref)
        return value / ref

    ref_memory = max_memory(ref_command)
    pages = page_count(reading_pdf)
    build_out = work / f"build-{label}"

    def cold():
        shutil.rmtree(build_out, ignore_errors=True)

    build = zinebuild(config, "--out", build_out)
    ratios = {"cold": against_reference(build, before=cold)}
    cold_memory = max_memory(build, before=cold)
    ratios["jobs1"] = against_reference(zinebuild(config, "--out", build_out, "--jobs", "1"), before=cold)
    ratios["unchanged"] = against_reference(build)
    source = edited_source(config)
    original = source.read_text(encoding="utf-8")
    edits = iter(range(1000))

    def edit_one_piece():
        source.write_text(original + f"\n\nA sentence added for the benchmark, edit {next(edits)}.\n",
                          encoding="utf-8")

    try:
        ratios["edit"] = against_reference(build, before=edit_one_piece)
        edit_memory = max_memory(build, before=edit_one_piece)
    finally:
        source.write_text(original, encoding="utf-8")
    if CHROMIUM.exists():  # the reference runs between the edits, while the page waits
        serve_refs = []
        reload_time = statistics.median(serve_reload_times(config, source,
                                                           between=lambda: serve_refs.append(run(ref_command))))
        ratios["serve"] = reload_time / statistics.median(serve_refs)
        ref_times.append(statistics.median(serve_refs))
    epub_out = work / f"epub-{label}"
    epub = zinebuild(config, "--out", epub_out, "--format", "epub")
    ratios["epub"] = against_reference(epub, before=lambda: shutil.rmtree(epub_out, ignore_errors=True))
    ratios["epub warm"] = against_reference(epub)
    ref_time = statistics.median(ref_times)

    print(f"\n{label}: {html.stat().st_size / 1e6:.1f} MB of HTML, {pages} A5 pages")
    print(f"  reference, WeasyPrint renders the .html as one document: {ref_time:.2f} s "
          f"(median of its runs, {min(ref_times):.2f} to {max(ref_times):.2f} s), {ref_memory / 1024:.0f} MiB")
    print("  each time below is a median of 3 runs made in turn with 3 of the reference, and divided by those")

    def ratio(name: str, goal: str | None = None) -> str:
        text = f"{ratios[name]:5.2f}"
        return text + (f"   (goal <= {GOALS[goal]})" if goal else "")

    print(f"  full build, all formats, cold cache ÷ reference:        {ratio('cold', 'cold')}")
    print(f"    the same with --jobs 1 ÷ reference:                   {ratio('jobs1')}")
    print(f"  rebuild after editing one piece ÷ reference:            {ratio('edit', 'edit')}")
    print(f"    rebuild with nothing changed ÷ reference:             {ratio('unchanged')}")
    if "serve" not in ratios:
        print(f"  serve: not measured, {CHROMIUM} is missing (apt-get install chromium)")
    else:
        print(f"  serve: saved edit of one piece to the reloaded page ÷ reference: {ratio('serve', 'serve')}"
              f"; {reload_time:.2f} s")
    print(f"  peak memory of the build (all processes) ÷ reference's: {cold_memory / ref_memory:5.2f}"
          f"   (goal <= {GOALS['memory']}); editing one piece: {edit_memory / ref_memory:.2f}")
    if shutil.which("pandoc"):
        pandoc = ["pandoc", str(html), "-o", str(work / "pandoc.epub")]
        cold_epub, warm_epub, pandoc_time = in_turn(
            timing(epub, before=lambda: shutil.rmtree(epub_out, ignore_errors=True)), timing(epub), timing(pandoc))
        print(f"  EPUB alone, cold cache ÷ pandoc EPUB of the .html:      {cold_epub / pandoc_time:5.2f}"
              f"   (goal <= {GOALS['pandoc']}; pandoc {pandoc_time:.2f} s)")
        print(f"    the same, warm cache (cleaned text and cover kept):   {warm_epub / pandoc_time:5.2f}")
    print(f"  EPUB alone, cold cache ÷ reference:                     {ratio('epub')}")
    print(f"    the same, warm cache (cleaned text and cover kept):   {ratio('epub warm')}")
    impose_code = ("import sys, time; from zinebuild.impose import impose; data = open(sys.argv[1], 'rb').read(); "
                   "start = time.perf_counter(); impose(data, 'saddle', (595.28, 841.89)); "
                   "print(time.perf_counter() - start)")
    impose_times = [float(subprocess.run([sys.executable, "-c", impose_code, str(reading_pdf)], cwd=ROOT,
                                         capture_output=True, text=True, check=True).stdout)
                    for _ in range(RUNS)]
    print(f"  imposition (saddle, A4) ÷ reference:                    "
          f"{statistics.median(impose_times) / ref_time:6.3f}  (goal <= {GOALS['impose']})")
    return {"time": ref_time, "memory": ref_memory, "pages": pages}


def bench_photos(work: Path) -> None:
    """A build with 20 large photos against the same book without them: each photo is decoded
    and resized once per build (images.py), and a rebuild takes them from the build cache."""
    without, with_photos = photo_book(work / "photos")
    measures = []  # in each round: each book cold, then rebuilt unchanged
    for label, config in (("without", without), ("with", with_photos)):
        out = work / f"photos-out-{label}"
        build = zinebuild(config, "--out", out)
        measures += [timing(build, before=lambda out=out: shutil.rmtree(out, ignore_errors=True)), timing(build)]
    times = dict(zip(("without", "without warm", "with", "with warm"), in_turn(*measures)))
    print(f"\nsample with 20 photos of {PHOTO_SIZE[0]}×{PHOTO_SIZE[1]} pixels ÷ without them, all formats, "
          f"cold cache: {times['with'] / times['without']:5.2f}   (goal <= {GOALS['photos']}); "
          f"unchanged rebuild: {times['with warm'] / times['without warm']:5.2f}")


def serve_reload_times(config: Path, source: Path, runs: int = RUNS, between=None) -> list[float]:
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
                if between:  # before each edit, while the page waits: the reference, in turn with the edits
                    between()
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


def scale_books(quick: bool = False) -> list[tuple[str, object]]:
    """The books in the order they are built: the 64x book, the longest, last."""
    books = [(f"sample {n}x", lambda folder, n=n: sample_copy(folder) if n == 1 else multiplied(folder, n))
             for n in (1, 4, 16)]
    if not quick:
        books += [("5,000 short pieces", short_pieces),
                  ("one piece of ~2,000 pages", lambda folder: one_long_piece(folder, 2000 * 2100)),
                  ("sample 64x", lambda folder: multiplied(folder, 64))]
    return books


def bench_scale(work: Path, books: list, reference_figures: dict | None = None) -> None:
    """Cold builds of ever bigger books, one run each: time per page and memory, with the slope."""
    print("\nscale: cold builds, all of each config's formats, one run per book (time and memory in the same run)")
    print(f"  {'book':<28}{'pages':>7}{'time':>10}{'s/page':>9}{'x 1x':>7}{'peak memory':>14}{'MiB/page':>10}")
    per_page = {}
    for label, make in books:
        folder = work / re.sub(r"\W+", "-", label)
        config = make(folder)
        out = folder / "out"
        elapsed, peak = timed_with_memory(zinebuild(config, "--out", out))
        reading = next(p for p in out.glob("*.pdf") if not p.stem.endswith("-booklet"))
        pages = page_count(reading)
        per_page[label] = elapsed / pages
        slope = f"{per_page[label] / per_page['sample 1x']:>7.2f}" if "sample 1x" in per_page else f"{'':>7}"
        print(f"  {label:<28}{pages:>7}{elapsed:>9.1f}s{per_page[label]:>9.3f}{slope}"
              f"{peak / 1024:>11.0f} MiB{peak / 1024 / pages:>10.2f}", flush=True)
        shutil.rmtree(folder, ignore_errors=True)
    if {"sample 1x", "sample 16x"} <= set(per_page):
        slope = per_page["sample 16x"] / per_page["sample 1x"] - 1
        print(f"  the 16x book's time per page against the 1x book's: {slope:+.0%}   (goal: at most "
              f"+{GOALS['slope']:.0%}; less is the fixed start-up spread over more pages)")
    if reference_figures:
        print(f"  (the reference, WeasyPrint on the sample's .html: "
              f"{reference_figures['time'] / reference_figures['pages']:.3f} s/page, "
              f"{reference_figures['memory'] / 1024:.0f} MiB)")


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    only = next((arg.split("=", 1)[1].split(",") for arg in sys.argv[1:] if arg.startswith("--scale-only=")), None)
    print(f"zinebuild benchmark, {time.strftime('%Y-%m-%d %H:%M')}: {os.cpu_count()} cores "
          f"({len(os.sched_getaffinity(0))} usable), load average {os.getloadavg()[0]:.1f}, Python "
          f"{sys.version.split()[0]}; the sample in medians of {RUNS} runs, the scale books in one run each")
    with tempfile.TemporaryDirectory(prefix="zinebuild-bench-") as tmp:
        work = Path(tmp)
        if only:  # one or more of the scale books alone, by the start of their label: `--scale-only=5,one`
            bench_scale(work, [book for book in scale_books() if any(book[0].startswith(o) for o in only)])
            return
        figures = bench_book("sample", sample_copy(work / "sample"), work)
        bench_photos(work)
        bench_cleaner()
        bench_scale(work, scale_books(quick), figures)
    bench_batch()


def bench_batch(books: int = 20, goal: float = 1.2) -> None:
    """`zinebuild batch` of books zines (the seeds and the Markdown piece, copied over) on a
    2-worker Dask LocalCluster, against the same batch on the local pool. Cold caches; each
    cluster is started before its run is timed, its workers' imports are in the run, as
    the pool's are."""
    from distributed import LocalCluster

    with tempfile.TemporaryDirectory(prefix="zinebuild-bench-batch-") as tmp:
        work = Path(tmp)
        sources = sorted((ROOT / "sources").glob("00*.txt")) + [ROOT / "sources" / "passing-it-on.md"]
        for index in range(books):
            copy = work / "texts" / f"copy{index // len(sources)}"
            copy.mkdir(parents=True, exist_ok=True)
            shutil.copy(sources[index % len(sources)], copy)
        for copy in (work / "texts").glob("copy*"):  # the Markdown piece's pictures (not their SOURCES.md: a book)
            (copy / "images").mkdir()
            for picture in ("eye.jpg", "fold.png"):
                shutil.copy(ROOT / "sources" / "images" / picture, copy / "images")
        template = work / "zine.toml"  # the sample's [output]; each zine's title and authors are its source's
        template.write_text("[output]" + SAMPLE.read_text(encoding="utf-8").split("[output]", 1)[1])
        command = [sys.executable, "-m", "zinebuild", "-q", "batch", work / "texts", "--template", template]

        def empty_out() -> None:
            shutil.rmtree(work / "out", ignore_errors=True)

        def on_a_cluster() -> float:
            empty_out()
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
                return run(command + ["--out", work / "out", "--scheduler", cluster.scheduler_address])

        pool, on_cluster = in_turn(timing(command + ["--out", work / "out"], before=empty_out), on_a_cluster)
        ratio = on_cluster / pool
        print(f"\nbatch of {books} zines (EPUB, PDF, booklet, HTML): local pool {pool:.1f} s, "
              f"2-worker Dask LocalCluster {on_cluster:.1f} s")
        print(f"  LocalCluster ÷ local pool: {ratio:5.2f}  (goal ≤ {goal}: {'met' if ratio <= goal else 'missed'})")


if __name__ == "__main__":
    main()

"""Benchmark: `make bench`. Ratios against references measured in the same run, medians of 3.

Not a test: nothing here asserts a time. The machines are shared and noisy; read the
ratios, not the seconds.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sources" / "anthology.toml"
RUNS = 3


def median_time(function, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_child(code: str) -> tuple[float, int]:
    """Wall time and peak memory (KiB) of a fresh Python process running code."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(done.stderr)
    return elapsed, int(done.stdout.strip().splitlines()[-1])


PEAK = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"


def bench_cleaner() -> None:
    from zinebuild.clean import clean

    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "sources").glob("00*.txt"))]
    size = sum(len(s.encode()) for s in seeds) / 1e6
    start = time.perf_counter()
    for seed in seeds:  # the word list loads once per process, on the first hyphen to judge
        clean(seed)
    print(f"cleaner warm-up, word list included: {time.perf_counter() - start:.2f} s (once per build)")
    seconds = median_time(lambda: [clean(s) for s in seeds])
    print(f"cleaner on the seeds ({size:.2f} MB): {size / seconds:.2f} MB/s (goal >= 2 MB/s on one core)")
    for factor in (4, 80):
        big = "\n\n".join(seeds) * factor
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = median_time(lambda: clean(big), runs=1)
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        print(f"  {factor:>2}x seeds ({len(big.encode()) / 1e6:5.1f} MB): {t:6.2f} s, "
              f"{t / (seconds * factor):.2f}x linear, peak memory grew {grown:.0f} MiB")


def bench_build() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        html_code = (f"from zinebuild import pipeline; p = pipeline.load({str(SAMPLE)!r}); "
                     f"pipeline.build(p, ('html',), __import__('pathlib').Path({tmp!r}))")
        subprocess.run([sys.executable, "-c", html_code], cwd=ROOT, check=True)
        html = next(out.glob("*.html"))
        reference = [in_child(f"import weasyprint; weasyprint.HTML({str(html)!r}).write_pdf({str(out / 'ref.pdf')!r}); "
                              + PEAK) for _ in range(RUNS)]
        ref_time = statistics.median(t for t, _ in reference)
        ref_mem = max(m for _, m in reference)

        def build(formats: str) -> tuple[float, int]:
            return in_child(f"from zinebuild import pipeline; p = pipeline.load({str(SAMPLE)!r}); "
                            f"pipeline.build(p, tuple({formats!r}.split(',')), __import__('pathlib').Path({tmp!r}) / 'o'); "
                            + PEAK)

        full = [build("epub,pdf,booklet,html") for _ in range(RUNS)]
        epub = [build("epub") for _ in range(RUNS)]
        full_time = statistics.median(t for t, _ in full)
        pdf_path = out / "ref.pdf"
        impose_code = (f"from zinebuild.impose import impose; import time; d = open({str(pdf_path)!r}, 'rb').read(); "
                       f"s = time.perf_counter(); impose(d, 'saddle', (595.28, 841.89)); "
                       f"print(time.perf_counter() - s); " + PEAK)
        impose_times = []
        for _ in range(RUNS):
            done = subprocess.run([sys.executable, "-c", impose_code], cwd=ROOT, capture_output=True, text=True,
                                  check=True)
            impose_times.append(float(done.stdout.split()[0]))
        print(f"reference: WeasyPrint rendering the anthology's .html as one document, in its own process "
              f"(median {ref_time:.2f} s)")
        print(f"full build, all formats ÷ reference:      {full_time / ref_time:.2f}   (goal <= 0.6)")
        print(f"EPUB alone ÷ reference:                   {statistics.median(t for t, _ in epub) / ref_time:.2f}")
        print(f"imposition ÷ reference render:            {statistics.median(impose_times) / ref_time:.3f}  (goal <= 0.05)")
        print(f"peak memory of the build ÷ reference's:   {max(m for _, m in full) / ref_mem:.2f}   (goal <= 1.2)")


def main() -> None:
    print(f"zinebuild benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, medians of {RUNS} runs")
    bench_cleaner()
    bench_build()


if __name__ == "__main__":
    main()

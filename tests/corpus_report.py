"""Turn the plain-text corpus into a report: per file and in total, words accounted for, title,
heading tree, lists and notes against the reviewed outlines in tests/corpus/text/expected/.

Run with `make corpus`. A report for people, not a test: tests/test_corpus.py holds the line.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.corpus_outline import CHECKS, FILES, compare, expected, outline  # noqa: E402
from zinebuild import accounting  # noqa: E402
from zinebuild.clean.decode import decode  # noqa: E402
from zinebuild.errors import ZinebuildError  # noqa: E402
from zinebuild.readers import read  # noqa: E402


def main(verbose: bool) -> int:
    totals = {check: 0 for check in CHECKS}
    words_in = words_lost = judged = 0
    print(f"{'file':40} {'words':>7} {'kept':>7}  " + "  ".join(f"{c:8}" for c in CHECKS))
    for path in FILES:
        try:
            source = read(path)
        except ZinebuildError as error:
            print(f"{path.name:40} cannot read: {error}")
            continue
        count = len(accounting.words("\n".join(accounting.input_lines(path, decode(path.read_bytes())[0]))))
        lost = sum(len(r.text.split()) for r in source.unaccounted)
        words_in, words_lost = words_in + count, words_lost + lost
        want = expected(path)
        results = compare(want, outline(source)) if want else {}
        judged += bool(want)
        marks = []
        for check in CHECKS:
            ok = want is not None and not results[check]
            totals[check] += ok
            marks.append(f"{'ok' if ok else '—' if want is None else 'WRONG':8}")
        kept = 100 * (count - lost) / count if count else 100
        print(f"{path.name:40} {count:7} {kept:6.1f}%  " + "  ".join(marks))
        if verbose:
            for check in CHECKS:
                for problem in results.get(check, []):
                    print(f"    {check}: {problem}")
            for lost_words in source.unaccounted:
                print(f"    words: {accounting.notice_text(lost_words)}")
    kept_all = 100 * (words_in - words_lost) / words_in if words_in else 100
    print(f"\n{len(FILES)} files, {words_in} words, {kept_all:.2f}% accounted for "
          f"({words_lost} unaccounted)")
    for check in CHECKS:
        print(f"{check:9} right in {totals[check]:3} of {judged} reviewed outlines")
    return 0


if __name__ == "__main__":
    sys.exit(main("-v" in sys.argv[1:]))

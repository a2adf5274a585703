"""Z102: one notice per group of pieces sharing their text, however many copies the group holds.

The texts are Debian's copies of the BSD, Apache 2.0, CC0 and GPL 3 licences
(/usr/share/common-licenses/, from base-files), copied at test time.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from .test_cli import run
from .conftest import write_project

LICENCES = Path("/usr/share/common-licenses")


def _z102(output: str) -> list[str]:
    return [line for line in output.splitlines() if "Z102" in line]


def _project(tmp_path: Path, names: list[str]) -> Path:
    # A copy carries its text's title ("BSD Licence"), the others their file's name.
    pieces = "".join(f'[[pieces]]\nsource = "{name}"\ntitle = "{"BSD Licence" if "bsd" in name else name[:-4]}"\n'
                     for name in names)
    return write_project(tmp_path, f'[book]\ntitle = "Copies"\nlanguage = "en"\n{pieces}', {})


def test_twelve_copies_make_one_notice_and_another_pair_its_own(tmp_path):
    copies = [f"bsd-{n:02}.txt" for n in range(1, 13)]
    for name in copies:
        shutil.copy(LICENCES / "BSD", tmp_path / name)
    apache = (LICENCES / "Apache-2.0").read_text()
    (tmp_path / "apache.txt").write_text(apache)
    # The licence with CC0 in place of its appendix: most of its text, not all of it.
    cc0 = (LICENCES / "CC0-1.0").read_text()
    (tmp_path / "apache-short.txt").write_text(apache[:apache.index("APPENDIX")] + cc0)
    shutil.copy(LICENCES / "GPL-3", tmp_path / "gpl.txt")
    config = _project(tmp_path, [copies[0], "apache.txt", *copies[1:6], "gpl.txt", *copies[6:], "apache-short.txt"])
    result = run("check", config)
    assert result.exit_code == 0, result.output
    notices = _z102(result.output)
    assert len(notices) == 2, notices
    group, pair = notices
    # The copies: how many, the first few named (by file and place: they share one title), a count of the rest.
    assert "12 pieces:" in group and "share 100% of their text" in group
    named = re.findall(r"\((bsd-\d\d\.txt), piece (\d+)\)", group)
    assert named == [("bsd-01.txt", "1"), ("bsd-02.txt", "3"), ("bsd-03.txt", "4")]
    assert "and 9 more pieces" in group
    assert "apache" not in group and "gpl" not in group
    # The pair: the wording of a pair, its own share, neither copy nor the GPL in it.
    share = re.search(r"share (\d+)% of their text; leave one out", pair)
    assert share and 60 <= int(share[1]) < 100, pair
    assert pair.count("' and '") == 1 and "bsd" not in pair and "pieces:" not in pair
    assert "apache-short.txt" in pair  # the later of the two, where the notice points


def test_a_few_copies_are_all_named(tmp_path):
    names = ["bsd-a.txt", "bsd-b.txt", "bsd-c.txt"]
    for name in names:
        shutil.copy(LICENCES / "BSD", tmp_path / name)
    result = run("check", _project(tmp_path, names))
    (notice,) = _z102(result.output)
    assert re.findall(r"'BSD Licence' \((bsd-\w\.txt), piece \d+\)", notice) == names
    assert "3 pieces:" in notice and "more" not in notice

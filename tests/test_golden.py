"""Golden files: each seed's cleaned model beside its input, reviewed by hand.

Regenerate with `pytest tests/test_golden.py --update-golden`, then read the diff in git.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from zinebuild.model import source_to_dict
from zinebuild.readers import read

from .conftest import ROOT

SEEDS = sorted((ROOT / "sources").glob("00*.txt"))
GOLDEN = Path(__file__).parent / "golden"


def dump(path: Path) -> str:
    data = source_to_dict(read(path))
    data["source"] = path.name
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem[:3] for s in SEEDS])
def test_seed_matches_golden(seed, update_golden):
    expected_path = GOLDEN / f"{seed.stem}.json"
    actual = dump(seed)
    if update_golden or not expected_path.exists():
        expected_path.write_text(actual, encoding="utf-8")
        pytest.skip("golden file written; review it with git diff")
    expected = expected_path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            "expected", "actual", n=2))
        pytest.fail(f"{seed.name} differs from {expected_path.name}:\n{diff[:6000]}")

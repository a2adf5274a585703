"""Give back the apostrophes and quotes a title lost when it was saved as a file name.

"Russian soldiers_ unique protest against Putin_ _Don_t come here…_" was
"Russian soldiers’ unique protest against Putin: “Don’t come here…”".
"""

from __future__ import annotations

import re


def repair(title: str) -> str:
    if "_" not in title or re.search(r"\s_\s|__", title):
        return title
    title = re.sub(r"(\w)_ _(\w)", r"\1: “\2", title)  # "Putin_ _Don" -> "Putin: “Don"
    title = re.sub(r"(\ws)_(\s)", r"\1’\2", title)  # "soldiers_ unique" -> "soldiers’ unique"
    title = re.sub(r"(\w)_(\w)", r"\1’\2", title)  # "Don_t" -> "Don’t"
    title = re.sub(r"_$", "”" if "“" in title else "", title)
    title = re.sub(r"(\w)_(\s)", r"\1:\2", title)
    return title.replace("_", " ").strip()

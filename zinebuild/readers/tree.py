"""Turn an lxml element into the text it leaves behind: the one way our HTML readers remove one."""

from __future__ import annotations


def replace_with_text(element, text: str = "") -> None:
    """Removes element, putting `text` and the text that followed it where it stood."""
    parent = element.getparent()
    if parent is None:
        return
    rest = text + (element.tail or "")
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + rest
    else:
        parent.text = (parent.text or "") + rest
    parent.remove(element)

"""Turn the package files ebooklib writes into accessible ones, entry by entry.

ebooklib has no say over these details: the package document's language, a landmarks
list kept out of the reading flow, the contents page's heading level, and the NCX's depth
and play order that older readers navigate by. Each fix is one function on one file.
"""

from __future__ import annotations

from lxml import etree

OPF = "http://www.idpf.org/2007/opf"
XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
NCX = "http://www.daisy.org/z3986/2005/ncx/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def finish(name: str, data: bytes, language: str) -> bytes:
    """The entry `name` of the EPUB, mended if it is one of ebooklib's package files."""
    if name.endswith(".opf"):
        return _edit(data, lambda root: _package_language(root, language))
    if name.endswith("nav.xhtml"):
        return _edit(data, _nav)
    if name.endswith(".ncx"):
        return _edit(data, _ncx)
    return data


def _edit(data: bytes, change) -> bytes:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", doctype=_doctype(data))


def _doctype(data: bytes) -> str | None:
    return "<!DOCTYPE html>" if b"<!DOCTYPE html>" in data[:200] else None


def _package_language(root, language: str) -> None:
    # The language of the package's own text (titles, descriptions), for assistive technology.
    root.set(XML_LANG, language)


def _nav(root) -> None:
    for nav in root.iter(f"{{{XHTML}}}nav"):
        kind = nav.get(f"{{{OPS}}}type")
        if kind == "landmarks":
            # Landmarks are for the reading system's menus, not a page in the reading flow.
            nav.set("hidden", "hidden")
        elif kind == "toc":
            # The contents page's heading opens its file: h1, not ebooklib's h2.
            for heading in nav.iter(f"{{{XHTML}}}h2"):
                heading.tag = f"{{{XHTML}}}h1"
                break


def _ncx(root) -> None:
    """dtb:depth as deep as the navMap goes, and a playOrder on every navPoint."""
    points = list(root.iter(f"{{{NCX}}}navPoint"))
    orders: dict[str, int] = {}  # points to one target share its place in the order (NCX 2005)
    for point in points:
        content = point.find(f"{{{NCX}}}content")
        target = content.get("src", "") if content is not None else ""
        point.set("playOrder", str(orders.setdefault(target, len(orders) + 1)))
    depth = max((sum(1 for a in p.iterancestors(f"{{{NCX}}}navPoint")) + 1 for p in points), default=1)
    for meta in root.iter(f"{{{NCX}}}meta"):
        if meta.get("name") == "dtb:depth":
            meta.set("content", str(depth))

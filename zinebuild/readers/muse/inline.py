"""Turn one Muse block's text into inlines: tags, ``*`` emphasis, ``=code=``, links and notes."""

from __future__ import annotations

import re
from pathlib import Path

from ...clean.normalise import NO_BREAK_SPACE
from ...media import figure
from ...model import Block, Code, Emphasis, Inline, LineBreak, Link, NoteRef, Strong, Text, plain

_PICTURE = re.compile(r"^\[\[(?P<file>[\w.-]+\.(?:png|jpe?g|gif))(?: +\d*(?P<place>[lrf]?))?\](?:\[(?P<desc>[^\]]+)\])?\]$",
                      re.I)
_IMAGE = re.compile(r"^[\w.-]+\.(png|jpe?g|gif)( +\d*[lrf]?)?$", re.I)
_SAFE_URL = re.compile(r"^(https?:|mailto:)", re.I)
_INLINE = re.compile(r"""
    (?P<verbatim><verbatim>(?P<verbatim_text>.*?)</verbatim>)
  | (?P<code><code>(?P<code_text>.*?)</code>)
  | (?P<eqcode>(?<![\w=])=(?P<eqcode_text>[^\s=](?:[^=]*?[^\s=])?)=(?![\w=]))
  | (?P<link>\[\[(?P<target>[^\]]+)\](?:\[(?P<desc>[^\]]+)\])?\])
  | (?P<note>\[(?P<primary>[1-9][0-9]*)\]|\{(?P<secondary>[1-9][0-9]*)\})
  | (?P<br><br\s*/?>)
  | (?P<ruby><ruby>(?P<ruby_base>[^|<]*)\|(?P<ruby_text>[^<]*)</ruby>)
  | (?P<tag></?(?:em|strong|i|b|sup|sub|del|sc|u|sf|\[[a-zA-Z-]{2,10}\])>)
  | (?P<stars>\*{1,3})
  | (?P<nbsp>~~)
""", re.X | re.S)
_EMPHASIS = {"*": Emphasis, "em": Emphasis, "i": Emphasis, "**": Strong, "strong": Strong, "b": Strong}


class Inlines:
    """Parses one block's text into inlines: tags, ``*`` emphasis, ``=code=``, links and notes."""

    def __init__(self, notes: set[str], warnings: list[str], source: Path | None = None):
        self.notes, self.warnings, self.source = notes, warnings, source

    def picture(self, text: str, line: int) -> Block | None:
        """A paragraph that is one picture, ``[[file.png][caption]]``, whose file is beside the text: a
        figure (``f`` after the name: a page of its own). A file that is not there is only reported."""
        found = _PICTURE.match(text.strip())
        if not found or self.source is None or not (self.source.parent / found["file"]).is_file():
            return None
        caption = self.parse(found["desc"]) if found["desc"] else ()
        return figure(found["file"], plain(caption), self.source, line, self.warnings, caption=caption,
                      role="full-page" if found["place"] == "f" else None)

    def parse(self, text: str) -> tuple[Inline, ...]:
        # Each frame: (marker, children); the bottom frame is the block itself.
        stack: list[tuple[str, list[Inline]]] = [("", [])]
        pos = 0
        for match in _INLINE.finditer(text):
            add_text(stack[-1][1], text[pos:match.start()])
            pos = match.end()
            kind = _group(match)
            token = match[0]
            if kind == "verbatim":
                add_text(stack[-1][1], match["verbatim_text"])
            elif kind in ("code", "eqcode"):
                # <code><verbatim><em></verbatim></code> shows "<em>"; between "=" all is literal.
                code = re.sub(r"</?verbatim>", "", match["code_text"]) if kind == "code" else match["eqcode_text"]
                stack[-1][1].append(Code(code))
            elif kind == "ruby":  # the reading after its base, as a reader without ruby would write it
                add_text(stack[-1][1], f"{match['ruby_base']} ({match['ruby_text']})")
            elif kind == "link":
                stack[-1][1].extend(self._link(match["target"].strip(), match["desc"]))
            elif kind == "note":
                key = match["primary"] or f"s{match['secondary']}"
                # Inside a note (or with no such note) the marker stays text: notes hold no notes.
                stack[-1][1].append(NoteRef(key) if key in self.notes else Text(token))
            elif kind == "br":
                stack[-1][1].append(LineBreak())
            elif kind == "nbsp":
                add_text(stack[-1][1], NO_BREAK_SPACE)
            elif kind == "tag":
                name = token.strip("</>")
                if not token.startswith("</"):
                    stack.append((name, []))
                elif stack[-1][0] == name:
                    _close(stack)
                else:
                    add_text(stack[-1][1], token)
            else:  # stars: close an open run of the same length, or open one where a word starts
                before = text[match.start() - 1] if match.start() else " "
                after = text[pos] if pos < len(text) else " "
                if stack[-1][0] == token and not before.isspace() and not after.isalnum():
                    _close(stack)
                elif (not before.isalnum()) and not after.isspace():
                    stack.append((token, []))
                else:
                    add_text(stack[-1][1], token)
        add_text(stack[-1][1], text[pos:])
        while len(stack) > 1:  # never closed: the markers were text after all
            marker, children = stack.pop()
            literal = marker if marker.startswith("*") else f"<{marker}>"
            add_text(stack[-1][1], literal)
            for child in children:
                (add_text(stack[-1][1], child.text) if isinstance(child, Text) else stack[-1][1].append(child))
        return _trim(stack[0][1])

    def _link(self, target: str, desc: str | None) -> list[Inline]:
        label = list(self.parse(desc)) if desc else [Text(target)]
        if _IMAGE.match(target) and "/" not in target:
            self.warnings.append(f"image '{target.split()[0]}' left out (only a picture alone in its paragraph, "
                                 "its file beside the text, is shown)"
                                 + (f"; its caption '{desc}' is kept as text" if desc else ""))
            return label if desc else []
        if _SAFE_URL.match(target):
            return [Link(target, tuple(label))]
        return label


def _group(match: re.Match) -> str:
    return next(name for name in ("verbatim", "code", "eqcode", "link", "note", "br", "ruby", "tag", "stars", "nbsp")
                if match[name] is not None)


def _close(stack: list[tuple[str, list[Inline]]]) -> None:
    marker, children = stack.pop()
    if not children:
        return
    if marker == "***":
        node: Inline = Strong((Emphasis(tuple(children)),))
    elif marker in _EMPHASIS:
        node = _EMPHASIS[marker](tuple(children))
    else:
        stack[-1][1].extend(children)  # sup, sub, del, sc, u: the words, without the look
        return
    stack[-1][1].append(node)


def add_text(out: list[Inline], text: str) -> None:
    if not text:
        return
    if out and isinstance(out[-1], Text):
        out[-1] = Text(out[-1].text + text)
    else:
        out.append(Text(text))


def _trim(nodes: list[Inline]) -> tuple[Inline, ...]:
    nodes = [Text(re.sub(r"[ \n]+", " ", n.text)) if isinstance(n, Text) else n for n in nodes]
    if nodes and isinstance(nodes[0], Text):
        nodes[0] = Text(nodes[0].text.lstrip(" "))
    if nodes and isinstance(nodes[-1], Text):
        nodes[-1] = Text(nodes[-1].text.rstrip(" "))
    return tuple(n for n in nodes if not (isinstance(n, Text) and not n.text))

"""Turn the front matter other tools write (Jekyll, Hugo, MkDocs, Quarto, pandoc, Obsidian) into Fields.

Three forms are read: YAML between ``---`` lines, TOML between ``+++`` lines (Hugo) and
pandoc's ``%`` title block. YAML is read by a SafeLoader that refuses aliases (a 1 KB
"billion laughs" would otherwise grow to gigabytes) and every tag beyond plain scalars,
lists and mappings (``!!set`` and ``!!omap`` have no stable text, ``!!binary`` is no text).
The fields zinebuild uses are found under the names in ``NAMES``; their types are checked
(an error names the key and its line); every other key is kept as metadata, and one that
is one edit away from a name we know gets a "did you mean" warning.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import Problem, SourceError

# The field zinebuild uses -> the names tools give it (first found wins).
NAMES = {
    "title": ("title", "pagetitle"),
    "subtitle": ("subtitle",),
    "short_title": ("short_title", "shorttitle", "short-title"),
    "authors": ("authors", "author", "creator"),
    "description": ("description", "summary", "abstract", "excerpt", "subject"),
    "subjects": ("tags", "categories", "keywords", "category", "topics"),
    "date": ("date", "pubDate", "publishDate", "published_at", "created"),
    "lang": ("lang", "language"),
    "source": ("source", "canonical", "canonical_url", "canonicalURL", "original_url", "url", "link"),
    "slug": ("slug",),
    "draft": ("draft",),
    "published": ("published",),
    # Other addresses of the same page (Hugo's aliases, Jekyll's permalink) and other names (Obsidian).
    "aliases": ("aliases", "permalink", "redirect_from"),
}
_MERGED = {"subjects", "aliases"}
_KNOWN = {name for names in NAMES.values() for name in names}
# Keys tools write that mean nothing to a book; kept quietly (no "did you mean" for them).
_QUIET = {"layout", "template", "weight", "lastmod", "updated", "modified", "toc", "hide", "icon", "cssclasses",
          "type", "id", "sidebar", "nav_order", "parent", "format", "series", "image", "images", "comments",
          "share", "math", "status", "order", "menu", "params", "outputs", "sitemap", "bibliography", "theme",
          "documentclass", "geometry", "editor", "execute", "jupyter", "number-sections", "header-includes"}
_LIMIT = 64 * 1024  # bytes of front matter: a title block, not a database
_DEPTH = 20  # nesting of lists and mappings


@dataclass(frozen=True)
class Fields:
    """What the front matter says, in zinebuild's terms."""

    title: str | None = None
    subtitle: str | None = None
    short_title: str | None = None  # the running head, when the title is long
    authors: tuple[str, ...] = ()
    description: str | None = None
    subjects: tuple[str, ...] = ()
    date: str | None = None
    lang: str | None = None
    source: str | None = None
    slug: str | None = None
    urls: tuple[str, ...] = ()  # the source URL and other addresses of the same page
    meta: tuple[tuple[str, str], ...] = ()  # every key not used, as JSON text
    warnings: tuple[str, ...] = field(default=(), compare=False)


class _Loader(yaml.SafeLoader):
    """YAML's safe subset without aliases, and with dates as the text they were written as."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.MarkedYAMLError(None, None, "aliases (*name) are not allowed in front matter", mark)
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > _DEPTH:
                raise yaml.MarkedYAMLError(None, None, f"nested more than {_DEPTH} deep",
                                           self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_PLAIN = ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
          "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")
_Loader.yaml_constructors = {tag: yaml.SafeLoader.yaml_constructors[tag] for tag in _PLAIN}
_Loader.yaml_constructors["tag:yaml.org,2002:timestamp"] = yaml.SafeLoader.construct_scalar
_Loader.yaml_constructors[None] = yaml.SafeLoader.construct_undefined


_YAML = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_TOML = re.compile(r"\A\+\+\+[ \t]*\n(.*?\n)?\+\+\+[ \t]*(?:\n|\Z)", re.S)


def split(text: str, path: Path) -> tuple[Fields, str, int]:
    """The front matter's fields, the body after it, and the body's first line number."""
    for pattern, parse in ((_YAML, _parse_yaml), (_TOML, _parse_toml)):
        match = pattern.match(text)
        if match:
            raw = match[1] or ""
            if len(raw.encode()) > _LIMIT:
                raise SourceError(Problem(f"front matter longer than {_LIMIT // 1024} KB", file=path, line=2,
                                          hint="front matter is for a title, authors, a date and such"))
            data, lines = parse(raw, path)
            return _fields(data, lines, path), text[match.end():], text[:match.end()].count("\n") + 1
    if text.startswith("%"):
        return _title_block(text, path)
    return Fields(), text, 1


def _parse_yaml(raw: str, path: Path) -> tuple[dict, dict[str, int]]:
    loader = _Loader(raw)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise SourceError(Problem(f"front matter is not valid YAML: {problem}", file=path,
                                  line=None if mark is None else mark.line + 2,
                                  hint="write it as 'key: value' lines between two '---' lines; "
                                       "anchors, aliases and !!tags are not read")) from None
    except RecursionError:
        raise SourceError(Problem("front matter nested too deep", file=path, line=2)) from None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SourceError(Problem("front matter must be 'key: value' lines", file=path, line=2))
    lines = {str(key.value): key.start_mark.line + 2 for key, _ in node.value} if node is not None else {}
    return data, lines


def _parse_toml(raw: str, path: Path) -> tuple[dict, dict[str, int]]:
    try:
        data = tomllib.loads(raw)
    except (tomllib.TOMLDecodeError, RecursionError) as error:
        found = re.search(r"line (\d+)", str(error))
        raise SourceError(Problem(f"front matter is not valid TOML: {error}", file=path,
                                  line=int(found[1]) + 1 if found else 2,
                                  hint="Hugo's TOML front matter: 'key = \"value\"' lines between two '+++' lines")
                          ) from None
    lines = {}
    for number, line in enumerate(raw.splitlines(), start=2):
        key = re.match(r"\s*([\w\-]+)\s*=", line)
        if key:
            lines.setdefault(key[1], number)
    return data, lines


def _title_block(text: str, path: Path) -> tuple[Fields, str, int]:
    """pandoc's title block: '% Title', '% Author; Author', '% Date' (continuation lines indented)."""
    values: list[str] = []
    lines = text.split("\n")
    used = 0
    for line in lines:
        if line.startswith("%") and len(values) < 3:
            values.append(line[1:].strip())
        elif line.startswith((" ", "\t")) and values and line.strip():
            values[-1] += " " + line.strip()
        else:
            break
        used += 1
    values += [""] * (3 - len(values))
    title, authors, date = values
    data = {"title": title or None, "author": [a.strip() for a in authors.split(";") if a.strip()],
            "date": date or None}
    return (_fields({k: v for k, v in data.items() if v}, {"title": 1, "author": 2, "date": 3}, path),
            "\n".join(lines[used:]), used + 1)


def _fields(data: dict, lines: dict[str, int], path: Path) -> Fields:
    found: dict = {}
    used: set[str] = set()
    values: dict = {}
    for name, keys in NAMES.items():
        for key in keys:
            if key in data and data[key] is not None:
                found.setdefault(name, (key, data[key]))
                used.add(key)
                value = _check(name, key, data[key], lines.get(key), path)
                if name in _MERGED:  # tags, categories and keywords are all subjects
                    values[name] = tuple(dict.fromkeys(values.get(name, ()) + value))
                else:
                    values.setdefault(name, value)
    warnings = []
    if values.get("draft") is True or values.get("published") is False:
        key = found["draft" if "draft" in found else "published"][0]
        warnings.append(f"Z108 line {lines.get(key, 2)}: marked as a draft ({key}: {json.dumps(data[key])}); "
                        f"it is in the book all the same")
    for key in sorted(set(map(str, data)) - _KNOWN - _QUIET, key=lambda k: lines.get(k, 0)):
        near = _one_edit_away(key)
        if near:
            warnings.append(f"Z108 line {lines.get(key, 2)}: unknown front matter key '{key}' — did you mean "
                            f"'{near}'? (kept, unused)")
    source = values.get("source")
    aliases = values.get("aliases", ())
    urls = tuple(dict.fromkeys(u for u in ([source] if source else []) + [a for a in aliases if "/" in a]))
    meta = tuple((str(key), json.dumps(value, ensure_ascii=False, sort_keys=True, default=_json))
                 for key, value in sorted(data.items(), key=lambda kv: str(kv[0])) if str(key) not in used)
    names = tuple(a for a in aliases if "/" not in a)
    meta += (("aliases", json.dumps(list(names), ensure_ascii=False)),) if names else ()
    return Fields(title=values.get("title"), subtitle=values.get("subtitle"), short_title=values.get("short_title"),
                  authors=values.get("authors", ()),
                  description=values.get("description"), subjects=values.get("subjects", ()),
                  date=values.get("date"), lang=values.get("lang"), source=source, slug=values.get("slug"),
                  urls=urls, meta=meta, warnings=tuple(warnings))


def _json(value):
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _one_edit_away(key: str) -> str | None:
    """A known key one insertion, deletion, substitution or swap away (for keys of 4 letters and more)."""
    if len(key) < 4:
        return None
    for known in sorted(_KNOWN):
        a, b = key.lower(), known.lower()
        if a == b:
            return None
        if abs(len(a) - len(b)) > 1:
            continue
        if len(a) == len(b):
            diff = [i for i in range(len(a)) if a[i] != b[i]]
            if len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]]):
                return known
        else:
            short, long = sorted((a, b), key=len)
            if any(long[:i] + long[i + 1:] == short for i in range(len(long))):
                return known
    return None


def _problem(key: str, line: int | None, path: Path, message: str, hint: str | None = None) -> SourceError:
    return SourceError(Problem(f"front matter '{key}': {message}", file=path, line=line, key=None, hint=hint))


def _check(name: str, key: str, value, line: int | None, path: Path):
    """The value in zinebuild's terms, or an error naming the key and its line."""
    if name in ("title", "subtitle", "short_title", "description", "slug", "source"):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise _problem(key, line, path, f"must be text, not {_kind(value)}",
                           hint=f"write {key}: \"...\" (quote it if it has a colon or starts with [ or {{)")
        return str(value).strip() or None
    if name == "authors":
        return tuple(_person(item, key, line, path) for item in (value if isinstance(value, list) else [value]))
    if name in ("subjects", "aliases"):
        items = value if isinstance(value, list) else re.split(r"\s*,\s*", value) if isinstance(value, str) else None
        if items is None or any(isinstance(i, (list, dict, bool)) or i is None for i in items):
            raise _problem(key, line, path, f"must be a list of words, not {_kind(value)}",
                           hint=f"write {key}: [one, two]")
        return tuple(dict.fromkeys(str(i).strip() for i in items if str(i).strip()))
    if name == "date":
        return _date(value, key, line, path)
    if name == "lang":  # whether it is BCP 47 is judged once for every source (langtags, in assemble)
        if isinstance(value, bool) or not isinstance(value, str) or not value.strip():
            raise _problem(key, line, path, f"must be a language tag, not {_kind(value)}", hint="e.g. en, cs, pt-BR")
        return value.strip()
    if name in ("draft", "published"):
        if not isinstance(value, bool):
            raise _problem(key, line, path, f"must be true or false, not {_kind(value)}")
        return value
    return value


def _kind(value) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"'{value}'"


def _person(item, key: str, line: int | None, path: Path) -> str:
    """An author: a name, or pandoc/Quarto's mapping with 'name' (itself text or given/family)."""
    if isinstance(item, dict):
        name = item.get("name", item)
        if isinstance(name, dict):
            name = " ".join(str(name[k]) for k in ("given", "dropping-particle", "non-dropping-particle",
                                                    "family", "literal") if name.get(k))
        item = name
    if isinstance(item, bool) or not isinstance(item, (str, int, float)) or not str(item).strip():
        raise _problem(key, line, path, f"an author must be a name or have a 'name:', not {_kind(item)}",
                       hint=f"write {key}: [First Name, Second Name] or {key}: [{{name: First Name}}]")
    return str(item).strip()


_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ][\d:.]+(?: ?(?:Z|[+-]\d{2}:?\d{2}))?)?$")
_WRITTEN = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %Y", "%Y/%m/%d", "%d.%m.%Y", "%m/%d/%Y")


def _date(value, key: str, line: int | None, path: Path) -> str | None:
    """ISO dates as Jekyll, Hugo and Quarto write them (time and zone dropped), or 'May 4, 2024'."""
    if isinstance(value, dict):  # MkDocs Material's blog: date: {created: …, updated: …}
        value = value.get("created") or next(iter(value.values()), None)
    if isinstance(value, dt.date):  # TOML dates and datetimes
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    if text in ("today", "now", "last-modified"):  # Quarto's words for the day it renders
        return None
    match = _ISO.match(text)
    if match:
        year, month, day = int(match[1]), int(match[2] or 1), int(match[3] or 1)
        try:
            dt.date(year, month, day)
        except ValueError:
            raise _problem(key, line, path, f"'{text}' is not a date", hint="write YYYY-MM-DD") from None
        return "-".join(part for part in (match[1], match[2] and f"{month:02d}", match[3] and f"{day:02d}") if part)
    for form in _WRITTEN:
        try:
            return dt.datetime.strptime(text, form).strftime("%Y-%m-%d" if "%d" in form else "%Y-%m")
        except ValueError:
            continue
    try:  # RFC 2822, as feeds and the posts exported from them write it: "Wed, 03 Mar 2021 10:00:00 GMT"
        return email.utils.parsedate_to_datetime(text).strftime("%Y-%m-%d")
    except (TypeError, ValueError, IndexError):
        pass
    raise _problem(key, line, path, f"'{text}' is not a date zinebuild understands", hint="write YYYY-MM-DD")

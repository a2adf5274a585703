"""Front matter as other tools write it: read, mapped, type-checked, and never a bomb."""

from __future__ import annotations

import json
import zipfile

import pytest
from lxml import etree

from zinebuild import pipeline
from zinebuild.errors import SourceError
from zinebuild.readers import read

from .conftest import write_project
from .test_cli import assert_clean_failure, run


def md(tmp_path, text: str, name: str = "post.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def doc_of(tmp_path, text: str):
    source = read(md(tmp_path, text))
    return source.documents[0], source.warnings


# ---------------------------------------------------------------- hardening (#11.9)
ALIAS_BOMB = "---\n" + "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9)
) + "title: Boom\n---\n\nText.\n"


def test_an_alias_bomb_fails_at_once_with_exit_2(tmp_path):
    assert len(ALIAS_BOMB.encode()) < 1200
    path = md(tmp_path, ALIAS_BOMB, "bomb.md")
    result = run("inspect", path)
    assert_clean_failure(result, 2, "bomb.md:3", "aliases")


def test_a_single_alias_is_refused_too(tmp_path):
    with pytest.raises(SourceError, match="aliases") as caught:
        read(md(tmp_path, "---\nname: &n Ann\nauthor: *n\n---\n\nText.\n"))
    assert caught.value.problems[0].line == 3


@pytest.mark.parametrize("value, line", [
    ("title: [A, B]", 2), ("subtitle: {a: 1}", 2), ("title: Fine\nauthor: [[x]]", 3), ("tags: [[a]]", 2),
    ("title: A\ndate: 2026-13-45", 3), ("date: 0000-01-01", 2), ("draft: maybe", 2), ("lang: [en]", 2),
    ("title: 'yes'\nsource: [x]", 3), ("title: yes", 2),
])
def test_used_fields_are_type_checked_with_key_and_line(tmp_path, value, line):
    key = value.splitlines()[-1].split(":")[0]
    result = run("inspect", md(tmp_path, f"---\n{value}\n---\n\nText.\n", "typed.md"))
    assert_clean_failure(result, 2, f"typed.md:{line}", f"'{key}'")


@pytest.mark.parametrize("tagged", ["tags: !!set {a: null, b: null}", "title: !!binary aGVsbG8=",
                                    "title: !custom x", "tags: !!omap [{a: 1}]", "title: !!python/name:os.system"])
def test_non_plain_tags_are_refused(tmp_path, tagged):
    result = run("inspect", md(tmp_path, f"---\n{tagged}\n---\n\nText.\n", "tag.md"))
    assert_clean_failure(result, 2, "tag.md:2", "front matter is not valid YAML")


def test_deep_nesting_and_huge_front_matter_are_refused(tmp_path):
    deep = "---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n\nText.\n"
    assert_clean_failure(run("inspect", md(tmp_path, deep, "deep.md")), 2, "deep.md")
    huge = "---\n" + "".join(f"k{i}: {'v' * 60}\n" for i in range(2000)) + "---\n\nText.\n"
    assert_clean_failure(run("inspect", md(tmp_path, huge, "huge.md")), 2, "huge.md", "front matter longer")


# ---------------------------------------------------------------- other tools' front matter (#21.1)
JEKYLL = """---
layout: post
title: "Hello, Jekyll"
date: 2024-03-05 10:20:00 +0100
categories: [news, zines]
tags: printing
permalink: /2024/03/hello/
published: true
author: Ann Smith
excerpt: A first post.
---

# Hello, Jekyll

Body text.
"""

HUGO = """+++
title = "A Hugo Post"
date = 2024-01-05T10:00:00+01:00
draft = true
tags = ["go", "static"]
aliases = ["/old/address/"]
url = "https://blog.example.org/posts/hugo/"
[params]
icon = "star"
+++

Body of the Hugo post.
"""

QUARTO = """---
title: "A Quarto Report"
subtitle: "With a subtitle"
author:
  - name: Ann Smith
    affiliations: [Somewhere]
  - name:
      given: Bob
      family: Jones
date: "May 4, 2024"
abstract: What it says.
keywords: [one, two]
lang: pt-BR
format: html
---

Body of the report.
"""

MKDOCS = """---
title: MkDocs Page
description: An MkDocs page.
hide: [navigation]
tags: [docs]
date:
  created: 2023-12-31
  updated: 2024-01-02
---

Body of the page.
"""

OBSIDIAN = """---
aliases: [Other Name]
tags: [idea]
created: 2024-02-01
cssclasses: [wide]
---

# A Note from Obsidian

Body of the note.
"""

PANDOC = """% A Pandoc Title
% Ann Smith; Bob Jones
% 2022-07-01

Body of the pandoc text.
"""


@pytest.mark.allow_warnings
@pytest.mark.parametrize("text, expected", [
    (JEKYLL, {"title": "Hello, Jekyll", "authors": ("Ann Smith",), "date": "2024-03-05",
              "subjects": ("printing", "news", "zines"), "description": "A first post."}),
    (HUGO, {"title": "A Hugo Post", "date": "2024-01-05", "subjects": ("go", "static"),
            "source_url": "https://blog.example.org/posts/hugo/"}),
    (QUARTO, {"title": "A Quarto Report", "subtitle": "With a subtitle", "authors": ("Ann Smith", "Bob Jones"),
              "date": "2024-05-04", "subjects": ("one", "two"), "lang": "pt-BR", "description": "What it says."}),
    (MKDOCS, {"title": "MkDocs Page", "date": "2023-12-31", "description": "An MkDocs page.",
              "subjects": ("docs",)}),
    (OBSIDIAN, {"title": "A Note from Obsidian", "date": "2024-02-01", "subjects": ("idea",)}),
    (PANDOC, {"title": "A Pandoc Title", "authors": ("Ann Smith", "Bob Jones"), "date": "2022-07-01"}),
], ids=["jekyll", "hugo", "quarto", "mkdocs", "obsidian", "pandoc"])
def test_other_tools_front_matter_is_read(tmp_path, text, expected):
    doc, _ = doc_of(tmp_path, text)
    for field, value in expected.items():
        assert getattr(doc, field) == value, field
    assert [b.kind for b in doc.blocks] == ["paragraph"]  # one title: no heading repeating it, no '%' lines


@pytest.mark.allow_warnings
def test_unknown_keys_are_kept_for_inspect(tmp_path):
    path = md(tmp_path, HUGO, "hugo.md")
    result = run("inspect", path, "--json")
    assert result.exit_code == 0, result.output
    piece = json.loads(result.output[result.output.index("{"):])["pieces"][0]
    assert json.loads(piece["meta"]["params"]) == {"icon": "star"}
    assert piece["subjects"] == ["go", "static"]
    shown = run("inspect", path).output
    assert 'params={"icon": "star"}' in shown and "subjects: go, static" in shown


def test_draft_and_near_misses_are_warnings_with_did_you_mean(tmp_path):
    _, warnings = doc_of(tmp_path, "---\ntitel: X\nautor: Y\ndraft: true\nicon: z\n---\n\nText.\n")
    assert any(w.startswith("Z108 line 2:") and "did you mean 'title'" in w for w in warnings)
    assert any(w.startswith("Z108 line 3:") and "did you mean 'author'" in w for w in warnings)
    assert any("line 4" in w and "draft" in w for w in warnings)
    assert not any("icon" in w for w in warnings)


@pytest.mark.allow_warnings
def test_subjects_reach_the_epub_metadata(tmp_path):
    config = write_project(tmp_path / "p", """\
        [book]
        title = "Tagged"
        language = "en"
        date = "2024-01-01"
        [[pieces]]
        source = "jekyll.md"
        [[pieces]]
        source = "hugo.md"
        """, {"jekyll.md": JEKYLL, "hugo.md": HUGO})
    project = pipeline.load(config)
    assert any(n.code == "Z108" and "draft" in n.message for n in project.anthology.notices)
    (epub,) = pipeline.build(project, ("epub",), tmp_path / "out")
    with zipfile.ZipFile(epub) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
    subjects = opf.xpath("//dc:subject/text()", namespaces={"dc": "http://purl.org/dc/elements/1.1/"})
    assert subjects == ["printing", "news", "zines", "go", "static"]


SAMPLE_VALUES = {"title": ("T", "T"), "subtitle": ("S", "S"), "authors": ("[A, B]", ("A", "B")),
                 "description": ("D", "D"), "subjects": ("[x, y]", ("x", "y")), "date": ("2024-05-04", "2024-05-04"),
                 "lang": ("cs", "cs"), "source": ("https://e.org/p", "https://e.org/p"), "slug": ("my-slug", "my-slug")}
ATTRIBUTE = {"source": "source_url"}


@pytest.mark.parametrize("field, key", [(f, k) for f, keys in __import__("zinebuild.frontmatter").frontmatter.NAMES
                                        .items() for k in keys if f in SAMPLE_VALUES])
def test_every_name_in_the_mapping_table_is_read(tmp_path, field, key):
    written, expected = SAMPLE_VALUES[field]
    doc, warnings = doc_of(tmp_path, f"---\n{key}: {written}\n---\n\nText.\n")
    assert getattr(doc, ATTRIBUTE.get(field, field)) == expected
    assert warnings == ()


@pytest.mark.parametrize("written, expected", [
    ("2024-05-04", "2024-05-04"), ("2024-05", "2024-05"), ("2024", "2024"), ("2024-05-04T10:00:00Z", "2024-05-04"),
    ("2024-05-04 10:00:00 +0100", "2024-05-04"), ("2024-05-04T10:00:00+02:00", "2024-05-04"),
    ("May 4, 2024", "2024-05-04"), ("4 May 2024", "2024-05-04"), ("today", None), ("'2024-5-4'", "2024-05-04"),
    ("Sat, 04 May 2024 10:00:00 GMT", "2024-05-04"), ("04 May 2024 23:30 -0500", "2024-05-04"),
])
def test_dates_as_tools_write_them(tmp_path, written, expected):
    doc, _ = doc_of(tmp_path, f"---\ntitle: T\ndate: {written}\n---\n\nText.\n")
    assert doc.date == expected

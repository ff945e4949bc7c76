"""`sitegen new`: write a minimal site (site.yaml and one article) that builds at once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sitegen.model import InputError, Problem

SITE_YAML = """\
title: My News
description: News I follow, without the clutter.
base_url: https://example.org/
language: en
timezone: UTC
# theme: default          # the theme shipped with sitegen; put your own in themes/<name>/
# output_dir: public
# paginate: 20
topics:
  world:
    title: World
    description: News from everywhere.
"""

FIRST_ARTICLE = """\
---
title: Hello, sitegen
date: {date}
tags: [sitegen]
topics: [world]
---
This is your first article. Edit it in `content/`, then run `sitegen build`.
"""


def create_site(path: Path, now: datetime | None = None) -> list[str]:
    """Create the site folder; refuses a folder that already holds a site.yaml, or a file where
    the first article would go (it would be overwritten)."""
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    article = path / "content" / f"{moment.year}" / "hello-sitegen.md"
    if (path / "site.yaml").exists():
        raise InputError(
            [Problem(str(path / "site.yaml"), None, None, "a site already exists here")]
        )
    if article.exists():
        raise InputError([Problem(str(article), None, None, "exists already; not overwritten")])
    article.parent.mkdir(parents=True, exist_ok=True)
    (path / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    article.write_text(FIRST_ARTICLE.format(date=moment.isoformat()), encoding="utf-8")
    return [
        f"created {path}/site.yaml and {article.relative_to(path)}",
        f"next: cd {path} && sitegen build",
    ]

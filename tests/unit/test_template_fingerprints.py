"""sitegen.render: a template's fingerprint changes with every template it can pull in."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.render import Renderer, Theme

TEMPLATES = {
    "page.html": '{% extends "base.html" %}{% block body %}{% include "part.html" %}{% endblock %}',
    "base.html": "<main>{% block body %}{% endblock %}</main>",
    "part.html": "<p>part</p>",
    "list.html": '{{ partial_cached("card.html", item) }}',
    "card.html": "<article>{{ item.title }}</article>",
    "dynamic.html": "{% include page.which %}",
    "dynamic_partial.html": "{{ partial_cached(name, item) }}",
    "alone.html": "<p>alone</p>",
}


def fingerprints_after_editing(tmp_path: Path, edited: str | None) -> dict[str, str]:
    folder = tmp_path / ("theme-" + (edited or "none").replace(".", "-")) / "templates"
    folder.mkdir(parents=True)
    for name, source in TEMPLATES.items():
        (folder / name).write_text(source + ("<!-- edit -->" if name == edited else ""), "utf-8")
    return Renderer(Theme("t", (folder.parent,)), {}).template_fingerprints()


@pytest.mark.parametrize(
    ("edited", "changed"),
    [
        ("base.html", {"base.html", "page.html"}),
        ("part.html", {"part.html", "page.html"}),
        ("card.html", {"card.html", "list.html"}),
        ("alone.html", {"alone.html"}),
        ("list.html", {"list.html"}),
    ],
)
def test_an_edit_changes_the_templates_that_can_render_it(
    tmp_path: Path, edited: str, changed: set[str]
) -> None:
    """Extends, include and partial_cached with a constant name are followed; a name computed
    while rendering could be any template, so such a template changes with every edit."""
    before = fingerprints_after_editing(tmp_path, None)
    after = fingerprints_after_editing(tmp_path, edited)
    dynamic = {"dynamic.html", "dynamic_partial.html"}
    assert {name for name in TEMPLATES if before[name] != after[name]} == changed | dynamic

"""Edit -> rebuild -> exactly the routes that depend on the edit are rendered again."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sitegen import pipeline
from sitegen.build import BuildOptions, BuildReport, build
from sitegen.cache import WarmCache
from sitegen.model import InputError
from sitegen.render import Renderer
from sitegen.routes import Route

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
SITE_YAML = """\
title: Incremental
base_url: https://example.org/news/
language: en
paginate: 2
topics:
  world: {title: World}
  science: {title: Science}
"""


def article(
    title: str, day: int, tags: str, topics: str = "world", body: str = "More text."
) -> str:
    return (
        f"---\ntitle: {title}\ndate: 2026-01-{day:02d}T10:00:00Z\ntags: [{tags}]\n"
        f"topics: [{topics}]\n---\nThe first paragraph is the summary.\n\n{body}\n"
    )


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    content = tmp_path / "content"
    content.mkdir()
    articles = {
        "a.md": article("Alpha", 1, "x, y"),
        "b.md": article("Beta", 2, "y"),
        "c.md": article("Gamma", 3, "z", "science"),
        "d.md": article("Delta", 4, "x"),
        "e.md": article("Epsilon", 5, "w"),
    }
    for name, text in articles.items():
        (content / name).write_text(text, encoding="utf-8")
    return tmp_path


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def run(site: Path) -> BuildReport:
    return build(BuildOptions(site_dir=site, now=NOW, jobs=1))


def test_nothing_changed_renders_nothing(site: Path) -> None:
    first = run(site)
    second = run(site)
    assert first.rendered and second.rendered == ()
    assert second.written == 0 and second.deleted == 0


def test_body_edit_renders_its_page_and_whatever_shows_its_content(site: Path) -> None:
    run(site)
    path = site / "content" / "c.md"
    path.write_text(article("Gamma", 3, "z", "science", body="A new ending."), encoding="utf-8")
    report = run(site)
    # The body is in its own page, and in the full-content feeds and the search index
    # of the site, its topic and its tag; no list page shows the body, so none is rendered.
    assert set(report.rendered) == {
        "article:content/c.md",
        *(
            f"feed:{scope}{fmt}"
            for scope in ("", "topics/science/", "tags/z/")
            for fmt in ("atom", "rss", "json")
        ),
        "search_index",
    }
    page = (site / "public" / "2026" / "01" / "gamma" / "index.html").read_text()
    assert "A new ending." in page


def test_title_edit_also_renders_lists_and_neighbours(site: Path) -> None:
    run(site)
    (site / "content" / "c.md").write_text(article("Gamma Ray", 3, "z", "science"), "utf-8")
    report = run(site)
    rendered = set(report.rendered)
    # Home pages hold e,d | c,b | a: only the page showing c changes.
    assert {
        "article:content/c.md",
        "home::2",
        "term:topics:science:Science::1",
        "term:tags:z:z::1",
    } <= rendered
    assert "home::1" not in rendered and "home::3" not in rendered
    # Its neighbours link it by title; other articles and other tag pages stay untouched.
    assert {"article:content/b.md", "article:content/d.md"} <= rendered
    assert "article:content/e.md" not in rendered
    assert "term:tags:w:w::1" not in rendered


def test_tag_edit_renders_old_and_new_tag_pages(site: Path) -> None:
    run(site)
    (site / "content" / "e.md").write_text(article("Epsilon", 5, "v"), "utf-8")
    report = run(site)
    rendered = set(report.rendered)
    assert "term:tags:v:v::1" in rendered  # the new tag
    assert "terms:tags" in rendered
    assert not (site / "public" / "tags" / "w").exists()  # the old tag's page is deleted
    assert report.deleted >= 4  # its page and its three feeds


def test_a_preview_renders_for_a_move_between_tags_what_a_build_renders(
    site: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A preview patches its last plan when an article moves between existing tags; it must
    render exactly the routes a build of the same edit renders, and write the same site."""
    twin = tmp_path_factory.mktemp("twin")
    shutil.copytree(site, twin, dirs_exist_ok=True)
    preview = BuildOptions(site_dir=twin, now=NOW, jobs=1, warm=WarmCache())
    run(site)
    build(preview)
    reports = []
    for folder, again in ((site, lambda: run(site)), (twin, lambda: build(preview))):
        (folder / "content" / "d.md").write_text(article("Delta", 4, "y, z"), "utf-8")
        reports.append(again())
    assert set(reports[0].rendered) == set(reports[1].rendered)
    rendered = set(reports[1].rendered)
    assert {"term:tags:x:x::1", "term:tags:y:y::1", "term:tags:z:z::1", "terms:tags"} <= rendered
    assert "term:tags:w:w::1" not in rendered and "feed:tags/w/atom" not in rendered
    assert tree(site / "public") == tree(twin / "public")


def test_template_edit_renders_everything_using_it(site: Path) -> None:
    run(site)
    theme = site / "themes" / "mine"
    (theme / "templates").mkdir(parents=True)
    (theme / "theme.yaml").write_text("extends: default\n", "utf-8")
    builtin = Path(__file__).resolve().parents[1] / "themes" / "default" / "templates"
    term = (builtin / "term.html").read_text("utf-8")
    (theme / "templates" / "term.html").write_text(term, "utf-8")
    config = site / "site.yaml"
    config.write_text(config.read_text("utf-8") + "theme: mine\n", "utf-8")
    run(site)  # config changed: everything renders once
    (theme / "templates" / "term.html").write_text(term.replace("<h1", "<h1 data-x"), "utf-8")
    report = run(site)
    public = site / "public"
    term_pages = [*public.glob("t*/*/index.html"), *public.glob("t*/*/page/*/index.html")]
    assert all(key.startswith("term:") for key in report.rendered)
    assert len(report.rendered) == len(term_pages) == 7  # tags w x y z, topics world science


def own_theme(site: Path) -> Path:
    """A theme `mine` extending the default one, in use; returns its templates folder."""
    templates = site / "themes" / "mine" / "templates"
    (templates / "partials").mkdir(parents=True)
    (templates.parent / "theme.yaml").write_text("extends: default\n", "utf-8")
    config = site / "site.yaml"
    config.write_text(config.read_text("utf-8") + "theme: mine\n", "utf-8")
    return templates


@pytest.mark.parametrize("preview", [False, True], ids=["build", "preview"])
def test_card_partial_edit_renders_every_list_and_shows_in_each(site: Path, preview: bool) -> None:
    """Lists show cards through partial_cached; a changed card template must not be served
    from fragments kept by the build, nor by a preview's earlier builds."""
    options = BuildOptions(site_dir=site, now=NOW, jobs=1, warm=WarmCache() if preview else None)
    templates = own_theme(site)
    builtin = Path(__file__).resolve().parents[1] / "themes" / "default" / "templates"
    card = (builtin / "partials" / "card.html").read_text("utf-8")
    (templates / "partials" / "card.html").write_text(card, "utf-8")
    build(options)
    (templates / "partials" / "card.html").write_text(card.replace("<h2", "<h2 data-x"), "utf-8")
    report = build(options)
    public = site / "public"
    lists = [
        *public.glob("index.html"),
        *public.glob("page/*/index.html"),
        *public.glob("t*/*/index.html"),
        *public.glob("t*/*/page/*/index.html"),
    ]
    assert {key.split(":")[0] for key in report.rendered} == {"home", "term"}
    assert len(report.rendered) == len(lists) == 10  # 3 home pages, 7 term pages
    for page in lists:
        html = page.read_text("utf-8")
        assert html.count('<h2 data-x><a href="') == html.count('<article class="card"') > 0


def test_a_preview_keeps_the_cards_its_render_workers_made(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A preview's first build renders in worker processes; the cards they made come back, so
    the next build renders only the edited article's card, not every card of its lists."""
    monkeypatch.setattr(pipeline, "PARALLEL_RENDER_THRESHOLD", 1)
    options = BuildOptions(site_dir=site, now=NOW, jobs=2, warm=WarmCache())
    build(options)
    cards: list[str] = []
    render = Renderer.render

    def counting(self: Renderer, template: str, context: dict[str, object]) -> str:
        if template == "partials/card.html":
            cards.append(context["item"].title)  # type: ignore[attr-defined]
        return render(self, template, context)

    monkeypatch.setattr(Renderer, "render", counting)
    (site / "content" / "b.md").write_text(article("Beta", 2, "y, x"), "utf-8")
    report = build(replace(options, jobs=1))  # renders here, where the count is kept
    assert "term:tags:x:x::1" in report.rendered and "term:tags:y:y::1" in report.rendered
    assert cards == ["Beta"]


def test_a_pooled_build_renders_each_card_once(
    site: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Cards are made before the render workers fork, so no worker renders one again."""
    monkeypatch.setattr(pipeline, "PARALLEL_RENDER_THRESHOLD", 1)
    monkeypatch.setattr(pipeline, "CHUNK", 1)  # the lists spread over both workers
    log = tmp_path / "cards.log"
    render = Renderer.render

    def logging(self: Renderer, template: str, context: dict[str, object]) -> str:
        if template == "partials/card.html":
            with log.open("a", encoding="utf-8") as out:  # from whichever process renders
                out.write(context["item"].title + "\n")  # type: ignore[attr-defined]
        return render(self, template, context)

    monkeypatch.setattr(Renderer, "render", logging)
    build(BuildOptions(site_dir=site, now=NOW, jobs=2))
    assert sorted(log.read_text("utf-8").split()) == ["Alpha", "Beta", "Delta", "Epsilon", "Gamma"]
    assert "Gamma" in (site / "public" / "tags" / "z" / "index.html").read_text("utf-8")


@pytest.mark.parametrize("jobs", [1, 2])
def test_partials_only_some_pages_use_build_alike_with_and_without_workers(
    site: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """Cards made before the workers fork are a warm-up: a partial that only some articles
    can show, or that no page renders, fails nothing that rendering alone would not."""
    monkeypatch.setattr(pipeline, "PARALLEL_RENDER_THRESHOLD", 1)
    templates = own_theme(site)
    (templates / "partials" / "kicker.html").write_text(
        "<b>{{ item.extra['kicker'] }}</b>", "utf-8"
    )
    shown = (
        "{% if article.extra.get('kicker') %}"
        "{{ partial_cached('partials/kicker.html', article) }}{% endif %}"
    )
    (templates / "article.html").write_text(shown + "<p>{{ article.title }}</p>", "utf-8")
    (templates / "unused.html").write_text(
        "{{ partial_cached('partials/gone.html', item) }}", "utf-8"
    )
    path = site / "content" / "c.md"
    path.write_text(
        article("Gamma", 3, "z").replace("topics:", "kicker: Analyse\ntopics:"), "utf-8"
    )
    build(BuildOptions(site_dir=site, now=NOW, jobs=jobs))
    public = site / "public" / "2026" / "01"
    assert (public / "gamma" / "index.html").read_text("utf-8") == "<b>Analyse</b><p>Gamma</p>"
    assert (public / "alpha" / "index.html").read_text("utf-8") == "<p>Alpha</p>"


@pytest.mark.parametrize("preview", [False, True], ids=["build", "preview"])
def test_a_card_showing_extra_front_matter_follows_its_edits(site: Path, preview: bool) -> None:
    """What a card shows beyond the usual fields (`extra`, the source's URL) is part of its
    fingerprint: the lists showing it are rendered again."""
    options = BuildOptions(site_dir=site, now=NOW, jobs=1, warm=WarmCache() if preview else None)
    templates = own_theme(site)
    card = '<article class="card">{{ item.extra.get("kicker") }} {{ item.source_url }}</article>'
    (templates / "partials" / "card.html").write_text(card, "utf-8")
    path = site / "content" / "c.md"
    for kicker, url in (("Eilmeldung", "https://a.example/"), ("Analyse", "https://b.example/")):
        text = article("Gamma", 3, "z", "science").replace(
            "topics:", f"kicker: {kicker}\nsource_url: {url}\ntopics:"
        )
        path.write_text(text, "utf-8")
        build(options)
        page = (site / "public" / "tags" / "z" / "index.html").read_text("utf-8")
        assert f'<article class="card">{kicker} {url}</article>' in page


def test_a_template_failing_in_a_render_worker_names_its_line(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Render workers find the templates compiled by the main process; a template that fails
    while rendering there is still reported at its file and line, and nothing is written."""
    monkeypatch.setattr(pipeline, "PARALLEL_RENDER_THRESHOLD", 1)
    templates = own_theme(site)
    (templates / "404.html").write_text("<p>\n{{ page.nothing_here }}</p>", "utf-8")
    with pytest.raises(InputError) as failure:
        build(BuildOptions(site_dir=site, now=NOW, jobs=2))
    (problem,) = failure.value.problems
    assert problem.path.endswith("404.html") and problem.line == 2
    assert not (site / "public").exists()


def test_render_workers_update_a_site_in_place(
    site: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A template edit renders every page again, in worker processes, which stage the files
    whose bytes changed themselves: the site equals a clean build, nothing else is written,
    and no staged file is left behind."""
    monkeypatch.setattr(pipeline, "PARALLEL_RENDER_THRESHOLD", 1)
    templates = own_theme(site)
    default = site.parent / "unused"
    shutil.copytree(Path(__file__).parents[1] / "themes" / "default" / "templates", default)
    options = BuildOptions(site_dir=site, now=NOW, jobs=2)
    build(options)
    home = site / "public" / "index.html"
    home_stamp = home.stat().st_mtime_ns
    base = (default / "base.html").read_text("utf-8")
    (templates / "base.html").write_text("{# no bytes change #}" + base, "utf-8")
    page = (default / "article.html").read_text("utf-8")
    (templates / "article.html").write_text(page.replace("</article>", "<hr></article>"), "utf-8")
    report = build(options)
    assert {key.split(":")[0] for key in report.rendered} >= {"article", "home", "term"}
    assert report.written == 6  # the article pages, and offline.json listing their hashes
    assert home.stat().st_mtime_ns == home_stamp
    assert (site / "public" / "2026" / "01" / "alpha" / "index.html").read_text().count("<hr>")
    clean = tmp_path_factory.mktemp("clean")
    build(BuildOptions(site_dir=site, output=clean, now=NOW, jobs=1, use_cache=False))
    assert tree(site / "public") == tree(clean)
    assert sorted(p.name for p in site.iterdir()) == [
        ".sitegen-cache",
        "content",
        "public",
        "site.yaml",
        "themes",
    ]


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_output_name_windows_cannot_hold_stops_the_build_and_keeps_the_site(
    site: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_RENDER_THRESHOLD", 1)
    run(site)
    before = tree(site / "public")
    (site / "static").mkdir()
    (site / "static" / "con.txt").write_text("a device name on Windows", "utf-8")
    with pytest.raises(InputError) as failure:
        build(BuildOptions(site_dir=site, now=NOW, jobs=jobs))
    (problem,) = failure.value.problems
    assert problem.path == "asset:con.txt" and "unsafe output path 'con.txt'" in problem.message
    assert tree(site / "public") == before
    assert sorted(p.name for p in site.iterdir()) == [
        ".sitegen-cache",
        "content",
        "public",
        "site.yaml",
        "static",
    ]


def test_partial_cached_of_something_not_an_article_is_a_template_error(site: Path) -> None:
    templates = own_theme(site)
    (templates / "partials" / "box.html").write_text("<b>{{ item }}</b>", "utf-8")
    (templates / "404.html").write_text('{{ partial_cached("partials/box.html", site) }}', "utf-8")
    with pytest.raises(InputError) as failure:
        run(site)
    (problem,) = failure.value.problems
    assert problem.path.endswith("404.html") and problem.line == 1
    assert "partial_cached('partials/box.html', ...) takes an article" in problem.message


def test_deleted_article_removes_its_page(site: Path) -> None:
    run(site)
    (site / "content" / "e.md").unlink()
    report = run(site)
    assert not (site / "public" / "2026" / "01" / "epsilon").exists()
    assert report.deleted >= 1
    assert "Epsilon" not in (site / "public" / "index.html").read_text("utf-8")


def test_unchanged_files_keep_their_mtime(site: Path) -> None:
    run(site)
    untouched = site / "public" / "2026" / "01" / "alpha" / "index.html"
    before = untouched.stat().st_mtime_ns
    (site / "content" / "e.md").write_text(article("Epsilon", 5, "w", body="New."), "utf-8")
    run(site)
    assert untouched.stat().st_mtime_ns == before


def test_rebuild_equals_clean_build(site: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    run(site)
    (site / "content" / "b.md").write_text(article("Beta two", 2, "y, q"), "utf-8")
    (site / "content" / "a.md").unlink()
    run(site)
    clean = tmp_path_factory.mktemp("clean")
    build(BuildOptions(site_dir=site, output=clean, now=NOW, use_cache=False, jobs=1))
    incremental = {
        p.relative_to(site / "public"): p.read_bytes()
        for p in (site / "public").rglob("*")
        if p.is_file()
    }
    fresh = {p.relative_to(clean): p.read_bytes() for p in clean.rglob("*") if p.is_file()}
    assert incremental == fresh


@pytest.mark.parametrize("early_block", [True, False], ids=["current-base", "older-base"])
def test_the_search_page_carries_its_client_once_whatever_base_html_a_theme_has(
    site: Path, early_block: bool
) -> None:
    """The client sits in base.html's early block, before the style sheet; a theme whose own
    base.html predates that block still gets it, in the head."""
    templates = own_theme(site)
    builtin = Path(__file__).resolve().parents[1] / "themes" / "default" / "templates"
    base = (builtin / "base.html").read_text("utf-8")
    if not early_block:
        base = base.replace("{% block early %}{% endblock %}\n", "")
    (templates / "base.html").write_text(base, "utf-8")
    run(site)
    page = (site / "public" / "search" / "index.html").read_text("utf-8")
    assert page.count('<script id="search-client"') == 1
    client, sheet = page.index('id="search-client"'), page.index("<style>")
    assert (client < sheet) == early_block


def test_the_search_index_made_beside_the_render_workers_is_the_one_made_here(
    site: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A pooled CLI build makes the search index in a process of its own, which stages its
    files itself: the same files as one process makes, cold and through an edit in place."""
    monkeypatch.setattr(pipeline, "PARALLEL_RENDER_THRESHOLD", 1)
    pids: list[int] = []
    made = pipeline.Outputs.stage

    def noting(self: pipeline.Outputs, route: Route, *args: Any, **kw: Any) -> Any:
        if route.kind == "search_index":
            (site / f"search-made-by-{os.getpid()}").touch()
        return made(self, route, *args, **kw)

    monkeypatch.setattr(pipeline.Outputs, "stage", noting)
    for step in ("cold", "edit"):
        if step == "edit":
            (site / "content" / "b.md").write_text(article("Beta", 2, "y", body="Neu."), "utf-8")
        build(BuildOptions(site_dir=site, now=NOW, jobs=2))
        pids += [int(p.name.rsplit("-", 1)[1]) for p in site.glob("search-made-by-*")]
        for marker in site.glob("search-made-by-*"):
            marker.unlink()
        clean = tmp_path_factory.mktemp("clean")
        build(BuildOptions(site_dir=site, output=clean, now=NOW, jobs=1, use_cache=False))
        for marker in site.glob("search-made-by-*"):
            marker.unlink()
        assert tree(site / "public") == tree(clean)
        assert any(name.startswith("search/") for name in tree(clean))
    assert len(pids) == 2 and os.getpid() not in pids


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_search_page_is_named_and_keeps_the_site(
    site: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_RENDER_THRESHOLD", 1)
    run(site)
    before = tree(site / "public")
    (site / "content" / "b.md").write_text(article("Beta", 2, "y", body="Neu."), "utf-8")
    templates = own_theme(site)
    (templates / "search.html").write_text("<p>\n{{ page.nothing_here }}</p>", "utf-8")
    with pytest.raises(InputError) as failure:
        build(BuildOptions(site_dir=site, now=NOW, jobs=jobs))
    (problem,) = failure.value.problems
    assert problem.path.endswith("search.html") and problem.line == 2
    assert tree(site / "public") == before
    assert not list(site.glob("*.sitegen-staging"))


def test_the_search_page_inlines_the_style_sheet_and_follows_its_edits(site: Path) -> None:
    """The search page holds the theme's style sheet in a <style> element (it paints without
    another request); an edit to the sheet reaches it, as it reaches the pages linking it."""
    static = own_theme(site).parent / "static"
    static.mkdir()
    sheet = static / "style.css"
    sheet.write_text("\ufeffbody { color: #123456 }\n", "utf-8")  # a byte order mark
    run(site)
    search = site / "public" / "search" / "index.html"
    page = search.read_text("utf-8")
    assert re.search(r'<style data-sheet="/news/static/style\.[0-9a-f]{10}\.css">body', page)
    assert "body { color: #123456 }\n</style>" in page
    assert 'rel="stylesheet"' not in page
    sheet.write_text("body { color: #654321 }\n", "utf-8")
    run(site)
    page = search.read_text("utf-8")
    assert "#654321" in page and "#123456" not in page
    home = (site / "public" / "index.html").read_text("utf-8")
    linked = home.split('rel="stylesheet" href="/news/')[1].split('"')[0]
    assert "#654321" in (site / "public" / linked).read_text("utf-8")


@pytest.mark.parametrize(
    "css",
    [
        "main { background: url(img/paper.png) }",
        "main { background: URL( 'img/paper.png' ) }",
        '@import "print.css";',
        "p::after { content: '</style>' }",
    ],
)
def test_a_style_sheet_that_cannot_be_inlined_is_linked(site: Path, css: str) -> None:
    """Inline, its relative URLs would resolve against the page, or it would end the element."""
    static = own_theme(site).parent / "static"
    static.mkdir()
    (static / "style.css").write_text(css, "utf-8")
    run(site)
    page = (site / "public" / "search" / "index.html").read_text("utf-8")
    href = re.search(
        r'<link rel="stylesheet" href="/news/(static/style\.[0-9a-f]{10}\.css)">', page
    )
    assert href and (site / "public" / href[1]).read_text("utf-8") == css
    assert css not in page


def test_a_style_sheet_with_absolute_urls_and_data_is_inlined(site: Path) -> None:
    static = own_theme(site).parent / "static"
    static.mkdir()
    css = "a { background: url( '/news/x.png') } b { background: url(data:image/png;base64,AA) }"
    (static / "style.css").write_text(css, "utf-8")
    run(site)
    assert css + "</style>" in (site / "public" / "search" / "index.html").read_text("utf-8")

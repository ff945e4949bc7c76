"""sitegen.site: what is published, in which order, at which URL, under which terms."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen import site as site_module
from sitegen.config import parse_config
from sitegen.forking import forked
from sitegen.model import Article, Config, InputError, Site, TermRef
from sitegen.site import SiteState, article_path, build_site
from sitegen.slug import slugify, term_slug

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
CONFIG: Config = parse_config(
    "title: T\nbase_url: https://example.org/news/\ntimezone: Europe/Berlin\n"
    "topics:\n  world: {title: World, description: Everywhere.}\n  science: {title: Science}\n",
    Path("."),
)


def make(
    source: str,
    title: str = "",
    date: datetime = NOW - timedelta(days=1),
    tags: tuple[str, ...] = (),
    topics: tuple[str, ...] = (),
    **fields: Any,
) -> Article:
    """An article as parse_article would give it (tags as written, slugs normalized)."""
    title = title or source.rsplit("/", 1)[-1].removesuffix(".md")
    return Article(
        source=source, content_hash=source, title=title, date=date,
        slug=fields.pop("slug", slugify(title)), lang="en", summary="",
        tags=tuple(TermRef(unicodedata.normalize("NFC", t), term_slug(t)) for t in tags),
        topics=tuple(TermRef(t, t) for t in topics), **fields,
    )  # fmt: skip


def assemble(
    articles: list[Article],
    config: Config = CONFIG,
    include_drafts: bool = False,
    include_future: bool = False,
) -> Site:
    return build_site(
        config=config,
        articles={a.source: a for a in articles},
        bodies={},
        now=NOW,
        include_drafts=include_drafts,
        include_future=include_future,
    )


def ids(site: Site) -> list[str]:
    return [a.source for a in site.articles]


def test_newest_first() -> None:
    old = make("a.md", date=NOW - timedelta(days=3))
    new = make("b.md", date=NOW - timedelta(days=1))
    middle = make("c.md", date=NOW - timedelta(days=2))
    assert ids(assemble([old, new, middle])) == ["b.md", "c.md", "a.md"]


def test_order_is_stable_whatever_the_input_order() -> None:
    same_day = NOW - timedelta(days=1)
    articles = [make(f"content/{n}.md", date=same_day) for n in "abcdefgh"]
    articles.append(make("content/z.md", date=NOW - timedelta(days=5)))
    expected = ids(assemble(articles))
    for seed in range(5):
        shuffled = articles[:]
        random.Random(seed).shuffle(shuffled)
        assert ids(assemble(shuffled)) == expected
    assert expected[-1] == "content/z.md"


def test_drafts_are_left_out_unless_asked_for() -> None:
    articles = [make("a.md"), make("draft.md", draft=True)]
    assert ids(assemble(articles)) == ["a.md"]
    assert set(ids(assemble(articles, include_drafts=True))) == {"a.md", "draft.md"}


def test_future_articles_are_left_out_unless_asked_for() -> None:
    articles = [make("a.md"), make("future.md", date=NOW + timedelta(minutes=1))]
    assert ids(assemble(articles)) == ["a.md"]
    assert ids(assemble(articles, include_future=True)) == ["future.md", "a.md"]


def test_article_dated_exactly_now_is_published() -> None:
    assert ids(assemble([make("a.md", date=NOW)])) == ["a.md"]


def test_expired_articles_are_left_out() -> None:
    articles = [
        make("expired.md", expires=NOW - timedelta(seconds=1)),
        make("expires-now.md", expires=NOW),
        make("still.md", expires=NOW + timedelta(days=1)),
    ]
    assert ids(assemble(articles)) == ["still.md"]


def test_article_url_follows_the_permalink_in_the_site_zone() -> None:
    # 23:30 UTC on 31 January is already 1 February in Berlin.
    article = make("a.md", title="Über Nacht", date=datetime(2025, 1, 31, 23, 30, tzinfo=UTC))
    assert article_path(article, CONFIG) == "2025/02/ueber-nacht/"
    daily = replace(CONFIG, permalink="/{year}/{month}/{day}/{slug}/")
    assert article_path(article, daily) == "2025/02/01/ueber-nacht/"
    assert assemble([article]).urls == {"a.md": "2025/02/ueber-nacht/"}


def test_two_articles_on_one_url_is_an_error_naming_both_files() -> None:
    date = datetime(2025, 1, 28, 10, tzinfo=UTC)
    first = make("content/2025/first.md", title="Same Title", date=date)
    second = make("content/2025/second.md", title="Same title!", date=date + timedelta(days=1))
    with pytest.raises(InputError) as caught:
        assemble([first, second])
    assert [str(p) for p in caught.value.problems] == [
        "content/2025/second.md: slug: URL /2025/01/same-title/ is also the URL of "
        "content/2025/first.md; give one of them another slug"
    ]


def test_same_slug_in_different_months_is_fine() -> None:
    a = make("a.md", title="Weekly", date=datetime(2025, 1, 10, tzinfo=UTC))
    b = make("b.md", title="Weekly", date=datetime(2025, 2, 10, tzinfo=UTC))
    assert sorted(assemble([a, b]).urls.values()) == ["2025/01/weekly/", "2025/02/weekly/"]


def test_a_draft_does_not_collide_unless_drafts_are_built() -> None:
    date = datetime(2025, 1, 28, tzinfo=UTC)
    articles = [make("a.md", title="X", date=date), make("b.md", title="X", date=date, draft=True)]
    assert ids(assemble(articles)) == ["a.md"]
    with pytest.raises(InputError):
        assemble(articles, include_drafts=True)


def test_url_colliding_with_the_sites_own_folders_is_an_error() -> None:
    flat = replace(CONFIG, permalink="/{slug}/")
    with pytest.raises(InputError, match="collides with the site's own /tags/"):
        assemble([make("a.md", title="Tags")], flat)


def test_tags_differing_in_case_share_one_term() -> None:
    site = assemble([make("a.md", tags=("KI",)), make("b.md", tags=("ki",))])
    assert [(t.slug, t.name, sorted(t.article_ids)) for t in site.tags] == [
        ("ki", "KI", ["a.md", "b.md"])
    ]


def test_tags_differing_in_unicode_normalization_share_one_term() -> None:
    nfd = unicodedata.normalize("NFD", "Müller")
    site = assemble([make("a.md", tags=("Müller",)), make("b.md", tags=(nfd,))])
    assert len(site.tags) == 1
    assert site.tags[0].slug == "mueller"
    assert site.tags[0].name == "Müller"
    assert len(site.tags[0].article_ids) == 2


def test_most_used_spelling_names_the_term() -> None:
    site = assemble(
        [make("a.md", tags=("ki",)), make("b.md", tags=("KI",)), make("c.md", tags=("ki",))]
    )
    assert site.tags[0].name == "ki"


def test_term_articles_are_newest_first() -> None:
    site = assemble(
        [
            make("old.md", date=NOW - timedelta(days=9), tags=("x",)),
            make("new.md", date=NOW - timedelta(days=1), tags=("x",)),
        ]
    )
    assert site.tags[0].article_ids == ("new.md", "old.md")


def test_terms_only_count_published_articles() -> None:
    site = assemble([make("a.md", tags=("x",)), make("d.md", tags=("y",), draft=True)])
    assert [t.slug for t in site.tags] == ["x"]


def test_topics_take_title_and_description_from_site_yaml() -> None:
    site = assemble([make("a.md", topics=("world",))])
    assert [(t.kind, t.slug, t.name, t.description) for t in site.topics] == [
        ("topics", "world", "World", "Everywhere.")
    ]


def test_terms_are_sorted_by_slug() -> None:
    site = assemble([make("a.md", tags=("Zebra", "Äpfel", "mango"))])
    assert [t.slug for t in site.tags] == ["aepfel", "mango", "zebra"]


def test_related_articles_share_tags_and_rank_by_overlap() -> None:
    day = timedelta(days=1)
    site = assemble(
        [
            make("main.md", date=NOW - 5 * day, tags=("ki", "china", "chips")),
            make("two.md", date=NOW - 4 * day, tags=("ki", "china")),
            make("one.md", date=NOW - 3 * day, tags=("chips",)),
            make("none.md", date=NOW - 2 * day, tags=("sport",)),
            make("untagged.md", date=NOW - 1 * day),
        ]
    )
    assert site.related["main.md"] == ("two.md", "one.md")
    assert "none.md" not in site.related["two.md"]
    assert site.related["none.md"] == ()
    assert site.related["untagged.md"] == ()


def test_related_lists_made_in_processes_are_the_ones_made_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A cold build makes related lists in parts, in forked processes: the same lists."""
    monkeypatch.setattr(site_module, "RELATED_PART", 40)
    rng = random.Random(7)
    pool = [f"tag{i}" for i in range(30)]
    articles = [
        make(f"a{i:03d}.md", date=NOW - timedelta(hours=i), tags=tuple(rng.sample(pool, 3)))
        for i in range(300)
    ]
    docs = {a.source: a for a in articles}
    here = build_site(CONFIG, docs, {}, NOW)
    there = build_site(CONFIG, docs, {}, NOW, each=forked(2))
    assert there.related == here.related and list(there.related) == list(here.related)
    assert sum(map(len, here.related.values())) > 1000


def test_related_count_is_honoured() -> None:
    articles = [make(f"{i}.md", date=NOW - timedelta(hours=i), tags=("x",)) for i in range(10)]
    site = assemble(articles, replace(CONFIG, related_count=3))
    assert all(len(related) == 3 for related in site.related.values())
    assert all(a not in site.related[a] for a in site.related)


def test_build_site_is_pure() -> None:
    articles = [make("a.md", tags=("x", "y")), make("b.md", tags=("y",))]
    first, second = assemble(articles), assemble(list(reversed(articles)))
    assert (first.articles, first.urls, first.tags, first.related) == (
        second.articles,
        second.urls,
        second.tags,
        second.related,
    )


TAG_POOL = ("ki", "china", "chips", "sport", "wahl", "klima")


@settings(max_examples=150, deadline=None)
@given(
    tags=st.lists(st.sets(st.sampled_from(TAG_POOL), max_size=4), min_size=2, max_size=90),
    edits=st.lists(
        st.tuples(
            st.integers(min_value=0), st.sets(st.sampled_from(TAG_POOL), max_size=4), st.booleans()
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_related_lists_after_tag_edits_equal_a_fresh_site(
    tags: list[set[str]], edits: list[tuple[int, set[str], bool]]
) -> None:
    """A long-lived process makes again only the related lists a change of tags can reach
    (with up to 90 articles, a tag's candidate window covers only part of its members)."""
    articles = [
        make(f"{i:02d}.md", date=NOW - timedelta(hours=i), tags=tuple(sorted(t)))
        for i, t in enumerate(tags)
    ]
    config = replace(CONFIG, related_count=3)
    before = assemble(articles, config)
    state = SiteState(before, {a.source: a for a in articles}, False, False, None)
    for at, new_tags, shout in edits:  # "KI" and "ki" are one term: the spelling may change
        i = at % len(articles)
        names = tuple(sorted(t.upper() if shout else t for t in new_tags))
        articles[i] = replace(articles[i], tags=make("x.md", tags=names).tags)
    by_id = {a.source: a for a in articles}
    patched = build_site(config, by_id, {}, NOW, previous=state)
    fresh = assemble(articles, config)
    assert patched.related == fresh.related
    assert (patched.tags, patched.articles) == (fresh.tags, fresh.articles)
    assert patched.related_key == fresh.related_key


def test_a_tag_weight_change_reaches_members_far_from_the_edit() -> None:
    """A tag of 22 of 60 articles weighs one step more than one of 23: when an article far down
    the list joins it, lists at the top change through the weight alone."""
    hour = timedelta(hours=1)
    shared = make("00-b.md", date=NOW - hour, tags=("t", "u"))
    only_t = [make(f"t{i:02d}.md", date=NOW - (2 + 2 * i) * hour, tags=("t",)) for i in range(21)]
    only_u = [make(f"u{i:02d}.md", date=NOW - (3 + 2 * i) * hour, tags=("u",)) for i in range(21)]
    rest = [make(f"z{i:02d}.md", date=NOW - (50 + i) * hour) for i in range(16)]
    joining = make("zz-x.md", date=NOW - 99 * hour)
    articles = [shared, *only_t, *only_u, *rest, joining]
    config = replace(CONFIG, related_count=1)
    before = assemble(articles, config)
    state = SiteState(before, {a.source: a for a in articles}, False, False, None)
    articles[-1] = make("zz-x.md", date=NOW - 99 * hour, tags=("t",))
    by_id = {a.source: a for a in articles}
    patched = build_site(config, by_id, {}, NOW, previous=state)
    fresh = assemble(articles, config)
    assert before.related["00-b.md"] == ("t00.md",)  # equal weights: the nearer one
    assert fresh.related["00-b.md"] == ("u00.md",)  # "t" now weighs less
    assert patched.related == fresh.related

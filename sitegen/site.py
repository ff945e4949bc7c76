"""Assemble the Site from Articles: what is published, order, URLs, taxonomies, related."""

from __future__ import annotations

import functools
import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sitegen.forking import Mapper, in_process
from sitegen.model import (
    Article,
    Body,
    Config,
    InputError,
    Problem,
    Site,
    Story,
    TaxonomyKind,
    Term,
    TermRef,
)
from sitegen.stories import StoryDoc, StoryIndex, StoryOptions

# First path segments the site itself uses; an article permalink may not start with one.
RESERVED_SEGMENTS = frozenset(
    {
        "tags",
        "topics",
        "page",
        "search",
        "feeds",
        "static",
        "atom.xml",
        "rss.xml",
        "feed.json",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "feeds.opml",
        "index.html",
    }
)
RELATED_CANDIDATES_PER_TAG = 24
# A site assembled afresh makes its related lists in parts of at least this many articles.
RELATED_PART = 1000


def is_published(
    article: Article, now: datetime, include_drafts: bool, include_future: bool
) -> bool:
    if article.draft and not include_drafts:
        return False
    if article.date > now and not include_future:
        return False
    return article.expires is None or article.expires > now


def sort_key(article: Article) -> tuple[float, str]:
    """Date, then id. A POSIX timestamp orders aware datetimes exactly (a float resolves
    microseconds until the year 2200) and compares far faster than datetimes across zones."""
    return (article.date.timestamp(), article.source)


def article_path(article: Article, config: Config) -> str:
    """Site-relative folder of an article, e.g. '2025/01/deepseek-r1/'."""
    local = article.date.astimezone(ZoneInfo(config.timezone))
    path = config.permalink.format(
        year=f"{local.year:04d}",
        month=f"{local.month:02d}",
        day=f"{local.day:02d}",
        slug=article.slug,
    )
    return path.lstrip("/")


@dataclass(frozen=True)
class SiteState:
    """A site with what it was built from, so a long-lived process can patch the next one."""

    site: Site
    articles: Mapping[str, Article]  # every article read, published or not
    include_drafts: bool
    include_future: bool
    valid_until: datetime | None  # when the clock alone changes what is published


def _place(article: Article) -> tuple[object, ...]:
    """What decides whether an article is published, its URL and its order."""
    return (article.date, article.slug, article.draft, article.expires)


def build_site(
    config: Config,
    articles: Mapping[str, Article],
    bodies: Mapping[str, Body],
    now: datetime,
    include_drafts: bool = False,
    include_future: bool = False,
    known_related: tuple[str, Mapping[str, tuple[str, ...]]] | None = None,
    story_index: StoryIndex | None = None,
    previous: SiteState | None = None,
    each: Mapper = in_process,
) -> Site:
    """Pure: the published articles newest first, their URLs, tags, topics and related lists.

    `known_related` is a previous build's (related_key, related): reused when the order and
    tags of the articles are what they were, since that is all related lists depend on;
    `story_index` is the previous build's clustering, updated here (it reads the bodies of
    changed articles only). `previous`: the last site of this process, patched instead of
    assembled again when no article was added or removed and none changed its place. `each`
    runs the clustering of the sources with changed articles, and the related lists of a site
    assembled afresh (forking.forked: in processes).
    """
    site = None
    if previous is not None:
        site = _patch(previous, config, articles, bodies, now, include_drafts, include_future)
        if site is not None and _same_story_docs(site.articles, previous.articles):
            return site  # with the previous site's stories, which clustering would give again
    if site is None:
        site = _assemble(
            config,
            articles,
            bodies,
            now,
            include_drafts,
            include_future,
            known_related,
            each,
        )
    stories = _stories(site.articles, bodies, config, story_index, each)
    return replace(
        site,
        stories={s.story_id: s for s in stories},
        story_of={m: s.story_id for s in stories for m in s.members},
    )


def _assemble(
    config: Config,
    articles: Mapping[str, Article],
    bodies: Mapping[str, Body],
    now: datetime,
    include_drafts: bool,
    include_future: bool,
    known_related: tuple[str, Mapping[str, tuple[str, ...]]] | None,
    each: Mapper = in_process,
) -> Site:
    """The site made afresh from its articles, without its stories."""
    published = sorted(
        (a for a in articles.values() if is_published(a, now, include_drafts, include_future)),
        key=sort_key,
        reverse=True,
    )
    urls = _assign_urls(published, config)
    key = related_key(published, config.related_count)
    tags = _terms("tags", published, config)
    if known_related is not None and known_related[0] == key:
        related = known_related[1]
    else:
        related = _related(published, config.related_count, tags, each=each)
    return Site(
        config=config,
        articles=tuple(published),
        urls=urls,
        tags=tags,
        topics=_terms("topics", published, config),
        related=related,
        related_key=key,
        built_at=now,
        bodies=bodies,
    )


def _patch(
    previous: SiteState,
    config: Config,
    articles: Mapping[str, Article],
    bodies: Mapping[str, Body],
    now: datetime,
    include_drafts: bool,
    include_future: bool,
) -> Site | None:
    """The previous site with the changed articles swapped in, or None where that could be
    wrong: another config or flags, an article added or removed, one published or withdrawn
    or moved to another place in the order (by its date), a clash of URLs, or the clock
    passing a publication date or expiry. Where tags or topics changed, terms and related
    lists are made again, the latter only where a change can reach them. Its stories are the
    old ones: the caller makes them again where they may differ."""
    old = previous.site
    if (
        old.config != config
        or (previous.include_drafts, previous.include_future) != (include_drafts, include_future)
        or (previous.valid_until is not None and now >= previous.valid_until)
        or articles.keys() != previous.articles.keys()
    ):
        return None
    before = previous.articles
    changed = [a for i, a in articles.items() if a is not before[i]]
    published = list(old.articles)
    position = old.positions
    for article in changed:
        if article.source in position:
            published[position[article.source]] = article
    urls = old.urls
    relocated = [a for a in changed if _place(a) != _place(before[a.source])]
    if relocated:
        flags = (now, include_drafts, include_future)
        moved_urls = _moved_in_place(relocated, before, published, position, urls, config, *flags)
        if moved_urls is None:
            return None
        urls = moved_urls
    site = replace(old, articles=tuple(published), urls=urls, bodies=bodies, built_at=now)
    if all((a.tags, a.topics) == (before[a.source].tags, before[a.source].topics) for a in changed):
        return site
    # Same articles in the same places under other terms: those terms and related lists again.
    retagged, moved = _renamed(changed, before, "tags"), _renamed(changed, before, "topics")
    site = replace(
        site,
        tags=_terms("tags", site.articles, config, retagged, old.tags),
        topics=_terms("topics", site.articles, config, moved, old.topics),
    )
    if all(a.tags == before[a.source].tags for a in changed):  # related lists read only tags
        return site
    count = config.related_count
    places = [position[a.source] for a in changed if a.source in position]
    return replace(
        site,
        related=_related(site.articles, count, site.tags, (old.articles, old.related, old.tags)),
        related_key=updated_related_key(old.related_key, site.articles, before, places),
    )


def _moved_in_place(
    moved: Sequence[Article],
    before: Mapping[str, Article],
    published: Sequence[Article],
    position: Mapping[str, int],
    urls: Mapping[str, str],
    config: Config,
    now: datetime,
    include_drafts: bool,
    include_future: bool,
) -> dict[str, str] | None:
    """The URLs after articles changed their date, slug, draft flag or expiry, or None unless
    each is still published (or still not) and keeps its place among its neighbours, and
    its new URL is free."""
    places = {urls[a.source] for a in moved if a.source in urls}
    taken = set(urls.values()) - places
    new = dict(urls)
    flags = (now, include_drafts, include_future)
    for article in moved:
        if is_published(article, *flags) != is_published(before[article.source], *flags):
            return None
        at = position.get(article.source)
        if at is None:
            continue
        key = sort_key(article)
        if (at > 0 and not sort_key(published[at - 1]) > key) or (
            at + 1 < len(published) and not key > sort_key(published[at + 1])
        ):
            return None
        path = article_path(article, config)
        if path in taken or path.split("/", 1)[0] in RESERVED_SEGMENTS:
            return None  # assembling the site names the clash
        taken.add(path)
        new[article.source] = path
    return new


def _renamed(
    changed: Sequence[Article], before: Mapping[str, Article], kind: TaxonomyKind
) -> set[str]:
    """Slugs of the terms an article joined or left, or spelled otherwise, since `before`."""
    pairs: set[tuple[str, str]] = set()
    for article in changed:
        now, was = _refs(article, kind), _refs(before[article.source], kind)
        if now != was:
            pairs |= {(r.slug, r.name) for r in now} ^ {(r.slug, r.name) for r in was}
    return {slug for slug, _ in pairs}


def _refs(article: Article, kind: TaxonomyKind) -> tuple[TermRef, ...]:
    return article.tags if kind == "tags" else article.topics


def _assign_urls(articles: Sequence[Article], config: Config) -> dict[str, str]:
    owners: dict[str, str] = {}
    problems = []
    for article in sorted(articles, key=lambda a: a.source):
        path = article_path(article, config)
        first = path.split("/", 1)[0]
        if first in RESERVED_SEGMENTS:
            problems.append(
                Problem(
                    article.source,
                    None,
                    "slug",
                    f"URL /{path} collides with the site's own /{first}/",
                )
            )
        elif path in owners:
            problems.append(
                Problem(
                    article.source,
                    None,
                    "slug",
                    f"URL /{path} is also the URL of {owners[path]}; give one of them another slug",
                )
            )
        else:
            owners[path] = article.source
    if problems:
        raise InputError(problems)
    return {source: path for path, source in owners.items()}


def _terms(
    kind: TaxonomyKind,
    articles: Sequence[Article],
    config: Config,
    only: set[str] | None = None,
    kept: Sequence[Term] = (),
) -> tuple[Term, ...]:
    """The terms of a kind, sorted by slug. With `only`, just those slugs are made again and
    the other terms are taken from `kept` (an earlier site's)."""
    if only is not None and not only:
        return tuple(kept)
    members: dict[str, list[str]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        for ref in _refs(article, kind):
            if only is None or ref.slug in only:
                members[ref.slug].append(article.source)
                spellings[ref.slug][ref.name] += 1
    descriptions = {t.slug: t.description for t in config.topics} if kind == "topics" else {}
    titles = {t.slug: t.title for t in config.topics} if kind == "topics" else {}
    terms = []
    for slug, ids in members.items():
        # The most used spelling names the term; ties go to the alphabetically first.
        name = titles.get(slug) or min(spellings[slug].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        terms.append(Term(kind, slug, name, descriptions.get(slug, ""), tuple(ids)))
    if only is not None:
        terms += [t for t in kept if t.slug not in only]
    return tuple(sorted(terms, key=lambda t: t.slug))


def related_key(articles: Sequence[Article], count: int) -> str:
    """Changes whenever the related lists may: a sum of one hash per article (its place, id
    and tags), so that a change of some articles' tags updates it (`updated_related_key`)."""
    total = sum(_related_entry(place, a) for place, a in enumerate(articles))
    return f"{count}-{total % RELATED_KEY_MODULUS:032x}"


def updated_related_key(
    key: str, articles: Sequence[Article], before: Mapping[str, Article], places: Iterable[int]
) -> str:
    """`key` of the articles `before`, for `articles` (in the same order) that differ from them
    only at `places`."""
    count, _, total = key.partition("-")
    value = int(total, 16)
    for place in places:
        article = articles[place]
        value += _related_entry(place, article) - _related_entry(place, before[article.source])
    return f"{count}-{value % RELATED_KEY_MODULUS:032x}"


RELATED_KEY_MODULUS = 1 << 128


def _related_entry(place: int, article: Article) -> int:
    entry = "\0".join([str(place), article.source, *(t.slug for t in article.tags)])
    return int.from_bytes(hashlib.blake2b(entry.encode("utf-8"), digest_size=16).digest())


def _related(
    articles: Sequence[Article],
    count: int,
    tags: Sequence[Term],
    previous: tuple[Sequence[Article], Mapping[str, tuple[str, ...]], Sequence[Term]] | None = None,
    each: Mapper = in_process,
) -> dict[str, tuple[str, ...]]:
    """Articles sharing the most (rarest) tags; candidates near in time, so cost stays linear.
    `tags`: the articles' tags, whose members are in site order. `each` makes the lists of
    parts of RELATED_PART articles or more (forking.forked: in processes).

    `previous`: the articles, related lists and tags of an earlier site. Where it held the
    same articles in the same order, only the lists a change of tags can reach are made again."""
    position = {a.source: index for index, a in enumerate(articles)}
    members = {t.slug: t.article_ids for t in tags}
    places: dict[str, dict[str, int]] = {}  # tag slug -> article id -> place in its members
    total = max(len(articles), 1)
    weight = {slug: _tag_weight(total, len(ids)) for slug, ids in members.items()}
    related: dict[str, tuple[str, ...]] = {}
    todo: Iterable[str] = position
    if (
        previous is not None
        and (reached := _reached(articles, members, previous[0], previous[2])) is not None
    ):
        related = {a.source: previous[1][a.source] for a in articles}
        todo = sorted(reached, key=position.__getitem__)
    half = RELATED_CANDIDATES_PER_TAG // 2

    def lists(sources: Sequence[str]) -> dict[str, tuple[str, ...]]:
        made = {}
        for source in sources:
            scores: dict[str, float] = defaultdict(float)
            for ref in articles[position[source]].tags:
                ids = members[ref.slug]
                if ref.slug not in places:
                    places[ref.slug] = {other: i for i, other in enumerate(ids)}
                at = places[ref.slug][source]
                for other in ids[max(0, at - half) : at + half + 1]:
                    if other != source:
                        scores[other] += weight[ref.slug]
            me = position[source]
            # Highest score, then nearest in time, then id; tuples sort in C, a key function not
            ranked = sorted([(-s, abs(position[o] - me), o) for o, s in scores.items()])
            made[source] = tuple([o for _, _, o in ranked[:count]])
        return made

    todo = list(todo)
    size = max(RELATED_PART, -(-len(todo) // 4))  # four parts, or fewer, for two processes
    for made in each(lists, [todo[i : i + size] for i in range(0, len(todo), size)]):
        related.update(made)
    return related


def _tag_weight(total: int, size: int) -> float:
    """Rarer tags weigh more. Weights step by 1/8 (exact in binary, so ties are exact), which
    lets a tag gain or lose an article without changing the weight of all its members."""
    return round(math.log(1 + total / size) * 8) / 8


def _reached(
    articles: Sequence[Article],
    members: Mapping[str, Sequence[str]],
    old: Sequence[Article],
    old_tags: Sequence[Term],
) -> set[str] | None:
    """The articles whose related list may differ from the one made for `old` (whose tags
    were `old_tags`), or None unless
    `old` holds the same articles in the same order: each article whose tags changed, every
    member of a tag whose weight changed, and the members whose candidate window in a tag
    reaches a place where that tag's members changed."""
    if len(articles) != len(old):
        return None
    touched: set[str] = set()
    reached: set[str] = set()
    for article, before in zip(articles, old, strict=True):
        if article.source != before.source:
            return None
        if article.tags != before.tags:
            reached.add(article.source)
            touched |= {t.slug for t in article.tags} ^ {t.slug for t in before.tags}
    if not touched:
        return reached
    old_members = {t.slug: t.article_ids for t in old_tags if t.slug in touched}
    total = max(len(articles), 1)
    reach = RELATED_CANDIDATES_PER_TAG // 2 + 1
    for slug in touched:
        now, was = members.get(slug, ()), old_members.get(slug, ())
        if not now or not was or _tag_weight(total, len(now)) != _tag_weight(total, len(was)):
            reached.update(now)
            continue
        same_start = 0
        while same_start < min(len(now), len(was)) and now[same_start] == was[same_start]:
            same_start += 1
        same_end = 0  # members in common at the end of both lists
        while (
            same_end < min(len(now), len(was)) - same_start
            and now[-1 - same_end] == was[-1 - same_end]
        ):
            same_end += 1
        reached.update(now[max(0, same_start - reach) : len(now) - same_end + reach])
    return reached


def story_options(config: Config) -> StoryOptions:
    settings = config.stories
    return StoryOptions(
        window_hours=settings.window_hours,
        threshold=settings.threshold,
        cross_language=settings.cross_language,
        primary=settings.primary,
    )


def _stories(
    articles: Sequence[Article],
    bodies: Mapping[str, Body],
    config: Config,
    index: StoryIndex | None,
    each: Mapper,
) -> tuple[Story, ...]:
    """Reports of one story from several sources."""
    if not config.stories.enabled or len(articles) < 2:
        return ()
    index = index or StoryIndex(story_options(config))
    docs = [index.doc_for(a.source, a, functools.partial(_story_doc, a)) for a in articles]
    summaries = {a.source: a.summary for a in articles}

    def text_of(doc: StoryDoc) -> str:
        body = bodies.get(doc.doc_id)
        return body.text if body is not None else summaries[doc.doc_id]

    return index.update(docs, text_of, each)


def _same_story_docs(articles: Sequence[Article], before: Mapping[str, Article]) -> bool:
    """Whether every article tells clustering what it told it `before`."""
    return all(
        a is before[a.source] or _story_fields(a) == _story_fields(before[a.source])
        for a in articles
    )


def _story_fields(a: Article) -> tuple[object, ...]:
    return (a.content_hash, a.title, a.date, a.lang, a.word_count, a.source_name)


def _story_doc(article: Article, before: StoryDoc | None) -> StoryDoc:
    """What clustering knows of the article: `before` (the last update's) while it still says
    the same, since passing the same object again tells a quick update it is unchanged."""
    a = article
    if before is not None and _story_fields(a) == (
        before.text_key,
        before.title,
        before.date,
        before.lang,
        before.word_count,
        before.source,
    ):
        return before
    return StoryDoc(
        a.source, a.date, a.lang, a.title, "", a.source_name, a.word_count, a.content_hash
    )

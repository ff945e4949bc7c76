"""What pages exist, where they go, and a fingerprint of every input each one depends on."""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from collections.abc import Callable, Container, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from sitegen.model import Article, Site, TaxonomyKind, Term

RouteKind = Literal[
    "article", "home", "term", "terms", "feed", "feeds", "opml", "sitemap", "robots",
    "not_found", "search", "search_index", "asset", "file",
]  # fmt: skip

FEED_FILES = {"atom": "atom.xml", "rss": "rss.xml", "json": "feed.json"}
TEMPLATES: Mapping[str, str] = {
    "article": "article.html", "home": "index.html", "term": "term.html", "terms": "terms.html",
    "feeds": "feeds.html", "not_found": "404.html", "search": "search.html",
}  # fmt: skip


@dataclass(frozen=True)
class Route:
    """One output (or, for the search index, one group of outputs) and what it depends on."""

    key: str
    path: str  # output file relative to the output folder, '/'-separated
    kind: RouteKind
    args: tuple[str, ...]
    fingerprint: str

    @property
    def template(self) -> str | None:
        return TEMPLATES.get(self.kind)


def digest(*parts: object) -> str:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8"), digest_size=12).hexdigest()


def page_path(prefix: str, number: int) -> str:
    """Folder of list page `number` under prefix: '' -> '' and 'page/2/'; 'tags/ki/' -> ..."""
    return prefix if number == 1 else f"{prefix}page/{number}/"


def paginate(ids: Sequence[str], per_page: int) -> list[Sequence[str]]:
    return [ids[i : i + per_page] for i in range(0, len(ids), per_page)] or [()]


@dataclass(frozen=True)
class Fingerprints:
    """Hashes the planner combines: config, templates, theme assets, and one per article card."""

    config: str
    templates: Mapping[str, str]  # template name -> hash of it and everything it includes
    assets: str  # hash of the asset name map (a changed stylesheet renames it in every page)
    cards: Mapping[str, str]  # article id -> hash of what a list shows of it
    chrome: str = ""  # what every page shows around its content: the topic navigation


def card_fingerprints(
    site: Site, previous: tuple[Site, Mapping[str, str]] | None = None
) -> dict[str, str]:
    """Article id -> hash of what a list shows of it. `previous` is an earlier site of this
    process with its cards: an article keeps its card while nothing the card shows changed."""
    names = _term_names(site)
    if previous is not None:
        old = previous[0]
        if old.config != site.config or _term_names(old) != names:
            previous = None
        elif site.articles_ids == old.articles_ids:
            touched = {
                a.source for a, b in zip(site.articles, old.articles, strict=True) if a is not b
            }
            # Cards show term names, not who else is in a term.
            if _same_order(site, old, touched):
                cards = dict(previous[1])
                for article_id in touched:  # its card, and those naming it as another report
                    for shown in (article_id, *site.other_reports(article_id)):
                        cards[shown] = _card(site.article(shown), site, names)
                return cards
    cards = {}
    for article in site.articles:
        if previous is not None and _same_card(article.source, site, previous[0]):
            cards[article.source] = previous[1][article.source]
        else:
            cards[article.source] = _card(article, site, names)
    return cards


def _same_order(site: Site, old: Site, changed: Container[str]) -> bool:
    """The same articles in the same order and stories, at the same URLs but for `changed`."""
    return (
        site.articles_ids == old.articles_ids
        and site.story_of == old.story_of
        and site.stories == old.stories
        and (
            site.urls == old.urls
            or all(i in changed for i, url in site.urls.items() if old.urls.get(i) != url)
        )
    )


def _term_names(site: Site) -> dict[tuple[str, str], str]:
    return {(t.kind, t.slug): t.name for t in (*site.tags, *site.topics)}


def _same_card(article_id: str, site: Site, old: Site) -> bool:
    """Whether the article, its URL and the other reports of its story are as in `old`."""
    others = site.other_reports(article_id)
    if others != old.other_reports(article_id):
        return False
    for shown in (article_id, *others):
        position = old.positions.get(shown)
        if position is None or old.articles[position] is not site.article(shown):
            return False
        if site.urls is not old.urls and site.urls[shown] != old.urls[shown]:
            return False
    return True


def _card(article: Article, site: Site, names: Mapping[tuple[str, str], str]) -> str:
    return digest(
        article.title,
        article.date.isoformat(),
        article.updated,
        article.summary,
        site.urls[article.source],
        article.lang,
        article.author,
        article.source_name,
        article.source_url,
        sorted(article.extra.items()),
        round(article.word_count / site.config.words_per_minute),
        article.dateline,
        [names[("tags", t.slug)] for t in article.tags],
        [t.slug for t in article.topics],
        [
            (site.urls[o], site.article(o).source_name, site.article(o).title)
            for o in site.other_reports(article.source)
        ],
    )


Maker = Callable[["Site", Fingerprints], list[Route]]


@dataclass(frozen=True)
class RouteGroup:
    """Routes made together, and the articles whose card or content their fingerprints read
    (None: every article's). `key` names everything else the routes are made from, so a later
    plan may take them as they are while none of the articles read changed (None: never).
    `name` says which page or list it is, the same in every plan of a site."""

    make: Maker
    reads: Sequence[str] | None
    key: Hashable = None
    name: Hashable = None


@dataclass(frozen=True)
class Plan:
    """Every route of a site, grouped by what each group reads, so that a later site with the
    same articles in the same order can be planned again by remaking only the groups that read
    a changed article or whose term or related list changed."""

    site: Site
    fingerprints: Fingerprints
    assets: Sequence[Route]  # theme and site files: made again every time
    groups: Sequence[RouteGroup]
    made: Sequence[list[Route]]  # the routes of each group
    readers: Mapping[str, Sequence[int]]  # article id -> the groups that read it

    @cached_property
    def routes(self) -> list[Route]:
        return [*self.assets, *(route for routes in self.made for route in routes)]

    @cached_property
    def made_by_key(self) -> Mapping[Hashable, list[Route]]:
        return {g.key: m for g, m in zip(self.groups, self.made, strict=True) if g.key is not None}

    @cached_property
    def numbers(self) -> Mapping[Hashable, int]:
        return {g.name: n for n, g in enumerate(self.groups) if g.name is not None}


# Beyond this share of changed articles, planning every route is as quick as finding them.
REPLAN_SHARE = 0.1


def plan_routes(
    site: Site, fp: Fingerprints, assets: Mapping[str, str], previous: Plan | None = None
) -> Plan:
    """Every route of the site. `assets` maps output path -> content hash of theme/site files.
    `previous`: an earlier plan of this process, whose groups are reused where they can be."""
    asset_routes = list(_asset_routes(assets))
    if previous is not None and _same_setup(site, fp, previous):
        patched = _patched(site, fp, previous, asset_routes)
        if patched is not None:
            return patched
    groups = list(_article_groups(site))
    home = site.collapse(site.articles_ids)
    groups.append(_list_group("home", "", None, home, len(site.articles_ids)))
    for kind in ("tags", "topics"):
        groups += _taxonomy_groups(site, kind)
    groups += _feed_groups(site)
    groups.append(RouteGroup(lambda s, f: list(_single_routes(s, f)), None, name="single"))
    readers: dict[str, list[int]] = defaultdict(list)
    for number, group in enumerate(groups):
        for article_id in group.reads or ():
            readers[article_id].append(number)
    kept = _kept_groups(site, fp, previous) if previous is not None else None
    made = [(kept and kept(g)) or g.make(site, fp) for g in groups]
    return Plan(site, fp, asset_routes, groups, made, readers)


def _patched(
    site: Site, fp: Fingerprints, previous: Plan, asset_routes: list[Route]
) -> Plan | None:
    """The previous plan (of the same setup) patched to this site, or None where it does not
    fit: other articles or order, other stories, another URL for an unchanged article, terms
    added or removed, or too many changes to be worth it. Groups reading a changed article are
    made again, and so are those of a term whose members or spelling changed and of an
    article whose related list did."""
    old = previous.site
    if site.articles_ids != old.articles_ids:
        return None
    changed = _changed(site, fp, previous)
    if len(changed) > REPLAN_SHARE * len(site.articles) + 1 or not _same_order(site, old, changed):
        return None
    renewed = _renewed_groups(site, old, previous.numbers)
    if renewed is None:
        return None
    groups = list(previous.groups)
    readers = previous.readers
    if renewed:
        readers = dict(readers)
        for number, group in renewed.items():
            for article_id in set(groups[number].reads or ()) - set(group.reads or ()):
                readers[article_id] = [n for n in readers[article_id] if n != number]
            for article_id in set(group.reads or ()) - set(groups[number].reads or ()):
                readers[article_id] = [*readers.get(article_id, ()), number]
            groups[number] = group
    remake = {g for article_id in changed for g in readers.get(article_id, ())} | renewed.keys()
    made = [
        group.make(site, fp) if group.reads is None or n in remake else previous.made[n]
        for n, group in enumerate(groups)
    ]
    return Plan(site, fp, asset_routes, groups, made, readers)


def _renewed_groups(
    site: Site, old: Site, numbers: Mapping[Hashable, int]
) -> dict[int, RouteGroup] | None:
    """Group number -> the group made anew, for the terms whose members or spelling changed
    since `old` (and their taxonomy's index and feeds) and the articles whose related list
    changed; None where a term was added or removed, which renumbers the groups."""
    renewed: dict[int, RouteGroup] = {}
    if site.related is not old.related:
        ids = site.articles_ids
        for index, article_id in enumerate(ids):
            if site.related.get(article_id) != old.related.get(article_id):
                renewed[numbers[("article", article_id)]] = _article_group(ids, site, index)
    for kind in ("tags", "topics"):
        terms, before = site.terms(kind), old.terms(kind)
        if terms is before:
            continue
        if [t.slug for t in terms] != [t.slug for t in before]:
            return None
        has_feeds = kind in site.config.feeds.taxonomies
        for term, was in zip(terms, before, strict=True):
            if term is was:
                continue
            group = _term_group(site, term)
            renewed[numbers[group.name]] = group
            if has_feeds:
                group = _feed_group(site, f"{kind}/{term.slug}/", term)
                renewed[numbers[group.name]] = group
        group = _terms_index_group(site, kind)
        renewed[numbers[group.name]] = group
    return renewed


def _kept_groups(
    site: Site, fp: Fingerprints, previous: Plan
) -> Callable[[RouteGroup], list[Route] | None] | None:
    """For a site the previous plan cannot be patched to (articles added, moved or retagged):
    a function giving a group's routes of the previous plan where its key is the same and
    none of the articles it reads changed, else None; None where templates, config or assets
    changed."""
    if not _same_setup(site, fp, previous):
        return None
    changed = _changed(site, fp, previous)
    made = previous.made_by_key

    def kept(group: RouteGroup) -> list[Route] | None:
        routes = made.get(group.key) if group.key is not None else None
        if routes is None or group.reads is None or not changed.isdisjoint(group.reads):
            return None
        return routes

    return kept


def _same_setup(site: Site, fp: Fingerprints, previous: Plan) -> bool:
    """The same config, templates, assets and topic navigation as the previous plan's."""
    old = previous.fingerprints
    return (fp.config, fp.templates, fp.assets, fp.chrome) == (
        old.config,
        old.templates,
        old.assets,
        old.chrome,
    ) and site.config == previous.site.config


def _changed(site: Site, fp: Fingerprints, previous: Plan) -> set[str]:
    """Articles new since the previous plan, or whose content or card differs from it."""
    old, old_cards = previous.site, previous.fingerprints.cards
    changed = set()
    for article in site.articles:
        position = old.positions.get(article.source)
        if (
            position is None
            or old.articles[position] is not article
            or fp.cards[article.source] != old_cards[article.source]
        ):
            changed.add(article.source)
    return changed


def _template_fp(fp: Fingerprints, kind: RouteKind) -> str:
    return digest(fp.config, fp.assets, fp.chrome, fp.templates.get(TEMPLATES[kind], ""))


def _asset_routes(assets: Mapping[str, str]) -> Iterator[Route]:
    for path, content in sorted(assets.items()):
        yield Route(f"asset:{path}", path, "asset", (path,), content)


def _article_groups(site: Site) -> Iterator[RouteGroup]:
    """One group per article page: it shows the article, its neighbours and related ones."""
    ids = site.articles_ids
    for index in range(len(ids)):
        yield _article_group(ids, site, index)


def _article_group(ids: Sequence[str], site: Site, index: int) -> RouteGroup:
    article_id = ids[index]
    reads = (*ids[max(0, index - 1) : index + 2], *site.related.get(article_id, ()))
    key = ("article", article_id, index, reads)
    make = functools.partial(_article_route, index=index)
    return RouteGroup(make, reads, key, ("article", article_id))


def _article_route(site: Site, fp: Fingerprints, index: int) -> list[Route]:
    articles = site.articles
    article = articles[index]
    neighbours = [
        fp.cards[a.source] for a in articles[max(0, index - 1) : index + 2] if a is not article
    ]
    related = [fp.cards[other] for other in site.related.get(article.source, ())]
    base = _template_fp(fp, "article")
    fingerprint = digest(base, article.content_hash, fp.cards[article.source], neighbours, related)
    path = site.urls[article.source] + "index.html"
    return [Route(f"article:{article.source}", path, "article", (article.source,), fingerprint)]


def _list_group(
    kind: RouteKind, prefix: str, term: Term | None, ids: Sequence[str], count: int
) -> RouteGroup:
    """The pages of one list (the home page, or a term's pages); `ids`: its entries (a story
    is one), `count`: the articles it says it holds (each report is one)."""
    key = (term.kind, term.slug, term.name, term.description) if term else ()
    make = functools.partial(_list_routes, kind=kind, prefix=prefix, ids=ids, term=key, count=count)
    return RouteGroup(make, ids, ("list", kind, prefix, key, tuple(ids), count), ("list", prefix))


def _list_routes(
    site: Site,
    fp: Fingerprints,
    kind: RouteKind,
    prefix: str,
    ids: Sequence[str],
    term: tuple[str, ...],
    count: int,
) -> list[Route]:
    base = _template_fp(fp, kind)
    pages = paginate(ids, site.config.paginate)
    return [
        Route(
            f"{kind}:{':'.join(term)}:{number}",
            page_path(prefix, number) + "index.html",
            kind,
            (*term, str(number)),
            digest(base, term, number, len(ids), count, [fp.cards[i] for i in page_ids]),
        )
        for number, page_ids in enumerate(pages, start=1)
    ]


def _taxonomy_groups(site: Site, kind: TaxonomyKind) -> Iterator[RouteGroup]:
    yield _terms_index_group(site, kind)
    for term in site.terms(kind):
        yield _term_group(site, term)


def _terms_index_group(site: Site, kind: TaxonomyKind) -> RouteGroup:
    listing = [(t.slug, t.name, len(t.article_ids)) for t in site.terms(kind)]

    def index_route(_site: Site, fp: Fingerprints) -> list[Route]:
        fingerprint = digest(_template_fp(fp, "terms"), kind, listing)
        return [Route(f"terms:{kind}", f"{kind}/index.html", "terms", (kind,), fingerprint)]

    return RouteGroup(index_route, (), ("terms", kind, tuple(listing)), ("terms", kind))


def _term_group(site: Site, term: Term) -> RouteGroup:
    entries = site.collapse(term.article_ids)
    return _list_group("term", f"{term.kind}/{term.slug}/", term, entries, len(term.article_ids))


def feed_scopes(site: Site) -> Iterator[tuple[str, Term | None]]:
    """(folder, term) of every feed: the site root, then each term whose taxonomy has feeds."""
    yield "", None
    for kind in site.config.feeds.taxonomies:
        for term in site.terms(kind):
            yield f"{kind}/{term.slug}/", term


def _feed_groups(site: Site) -> Iterator[RouteGroup]:
    for folder, term in feed_scopes(site):
        yield _feed_group(site, folder, term)


def _feed_group(site: Site, folder: str, term: Term | None) -> RouteGroup:
    ids = site.collapse(term.article_ids if term else site.articles_ids)
    shown = ids[: site.config.feeds.limit]
    key = ("feed", folder, (term.kind, term.slug, term.name) if term else (), tuple(shown))
    make = functools.partial(_feed_routes, folder=folder, term=term, ids=shown)
    return RouteGroup(make, shown, key, ("feed", folder))


def _feed_routes(
    site: Site, fp: Fingerprints, folder: str, term: Term | None, ids: Sequence[str]
) -> list[Route]:
    entries = [(site.article(i).content_hash, fp.cards[i]) for i in ids]
    scope = (term.kind, term.slug) if term else ()
    name = term.name if term else ""
    return [
        Route(
            f"feed:{folder}{fmt}",
            folder + FEED_FILES[fmt],
            "feed",
            (fmt, *scope),
            digest(fp.config, fmt, scope, name, entries),
        )
        for fmt in site.config.feeds.formats
    ]


def _single_routes(site: Site, fp: Fingerprints) -> Iterator[Route]:
    terms = [(t.kind, t.slug, t.name, len(t.article_ids)) for t in (*site.topics, *site.tags)]
    # An article's card holds its URL and dates: cheaper to join than to format the dates.
    lastmods = "".join([fp.cards[a.source] for a in site.articles])
    content = "".join([a.content_hash for a in site.articles])
    yield Route("feeds", "feeds/index.html", "feeds", (), digest(_template_fp(fp, "feeds"), terms))
    yield Route("opml", "feeds.opml", "opml", (), digest(fp.config, terms))
    yield Route("sitemap", "sitemap.xml", "sitemap", (), digest(fp.config, terms, lastmods))
    yield Route("robots", "robots.txt", "robots", (), digest(fp.config))
    yield Route("not_found", "404.html", "not_found", (), _template_fp(fp, "not_found"))
    # One route writes the index and the search page, which inlines the index's root: the root
    # (shard bounds above all) is known only once the index is built, too late for a plan-time
    # fingerprint of a separate page route, which would also be produced first (in a worker).
    yield Route(
        "search_index",
        "search/",
        "search_index",
        (),
        digest(_template_fp(fp, "search"), terms, content, lastmods),
    )

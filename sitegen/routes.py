"""What pages exist, where they go, and a fingerprint of every input each one depends on."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
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
    cards = {}
    for article in site.articles:
        if previous is not None and _same_card(article.source, site, previous[0]):
            cards[article.source] = previous[1][article.source]
        else:
            cards[article.source] = _card(article, site, names)
    return cards


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
        round(article.word_count / site.config.words_per_minute),
        article.dateline,
        [names[("tags", t.slug)] for t in article.tags],
        [t.slug for t in article.topics],
        [
            (site.urls[o], site.article(o).source_name, site.article(o).title)
            for o in site.other_reports(article.source)
        ],
    )


def plan_routes(site: Site, fp: Fingerprints, assets: Mapping[str, str]) -> list[Route]:
    """Every route of the site. `assets` maps output path -> content hash of theme/site files."""
    return [
        *_asset_routes(assets),
        *_article_routes(site, fp),
        *_list_routes(site, fp, "home", "", site.collapse(site.articles_ids), ()),
        *(route for kind in ("tags", "topics") for route in _taxonomy_routes(site, fp, kind)),
        *_feed_routes(site, fp),
        *_single_routes(site, fp),
    ]


def _template_fp(fp: Fingerprints, kind: RouteKind) -> str:
    return digest(fp.config, fp.assets, fp.chrome, fp.templates.get(TEMPLATES[kind], ""))


def _asset_routes(assets: Mapping[str, str]) -> Iterator[Route]:
    for path, content in sorted(assets.items()):
        yield Route(f"asset:{path}", path, "asset", (path,), content)


def _article_routes(site: Site, fp: Fingerprints) -> Iterator[Route]:
    base = _template_fp(fp, "article")
    articles = site.articles
    for index, article in enumerate(articles):
        neighbours = [
            fp.cards[a.source]
            for a in (
                articles[index - 1] if index else None,
                articles[index + 1] if index + 1 < len(articles) else None,
            )
            if a is not None
        ]
        related = [fp.cards[other] for other in site.related.get(article.source, ())]
        yield Route(
            f"article:{article.source}",
            site.urls[article.source] + "index.html",
            "article",
            (article.source,),
            digest(base, article.content_hash, fp.cards[article.source], neighbours, related),
        )


def _list_routes(
    site: Site,
    fp: Fingerprints,
    kind: RouteKind,
    prefix: str,
    ids: Sequence[str],
    term: tuple[str, ...],
) -> Iterator[Route]:
    base = _template_fp(fp, kind)
    pages = paginate(ids, site.config.paginate)
    for number, page_ids in enumerate(pages, start=1):
        yield Route(
            f"{kind}:{':'.join(term)}:{number}",
            page_path(prefix, number) + "index.html",
            kind,
            (*term, str(number)),
            digest(base, term, number, len(ids), [fp.cards[i] for i in page_ids]),
        )


def _taxonomy_routes(site: Site, fp: Fingerprints, kind: TaxonomyKind) -> Iterator[Route]:
    terms = site.terms(kind)
    listing = [(t.slug, t.name, len(t.article_ids)) for t in terms]
    yield Route(
        f"terms:{kind}",
        f"{kind}/index.html",
        "terms",
        (kind,),
        digest(_template_fp(fp, "terms"), kind, listing),
    )
    for term in terms:
        yield from _list_routes(
            site,
            fp,
            "term",
            f"{kind}/{term.slug}/",
            site.collapse(term.article_ids),
            (kind, term.slug, term.name, term.description),
        )


def feed_scopes(site: Site) -> Iterator[tuple[str, Term | None]]:
    """(folder, term) of every feed: the site root, then each term whose taxonomy has feeds."""
    yield "", None
    for kind in site.config.feeds.taxonomies:
        for term in site.terms(kind):
            yield f"{kind}/{term.slug}/", term


def _feed_routes(site: Site, fp: Fingerprints) -> Iterator[Route]:
    feeds = site.config.feeds
    for folder, term in feed_scopes(site):
        ids = site.collapse(term.article_ids if term else site.articles_ids)
        entries = [(site.article(i).content_hash, fp.cards[i]) for i in ids[: feeds.limit]]
        scope = (term.kind, term.slug) if term else ()
        name = term.name if term else ""
        for fmt in feeds.formats:
            yield Route(
                f"feed:{folder}{fmt}",
                folder + FEED_FILES[fmt],
                "feed",
                (fmt, *scope),
                digest(fp.config, fmt, scope, name, entries),
            )


def _single_routes(site: Site, fp: Fingerprints) -> Iterator[Route]:
    terms = [(t.kind, t.slug, t.name, len(t.article_ids)) for t in (*site.topics, *site.tags)]
    lastmods = [(site.urls[a.source], a.last_modified.isoformat()) for a in site.articles]
    content = [a.content_hash for a in site.articles]
    yield Route("feeds", "feeds/index.html", "feeds", (), digest(_template_fp(fp, "feeds"), terms))
    yield Route("opml", "feeds.opml", "opml", (), digest(fp.config, terms))
    yield Route("sitemap", "sitemap.xml", "sitemap", (), digest(fp.config, terms, lastmods))
    yield Route("robots", "robots.txt", "robots", (), digest(fp.config))
    yield Route("not_found", "404.html", "not_found", (), _template_fp(fp, "not_found"))
    yield Route(
        "search", "search/index.html", "search", (), digest(_template_fp(fp, "search"), terms)
    )
    yield Route("search_index", "search/", "search_index", (), digest(fp.config, content, lastmods))

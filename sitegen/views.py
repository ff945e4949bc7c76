"""Read-only views of the site that templates see; the internal model stays free to change."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from markupsafe import Markup

from sitegen.model import Article, Config, Site, TaxonomyKind, Term
from sitegen.routes import FEED_FILES, page_path

FEED_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}
FEED_LABELS = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class FeedLink:
    title: str
    url: str
    type: str
    label: str


@dataclass(frozen=True)
class TermView:
    kind: str
    slug: str
    name: str
    url: str
    count: int
    description: str = ""
    feeds: tuple[FeedLink, ...] = ()


@dataclass(frozen=True)
class TermLink:
    """A tag or topic as an article names it: what its card's fingerprint covers (a term's
    article count is on its own page and in `site.topics`, not here)."""

    kind: str
    slug: str
    name: str
    url: str


@dataclass(frozen=True)
class ArticleView:
    id: str
    title: str
    url: str
    permalink: str
    lang: str
    date: datetime
    date_iso: str
    date_display: str
    updated_iso: str
    updated_display: str
    summary: str
    author: str
    source: str
    source_url: str
    dateline: str
    reading_minutes: int
    tags: tuple[TermLink, ...]
    topics: tuple[TermLink, ...]
    extra: Mapping[str, Any]
    also: tuple[Link, ...] = ()  # other reports of the same story: source name, URL
    content: Markup = field(default_factory=Markup)
    headings: tuple[Link, ...] = ()
    previous: Link | None = None
    next: Link | None = None
    related: tuple[Link, ...] = ()
    json_ld: Markup = field(default_factory=Markup)


@dataclass(frozen=True)
class PaginatorView:
    number: int
    total: int
    items: tuple[ArticleView, ...]
    previous_url: str | None
    next_url: str | None
    urls: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class SiteView:
    title: str
    description: str
    language: str
    base_url: str
    base_path: str
    author: str
    copyright: str
    topics: tuple[TermView, ...]
    feeds: tuple[FeedLink, ...]
    extra: Mapping[str, Any]
    offline: bool = False  # offline reading (service worker) switched on


@lru_cache(maxsize=64)
def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def display_date(moment: datetime, lang: str) -> str:
    """'28. Januar 2025' for de, 'January 28, 2025' for en: CLDR's long date of the language."""
    return _long_date(moment.date(), lang)  # the day as written in the moment's own zone


@lru_cache(maxsize=4096)
def _long_date(day: date, lang: str) -> str:
    return str(format_date(day, format="long", locale=_locale(lang)))


def script_json(value: Any) -> Markup:
    """JSON that is safe inside <script>: no '<', '>' or '&' can end the element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


class ViewBuilder:
    """Builds views for one site; URLs honour the base path of base_url."""

    def __init__(
        self,
        site: Site,
        kept_cards: dict[str, tuple[tuple[str, str], ArticleView]] | None = None,
        card_stamps: tuple[str, Mapping[str, str]] = ("", {}),
    ) -> None:
        """`kept_cards`: card views of earlier builds of this process (a preview), taken while
        their stamp, (`card_stamps[0]`, the article's card fingerprint in `card_stamps[1]`),
        is the same, and updated with the cards made here (without them, a card is made once
        for this builder). The first part must name the config; the fingerprint covers all
        else a card holds (routes.card_fingerprints)."""
        self.site = site
        self.config: Config = site.config
        self._terms = {(t.kind, t.slug): t for t in (*site.tags, *site.topics)}
        self._term_views: dict[tuple[str, str], TermView] = {}
        self._term_links: dict[tuple[str, str], TermLink] = {}
        self._cards = kept_cards if kept_cards is not None else {}
        self._card_stamps = card_stamps
        self._page_urls: dict[tuple[str, int], tuple[str, ...]] = {}

    def url(self, path: str) -> str:
        return self.config.base_path + path.lstrip("/")

    def permalink(self, path: str) -> str:
        return self.config.base_url + path.lstrip("/")

    def feed_links(self, folder: str, title: str) -> tuple[FeedLink, ...]:
        return tuple(
            FeedLink(title, self.url(folder + FEED_FILES[fmt]), FEED_TYPES[fmt], FEED_LABELS[fmt])
            for fmt in self.config.feeds.formats
        )

    def term(self, term: Term) -> TermView:
        view = self._term_views.get((term.kind, term.slug))
        if view is None:
            view = self._term_views[(term.kind, term.slug)] = self._make_term(term)
        return view

    def _make_term(self, term: Term) -> TermView:
        folder = f"{term.kind}/{term.slug}/"
        has_feeds = term.kind in self.config.feeds.taxonomies
        feeds = self.feed_links(folder, f"{self.config.title}: {term.name}") if has_feeds else ()
        return TermView(
            term.kind,
            term.slug,
            term.name,
            self.url(folder),
            len(term.article_ids),
            term.description,
            feeds,
        )

    def terms(self, kind: TaxonomyKind) -> tuple[TermView, ...]:
        return tuple(self.term(t) for t in self.site.terms(kind))

    def site_view(self) -> SiteView:
        config = self.config
        return SiteView(
            config.title,
            config.description,
            config.language,
            config.base_url,
            config.base_path,
            config.author,
            config.copyright,
            self.terms("topics"),
            self.feed_links("", config.title),
            config.extra,
            config.offline.enabled,
        )

    def link(self, article_id: str) -> Link:
        return Link(self.site.article(article_id).title, self.url(self.site.urls[article_id]))

    def card(self, article: Article) -> ArticleView:
        base, cards = self._card_stamps
        stamp = (base, cards.get(article.source, ""))
        found = self._cards.get(article.source)
        if found is not None and found[0] == stamp:
            return found[1]
        view = self._make_card(article)
        self._cards[article.source] = (stamp, view)
        return view

    def term_link(self, kind: TaxonomyKind, slug: str) -> TermLink:
        link = self._term_links.get((kind, slug))
        if link is None:
            term = self._terms[(kind, slug)]
            link = TermLink(kind, slug, term.name, self.url(f"{kind}/{slug}/"))
            self._term_links[(kind, slug)] = link
        return link

    def _make_card(self, article: Article) -> ArticleView:
        updated = article.updated
        path = self.site.urls[article.source]
        return ArticleView(
            id=article.source,
            title=article.title,
            url=self.url(path),
            permalink=self.permalink(path),
            lang=article.lang,
            date=article.date,
            date_iso=article.date.isoformat(),
            date_display=display_date(article.date, article.lang),
            updated_iso=updated.isoformat() if updated else "",
            updated_display=display_date(updated, article.lang) if updated else "",
            summary=article.summary,
            author=article.author,
            source=article.source_name,
            source_url=article.source_url,
            dateline=article.dateline,
            reading_minutes=max(1, round(article.word_count / self.config.words_per_minute)),
            tags=tuple([self.term_link("tags", t.slug) for t in article.tags]),
            topics=tuple([self.term_link("topics", t.slug) for t in article.topics]),
            extra=article.extra,
            also=self.also(article.source),
        )

    def also(self, article_id: str) -> tuple[Link, ...]:
        """The other reports of this article's story, named by their source (or title)."""
        return tuple(
            Link(
                self.site.article(o).source_name or self.site.article(o).title,
                self.url(self.site.urls[o]),
            )
            for o in self.site.other_reports(article_id)
        )

    def cards(self, ids: Sequence[str]) -> tuple[ArticleView, ...]:
        return tuple(self.card(self.site.article(i)) for i in ids)

    def article(self, article_id: str, index: int) -> ArticleView:
        article = self.site.article(article_id)
        ids = self.site.articles_ids
        newer = self.link(ids[index - 1]) if index > 0 else None
        older = self.link(ids[index + 1]) if index + 1 < len(ids) else None
        card = self.card(article)
        return ArticleView(
            **{
                **card.__dict__,
                "content": Markup(self.site.bodies[article_id].html),
                "headings": tuple(Link(h.text, "#" + h.anchor) for h in article.headings),
                "previous": older,
                "next": newer,
                "related": tuple(self.link(i) for i in self.site.related.get(article_id, ())),
                "json_ld": script_json(self._news_article(article, card)),
            },
        )

    def _news_article(self, article: Article, card: ArticleView) -> dict[str, Any]:
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "datePublished": card.date_iso,
            "dateModified": card.updated_iso or card.date_iso,
            "inLanguage": article.lang,
            "mainEntityOfPage": card.permalink,
            "description": article.summary,
            "publisher": {"@type": "Organization", "name": self.config.title},
        }
        if article.author:
            data["author"] = {"@type": "Person", "name": article.author}
        if article.tags:
            data["keywords"] = [t.name for t in card.tags]
        if article.source_url:
            data["isBasedOn"] = article.source_url
        return data

    def paginator(self, prefix: str, ids: Sequence[str], number: int) -> PaginatorView:
        per_page = self.config.paginate
        total = max(1, -(-len(ids) // per_page))
        page_ids = ids[(number - 1) * per_page : number * per_page]
        urls = self._page_urls.get((prefix, total))
        if urls is None:  # the same for every page of the list
            urls = tuple(self.url(page_path(prefix, n)) for n in range(1, total + 1))
            self._page_urls[(prefix, total)] = urls
        return PaginatorView(
            number=number,
            total=total,
            items=self.cards(page_ids),
            previous_url=urls[number - 2] if number > 1 else None,
            next_url=urls[number] if number < total else None,
            urls=urls,
        )

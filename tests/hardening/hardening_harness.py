"""Run one hostile site through `sitegen build` and check every guarantee of issue 8 on it.

Pure Python (no pytest), so tests/hardening/ and benchmarks/hardening_bench.py share it:

- no traceback, ever: a clear message naming file, line and key instead;
- nothing written, changed or deleted outside the output folder (symlinks included);
- no script, event handler or script URL from content in any page, feed or search file;
- a failed build leaves the previous output byte-identical (or absent, if there was none).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import time
import traceback
import xml.etree.ElementTree as ElementTree
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import html5lib
import yaml

from sitegen.cli import main

REPO = Path(__file__).resolve().parents[2]
MARK = "XSSMARK"  # put into hostile content; must never reach a script or handler
DATE = "2025-03-01T10:00:00+01:00"  # in the past for the real clock the CLI uses
BASE_CONFIG: dict[str, Any] = {
    "title": "Test News",
    "base_url": "https://example.org/",
    "language": "en",
    "timezone": "Europe/Berlin",
    "topics": {"world": {"title": "World"}, "science": {"title": "Science"}},
}
BASE_ARTICLE = "content/base.md"
Mode = Literal["cold", "warm"]
Prepare = Callable[[Path], None]
Snapshot = dict[str, tuple[str, ...]]


def article(title: str = "Hostile", body: str = "A first paragraph.\n", **front: Any) -> str:
    """An article file: front matter dumped by PyYAML (title, date, then `front`), then body."""
    meta = {"title": title, "date": front.pop("date", DATE), **front}
    dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{dumped}---\n{body}"


def raw(front: str, body: str = "Body text.\n") -> str:
    """An article file with the front matter exactly as written."""
    return f"---\n{front}---\n{body}"


@dataclass(frozen=True)
class Case:
    """One bad input and the behaviour it must show."""

    name: str
    family: str
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    config: Mapping[str, Any] | None = None  # merged over BASE_CONFIG into site.yaml
    prepare: Prepare | None = None  # symlinks, modes, odd names: what files cannot say
    args: tuple[str, ...] = ()
    code: int | None = 0  # None: 0 or 1, as long as the other guarantees hold
    errors: tuple[str, ...] = ()  # each must appear in stderr ('content/a.md:3: date:')
    present: tuple[str, ...] = ()  # each must appear in some output file (on success)
    absent: tuple[str, ...] = ()  # none may appear in any output file
    pages: tuple[str, ...] = ()  # output files that must exist (on success)
    subprocess: bool = False  # run `python -m sitegen` (a hang or crash must be observed)
    wrapper: tuple[str, ...] = ()  # command prefix for the subprocess (setpriv)
    modes: tuple[Mode, ...] = ("cold", "warm")
    timeout: float = 60  # seconds, for a subprocess
    skip: str | None = None
    needs_fix: str | None = None  # a bug in a module the lead owns: expected to fail


@dataclass
class Outcome:
    """What one run of a case showed; `failures` lists every broken expectation."""

    case: str
    mode: Mode
    code: int | None = None
    err: str = ""
    traceback: str | None = None
    outside: list[str] = field(default_factory=list)
    injections: list[str] = field(default_factory=list)
    previous_changed: bool = False
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def handled(self) -> bool:
        return not self.failures


# --- trees ---------------------------------------------------------------------------------


def snapshot(root: Path, exclude: tuple[Path, ...] = ()) -> Snapshot:
    """Every entry under root: kind, and the bytes' hash or the link's target; no link followed."""
    found: Snapshot = {}
    if not os.path.lexists(root):
        return found
    if root.is_symlink() or not root.is_dir():
        return {".": _entry(root)}
    skip = {str(p) for p in exclude}
    for dirpath, dirnames, filenames in os.walk(root):
        kept = []
        for name in sorted(dirnames):
            path = os.path.join(dirpath, name)
            if path in skip:
                continue
            found[os.path.relpath(path, root)] = _entry(Path(path))
            if not os.path.islink(path):
                kept.append(name)
        dirnames[:] = kept
        for name in filenames:
            path = os.path.join(dirpath, name)
            if path not in skip:
                found[os.path.relpath(path, root)] = _entry(Path(path))
    return found


def _entry(path: Path) -> tuple[str, ...]:
    st = path.lstat()
    if stat.S_ISLNK(st.st_mode):
        return ("link", os.readlink(path))
    if stat.S_ISDIR(st.st_mode):
        return ("dir",)
    if not stat.S_ISREG(st.st_mode):
        return ("special", oct(st.st_mode))
    digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    return ("file", digest, oct(st.st_mode & 0o7777))


def tree_diff(before: Snapshot, after: Snapshot) -> list[str]:
    changes = [f"deleted {p}" for p in sorted(set(before) - set(after))]
    changes += [f"created {p}" for p in sorted(set(after) - set(before))]
    changes += [f"changed {p}" for p in sorted(set(before) & set(after)) if before[p] != after[p]]
    return changes


# --- scanning the output -------------------------------------------------------------------

_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
_URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href", "srcdoc", "data", "poster")
_HTML_FIELDS = {"content_html"}  # JSON Feed fields holding HTML


def _compact(value: str) -> str:
    return "".join(c for c in value if c > " ").lower()


def scan_html(text: str, where: str, mark: str = MARK) -> list[str]:
    """Script elements, handlers and script URLs carrying `mark`, parsed as a browser would."""
    findings = []
    document = html5lib.parse(text, namespaceHTMLElements=False)
    for element in document.iter():
        tag = str(element.tag).split("}")[-1].lower()
        content = "".join(element.itertext())
        if tag == "script":
            kind = (element.get("type") or "").lower()
            if kind == "application/ld+json":
                try:
                    json.loads(content)
                except ValueError:
                    findings.append(f"{where}: JSON-LD script broken open")
            elif mark in content:
                findings.append(f"{where}: <script> with content text")
        for name, value in element.attrib.items():
            name = str(name).split("}")[-1].lower()  # {xlink namespace}href -> href
            if mark not in value:
                continue
            if name.startswith("on"):
                findings.append(f"{where}: <{tag} {name}=...> handler from content")
            elif name in _URL_ATTRS and _compact(value).startswith(_SCRIPT_SCHEMES):
                findings.append(f"{where}: <{tag} {name}={value[:40]!r}> script URL")
            elif tag in ("iframe", "object", "embed", "base", "form") or (
                tag == "meta" and element.get("http-equiv")
            ):
                findings.append(f"{where}: <{tag}> element from content")
    return findings


def _feed_html(root: ElementTree.Element) -> Iterator[str]:
    """The texts of feed elements that carry HTML (readers render them)."""
    for element in root.iter():
        tag = element.tag.split("}")[-1]
        html_type = element.get("type") in ("html", "xhtml")
        if (tag in ("content", "summary") and html_type) or tag in ("description", "encoded"):
            yield element.text or ""


def _json_html(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _HTML_FIELDS and isinstance(item, str):
                yield item
            else:
                yield from _json_html(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_html(item)


def read_output_text(path: Path) -> str:
    """A file of the output as text; search shards are inflated first."""
    data = path.read_bytes()
    if path.suffix == ".bin":
        with contextlib.suppress(zlib.error):
            data = zlib.decompress(data)
    return data.decode("utf-8", "replace")


def scan_output(output: Path, mark: str = MARK) -> list[str]:
    """Every injection found in pages, feeds and search files, and every feed that won't parse."""
    findings: list[str] = []
    for path in sorted(output.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        where = path.relative_to(output).as_posix()
        text = read_output_text(path)
        if path.suffix == ".html":
            findings += scan_html(text, where, mark)
        elif path.suffix in (".xml", ".opml"):
            try:
                root = ElementTree.fromstring(text.encode("utf-8"))
            except ElementTree.ParseError as error:
                findings.append(f"{where}: does not parse as XML ({error})")
                continue
            for fragment in _feed_html(root):
                findings += scan_html(fragment, f"{where} (entry HTML)", mark)
        elif path.suffix == ".json" or (path.suffix == ".bin" and text.startswith(("{", "["))):
            try:
                value = json.loads(text)
            except ValueError as error:
                findings.append(f"{where}: does not parse as JSON ({error})")
                continue
            for fragment in _json_html(value):
                findings += scan_html(fragment, f"{where} (content_html)", mark)
    return findings


# --- running a case ------------------------------------------------------------------------


def write_site(site: Path, files: Mapping[str, str | bytes], config: Mapping[str, Any] | None):
    site.mkdir(parents=True, exist_ok=True)
    if "site.yaml" not in files:
        settings = {**BASE_CONFIG, **(config or {})}
        text = yaml.safe_dump(settings, allow_unicode=True, sort_keys=False)
        (site / "site.yaml").write_text(text, encoding="utf-8")
    for name, data in files.items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


def build_in_process(args: list[str]) -> tuple[int | None, str, str, str | None]:
    """`sitegen <args>` in this process: (exit code, stdout, stderr, traceback or None)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
    except BaseException:  # anything escaping main() is a traceback a user would see
        return None, out.getvalue(), err.getvalue(), traceback.format_exc()
    return code, out.getvalue(), err.getvalue(), None


def build_subprocess(
    args: list[str], cwd: Path, wrapper: tuple[str, ...] = (), timeout: float = 60
) -> tuple[int | None, str, str, str | None]:
    command = [*wrapper, sys.executable, "-m", "sitegen", *args]
    try:
        done = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return None, "", "", f"no answer within {timeout:.0f} s (hangs)"
    crashed = done.returncode < 0 or "Traceback" in done.stderr
    return done.returncode, done.stdout, done.stderr, done.stderr if crashed else None


def run_case(case: Case, root: Path, mode: Mode) -> Outcome:
    """Build the case's site (after a good build of a base site, in `warm` mode) and check it."""
    outcome = Outcome(case.name, mode)
    site = root / "site"
    output = site / "public"
    base = {BASE_ARTICLE: article("Base article", "The base article's text.\n")}
    if mode == "warm":
        write_site(site, base, None)
        code, _, err, trace = build_in_process(["build", "--site", str(site), "-q"])
        if code != 0 or trace:
            outcome.failures.append(f"the base site did not build: {err}{trace or ''}")
            return outcome
        write_site(site, case.files, case.config)
    else:
        write_site(site, {**base, **case.files}, case.config)
    if case.prepare:
        case.prepare(site)
    excluded = (output, site / ".sitegen-cache")
    outside_before = snapshot(root, excluded)
    output_before = snapshot(output)
    args = ["build", "--site", str(site), "-q", *case.args]
    started = time.perf_counter()
    if case.subprocess:
        result = build_subprocess(args, root, case.wrapper, case.timeout)
    else:
        result = build_in_process(args)
    outcome.seconds = time.perf_counter() - started
    outcome.code, _, outcome.err, outcome.traceback = result
    _judge(case, outcome, root, excluded, outside_before, output_before, output)
    return outcome


def _judge(
    case: Case,
    outcome: Outcome,
    root: Path,
    excluded: tuple[Path, ...],
    outside_before: Snapshot,
    output_before: Snapshot,
    output: Path,
) -> None:
    fail = outcome.failures.append
    if outcome.traceback or "Traceback" in outcome.err:
        fail(f"traceback:\n{(outcome.traceback or outcome.err)[-1500:]}")
    allowed = (0, 1) if case.code is None else (case.code,)
    if outcome.code not in allowed:
        fail(f"exit code {outcome.code}, expected {case.code}; stderr:\n{outcome.err[-800:]}")
    for text in case.errors:
        if text not in outcome.err:
            fail(f"stderr lacks {text!r}:\n{outcome.err[-800:]}")
    outcome.outside = tree_diff(outside_before, snapshot(root, excluded))
    if outcome.outside:
        fail(f"touched outside the output folder: {outcome.outside[:10]}")
    if outcome.code != 0:
        outcome.previous_changed = snapshot(output) != output_before
        if outcome.previous_changed:
            fail("a failed build changed the previous output")
        return
    if output.is_dir() and not output.is_symlink():
        outcome.injections = scan_output(output)
        if outcome.injections:
            fail(f"injections: {outcome.injections[:10]}")
    texts = _output_texts(output) if (case.present or case.absent) else {}
    for text in case.present:
        if not any(text in t for t in texts.values()):
            fail(f"no output file contains {text!r}")
    for text in case.absent:
        holders = [p for p, t in texts.items() if text in t]
        if holders:
            fail(f"{text!r} found in {holders[:5]}")
    for page in case.pages:
        if not (output / page).is_file():
            fail(f"missing output file {page}")


def _output_texts(output: Path) -> dict[str, str]:
    if not output.is_dir():
        return {}
    return {
        p.relative_to(output).as_posix(): read_output_text(p)
        for p in output.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


# --- big inputs and bounded resources ------------------------------------------------------


def big_article_text(size: int) -> str:
    """A long article as news is written, about `size` bytes: sections of prose paragraphs
    with emphasis and links, a short list, a quote and a code sample."""
    prose = (
        "The council met on *Tuesday* to discuss the **budget** for the coming year. "
        "Members argued for hours about roads, schools and the new library, and the mayor "
        "said the plan would be published with [the minutes](https://example.org/m/{n}) "
        "later this week. Critics called the figures optimistic; supporters said the town "
        "had waited long enough for repairs that were promised three elections ago.\n\n"
    )
    section = (
        "## Section {n}\n\n" + prose * 3 + "- roads\n- schools\n- the library\n\n"
        "> We will publish every figure, said the mayor.\n\n```\nbudget = 1_250_000\n```\n\n"
    )
    parts = []
    total = 0
    n = 0
    while total < size:
        part = section.format(n=n)
        parts.append(part)
        total += len(part)
        n += 1
    return article("A very long article", "".join(parts))


def markup_bomb_text(size: int) -> str:
    """An article of `size` bytes that is nothing but emphasis: millions of elements."""
    return article("Emphasis everywhere", "*a* " * (size // 4))


@dataclass(frozen=True)
class Measured:
    code: int
    seconds: float
    peak_mb: float
    err: str


def measure_build(site: Path, *args: str) -> Measured:
    """`python -m sitegen build` in a child: exit code, wall time, peak resident memory."""
    with open(site.parent / "stderr.txt", "w+", encoding="utf-8") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "sitegen", "build", "--site", str(site), "-q", *args],
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read()
    return Measured(process.returncode, seconds, usage.ru_maxrss / 1024, text)

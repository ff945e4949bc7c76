"""Score sitegen's article extraction on a labelled set: token-shingle precision, recall, F1.

Usage: python benchmarks/extraction_bench.py [DATASET_DIR] [--only html|text] [--no-baseline]
       [--split] [--show ID_PREFIX]

DATASET_DIR defaults to ../shared/datasets/extraction-dev (its README defines the metric,
which follows the Article Extraction Benchmark's evaluate.py). Prints, for the HTML pages and
for the whole-page text scrapes, P / R / F1 and CPU milliseconds per page, plus trafilatura
alone as a baseline. --split also scores two halves of the set (page ids sorted, taken
alternately: A = 1st, 3rd, ...; B = 2nd, 4th, ...), to check that a change tuned on one half
carries over to the other.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitegen.importer.htmlextract import extract_html
from sitegen.importer.rules import Rules, load_rules
from sitegen.importer.textclean import clean_text

DEFAULT_DIR = Path(__file__).resolve().parent.parent.parent / "shared/datasets/extraction-dev"
WORD = re.compile(r"\w+")
FRONT_MATTER = re.compile(r"\A\ufeff?---\n.*?\n(?:---|\.\.\.)(?:\n|\Z)", re.S)
IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
AUTOLINK = re.compile(r"<http[^>]*>")
MARKER = re.compile(r"^ {0,3}(?:#{1,6} |>|[-*+] |\d+\. )", re.M)
EMPHASIS = re.compile(r"[*_`|]+")


def markdown_to_text(markdown: str) -> str:
    """Plain text of Markdown, the way the dataset's README strips it before scoring."""
    text = FRONT_MATTER.sub("", markdown, count=1)
    text = IMAGE.sub(r"\1", text)
    text = LINK.sub(r"\1", text)
    text = AUTOLINK.sub("", text)
    text = MARKER.sub("", text)
    return EMPHASIS.sub(" ", text)


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = WORD.findall(text)
    if len(tokens) < 4:
        return Counter([tuple(tokens)] if tokens else [])
    return Counter(tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3))


@dataclass(frozen=True)
class DocScore:
    precision: float | None  # None when the prediction has no shingle
    recall: float


def score(prediction: str, truth: str) -> DocScore:
    pred, true = shingles(prediction), shingles(truth)
    tp = sum((pred & true).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    if fp == 0 and fn == 0:
        return DocScore(1.0 if pred else None, 1.0)
    precision = tp / (tp + fp) if tp + fp else None
    return DocScore(precision, tp / (tp + fn) if tp + fn else 0.0)


@dataclass(frozen=True)
class SetScore:
    precision: float
    recall: float
    f1: float
    ms_per_page: float


def aggregate(scores: Iterable[DocScore], ms: float) -> SetScore:
    items = list(scores)
    precisions = [s.precision for s in items if s.precision is not None]
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(s.recall for s in items) / len(items) if items else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return SetScore(p, r, f1, ms)


Extractor = Callable[[str, str], str]  # (input text, url) -> Markdown


def run_pages(
    inputs: dict[str, str], truth: dict[str, dict[str, str]], fn: Extractor
) -> tuple[dict[str, DocScore], float]:
    """Each page's score, and the CPU milliseconds per page (CPU time, not wall time: it does
    not grow when other work shares the machine)."""
    scores: dict[str, DocScore] = {}
    started = time.process_time()
    for page_id, data in inputs.items():
        try:
            markdown = fn(data, truth[page_id]["url"])
        except Exception as exc:  # a failed page scores as empty output
            print(f"  {page_id[:8]}: failed: {exc}", file=sys.stderr)
            markdown = ""
        scores[page_id] = score(markdown_to_text(markdown), truth[page_id]["articleBody"])
    ms = (time.process_time() - started) * 1000 / max(1, len(inputs))
    return scores, ms


def run_set(inputs: dict[str, str], truth: dict[str, dict[str, str]], fn: Extractor) -> SetScore:
    scores, ms = run_pages(inputs, truth, fn)
    return aggregate(scores.values(), ms)


def halves(page_ids: Iterable[str]) -> dict[str, set[str]]:
    """Two halves of the set: ids sorted, taken alternately."""
    ordered = sorted(page_ids)
    return {"A": set(ordered[0::2]), "B": set(ordered[1::2])}


@lru_cache(maxsize=1)
def rules() -> Rules:
    """The shipped rules, loaded once as `sitegen import` does for a whole run."""
    return load_rules()


def sitegen_html(html: str, url: str) -> str:
    return extract_html(html, url, rules()).markdown


def sitegen_text(text: str, url: str) -> str:
    return clean_text(text, rules()).markdown


def trafilatura_html(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False) or ""


def load(folder: Path) -> tuple[dict[str, dict[str, str]], dict[str, str], dict[str, str]]:
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    pages = {
        p.name.split(".")[0]: gzip.decompress(p.read_bytes()).decode("utf-8")
        for p in sorted((folder / "pages").glob("*.html.gz"))
    }
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted((folder / "text").glob("*.txt"))}
    return truth, pages, texts


def show(folder: Path, prefix: str) -> None:
    """Print one page's per-page score and cleaned text, for looking at what went wrong."""
    truth, pages, texts = load(folder)
    for page_id in [k for k in truth if k.startswith(prefix)]:
        for kind, data, fn in (("html", pages, sitegen_html), ("text", texts, sitegen_text)):
            markdown = fn(data[page_id], truth[page_id]["url"])
            s = score(markdown_to_text(markdown), truth[page_id]["articleBody"])
            print(f"== {kind} {page_id[:8]} P={s.precision} R={s.recall:.3f}\n{markdown}\n")


def line(name: str, s: SetScore) -> str:
    figures = f"F1 {s.f1:.3f}  P {s.precision:.3f}  R {s.recall:.3f}"
    return f"{name:<34} {figures}  {s.ms_per_page:6.1f} ms/page (CPU)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--only", choices=("html", "text"))
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--split", action="store_true", help="also score halves A and B")
    parser.add_argument("--show", metavar="ID_PREFIX")
    args = parser.parse_args(argv)
    if args.show:
        show(args.dataset, args.show)
        return 0
    truth, pages, texts = load(args.dataset)
    print(f"{args.dataset}: {len(truth)} pages")
    rules()  # loaded before the clock starts, like trafilatura:
    import trafilatura  # noqa: F401

    runs: list[tuple[str, dict[str, str], Extractor, bool]] = []
    if args.only != "text":
        runs.append(("sitegen, HTML pages", pages, sitegen_html, True))
        runs.append(("trafilatura alone, HTML pages", pages, trafilatura_html, False))
    if args.only != "html":
        runs.append(("sitegen, text scrapes", texts, sitegen_text, True))
        runs.append(("text scrapes as is (no cleaning)", texts, lambda t, u: t, False))
    parts = halves(truth)
    for name, inputs, fn, ours in runs:
        if not ours and args.no_baseline:
            continue
        scores, ms = run_pages(inputs, truth, fn)
        print(line(name, aggregate(scores.values(), ms)))
        if args.split and ours:
            for half, ids in parts.items():
                subset = [s for page_id, s in scores.items() if page_id in ids]
                print(line(f"  half {half} ({len(subset)} pages)", aggregate(subset, ms)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A preview keeps its last site in memory and patches the next one from it: after any run of
edits, what it writes equals a clean build of the same files."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sitegen.build import BuildOptions, build
from sitegen.cache import WarmCache
from sitegen.model import InputError

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
SITE_YAML = """\
title: Warm
base_url: https://example.org/
language: en
paginate: 2
stories: {enabled: true, threshold: 0.3}
"""
SHARED = "The council approved the new tram line through the old town after a long debate. " * 3
NAMES = ["a.md", "b.md", "c.md", "d.md"]


def text(title: str, day: int, tags: str, draft: bool, body: str, source: str) -> str:
    return (
        f"---\ntitle: {title}\ndate: 2026-03-{day:02d}T08:00:00Z\ntags: [{tags}]\n"
        f"draft: {str(draft).lower()}\nsource: {source}\n---\n{body}\n"
    )


edits = st.lists(
    st.tuples(
        st.sampled_from(NAMES),
        st.sampled_from(
            ["title", "body", "shared", "source", "tags", "date", "draft", "delete", "same"]
        ),
        st.integers(1, 4),
    ),
    min_size=1,
    max_size=5,
)


def tree(folder: Path) -> dict[str, bytes]:
    files = (p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


def outcome(options: BuildOptions) -> list[str] | None:
    """The problems a build reports (two titles on one day may give one URL), or None."""
    try:
        build(options)
    except InputError as error:
        return [f"{p.path}: {p.message}" for p in error.problems]
    return None


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits)
@example([("a.md", "title", 1), ("b.md", "title", 1), ("b.md", "body", 2), ("b.md", "title", 3)])
@example([("a.md", "shared", 1), ("b.md", "shared", 1), ("b.md", "title", 2), ("c.md", "date", 1)])
@example([("a.md", "shared", 1), ("b.md", "shared", 1), ("b.md", "source", 2)])
@example([("a.md", "shared", 1), ("b.md", "shared", 1), ("a.md", "draft", 1)])
@example([("a.md", "shared", 1), ("b.md", "shared", 1), ("b.md", "tags", 3)])  # count, not ids
@example([("a.md", "shared", 1), ("b.md", "shared", 1), ("a.md", "tags", 3)])
@example([("a.md", "tags", 2), ("b.md", "tags", 2), ("c.md", "tags", 4), ("b.md", "tags", 1)])
@example([("d.md", "date", 1), ("d.md", "date", 3), ("d.md", "title", 2), ("a.md", "date", 2)])
@example([("a.md", "shared", 1), ("b.md", "shared", 1), ("b.md", "date", 1), ("a.md", "draft", 1)])
@example([("a.md", "tags", 2), ("c.md", "tags", 4), ("b.md", "title", 1), ("a.md", "tags", 4)])
def test_every_preview_build_equals_a_clean_build(steps: list[tuple[str, str, int]]) -> None:
    with tempfile.TemporaryDirectory() as temp:
        site = Path(temp)
        (site / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
        (site / "content").mkdir()
        state = {
            name: {"title": f"Story {n}", "day": n + 1, "tags": "x", "draft": False,
                   "body": f"Body {n}.", "source": f"Paper {n}"}
            for n, name in enumerate(NAMES)
        }  # fmt: skip

        def write(name: str) -> None:
            (site / "content" / name).write_text(text(**state[name]), encoding="utf-8")  # type: ignore[arg-type]

        for name in NAMES:
            write(name)
        warm = WarmCache(defer_index=True)
        preview = site / "preview"
        build(BuildOptions(site_dir=site, now=NOW, jobs=1, output=preview, warm=warm))
        for name, kind, n in steps:
            path = site / "content" / name
            if kind == "delete":
                path.unlink(missing_ok=True)
            else:
                fields = state[name]
                if kind == "title":
                    fields["title"] = f"Retitled {n}"
                elif kind == "body":
                    fields["body"] = f"Another body {n}."
                elif kind == "shared":  # two reports of one story: the clustering changes
                    fields["body"] = SHARED
                elif kind == "tags":
                    fields["tags"] = ["x", "x, y", "z", "Y"][n - 1]
                elif kind == "source":  # named by the other reports of its story
                    fields["source"] = f"Wire {n}"
                elif kind == "date":
                    fields["day"] = 10 + n
                elif kind == "draft":
                    fields["draft"] = not fields["draft"]
                write(name)
            preview_outcome = outcome(
                BuildOptions(site, now=NOW, jobs=1, output=preview, warm=warm)
            )
            clean = site / "clean"
            shutil.rmtree(clean, ignore_errors=True)
            clean_outcome = outcome(
                BuildOptions(site, now=NOW, jobs=1, output=clean, use_cache=False)
            )
            assert preview_outcome == clean_outcome, (name, kind, n)
            if preview_outcome is None:
                assert tree(preview) == tree(clean), (name, kind, n)

"""The example site, built with the fixed clock, equals tests/golden/ byte for byte.

After an intended change of the output: `pytest tests/test_golden.py --update-golden`, then
review `git diff tests/golden/` like any other change.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"
MAX_DIFF_LINES = 60


def tree(root: Path) -> dict[str, bytes]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


def describe(name: str, expected: bytes, actual: bytes) -> str:
    try:
        old, new = expected.decode("utf-8"), actual.decode("utf-8")
    except UnicodeDecodeError:
        return f"{name}: binary, {len(expected)} -> {len(actual)} bytes"
    diff = difflib.unified_diff(
        old.splitlines(), new.splitlines(), f"golden/{name}", f"built/{name}", lineterm=""
    )
    return "\n".join(list(diff)[:MAX_DIFF_LINES])


def test_example_site_matches_golden(example_output: Path, request: pytest.FixtureRequest) -> None:
    built = tree(example_output)
    if request.config.getoption("--update-golden"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(example_output, GOLDEN)
        pytest.skip(f"rewrote {len(built)} files in {GOLDEN}; review the diff")
    assert GOLDEN.is_dir(), "no golden copy yet: run pytest tests/test_golden.py --update-golden"
    golden = tree(GOLDEN)
    missing, extra = sorted(set(golden) - set(built)), sorted(set(built) - set(golden))
    changed = sorted(n for n in set(golden) & set(built) if golden[n] != built[n])
    report = [f"missing: {missing}"] if missing else []
    report += [f"not in golden: {extra}"] if extra else []
    report += [describe(name, golden[name], built[name]) for name in changed[:3]]
    if len(changed) > 3:
        report.append(f"... and {len(changed) - 3} more changed files: {changed[3:]}")
    assert not report, "\n".join(report) + "\n(intended? pytest --update-golden)"


def test_golden_covers_every_kind_of_output() -> None:
    if not GOLDEN.is_dir():
        pytest.skip("no golden copy yet")
    names = set(tree(GOLDEN))
    for expected in ("index.html", "404.html", "sitemap.xml", "robots.txt", "atom.xml",
                     "rss.xml", "feed.json", "feeds.opml", "tags/index.html",
                     "topics/index.html", "search/index.html", "tags/ki/index.html"):  # fmt: skip
        assert expected in names
    assert any(n.startswith("static/") and n.endswith(".css") for n in names)
    assert sum(1 for n in names if n[:2] == "20" and n.endswith("/index.html")) >= 12

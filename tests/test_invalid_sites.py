"""Broken sites under tests/sites/invalid/<case>/: each prints exactly its expected.txt, exit 1.

expected.txt holds what `sitegen build` prints on stderr; `{site}` stands for the site folder
and `{parent}` for the folder holding it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitegen.cli import main

CASES_DIR = Path(__file__).resolve().parent / "sites" / "invalid"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "expected.txt").is_file())


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 8
    assert all((CASES_DIR / case / "site.yaml").is_file() for case in CASES)


@pytest.mark.parametrize("case", CASES)
def test_invalid_site_prints_its_errors_and_writes_nothing(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / case
    shutil.copytree(CASES_DIR / case, site, ignore=shutil.ignore_patterns("expected.txt"))
    expected = (CASES_DIR / case / "expected.txt").read_text(encoding="utf-8")

    code = main(["build", "--site", str(site)])

    captured = capsys.readouterr()
    expected = expected.replace("{site}", str(site.resolve()))
    assert captured.err == expected.replace("{parent}", str(site.parent.resolve()))
    assert captured.out == ""
    assert code == 1
    assert not (site / "public").exists()
    assert not any("sitegen-staging" in p.name for p in tmp_path.rglob("*"))

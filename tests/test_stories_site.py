"""One story reported by several sources is one entry in lists and feeds, linking the others."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from sitegen.build import BuildOptions, build

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
PRIMARY = "2025/01/deepseek-r1-chinas-offene-ki-entwicklung-ueberrascht-die-welt/"
SECOND = "2025/01/offenes-ki-modell-aus-china-deepseek-r1-erschuettert-die-branche/"
ATOM = "{http://www.w3.org/2005/Atom}"


def copy_site(target: Path, stories: dict[str, object] | None = None) -> Path:
    shutil.copytree(REPO / "content", target / "content")
    settings = yaml.safe_load((REPO / "site.yaml").read_text("utf-8"))
    if stories is not None:
        settings["stories"] = stories
    (target / "site.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), "utf-8")
    return target


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_site(tmp_path_factory.mktemp("stories"))
    build(BuildOptions(site_dir=site, now=NOW, jobs=1))
    return site / "public"


def atom_links(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return [e.find(f"{ATOM}link").get("href", "") for e in root.iter(f"{ATOM}entry")]


def test_lists_show_the_story_once_with_the_other_source_named(built: Path) -> None:
    home = "".join(
        p.read_text("utf-8") for p in [built / "index.html", *built.glob("page/*/index.html")]
    )
    assert f'href="/{PRIMARY}"' in home
    assert home.count(f'<h2><a href="/{SECOND}">') == 0  # not an entry of its own
    assert f'Auch berichtet von: <a href="/{SECOND}">KI-Ticker</a>' in home


def test_the_site_feed_has_one_item_per_story_naming_the_other_source(built: Path) -> None:
    links = atom_links(built / "atom.xml")
    assert links.count(f"https://news.example.org/{PRIMARY}") == 1
    assert f"https://news.example.org/{SECOND}" not in links
    assert "KI-Ticker" in (built / "atom.xml").read_text("utf-8")


def test_each_report_links_the_other(built: Path) -> None:
    first = (built / PRIMARY / "index.html").read_text("utf-8")
    second = (built / SECOND / "index.html").read_text("utf-8")
    assert f'href="/{SECOND}"' in first and "Weitere Berichte" in first
    assert f'href="/{PRIMARY}"' in second and "Weitere Berichte" in second


def test_a_tag_page_holding_only_the_second_report_still_shows_it(built: Path) -> None:
    # "Open Source" carries both reports; "USA" only the primary: each shows its own entry.
    usa = (built / "tags" / "usa" / "index.html").read_text("utf-8")
    assert f'<h2><a href="/{PRIMARY}">' in usa


def test_switching_stories_off_lists_every_report(tmp_path: Path) -> None:
    site = copy_site(tmp_path, {"enabled": False})
    build(BuildOptions(site_dir=site, now=NOW, jobs=1))
    links = atom_links(site / "public" / "atom.xml")
    assert f"https://news.example.org/{SECOND}" in links
    assert "Auch berichtet von" not in (site / "public" / "index.html").read_text("utf-8")


def test_editing_the_second_report_renders_the_primary_page_again(tmp_path: Path) -> None:
    site = copy_site(tmp_path)
    build(BuildOptions(site_dir=site, now=NOW, jobs=1))
    path = site / "content" / "2025" / "deepseek-r1-offenes-ki-modell-aus-china.md"
    path.write_text(
        path.read_text("utf-8").replace("source: KI-Ticker", "source: KI-Radar"), "utf-8"
    )
    report = build(BuildOptions(site_dir=site, now=NOW, jobs=1))
    assert "article:content/2025/deepseek-r1-chinas-offene-ki-entwicklung.md" in report.rendered
    assert "KI-Radar" in (site / "public" / "index.html").read_text("utf-8")

"""run_import on local files: writing, dedupe, --force, --stdout, and bad inputs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from sitegen.importer import ImportOptions, run_import
from sitegen.importer.dedupe import distance, simhash
from sitegen.importer.store import content_path

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

TOPICS = {"technologie": ["KI", "Chips"], "energie": ["Wärme", "heat"]}


def run(site: Path, *sources: str, **options: object) -> tuple[int, list[str], list[str]]:
    out: list[str] = []
    err: list[str] = []
    code = run_import(
        site, list(sources), ImportOptions(**options), [], TOPICS, NOW, out.append, err.append
    )  # type: ignore[arg-type]
    return code, out, err


def articles(site: Path) -> list[Path]:
    return sorted((site / "content").glob("*/*.md"))


def front(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def test_sample_is_written_with_front_matter(site: Path) -> None:
    code, _, err = run(site, str(FIXTURES / "boltwise-deepseek-r1.txt"))
    assert code == 0, err
    [path] = articles(site)
    assert path.relative_to(site).as_posix() == (
        "content/2026/deepseek-r1-chinas-offene-ki-entwicklung-ueberrascht-die-welt.md"
    )
    data = front(path)
    assert data["title"] == "DeepSeek R1: Chinas Offene KI-Entwicklung Überrascht Die Welt"
    assert data["source"] == "IT BOLTWISE" and data["dateline"] == "PEKING / MÜNCHEN"
    assert data["lang"] == "de" and data["date_estimated"] is True
    assert data["date"] == "2026-01-15T12:00:00+00:00"
    assert "technologie" in data["topics"]  # type: ignore[operator]
    assert len(data["tags"]) <= 8  # type: ignore[arg-type]
    assert "Stellenangebote" not in path.read_text(encoding="utf-8")


def test_stdout_writes_nothing(site: Path) -> None:
    code, out, _ = run(site, str(FIXTURES / "boltwise-deepseek-r1.txt"), to_stdout=True)
    assert code == 0 and articles(site) == []
    assert out[0].startswith("---\ntitle: 'DeepSeek R1")


def test_explain_lists_removals(site: Path) -> None:
    _, out, _ = run(site, str(FIXTURES / "boltwise-deepseek-r1.txt"), explain=True, dry_run=True)
    assert any("Stellenangebote" in line for line in out)
    assert articles(site) == []


def test_same_text_is_not_imported_twice(site: Path) -> None:
    assert run(site, str(FIXTURES / "boltwise-deepseek-r1.txt"))[0] == 0
    code, _, err = run(site, str(FIXTURES / "boltwise-deepseek-r1.txt"))
    assert code == 0 and len(articles(site)) == 1
    assert any("near-duplicate" in line for line in err)


def test_force_reimports_in_place(site: Path) -> None:
    run(site, str(FIXTURES / "boltwise-deepseek-r1.txt"))
    [path] = articles(site)
    path.write_text(path.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    code, _, _ = run(site, str(FIXTURES / "boltwise-deepseek-r1.txt"), force=True)
    assert code == 0 and articles(site) == [path]
    assert "Edited." not in path.read_text(encoding="utf-8")


def test_simhash_near_duplicates() -> None:
    text = (FIXTURES / "de-scrape.txt").read_text(encoding="utf-8")
    assert distance(simhash(text), simhash(text.replace("Mittwoch", "Dienstag"))) <= 10
    other = (FIXTURES / "en-scrape.txt").read_text(encoding="utf-8")
    assert distance(simhash(text), simhash(other)) > 10


def test_no_title_fails_and_writes_nothing(site: Path) -> None:
    code, _, err = run(site, str(FIXTURES / "no-title.txt"))
    assert code == 1 and articles(site) == []
    assert any("no title found" in line for line in err)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty input"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary data"),
        (b"x" * (10 * 1024 * 1024 + 1), "10 MB"),
        (b"<html><body><script>" + b"var a = 1;" * 500 + b"</script></body></html>", "script"),
    ],
    ids=["empty", "binary", "huge", "script"],
)
def test_bad_inputs_fail_clearly(site: Path, tmp_path: Path, data: bytes, message: str) -> None:
    source = tmp_path / "input.html"
    source.write_bytes(data)
    code, _, err = run(site, str(source))
    assert code == 1 and articles(site) == []
    assert any(message in line for line in err), err


def test_latin1_file_is_decoded(site: Path, tmp_path: Path) -> None:
    source = tmp_path / "latin1.txt"
    text = (FIXTURES / "de-scrape.txt").read_text(encoding="utf-8")
    source.write_bytes(text.replace("–", "-").encode("latin-1"))
    code, _, err = run(site, str(source))
    assert code == 0, err
    [path] = articles(site)
    assert "Wärmespeichers" in path.read_text(encoding="utf-8")


def test_script_laden_text_keeps_no_script(site: Path, tmp_path: Path) -> None:
    source = tmp_path / "scripted.txt"
    text = (FIXTURES / "en-scrape.txt").read_text(encoding="utf-8")
    source.write_text(
        text.replace("Advertisement", "<script>alert('x')</script>"), encoding="utf-8"
    )
    assert run(site, str(source))[0] == 0
    assert "<script" not in articles(site)[0].read_text(encoding="utf-8")


def test_paths_never_leave_content(site: Path) -> None:
    from sitegen.importer.store import UnsafePath

    with pytest.raises(UnsafePath):
        content_path(site / "content", 2025, "../../etc/passwd")


def test_a_topic_the_site_does_not_have_is_refused_before_writing(site: Path) -> None:
    """The next build would fail on every article given it (its topic pages do not exist)."""
    err: list[str] = []
    sample = str(FIXTURES / "boltwise-deepseek-r1.txt")
    configured = [{"name": "Boltwise", "url": sample, "topics": ["technologie", "sport"]}]
    for sources, options, config in [
        ([sample], ImportOptions(topics=("technologie", "nope")), []),
        ([], ImportOptions(), configured),
    ]:
        code = run_import(
            site, sources, options, config, TOPICS, NOW, [].append, err.append,
            known_topics=frozenset(TOPICS),
        )  # fmt: skip
        assert code == 1
    assert err[0] == "error: --topic nope: no such topic in site.yaml (energie, technologie)"
    assert err[1].startswith("error: site.yaml: source 'Boltwise': topics: sport: no such topic")
    assert not articles(site)
    code = run_import(
        site, [sample], ImportOptions(topics=("technologie",)), [], TOPICS, NOW, [].append,
        err.append, known_topics=frozenset(TOPICS),
    )  # fmt: skip
    assert code == 0 and len(articles(site)) == 1


def test_a_topic_given_by_its_name_is_the_topic_of_that_slug(site: Path) -> None:
    """As in an article's front matter, "Technologie" names the topic `technologie`."""
    sample = str(FIXTURES / "boltwise-deepseek-r1.txt")
    code = run_import(
        site, [sample], ImportOptions(topics=("Technologie",)), [], TOPICS, NOW, [].append,
        [].append, known_topics=frozenset(TOPICS),
    )  # fmt: skip
    assert code == 0 and len(articles(site)) == 1

"""sitegen.config: site.yaml validated, every error collected with its line and key."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from sitegen.config import config_fingerprint, load_config, override_base_url, parse_config
from sitegen.model import Config, InputError

MINIMAL = "title: News\nbase_url: https://example.org/\n"


def parse(text: str) -> Config:
    return parse_config(text, Path("/site"))


def problems(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse(text)
    return [str(p) for p in caught.value.problems]


def test_minimal_config_has_the_documented_defaults() -> None:
    config = parse(MINIMAL)
    assert config.title == "News"
    assert config.output_dir == "public"
    assert config.paginate == 20
    assert config.theme == "default"
    assert config.permalink == "/{year}/{month}/{slug}/"
    assert config.timezone == "UTC"
    assert config.feeds.formats == ("atom", "rss", "json")
    assert config.site_dir == "/site"


def test_unknown_key_says_did_you_mean() -> None:
    assert problems(MINIMAL + "titel: x\n") == [
        "site.yaml:3: titel: unknown key (did you mean 'title'?)"
    ]


def test_unknown_key_without_a_near_match() -> None:
    assert problems(MINIMAL + "zzz: 1\n") == ["site.yaml:3: zzz: unknown key"]


def test_every_error_is_collected_with_its_line() -> None:
    text = (
        "title: News\n"
        "base_url: ftp://example.org/\n"
        "paginate: 0\n"
        "timezone: Mars/Olympus\n"
        "language: de_DE\n"
        "baseurl: x\n"
        "permalink: /{year}/{title}/\n"
    )
    found = problems(text)
    assert found == [
        "site.yaml:2: base_url: expected an absolute http(s) URL such as https://example.org/news/",
        "site.yaml:3: paginate: expected a whole number of at least 1",
        "site.yaml:4: timezone: unknown time zone 'Mars/Olympus' "
        "(use an IANA name like Europe/Berlin)",
        "site.yaml:5: language: expected a BCP 47 language tag such as 'de' or 'en-GB'",
        "site.yaml:6: baseurl: unknown key (did you mean 'base_url'?)",
        "site.yaml:7: permalink: must contain {slug}",
    ]


def test_nested_keys_are_named_with_their_path() -> None:
    text = MINIMAL + "topics:\n  world:\n    titel: World\nfeeds:\n  limit: 0\n"
    assert problems(text) == [
        "site.yaml:5: topics.world.titel: unknown key (did you mean 'title'?)",
        "site.yaml:7: feeds.limit: expected a whole number of at least 1",
    ]


def test_required_keys() -> None:
    assert problems("description: x\n") == [
        "site.yaml: title: required",
        "site.yaml: base_url: required",
    ]


def test_empty_file_names_both_required_keys() -> None:
    assert len(problems("")) == 2


def test_not_a_mapping() -> None:
    assert problems("- a\n- b\n") == ["site.yaml: expected a mapping of settings"]


def test_yaml_syntax_error_has_a_line() -> None:
    found = problems("title: News\nbase_url: [\n")
    assert len(found) == 1 and found[0].startswith("site.yaml:")


def test_duplicate_key() -> None:
    assert problems(MINIMAL + "title: Other\n") == [
        "site.yaml:3: title: duplicate key (first given on line 1)"
    ]


@pytest.mark.parametrize(
    ("url", "base_url", "base_path"),
    [
        ("https://example.org", "https://example.org/", "/"),
        ("https://example.org/news", "https://example.org/news/", "/news/"),
        ("https://example.org/news/", "https://example.org/news/", "/news/"),
        ("http://localhost:8000/a/b/", "http://localhost:8000/a/b/", "/a/b/"),
    ],
)
def test_base_url_with_sub_path(url: str, base_url: str, base_path: str) -> None:
    config = parse(f"title: News\nbase_url: {url}\n")
    assert config.base_url == base_url
    assert config.base_path == base_path


def test_origin_drops_the_sub_path() -> None:
    assert parse("title: N\nbase_url: https://example.org:8443/news/\n").origin == (
        "https://example.org:8443"
    )


@pytest.mark.parametrize(
    "url",
    [
        "example.org",
        "ftp://example.org/",
        "https://",
        "https://example.org/a b/",
        "https://example.org/news/?page=1",
        "https://example.org/#top",
        "javascript:alert(1)",
    ],
)
def test_bad_base_url(url: str) -> None:
    found = problems(f"title: News\nbase_url: '{url}'\n")
    assert len(found) == 1 and found[0].startswith("site.yaml:2: base_url: expected an absolute")


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata"])
def test_timezone(zone: str) -> None:
    assert parse(MINIMAL + f"timezone: {zone}\n").timezone == zone


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "/etc/localtime", "''"])
def test_bad_timezone(zone: str) -> None:
    found = problems(MINIMAL + f"timezone: {zone}\n")
    assert len(found) == 1 and found[0].startswith("site.yaml:3: timezone: ")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("paginate: true", "paginate: expected a whole number of at least 1"),
        ("paginate: '10'", "paginate: expected a whole number of at least 1"),
        ("related_count: -1", "related_count: expected a whole number of at least 1"),
        ("description: [a]", "description: expected a string, got list"),
        ("theme: ../evil", "theme: expected a theme folder name such as 'default'"),
        ("output_dir: ''", "output_dir: must not be empty"),
        ("feeds: {full_content: yes}", "feeds.full_content: expected true or false"),
    ],
)
def test_bad_values(line: str, message: str) -> None:
    assert problems(MINIMAL + line + "\n") == [f"site.yaml:3: {message}"]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("/{year}/{slug}", "must start and end with '/'"),
        ("/{yr}/{slug}/", "may only use {year}, {month}, {day} and {slug}"),
        ("/{year}/", "must contain {slug}"),
        ("/../{slug}/", "may only use"),
    ],
)
def test_bad_permalink(pattern: str, message: str) -> None:
    found = problems(MINIMAL + f"permalink: '{pattern}'\n")
    assert len(found) == 1 and message in found[0]


def test_topics_long_and_short_form() -> None:
    config = parse(
        MINIMAL + "topics:\n  world: {title: World, description: Everywhere.}\n  science: Science\n"
    )
    assert [(t.slug, t.title, t.description) for t in config.topics] == [
        ("world", "World", "Everywhere."),
        ("science", "Science", ""),
    ]


def test_topic_slug_must_be_a_slug() -> None:
    assert problems(MINIMAL + "topics:\n  Welt Politik: {title: x}\n") == [
        "site.yaml:4: topics.Welt Politik: topic slug must look like 'welt-politik'"
    ]


def test_feed_formats_are_checked() -> None:
    assert problems(MINIMAL + "feeds:\n  formats: [atom, xml]\n") == [
        "site.yaml:4: feeds.formats: expected a list of atom, rss, json"
    ]


def test_feed_formats_are_deduplicated() -> None:
    assert parse(MINIMAL + "feeds:\n  formats: [rss, rss, atom]\n").feeds.formats == ("rss", "atom")


def test_load_config_reads_site_yaml_with_a_bom(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load_config(tmp_path).title == "News"


def test_missing_site_yaml(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_config(tmp_path)
    assert str(caught.value) == "site.yaml: not found: run `sitegen new` or pass --site DIR"


def test_fingerprint_follows_every_setting() -> None:
    config = parse(MINIMAL)
    assert config_fingerprint(config) == config_fingerprint(parse(MINIMAL))
    for changed in (
        replace(config, title="Other"),
        replace(config, paginate=5),
        replace(config, base_url="https://example.org/news/"),
        replace(config, timezone="Europe/Berlin"),
    ):
        assert config_fingerprint(changed) != config_fingerprint(config)


def test_base_url_override_is_checked_like_site_yaml() -> None:
    config = parse(MINIMAL)
    assert override_base_url(config, "https://preview.example.net/pr-7").base_path == "/pr-7/"
    with pytest.raises(InputError) as caught:
        override_base_url(config, "not a url")
    assert str(caught.value) == (
        "--base-url: expected an absolute http(s) URL such as https://example.org/news/"
    )

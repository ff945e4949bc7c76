"""sitegen.yamlio: safe YAML with YAML 1.2 booleans, no duplicate keys, no bombs, no objects."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest

from sitegen.yamlio import MAX_NODES, YamlError, key_lines, load_yaml


@pytest.mark.parametrize("word", ["NO", "no", "yes", "Yes", "on", "OFF", "y", "n"])
def test_yaml_1_1_booleans_stay_text(word: str) -> None:
    assert load_yaml(f"country: {word}\n") == {"country": word}


@pytest.mark.parametrize(("word", "value"), [("true", True), ("False", False), ("TRUE", True)])
def test_true_and_false_are_booleans(word: str, value: bool) -> None:
    assert load_yaml(f"draft: {word}\n") == {"draft": value}


def test_norway_as_a_key_stays_text() -> None:
    assert load_yaml("NO: Norway\non: x\n") == {"NO": "Norway", "on": "x"}


def test_duplicate_key_names_the_key_and_both_lines() -> None:
    with pytest.raises(YamlError) as caught:
        load_yaml("title: A\ndate: 2025-01-01\ntitle: B\n")
    assert caught.value.line == 3
    assert caught.value.message == "title: duplicate key (first given on line 1)"


def test_duplicate_key_lines_count_from_first_line() -> None:
    # Front matter starts on line 2 of an article file: both lines must be in file numbering.
    with pytest.raises(YamlError) as caught:
        load_yaml("title: A\ntitle: B\n", first_line=2)
    assert caught.value.line == 3
    assert caught.value.message == "title: duplicate key (first given on line 2)"


def test_duplicate_key_on_one_line_is_found() -> None:
    with pytest.raises(YamlError, match="a: duplicate key"):
        load_yaml("m: {a: 1, a: 2}\n")


def test_duplicate_key_in_nested_mapping() -> None:
    with pytest.raises(YamlError) as caught:
        load_yaml("topics:\n  world: {}\n  world: {}\n")
    assert caught.value.line == 3


def test_merge_key_may_be_overridden() -> None:
    value = load_yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  x: 3\n")
    assert value["other"] == {"x": 3, "y": 2}


def test_alias_bomb_is_refused_quickly() -> None:
    levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        levels.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    started = time.perf_counter()
    with pytest.raises(YamlError, match="alias bomb"):
        load_yaml("\n".join(levels) + "\n")
    assert time.perf_counter() - started < 5


def test_self_referencing_alias_is_refused() -> None:
    with pytest.raises(YamlError):
        load_yaml("a: &x [*x]\n")


def test_many_plain_values_below_the_limit_are_fine() -> None:
    items = "".join(f"- {i}\n" for i in range(MAX_NODES // 2))
    assert len(load_yaml(items)) == MAX_NODES // 2


@pytest.mark.parametrize(
    "text",
    [
        "x: !!python/object:os.system {}\n",
        "x: !!python/object/apply:os.system ['echo pwned']\n",
        "x: !!python/name:os.system\n",
        "x: !!python/module:os\n",
    ],
)
def test_python_tags_are_refused(text: str) -> None:
    with pytest.raises(YamlError) as caught:
        load_yaml(text)
    assert caught.value.line == 1


def test_syntax_error_has_a_line() -> None:
    with pytest.raises(YamlError) as caught:
        load_yaml("a: 1\nb: [1, 2\nc: 3\n", first_line=2)
    assert caught.value.line is not None and caught.value.line >= 3


def test_second_document_is_an_error() -> None:
    with pytest.raises(YamlError):
        load_yaml("a: 1\n---\nb: 2\n")


def test_dates_and_date_times() -> None:
    value = load_yaml("a: 2025-01-28\nb: 2025-01-28T10:00:00Z\n")
    assert value["a"] == date(2025, 1, 28)
    assert value["b"] == datetime(2025, 1, 28, 10, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2025-13-01", "2025-02-30", "2025-01-01T25:00:00Z"])
def test_impossible_dates_stay_text_for_the_validator(text: str) -> None:
    assert load_yaml(f"date: {text}\n") == {"date": text}


def test_tagged_value_python_cannot_build_is_an_error() -> None:
    with pytest.raises(YamlError, match="cannot read"):
        load_yaml("a: !!int 'x'\n")


def test_unhashable_key_is_an_error() -> None:
    with pytest.raises(YamlError, match="plain value"):
        load_yaml("? [1, 2]\n: 3\n")


@pytest.mark.parametrize("text", ["", "# just a comment\n", "---\n"])
def test_empty_document_is_none(text: str) -> None:
    assert load_yaml(text) is None


def test_key_lines_map_nested_keys_and_items() -> None:
    lines = key_lines("a: 1\nb:\n  c: 2\n  d: [x, y]\n", first_line=2)
    assert lines[("a",)] == 2
    assert lines[("b", "c")] == 4
    assert lines[("b", "d", "1")] == 5


def test_key_lines_of_broken_yaml_is_empty() -> None:
    assert key_lines("a: [\n") == {}


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 30000 + "]" * 30000 + "\n",  # crashed the C parser with a segfault
        "a: " + "{a: " * 30000 + "1" + "}" * 30000 + "\n",
        "- " * 30000 + "x\n",
    ],
)
def test_deep_nesting_is_refused_not_a_crash(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(YamlError, match="nested more than"):
        load_yaml(text)
    assert key_lines(text) == {}
    assert time.perf_counter() - started < 5


def test_moderate_nesting_is_fine() -> None:
    assert load_yaml("a: " + "[" * 100 + "1" + "]" * 100 + "\n") is not None
    assert load_yaml("tags: [a, [b, [c]]]\n") == {"tags": ["a", ["b", ["c"]]]}

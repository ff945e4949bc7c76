"""Load the cleaning rules (per-language pattern files shipped in rules/) into one Rules value."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

RULES_PACKAGE = "sitegen.importer"
RULES_FOLDER = "rules"


@dataclass(frozen=True)
class Rule:
    """One compiled pattern and the file it came from, so --explain can name it."""

    pattern: re.Pattern[str]
    origin: str

    def search(self, text: str) -> bool:
        return self.pattern.search(text) is not None

    def __str__(self) -> str:
        return f"{self.origin}: {self.pattern.pattern}"


@dataclass(frozen=True)
class Rules:
    """Every language's patterns merged, plus each language's stopwords for detection."""

    drop: tuple[Rule, ...]
    tail: tuple[Rule, ...]
    barrier: tuple[Rule, ...]
    link_words: re.Pattern[str]
    stopwords: Mapping[str, frozenset[str]]
    quotes: Mapping[str, str]
    dateline: re.Pattern[str]

    def first_drop(self, text: str) -> Rule | None:
        return next((r for r in self.drop if r.search(text)), None)

    def first_tail(self, text: str) -> Rule | None:
        return next((r for r in self.tail if r.search(text)), None)

    def first_barrier(self, text: str) -> Rule | None:
        return next((r for r in self.barrier if r.search(text)), None)

    def link_hits(self, text: str) -> int:
        return len(self.link_words.findall(text))

    def with_drop_patterns(self, patterns: Iterable[str], origin: str) -> Rules:
        """These rules plus a source's own drop patterns (site.yaml rules.drop_patterns)."""
        extra = tuple(Rule(re.compile(p, re.I), origin) for p in patterns)
        return replace(self, drop=self.drop + extra) if extra else self


def _read_files() -> dict[str, dict[str, Any]]:
    folder = resources.files(RULES_PACKAGE).joinpath(RULES_FOLDER)
    data: dict[str, dict[str, Any]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            loaded = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
            data[entry.name.removesuffix(".yaml")] = loaded
    return data


def _compile(files: Mapping[str, Mapping[str, Any]], key: str) -> tuple[Rule, ...]:
    return tuple(
        Rule(re.compile(pattern, re.I), f"{name}.yaml {key}")
        for name, data in files.items()
        for pattern in data.get(key) or ()
    )


def _word_pattern(files: Mapping[str, Mapping[str, Any]]) -> re.Pattern[str]:
    words = sorted({w for data in files.values() for w in data.get("link_words") or ()}, key=len)
    return re.compile(r"\b(?:" + "|".join(reversed(words)) + r")\b", re.I)


def load_rules(extra_drop: Iterable[str] = ()) -> Rules:
    """Read every rules/*.yaml file shipped with sitegen (common.yaml plus one per language)."""
    files = _read_files()
    common = files.get("common", {})
    rules = Rules(
        drop=_compile(files, "drop"),
        tail=_compile(files, "tail"),
        barrier=_compile(files, "barrier"),
        link_words=_word_pattern(files),
        stopwords=MappingProxyType(
            {
                name: frozenset(str(w).lower() for w in data["stopwords"])
                for name, data in files.items()
                if data.get("stopwords")
            }
        ),
        quotes=MappingProxyType(dict(common.get("quotes") or {})),
        dateline=re.compile(str(common["dateline"])),
    )
    return rules.with_drop_patterns(extra_drop, "site.yaml drop_patterns")

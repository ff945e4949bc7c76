"""The errors a deploy raises, and the helpers that collect config problems by key path."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from typing import Any, NoReturn

from sitegen.model import InputError, Problem

SOURCE = "site.yaml"
SECRET_HINTS = ("secret", "password", "token", "access_key", "key_id", "credential")
NO_SECRETS = (
    "credentials never go in site.yaml; sitegen takes them from the environment "
    "(AWS_* variables, ~/.aws, ssh agent, git credential helper)"
)


class DeployConfigError(InputError):
    """The `deploy:` mapping of site.yaml is wrong; each problem names its key path."""


class DeployError(Exception):
    """A deploy step failed; the message says what and how to go on."""


class DeployAborted(DeployError):
    """The deploy was stopped before changing the target (e.g. too many deletes, not confirmed)."""


def fail(key: str, message: str) -> NoReturn:
    raise DeployConfigError([Problem(SOURCE, None, key, message)])


def add_problem(problems: list[Problem], key: str, message: str) -> None:
    problems.append(Problem(SOURCE, None, key, message))


def did_you_mean(word: str, choices: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_keys(
    spec: Mapping[str, Any], where: str, allowed: tuple[str, ...], problems: list[Problem]
) -> None:
    for key in spec:
        if key in allowed:
            continue
        if any(hint in str(key).lower() for hint in SECRET_HINTS):
            add_problem(problems, f"{where}.{key}", NO_SECRETS)
        else:
            add_problem(problems, f"{where}.{key}", f"unknown key{did_you_mean(str(key), allowed)}")

"""Safe YAML loading: C loader when present, YAML 1.2 booleans, no duplicate keys, key lines."""

from __future__ import annotations

import re
from typing import Any

import yaml

try:  # the C loader is about ten times faster; fall back to pure Python where it is missing
    from yaml import CSafeLoader as _SafeBase
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeBase  # type: ignore[assignment]

BOOL_TAG = "tag:yaml.org,2002:bool"
MAX_NODES = 20_000  # far above any real front matter; stops alias bombs before a walk explodes


class YamlError(Exception):
    """A YAML document that cannot be used, with the 1-based line where the trouble is."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _Loader(_SafeBase):
    """SafeLoader that treats only true/false as booleans (YAML 1.2) and refuses duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node.start_mark.line)
            except TypeError:
                raise YamlError(
                    "a mapping key must be a plain value", key_node.start_mark.line + 1
                ) from None
            if first != key_node.start_mark.line:
                raise YamlError(
                    f"{key}: duplicate key (first given on line {first + 1})",
                    key_node.start_mark.line + 1,
                )
        return super().construct_mapping(node, deep=deep)


# YAML 1.1 reads yes/no/on/off as booleans ("NO" for Norway becomes false); YAML 1.2 does not.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != BOOL_TAG]
    for first, resolvers in _SafeBase.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(text: str, first_line: int = 1) -> Any:
    """Parse one YAML document safely. Lines in errors count from `first_line`."""
    try:
        value = yaml.load(text, Loader=_Loader)
    except YamlError as error:
        raise YamlError(error.message, _shift(error.line, first_line)) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        message = error.problem or str(error)
        if error.context:
            message = f"{error.context}: {message}"
        raise YamlError(message, _shift(line, first_line)) from None
    except yaml.YAMLError as error:
        raise YamlError(str(error), None) from None
    _check_size(value)
    return value


def _shift(line: int | None, first_line: int) -> int | None:
    return None if line is None else line + first_line - 1


def _check_size(value: Any) -> None:
    """Refuse documents whose aliases expand past MAX_NODES (the 'billion laughs' shape)."""
    budget = MAX_NODES
    stack = [value]
    while stack:
        item = stack.pop()
        budget -= 1
        if budget < 0:
            raise YamlError(f"document expands to more than {MAX_NODES} values (alias bomb?)", None)
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def key_lines(text: str, first_line: int = 1) -> dict[tuple[str, ...], int]:
    """Map each key path of a YAML document to its line; used only to place error messages."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[tuple[str, ...], int] = {}
    stack: list[tuple[tuple[str, ...], yaml.Node]] = [((), root)] if root is not None else []
    while stack:
        path, node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key_path = (*path, str(key_node.value))
                lines.setdefault(key_path, key_node.start_mark.line + first_line)
                stack.append((key_path, value_node))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                item_path = (*path, str(index))
                lines.setdefault(item_path, item.start_mark.line + first_line)
                stack.append((item_path, item))
    return lines

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
MERGE_TAG = "tag:yaml.org,2002:merge"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
MAX_KEY_DEPTH = 8
# libyaml's composer recurses in C per nesting level and crashes the process (a segfault, not an
# exception) somewhere past 20,000 levels; real documents nest a handful of levels deep.
MAX_NESTING = 500
_BLOCK_INDENT = re.compile(r"^[ \t?:-]*", re.MULTILINE)
MAX_NODES = 20_000  # far above any real front matter; stops alias bombs before a walk explodes


class YamlError(Exception):
    """A YAML document that cannot be used, with the 1-based line where the trouble is."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _DuplicateKey(YamlError):
    """A key given twice in one mapping; load_yaml shifts both lines into the file's numbering."""

    def __init__(self, key: Any, line: int, first: int) -> None:
        super().__init__(f"{key}: duplicate key", line)
        self.key = key
        self.first = first


class _Loader(_SafeBase):
    """SafeLoader that treats only true/false as booleans (YAML 1.2) and refuses duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # Only the mapping's own keys count: a key may override one pulled in by a merge (<<).
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                if key in seen:
                    raise _DuplicateKey(key, line, seen[key])
                seen[key] = line
            except TypeError:
                raise YamlError("a mapping key must be a plain value", line) from None
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        """A date YAML cannot build (2025-13-01) stays text, so the validator names its key."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor(TIMESTAMP_TAG, _Loader.construct_yaml_timestamp)


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
    if _too_deep(text):
        raise YamlError(f"nested more than {MAX_NESTING} levels deep", None)
    try:
        value = yaml.load(text, Loader=_Loader)
    except _DuplicateKey as error:
        first = _shift(error.first, first_line)
        message = f"{error.key}: duplicate key (first given on line {first})"
        raise YamlError(message, _shift(error.line, first_line)) from None
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
    except ValueError as error:  # a tagged value Python cannot build, such as !!int 'x'
        raise YamlError(f"cannot read a value: {error}", None) from None
    except RecursionError:  # only the pure-Python loader recurses
        raise YamlError("nested too deeply", None) from None
    _check_size(value)
    return value


def _too_deep(text: str) -> bool:
    """Whether the text might nest past MAX_NESTING: a cheap upper bound, checked before parsing.

    Block nesting needs one more indentation or indicator character per level; flow nesting
    one more bracket.
    """
    block = max((len(m.group()) for m in _BLOCK_INDENT.finditer(text)), default=0)
    if block > MAX_NESTING:
        return True
    if text.count("[") + text.count("{") <= MAX_NESTING - block:
        return False
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}" and depth:
            depth -= 1
    return block + deepest > MAX_NESTING


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
    if _too_deep(text):
        return {}
    try:
        root = yaml.compose(text, Loader=_SafeBase)
    except (yaml.YAMLError, RecursionError):
        return {}
    lines: dict[tuple[str, ...], int] = {}
    stack: list[tuple[tuple[str, ...], yaml.Node]] = [((), root)] if root is not None else []
    while stack:
        path, node = stack.pop()
        if len(path) >= MAX_KEY_DEPTH:  # errors name at most a few levels; deeper costs memory
            continue
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

"""Imports point down (DESIGN.md): read every module's imports with ast and check the layers.

cli -> build | serve | deploy | importer -> produce -> routes | render | views | feeds | search |
output | cache -> site -> content | markdown | config -> yamlio | slug | model | forking
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sitegen"

# Top to bottom. A module may import modules of its own layer or of lower ones, never higher.
# A sub-package (deploy/, importer/, search/, serve/) sits in one layer as a whole.
LAYERS: list[tuple[str, frozenset[str]]] = [
    ("cli", frozenset({"cli", "__main__"})),
    # The commands; load (content/ -> Articles through the cache) and scaffold serve them.
    # pipeline: the build past its cache check; report: BuildOptions and BuildReport.
    (
        "commands",
        frozenset(
            {
                "build",
                "pipeline",
                "report",
                "check",
                "serve",
                "deploy",
                "importer",
                "load",
                "scaffold",
            }
        ),
    ),
    ("produce", frozenset({"produce"})),
    (
        "outputs",
        frozenset({"routes", "render", "theme", "views", "feeds", "search", "output", "cache"}),
    ),
    # stories: pure grouping of articles into stories, used while assembling a site.
    ("site", frozenset({"site", "stories"})),
    ("parse", frozenset({"content", "markdown", "config"})),
    ("base", frozenset({"yamlio", "slug", "model", "forking"})),
    ("package", frozenset({"__init__"})),  # sitegen/__init__.py holds only __version__
]
LEVEL = {name: level for level, (_, names) in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    """'sitegen.deploy.git' for sitegen/deploy/git.py, 'sitegen.deploy' for its __init__.py."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 2 else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def is_module(name: str) -> bool:
    return name in MODULES


def imported_modules(path: Path) -> set[str]:
    """Every sitegen module the file imports, at the top or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    )
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if is_module(child) else base)
    return {name for name in found if name == "sitegen" or name.startswith("sitegen.")}


def layer_key(module: str) -> str:
    """Its name in LAYERS: 'deploy' for sitegen.deploy.git, '__init__' for sitegen itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(m for m in MODULES if layer_key(m) not in LEVEL)
    assert not unplaced, f"put these modules into LAYERS (and DESIGN.md): {unplaced}"


def test_layers_name_no_missing_modules() -> None:
    present = {layer_key(m) for m in MODULES}
    stale = sorted(set(LEVEL) - present)
    assert not stale, f"LAYERS names modules that do not exist: {stale}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    own = layer_key(module)
    if own not in LEVEL:
        pytest.skip("not placed in a layer (see test_every_module_has_a_layer)")
    upward = []
    for target in sorted(imported_modules(MODULES[module])):
        other = layer_key(target)
        if other != own and LEVEL.get(other, len(LAYERS)) < LEVEL[own]:
            upward.append(f"{target} ({LAYERS[LEVEL[other]][0]})")
    assert not upward, f"{module} ({LAYERS[LEVEL[own]][0]}) imports a higher layer: {upward}"


def test_no_import_cycles_between_modules() -> None:
    graph = {
        m: {t for t in imported_modules(p) if t in MODULES and t != m} for m, p in MODULES.items()
    }
    # A package's __init__ that re-exports its own submodules is not a cycle worth failing on.
    for module in graph:
        if MODULES[module].name == "__init__.py":
            graph[module] = {t for t in graph[module] if not t.startswith(module + ".")}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, cycles


def test_the_checker_sees_imports() -> None:
    """Guard against a test that passes because it reads nothing."""
    assert "sitegen.build" in imported_modules(MODULES["sitegen.cli"])
    assert "sitegen.feeds" in imported_modules(MODULES["sitegen.produce"])
    # `from sitegen import __version__` is the package itself, not a module named __version__
    assert "sitegen" in imported_modules(MODULES["sitegen.cache"])
    assert imported_modules(MODULES["sitegen.model"]) == set()

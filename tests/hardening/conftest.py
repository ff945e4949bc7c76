"""Hardening suite: the `slow` marker (20 MB article, 4x pathological scaling), off by default.

Run the slow tests with SITEGEN_SLOW=1; benchmarks/hardening_bench.py prints the same figures.
"""

from __future__ import annotations

import os

import pytest

SLOW = os.environ.get("SITEGEN_SLOW") == "1"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: minutes, not seconds; runs with SITEGEN_SLOW=1")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SLOW:
        return
    skip = pytest.mark.skip(reason="slow: set SITEGEN_SLOW=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)

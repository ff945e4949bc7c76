"""Browser fixtures: Debian's Chromium, the example site built once, served on 127.0.0.1.

Fixtures (all prefixed so that a test module's own `browser`, `server` or `page` stays its own):
    chromium      a headless Chromium per module (Playwright, /usr/bin/chromium; never downloaded)
    reading_site  the example site built with the fixed clock, with the offline files
    reading_url   that output served on 127.0.0.1 ('http://127.0.0.1:PORT/')
Helpers for test modules live in reading_helpers.py beside this file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from reading_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ReadingSite,
    build_reading_site,
    serve_folder,
)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium per test module; fails loudly when it or Playwright is missing.

    Module scope, not session: Playwright's sync API allows one running instance per thread,
    and other modules (tests/browser/test_search_client.py, tests/serve/) start their own."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), f"{CHROMIUM} missing: CI installs Debian's chromium (.ci/run)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def reading_site(tmp_path_factory: pytest.TempPathFactory) -> ReadingSite:
    """The example site built once per test process; tests must not modify its output."""
    return build_reading_site(tmp_path_factory.mktemp("reading"))


@pytest.fixture(scope="session")
def reading_url(reading_site: ReadingSite) -> Iterator[str]:
    with serve_folder(reading_site.output) as url:
        yield url


@pytest.fixture
def reading_context(chromium: Any) -> Iterator[Any]:
    """A fresh browser context (empty cache and storage) per test."""
    context = chromium.new_context()
    yield context
    context.close()

"""Playwright fixtures for the student screen: Debian's Chromium, one browser context per student.

- ``browser``: one Chromium for the whole test session (``/usr/bin/chromium``; never
  ``playwright install``). Skips the browser tests when that binary is missing.
- ``student``: makes a student, i.e. a fresh context (its own localStorage, like another
  device) and a page in it. Errors thrown by the page's scripts fail the test.
- ``shot``: saves a screenshot under ``artifacts/screenshots/`` (gitignored). With
  ``PARLEY_DOCS_IMG=1`` in the environment, a shot taken with ``docs="name"`` also replaces
  ``docs/img/<name>.png``, the pictures of the README and docs/student.md.

A test that fails leaves a full-page screenshot of every student's page in the same folder.
The ``server`` fixture (the real server in a subprocess) comes from tests/conftest.py.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
DOCS_IMG = ROOT / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
TIMEOUT_MS = 10_000

playwright_api.expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:120]


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM}")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def student(browser, request) -> Iterator[Callable]:
    """``student(viewport=DESKTOP, **context_options) -> Page`` in a context of its own."""
    made: list[tuple] = []

    def make(viewport: dict | None = None, **options):
        ctx = browser.new_context(viewport=viewport or DESKTOP, **options)
        ctx.set_default_timeout(TIMEOUT_MS)
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        made.append((ctx, page, errors))
        return page

    yield make

    call = getattr(request.node, "rep_call", None)
    if call is not None and call.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for n, (_ctx, page, _errors) in enumerate(made):
            try:
                path = ARTIFACTS / f"{_slug(request.node.name)}-FAILED-student{n + 1}.png"
                page.screenshot(path=str(path), full_page=True)
            except Exception:  # a page that crashed has nothing to show
                pass
    page_errors = [e for _ctx, _page, errors in made for e in errors]
    for ctx, _page, _errors in made:
        ctx.close()
    if call is not None and call.passed:
        assert not page_errors, f"script errors on the page: {page_errors}"


@pytest.fixture
def shot(request) -> Callable:
    """``shot(page, name, full_page=True, docs=None)``: save a screenshot as an artefact."""

    def take(page, name: str, *, full_page: bool = True, docs: str | None = None) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{_slug(request.node.name)}-{_slug(name)}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        if docs and os.environ.get("PARLEY_DOCS_IMG") == "1":
            DOCS_IMG.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_IMG / f"{docs}.png")
        return path

    return take

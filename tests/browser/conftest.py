"""Browser-test harness: Playwright (sync API) driving Debian's Chromium against a live server.

- The app runs on pytest-django's `live_server` (a free port, static files served
  through StaticFilesHandler, so unfold's CSS, htmx and Alpine load).
- No Chromium at /usr/bin/chromium: `browser` tests skip, unless KEEL_REQUIRE_BROWSER=1
  (CI), then they fail.
- A failed test leaves a screenshot and the page HTML in var/test-artifacts/.
- KEEL_DOC_SCREENSHOTS=1 lets tests refresh the screenshots in docs/img/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
# How long an action or an expectation waits for the page. `make test` runs the suite
# on a worker per core, so the live server shares the CPU with another worker's tests
# (and CI machines with other jobs): on a loaded 2-core machine the accounting
# dashboard's "Show" waited over 5 s for its page. Waiting longer changes no
# assertion: what is expected must still appear.
TIMEOUT_MS = 20_000
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
DOC_IMAGES = ROOT / "docs" / "img"


def _browser_required() -> bool:
    return os.environ.get("KEEL_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config, items):
    """Without Chromium, `browser` tests skip (KEEL_REQUIRE_BROWSER=1 makes them fail instead)."""
    if CHROMIUM.exists() or _browser_required():
        return
    skip = pytest.mark.skip(
        reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium); "
        "set KEEL_REQUIRE_BROWSER=1 to fail instead"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item (item.rep_setup/rep_call) for the `page` fixture."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session (launching is the slow part)."""
    if not CHROMIUM.exists():
        pytest.fail(f"KEEL_REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM}")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    # Playwright's sync API keeps an event loop in the test thread; Django would
    # otherwise refuse ORM calls made from that thread (factories, assertions).
    # Set only while a browser runs, so other tests and subprocesses never see it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(request, browser, live_server):
    """A fresh browser tab (own cookies) whose relative URLs go to the live server.

    If the test failed, its screenshot and HTML land in var/test-artifacts/<test>.png/.html.
    """
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
        except Exception as error:  # noqa: BLE001 - the test's own failure matters more
            print(f"could not save browser artifacts for {name}: {error}")
    context.close()


@pytest.fixture
def log_in(page):
    """log_in(user, password): sign in through the real login form, land on the dashboard."""
    from playwright.sync_api import expect

    def sign_in(user, password: str):
        page.goto("/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.locator("#login-form [type=submit]").click()
        expect(page.get_by_test_id("dashboard")).to_be_visible()
        return page

    return sign_in


@pytest.fixture
def doc_screenshot(page):
    """doc_screenshot(name): refresh docs/img/<name>.png, only when KEEL_DOC_SCREENSHOTS=1."""

    def take(name: str):
        if os.environ.get("KEEL_DOC_SCREENSHOTS") != "1":
            return
        DOC_IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOC_IMAGES / f"{name}.png"), full_page=True)

    return take

"""Browser tests: the real server on a loopback port, driven by Debian's Chromium via Playwright.

Never `playwright install`: the browser is the system's /usr/bin/chromium (CI installs it
with apt-get). Set FAILWELL_SCREENSHOTS=1 (``make screenshots``) to save the main pages
under docs/screenshots/ for the README.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from failwell.db import Database
from failwell.enums import Role
from failwell.people import service as people
from failwell.people import sign_in as people_sign_in
from support import Org

CHROMIUM = os.environ.get("FAILWELL_CHROMIUM", "/usr/bin/chromium")
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SAVE_SCREENSHOTS = os.environ.get("FAILWELL_SCREENSHOTS") == "1"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Per module, not per session: Playwright's sync API keeps an event loop running in this
    # thread while it is open, which breaks any later test in the same process that calls
    # asyncio.run (the benchmark smoke tests, for one).
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not at {CHROMIUM}: apt-get install chromium (see .ci/run)")
    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield instance
        instance.close()


@pytest.fixture
def context(browser: Browser, live_url: str) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=live_url, viewport={"width": 1280, "height": 860})
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def sign_in_as(
    context: BrowserContext, page: Page, db: Database, org: Org, live_url: str
) -> Callable[[Role], Page]:
    """Signs the browser in as the org's person with that role, without typing a password
    (argon2 is slow on purpose; the sign-in form itself is tested once, for real)."""

    def sign_in(role: Role) -> Page:
        with db.session() as s:
            person = people.person_by_email(s, org.emails[role])
            _, secret = people_sign_in.start_web_session(s, person, days=1)
        context.clear_cookies()
        context.add_cookies([{"name": "fw_session", "value": secret, "url": live_url, "httpOnly": True}])
        return page

    return sign_in


@pytest.fixture
def screenshot(backend: str, tmp_path: Path) -> Callable[[Page, str], Path]:
    """Saves a full-page screenshot; under docs/screenshots/ when FAILWELL_SCREENSHOTS=1
    (SQLite run only, so both backends do not overwrite each other)."""

    def shoot(target: Page, name: str) -> Path:
        folder = SCREENSHOT_DIR if SAVE_SCREENSHOTS and backend == "sqlite" else tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        target.screenshot(path=str(path), full_page=True)
        return path

    return shoot


@pytest.fixture
def demo_as(db: Database, context: BrowserContext, page: Page, live_url: str) -> Callable[[str], Page]:
    """The browser signed in as one of the demo organisation's people (for tests marked
    demo_organisation, whose database holds it)."""

    def sign_in(email: str) -> Page:
        with db.session() as s:
            _, secret = people_sign_in.start_web_session(s, people.person_by_email(s, email), days=1)
        context.clear_cookies()
        context.add_cookies([{"name": "fw_session", "value": secret, "url": live_url, "httpOnly": True}])
        return page

    return sign_in

"""The content security policy holds in a real browser: every main page of the demo
organisation loads in Chromium without one violation (no inline script or style, no eval),
and the behaviour moved out of inline code still works."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect
from test_accessibility import PAGES, DemoSite, demo_site, owner_context  # noqa: F401 (fixtures)

# Recorded in the page from its first script on, so nothing that happens while loading is missed.
_RECORD = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} ` +
    `(${e.sourceFile || ''}:${e.lineNumber || ''})`);
});
"""


@pytest.fixture
def watched_page(owner_context: BrowserContext) -> Iterator[tuple[Page, list[str]]]:  # noqa: F811
    owner_context.add_init_script(_RECORD)
    page = owner_context.new_page()
    console: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            console.append(message.text)

    page.on("console", on_console)
    yield page, console
    page.close()


def _violations(page: Page, console: list[str]) -> list[str]:
    return [*page.evaluate("() => window.__cspViolations || []"), *console]


def test_no_page_breaks_the_content_security_policy(
    demo_site: DemoSite,  # noqa: F811
    watched_page: tuple[Page, list[str]],
) -> None:
    page, console = watched_page
    found: dict[str, list[str]] = {}
    for template in [*PAGES, "/metrics", "/sign-in"]:
        if "{problem}" in template and not demo_site.ids["problem"]:
            continue
        path = template.format(**demo_site.ids)
        response = page.goto(path)
        assert response is not None
        if response.status == 404:
            continue
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        page.wait_for_load_state("networkidle")  # fragments loaded by htmx, charts drawn
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        problems = _violations(page, console)
        if problems:
            found[path] = problems
        console.clear()
    assert not found, "content security policy violations:\n" + "\n".join(
        f"  {path}: {'; '.join(problems)}" for path, problems in found.items()
    )


def test_moved_scripts_still_work(demo_site: DemoSite, watched_page: tuple[Page, list[str]]) -> None:  # noqa: F811
    page, console = watched_page
    # A new token's Copy button (its script was inline).
    page.goto("/account")
    page.get_by_label("Token name").fill("csp check")
    page.get_by_role("button", name="Create token").click()
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")
    # Removing a contributing factor in the review editor (it was an hx-on handler).
    page.goto(f"/failures/{demo_site.ids['failure']}/review")
    factors = page.locator(".fw-factor")
    before = factors.count()
    if before:
        factors.first.get_by_role("button", name="Remove this factor").click()
        expect(factors).to_have_count(before - 1)
    assert not _violations(page, console)

"""The API reference in a browser that can reach nothing but the loopback server."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page, Route, expect

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _offline(page: Page) -> list[str]:
    """Aborts every request to a non-loopback host; returns the list of those refused, with any
    script error. (What the page's security policy blocks never leaves the browser: allowed.)"""
    refused: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" not in message.text:
            refused.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: refused.append(str(error)))

    def handle(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname not in LOOPBACK:
            refused.append(url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", handle)
    return refused


def test_swagger_ui_lists_the_operations_offline(page: Page) -> None:
    refused = _offline(page)
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("failwell")
    operations = page.locator(".opblock .opblock-summary-path")
    expect(operations.first).to_be_visible()
    assert operations.count() > 20
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/failures").first).to_be_visible()
    assert refused == []


def test_redoc_renders_offline(page: Page) -> None:
    refused = _offline(page)
    page.goto("/redoc")
    # ReDoc parses the whole document before drawing anything: slow on a busy CI machine.
    expect(page.locator("h1", has_text="failwell")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("/api/v1/failures").first).to_be_attached()
    assert refused == []

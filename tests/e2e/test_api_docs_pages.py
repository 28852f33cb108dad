"""The API reference in a browser that can reach nothing but the loopback server."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Route, expect

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
# The reference pages are static bundles over the OpenAPI document, whichever the database: once,
# on SQLite (the API itself is fuzzed on both, tests/test_openapi_contract.py).
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


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
    # Swagger UI's bundle is over a megabyte of script: parsing it takes seconds on a busy machine.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("failwell", timeout=60_000)
    operations = page.locator(".opblock .opblock-summary")
    expect(operations.first).to_be_visible(timeout=60_000)
    seen = _operations_seen_while_scrolling(page)
    document = page.request.get("/api/v1/openapi.json").json()
    methods = {"get", "put", "post", "patch", "delete"}
    listed = {f"{m.upper()} {path}" for path, item in document["paths"].items() for m in item if m in methods}
    assert seen == listed
    assert "GET /api/v1/failures" in seen
    assert refused == []


def _operations_seen_while_scrolling(page: Page) -> set[str]:
    """Swagger UI draws only the operations near the viewport (it virtualises the list since 5.x),
    so a reader scrolls: collect every "METHOD /path" drawn on the way to the bottom."""
    seen: set[str] = set()
    unchanged = 0
    while unchanged < 3:
        drawn = page.locator(".opblock .opblock-summary").evaluate_all(
            "els => els.map(e => e.querySelector('.opblock-summary-method').textContent"
            " + ' ' + e.querySelector('.opblock-summary-path').textContent)"
        )
        before = len(seen)
        seen.update(str(text).replace("\u200b", "") for text in drawn)
        at_bottom = page.evaluate("window.innerHeight + window.scrollY >= document.body.scrollHeight - 2")
        unchanged = unchanged + 1 if len(seen) == before and at_bottom else 0
        page.mouse.wheel(0, 400)  # less than a viewport: nothing skipped
        page.wait_for_timeout(50)
    return seen


def test_redoc_renders_offline(page: Page) -> None:
    refused = _offline(page)
    page.goto("/redoc")
    # ReDoc parses the whole document before drawing anything: slow on a busy CI machine.
    expect(page.locator("h1", has_text="failwell")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("/api/v1/failures").first).to_be_attached()
    assert refused == []

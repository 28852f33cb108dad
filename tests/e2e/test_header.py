"""The site header at a common laptop width: every section, the report button and the account
menu on one line (the longest header is a practice owner's, with Admin)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from failwell.enums import Role

# The header's layout is CSS over the same markup whichever the database: once, on SQLite.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def test_header_is_one_line_at_1280_px(sign_in_as: Callable[[Role], Page]) -> None:
    page = sign_in_as(Role.practice_owner)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/failures")
    nav = page.get_by_role("navigation", name="Main").first
    first = nav.get_by_role("link", name="Home").bounding_box()
    last = nav.get_by_role("link", name="Admin").bounding_box()
    report = page.get_by_role("link", name="Report a failure").bounding_box()
    assert first and last and report
    assert abs(first["y"] - last["y"]) < 2, "the sections wrap onto a second line"
    # The button sits beside the sections, not below them.
    assert report["y"] < first["y"] + first["height"] and report["x"] > last["x"] + last["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

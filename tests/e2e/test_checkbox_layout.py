"""Groups of checkboxes at desktop width: each label beside its box, never wrapped below it
(a long label wraps its own text instead)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from failwell.enums import Role

Shoot = Callable[[Page, str], Path]


# A layout check (CSS over the same markup whichever the database): once, on SQLite.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def labels_beside_boxes(page: Page, path: str, group_name: str, at_least: int) -> Locator:
    """Opens the page at 1280 px and checks each checkbox of the group; answers the group."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(path)
    group = page.get_by_role("group", name=group_name)
    expect(group).to_be_visible()
    boxes = group.get_by_role("checkbox")
    assert boxes.count() >= at_least
    for i in range(boxes.count()):
        box = boxes.nth(i)
        label = group.locator(f"label[for='{box.get_attribute('id')}']")
        b, t = box.bounding_box(), label.bounding_box()
        assert b is not None and t is not None
        name = label.inner_text()
        assert t["x"] >= b["x"] + b["width"], f"{name!r} starts left of its box"
        assert t["y"] < b["y"] + b["height"], f"{name!r} wrapped below its box"
    return group


def test_topic_labels_stay_beside_their_boxes_at_1280px(
    sign_in_as: Callable[[Role], Page], screenshot: Shoot
) -> None:
    page = sign_in_as(Role.practitioner)
    about = labels_beside_boxes(page, "/subscriptions", "About", at_least=4)
    about.scroll_into_view_if_needed()
    path = screenshot(page, "subscriptions-topics-1280")
    about.screenshot(path=str(path.with_name("subscriptions-topics-1280-about.png")))


def test_survey_instruments_stay_beside_their_boxes_at_1280px(sign_in_as: Callable[[Role], Page]) -> None:
    labels_beside_boxes(sign_in_as(Role.practice_owner), "/surveys", "Instruments", at_least=2)

"""List and side-by-side layouts on the demo organisation, in a real browser: names that read as
names, cards as tall as their content, space after a list's pagination, and dates and service
names that never break at their hyphens (a new user's walk through the pages found each)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from failwell.catalogue.models import Service
from failwell.db import Database
from failwell.people.models import Team
from support import ON_SQLITE_ONLY

pytestmark = [pytest.mark.demo_organisation, ON_SQLITE_ONLY]
OWNER = "owner@demo.failwell.dev"
PHONE = {"width": 390, "height": 844}
STYLE = "e => { const s = getComputedStyle(e); return [parseFloat(s.fontSize), s.color, s.fontWeight]; }"
LINES = "e => e.getClientRects().length"


def test_a_services_name_reads_larger_than_its_description(demo_as: Callable[[str], Page]) -> None:
    page = demo_as(OWNER)
    for url in ("/services", "/teams"):
        page.goto(url)
        row = page.locator("tbody th[scope=row]").filter(has=page.locator(".muted")).first
        name_size, _, name_weight = row.locator("a").first.evaluate(STYLE)
        text_size, _, text_weight = row.locator(".muted").first.evaluate(STYLE)
        body_colour = page.locator("body").evaluate("e => getComputedStyle(e).color")
        assert name_size > text_size, (url, name_size, text_size)
        assert int(name_weight) >= 600 and int(text_weight) < 600, (url, name_weight, text_weight)
        header_colour = row.evaluate("e => getComputedStyle(e).color")  # the link keeps its own
        assert header_colour == body_colour, (url, header_colour, body_colour)


def test_side_cards_are_as_tall_as_their_content(db: Database, demo_as: Callable[[str], Page]) -> None:
    with db.session(write=False) as s:
        busiest = s.execute(
            select(Team.id).join(Service, Service.owner_team_id == Team.id).group_by(Team.id)
            .order_by(func.count().desc(), Team.id).limit(1)
        ).scalar_one()  # fmt: skip
    page = demo_as(OWNER)
    page.goto(f"/teams/{busiest}")
    members = page.get_by_role("heading", name="Members").locator(
        "xpath=ancestor::*[contains(@class,'card')][1]"
    )
    expect(members).to_be_visible()
    inner = members.evaluate("e => [...e.children].reduce((h, c) => h + c.getBoundingClientRect().height, 0)")
    box = members.bounding_box()
    assert box is not None and box["height"] < inner + 80, (box, inner)  # padding, not a stretch


def test_a_lists_pagination_keeps_its_distance_from_the_next_card(demo_as: Callable[[str], Page]) -> None:
    page = demo_as(OWNER)
    page.goto("/problems")
    pagination = page.locator(".pagination").first
    below = pagination.locator("xpath=following-sibling::*[1]")
    first, second = pagination.bounding_box(), below.bounding_box()
    assert first is not None and second is not None
    assert second["y"] - (first["y"] + first["height"]) >= 12, (first, second)


def test_dates_and_service_names_do_not_break_at_hyphens_on_a_phone(demo_as: Callable[[str], Page]) -> None:
    page = demo_as(OWNER)
    page.set_viewport_size(PHONE)
    page.goto("/failures")
    services = page.locator(".fw-services")
    expect(services.first).to_be_visible()
    assert all(not text.strip().startswith("·") for text in services.all_inner_texts())
    names = page.locator(".fw-services .fw-nowrap")
    assert names.count() > 0 and all(n.evaluate(LINES) == 1 for n in names.all())
    page.goto("/actions")
    dues = page.locator(".fw-nowrap", has_text="due ")
    assert dues.count() > 0 and all(d.evaluate(LINES) == 1 for d in dues.all())


def test_headings_of_cards_side_by_side_start_level(demo_as: Callable[[str], Page]) -> None:
    page = demo_as(OWNER)
    page.goto("/admin/tokens")
    offsets = []
    for name in ("Everyone's tokens", "Create a token for someone"):
        heading = page.get_by_role("heading", name=name)
        card = heading.locator("xpath=ancestor::*[contains(@class,'card')][1]").bounding_box()
        box = heading.bounding_box()
        assert card is not None and box is not None
        offsets.append(box["y"] - card["y"])
    assert abs(offsets[0] - offsets[1]) <= 2, offsets


def test_the_audit_filters_line_up(demo_as: Callable[[str], Page]) -> None:
    page = demo_as(OWNER)
    page.goto("/admin/audit")
    form = page.get_by_role("search", name="Filter the audit trail")
    names = ("Who (name)", "Acting as", "Action", "Subject", "From (day)", "Until (day)")
    boxes = [form.get_by_label(name, exact=True).bounding_box() for name in names]
    assert None not in boxes, boxes
    heights = {round(b["height"]) for b in boxes if b is not None}
    assert len(heights) == 1, boxes
    tops = sorted(b["y"] for b in boxes if b is not None)
    for a, b in pairwise(tops):
        assert b - a <= 1 or b - a >= 20, tops  # one height per row of filters


def test_lists_on_a_phone_show_every_column(demo_as: Callable[[str], Page]) -> None:
    """Wide lists become one card per row on a phone: no column is left off-screen, behind a
    sideways scroll nobody is told about."""
    page = demo_as(OWNER)
    page.set_viewport_size(PHONE)
    for url in ("/problems", "/ideas", "/surveys", "/admin/integrations"):
        page.goto(url)
        cells = page.locator("table tbody tr:first-child > *")
        expect(cells.first).to_be_visible()
        width = page.evaluate("document.documentElement.clientWidth")
        for cell in cells.all():
            box = cell.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (url, box)


# The shown option's text against the room a select gives it (its box less padding and arrow):
# a select never scrolls, so its scrollWidth cannot tell.
CLIPPED = """e => {
  const s = getComputedStyle(e), ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
  const room = e.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) - 16;
  const wanted = ctx.measureText(e.options[e.selectedIndex].text).width;
  return wanted > room ? [e.name, Math.round(wanted), Math.round(room)] : null;
}"""


def test_filter_choices_are_not_cut_off_on_a_phone(demo_as: Callable[[str], Page]) -> None:
    page = demo_as(OWNER)
    page.set_viewport_size(PHONE)
    # Lists' filters on a phone (browse-filters sit two a row), as they first show: the Order
    # box of /ideas read "Most supporte".
    for url in ("/ideas", "/ideas?sort=-updated_at", "/problems", "/reviews", "/lessons?q=pool", "/failures"):
        page.goto(url)
        selects = page.locator(".filters select")
        assert selects.count() > 0, url
        clipped = [c for c in (selects.nth(i).evaluate(CLIPPED) for i in range(selects.count())) if c]
        assert not clipped, (url, clipped)


def test_no_learning_figure_sits_alone_on_its_row(demo_as: Callable[[str], Page]) -> None:
    page = demo_as(OWNER)
    for width in (1280, 1024, 700, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/metrics")
        boxes = [b for b in page.locator("#h-learning ~ .learning-stats > .card").evaluate_all(
            "cards => cards.map(c => { const r = c.getBoundingClientRect(); return [r.top, r.width]; })"
        )]  # fmt: skip
        assert len(boxes) == 7, (width, boxes)
        rows: dict[int, list[float]] = {}
        for top, card_width in boxes:
            rows.setdefault(round(top), []).append(card_width)
        widths = {round(w) for ws in rows.values() for w in ws}
        one_column = len(rows) == len(boxes)
        # Several to a row, the last row's too (or, one a row on a phone, each as wide as the rest).
        assert one_column or all(len(ws) > 1 for ws in list(rows.values())[:-1]), (width, rows)
        last = list(rows.values())[-1]
        assert one_column or len(last) > 1 or last[0] > max(widths - {round(last[0])}) * 1.5, (width, rows)

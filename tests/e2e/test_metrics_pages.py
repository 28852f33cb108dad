"""The metrics page in a real browser: figures with bands, the charts drawn by Chart.js, the
numbers behind them, the filters and the CSV download."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from failwell.db import Database
from failwell.enums import Role
from insights.stream import generate, load

FILTERS = ("Service", "Team", "Environment", "Window", "Trend")


def test_metrics_page_in_the_browser(
    db: Database, sign_in_as: Callable[[Role], Page], screenshot: Callable[[Page, str], object]
) -> None:
    with db.session() as s:
        load(s, generate(seed=11))
    page = sign_in_as(Role.viewer)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Metrics").click()
    expect(page.get_by_role("heading", name="Delivery and learning metrics")).to_be_visible()
    # The filters' boxes line up, the environment's too, though a hint hangs under it.
    tops = {name: page.get_by_label(name, exact=True).bounding_box() for name in FILTERS}
    assert len({round(box["y"]) for box in tops.values() if box is not None}) == 1, tops
    page.get_by_label("Window", exact=True).select_option("365")
    page.get_by_label("Trend", exact=True).select_option("month")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"window=365.*period=month"))
    frequency = page.locator("#metric-deployment_frequency")
    expect(frequency).to_contain_text("a day")
    expect(frequency.locator(".badge")).to_have_text(re.compile(r"^(elite|high|medium|low)$"))
    # Chart.js drew both charts.
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')].map(c => !!window.Chart.getChart(c))"
    )
    assert drawn == [True, True]
    # Deployments on the left axis, in counts; the fail rate on the right one, in per cent.
    axes = page.evaluate(
        """() => {
            const chart = window.Chart.getChart(document.querySelector('canvas[data-chart]'));
            return chart.data.datasets.map((d, i) => {
                const scale = chart.scales[chart.getDatasetMeta(i).yAxisID];
                return [d.label, scale.position, Math.max(...d.data.filter(v => v !== null)) <= scale.max];
            });
        }"""
    )
    assert axes == [["Deployments", "left", True], ["Change fail rate %", "right", True]]
    page.get_by_text("Show the numbers").click()
    rows = page.locator("details.numbers tbody tr")
    expect(rows.first).to_be_visible()
    assert 12 <= rows.count() <= 13
    screenshot(page, "metrics")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the figures (CSV)").click()
    assert download.value.suggested_filename == "failwell-metrics.csv"
    page.get_by_label("Service", exact=True).select_option("checkout")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".page-head")).to_contain_text("checkout")

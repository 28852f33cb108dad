"""The home page: what needs attention now, the person's teams first, and the monthly chart."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient

from factories import API, days_from_today, make_action, make_failure, make_service, make_team
from failwell.enums import Role
from failwell.insights.charts import month_starts
from support import Org, PageClient

Pages = Callable[[Role], PageClient]


def _publish(client: TestClient, org: Org, failure_id: int, lessons: str) -> None:
    r = client.post(
        f"{API}/failures/{failure_id}/review",
        headers=org.headers(),
        json={"summary": "Pool exhausted.", "lessons_learned": lessons},
    )
    assert r.status_code == 201, r.text
    review_id = r.json()["id"]
    for status in ("in_review", "published"):
        r = client.patch(f"{API}/reviews/{review_id}", headers=org.headers(), json={"status": status})
        assert r.status_code == 200, r.text


def test_home_shows_what_needs_attention(pages: Pages, client: TestClient, org: Org) -> None:
    open_failure = make_failure(client, org, "Checkout errors")
    resolved = make_failure(client, org, "Slow search", status="resolved")
    r = client.post(f"{API}/failures/{resolved['id']}/review", headers=org.headers(), json={"summary": "x"})
    assert r.status_code == 201
    make_action(client, org, open_failure["id"], "Alert on pool usage", due_date=days_from_today(-2))
    make_action(client, org, open_failure["id"], "Not yet due", due_date=days_from_today(20))
    published = make_failure(client, org, "Queue backlog", status="resolved")
    _publish(client, org, published["id"], "Watch the **queue depth**.")

    html = pages(Role.viewer).get("/").text
    assert "What needs attention" in html
    open_panel = html[html.index('id="h-open"') : html.index('id="h-reviews"')]
    assert "Checkout errors" in open_panel and "Slow search" not in open_panel
    assert f'href="/failures/{open_failure["id"]}"' in open_panel
    reviews = html[html.index('id="h-reviews"') : html.index('id="h-overdue"')]
    assert "Slow search" in reviews and "Queue backlog" not in reviews
    overdue = html[html.index('id="h-overdue"') : html.index('id="h-lessons"')]
    assert "Alert on pool usage" in overdue and "Not yet due" not in overdue
    assert 'href="/actions?overdue=true"' in overdue
    lessons = html[html.index('id="h-lessons"') : html.index('id="h-chart"')]
    assert "Queue backlog" in lessons
    # Every person in the test org is in the payments team: its items are marked as theirs.
    assert "Your team" in open_panel


def test_the_persons_teams_come_first(pages: Pages, client: TestClient, org: Org) -> None:
    make_team(client, org, "search-team")
    make_service(client, org, "search", owner_team="search-team")
    ours = make_failure(client, org, "Ours, older", started_at="2026-01-01T00:00:00Z")
    for i in range(8):
        make_failure(client, org, f"Theirs {i}", services=["search"])
    html = pages(Role.practitioner).get("/").text
    panel = html[html.index('id="h-open"') : html.index('id="h-reviews"')]
    # Older than every other open failure, but first: it is the person's team's.
    assert panel.index("Ours, older") < panel.index("Theirs")
    assert panel.count("<li>") == 6  # bounded
    assert "9</span> open or mitigated" in panel
    assert f'href="/failures/{ours["id"]}"' in panel


def test_chart_and_its_numbers_agree(pages: Pages, client: TestClient, org: Org) -> None:
    this_month = month_starts(date.today())[-1]
    when = f"{this_month.isoformat()}T00:30:00Z"
    make_failure(client, org, "A", kind="incident", started_at=when)
    make_failure(client, org, "B", kind="incident", started_at=when)
    make_failure(client, org, "C", kind="near_miss", started_at=when)
    make_failure(client, org, "Too old", kind="incident", started_at="2020-01-01T00:00:00Z")
    html = pages(Role.viewer).get("/").text
    spec = json.loads(re.search(r"data-chart='([^']*)'", html).group(1).replace("&#34;", '"'))  # type: ignore[union-attr]
    assert len(spec["data"]["labels"]) == 12
    assert spec["data"]["labels"][-1] == this_month.strftime("%Y-%m")
    by_label = {d["label"]: d["data"] for d in spec["data"]["datasets"]}
    assert by_label["Incident"][-1] == 2 and by_label["Near miss"][-1] == 1
    assert sum(by_label["Incident"]) == 2
    # The same numbers in words and as a table.
    assert "3 failures in the last 12 months" in html
    # Each kind counted in words that agree with its number.
    assert "0 failed deployments, 2 incidents, 1 near miss." in " ".join(html.split())
    row = re.search(rf"<th scope=\"row\">{this_month:%Y-%m}</th>(.*?)</tr>", html).group(1)  # type: ignore[union-attr]
    assert re.findall(r"<td>(\d+)</td>", row) == ["0", "2", "1", "3"]
    assert "vendor/chart-4.5.1.umd.min.js" in html


def test_empty_home_says_so(pages: Pages) -> None:
    html = pages(Role.viewer).get("/").text
    assert "No open failures" in html
    assert "No corrective action is overdue" in html
    assert "0 failures in the last 12 months" in html


def test_see_all_lists_every_failure_the_open_panel_counts(
    pages: Pages, client: TestClient, org: Org
) -> None:
    make_failure(client, org, "Checkout errors")
    make_failure(client, org, "Card declines", status="mitigated")
    make_failure(client, org, "Slow search", status="resolved")
    me = pages(Role.viewer)
    html = me.get("/").text
    panel = html[html.index('id="h-open"') : html.index('id="h-reviews"')]
    assert re.search(r'<span class="stat">2</span> open or mitigated', panel), panel
    link = re.search(r'href="(/failures\?[^"]+)">See all', panel)
    assert link is not None, panel
    listed = me.get(link.group(1).replace("&amp;", "&")).text
    assert "Checkout errors" in listed and "Card declines" in listed and "Slow search" not in listed
    assert "Showing 1\u20132 of 2" in listed
    assert '<option value="unresolved" selected' in listed  # the filter says what is shown
    api = client.get(f"{API}/failures", params={"status": "unresolved"}, headers=org.headers()).json()
    assert sorted(f["title"] for f in api["items"]) == ["Card declines", "Checkout errors"]

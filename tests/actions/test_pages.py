"""The corrective actions board: filters, pagination, inline status updates, permissions."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from factories import API, days_from_today, make_action, make_failure, make_service, make_team
from failwell.enums import Role
from support import Org, PageClient

Pages = Callable[[Role], PageClient]


def _status(client: TestClient, org: Org, action_id: int) -> str:
    r = client.get(f"{API}/actions/{action_id}", headers=org.headers())
    assert r.status_code == 200, r.text
    return str(r.json()["status"])


def test_board_lists_open_work_overdue_first(pages: Pages, client: TestClient, org: Org) -> None:
    failure = make_failure(client, org)
    later = make_action(client, org, failure["id"], "Add a runbook", due_date=days_from_today(10))
    late = make_action(client, org, failure["id"], "Alert on pool usage", due_date=days_from_today(-3))
    undated = make_action(client, org, failure["id"], "Tidy dashboards")
    done = make_action(client, org, failure["id"], "Raise the pool size")
    client.post(f"{API}/actions/{done['id']}/done", headers=org.headers())

    r = pages(Role.viewer).get("/actions")
    assert r.status_code == 200
    html = r.text
    assert "Corrective actions" in html
    positions = [html.index(f'id="action-{a["id"]}"') for a in (late, later, undated)]
    assert positions == sorted(positions)
    assert f'id="action-{done["id"]}"' not in html  # open work only by default
    assert "Overdue</span>" in html
    assert f'href="/failures/{failure["id"]}"' in html
    # The open-work summary by team, in words and numbers.
    assert "Open work by team" in html and org.team in html


def test_board_filters_and_paginates(pages: Pages, client: TestClient, org: Org) -> None:
    make_team(client, org, "search-team")
    failure = make_failure(client, org)
    for i in range(30):
        make_action(client, org, failure["id"], f"Action {i:02}", due_date=days_from_today(i - 5))
    other = make_action(client, org, failure["id"], "Theirs", owner_team="search-team", priority="critical")
    me = pages(Role.practitioner)

    first = me.get("/actions")
    assert first.status_code == 200
    assert "Showing 1\u201325 of 31." in first.text
    assert 'rel="next" href="/actions?offset=25&limit=25"' in first.text
    second = me.get("/actions?offset=25&limit=25")
    assert "Showing 26\u201331 of 31." in second.text

    overdue = me.get("/actions?overdue=true").text
    assert overdue.count('class="action-item is-overdue"') == 5
    assert "Showing 1\u20135 of 5" in overdue

    team = me.get("/actions?team=search-team").text
    assert f'id="action-{other["id"]}"' in team and "Showing 1\u20131 of 1" in team
    critical = me.get("/actions?priority=critical").text
    assert "Theirs" in critical and "Action 00" not in critical

    done = me.get("/actions?status=done")
    assert "No corrective actions match" in done.text
    assert 'aria-label="Pages"' not in done.text  # the list says it is empty; no "Nothing to show." too
    past = me.get("/actions?offset=100&limit=25").text
    assert "This page is past the end: the list has 31." in past and "Showing 101" not in past
    assert 'href="/actions?offset=25&limit=25">Its last page' in past and 'rel="next"' not in past

    # A hand-edited URL is not an error page: the filter is ignored and said so.
    odd = me.get("/actions?status=sideways&team=nobody")
    assert odd.status_code == 200
    assert "were not understood" in odd.text


def test_practitioner_moves_an_action_inline(pages: Pages, client: TestClient, org: Org) -> None:
    failure = make_failure(client, org)
    action = make_action(client, org, failure["id"])
    me = pages(Role.practitioner)
    assert 'hx-post="/actions/{}/status"'.format(action["id"]) in me.get("/actions").text

    r = me.post(
        f"/actions/{action['id']}/status", data={"status": "in_progress"}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 200
    assert r.text.lstrip().startswith(f'<li id="action-{action["id"]}"')
    assert "is now in progress" in r.text
    assert _status(client, org, action["id"]) == "in_progress"

    # Without htmx: a redirect back to the board, with a notice.
    r = me.post(f"/actions/{action['id']}/status", data={"status": "done", "next": "/actions?status=all"})
    assert r.status_code == 303 and r.headers["location"] == "/actions?status=all"
    assert _status(client, org, action["id"]) == "done"


def test_wont_do_needs_a_reason(pages: Pages, client: TestClient, org: Org) -> None:
    failure = make_failure(client, org)
    action = make_action(client, org, failure["id"])
    me = pages(Role.practitioner)
    r = me.post(f"/actions/{action['id']}/status", data={"status": "wont_do"}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert "Say why it won" in r.text and 'role="alert"' in r.text
    assert _status(client, org, action["id"]) == "open"

    r = me.post(
        f"/actions/{action['id']}/status",
        data={"status": "wont_do", "wont_do_reason": "Superseded by the new pool."},
        headers={"HX-Request": "true"},
    )
    assert "Superseded by the new pool." in r.text
    assert _status(client, org, action["id"]) == "wont_do"


def test_viewer_sees_no_controls_and_a_forged_post_is_refused(
    pages: Pages, client: TestClient, org: Org
) -> None:
    failure = make_failure(client, org)
    action = make_action(client, org, failure["id"])
    viewer = pages(Role.viewer)
    board = viewer.get("/actions").text
    assert action["title"] in board
    assert "hx-post" not in board and "Mark done" not in board

    r = viewer.post(f"/actions/{action['id']}/status", data={"status": "done"})
    assert r.status_code == 403
    assert _status(client, org, action["id"]) == "open"


def test_missing_csrf_is_refused(pages: Pages, client: TestClient, org: Org) -> None:
    failure = make_failure(client, org)
    action = make_action(client, org, failure["id"])
    me = pages(Role.practitioner)
    r = me.http.post(f"/actions/{action['id']}/status", data={"status": "done"})
    assert r.status_code == 403
    r = me.http.post(f"/actions/{action['id']}/status", data={"status": "done", "csrf_token": "forged"})
    assert r.status_code == 403
    assert _status(client, org, action["id"]) == "open"


def test_unknown_action_is_not_found(pages: Pages) -> None:
    r = pages(Role.practitioner).post("/actions/999999/status", data={"status": "done"})
    assert r.status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    r = client.get("/actions", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/sign-in")


def test_board_by_service(pages: Pages, client: TestClient, org: Org) -> None:
    make_service(client, org, "search")
    ours = make_action(client, org, make_failure(client, org)["id"], "Pool alert")
    theirs = make_action(client, org, make_failure(client, org, services=["search"])["id"], "Index alert")
    html = pages(Role.viewer).get("/actions?service=search").text
    assert f'id="action-{theirs["id"]}"' in html and f'id="action-{ours["id"]}"' not in html
    assert "Actions for failures of <strong>search</strong>" in html

"""Services and teams pages: the catalogue, a page per service, a page per team."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from factories import API, make_action, make_deployment, make_failure, make_service, make_team
from failwell.enums import Role
from support import Org, PageClient

Pages = Callable[[Role], PageClient]


def _service_id(client: TestClient, org: Org, name: str) -> int:
    r = client.get(f"{API}/services", headers=org.headers(), params={"q": name})
    return int(next(s["id"] for s in r.json()["items"] if s["name"] == name))


def _team_id(client: TestClient, org: Org, name: str) -> int:
    r = client.get(f"{API}/teams", headers=org.headers(), params={"q": name})
    return int(next(t["id"] for t in r.json()["items"] if t["name"] == name))


def _publish(client: TestClient, org: Org, failure_id: int, lessons: str) -> None:
    r = client.post(
        f"{API}/failures/{failure_id}/review",
        headers=org.headers(),
        json={"summary": "Pool exhausted.", "lessons_learned": lessons},
    )
    review_id = r.json()["id"]
    for status in ("in_review", "published"):
        assert (
            client.patch(
                f"{API}/reviews/{review_id}", headers=org.headers(), json={"status": status}
            ).status_code
            == 200
        )


def test_services_list_filters_and_paginates(pages: Pages, client: TestClient, org: Org) -> None:
    make_team(client, org, "search-team")
    for i in range(55):
        make_service(client, org, f"svc-{i:02}", owner_team="search-team", tier="tier2")
    me = pages(Role.viewer)
    html = me.get("/services").text
    assert "Showing 1\u201350 of 56." in html
    assert ">payments</a>" in html and "Tier 1" in html and "Web shops (partner)" in html
    assert 'href="/services?offset=50&limit=50"' in html
    assert "svc-54" in me.get("/services?offset=50&limit=50").text
    tier1 = me.get("/services?tier=tier1").text
    assert "Showing 1\u20131 of 1" in tier1 and ">payments</a>" in tier1
    team = me.get("/services?team=search-team&q=svc-1").text
    assert "Showing 1\u201310 of 10" in team and ">payments</a>" not in team
    assert me.get("/services?team=nobody").status_code == 200  # an unknown filter is ignored, said so


def test_service_page(pages: Pages, client: TestClient, org: Org) -> None:
    sid = _service_id(client, org, org.service)
    failure = make_failure(client, org, "Checkout errors", severity=2)
    other = make_service(client, org, "search")
    make_failure(client, org, "Search is slow", services=["search"])
    make_deployment(client, org, "9.9.9", outcome="failed")
    make_action(client, org, failure["id"], "Alert on pool usage")
    done = make_failure(client, org, "Old outage", status="resolved")
    _publish(client, org, done["id"], "Keep **pool headroom**.")

    html = pages(Role.viewer).get(f"/services/{sid}").text
    assert "<h1>payments</h1>" in html and "Tier 1" in html
    assert f'href="/failures/{failure["id"]}"' in html and "SEV2" in html
    assert "Search is slow" not in html
    assert 'href="/failures?service=payments"' in html
    assert "9.9.9" in html and "Failed" in html
    assert "Alert on pool usage" in html
    assert "<strong>pool headroom</strong>" in html  # lessons as rendered markdown
    assert 'href="/lessons?service=payments"' in html
    assert 'href="/actions?service=payments"' in html
    assert "data-chart=" in html and "2 failures in the last 12 months" in html
    assert pages(Role.viewer).get(f"/services/{other['id']}").status_code == 200
    assert pages(Role.viewer).get("/services/999999").status_code == 404


def test_service_and_team_pages_by_name(pages: Pages, client: TestClient, org: Org) -> None:
    """/services/payments is the page a person or a CI job would write: it leads to the service."""
    viewer = pages(Role.viewer)
    sid = _service_id(client, org, org.service)
    by_name = viewer.get(f"/services/{org.service}")
    assert by_name.status_code == 303 and by_name.headers["location"] == f"/services/{sid}"
    team = viewer.get(f"/teams/{org.team}")
    assert team.status_code == 303 and team.headers["location"].startswith("/teams/")
    assert viewer.get(team.headers["location"]).status_code == 200
    for missing in ("/services/nope", "/teams/nobody"):
        page = viewer.get(missing)
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html"), missing
        assert "There is no" in page.text


def test_teams_list_and_team_page(pages: Pages, client: TestClient, org: Org) -> None:
    failure = make_failure(client, org)
    make_action(client, org, failure["id"], "Alert on pool usage")
    done = make_failure(client, org, "Old outage", status="resolved")
    _publish(client, org, done["id"], "Keep pool headroom.")
    me = pages(Role.viewer)
    listing = me.get("/teams").text
    assert "payments-team" in listing and "platform" in listing
    assert "Showing 1\u20132 of 2" in listing
    assert "Showing 1\u20131 of 1" in me.get("/teams?q=plat").text

    tid = _team_id(client, org, org.team)
    html = me.get(f"/teams/{tid}").text
    assert "<h1>payments-team</h1>" in html
    assert "Practice Owner" in html and "Viewer" in html  # members
    assert ">payments</a>" in html  # services owned
    assert "Alert on pool usage" in html
    assert "Keep pool headroom." in html
    assert 'href="/actions?team=payments-team"' in html
    # Blameless: no person's failures are counted or ranked anywhere on the page.
    assert "reported by" not in html.lower()
    assert me.get("/teams/999999").status_code == 404


def test_pages_need_sign_in(client: TestClient) -> None:
    for url in ("/services", "/services/1", "/teams", "/teams/1"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303 and "/sign-in" in r.headers["location"]

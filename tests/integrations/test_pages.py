"""Pages: integrations administration, deliveries with replay, suggested links on a failure."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from factories import API, iso, make_deployment, make_failure, utc
from failwell.enums import Role
from integrations.conftest import Hook
from support import Org, PageClient

START = utc(2026, 3, 10, 12)

ENVIRONMENT_WORDS = (
    "must be lower-case letters, digits and . _ -, starting with a letter or digit (e.g. production)"
)


def test_add_an_integration_shows_the_secret_once(pages: Callable[[Role], PageClient]) -> None:
    owner = pages(Role.practice_owner)
    r = owner.post("/admin/integrations", {"name": "gh", "kind": "github"})
    assert r.status_code == 201, r.text
    assert "is not shown again" in r.text and "fwh_" in r.text
    listed = owner.get("/admin/integrations")
    assert listed.status_code == 200 and "gh" in listed.text and "fwh_" not in listed.text.replace("…", "")
    assert pages(Role.practice_manager).get("/admin/integrations").status_code == 403


def test_rules_deliveries_and_replay_in_the_browser(
    client: TestClient, org: Org, pages: Callable[[Role], PageClient], make_hook: Callable[..., Hook]
) -> None:
    hook = make_hook("generic", "ci")
    body = {"repository": "acme/pay", "version": "1.0.0", "outcome": "succeeded"}
    assert hook.bearer(body).json()["verdict"] == "unmapped"
    owner = pages(Role.practice_owner)
    # The list asks for a mapping as a warning does (not in a confirmation's green).
    listed = owner.get("/admin/integrations").text
    assert '<p class="warning">Some deliveries could not be mapped to a service' in listed
    unmapped = owner.get("/admin/integration-deliveries?verdict=unmapped")
    assert "acme/pay" in unmapped.text
    # The delivery offers a rule made from what it names; the rule form comes filled in, unsaved.
    offered = f"/admin/integrations/{hook.id}?match_field=repository&amp;pattern=acme%2Fpay#add-rule"
    assert "Add a rule from this delivery" in unmapped.text and offered in unmapped.text
    form = owner.get(f"/admin/integrations/{hook.id}?match_field=repository&pattern=acme%2Fpay").text
    assert 'name="match_field"' in form and 'value="repository"' in form and 'value="acme/pay"' in form
    assert 'value="acme/pay"' not in owner.get(f"/admin/integrations/{hook.id}").text  # nothing saved
    assert hook.deliveries()[0]["result"] == {"unmapped": {"repository": "acme/pay"}}
    r = owner.post(
        f"/admin/integrations/{hook.id}/rules",
        {"match_field": "repository", "pattern": "acme/*", "service": "payments", "position": "0"},
    )
    assert r.status_code == 303, r.text
    assert "acme/*" in owner.get(f"/admin/integrations/{hook.id}").text
    [delivery] = hook.deliveries()
    replayed = owner.post(f"/admin/integration-deliveries/{delivery['id']}/replay")
    assert replayed.status_code == 303
    assert hook.deliveries()[0]["verdict"] == "accepted"
    assert client.get(f"{API}/deployments", headers=org.headers()).json()["total"] == 1
    saved = owner.post(
        f"/admin/integrations/{hook.id}/options",
        {"default_environment": "prod", "deploy_workflows": "deploy, release-*", "severity": "2"},
    )
    assert saved.status_code == 303
    got = client.get(f"{API}/integrations/{hook.id}", headers=org.headers()).json()["options"]
    assert got == {
        "default_environment": "prod",
        "open_failures": False,
        "deploy_workflows": ["deploy", "release-*"],
        "severity": 2,
    }
    rotated = owner.post(f"/admin/integrations/{hook.id}/rotate")
    assert rotated.status_code == 200 and "fwh_" in rotated.text


def test_confirm_and_reject_suggested_links_on_the_failure_page(
    client: TestClient, org: Org, pages: Callable[[Role], PageClient]
) -> None:
    first = make_deployment(client, org, "3.0.0", started_at=iso(START - timedelta(hours=2)))
    second = make_deployment(client, org, "3.0.1", started_at=iso(START - timedelta(hours=1)))
    failure = make_failure(client, org, started_at=iso(START))
    page = pages(Role.practitioner)
    assert f"/failures/{failure['id']}/suggested-links" in page.get(f"/failures/{failure['id']}").text
    fragment = page.get(f"/failures/{failure['id']}/suggested-links")
    assert (
        "Suggested deployments" in fragment.text and "3.0.0" in fragment.text and "Confirm" in fragment.text
    )
    assert "Confirm" not in pages(Role.viewer).get(f"/failures/{failure['id']}/suggested-links").text
    assert page.post(f"/failures/{failure['id']}/suggested-links/{first['id']}/confirm").status_code == 303
    assert page.post(f"/failures/{failure['id']}/suggested-links/{second['id']}/reject").status_code == 303
    got = client.get(f"{API}/failures/{failure['id']}", headers=org.headers()).json()
    assert got["deployment_ids"] == [first["id"]]
    assert "Suggested deployments" not in page.get(f"/failures/{failure['id']}/suggested-links").text
    # The API twin.
    third = make_deployment(client, org, "3.0.2", started_at=iso(START - timedelta(minutes=30)))
    client.patch(
        f"{API}/failures/{failure['id']}", headers=org.headers(), json={"title": "Checkout errors (edited)"}
    )
    listed = client.get(f"{API}/failures/{failure['id']}/suggested-deployments", headers=org.headers()).json()
    assert [s["deployment"]["id"] for s in listed] == [third["id"]]
    decided = client.post(
        f"{API}/failures/{failure['id']}/suggested-deployments/{third['id']}",
        headers=org.headers(),
        json={"decision": "reject"},
    )
    assert decided.status_code == 200


def test_the_admin_hub_links_to_integrations_and_counts_unmapped(
    pages: Callable[[Role], PageClient], make_hook: Callable[..., Hook]
) -> None:
    owner = pages(Role.practice_owner)
    hub = owner.get("/admin")
    assert hub.status_code == 200
    assert 'href="/admin/integrations"' in hub.text
    assert "0 inbound integrations" in hub.text and "No delivery waits for a rule." in hub.text
    hook = make_hook("generic", "ci")
    body = {"repository": "acme/pay", "version": "1.0.0", "outcome": "succeeded"}
    assert hook.bearer(body).json()["verdict"] == "unmapped"
    hub = owner.get("/admin")
    assert "1 inbound integration " in hub.text
    assert 'href="/admin/integration-deliveries?verdict=unmapped">1 unmapped delivery</a> waits' in hub.text


def test_refused_options_and_rules_are_shown_beside_their_fields(
    client: TestClient, org: Org, pages: Callable[[Role], PageClient], make_hook: Callable[..., Hook]
) -> None:
    hook = make_hook("generic", "ci")
    owner = pages(Role.practice_owner)
    before = client.get(f"{API}/integrations/{hook.id}", headers=org.headers()).json()["options"]
    r = owner.post(
        f"/admin/integrations/{hook.id}/options",
        {
            "default_environment": "Prod env!",
            "deploy_workflows": "deploy*",
            "severity": "9",
            "open_failures": "true",
        },
    )
    assert r.status_code == 422, r.text
    assert "Please correct 2 fields below." in r.text
    assert ENVIRONMENT_WORDS in r.text and "^[a-z" not in r.text  # words, not a regular expression
    assert 'id="severity-error"' in r.text
    # What was entered stays in the form, the box ticked as it was.
    assert 'value="Prod env!"' in r.text and 'value="deploy*"' in r.text and 'value="9"' in r.text
    assert 'name="open_failures" type="checkbox" value="true" checked' in r.text
    assert client.get(f"{API}/integrations/{hook.id}", headers=org.headers()).json()["options"] == before
    rule = owner.post(
        f"/admin/integrations/{hook.id}/rules",
        {"match_field": "repository", "pattern": "acme/*", "environment": "Live env"},
    )
    assert rule.status_code == 422 and ENVIRONMENT_WORDS in rule.text
    assert client.get(f"{API}/integrations/{hook.id}/rules", headers=org.headers()).json() == []


def test_the_current_tab_is_the_list_shown(pages: Callable[[Role], PageClient]) -> None:
    owner = pages(Role.practice_owner)
    for url, current in (
        ("/admin/integrations", "Integrations"),
        ("/admin/integration-deliveries", "Deliveries"),
        ("/admin/integration-deliveries?verdict=unmapped", "Unmapped"),
    ):
        html = owner.get(url).text
        nav = html[html.index('aria-label="Integrations pages"') :]
        nav = nav[: nav.index("</nav>")]
        marked = re.findall(r'aria-current="page">([^<]+)</a>', nav)
        assert marked == [current], (url, marked)
        # Under the administration's own tabs, where Integrations is the current one.
        admin = html[html.index('aria-label="Administration"') :]
        admin = admin[: admin.index("</nav>")]
        assert re.findall(r'aria-current="page">([^<]+)</a>', admin) == ["Integrations"], url
    for url in ("/admin/broadcast", "/admin/broadcast/deliveries"):
        html = owner.get(url).text
        admin = html[html.index('aria-label="Administration"') :]
        admin = admin[: admin.index("</nav>")]
        assert re.findall(r'aria-current="page">([^<]+)</a>', admin) == ["Broadcasting"], url

"""Sign-in, sign-out, sessions and CSRF on pages."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from failwell.db import Database
from failwell.enums import Role
from failwell.people.models import WebSession
from support import Org, PageClient

PASSWORD = "correct horse battery"  # the practice owner's, from the org fixture


def _pre_csrf(client: TestClient) -> str:
    page = client.get("/sign-in")
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def _sessions(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(WebSession)) or 0


def test_pages_need_sign_in_and_come_back_after(client: TestClient, org: Org) -> None:
    client.follow_redirects = False
    first = client.get("/?tab=mine")
    assert first.status_code == 303
    assert first.headers["location"] == "/sign-in?next=%2F%3Ftab%3Dmine"
    token = _pre_csrf(client)
    signed = client.post(
        "/sign-in",
        data={"csrf_token": token, "email": org.emails[Role.practice_owner], "password": PASSWORD,
              "next": "/?tab=mine"},
    )  # fmt: skip
    assert signed.status_code == 303
    assert signed.headers["location"] == "/?tab=mine"
    assert "httponly" in signed.headers["set-cookie"].lower()
    assert "samesite=lax" in signed.headers["set-cookie"].lower()
    home = client.get("/")
    assert home.status_code == 200
    assert "Practice Owner" in home.text


def test_wrong_password_keeps_the_email_and_says_why(client: TestClient, org: Org, db: Database) -> None:
    token = _pre_csrf(client)
    page = client.post(
        "/sign-in", data={"csrf_token": token, "email": org.emails[Role.practice_owner], "password": "nope"}
    )
    assert page.status_code == 401
    assert "do not match an active account" in page.text
    assert f'value="{org.emails[Role.practice_owner]}"' in page.text
    assert "nope" not in page.text  # the password is never shown back
    assert _sessions(db) == 0


def test_empty_fields_are_named(client: TestClient, org: Org) -> None:
    token = _pre_csrf(client)
    page = client.post("/sign-in", data={"csrf_token": token, "email": " ", "password": ""})
    assert page.status_code == 422
    assert "Enter your e-mail address." in page.text
    assert "Enter your password." in page.text


def test_sign_in_without_the_form_token_is_refused(client: TestClient, org: Org, db: Database) -> None:
    page = client.post("/sign-in", data={"email": org.emails[Role.practice_owner], "password": PASSWORD})
    assert page.status_code == 403
    assert _sessions(db) == 0


def test_next_cannot_leave_the_site(client: TestClient, org: Org) -> None:
    client.follow_redirects = False
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        client.cookies.clear()
        token = _pre_csrf(client)
        signed = client.post(
            "/sign-in",
            data={"csrf_token": token, "email": org.emails[Role.practice_owner], "password": PASSWORD,
                  "next": target},
        )  # fmt: skip
        assert signed.headers["location"] == "/"


def test_sign_out_needs_the_csrf_token_and_ends_the_session(
    pages: Callable[[Role], PageClient], db: Database
) -> None:
    me = pages(Role.viewer)
    assert me.get("/").status_code == 200
    forged = me.http.post("/sign-out", data={})
    assert forged.status_code == 403
    assert me.get("/").status_code == 200
    out = me.post("/sign-out")
    assert out.status_code == 303
    assert _sessions(db) == 0
    me.http.cookies.set("fw_session", "")
    assert me.get("/").status_code == 303


def test_a_stolen_cookie_is_useless_after_sign_out(pages: Callable[[Role], PageClient]) -> None:
    me = pages(Role.practitioner)
    secret = me.http.cookies.get("fw_session")
    me.post("/sign-out")
    me.http.cookies.set("fw_session", secret or "")
    assert me.get("/").status_code == 303


def test_htmx_requests_are_sent_to_sign_in_whole(client: TestClient) -> None:
    client.follow_redirects = False
    fragment = client.get("/", headers={"HX-Request": "true"})
    assert fragment.status_code == 204
    assert fragment.headers["HX-Redirect"].startswith("/sign-in?next=")


def test_unknown_page_is_an_html_404_but_the_api_stays_json(client: TestClient) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"


def test_a_malformed_address_is_an_html_page_but_the_api_stays_json(
    pages: Callable[[Role], PageClient],
) -> None:
    """A page address with a word where a number goes is "no such page", not a JSON document."""
    viewer = pages(Role.viewer)
    page = viewer.get("/failures/abc")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "There is no page at this address." in page.text
    api = viewer.http.get("/api/v1/failures/abc")
    assert api.status_code in (401, 422) and api.headers["content-type"] == "application/problem+json"


def test_static_files_are_served(client: TestClient) -> None:
    assert client.get("/static/vendor/htmx-2.0.8.min.js").status_code == 200
    assert client.get("/static/failwell.css").status_code == 200

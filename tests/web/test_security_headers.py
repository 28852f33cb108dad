"""Security headers on every response; HSTS and Secure cookies over HTTPS, behind a trusted
proxy too (X-Forwarded-Proto believed only from FAILWELL_TRUSTED_PROXIES)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from failwell.app import create_app
from failwell.db import Database
from failwell.enums import Role
from failwell.settings import Settings
from failwell.web.headers import CONTENT_SECURITY_POLICY
from support import Org

COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def _client(db: Database, database_url: str, trusted_proxies: str = "127.0.0.1", **kw: object) -> TestClient:
    app = create_app(Settings(database_url=database_url, trusted_proxies=trusted_proxies), db)
    return TestClient(app, follow_redirects=False, raise_server_exceptions=False, **kw)  # type: ignore[arg-type]


def _assert_common(headers: dict[str, str] | object, what: str) -> None:
    for name, value in COMMON.items():
        assert headers[name] == value, f"{what}: {name}"  # type: ignore[index]


def test_every_kind_of_response_carries_the_headers(db: Database, database_url: str, org: Org) -> None:
    client = _client(db, database_url)
    responses = {
        "page": client.get("/sign-in"),
        "redirect": client.get("/"),
        "missing page": client.get("/no-such-page"),
        "api": client.get("/api/v1/teams", headers=org.headers(Role.viewer)),
        "api refusal": client.get("/api/v1/teams"),
        "405": client.delete("/api/v1/teams"),
        "413": client.post("/api/v1/teams", content=b"x" * (3 * 1024 * 1024), headers=org.headers()),
        "static": client.get("/static/failwell.css"),
        "health": client.get("/healthz"),
    }
    for what, response in responses.items():
        _assert_common(response.headers, what)
        csp = response.headers["content-security-policy"]
        assert csp == CONTENT_SECURITY_POLICY, what
        assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "strict-transport-security" not in response.headers, what  # plain HTTP


def test_a_500_carries_the_headers_too(db: Database, database_url: str) -> None:
    client = _client(db, database_url)

    @client.app.get("/boom-for-test")  # type: ignore[attr-defined, untyped-decorator]
    def _boom() -> None:
        raise RuntimeError("boom")

    response = client.get("/boom-for-test", headers={"accept": "application/json"})
    assert response.status_code == 500
    _assert_common(response.headers, "500")


def test_api_reference_pages_keep_their_own_policy_but_cannot_be_framed(
    db: Database, database_url: str
) -> None:
    client = _client(db, database_url)
    for path in ("/docs", "/redoc"):
        response = client.get(path)
        assert response.status_code == 200
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "https:" not in csp and "http:" not in csp
        _assert_common(response.headers, path)


def test_pages_carry_no_inline_script_or_handler(pages, org: Org) -> None:  # type: ignore[no-untyped-def]
    owner = pages(Role.practice_owner)
    for path in (
        "/",
        "/failures",
        "/failures/new",
        "/account",
        "/admin",
        "/admin/users/new",
        "/admin/tokens",
    ):
        html = owner.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+\s*=|\shx-on[:-]", html), path
        assert not re.search(r"\sstyle\s*=", html), path


@pytest.mark.parametrize(
    ("trusted", "forwarded", "https"),
    [
        ("testclient", {"X-Forwarded-Proto": "https"}, True),  # a trusted proxy says HTTPS
        ("*", {"X-Forwarded-Proto": "https"}, True),
        ("127.0.0.1", {"X-Forwarded-Proto": "https"}, False),  # anyone else cannot claim it
        ("", {"X-Forwarded-Proto": "https"}, False),
        ("testclient", {}, False),
    ],
)
def test_https_behind_a_proxy_turns_on_hsts_and_secure_cookies(
    db: Database, database_url: str, trusted: str, forwarded: dict[str, str], https: bool
) -> None:
    client = _client(db, database_url, trusted_proxies=trusted)
    response = client.get("/sign-in", headers=forwarded)
    cookies = response.headers.get_list("set-cookie")
    assert cookies and all(("; secure" in c.lower()) == https for c in cookies), cookies
    assert ("strict-transport-security" in response.headers) is https
    if https:
        assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_https_directly_turns_on_hsts_and_secures_every_cookie(
    db: Database, database_url: str, org: Org
) -> None:
    client = _client(db, database_url, base_url="https://testserver")
    form = client.get("/sign-in")
    assert form.headers["strict-transport-security"].startswith("max-age=")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    signed = client.post(
        "/sign-in",
        data={
            "csrf_token": token.group(1),
            "email": org.emails[Role.practice_owner],
            "password": "correct horse battery",
        },
    )
    assert signed.status_code == 303
    assert all("; secure" in c.lower() for c in signed.headers.get_list("set-cookie"))

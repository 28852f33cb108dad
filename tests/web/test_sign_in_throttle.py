"""Sign-in throttling per account and per client address, counted in the database so every
app process shares it; 429 with Retry-After; unknown e-mails are throttled like known ones."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from failwell.app import create_app
from failwell.db import Database, utcnow
from failwell.enums import Role
from failwell.people import sign_in
from failwell.people.models import SignInThrottle
from failwell.settings import Settings
from support import Org

PASSWORD = "correct horse battery"  # the practice owner's, from the org fixture
UNKNOWN = "nobody@example.com"


def _app_client(db: Database, database_url: str, **settings: int) -> TestClient:
    """A client of its own app (as another app process would be), on the same database."""
    app = create_app(Settings(database_url=database_url, **settings), db)  # type: ignore[arg-type]
    return TestClient(app, base_url="http://testserver", follow_redirects=False)


def _sign_in(client: TestClient, email: str, password: str) -> tuple[int, str, dict[str, str]]:
    form = client.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    r = client.post("/sign-in", data={"csrf_token": token.group(1), "email": email, "password": password})
    return r.status_code, r.text, dict(r.headers)


def test_an_account_is_throttled_after_five_failures_with_retry_after(
    db: Database, database_url: str, org: Org
) -> None:
    owner = org.emails[Role.practice_owner]
    with _app_client(db, database_url) as client:
        for _ in range(5):
            assert _sign_in(client, owner, "wrong password")[0] == 401
        status, text, headers = _sign_in(client, owner, PASSWORD)  # even the right password waits
        assert status == 429
        assert 0 < int(headers["retry-after"]) <= 15 * 60
        assert "Too many failed sign-ins" in text and "Try again in 15 minutes" in text
        assert PASSWORD not in text
        # Another account from the same address is not locked out by one account's failures.
        assert _sign_in(client, org.emails[Role.viewer], "wrong password")[0] == 401


def test_unknown_emails_are_throttled_exactly_like_known_ones(
    db: Database, database_url: str, org: Org
) -> None:
    known, unknown = [], []
    with _app_client(db, database_url) as client:
        for email, seen in ((org.emails[Role.practice_owner], known), (UNKNOWN, unknown)):
            for _ in range(6):
                status, text, headers = _sign_in(client, email, "wrong password")
                seen.append((status, "retry-after" in headers, "do not match" in text))
    assert known == unknown  # nothing tells which e-mails have accounts
    assert [s for s, _, _ in known] == [401] * 5 + [429]
    with db.session() as s:  # keys are hashes: the e-mail typed is not stored readable
        keys = s.scalars(select(SignInThrottle.key)).all()
    assert keys and all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys)


def test_both_unknown_and_known_accounts_pay_for_a_password_check(
    db: Database, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Equal timing: a wrong e-mail costs the same argon2 verification as a wrong password.
    calls: list[str] = []
    real = sign_in.verify_password

    def counting(password_hash: str, password: str) -> bool:
        calls.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(sign_in, "verify_password", counting)
    with db.session() as s:
        assert sign_in.authenticate_password(s, UNKNOWN, "guess one") is None
        assert sign_in.authenticate_password(s, org.emails[Role.practice_owner], "guess two") is None
        assert sign_in.authenticate_password(s, org.emails[Role.viewer], "guess three") is None  # no password
    assert calls == ["guess one", "guess two", "guess three"]


def test_an_address_is_throttled_across_accounts(db: Database, database_url: str, org: Org) -> None:
    with _app_client(db, database_url, sign_in_attempts_per_address=3) as client:
        for i in range(3):
            assert _sign_in(client, f"guess{i}@example.com", "wrong password")[0] == 401
        status, _, headers = _sign_in(client, org.emails[Role.practice_owner], PASSWORD)
        assert status == 429 and int(headers["retry-after"]) > 0


def test_counts_are_shared_by_app_processes_and_end_with_the_window(
    db: Database, database_url: str, org: Org
) -> None:
    owner = org.emails[Role.practice_owner]
    with _app_client(db, database_url) as first, _app_client(db, database_url) as second:
        for client in (first, second, first, second, first):
            assert _sign_in(client, owner, "wrong password")[0] == 401
        assert _sign_in(second, owner, PASSWORD)[0] == 429
        # The window ends: sign-in works again, and a success clears the account's count.
        with db.session() as s:
            s.execute(update(SignInThrottle).values(window_started_at=utcnow() - timedelta(minutes=16)))
        assert _sign_in(first, owner, PASSWORD)[0] == 303
        assert _sign_in(second, owner, "wrong password")[0] == 401
        with db.session() as s:
            counts = s.scalars(select(SignInThrottle.failures)).all()
            assert sorted(counts) == [1, 1]  # a new window for the account, and for the address
            assert s.scalar(select(func.count()).select_from(SignInThrottle)) == 2

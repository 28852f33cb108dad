"""Recurrence pages: the failure page's panel, the report form's suggestions, problem pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from failwell.actions import service as actions
from failwell.actions.schemas import ActionIn
from failwell.db import Database
from failwell.enums import ActionPriority, ActionType, FailureKind, Role
from failwell.failures import service as failures
from failwell.failures.schemas import FailureIn
from failwell.recurrence import confidence
from support import Org

if TYPE_CHECKING:
    from support import PageClient

Pages = Callable[[Role], "PageClient"]


def make_failure(db: Database, org: Org, title: str, **fields: Any) -> int:
    data = FailureIn(title=title, kind=FailureKind.incident, services=[org.service], **fields)
    with db.session() as s:
        return failures.report_failure(s, org.actors[Role.practice_owner], data).id


def fix(db: Database, org: Org, failure_id: int, done: bool = False) -> int:
    owner = org.actors[Role.practice_owner]
    with db.session() as s:
        action = actions.create_action(
            s,
            owner,
            ActionIn(
                failure_id=failure_id,
                title="Raise the pool size",
                action_type=ActionType.prevent,
                owner_team=org.team,
                priority=ActionPriority.critical,
            ),
        )
        if done:
            actions.complete_action(s, owner, action.id)
        return action.id


def test_panel_is_loudest_when_the_fix_did_not_hold(
    pages: Pages, db: Database, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = make_failure(
        db, org, "Connection pool exhausted", started_at=datetime.now(UTC) - timedelta(days=30)
    )
    fix(db, org, earlier, done=True)
    now = make_failure(db, org, "Connection pool exhausted again")
    me = pages(Role.practitioner)
    # The same words, far ahead of anything else: confident enough to say so loudly.
    loud = me.get(f"/similar/panel?failure_id={now}", headers={"HX-Request": "true"})
    assert "This has happened before, and the fix did not hold" in loud.text
    # Were the match not that confident, only possibly related until a person links it.
    monkeypatch.setattr(confidence, "STRONG_CONFIDENCE", 1.01)
    r = me.get(f"/similar/panel?failure_id={now}", headers={"HX-Request": "true"})
    assert r.status_code == 200, r.text
    assert "Possibly related:" in r.text and "If this is the same cause, its fix did not hold" in r.text
    assert "This has happened before" not in r.text
    assert f'href="/failures/{earlier}"' in r.text
    assert "Raise the pool size" in r.text
    r = me.post(
        "/similar/link", data={"failure_id": now, "earlier_id": earlier}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 200, r.text
    assert "Linked as an earlier occurrence" in r.text
    assert "This has happened before, and the fix did not hold" in r.text
    viewer = pages(Role.viewer).get(f"/similar/panel?failure_id={now}")
    assert viewer.status_code == 200 and "This is a recurrence of it" not in viewer.text


def test_panel_warns_of_an_open_fix_and_handles_nothing_similar(
    pages: Pages, db: Database, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = make_failure(db, org, "Disk full on the ledger database")
    fix(db, org, earlier)
    now = make_failure(db, org, "Ledger database disk full")
    me = pages(Role.viewer)
    panel = me.get(f"/similar/panel?failure_id={now}").text
    assert "This has happened before, and its fix is still open" in panel  # confidently the same
    monkeypatch.setattr(confidence, "STRONG_CONFIDENCE", 1.01)  # the wording below the threshold
    panel = me.get(f"/similar/panel?failure_id={now}").text
    assert "Possibly related:" in panel and "has a corrective action still open" in panel
    lonely = make_failure(db, org, "Zebra stampede in the lobby")
    assert "No earlier failure looks like this one" in me.get(f"/similar/panel?failure_id={lonely}").text
    assert me.get("/similar/panel?failure_id=999999").status_code == 404


def test_suggest_while_typing(pages: Pages, db: Database, org: Org) -> None:
    earlier = make_failure(db, org, "TLS certificate expired on the partner gateway")
    me = pages(Role.viewer)
    r = me.post(
        "/similar/suggest", {"title": "certificate expired", "description": "", "services": org.service}
    )
    assert r.status_code == 200
    assert f'href="/failures/{earlier}"' in r.text and "Has this happened before?" in r.text
    assert me.post("/similar/suggest", {"title": " ", "description": ""}).text == ""
    odd = me.post("/similar/suggest", {"title": "<script>alert(1)</script>", "service": "nope"})
    assert odd.status_code == 200 and "<script>alert(1)</script>" not in odd.text
    # A pasted log longer than a URL may carry still gets suggestions.
    log = "证书 expired at handshake\n" * 4_000
    posted = me.post(
        "/similar/suggest", {"title": "certificate expired", "description": log, "services": org.service}
    )
    assert posted.status_code == 200 and f'href="/failures/{earlier}"' in posted.text
    assert me.post("/similar/suggest", {"title": "", "description": " "}).text == ""


def test_problem_pages(pages: Pages, db: Database, org: Org) -> None:
    first = make_failure(db, org, "Queue backed up", started_at=datetime.now(UTC) - timedelta(days=70))
    second = make_failure(db, org, "Queue backed up again")
    me = pages(Role.practitioner)
    r = me.post("/problems", data={"title": "Consumers too slow", "failure_ids": f"{first}, {second}"})
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    problem_id = int(re.findall(r"\d+", url)[0])
    page = me.get(url)
    assert page.status_code == 200
    assert "Occurrences over time" in page.text and "data-chart" in page.text
    # The figures above the list: each number in its own box, over its words, in whole days.
    stat = r'<p class="stat">([^<]*)</p><p class="small muted">([^<]*)</p>'
    figures = re.findall(stat, me.get("/problems").text)
    assert {words: number for number, words in figures} == {
        "of failures recurred": "50%",  # the second of two
        "median time between recurrences": "70 days",
        "recurrences after a fix was done": "0",
        "problem open": "1",
    }, figures
    assert f"#{first} Queue backed up" in page.text
    r = me.post(
        f"/problems/{problem_id}/known-errors", data={"title": "Slow consumer", "workaround": "Scale out"}
    )
    assert r.status_code == 303
    assert "Scale out" in me.get(url).text
    assert me.post(f"/problems/{problem_id}/known-errors", data={"title": ""}).status_code == 422
    assert me.post(f"/problems/{problem_id}/failures", data={"failure_id": "abc"}).status_code == 422
    r = me.post(f"/problems/{problem_id}/failures/{second}/remove")
    assert r.status_code == 303
    r = me.post(
        f"/problems/{problem_id}/status", data={"status": "resolved", "root_cause": "Too few consumers"}
    )
    assert r.status_code == 303
    listing = me.get("/problems?status=resolved")
    assert listing.status_code == 200 and "Consumers too slow" in listing.text
    assert me.post("/problems", data={"title": "", "failure_ids": ""}).status_code == 422
    viewer = pages(Role.viewer)
    assert "Record a problem" not in viewer.get("/problems").text
    assert viewer.post("/problems", data={"title": "x"}).status_code == 403

"""Anonymity that holds up: no join path from a response to a person (schema, rows, API), and
results withheld for small groups and for groups that subtraction would reveal."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text

from failwell.db import Database
from failwell.enums import Role
from failwell.insights.culture import culture_results, withheld_groups
from failwell.settings import Settings, get_settings
from failwell.surveys.models import SurveyInvitation, SurveyResponse
from support import Org
from surveys.helpers import SurveyOrg, answer, close, new_campaign

IDENTIFYING = {
    "person",
    "people",
    "email",
    "token",
    "session",
    "ip",
    "address",
    "secret",
    "invitation",
    "user",
}


def _answered_by_everyone(db: Database, survey_org: SurveyOrg, **changes: object) -> int:
    campaign_id = new_campaign(db, **changes)
    values = {"alpha": 6, "beta": 4, "gamma": 1}
    for team, members in survey_org.actors.items():
        for i, actor in enumerate(members):
            answer(db, actor, campaign_id, values[team], text=f"{team} wish {i}")
    close(db, campaign_id)
    return campaign_id


def test_the_response_table_has_no_path_to_a_person(db: Database, survey_org: SurveyOrg) -> None:
    schema = inspect(db.engine)
    columns = {c["name"] for c in schema.get_columns("survey_responses")}
    assert columns == {"id", "campaign_id", "team_id", "answered_on", "answers", "free_text"}
    targets = {fk["referred_table"] for fk in schema.get_foreign_keys("survey_responses")}
    assert targets == {"survey_campaigns", "teams"}
    assert not any(word in col for col in columns for word in IDENTIFYING)
    # Participation shares nothing with a response but the campaign (and the team snapshot).
    shared = columns & {c["name"] for c in schema.get_columns("survey_invitations")}
    assert shared == {"id", "campaign_id", "team_id"}
    campaign_id = _answered_by_everyone(db, survey_org)
    with db.session(write=False) as s:
        responses = s.scalars(select(SurveyResponse)).all()
        invitations = s.scalars(select(SurveyInvitation)).all()
        # The shared column name "id" holds unrelated values: a random 32-hex key against integers.
        assert all(len(r.id) == 32 and not r.id.isdigit() for r in responses)
        assert {str(i.id) for i in invitations}.isdisjoint({r.id for r in responses})
        # Answer times are days: never a time of day.
        assert all(type(r.answered_on) is date for r in responses)
        assert all(r.campaign_id == campaign_id for r in responses)


def test_storage_order_does_not_reveal_the_order_of_answering(db: Database, survey_org: SurveyOrg) -> None:
    _answered_by_everyone(db, survey_org)
    with db.session(write=False) as s:
        if db.engine.dialect.name == "sqlite":
            # WITHOUT ROWID: no rowid to sort by, and a plain scan comes back in key order.
            with pytest.raises(Exception, match="rowid"):
                s.execute(text("SELECT rowid FROM survey_responses")).all()
            scanned = [row[0] for row in s.execute(text("SELECT id, answers FROM survey_responses"))]
            assert scanned == sorted(scanned)
        # The order written (alpha first, gamma last) is not the order of the keys.
        texts = [r.free_text for r in s.scalars(select(SurveyResponse).order_by(SurveyResponse.id))]
        written = sorted(texts, key=lambda t: (("alpha", "beta", "gamma").index(t.split()[0]), t))  # type: ignore[union-attr]
        assert texts != written


def test_small_groups_are_withheld_and_subtraction_reveals_nothing(
    db: Database, survey_org: SurveyOrg
) -> None:
    campaign_id = _answered_by_everyone(db, survey_org)
    with db.session(write=False) as s:
        found = culture_results(s, campaign_id, with_behaviours=False)
    assert found.available and found.min_respondents == 5
    org = found.organisation
    assert org is not None and org.shown and org.respondents == 13
    by_team = {g.label: g for g in found.groups}
    assert by_team["alpha"].shown and by_team["alpha"].respondents == 6
    # gamma (2) is below k; beta (5) would be enough on its own, but organisation minus alpha
    # minus beta would then be gamma's two people: beta is withheld too.
    assert not by_team["gamma"].shown and by_team["gamma"].respondents is None
    assert not by_team["beta"].shown and "subtraction" in (by_team["beta"].withheld_reason or "")
    assert by_team["gamma"].scales == [] and by_team["gamma"].free_text == []
    # The attack: whatever is shown, the organisation minus the shown groups leaves >= k people.
    shown = [g for g in found.groups if g.shown]
    left = org.respondents - sum(g.respondents or 0 for g in shown)
    assert left == 0 or left >= found.min_respondents
    for scale in org.scales:
        total = scale.mean * org.respondents
        rest = total - sum(
            next(x.mean for x in g.scales if x.key == scale.key) * (g.respondents or 0) for g in shown
        )
        # What is derivable is the mean of beta and gamma together (7 people), not gamma's.
        assert rest / left == pytest.approx(
            (5 * _score(scale.key, 4) + 2 * _score(scale.key, 1)) / 7, abs=0.02
        )
        assert rest / left != pytest.approx(_score(scale.key, 1), abs=0.02)
    # Free text: the organisation's texts carry no team; gamma's texts are not told apart.
    assert len(org.free_text) == 13 and all(isinstance(t, str) for t in org.free_text)
    assert set(by_team["alpha"].free_text) == {f"alpha wish {i}" for i in range(6)}
    assert org.free_text == sorted(org.free_text, key=org.free_text.index)  # random-key order, no time


def _score(scale: str, value: int) -> float:
    # All answers equal: Westrum's mean is the value; safety reverses 3 of 7 items.
    return float(value) if scale == "westrum" else (4 * value + 3 * (8 - value)) / 7


@pytest.mark.parametrize(
    ("counts", "k", "withheld"),
    [
        ({"a": 6, "b": 5, "c": 2}, 5, {"b", "c"}),
        ({"a": 6, "b": 5, "c": 0}, 5, set()),
        ({"a": 6, "b": 5, "c": 5}, 5, set()),
        ({"a": 9, "b": 1, "c": 1, "d": 1}, 3, {"b", "c", "d"}),
        ({"a": 9, "b": 1, "c": 1, "d": 6}, 3, {"b", "c", "d"}),
        ({"a": 2, "b": 1}, 5, {"a", "b"}),
        ({"a": 3, "b": 3, "c": 3}, 3, set()),
    ],
)
def test_complementary_suppression(counts: dict[str, int], k: int, withheld: set[str]) -> None:
    hidden = withheld_groups(counts, k)
    assert set(hidden) == withheld
    left = sum(counts[g] for g in hidden)
    assert left == 0 or left >= k or sum(counts.values()) < k


def test_k_comes_from_settings_and_is_never_below_three(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAILWELL_SURVEY_MIN_RESPONDENTS", "3")
    get_settings.cache_clear()
    try:
        assert get_settings().survey_min_respondents == 3
    finally:
        get_settings.cache_clear()
    with pytest.raises(ValueError):
        Settings(survey_min_respondents=2)


def test_results_wait_for_the_close(db: Database, survey_org: SurveyOrg) -> None:
    campaign_id = new_campaign(db)
    for actor in survey_org.actors["alpha"]:
        answer(db, actor, campaign_id, 5)
    with db.session(write=False) as s:
        found = culture_results(s, campaign_id)
    assert not found.available and found.organisation is None and found.groups == []


def test_the_api_never_names_a_respondent(
    client: TestClient, org: Org, db: Database, survey_org: SurveyOrg
) -> None:
    campaign_id = _answered_by_everyone(db, survey_org)
    r = client.get(f"/api/v1/surveys/{campaign_id}/results", headers=org.headers(Role.viewer))
    assert r.status_code == 200, r.text
    body = r.text.lower()
    for actor in survey_org.everyone():
        assert actor.name.lower() not in body
    assert "@example.com" not in body
    for word in ("person_id", "email", "token", "answered_on", "secret"):
        assert word not in body
    groups = {g["label"]: g for g in r.json()["groups"]}
    assert groups["gamma"]["respondents"] is None and groups["gamma"]["scales"] == []


def test_trend_across_campaigns_is_withheld_as_in_each(db: Database, survey_org: SurveyOrg) -> None:
    first = _answered_by_everyone(db, survey_org)
    second = new_campaign(db, title="Culture check again")
    for actor in survey_org.actors["alpha"] + survey_org.actors["beta"]:
        answer(db, actor, second, 7)
    close(db, second)
    with db.session(write=False) as s:
        found = culture_results(s, second)
    westrum = [p for p in found.trend if p.scale == "westrum"]
    assert [p.campaign_id for p in westrum] == [first, second]
    assert westrum[0].teams["alpha"] == 6.0 and westrum[0].teams["beta"] is None  # derivable then
    assert westrum[1].teams["alpha"] == 7.0 and westrum[1].teams["beta"] == 7.0  # 6 + 5, gamma absent
    assert westrum[1].teams["gamma"] is None
    by_team = {g.label: g for g in found.groups}
    assert (
        by_team["gamma"].respondents == 0
        and by_team["gamma"].withheld_reason == "no one in this group answered"
    )
    assert by_team["alpha"].behaviours is not None

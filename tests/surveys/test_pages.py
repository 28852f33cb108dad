"""Survey pages: campaigns for practice owners, answering signed in and through the one-time
link (signed out), results with withheld groups."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from failwell.app import create_app
from failwell.authz import SYSTEM
from failwell.broadcast.models import OutboxEvent, Topic
from failwell.catalogue import service as catalogue
from failwell.catalogue.schemas import ServiceIn
from failwell.db import Database, utcnow
from failwell.enums import FailureKind, Role
from failwell.failures.schemas import FailureIn
from failwell.failures.service import report_failure
from failwell.settings import Settings
from failwell.surveys.models import SurveyCampaign, SurveyResponse
from failwell.web.pages.survey_charts import statement_label
from support import Org, PageClient
from surveys.helpers import SurveyOrg, answer, close, new_campaign

Pages = Callable[[Role], PageClient]


def test_practice_owner_creates_and_opens_a_campaign(pages: Pages, db: Database) -> None:
    owner = pages(Role.practice_owner)
    r = owner.get("/surveys")
    assert r.status_code == 200 and "New campaign" in r.text
    assert f'name="csrf_token" value="{owner.csrf}"' in r.text
    today = utcnow().date()
    form = {
        "title": "Spring pulse",
        "instruments": ["westrum"],
        "custom_items": "We talk about near misses openly.\n\n",
        "free_text": "true",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=14)).isoformat(),
        "remind_days_before": "3",
    }
    r = owner.post("/surveys", data=form)
    assert r.status_code == 303, r.text
    with db.session(write=False) as s:
        campaign = s.scalars(select(SurveyCampaign)).one()
        assert campaign.custom_items == [{"key": "custom_1", "text": "We talk about near misses openly."}]
        assert campaign.instruments == ["westrum"] and campaign.free_text
    r = owner.post(f"/surveys/{campaign.id}/open")
    assert r.status_code == 303
    r = owner.get("/surveys")
    assert "Answer “Spring pulse”" in r.text  # the owner was invited too
    r = owner.get(f"/surveys/{campaign.id}/answer")
    assert r.status_code == 200 and "<legend>responsibilities are shared.</legend>" in r.text


def test_bad_campaign_forms_say_what_is_wrong(pages: Pages) -> None:
    owner = pages(Role.practice_owner)
    r = owner.post("/surveys", data={"title": "", "opens_on": "2026-01-10", "closes_on": "2026-01-01"})
    assert r.status_code == 422 and "field-error" in r.text


def test_practitioners_cannot_create_campaigns(pages: Pages) -> None:
    me = pages(Role.practitioner)
    assert "New campaign" not in me.get("/surveys").text
    form = {"title": "Mine", "instruments": ["westrum"], "opens_on": "2026-01-01", "closes_on": "2026-01-10"}
    r = me.post("/surveys", data=form)
    assert r.status_code == 403


def test_answering_signed_in_then_results(pages: Pages, db: Database, org: Org) -> None:
    campaign_id = new_campaign(db, instruments=["safety"])
    me = pages(Role.practitioner)
    r = me.post(f"/surveys/{campaign_id}/answer", data={"safety_1": "2"})
    assert r.status_code == 422 and "Choose an answer from 1 to 7." in r.text
    data = {f"safety_{i}": "6" for i in range(1, 8)} | {"free_text": "Fewer meetings"}
    r = me.post(f"/surveys/{campaign_id}/answer", data=data)
    assert r.status_code == 303
    assert "already" in me.get(f"/surveys/{campaign_id}/answer").text
    r = me.get(f"/surveys/{campaign_id}/results")
    assert "Results appear when the campaign closes" in r.text
    close(db, campaign_id)
    r = me.get(f"/surveys/{campaign_id}/results")
    assert r.status_code == 200 and "Withheld: fewer than 5 respondents" in r.text
    assert "Fewer meetings" not in r.text  # one respondent: the text is not shown


def test_the_one_time_link_works_signed_out_once(db: Database, database_url: str, org: Org) -> None:
    new_campaign(db, instruments=["westrum"], free_text=False)
    with db.session(write=False) as s:
        text = s.scalars(
            select(OutboxEvent.text).where(OutboxEvent.topic == Topic.survey_invitation.value)
        ).first()
    secret = re.search(r"/s/([\w-]+)", text or "").group(1)  # type: ignore[union-attr]
    app = create_app(Settings(database_url=database_url), db)
    with TestClient(app, follow_redirects=False) as anonymous:
        r = anonymous.get(f"/s/{secret}")
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
        assert 'type="radio"' in r.text and "csrf_token" not in r.text
        r = anonymous.post(f"/s/{secret}", data={f"westrum_{i}": "5" for i in range(1, 8)})
        assert r.status_code == 200 and "Thank you" in r.text
        r = anonymous.get(f"/s/{secret}")
        assert "answered this survey already" in r.text
        r = anonymous.post(f"/s/{secret}", data={f"westrum_{i}": "1" for i in range(1, 8)})
        assert "answered this survey already" in r.text
        assert anonymous.get("/s/made-up-secret").status_code == 404
    with db.session(write=False) as s:
        assert [r.answers["westrum_1"] for r in s.scalars(select(SurveyResponse))] == [5]


def test_results_page_shows_words_beside_deeds(pages: Pages, db: Database, survey_org: SurveyOrg) -> None:
    campaign_id = new_campaign(db)
    for team, members in survey_org.actors.items():
        for actor in members:
            answer(db, actor, campaign_id, 6 if team == "alpha" else 3, text=f"idea from {team}")
    close(db, campaign_id)
    r = pages(Role.viewer).get(f"/surveys/{campaign_id}/results")
    assert r.status_code == 200
    assert "Words and deeds" in r.text and "Near misses per incident" in r.text
    assert "Show the numbers" in r.text and "data-chart=" in r.text
    assert "generative" in r.text  # alpha answered 6
    assert r.text.count("Withheld:") == 2  # gamma (2 people) and beta (derivable)
    assert "idea from gamma" in r.text  # in the organisation's list, without team or date
    assert "<script>" not in r.text


def test_results_show_a_ratio_to_two_places(pages: Pages, db: Database, survey_org: SurveyOrg) -> None:
    with db.session() as s:
        catalogue.create_service(s, SYSTEM, ServiceIn(name="alpha-api", owner_team="alpha"))
        kinds = [FailureKind.incident] * 3 + [FailureKind.near_miss] * 2
        for i, kind in enumerate(kinds):
            started = utcnow() - timedelta(days=5 + i)
            data = FailureIn(title=f"Failure {i}", kind=kind, services=["alpha-api"], started_at=started)
            report_failure(s, SYSTEM, data)
    campaign_id = new_campaign(db)
    close(db, campaign_id)
    r = pages(Role.viewer).get(f"/surveys/{campaign_id}/results")
    assert r.status_code == 200
    # Two near misses for three incidents: 0.67, as the metrics page would show it, not 0.6667.
    assert "<td>0.67</td>" in r.text and "0.6667" not in r.text


def test_a_chart_labels_each_bar_with_its_statement() -> None:
    assert statement_label("Information is actively sought.") == "Information is actively sought."
    long = "Messengers are not punished when they deliver news of failures or other bad news."
    label = statement_label(long)
    assert label == "Messengers are not punished when they deliver…", label
    assert len(label) <= 48 and long.startswith(label[:-1])

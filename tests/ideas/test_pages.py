"""The idea pages: anyone proposes (anonymously if they wish), supports and comments; practice
managers accept into an action or close with a reason."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

from sqlalchemy import select

from failwell.actions.models import CorrectiveAction
from failwell.db import Database
from failwell.enums import IdeaStatus, Role
from failwell.failures import service as failures
from failwell.failures.schemas import FailureIn
from failwell.ideas.models import Idea
from support import Org, PageClient

Pages = Callable[[Role], PageClient]


def _failure(db: Database, org: Org) -> int:
    with db.session(write=True) as s:
        data = FailureIn(title="Checkout errors", kind="incident", services=[org.service])  # type: ignore[arg-type]
        return failures.report_failure(s, org.actors[Role.practice_owner], data).id


def _propose(viewer: PageClient, **fields: str) -> int:
    r = viewer.post("/ideas", data={"title": "Canary every deploy", "body": "Roll out to *5%*.", **fields})
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def test_a_viewer_proposes_supports_and_comments(pages: Pages, db: Database, org: Org) -> None:
    failure_id = _failure(db, org)
    viewer = pages(Role.viewer)
    assert 'href="/ideas"' in viewer.get("/").text
    assert f'href="/ideas/new?failure_ids={failure_id}"' in viewer.get(f"/failures/{failure_id}").text
    form = viewer.get(f"/ideas/new?failure_ids={failure_id}")
    assert form.status_code == 200 and f'value="{failure_id}"' in form.text
    idea_id = _propose(viewer, failure_ids=f"#{failure_id}")
    page = viewer.get(f"/ideas/{idea_id}").text
    assert "Canary every deploy" in page and "<em>5%</em>" in page and "by Viewer" in page
    assert "Support this idea" in page and "Accept it as a corrective action" not in page

    assert viewer.post(f"/ideas/{idea_id}/support").status_code == 303
    assert pages(Role.practitioner).post(f"/ideas/{idea_id}/support").status_code == 303
    page = viewer.get(f"/ideas/{idea_id}").text
    assert "2</span> people support it, you among them" in page and "Withdraw my support" in page
    assert (
        viewer.post(f"/ideas/{idea_id}/comments", data={"comment_body": "Also for **config**"}).status_code
        == 303
    )
    assert "<strong>config</strong>" in viewer.get(f"/ideas/{idea_id}").text
    empty = viewer.post(f"/ideas/{idea_id}/comments", data={"comment_body": " "})
    assert empty.status_code == 422 and 'id="comment_body-error"' in empty.text

    listed = viewer.get("/ideas").text
    assert "Canary every deploy" in listed and "You support it" in listed


class _Cards(HTMLParser):
    """For the list's filter form and its table: the classes of every element around it."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.open: list[tuple[str, set[str]]] = []
        self.around: dict[str, list[set[str]]] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        name = "filters" if tag == "form" and attributes.get("role") == "search" else tag
        if name in ("filters", "table"):
            self.around[name] = [classes, *(c for _, c in reversed(self.open))]
        if tag not in self.VOID:
            self.open.append((tag, classes))

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()[0] != tag:
            pass

    def in_card(self, name: str) -> bool:
        return any("card" in classes for classes in self.around[name])


def test_the_list_sits_in_cards_as_the_other_lists(pages: Pages) -> None:
    viewer = pages(Role.viewer)
    _propose(viewer)
    listed = _Cards(viewer.get("/ideas").text)
    assert listed.in_card("filters") and listed.in_card("table"), listed.around
    # Two cards, not one round both: the filters' card holds no table.
    assert "card" in listed.around["filters"][0] and "filters" in listed.around["filters"][0]
    assert not any("filters" in classes for classes in listed.around["table"])
    # The search box in the same kind of row as the lists whose boxes line up (browse-filters).
    assert "browse-filters" in listed.around["filters"][0]


def test_bad_input_keeps_what_was_typed(pages: Pages) -> None:
    viewer = pages(Role.viewer)
    r = viewer.post("/ideas", data={"title": "", "body": "Kept", "failure_ids": "999"})
    assert r.status_code == 422 and 'id="title-error"' in r.text and ">Kept</textarea>" in r.text
    r = viewer.post("/ideas", data={"title": "Real", "failure_ids": "999"})
    assert r.status_code == 422 and 'id="failure_ids-error"' in r.text
    assert viewer.get("/ideas?status=bogus").status_code == 200


def test_anonymous_idea_names_nobody(pages: Pages, db: Database) -> None:
    practitioner = pages(Role.practitioner)
    idea_id = _propose(practitioner, anonymous="true")
    page = practitioner.get(f"/ideas/{idea_id}").text
    assert "anonymously" in page and "by Practitioner" not in page
    with db.session() as s:
        idea = s.get(Idea, idea_id)
        assert idea is not None and idea.proposed_by_id is None


def test_manager_accepts_into_an_action_crediting_the_proposer(pages: Pages, db: Database, org: Org) -> None:
    failure_id = _failure(db, org)
    idea_id = _propose(pages(Role.viewer), failure_ids=str(failure_id))
    manager = pages(Role.practice_manager)
    assert "Accept it as a corrective action" in manager.get(f"/ideas/{idea_id}").text
    r = manager.post(
        f"/ideas/{idea_id}/accept",
        data={
            "accept_failure_id": str(failure_id),
            "accept_title": "Canary deploys",
            "accept_action_type": "prevent",
        },
    )
    assert r.status_code == 303, r.text
    with db.session() as s:
        action = s.scalars(select(CorrectiveAction)).one()
        assert (action.title, action.proposed_by_id is not None) == ("Canary deploys", True)
    page = manager.get(f"/ideas/{idea_id}").text
    assert "Accepted: it became the corrective action" in page and "Accept it as" not in page
    assert "Proposed by Viewer" in manager.get(f"/failures/{failure_id}").text


def test_accepting_without_a_failure_says_so(pages: Pages, db: Database) -> None:
    idea_id = _propose(pages(Role.viewer))
    manager = pages(Role.practice_manager)
    r = manager.post(f"/ideas/{idea_id}/accept", data={"accept_action_type": "prevent"})
    assert r.status_code == 422 and 'id="accept_failure_id-error"' in r.text


def test_manager_closes_with_a_reason(pages: Pages, db: Database) -> None:
    idea_id = _propose(pages(Role.viewer))
    manager = pages(Role.practice_manager)
    r = manager.post(f"/ideas/{idea_id}/close", data={"close_reason": ""})
    assert r.status_code == 422 and 'id="close_reason-error"' in r.text
    assert (
        manager.post(f"/ideas/{idea_id}/close", data={"close_reason": "We do it already"}).status_code == 303
    )
    assert "Closed: We do it already" in pages(Role.viewer).get(f"/ideas/{idea_id}").text
    assert "Closed" in pages(Role.viewer).get("/ideas?status=closed").text
    with db.session() as s:
        idea = s.get(Idea, idea_id)
        assert idea is not None and idea.status == IdeaStatus.closed


def test_only_managers_decide(pages: Pages, db: Database) -> None:
    idea_id = _propose(pages(Role.viewer))
    practitioner = pages(Role.practitioner)
    assert practitioner.post(f"/ideas/{idea_id}/close", data={"close_reason": "No"}).status_code == 403
    assert practitioner.post(f"/ideas/{idea_id}/accept", data={}).status_code == 403
    assert pages(Role.viewer).get("/ideas/99999").status_code == 404

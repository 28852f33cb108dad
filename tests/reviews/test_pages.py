"""The review editor: start, live preview, autosave, factors, workflow and permissions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from factories import counts
from failwell.db import Database
from failwell.enums import FailureKind, ReviewStatus, Role
from failwell.failures import service as failures
from failwell.failures.schemas import FailureIn
from failwell.reviews import service as reviews
from failwell.reviews.models import Review
from failwell.reviews.schemas import FactorIn, ReviewSections, ReviewUpdate
from failwell.reviews.template import set_review_template
from support import Org

if TYPE_CHECKING:  # only for types: with tests/e2e in the same run, "conftest" can be that one
    from support import PageClient

Pages = Callable[[Role], "PageClient"]
HTMX = {"HX-Request": "true"}


def make_failure(db: Database, org: Org) -> int:
    data = FailureIn(title="Checkout errors", kind=FailureKind.incident, services=[org.service])
    with db.session(write=True) as s:
        return failures.report_failure(s, org.actors[Role.practice_owner], data).id


def make_review(
    db: Database, org: Org, failure_id: int, status: ReviewStatus | None = None, **text: Any
) -> int:
    with db.session(write=True) as s:
        owner = org.actors[Role.practice_owner]
        review = reviews.start_review(s, owner, failure_id, ReviewSections(**text))
        for step in (ReviewStatus.in_review, ReviewStatus.published):
            if status in (ReviewStatus.in_review, ReviewStatus.published) and (
                step == ReviewStatus.in_review or status == ReviewStatus.published
            ):
                reviews.update_review(s, owner, review.id, ReviewUpdate(status=step))
        return review.id


def stored(db: Database, review_id: int) -> Review:
    with db.session() as s:
        review = reviews.get_review(s, review_id)
        _ = review.factors
        s.expunge_all()
        return review


def sections(**text: str) -> dict[str, str]:
    base = {name: "" for name in reviews.SECTIONS}
    return {**base, **text}


def test_start_a_review_from_the_failure(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    me = pages(Role.practitioner)
    page = me.get(f"/failures/{failure_id}/review")
    assert page.status_code == 200 and "Start the review" in page.text
    started = me.post(f"/failures/{failure_id}/review")
    assert started.status_code == 303 and started.headers["location"] == f"/failures/{failure_id}/review"
    again = me.post(f"/failures/{failure_id}/review")  # a second start opens the same review
    assert again.status_code == 303
    editor = me.get(f"/failures/{failure_id}/review")
    assert editor.status_code == 200
    text = editor.text
    for label in (
        "Summary",
        "Impact",
        "What went well",
        "What went wrong",
        "Where we got lucky",
        "Lessons learned",
    ):
        assert f">{label}" in text
    assert 'hx-trigger="input changed delay:1500ms' in text  # autosave of drafts
    assert 'hx-post="/reviews/preview?section=summary"' in text
    assert "Send for review" in text and 'value="published"' not in text
    assert "Describe what happened as a story about systems" in text  # the org's template
    failure_page = me.get(f"/failures/{failure_id}").text
    assert "Open the review editor" in failure_page and "Start the review" not in failure_page


def test_org_template_is_the_guidance(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    make_review(db, org, failure_id)
    with db.session(write=True) as s:
        set_review_template(s, org.actors[Role.practice_owner], "Ask **how**, not who.")
    text = pages(Role.practitioner).get(f"/failures/{failure_id}/review").text
    assert "Ask <strong>how</strong>, not who." in text


def test_preview_renders_sanitised_markdown(pages: Pages) -> None:
    me = pages(Role.practitioner)
    nasty = (
        "# Heading\n\n**bold** <script>alert(1)</script> <img src=x onerror=alert(2)>\n\n"
        "[bad](javascript:alert(3)) [good](https://example.com)"
    )
    answer = me.post("/reviews/preview?section=summary", data={"summary": nasty, "impact": "x"}, headers=HTMX)
    assert answer.status_code == 200
    html = answer.text
    assert "<h1>Heading</h1>" in html and "<strong>bold</strong>" in html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert 'href="https://example.com"' in html
    assert "<html" not in html
    assert me.http.post("/reviews/preview?section=summary", data={"summary": "x"}).status_code == 403


def test_autosave_saves_text_and_factors_but_never_status(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    review_id = make_review(db, org, failure_id)
    me = pages(Role.practitioner)
    answer = me.post(
        f"/reviews/{review_id}/autosave",
        data={
            **sections(summary="Pool ran out", what_went_well="Fast rollback"),
            "factor_category": ["capacity", "dependency"],
            "factor_description": ["Pool too small", ""],  # the second is still being typed
            "to_status": "published",
            "status": "published",
        },
        headers=HTMX,
    )
    assert answer.status_code == 200, answer.text
    assert "Draft saved at" in answer.text and "UTC" in answer.text
    review = stored(db, review_id)
    assert review.summary == "Pool ran out" and review.what_went_well == "Fast rollback"
    assert [(f.category.key, f.description) for f in review.factors] == [("capacity", "Pool too small")]
    assert review.status == ReviewStatus.draft
    bad = me.post(
        f"/reviews/{review_id}/autosave",
        data={**sections(summary="x"), "factor_category": ["no_such"], "factor_description": ["y"]},
        headers=HTMX,
    )
    assert bad.status_code == 200 and "Not saved automatically" in bad.text
    assert stored(db, review_id).summary == "Pool ran out"


def test_autosave_leaves_published_reviews_alone(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    review_id = make_review(db, org, failure_id, ReviewStatus.published, summary="S", lessons_learned="L")
    manager = pages(Role.practice_manager)
    answer = manager.post(f"/reviews/{review_id}/autosave", data=sections(summary="Changed"), headers=HTMX)
    assert answer.status_code == 409
    assert stored(db, review_id).summary == "S"
    editor = manager.get(f"/failures/{failure_id}/review?edit=1").text  # published: read first, Edit
    assert "Save changes" in editor and 'hx-trigger="input changed delay:1500ms' not in editor


def test_save_and_workflow_to_published(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    review_id = make_review(db, org, failure_id)
    practitioner = pages(Role.practitioner)
    sent = practitioner.post(
        f"/reviews/{review_id}/save",
        data={**sections(summary="Pool ran out"), "factor_category": ["capacity"],
              "factor_description": ["Pool too small"], "to_status": "in_review"},
    )  # fmt: skip
    assert sent.status_code == 303
    assert stored(db, review_id).status == ReviewStatus.in_review
    editor = practitioner.get(f"/failures/{failure_id}/review").text
    assert "A practice manager publishes the review" in editor
    assert 'value="published"' not in editor
    assert "selected>Capacity</option>" in editor

    manager = pages(Role.practice_manager)
    assert 'name="to_status" value="published"' in manager.get(f"/failures/{failure_id}/review").text
    refused = manager.post(
        f"/reviews/{review_id}/save",
        data={**sections(summary="Pool ran out", impact="Typed, kept"), "factor_category": ["capacity"],
              "factor_description": ["Pool too small"], "to_status": "published"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert 'id="lessons_learned-error"' in refused.text and "must be written before" in refused.text
    assert "Typed, kept" in refused.text
    review = stored(db, review_id)
    assert review.status == ReviewStatus.in_review and review.impact == ""  # nothing half-saved

    published = manager.post(
        f"/reviews/{review_id}/save",
        data={**sections(summary="Pool ran out", lessons_learned="Alert on *pool* usage"),
              "factor_category": ["capacity"], "factor_description": ["Pool too small"],
              "to_status": "published"},
    )  # fmt: skip
    assert published.status_code == 303
    review = stored(db, review_id)
    assert review.status == ReviewStatus.published and review.published_at is not None
    failure_page = pages(Role.viewer).get(f"/failures/{failure_id}").text
    assert "Alert on <em>pool</em> usage" in failure_page
    assert f'hx-get="/reviews/{review_id}/reach"' in failure_page
    # Once published, practitioners read it; practice managers may still edit.
    assert (
        "Published reviews are changed by practice managers"
        in practitioner.get(f"/failures/{failure_id}/review").text
    )
    forged = practitioner.post(f"/reviews/{review_id}/save", data=sections(summary="Rewritten"))
    assert forged.status_code == 403
    assert stored(db, review_id).summary == "Pool ran out"


def test_half_filled_factor_is_refused_on_save(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    review_id = make_review(db, org, failure_id, summary="Before")
    me = pages(Role.practitioner)
    answer = me.post(
        f"/reviews/{review_id}/save",
        data={**sections(summary="After"), "factor_category": ["", "capacity"],
              "factor_description": ["A description without category", "ok"]},
    )  # fmt: skip
    assert answer.status_code == 422
    assert 'id="factors-error"' in answer.text and "Factor 1 needs a category" in answer.text
    assert "A description without category" in answer.text and ">After</textarea>" in answer.text
    assert stored(db, review_id).summary == "Before"


def test_viewer_reads_but_cannot_edit(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    review_id = make_review(db, org, failure_id, summary="Secretless summary")
    viewer = pages(Role.viewer)
    page = viewer.get(f"/failures/{failure_id}/review").text
    assert "Secretless summary" in page and "<textarea" not in page and "Save draft" not in page
    before = counts(db)
    assert viewer.post(f"/reviews/{review_id}/save", data=sections(summary="x")).status_code == 403
    assert (
        viewer.post(f"/reviews/{review_id}/autosave", data=sections(summary="x"), headers=HTMX).status_code
        == 403
    )
    assert viewer.post(f"/failures/{make_failure(db, org)}/review").status_code == 403
    after = counts(db)
    assert after["reviews"] == before["reviews"] and stored(db, review_id).summary == "Secretless summary"
    no_csrf = pages(Role.practice_owner).http.post(f"/reviews/{review_id}/save", data=sections(summary="x"))
    assert no_csrf.status_code == 403
    assert stored(db, review_id).summary == "Secretless summary"


def test_factor_rows_and_retired_categories(pages: Pages, db: Database, org: Org) -> None:
    me = pages(Role.practitioner)
    row = me.get("/reviews/factor-row", headers=HTMX)
    assert row.status_code == 200 and 'name="factor_category"' in row.text and "Capacity" in row.text
    failure_id = make_failure(db, org)
    with db.session(write=True) as s:
        owner = org.actors[Role.practice_owner]
        reviews.start_review(
            s, owner, failure_id,
            ReviewSections(factors=[FactorIn(category="knowledge", description="Runbook out of date")]),
        )  # fmt: skip
        from failwell.reviews.schemas import FactorCategoryUpdate

        category = next(c for c in reviews.list_categories(s) if c.key == "knowledge")
        reviews.update_category(s, owner, category.id, FactorCategoryUpdate(is_active=False))
    editor = me.get(f"/failures/{failure_id}/review").text
    assert 'value="knowledge" selected' in editor and "Runbook out of date" in editor


def test_review_markdown_is_inert_everywhere_it_is_shown(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    nasty = '<script>alert(1)</script> <img src=x onerror="alert(2)"> [x](javascript:alert(3)) **kept**'
    make_review(
        db, org, failure_id, ReviewStatus.published, summary=nasty, lessons_learned=nasty, impact=nasty
    )
    for url, role in (
        (f"/failures/{failure_id}/review", Role.practice_manager),  # editor with previews
        (f"/failures/{failure_id}/review", Role.viewer),  # read-only
        (f"/failures/{failure_id}", Role.viewer),  # the failure page
    ):
        text = pages(role).get(url).text
        main = text.split('<main id="main"', 1)[1]
        assert "<strong>kept</strong>" in main
        assert "<script" not in main and "<img" not in main and 'href="javascript' not in main

"""Every slice's router, mounted under /api/v1."""

from fastapi import FastAPI

from failwell.actions.api import router as actions_router
from failwell.audit.api import router as audit_router
from failwell.broadcast.api import router as broadcast_router
from failwell.catalogue.api import router as catalogue_router
from failwell.changes.api import router as changes_router
from failwell.errors import PROBLEM_RESPONSES
from failwell.failures.api import router as failures_router
from failwell.ideas.api import router as ideas_router
from failwell.insights.api import router as insights_router
from failwell.insights.culture_api import router as culture_router
from failwell.insights.metrics_api import router as metrics_router
from failwell.insights.recognition_api import router as suggestions_router
from failwell.integrations.api import router as integrations_router
from failwell.integrations.hooks_api import fast_routes, hooks_router
from failwell.people.api import router as people_router
from failwell.recognition.api import router as recognition_router
from failwell.recurrence.api import router as recurrence_router
from failwell.reviews.api import router as reviews_router
from failwell.reviews.coach_api import router as coach_router
from failwell.reviews.comments_api import router as comments_router
from failwell.sso.api import router as sso_router
from failwell.surveys.api import router as surveys_router

# Webhooks and deployments first: CI pipelines post them most often, and routes are tried in order.
ROUTERS = (
    hooks_router,
    changes_router,
    integrations_router,
    failures_router,
    actions_router,
    reviews_router,
    coach_router,
    comments_router,
    catalogue_router,
    people_router,
    recurrence_router,
    insights_router,
    metrics_router,
    broadcast_router,
    audit_router,
    surveys_router,
    culture_router,
    sso_router,
    ideas_router,
    recognition_router,
    suggestions_router,
)


def mount_api(app: FastAPI) -> None:
    # Each slice is mounted on the app itself, not nested in a parent router: FastAPI
    # matches nested routers level by level, which costs measurably on every request.
    for router in ROUTERS:
        app.include_router(router, prefix="/api/v1", responses=PROBLEM_RESPONSES)
    # Before every route, the documentation's included: the webhooks' hot path (see hooks_api).
    app.router.routes[0:0] = fast_routes("/api/v1")

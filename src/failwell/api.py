"""Every slice's router, mounted under /api/v1."""

from fastapi import APIRouter

from failwell.actions.api import router as actions_router
from failwell.catalogue.api import router as catalogue_router
from failwell.changes.api import router as changes_router
from failwell.errors import PROBLEM_RESPONSES
from failwell.failures.api import router as failures_router
from failwell.people.api import router as people_router
from failwell.reviews.api import router as reviews_router

api_router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)
for router in (
    people_router,
    catalogue_router,
    changes_router,
    failures_router,
    reviews_router,
    actions_router,
):
    api_router.include_router(router)

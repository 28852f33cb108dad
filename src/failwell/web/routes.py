"""Every page router, mounted at the site root beside the API."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from failwell.web.pages.account import router as account_pages
from failwell.web.pages.actions import router as actions_pages
from failwell.web.pages.admin import router as admin_pages
from failwell.web.pages.audit import router as audit_pages
from failwell.web.pages.broadcast import router as broadcast_pages
from failwell.web.pages.broadcast_admin import router as broadcast_admin_pages
from failwell.web.pages.catalogue import router as catalogue_pages
from failwell.web.pages.coach import router as coach_pages
from failwell.web.pages.failure_edit import router as failure_edit_pages
from failwell.web.pages.failures import router as failures_pages
from failwell.web.pages.failures_admin import router as failures_admin_pages
from failwell.web.pages.home import router as home_pages
from failwell.web.pages.ideas import router as ideas_pages
from failwell.web.pages.integrations import router as integrations_pages
from failwell.web.pages.lessons import router as lessons_pages
from failwell.web.pages.metrics import router as metrics_pages
from failwell.web.pages.people_admin import router as people_admin_pages
from failwell.web.pages.recognition import router as recognition_pages
from failwell.web.pages.recognition_awards import router as recognition_awards_pages
from failwell.web.pages.recurrence import router as recurrence_pages
from failwell.web.pages.review_list import router as review_list_pages
from failwell.web.pages.reviews import router as reviews_pages
from failwell.web.pages.reviews_admin import router as reviews_admin_pages
from failwell.web.pages.session import router as session_pages
from failwell.web.pages.sso import router as sso_pages
from failwell.web.pages.surveys import router as surveys_pages
from failwell.web.templating import STATIC_DIR

PAGE_ROUTERS = (
    session_pages,
    sso_pages,
    home_pages,
    failures_pages,
    failure_edit_pages,
    reviews_pages,
    review_list_pages,
    coach_pages,
    lessons_pages,
    metrics_pages,
    actions_pages,
    catalogue_pages,
    admin_pages,
    people_admin_pages,
    account_pages,
    reviews_admin_pages,
    failures_admin_pages,
    recurrence_pages,
    broadcast_pages,
    broadcast_admin_pages,
    integrations_pages,
    audit_pages,
    surveys_pages,
    ideas_pages,
    recognition_pages,
    recognition_awards_pages,
)


def mount_pages(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router)

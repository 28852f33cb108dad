"""Every slice's page router, mounted at the site root beside the API."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from failwell.actions.pages import router as actions_pages
from failwell.broadcast.pages import router as broadcast_pages
from failwell.catalogue.pages import router as catalogue_pages
from failwell.failures.pages import router as failures_pages
from failwell.people.pages import router as people_pages
from failwell.recurrence.pages import router as recurrence_pages
from failwell.reviews.library import router as library_pages
from failwell.reviews.pages import router as reviews_pages
from failwell.web.home import router as home_pages
from failwell.web.pages import router as web_pages
from failwell.web.templating import STATIC_DIR

PAGE_ROUTERS = (
    web_pages,
    home_pages,
    failures_pages,
    reviews_pages,
    library_pages,
    actions_pages,
    catalogue_pages,
    people_pages,
    recurrence_pages,
    broadcast_pages,
)


def mount_pages(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router)

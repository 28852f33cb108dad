"""Web pages of this slice (see failwell/web/PAGES.md)."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)

"""The library of lessons: published reviews, searchable and filterable, readable by everyone."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)

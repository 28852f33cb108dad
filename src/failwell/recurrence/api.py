"""API routes of this slice, mounted under /api/v1."""

from fastapi import APIRouter

router = APIRouter()

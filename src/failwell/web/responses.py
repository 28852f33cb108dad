"""Redirects after a form: 303 See Other, with a one-time notice for the next page."""

from urllib.parse import quote

from fastapi.responses import RedirectResponse

# Read, shown once and deleted by templating.render; URL-quoted because cookies are ASCII.
NOTICE_COOKIE = "fw_notice"


def redirect_with_notice(url: str, notice: str | None = None) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    if notice:
        response.set_cookie(NOTICE_COOKIE, quote(notice[:300]), max_age=60, httponly=True, samesite="lax")
    return response

"""Redirects after a form: 303 See Other, with a one-time notice for the next page."""

from fastapi.responses import RedirectResponse

from failwell.web.auth import NOTICE_COOKIE, notice_cookie_value


def redirect_with_notice(url: str, notice: str | None = None) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    if notice:
        response.set_cookie(
            NOTICE_COOKIE, notice_cookie_value(notice), max_age=60, httponly=True, samesite="lax"
        )
    return response

"""Redirects after a form (303 See Other, with a one-time notice for the next page), and a
download's refusal."""

from urllib.parse import quote

from fastapi.responses import RedirectResponse, Response

# Read, shown once and deleted by templating.render; URL-quoted because cookies are ASCII.
NOTICE_COOKIE = "fw_notice"


def redirect_with_notice(url: str, notice: str | None = None) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    if notice:
        response.set_cookie(NOTICE_COOKIE, quote(notice[:300]), max_age=60, httponly=True, samesite="lax")
    return response


def filters_refused(errors: dict[str, str]) -> Response:
    """A download whose filters the page would refuse: each with why (422, plain text), never
    the default rows under a name that says otherwise."""
    detail = "; ".join(f"{field}: {reason}" for field, reason in errors.items())
    return Response(f"Fix the filters first ({detail}).\n", status_code=422, media_type="text/plain")

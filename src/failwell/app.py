"""The ASGI application: routers from every slice, problem-details errors, limits."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode, urlsplit

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from failwell import __version__, lifeline
from failwell.authz import Actor, note_refusal
from failwell.bootstrap import bootstrap
from failwell.broadcast.inapp import worker_lifespan
from failwell.db import Database
from failwell.errors import DomainError, PermissionDenied, domain_problem, problem
from failwell.fields import error_reason
from failwell.settings import Settings, get_settings
from failwell.web.auth import CsrfRefused, SignInRequired
from failwell.web.headers import SecurityHeaders, behind_proxies
from failwell.web.templating import is_htmx

log = logging.getLogger("failwell")
PROBLEM_JSON = "application/problem+json"


def _problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    path = ""
    for part in parts:
        path += f"[{part}]" if part.isdigit() else (f".{part}" if path else part)
    return path or "body"


class BodySizeLimit:
    """Refuses request bodies over the limit with 413, before anything parses them."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit():
            if int(length) > self.max_bytes:
                await self._refuse(send)
                return
            # The server reads no more than the declared length: nothing to count.
            await self.app(scope, receive, send)
            return
        seen = 0
        too_large = False

        async def limited_receive() -> Message:
            # A streamed (chunked) body has no length up front: count as it arrives and,
            # past the limit, tell the app the client left so nothing reads further.
            nonlocal seen, too_large
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        refused = False

        async def guarded_send(message: Message) -> None:
            # Whatever the app answers to a body it never fully got, the client hears 413.
            nonlocal refused
            if not too_large:
                await send(message)
            elif not refused:
                refused = True
                await self._refuse(send)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not too_large:
                raise
        if too_large and not refused:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = problem(
            413,
            "Payload too large",
            "payload-too-large",
            f"The request body is over the limit of {self.max_bytes} bytes.",
        )
        await _problem_response(body)({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def _is_page(request: Request) -> bool:
    """Pages get HTML errors; the API (and anything asking for JSON) gets problem details."""
    path = request.url.path
    if path.startswith(("/api/", "/docs", "/healthz", "/static/")):
        return False
    return "application/json" not in request.headers.get("accept", "")


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> str:
    """Every method some route answers at this path (Starlette names only the first route's).

    Asked the routes themselves, method by method: a fully matching route answers it."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes)
    ]
    return ", ".join(allowed)


def _refused_actor(request: Request) -> Actor | None:
    """Who was refused: the API token's actor (deps.py) or the signed-in person (web/auth.py)."""
    actor = getattr(request.state, "actor", None)
    if isinstance(actor, Actor):
        return actor
    signed_in = getattr(request.state, "signed_in", None)
    return getattr(signed_in, "actor", None)


async def _record_refusal(request: Request, db: Database, exc: PermissionDenied) -> None:
    # Only refusals of someone known: a stranger's requests (no token, a switched-off
    # integration's webhook) are answered before anyone is identified and are not recorded,
    # so they cannot fill the trail.
    actor = _refused_actor(request)
    if actor is None:
        return
    try:
        await anyio.to_thread.run_sync(note_refusal, db, actor, request.method, request.url.path, exc)
    except Exception:  # the refusal is answered even if it could not be recorded
        log.exception("could not record a refusal in the audit trail")


def _error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    from failwell.web.templating import render

    return render(request, "error.html", {"title": title, "detail": detail}, status_code=status)


def create_served_app() -> FastAPI:
    """The app as `failwell serve` builds it in each process; a worker first ties itself to its
    supervisor, so that killing the supervisor never leaves workers holding the port."""
    lifeline.hold_from_environment()
    return create_app()


def settle_heap() -> None:
    """Puts what start-up built (modules, routes, mappers, validators: objects that live as long
    as the process) out of the cyclic garbage collector's way. Its full passes otherwise walk
    them all again, and a CI batch of 1,000 deployments sets off several: 14 % of the batch's
    time (measured 2026-12-07). Young collections are made rarer too (every 10,000 new
    objects, not 700): a request allocates thousands that it frees itself."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, *gc.get_threshold()[1:])


def _lifespan(db: Database, owns_database: bool) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    worker = worker_lifespan(db, enabled=owns_database)

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        # Only in a process that serves (the app owns its database), never in a test that
        # builds apps by the dozen: frozen objects are never freed.
        if owns_database:
            settle_heap()
        async with worker(app):
            yield

    return lifespan


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    bootstrap()
    settings = settings or get_settings()
    db = database or Database(
        settings.database_url,
        pool_size=settings.db_pool_size,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
    )
    app = FastAPI(
        title="failwell",
        version=__version__,
        description="Record failures, review them without blame, correct their causes.",
        # /docs and /redoc come from web.api_docs, with vendored assets instead of CDN ones.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        telemetry={
            "tracing": settings.opentelemetry,
            "metrics": settings.opentelemetry,
            "logs": settings.opentelemetry,
        },
        # The notification worker runs in the app unless the caller brought its own database.
        lifespan=_lifespan(db, owns_database=database is None),
    )
    app.state.db = db
    app.state.settings = settings

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        if isinstance(exc, PermissionDenied):
            await _record_refusal(request, db, exc)
        if _is_page(request):
            return _error_page(request, exc.status, exc.title, exc.detail)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return _problem_response(domain_problem(exc, request.url.path), headers)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        target = "/sign-in?" + urlencode({"next": exc.next_path})
        if is_htmx(request):
            # htmx would swap the sign-in page into a fragment; send the whole browser there.
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, exc: CsrfRefused) -> Response:
        return _error_page(
            request,
            403,
            "Form expired",
            "This form was opened in an earlier sign-in. Go back, reload the page and try again.",
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        if _is_page(request):  # an address typed or edited by hand: a page, not a JSON document
            if any(tuple(e.get("loc", ()))[:1] == ("path",) for e in exc.errors()):
                return _error_page(request, 404, "Not Found", "There is no page at this address.")
            reasons = "; ".join(
                f"{_field_path(tuple(e.get('loc', ())))}: {error_reason(e)}" for e in exc.errors()[:5]
            )
            return _error_page(request, 422, "Invalid input", reasons)
        errors = [
            {
                "field": "body" if e.get("type") == "json_invalid" else _field_path(tuple(e.get("loc", ()))),
                "reason": error_reason(e),
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5])
        return _problem_response(
            problem(422, "Invalid input", "invalid-input", detail, errors, request.url.path)
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        try:
            title = HTTPStatus(exc.status_code).phrase
        except ValueError:
            title = "Error"
        # Keep what the exception carries; a 405 names every method the address answers.
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Nothing matches inside a mount (its scope is rewritten): StaticFiles serves GET and HEAD.
            headers["Allow"] = _allowed_methods(request) or headers.get("Allow") or "GET, HEAD"
        if _is_page(request):
            detail = "There is no page at this address." if exc.status_code == 404 else str(exc.detail)
            page = _error_page(request, exc.status_code, title, detail)
            page.headers.update(headers)
            return page
        return _problem_response(
            problem(
                exc.status_code,
                title,
                title.lower().replace(" ", "-"),
                str(exc.detail),
                instance=request.url.path,
            ),
            headers,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if _is_page(request):
            return _error_page(
                request, 500, "Something went wrong", "Something went wrong on our side; nothing was changed."
            )
        return _problem_response(
            problem(
                500,
                "Internal error",
                "internal-error",
                "Something went wrong on our side; nothing was changed.",
                instance=request.url.path,
            )
        )

    from failwell.api import mount_api
    from failwell.web.api_docs import mount_api_docs
    from failwell.web.routes import mount_pages

    # First of all routes: load balancers and probes call it most often, and FastAPI tries
    # routes in order (last, it cost 0.6 ms of matching per call, measured 2026-12-06).
    @app.get("/healthz", include_in_schema=False)
    async def _health() -> dict[str, str]:  # no I/O: no thread hop
        return {"status": "ok", "version": __version__}

    mount_api_docs(app)
    mount_api(app)
    mount_pages(app)

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    _outermost(app, settings)
    return app


def _outermost(app: FastAPI, settings: Settings) -> None:
    """Security headers and the trusted-proxy reading go around the whole stack, outside
    Starlette's ServerErrorMiddleware, so that even a 500 carries the headers."""
    build = app.build_middleware_stack

    # Signing out may continue at the single sign-on provider (a redirect after a form post).
    issuer = urlsplit(settings.oidc_issuer) if settings.sso_enabled else None
    form_targets = (f"{issuer.scheme}://{issuer.netloc}",) if issuer and issuer.netloc else ()

    def build_with_headers() -> ASGIApp:
        return behind_proxies(SecurityHeaders(build(), form_targets), settings.trusted_proxies)

    setattr(app, "build_middleware_stack", build_with_headers)  # noqa: B010 (a method is replaced)

"""The API reference pages (/docs, /redoc), served with the vendored Swagger UI and ReDoc.

FastAPI's own pages load their scripts, styles and fonts from CDNs, so they are blank without
internet; these are the same pages with every asset taken from /static/vendor/.
"""

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

SWAGGER_UI_VERSION = "5.35.0"
REDOC_VERSION = "2.5.4"
VENDOR = "/static/vendor"
FAVICON = "/static/favicon.svg"
SWAGGER_JS = f"{VENDOR}/swagger-ui-bundle-{SWAGGER_UI_VERSION}.js"
SWAGGER_CSS = f"{VENDOR}/swagger-ui-{SWAGGER_UI_VERSION}.css"
REDOC_JS = f"{VENDOR}/redoc-{REDOC_VERSION}.standalone.js"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
# Keeps the pages on this origin: ReDoc draws a logo from its vendor's CDN (it drops the
# image when the load fails), and nothing else here needs another host.
SAME_ORIGIN_ONLY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
    )
)


def _same_origin(response: HTMLResponse) -> HTMLResponse:
    response.headers["Content-Security-Policy"] = SAME_ORIGIN_ONLY
    return response


def mount_api_docs(app: FastAPI) -> None:
    """Add /docs and /redoc for the app's OpenAPI document (create the app with docs_url=None)."""
    openapi_url = app.openapi_url
    if openapi_url is None:
        return
    title = app.title

    def _root(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    @app.get("/docs", include_in_schema=False)
    def _swagger_ui(request: Request) -> HTMLResponse:
        root = _root(request)
        page = get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{title} - Swagger UI",
            swagger_js_url=root + SWAGGER_JS,
            swagger_css_url=root + SWAGGER_CSS,
            swagger_favicon_url=root + FAVICON,
            oauth2_redirect_url=root + OAUTH2_REDIRECT,
            # The default validator badge fetches an image from a public validator service.
            swagger_ui_parameters={"validatorUrl": None},
        )
        return _same_origin(page)

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    def _swagger_oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def _redoc(request: Request) -> HTMLResponse:
        root = _root(request)
        page = get_redoc_html(
            openapi_url=root + openapi_url,
            title=f"{title} - ReDoc",
            redoc_js_url=root + REDOC_JS,
            redoc_favicon_url=root + FAVICON,
            with_google_fonts=False,
        )
        return _same_origin(page)

"""Security headers on every response, and HTTPS awareness behind a trusted proxy.

The pages load scripts and styles from /static only: no inline script, no inline style, no
eval (htmx's indicator styles are turned off in base.html's htmx-config and live in the
stylesheet). A response that sets its own Content-Security-Policy (the API reference pages,
whose generated bootstrap script is inline) keeps it; every other header applies to all.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware


def content_security_policy(form_targets: tuple[str, ...] = ()) -> str:
    """The policy; `form_targets` are other origins a form may lead to (Chromium holds a form's
    redirects to form-action too: signing out continues at the identity provider)."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            # Reviews may show images by URL (markdown); they are only ever displayed.
            "img-src 'self' data: https:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            " ".join(("form-action 'self'", *form_targets)),
            "frame-ancestors 'none'",
        )
    )


CONTENT_SECURITY_POLICY = content_security_policy()
HSTS = "max-age=31536000; includeSubDomains"
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # For browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


class SecurityHeaders:
    """Adds the headers above; over HTTPS also HSTS, and Secure on every cookie."""

    def __init__(self, app: ASGIApp, form_targets: tuple[str, ...] = ()) -> None:
        self.app = app
        self.policy = content_security_policy(form_targets) if form_targets else CONTENT_SECURITY_POLICY
        # Encoded once: every response of the app passes here.
        self.defaults = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in (*ALWAYS.items(), ("Content-Security-Policy", self.policy))
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", ()))
                present = {name.lower() for name, _ in raw}
                raw += [(name, value) for name, value in self.defaults if name not in present]
                message["headers"] = raw
                if https:
                    headers = MutableHeaders(scope=message)
                    headers["Strict-Transport-Security"] = HSTS
                    _secure_cookies(headers)
            await send(message)

        await self.app(scope, receive, with_headers)


def _secure_cookies(headers: MutableHeaders) -> None:
    cookies = headers.getlist("set-cookie")
    if not cookies:
        return
    del headers["set-cookie"]
    for cookie in cookies:
        attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
        headers.append("set-cookie", cookie if "secure" in attributes else f"{cookie}; Secure")


def behind_proxies(app: ASGIApp, trusted: str) -> ASGIApp:
    """Reads X-Forwarded-Proto and X-Forwarded-For, but only from the addresses in `trusted`
    (comma-separated IPs or networks, "*" for any; empty: nobody), so a client cannot claim
    HTTPS or another address by sending the headers itself."""
    if not trusted.strip():
        return app
    return ProxyHeadersMiddleware(app, trusted_hosts=trusted)  # type: ignore[arg-type,return-value]
